/**
 * The admin pages through their routes, as the host calls them (AdminRequest in, fragment out), on
 * both databases: filters, database sort and paging, chips, CSV, links in both import modes,
 * details, Retry import, manual matching, the system message, ACL and CSRF, and escaping.
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { ALL_RIGHTS, BASE, adminContext, call, createAdminHarness, getPage, hrefs, putOrder, readDownload, type AdminHarness } from '../support/admin-harness.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import { sumAmounts } from '../../src/money.ts';
import { OrderImporter } from '../../src/orders/order-importer.ts';
import { StoreLease } from '../../src/sync/store-lease.ts';
import { Acl } from '../../src/admin/acl.ts';
import type { Order } from '../../src/amazon/models.ts';
import type { AmazonStore } from '../../src/stores/store.ts';
import { searchText } from '../../src/orders/search-text.ts';
import { fromDb } from '../../src/db/time.ts';

const XSS = '<img src=x onerror=alert(1)>';
const BUYERS = ['Zoe Smith', 'zoë Adams', "ÄRNE O'Brien", 'ZOE 100% Real', 'Bob "Bobby" Tables, Jr.', '=SUM(A1:A9)', 'jane q. buyer', XSS, 'Mia Zoeller'];
const STATUSES = ['UNSHIPPED', 'SHIPPED', 'PENDING', 'CANCELLED', 'PARTIALLY_SHIPPED'] as const;
const ORDER_COUNT = 45;

interface Made {
  id: string;
  buyer: string;
  cents: number;
  status: (typeof STATUSES)[number];
  created: string;
}

function made(i: number): Made {
  const day = String((i % 25) + 1).padStart(2, '0');
  const hour = String(i % 24).padStart(2, '0');
  return {
    id: `113-0000000-${String(i).padStart(7, '0')}`,
    buyer: BUYERS[i % BUYERS.length],
    // 9.50 ... 333.40: numeric and text order differ (100.xx vs 99.xx), so a text sort would show.
    cents: i === 0 ? 950 : 1000 + i * 735,
    status: STATUSES[i % STATUSES.length],
    created: `2026-11-${day}T${hour}:00:00Z`,
  };
}

/** An order added by a single test, kept out of the shared data set's buyer names. */
const extra = (i: number): Made => ({ ...made(i), buyer: 'Extra Buyer' });

const amount = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

function doc(m: Made, overrides: Partial<Order> = {}): Order {
  // As on Amazon, the grand total is what the items add up to (the importer refuses anything else).
  const orderItems = overrides.orderItems ?? [amazonItem({ sku: 'MUG-RED', qty: 1, unitPrice: amount(m.cents) })];
  const grandTotal = sumAmounts(orderItems.map((item) => item.proceeds?.proceedsTotal?.amount));
  return amazonOrder({
    orderId: m.id,
    createdTime: m.created,
    lastUpdatedTime: m.created.replace(':00:00Z', ':30:00Z'),
    buyer: { buyerName: m.buyer },
    proceeds: { grandTotal: { amount: grandTotal, currencyCode: 'USD' } },
    fulfillment: { fulfillmentStatus: m.status, fulfilledBy: 'MERCHANT', fulfillmentServiceLevel: 'Standard' },
    ...overrides,
    orderItems,
  });
}

/** Order numbers in a rendered grid, top to bottom. */
function gridOrderNumbers(html: string): string[] {
  return [...html.matchAll(/>(\d{3}-\d{7}-\d{7})<span class="asc-visually-hidden"> \(/g)].map((m) => m[1]);
}


describeEachDatabase('admin pages', (db) => {
  let h: AdminHarness;
  let us: AmazonStore;
  let eu: AmazonStore;
  const all: Made[] = Array.from({ length: ORDER_COUNT }, (_, i) => made(i));
  const ordersUrl = (query = '') => `${BASE}/amazon/stores/${us.id}/orders${query ? `?${query}` : ''}`;
  const idsWhere = (keep: (m: Made) => boolean) => all.filter(keep).map((m) => m.id);
  /** Every row of a filtered All Orders result, following the pager's Next links. */
  async function allPages(query: string): Promise<string[]> {
    const ids: string[] = [];
    let url: string | null = ordersUrl(query);
    while (url) {
      const page = await getPage(h, url);
      expect(page.status).to.equal(200);
      ids.push(...gridOrderNumbers(page.html));
      url = /<a href="([^"]+)" rel="next">/.exec(page.html)?.[1] ?? null;
    }
    return ids;
  }

  before(async () => {
    h = await createAdminHarness(db().knex);
    h.catalog.add('MUG-RED');
    us = await h.stores.add({ name: 'US Store', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0001', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
    eu = await h.stores.add({ name: 'EU <script>alert(1)</script>', region: 'eu', marketplaceId: 'A1PA6795UKMFR9', sellerId: 'A2SELLER0002', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
    await h.stores.updateSettings(eu.id, { importEnabled: false });
    for (const m of all) await putOrder(h, db().knex, us.id, doc(m));
    await putOrder(h, db().knex, eu.id, amazonOrder({ orderId: '302-0000000-0000001', salesChannel: { channelName: 'AMAZON', marketplaceId: 'A1PA6795UKMFR9' }, proceeds: { grandTotal: { amount: '1234.50', currencyCode: 'EUR' } } }));
    await h.container.get(OrderImporter).processStore(us, await h.stores.settings(us.id));
  });

  describe('access', () => {
    it('answers 403 on every module route to an admin without the view right, and runs nothing', async () => {
      const urls = [`${BASE}/amazon/stores`, `${BASE}/amazon/stores/${us.id}`, ordersUrl(), `${BASE}/amazon/stores/${us.id}/orders.csv`, `${BASE}/amazon/stores/${us.id}/orders/${all[0].id}`, `${BASE}/amazon/stores/${us.id}/unmatched`];
      for (const url of urls) {
        const response = await call(h, 'GET', url, { rights: [] });
        expect(response, url).to.include({ kind: 'page', status: 403 });
      }
      // POSTs without the manage right, on a store where running them would change something: a
      // blocked order that a retry would now import, and an unmatched SKU that a match would resolve.
      const probe = await h.stores.add({ name: 'ACL probe', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0009', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
      try {
        const m = extra(90);
        await putOrder(h, db().knex, probe.id, doc({ ...m, status: 'UNSHIPPED' }, { orderItems: [amazonItem({ sku: 'ACL-SKU', qty: 1, unitPrice: '5.00' })] }));
        await h.container.get(OrderImporter).processStore(probe, await h.stores.settings(probe.id));
        expect((await h.orders.find(probe.id, m.id))!.importState).to.equal('blocked');
        h.catalog.add('ACL-SKU');
        const hostOrders = h.hostOrders.orders.size;
        const match = { url: `${BASE}/amazon/stores/${probe.id}/unmatched`, form: { seller_sku: 'ACL-SKU', product_sku: 'MUG-RED' } };
        for (const post of [{ url: `${BASE}/amazon/stores/${probe.id}/orders/${m.id}/retry`, form: {} }, match]) {
          expect(await call(h, 'POST', post.url, { rights: [Acl.ordersView], form: post.form }), post.url).to.include({ kind: 'page', status: 403 });
        }
        expect((await h.orders.find(probe.id, m.id))!.importState, 'not retried').to.equal('blocked');
        expect(h.hostOrders.orders.size, 'no host order').to.equal(hostOrders);
        expect((await h.orders.listingMatches(probe.id)).size, 'no listing match').to.equal(0);
        // The same POST with the right does change them, so the checks above can fail.
        expect(await call(h, 'POST', match.url, { form: match.form })).to.include({ kind: 'redirect' });
        expect((await h.orders.find(probe.id, m.id))!.importState).to.equal('imported');
      } finally {
        await db().knex('amazon_store').where({ id: probe.id }).delete();
      }
      expect(h.routes.map((r) => r.acl)).to.satisfy((acls: string[]) => acls.every((acl) => ALL_RIGHTS.includes(acl)));
      expect(h.widgets.every((w) => w.acl === Acl.ordersView)).to.equal(true);
      expect(await h.widgets[0].render(adminContext([]))).to.equal(null);
    });

    it('answers 404, not 500, for a store or order that does not exist', async () => {
      for (const url of [`${BASE}/amazon/stores/999`, `${BASE}/amazon/stores/abc/orders`, `${BASE}/amazon/stores/${us.id}/orders/111-nope`]) {
        expect((await getPage(h, url)).status, url).to.equal(404);
      }
    });
  });

  describe('Amazon Stores', () => {
    it('shows one card per store with marketplace, status, last successful sync and orders needing attention', async () => {
      await db().knex('amazon_sync_state').where({ store_id: us.id }).update({ last_success_at: new Date('2026-11-26T09:55:00Z'), last_result: 'success' });
      await db().knex('amazon_sync_state').where({ store_id: eu.id }).update({ last_result: 'failed', last_error: 'QuotaExceeded' });
      const failed = (await h.orders.find(us.id, all[0].id))!;
      await h.orders.update(failed.id, { status: 'Error', local_status: 'Error', note: 'Transmission of tracking information failed.' });
      const page = await getPage(h, `${BASE}/amazon/stores`);
      expect(page.html.match(/class="asc-card"/g)).to.have.length(2);
      expect(page.html).to.include('US Store').and.include('United States (ATVPDKIKX0DER)').and.include('Germany (A1PA6795UKMFR9)');
      expect(page.html).to.include('2026-11-26 09:55 UTC');
      expect(page.html.match(/last run failed/g)).to.have.length(1);
      expect(page.html).to.include('EU &lt;script&gt;alert(1)&lt;/script&gt;').and.not.include('<script>alert');
      expect(page.html).to.include('>1 order<');
      expect(hrefs(page.html)).to.include(`${BASE}/amazon/stores/${us.id}/orders?attention=1`);
      expect(hrefs(page.html)).to.include(`${BASE}/amazon/stores/${us.id}`);
      expect(page.html).to.include('View Store');
      const attention = await getPage(h, ordersUrl('attention=1'));
      expect(gridOrderNumbers(attention.html)).to.deep.equal([all[0].id]);
      expect(attention.html).to.include('Needs attention');
    });
  });

  describe('All Orders', () => {
    it('shows every order, newest first, with the original columns and money in the order currency', async () => {
      const page = await getPage(h, ordersUrl());
      for (const label of ['Purchase Date', 'Order Number', 'Status', "Buyer&#x27;s Name", 'Grand Total', 'Order Notes']) expect(page.html).to.include(`>${label}<`);
      expect(page.html).to.include('Showing 1–20 of 45 orders');
      const newestFirst = [...all].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : b.id.localeCompare(a.id))).map((m) => m.id);
      expect(gridOrderNumbers(page.html)).to.deep.equal(newestFirst.slice(0, 20));
      expect((await getPage(h, ordersUrl('max=10'))).html).to.include('$9.50');
      expect(page.html).to.include('aria-sort="descending"');
    });

    it('filters by each field and by a combination, case-insensitively for the buyer', async () => {
      expect(await allPages('buyer=ZOE')).to.have.members(idsWhere((m) => searchText(m.buyer).includes('zoe')));
      expect(await allPages('buyer=%25')).to.have.members(idsWhere((m) => m.buyer.includes('%')));
      expect(await allPages('buyer=%C3%A4rne')).to.have.members(idsWhere((m) => m.buyer.startsWith('ÄRNE')));
      expect(await allPages('orderNumber=00012')).to.have.members(idsWhere((m) => m.id.includes('00012')));
      expect(await allPages('min=9.5&max=100.55')).to.have.members(idsWhere((m) => m.cents >= 950 && m.cents <= 10055));
      expect(await allPages('status=Pending&status=Canceled')).to.have.members(idsWhere((m) => m.status === 'PENDING' || m.status === 'CANCELLED'));
      expect(await allPages('from=2026-11-03&to=2026-11-05')).to.have.members(idsWhere((m) => m.created >= '2026-11-03' && m.created < '2026-11-06'));
      const combined = idsWhere((m) => searchText(m.buyer).includes('zoe') && m.status === 'UNSHIPPED' && m.cents >= 2000 && m.created >= '2026-11-02');
      expect(combined.length).to.be.greaterThan(0);
      expect(await allPages('buyer=zoe&status=Unshipped&min=20&from=2026-11-02')).to.have.members(combined);
    });

    it('sorts every column in the database over the whole result, not the page', async () => {
      const byTotal = await allPages('sort=grandTotal&dir=asc');
      expect(byTotal).to.deep.equal([...all].sort((a, b) => a.cents - b.cents).map((m) => m.id));
      const byTotalDesc = await allPages('sort=grandTotal&dir=desc');
      expect(byTotalDesc).to.deep.equal([...byTotal].reverse());
      const byNumber = await allPages('sort=orderNumber&dir=desc');
      expect(byNumber).to.deep.equal(all.map((m) => m.id).sort().reverse());
      // The other columns against the order computed here from the stored values (notes and statuses are
      // the importer's): NULLs first ascending and last descending, ties by row id in the same direction.
      type Stored = { id: unknown; amazon_order_id: string; status: string; note: string | null; buyer_name: string | null; purchase_date: unknown };
      const stored: Stored[] = await db().knex('amazon_order').where({ store_id: us.id }).select('id', 'amazon_order_id', 'status', 'note', 'buyer_name', 'purchase_date');
      const keys: Record<string, (row: Stored) => string | number | null> = {
        note: (row) => row.note,
        status: (row) => row.status,
        buyerName: (row) => (row.buyer_name === null ? null : searchText(row.buyer_name)),
        purchaseDate: (row) => fromDb(row.purchase_date).getTime(),
      };
      const compare = (a: string | number | null, b: string | number | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
      expect(stored.filter((row) => row.note === null).length, 'some notes are empty').to.be.within(1, ORDER_COUNT - 2);
      for (const [column, key] of Object.entries(keys)) {
        const ascending = [...stored].sort((a, b) => compare(key(a), key(b)) || Number(a.id) - Number(b.id)).map((row) => row.amazon_order_id);
        expect(await allPages(`sort=${column}&dir=asc`), `${column} asc`).to.deep.equal(ascending);
        expect(await allPages(`sort=${column}&dir=desc`), `${column} desc`).to.deep.equal([...ascending].reverse());
      }
      const statusPage = await getPage(h, ordersUrl('sort=status&dir=asc&pageSize=50'));
      const shown = [...statusPage.html.matchAll(/<span class="asc-badge asc-status--[a-z-]+">([^<]+)<\/span>/g)].map((m) => m[1]);
      expect(shown).to.have.length(ORDER_COUNT);
      expect(shown).to.deep.equal([...shown].sort());
      expect(new Set(shown)).to.include('Completed').and.include('Error');
      const byBuyer = await allPages('sort=buyerName&dir=asc');
      const buyers = byBuyer.map((id) => searchText(all.find((m) => m.id === id)!.buyer));
      expect(buyers).to.deep.equal([...buyers].sort());
      // Sort links are real links with aria-sort on the active column only.
      const page = await getPage(h, ordersUrl('sort=buyerName&dir=asc'));
      expect(page.html.match(/aria-sort=/g)).to.have.length(1);
      expect(page.html).to.include('aria-sort="ascending"');
      expect(hrefs(page.html)).to.include(ordersUrl('sort=buyerName&dir=desc'));
    });

    it('pages with a page size choice and the total count, keeping filters and sort', async () => {
      const page2 = await getPage(h, ordersUrl('sort=grandTotal&dir=asc&page=2'));
      expect(page2.html).to.include('Showing 21–40 of 45 orders');
      expect(gridOrderNumbers(page2.html)).to.deep.equal([...all].sort((a, b) => a.cents - b.cents).slice(20, 40).map((m) => m.id));
      expect(hrefs(page2.html)).to.include(ordersUrl('sort=grandTotal&dir=asc&pageSize=50'));
      // The next page is linked by keyset: it starts after this page's last row, however deep.
      const next = hrefs(page2.html).find((href) => href.includes('page=3'))!;
      expect(next).to.match(/page=3&after=[\w-]+$/);
      expect(gridOrderNumbers((await getPage(h, next)).html)).to.deep.equal([...all].sort((a, b) => a.cents - b.cents).slice(40, 45).map((m) => m.id));
      const big = await getPage(h, ordersUrl('sort=grandTotal&dir=asc&pageSize=50'));
      expect(gridOrderNumbers(big.html)).to.have.length(45);
      expect(big.html).to.include('Showing 1–45 of 45 orders');
      const past = await getPage(h, ordersUrl('page=99'));
      expect(past.html).to.include('Showing 41–45 of 45 orders');
    });

    it('shows applied filters as chips that each remove one filter, and Clear all filters', async () => {
      const page = await getPage(h, ordersUrl('buyer=zoe&status=Unshipped&status=Pending&min=20&sort=grandTotal&dir=asc'));
      expect(page.html).to.include('Buyer Name: zoe').and.include('Status: Unshipped').and.include('Status: Pending').and.include('Grand Total: from 20');
      const chipLinks = [...page.html.matchAll(/<a class="asc-chip" href="([^"]+)">([^<]+)</g)].map((m) => ({ href: m[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '='), label: m[2] }));
      const withoutUnshipped = chipLinks.find((c) => c.label === 'Status: Unshipped')!.href;
      expect(withoutUnshipped).to.equal(ordersUrl('buyer=zoe&min=20&status=Pending&sort=grandTotal&dir=asc'));
      expect(await allPages(new URL(withoutUnshipped, 'http://x').search.slice(1))).to.have.members(
        idsWhere((m) => searchText(m.buyer).includes('zoe') && m.status === 'PENDING' && m.cents >= 2000),
      );
      expect(hrefs(page.html)).to.include(ordersUrl('sort=grandTotal&dir=asc'));
      expect(page.html).to.include('Clear all filters');
    });

    it('explains invalid filter input inline and keeps the other filters, never a 500', async () => {
      const page = await getPage(h, ordersUrl('from=2026-13-40&buyer=zoe&min=ten&max=5'));
      expect(page.status).to.equal(200);
      // The date box cannot hold 2026-13-40 (the browser would blank it): it is left empty, and the message says why.
      expect(page.html).to.include('From: &quot;2026-13-40&quot; is not a valid date and was not applied. Choose a date.').and.not.include('YYYY-MM-DD)');
      expect(page.html).to.match(/<input id="orders-from" name="from" type="date" value=""/);
      const kept = await getPage(h, ordersUrl('from=2026-11-03&to=2026-11-02'));
      expect(kept.html).to.match(/<input id="orders-from" name="from" type="date" value="2026-11-03"/).and.match(/<input id="orders-to" name="to" type="date" value="2026-11-02"/);
      expect(kept.html).to.include('To: must not be before the start date');
      expect(page.html).to.include('&quot;ten&quot; is not an amount');
      expect(page.html).to.include('aria-invalid="true"');
      expect(page.html).to.include('value="ten"');
      expect(await allPages('from=2026-13-40&buyer=zoe&min=ten&max=5')).to.have.members(idsWhere((m) => searchText(m.buyer).includes('zoe') && m.cents <= 500));
      const reversed = await getPage(h, ordersUrl('min=50&max=20&buyer=zoe'));
      expect(reversed.html).to.include('must not be less than the minimum total');
      expect(await allPages('min=50&max=20&buyer=zoe')).to.have.members(idsWhere((m) => searchText(m.buyer).includes('zoe') && m.cents >= 5000));
      const odd = await getPage(h, ordersUrl('status=Lost&page=abc&pageSize=-1&sort=%3Cx%3E&dir=up&attention=maybe'));
      expect(odd.status).to.equal(200);
      expect(odd.html).to.include('unknown status &quot;Lost&quot;');
    });

    it('exports the filtered set as CSV, streamed, quoted and formula-safe, in the grid sort', async () => {
      const response = await call(h, 'GET', `${BASE}/amazon/stores/${us.id}/orders.csv?buyer=b&sort=grandTotal&dir=desc&page=2&pageSize=20`);
      expect(response).to.include({ kind: 'download', contentType: 'text/csv; charset=utf-8' });
      if (response.kind !== 'download') return;
      expect(response.filename).to.equal(`amazon-orders-store${us.id}-20261126-1000.csv`);
      const text = await readDownload(response);
      const lines = text.split('\r\n').filter((l) => l !== '');
      expect(lines[0]).to.equal(`\uFEFFPurchase Date (UTC),Order Number,Status,Buyer's Name,Grand Total,Currency,Order Notes,Host Order Number,Fulfilled By`);
      const expected = all.filter((m) => searchText(m.buyer).includes('b')).sort((a, b) => b.cents - a.cents);
      // Every matching row, not a page of them.
      expect(lines.slice(1).map((l) => l.split(',')[1])).to.deep.equal(expected.map((m) => m.id));
      expect(text).to.include('"Bob ""Bobby"" Tables, Jr."');
      const page = await getPage(h, ordersUrl('buyer=b&sort=grandTotal&dir=desc'));
      expect(hrefs(page.html)).to.include(`${BASE}/amazon/stores/${us.id}/orders.csv?buyer=b&sort=grandTotal&dir=desc`);
      const formula = await readDownload(await call(h, 'GET', `${BASE}/amazon/stores/${us.id}/orders.csv?buyer=SUM`));
      expect(formula).to.include(",'=SUM(A1:A9),");
    });
  });

  describe('Order Number link', () => {
    it('opens the host order when imported, the details page when not yet, Seller Central when import is disabled', async () => {
      const imported = (await h.orders.find(us.id, all[5].id))!; // UNSHIPPED -> imported
      expect(imported.importState).to.equal('imported');
      const pending = (await h.orders.find(us.id, all[2].id))!; // PENDING -> waiting
      const page = await getPage(h, ordersUrl('pageSize=50'));
      const links = hrefs(page.html);
      expect(links).to.include(`${BASE}/sales/orders/${imported.hostOrderId}`);
      expect(page.html).to.include(`title="open host order #${imported.hostOrderNumber}"`);
      expect(links).to.include(`${BASE}/amazon/stores/${us.id}/orders/${pending.amazonOrderId}`);
      const disabled = await getPage(h, `${BASE}/amazon/stores/${eu.id}/orders`);
      expect(hrefs(disabled.html)).to.include('https://sellercentral.amazon.de/orders-v3/order/302-0000000-0000001');
      expect(disabled.html).to.include('target="_blank" rel="noopener noreferrer"');
      expect(disabled.html).to.include('€1,234.50');
      expect(disabled.html).to.include('Order import is disabled for this store');
    });
  });

  describe('Amazon order details', () => {
    it('shows Order & Shipping, Items and Tracking tabs, the history, and why it is not imported', async () => {
      const pendingId = all[2].id;
      const page = await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${pendingId}`);
      expect(page.html).to.include('Order &amp; Shipping').and.include('Not eligible for import yet').and.include('Amazon has not verified the payment yet');
      expect(page.html).to.include('<address style="font-style:normal">1 Main St<br>Seattle, WA 98101<br>United States</address>');
      expect(page.html).to.include('<dt>Status at Amazon</dt><dd>Pending</dd>').and.not.include('>PENDING<');
      expect(page.html).to.include('Received from Amazon as Pending');
      expect(page.html).not.to.include('Retry import');
      const items = await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${pendingId}?tab=items`);
      expect(items.html).to.include('MUG-RED').and.include('Product MUG-RED (MUG-RED)').and.include(`$${amount(all[2].cents)}`);
      const tracking = await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${pendingId}?tab=tracking`);
      expect(tracking.html).to.include('Amazon reports no packages for this order yet.');
      expect(tracking.html).to.include('aria-current="page">Tracking<');
    });

    it('answers a message code from the URL that names an Object member like any unknown code: no message, never a 500', async () => {
      for (const param of ['retry', 'cancel', 'outbox']) {
        for (const code of ['toString', '__proto__', 'constructor', 'valueOf', 'hasOwnProperty']) {
          const page = await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${all[2].id}?${param}=${code}`);
          expect(page.status, `${param}=${code}`).to.equal(200);
          expect(page.html, `${param}=${code}`).not.to.include('role="status"').and.not.include('[object');
        }
      }
    });

    it('links an imported order to its host order also after import was disabled', async () => {
      const imported = (await h.orders.find(us.id, all[5].id))!;
      expect(imported.importState).to.equal('imported');
      await h.stores.updateSettings(us.id, { importEnabled: false });
      try {
        const page = await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${imported.amazonOrderId}`);
        expect(page.html).to.include(`Imported as host order #${imported.hostOrderNumber}`);
        expect(page.html).to.include(`<a class="asc-button asc-button--primary" href="${BASE}/sales/orders/${imported.hostOrderId}">Open host order #${imported.hostOrderNumber}</a>`);
      } finally {
        await h.stores.updateSettings(us.id, { importEnabled: true });
      }
    });

    it('shows Amazon packages with their tracking', async () => {
      const m = extra(60);
      await putOrder(h, db().knex, us.id, doc(m, {
        fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT', shipByWindow: { latestDateTime: 'tomorrow-ish' } },
        packages: [
          { packageReferenceId: 'PKG-1', carrier: 'UPS', shippingService: 'Ground', trackingNumber: '1Z999', shipTime: '2026-11-25T15:00:00Z', packageStatus: { status: 'IN_TRANSIT' }, packageItems: [{ orderItemId: '10001', quantity: 2 }] },
          { packageReferenceId: 'PKG-2', shipTime: 'not-a-date' },
        ],
      }));
      const page = await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${m.id}?tab=tracking`);
      expect(page.html).to.include('1Z999').and.include('UPS').and.include('IN_TRANSIT').and.include('2026-11-25 15:00 UTC');
      // Odd instants from Amazon are shown as sent, never a failed page.
      expect(page.html).to.include('not-a-date');
      expect((await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${m.id}`)).html).to.include('by tomorrow-ish');
    });

    it('retries a blocked order: refused without a valid CSRF token or the manage right, imported once the cause is fixed', async () => {
      const m = extra(61);
      const blockedDoc = doc({ ...m, status: 'UNSHIPPED' }, { orderItems: [amazonItem({ sku: 'VASE-GREEN', qty: 1, unitPrice: '25.00' })] });
      await putOrder(h, db().knex, us.id, blockedDoc);
      await h.container.get(OrderImporter).processStore(us, await h.stores.settings(us.id));
      const url = `${BASE}/amazon/stores/${us.id}/orders/${m.id}`;
      const before = await getPage(h, url);
      expect(before.html).to.include('The host order cannot be created yet').and.include('SKU &quot;VASE-GREEN&quot; is not in the catalog');
      expect(before.html).to.include(`action="${url}/retry"`).and.include('name="csrf_token" value="csrf-token-of-this-session"');
      expect((await getPage(h, url, { rights: [Acl.ordersView] })).html).not.to.include('Retry import</button>');

      h.catalog.add('VASE-GREEN');
      const hostOrdersBefore = h.hostOrders.orders.size;
      for (const form of [{}, { csrf_token: 'forged' }] as Array<Record<string, string>>) {
        const refused = await call(h, 'POST', `${url}/retry`, { form, withCsrf: false });
        expect(refused).to.include({ kind: 'page', status: 403 });
      }
      expect(await call(h, 'POST', `${url}/retry`, { rights: [Acl.ordersView] })).to.include({ kind: 'page', status: 403 });
      expect(h.hostOrders.orders.size).to.equal(hostOrdersBefore);
      expect((await h.orders.find(us.id, m.id))!.importState).to.equal('blocked');

      // A running sync holds the store: the click does nothing and says so.
      const lease = h.container.get(StoreLease);
      expect(await lease.acquire(us.id, 'sync-runner')).to.equal(true);
      const busy = await call(h, 'POST', `${url}/retry`);
      expect(busy).to.deep.equal({ kind: 'redirect', location: `${url}?retry=busy` });
      await lease.release(us.id, 'sync-runner');
      expect((await h.orders.find(us.id, m.id))!.importState).to.equal('blocked');

      const done = await call(h, 'POST', `${url}/retry`);
      expect(done).to.deep.equal({ kind: 'redirect', location: `${url}?retry=imported` });
      const after = (await h.orders.find(us.id, m.id))!;
      expect(after.importState).to.equal('imported');
      expect(h.hostOrders.orders.size).to.equal(hostOrdersBefore + 1);
      const shown = await getPage(h, `${url}?retry=imported`);
      expect(shown.html).to.include('Import retried: the host order was created.').and.include(`Open host order #${after.hostOrderNumber}`);
      expect(shown.html).to.include(`Created host order #${after.hostOrderNumber}`);
    });
  });

  describe('Unmatched listings', () => {
    it('lists unmatched SKUs of blocked orders; assigning a product retries them and the host order appears', async () => {
      const a = extra(70);
      const b = extra(71);
      for (const m of [a, b]) {
        await putOrder(h, db().knex, us.id, doc({ ...m, status: 'UNSHIPPED' }, { orderItems: [amazonItem({ sku: 'LAMP-BLUE-XL', qty: 1, unitPrice: '40.00', product: { sellerSku: 'LAMP-BLUE-XL', title: 'Blue lamp <XL>', asin: 'B0LAMP0001' } })] }));
      }
      await h.container.get(OrderImporter).processStore(us, await h.stores.settings(us.id));
      const url = `${BASE}/amazon/stores/${us.id}/unmatched`;
      const page = await getPage(h, url);
      expect(page.html).to.include('LAMP-BLUE-XL').and.include('Blue lamp &lt;XL&gt;').and.include('B0LAMP0001');
      expect(page.html).to.include('<label for="match-0">Host product SKU<span class="asc-visually-hidden"> for LAMP-BLUE-XL</span></label>');

      const unknown = await call(h, 'POST', url, { form: { seller_sku: 'LAMP-BLUE-XL', product_sku: 'NO-SUCH' } });
      expect(unknown).to.include({ kind: 'page', status: 422 });
      if (unknown.kind === 'page') expect(unknown.html).to.include('The catalog has no product with SKU &quot;NO-SUCH&quot;').and.include('value="NO-SUCH"');
      expect(await call(h, 'POST', url, { form: { seller_sku: 'LAMP-BLUE-XL', product_sku: 'LAMP-1' }, withCsrf: false })).to.include({ status: 403 });
      expect((await h.orders.listingMatches(us.id)).size).to.equal(0);

      h.catalog.add('LAMP-1', { name: 'Blue lamp' });
      const done = await call(h, 'POST', url, { form: { seller_sku: 'LAMP-BLUE-XL', product_sku: 'LAMP-1' } });
      expect(done).to.deep.equal({ kind: 'redirect', location: `${url}?matched=1&imported=2&blocked=0` });
      expect((await h.orders.listingMatches(us.id)).get('LAMP-BLUE-XL')).to.equal('LAMP-1');
      for (const m of [a, b]) {
        const order = (await h.orders.find(us.id, m.id))!;
        expect(order.importState).to.equal('imported');
        expect(h.hostOrders.orders.get(order.hostOrderId!)?.request.lines.map((l) => l.sku)).to.deep.equal(['LAMP-1']);
      }
      const after = await getPage(h, `${url}?matched=1&imported=2&blocked=0`);
      expect(after.html).to.include('Listing matched: 2 orders imported.').and.not.include('LAMP-BLUE-XL</td>');
      // The empty row spans the table, with or without the Assign column.
      expect(after.html).to.include('Assign host product</th>').and.include('<td colspan="5" class="asc-empty">');
      const viewOnly = await getPage(h, url, { rights: [Acl.ordersView] });
      expect(viewOnly.html).not.to.include('Assign host product</th>');
      expect(viewOnly.html).to.include('<td colspan="4" class="asc-empty">');
    });
  });

  describe('system message', () => {
    it('names the stores with orders that cannot be imported, linking their Recent Orders and exactly the orders it counts', async () => {
      const widget = h.widgets.find((w) => w.zone === 'system-messages')!;
      const usOrder = extra(81);
      await putOrder(h, db().knex, us.id, doc({ ...usOrder, status: 'UNSHIPPED' }, { orderItems: [amazonItem({ sku: 'NOT-IN-CATALOG', qty: 1, unitPrice: '5.00' })] }));
      await h.container.get(OrderImporter).processStore(us, await h.stores.settings(us.id));
      const euOrder = extra(80);
      await putOrder(h, db().knex, eu.id, doc(euOrder));
      await db().knex('amazon_order').where({ store_id: eu.id, amazon_order_id: euOrder.id }).update({ import_state: 'blocked', note: 'Cannot create order: x' });

      const both = (await widget.render(adminContext()))!;
      expect(both).to.include('Your Amazon store(s) have orders that cannot be imported.');
      expect(hrefs(both)).to.include.members([`${BASE}/amazon/stores/${eu.id}#recent-orders`, `${BASE}/amazon/stores/${us.id}#recent-orders`]);
      expect((await getPage(h, `${BASE}/amazon/stores/${us.id}`)).html).to.include('id="recent-orders"');
      // The count and its link agree: the US store also has an order in Error (imported, so not counted).
      const usBlocked = (await db().knex('amazon_order').where({ store_id: us.id, import_state: 'blocked' }).select('amazon_order_id')).map((r: { amazon_order_id: string }) => r.amazon_order_id);
      expect((await h.orders.find(us.id, all[0].id))!.status).to.equal('Error');
      expect(both).to.include(`>${usBlocked.length} blocked<`).and.include(`aria-label="${usBlocked.length} blocked order in US Store"`);
      // Shown on every page, module pages included: the page's fragment brings the styles, the message none.
      expect(both).not.to.include('<style');
      const countLink = hrefs(both).find((href) => href.startsWith(`${BASE}/amazon/stores/${us.id}/orders?`))!;
      expect(gridOrderNumbers((await getPage(h, countLink)).html)).to.have.members(usBlocked);
      expect(both).to.include('EU &lt;script&gt;').and.not.include('<script>alert');

      await db().knex('amazon_order').where({ store_id: eu.id, amazon_order_id: euOrder.id }).update({ import_state: 'disabled' });
      const usOnly = (await widget.render(adminContext()))!;
      expect(hrefs(usOnly)).to.include(`${BASE}/amazon/stores/${us.id}#recent-orders`).and.not.include(`${BASE}/amazon/stores/${eu.id}#recent-orders`);

      await db().knex('amazon_order').where({ store_id: us.id, amazon_order_id: usOrder.id }).update({ import_state: 'not_eligible' });
      // Nothing blocked any more; the order in Error is named on its own, linking exactly to it.
      const errorsOnly = (await widget.render(adminContext()))!;
      expect(errorsOnly).not.to.include('cannot be imported');
      expect(errorsOnly).to.include('Amazon did not accept a shipment, cancel or refund of some orders.');
      expect(errorsOnly).to.include('>1 in Error<').and.include('aria-label="1 order in Error in US Store"');
      const errorLink = hrefs(errorsOnly).find((href) => href.startsWith(`${BASE}/amazon/stores/${us.id}/orders?`))!;
      expect(gridOrderNumbers((await getPage(h, errorLink)).html)).to.deep.equal([all[0].id]);

      for (const { id } of await db().knex('amazon_order').where({ store_id: us.id, status: 'Error' }).select('id')) {
        await h.orders.update(Number(id), { status: 'Shipped', local_status: null });
      }
      expect(await widget.render(adminContext())).to.equal(null);
    });
  });

  describe('store dashboard', () => {
    it('shows the header, sync health, the 30-day chart and Recent Orders with filters', async () => {
      await db().knex('amazon_sync_state').where({ store_id: us.id }).update({
        cursor: new Date('2026-11-26T09:57:00Z'),
        last_started_at: new Date('2026-11-26T09:55:00Z'),
        last_finished_at: new Date('2026-11-26T09:55:04Z'),
        last_success_at: new Date('2026-11-26T09:55:04Z'),
        last_result: 'success',
        last_error: 'Amazon said <b>QuotaExceeded</b>',
        last_stats: JSON.stringify({ ordersFetched: 45, imported: 20 }),
      });
      const page = await getPage(h, `${BASE}/amazon/stores/${us.id}`);
      expect(page.title).to.equal('US Store');
      expect(page.html).to.include('Main Website / Default Store View').and.include('2026-11-26 10:00 UTC');
      expect(page.html).to.include('2026-11-26 09:55 UTC').and.include('(4 s)').and.include('>success<');
      expect(page.html).to.include('3 min').and.include('Amazon said &lt;b&gt;QuotaExceeded&lt;/b&gt;');
      expect(page.html).to.include('<span class="asc-stat">Orders fetched 45</span><span class="asc-stat">Imported 20</span>');
      expect(hrefs(page.html)).to.include(`${BASE}/settings/amazon_order_settings?scope=${us.id}`);
      expect(hrefs(page.html)).to.include('https://sellercentral.amazon.com/orders-v3');

      // Chart: Canceled and Error left out, exactly summed.
      const counted = await db().knex('amazon_order').where({ store_id: us.id }).whereNotIn('status', ['Canceled', 'Error']).select('grand_total_amount');
      const cents = counted.reduce((sum: number, row: { grand_total_amount: string }) => sum + Math.round(Number(row.grand_total_amount) * 100), 0);
      expect(page.html).to.include(`<div class="asc-kpi-value">${counted.length}</div>`);
      expect(page.html).to.include(`$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
      expect(page.html).to.include('<svg class="asc-chart"').and.include('<polyline class="asc-line" points="');
      expect(page.html.match(/<rect class="asc-bar"/g)).to.have.length(30);

      expect(gridOrderNumbers(page.html)).to.have.length(10);
      expect(page.html).not.to.match(/<th[^>]*aria-sort/);
      const filtered = await getPage(h, `${BASE}/amazon/stores/${us.id}?buyer=zoe&status=Unshipped`);
      const expected = all
        // all[0] was put in Error by the store cards test.
        .filter((m) => searchText(m.buyer).includes('zoe') && m.status === 'UNSHIPPED' && m !== all[0])
        .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : b.id.localeCompare(a.id)))
        .map((m) => m.id);
      expect(expected.length).to.be.greaterThan(0);
      expect(gridOrderNumbers(filtered.html)).to.deep.equal(expected.slice(0, 10));
      expect(filtered.html).not.to.include('name="orderNumber"');
      expect(hrefs(filtered.html)).to.include(ordersUrl('buyer=zoe&status=Unshipped'));
    });

    it('says a store without orders has none yet, and a filter that matches nothing that it does', async () => {
      const empty = await h.stores.add({ name: 'Empty Store', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0003', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
      try {
        for (const url of [`${BASE}/amazon/stores/${empty.id}`, `${BASE}/amazon/stores/${empty.id}/orders`]) {
          const page = await getPage(h, url);
          expect(page.html, url).to.include('>No orders yet.<').and.not.include('No orders match these filters.');
          const filtered = await getPage(h, `${url}?buyer=nobody`);
          expect(filtered.html, url).to.include('>No orders match these filters.<').and.not.include('No orders yet.');
        }
      } finally {
        await db().knex('amazon_store').where({ id: empty.id }).delete();
      }
    });

    it('says when the next sync runs and when the store is inactive', async () => {
      const page = await getPage(h, `${BASE}/amazon/stores/${us.id}`);
      // module.json schedules the sync every 5 minutes; the clock stands at 10:00.
      expect(page.html).to.include('<time datetime="2026-11-26T10:05:00.000Z">2026-11-26 10:05 UTC</time>');
      await h.stores.setStatus(eu.id, 'inactive');
      const inactive = await getPage(h, `${BASE}/amazon/stores/${eu.id}`);
      expect(inactive.html).to.include('Store is inactive: orders are not synced').and.include('>Inactive<');
      await h.stores.setStatus(eu.id, 'active');
    });
  });

  describe('escaping', () => {
    it('renders an Amazon buyer name with markup as text on every page', async () => {
      const xssOrder = all.find((m) => m.buyer === XSS)!;
      const pages = [
        await getPage(h, ordersUrl('pageSize=200')),
        await getPage(h, `${BASE}/amazon/stores/${us.id}?buyer=${encodeURIComponent('<img')}`),
        await getPage(h, `${BASE}/amazon/stores/${us.id}/orders/${xssOrder.id}`),
        await getPage(h, ordersUrl(`buyer=${encodeURIComponent(XSS)}`)),
      ];
      for (const page of pages) {
        expect(page.html).not.to.include('<img');
        expect(page.html).to.include('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
      }
    });
  });
});
