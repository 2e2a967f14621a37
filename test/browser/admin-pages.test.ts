/**
 * The admin pages in a real Chromium, through the reference host (login, session, CSRF, ACL,
 * layout), on both databases. A fixed set of Amazon order documents is put in place as the sync
 * stores them (OrderRepository.upsertFromAmazon) and imported by the module's importer, so every
 * filter, sort and page can be checked against known data; admin-sync.test.ts drives the same
 * pages with the Amazon sandbox and the real sync. Screenshots go to test-output/screenshots/.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { describeEachDatabase } from '../support/databases.ts';
import { REPO_ROOT, startTestAdmin, type AdminTestHost } from '../support/host.ts';
import { AdminClient } from '../support/admin-client.ts';
import { FakeClock } from '../support/fake-time.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import { sumAmounts } from '../../src/money.ts';
import { Stores } from '../../src/stores/stores.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';
import { OrderImporter } from '../../src/orders/order-importer.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { importDecision } from '../../src/orders/rules.ts';
import { searchText } from '../../src/orders/search-text.ts';
import type { Order } from '../../src/amazon/models.ts';
import type { AmazonStore } from '../../src/stores/store.ts';
import { describeInBrowser, screenshot } from './support/chromium.ts';
import { gridRows as rowsOn, login as loginOn, signedInTab, type AdminTab } from './support/admin-browser.ts';

const XSS = '<img src=x onerror=alert(1)>';
const BUYERS = ['Jane Cooper', 'Wade Warren', 'Zoë Müller', 'Esther Howard', 'zoe Adams', 'Robert Fox', XSS, 'Guy Hawkins'];
const STATUSES = ['UNSHIPPED', 'PENDING', 'UNSHIPPED', 'CANCELLED', 'PARTIALLY_SHIPPED'] as const;
const COUNT = 36;

interface Made {
  id: string;
  buyer: string;
  cents: number;
  status: (typeof STATUSES)[number];
  created: string;
}

function made(i: number): Made {
  return {
    id: `113-${String(2000000 + i * 7919).slice(0, 7)}-${String(5000000 + i).padStart(7, '0')}`,
    buyer: BUYERS[i % BUYERS.length],
    cents: i === 0 ? 950 : 1000 + i * 735,
    status: STATUSES[i % STATUSES.length],
    created: `2026-11-${String((i % 24) + 1).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:15:00Z`,
  };
}

const amount = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const newestFirst = (a: Made, b: Made) => (a.created < b.created ? 1 : a.created > b.created ? -1 : b.id.localeCompare(a.id));

function doc(m: Made, overrides: Partial<Order> = {}): Order {
  // As on Amazon, the grand total is what the items add up to (the importer refuses anything else).
  const orderItems = overrides.orderItems ?? [amazonItem({ sku: 'MUG-RED', qty: 1, unitPrice: amount(m.cents) })];
  const grandTotal = sumAmounts(orderItems.map((item) => item.proceeds?.proceedsTotal?.amount));
  return amazonOrder({
    orderId: m.id,
    createdTime: m.created,
    lastUpdatedTime: m.created.replace(':15:00Z', ':45:00Z'),
    buyer: { buyerName: m.buyer, buyerEmail: 'buyer@marketplace.amazon.example' },
    proceeds: { grandTotal: { amount: grandTotal, currencyCode: 'USD' } },
    fulfillment: { fulfillmentStatus: m.status, fulfilledBy: 'MERCHANT', fulfillmentServiceLevel: 'Standard' },
    ...overrides,
    orderItems,
  });
}

describeInBrowser('admin pages in Chromium through the reference host', (browser) => {

  describeEachDatabase('admin pages', (db) => {
    const clock = new FakeClock(new Date('2026-11-26T10:00:00.000Z'));
    const all: Made[] = Array.from({ length: COUNT }, (_, i) => made(i));
    let t: AdminTestHost;
    let us: AmazonStore;
    let eu: AmazonStore;
    let tab: AdminTab;
    let page: Page;
    const shotPrefix = () => db().kind;

    const path = (p: string) => `${t.url}/admin${p}`;
    const stores = () => t.host.container.get(Stores);
    const repository = () => t.host.container.get(OrderRepository);
    async function put(storeId: number, order: Order) {
      const store = await stores().get(storeId);
      const snapshot = snapshotFromAmazon(order, store.marketplaceId);
      const decision = importDecision(snapshot, await stores().settings(storeId), store.integratedAt);
      if (decision === 'hidden') throw new Error('order before the integration');
      await db().knex.transaction((trx) => repository().upsertFromAmazon(trx, storeId, order, snapshot, decision));
    }
    /** What the sync does after storing a page of orders: create the host orders that can be. */
    async function importStored(store: AmazonStore) {
      await t.host.container.get(OrderImporter).processStore(store, await stores().settings(store.id));
    }
    const gridRows = () => rowsOn(page);
    const login = (target: Page, username: string) => loginOn(target, t.url, username);
    async function submitFilters() {
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Apply Filters' }).click()]);
      await page.waitForLoadState('load');
    }

    before(async function () {
      this.timeout(60_000);
      t = await startTestAdmin(db(), { modules: [{ directory: REPO_ROOT }], clock });
      const created = await t.host.services.catalog.create({ sku: 'MUG-RED', name: 'Red mug', enabled: true, qty: 1000, manageStock: true });
      if (!created.ok) throw new Error('catalog');
      us = await stores().add({ name: 'Acme US', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0001', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-10-01T00:00:00Z') });
      eu = await stores().add({ name: 'Acme Deutschland', region: 'eu', marketplaceId: 'A1PA6795UKMFR9', sellerId: 'A2SELLER0002', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-10-01T00:00:00Z') });
      await stores().updateSettings(eu.id, { importEnabled: false });
      for (const m of all) await put(us.id, doc(m));
      await put(eu.id, amazonOrder({ orderId: '302-0000000-0000001', createdTime: '2026-11-20T08:00:00Z', salesChannel: { channelName: 'AMAZON', marketplaceId: 'A1PA6795UKMFR9' }, proceeds: { grandTotal: { amount: '39.90', currencyCode: 'EUR' } } }));
      await importStored(us);
      await db().knex('amazon_sync_state').where({ store_id: us.id }).update({
        cursor: new Date('2026-11-26T09:57:00Z'), last_started_at: new Date('2026-11-26T09:55:00Z'), last_finished_at: new Date('2026-11-26T09:55:03Z'),
        last_success_at: new Date('2026-11-26T09:55:03Z'), last_result: 'success', last_stats: JSON.stringify({ ordersFetched: COUNT, imported: 22 }),
      });
      tab = await signedInTab(browser(), t.url, 'admin');
      page = tab.page;
    });

    after(async () => {
      await tab?.context.close();
      await t?.close();
    });

    afterEach(() => {
      // No alert, no script error, on any page of any test. (The host's CSP blocks inline scripts in
      // this tab; the escaping test uses a tab that ignores the CSP, where an escaping bug would run.)
      expect(tab.dialogs, 'dialogs').to.deep.equal([]);
      expect(tab.pageErrors, 'page errors').to.deep.equal([]);
    });

    it('opens the store cards, a store dashboard and All Orders', async () => {
      await page.goto(path('/'));
      await Promise.all([page.waitForURL(/amazon\/stores$/), page.getByRole('link', { name: 'Amazon Stores' }).first().click()]);
      expect(await page.locator('.asc-card h2').allTextContents()).to.deep.equal(['Acme US', 'Acme Deutschland']);
      await screenshot(page, `${shotPrefix()}-stores`);
      await Promise.all([page.waitForURL(new RegExp(`amazon/stores/${us.id}$`)), page.getByRole('link', { name: 'View Store Acme US' }).click()]);
      expect(await page.locator('h1').textContent()).to.equal('Acme US');
      expect(await page.locator('svg.asc-chart[role="img"]').count()).to.equal(1);
      expect(await page.locator('.asc-chart rect.asc-bar').count()).to.equal(30);
      expect(await gridRows()).to.deep.equal([...all].sort(newestFirst).slice(0, 10).map((m) => m.id));
      await screenshot(page, `${shotPrefix()}-store-dashboard`);

      // Recent Orders' Filter by narrows the dashboard list in place.
      await page.fill('#recent-buyer', 'ZOE');
      await submitFilters();
      expect(page.url()).to.match(/#recent-orders$/);
      expect(await gridRows()).to.have.members(all.filter((m) => searchText(m.buyer).includes('zoe')).sort(newestFirst).slice(0, 10).map((m) => m.id));
      await Promise.all([page.waitForURL(/\/orders\?buyer=ZOE$/), page.getByRole('link', { name: 'All Orders', exact: true }).last().click()]);
      expect(await page.locator('h1').textContent()).to.equal('All Orders · Acme US');
      expect(await page.locator('.asc-chip').allTextContents()).to.deep.equal(['Buyer Name: ZOE✕ (remove this filter)']);
    });

    it('filters All Orders by each field and by a combination, explaining bad input inline', async () => {
      const check = async (expected: Made[]) => {
        const rows = await gridRows();
        expect(rows).to.have.members(expected.map((m) => m.id));
      };
      const open = async () => page.goto(path(`/amazon/stores/${us.id}/orders?pageSize=100`));

      await open();
      await page.fill('#orders-from', '2026-11-03');
      await page.fill('#orders-to', '2026-11-05');
      await submitFilters();
      await check(all.filter((m) => m.created >= '2026-11-03' && m.created < '2026-11-06'));

      await open();
      await page.fill('#orders-orderNumber', all[7].id.slice(4, 11));
      await submitFilters();
      await check(all.filter((m) => m.id.includes(all[7].id.slice(4, 11))));

      await open();
      await page.fill('#orders-buyer', 'zoe');
      await submitFilters();
      await check(all.filter((m) => searchText(m.buyer).includes('zoe')));

      await open();
      await page.fill('#orders-min', '9.5');
      await page.fill('#orders-max', '100.55');
      await submitFilters();
      await check(all.filter((m) => m.cents >= 950 && m.cents <= 10055));

      await open();
      await page.getByLabel('Pending', { exact: true }).check();
      await page.getByLabel('Canceled', { exact: true }).check();
      await submitFilters();
      await check(all.filter((m) => m.status === 'PENDING' || m.status === 'CANCELLED'));

      await open();
      await page.fill('#orders-buyer', 'o');
      await page.fill('#orders-min', '50');
      await page.fill('#orders-from', '2026-11-02');
      await page.getByLabel('Pending', { exact: true }).check();
      await submitFilters();
      const combined = all.filter((m) => searchText(m.buyer).includes('o') && m.cents >= 5000 && m.created >= '2026-11-02' && m.status === 'PENDING');
      expect(combined.length).to.be.greaterThan(0);
      await check(combined);

      // Letters in a total: message at the field, the other filters still applied.
      await page.fill('#orders-max', 'ten');
      await submitFilters();
      expect(await page.locator('#orders-max').getAttribute('aria-invalid')).to.equal('true');
      expect(await page.locator('#orders-max-error').textContent()).to.contain('"ten" is not an amount');
      await check(combined);
      // A date off the calendar, typed into the URL: message, never a 500.
      const response = await page.goto(path(`/amazon/stores/${us.id}/orders?from=2026-13-40&buyer=zoe&min=50&max=20`));
      expect(response?.status()).to.equal(200);
      // The calendar box cannot show 2026-13-40: it is empty, and the message says so (no format it does not use).
      expect(await page.locator('#orders-from-error').textContent()).to.equal('From: "2026-13-40" is not a valid date and was not applied. Choose a date.');
      expect(await page.locator('#orders-from').inputValue()).to.equal('');
      expect(await page.locator('#orders-from').getAttribute('value')).to.equal('');
      expect(await page.locator('#orders-max-error').textContent()).to.contain('must not be less than the minimum total');
      await check(all.filter((m) => searchText(m.buyer).includes('zoe') && m.cents >= 5000));
      await screenshot(page, `${shotPrefix()}-all-orders-invalid-filters`);
    });

    it('sorts by clicking headers over the whole result, pages, removes a chip, and Back restores the state', async () => {
      await page.goto(path(`/amazon/stores/${us.id}/orders?status=Unshipped&status=Pending&status=Partially+Shipped&status=Canceled`));
      await page.getByRole('link', { name: /^Grand Total/ }).click();
      await page.waitForURL(/sort=grandTotal&dir=asc/);
      expect(await page.locator('th[aria-sort="ascending"]').textContent()).to.contain('Grand Total');
      const byTotal = [...all].sort((a, b) => a.cents - b.cents).map((m) => m.id);
      const seen = [...(await gridRows())];
      expect(await page.locator('.asc-pager p').first().textContent()).to.equal(`Showing 1–20 of ${COUNT} orders`);
      await page.getByRole('link', { name: 'Next ›' }).click();
      await page.waitForURL(/page=2/);
      seen.push(...(await gridRows()));
      expect(seen).to.deep.equal(byTotal);
      await screenshot(page, `${shotPrefix()}-all-orders`);
      fs.copyFileSync(`test-output/screenshots/${shotPrefix()}-all-orders.png`, 'test-output/screenshots/all-orders.png');

      await page.goBack();
      await page.waitForURL((url) => !url.search.includes('page=2'));
      expect(await gridRows()).to.deep.equal(byTotal.slice(0, 20));

      await page.getByRole('link', { name: 'Grand Total', exact: false }).first().click();
      await page.waitForURL(/dir=desc/);
      expect(await gridRows()).to.deep.equal([...byTotal].reverse().slice(0, 20));

      await page.getByRole('link', { name: '50 per page' }).click();
      await page.waitForURL(/pageSize=50/);
      expect(await gridRows()).to.deep.equal([...byTotal].reverse());

      await page.getByRole('link', { name: /^Status: Canceled/ }).click();
      await page.waitForURL((url) => !url.searchParams.getAll('status').includes('Canceled'));
      expect(await gridRows()).to.deep.equal([...all].filter((m) => m.status !== 'CANCELLED').sort((a, b) => b.cents - a.cents).map((m) => m.id));
      expect(page.url()).to.contain('sort=grandTotal&dir=desc').and.contain('pageSize=50');
      await page.goBack();
      expect(await gridRows()).to.have.length(COUNT);

      await page.getByRole('link', { name: 'Clear all filters' }).click();
      await page.waitForURL((url) => url.searchParams.getAll('status').length === 0);
      expect(await page.locator('.asc-chip').count()).to.equal(0);
    });

    it('exports the filtered set as CSV', async () => {
      await page.goto(path(`/amazon/stores/${us.id}/orders?buyer=o&sort=grandTotal&dir=asc`));
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Export CSV/ }).click()]);
      expect(download.suggestedFilename()).to.match(new RegExp(`^amazon-orders-store${us.id}-\\d{8}-\\d{4}\\.csv$`));
      const text = fs.readFileSync((await download.path())!, 'utf8');
      const lines = text.replace(/^\uFEFF/, '').split('\r\n').filter((l) => l !== '');
      const expected = all.filter((m) => searchText(m.buyer).includes('o')).sort((a, b) => a.cents - b.cents);
      expect(lines.slice(1).map((l) => l.split(',')[1])).to.deep.equal(expected.map((m) => m.id));
      expect(text).to.include(XSS);
    });

    it('follows the Order Number link in both import modes', async () => {
      const imported = (await repository().find(us.id, all[0].id))!;
      expect(imported.importState).to.equal('imported');
      await page.goto(path(`/amazon/stores/${us.id}/orders?orderNumber=${all[0].id}`));
      await Promise.all([page.waitForURL(new RegExp(`/admin/orders/${imported.hostOrderId}$`)), page.getByRole('link', { name: new RegExp(`^${all[0].id}`) }).click()]);
      expect(await page.locator('h1').textContent()).to.equal(`Order ${imported.hostOrderNumber}`);
      expect(await page.locator('main').textContent()).to.contain(`reference ${all[0].id}`);

      const pending = all[1];
      await page.goto(path(`/amazon/stores/${us.id}/orders?orderNumber=${pending.id}`));
      await page.getByRole('link', { name: new RegExp(`^${pending.id}`) }).click();
      await page.waitForURL(new RegExp(`/amazon/stores/${us.id}/orders/${pending.id}$`));
      expect(await page.locator('main').textContent()).to.contain('Not eligible for import yet');

      // Import disabled: the number opens Seller Central for the store's marketplace (a stub answers, no network).
      await tab.context.route('https://sellercentral.amazon.de/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Seller Central</title>' }));
      await page.goto(path(`/amazon/stores/${eu.id}/orders`));
      expect(await page.locator('.asc-alert--info').textContent()).to.contain('Order import is disabled');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('link', { name: /^302-0000000-0000001/ }).click()]);
      await popup.waitForLoadState();
      expect(popup.url()).to.equal('https://sellercentral.amazon.de/orders-v3/order/302-0000000-0000001');
      await popup.close();
    });

    it('retries a blocked order from its details page once the product is enabled', async () => {
      const m = { ...made(40), buyer: 'Retry Buyer', status: 'UNSHIPPED' as const };
      const vase = await t.host.services.catalog.create({ sku: 'VASE-GREEN', name: 'Green vase', enabled: false, qty: 5, manageStock: true });
      if (!vase.ok) throw new Error('catalog');
      await put(us.id, doc(m, { orderItems: [amazonItem({ sku: 'VASE-GREEN', qty: 1, unitPrice: '30.00' })] }));
      await importStored(us);
      await page.goto(path(`/amazon/stores/${us.id}/orders/${m.id}`));
      expect(await page.locator('main').textContent()).to.contain('SKU "VASE-GREEN" is disabled in the catalog');
      await screenshot(page, `${shotPrefix()}-order-details-blocked`);
      await t.host.services.catalog.update(vase.id, { sku: 'VASE-GREEN', name: 'Green vase', enabled: true, qty: 5, manageStock: true });
      await Promise.all([page.waitForURL(/retry=imported/), page.getByRole('button', { name: 'Retry import' }).click()]);
      expect(await page.locator('[role="status"]').first().textContent()).to.contain('the host order was created');
      await Promise.all([page.waitForURL(/\/admin\/orders\/\d+$/), page.getByRole('link', { name: /^Open host order/ }).click()]);
      expect(await page.locator('main').textContent()).to.contain('VASE-GREEN');
    });

    it('changes Order Settings from the dashboard: inline validation, locked fields, and the links follow the import mode', async () => {
      const imported = (await repository().find(us.id, all[0].id))!;
      const save = async () => {
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Save' }).click()]);
        await page.waitForLoadState('load');
      };
      await page.goto(path(`/amazon/stores/${us.id}`));
      await Promise.all([page.waitForURL(new RegExp(`/admin/settings/amazon_order_settings\\?scope=${us.id}$`)), page.getByRole('link', { name: 'Order Settings' }).click()]);
      expect(await page.getByLabel('Import Amazon Orders', { exact: true }).inputValue()).to.equal('enabled');
      expect(await page.getByLabel('Order Status', { exact: true }).inputValue()).to.equal('default');

      // Custom and its processing status in one save, without JavaScript.
      expect(await page.getByLabel('Processing Order Status').isDisabled()).to.equal(false);
      await page.getByLabel('Order Status', { exact: true }).selectOption('custom');
      await page.getByLabel('Processing Order Status').selectOption('amazon_processing');
      await page.getByLabel('Order Number Source').selectOption('amazon');
      await save();
      expect(await page.locator('.flash').textContent()).to.equal('Settings saved.');
      expect(await stores().settings(us.id)).to.include({ orderStatus: 'custom', processingStatus: 'amazon_processing', orderNumberSource: 'amazon' });

      // Custom without a status: refused, message at the field, the admin's other choices kept.
      await page.getByLabel('Processing Order Status').selectOption('');
      await page.getByLabel('Customer Creation').selectOption('account');
      await save();
      expect(await page.locator('#asc-setting-processing_status-error').textContent()).to.equal('Processing Order Status: is required when Order Status is Custom');
      expect(await page.getByLabel('Customer Creation').inputValue()).to.equal('account');
      expect(await stores().settings(us.id)).to.include({ customerCreation: 'guest', processingStatus: 'amazon_processing' });
      await screenshot(page, `${shotPrefix()}-order-settings-invalid`);
      await page.getByLabel('Customer Creation').selectOption('guest');
      await page.getByLabel('Processing Order Status').selectOption('amazon_processing');
      await save();
      expect(await page.locator('.flash').textContent()).to.equal('Settings saved.');

      // Import Disabled: the other fields lock, and order numbers open Seller Central.
      await page.getByLabel('Import Amazon Orders', { exact: true }).selectOption('disabled');
      await save();
      for (const label of ['Import Amazon Orders Into Store', 'Customer Creation', 'Order Number Source', 'Pending Orders', 'Order Status', 'Processing Order Status']) {
        expect(await page.getByLabel(label, { exact: true }).isDisabled(), label).to.equal(true);
      }
      await screenshot(page, `${shotPrefix()}-order-settings-disabled`);
      await page.goto(path(`/amazon/stores/${us.id}/orders?orderNumber=${all[0].id}`));
      expect(await page.getByRole('link', { name: new RegExp(`^${all[0].id}`) }).getAttribute('href')).to.equal(`https://sellercentral.amazon.com/orders-v3/order/${all[0].id}`);

      await page.goto(path(`/settings/amazon_order_settings?scope=${us.id}`));
      await page.getByLabel('Import Amazon Orders', { exact: true }).selectOption('enabled');
      await save();
      await page.goto(path(`/amazon/stores/${us.id}/orders?orderNumber=${all[0].id}`));
      expect(await page.getByRole('link', { name: new RegExp(`^${all[0].id}`) }).getAttribute('href')).to.equal(`/admin/orders/${imported.hostOrderId}`);
      expect(await stores().settings(us.id)).to.include({ importEnabled: true, orderNumberSource: 'amazon' });
      await stores().updateSettings(us.id, { orderNumberSource: 'host', orderStatus: 'default' });

      // Back to the store's dashboard from its settings.
      await page.goto(path(`/settings/amazon_order_settings?scope=${us.id}`));
      await Promise.all([page.waitForURL(new RegExp(`/amazon/stores/${us.id}$`)), page.getByRole('link', { name: 'Back to the Acme US dashboard' }).click()]);
      expect(await page.locator('h1').textContent()).to.equal('Acme US');
    });

    it('fits a 768 px wide window: only the tables scroll sideways, never the page', async () => {
      const xss = all.find((m) => m.buyer === XSS)!;
      await page.setViewportSize({ width: 768, height: 900 });
      try {
        for (const url of ['/amazon/stores', `/amazon/stores/${us.id}`, `/amazon/stores/${us.id}/orders?pageSize=50`, `/amazon/stores/${us.id}/orders/${xss.id}`, `/amazon/stores/${us.id}/orders/${xss.id}?tab=items`, `/amazon/stores/${us.id}/unmatched`, `/settings/amazon_order_settings?scope=${us.id}`]) {
          await page.goto(path(url));
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, url).to.equal(0);
        }
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });

    it('renders a buyer name with markup as text and runs nothing, even with the CSP out of the way', async () => {
      const xss = all.find((m) => m.buyer === XSS)!;
      const open = await signedInTab(browser(), t.url, 'admin', { bypassCSP: true });
      try {
        // This tab really runs inline script, so an unescaped <img onerror> would alert.
        await open.page.goto(path(`/amazon/stores/${us.id}`));
        await open.page.addScriptTag({ content: 'document.documentElement.dataset.inlineScriptRan = "yes"' });
        expect(await open.page.locator('html').getAttribute('data-inline-script-ran')).to.equal('yes');
        for (const url of [`/amazon/stores/${us.id}/orders?buyer=${encodeURIComponent('<img')}`, `/amazon/stores/${us.id}/orders/${xss.id}`, `/amazon/stores/${us.id}?buyer=${encodeURIComponent('<img')}`]) {
          await open.page.goto(path(url));
          expect(await open.page.getByText(XSS).first().isVisible(), url).to.equal(true);
          expect(await open.page.locator('img').count(), url).to.equal(0);
        }
        expect(open.dialogs, 'dialogs').to.deep.equal([]);
        expect(open.pageErrors, 'page errors').to.deep.equal([]);
      } finally {
        await open.context.close();
      }
    });

    it('answers 403 to an admin without the view right on every module route, and refuses a POST without a valid CSRF token', async () => {
      const staffContext = await browser().newContext();
      const staff = await staffContext.newPage();
      await login(staff, 'staff');
      const routes = ['/amazon/stores', `/amazon/stores/${us.id}`, `/amazon/stores/${us.id}/orders`, `/amazon/stores/${us.id}/orders.csv`, `/amazon/stores/${us.id}/orders/${all[1].id}`, `/amazon/stores/${us.id}/unmatched`];
      for (const route of routes) {
        const response = await staff.goto(path(route));
        expect(response?.status(), route).to.equal(403);
        expect(await staff.locator('main').textContent(), route).not.to.contain('Acme US');
      }
      expect(await staff.locator('header nav').textContent()).not.to.contain('Amazon Stores');
      await staffContext.close();

      const client = new AdminClient(t.url);
      await client.login('staff', 'staff-password');
      const staffPage = await client.get('/admin');
      const staffToken = /name="csrf_token" value="([^"]+)"/.exec(staffPage.text)![1];
      expect((await client.post(`/admin/amazon/stores/${us.id}/unmatched`, { csrf_token: staffToken, seller_sku: 'X', product_sku: 'MUG-RED' })).status).to.equal(403);

      const admin = new AdminClient(t.url);
      await admin.login('admin', 'admin-password');
      const blocked = { ...made(42), buyer: 'Csrf Buyer', status: 'UNSHIPPED' as const };
      await put(us.id, doc(blocked, { orderItems: [amazonItem({ sku: 'NOT-YET', qty: 1, unitPrice: '5.00' })] }));
      await importStored(us);
      const created = await t.host.services.catalog.create({ sku: 'NOT-YET', name: 'Not yet', enabled: true, qty: 5, manageStock: true });
      if (!created.ok) throw new Error('catalog');
      for (const form of [{}, { csrf_token: 'forged' }] as Array<Record<string, string>>) {
        expect((await admin.post(`/admin/amazon/stores/${us.id}/orders/${blocked.id}/retry`, form)).status).to.equal(403);
        expect((await admin.post(`/admin/amazon/stores/${us.id}/unmatched`, { ...form, seller_sku: 'NOT-YET', product_sku: 'MUG-RED' })).status).to.equal(403);
      }
      expect((await repository().find(us.id, blocked.id))!.importState).to.equal('blocked');
      expect((await repository().listingMatches(us.id)).has('NOT-YET')).to.equal(false);
    });
  });
});
