/**
 * Fuzzing every module admin input on both databases, seeded (FUZZ_SEED replays a run): the grid,
 * dashboard and CSV query strings, the order page's parameters, every POST form (Retry import,
 * Cancel order, Send again, listing match) with and without rights and CSRF token, the Order
 * Settings form, and the dashboard widgets. Every answer: no exception (the host would answer
 * 500), no 5xx, no SQL, database error code or stack text, nothing unescaped from the input, no
 * redirect out of the module. A page that only shows runs no write statement; a refused POST or
 * settings save leaves every table as it was.
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { ALL_RIGHTS, BASE, CSRF, adminContext, createAdminHarness, putOrder, readDownload, type AdminHarness } from '../support/admin-harness.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import { FUZZ_SEED, expectNoLeaks, forEachCase, type Fuzz } from '../support/fuzz.ts';
import { countWrites, databaseFingerprint } from '../support/database-fingerprint.ts';
import { OrderImporter } from '../../src/orders/order-importer.ts';
import { Acl } from '../../src/admin/acl.ts';
import { GRID_STATUSES } from '../../src/orders/rules.ts';
import { SORTABLE_COLUMNS } from '../../src/orders/order-grid.ts';
import { ATTENTION_FILTERS } from '../../src/orders/grid-filter-input.ts';
import { FILTER_PARAMS, PAGE_SIZES } from '../../src/admin/grid-state.ts';
import { CANCEL_REASON_CHOICES } from '../../src/fulfillment/rules.ts';
import type { AdminRequest, AdminResponse, AdminRouteContribution } from '../../src/host/contributions.ts';
import type { Order } from '../../src/amazon/models.ts';
import type { AmazonStore } from '../../src/stores/store.ts';

const GET_CASES = 3_000;
const POST_CASES = 300;
const SETTINGS_CASES = 200;

const STATUSES = ['UNSHIPPED', 'SHIPPED', 'PENDING', 'CANCELLED', 'PARTIALLY_SHIPPED', 'UNSHIPPED'] as const;
const BUYERS = ['Zoë Ångström', "O'Brien & Sons", '<img src=x onerror=alert(1)>', '=HYPERLINK("x")', '株式会社テスト', 'Plain Buyer'];

/** Query parameters the module reads, and a plausible value for each (the fuzz mixes in hostile ones). */
const QUERY_VALUES: Record<string, (f: Fuzz) => string> = {
  status: (f) => f.pick(GRID_STATUSES),
  from: (f) => f.pick(['2026-11-01', '2026-11-20T00:00:00Z', '2026-02-30', '']),
  to: (f) => f.pick(['2026-11-30', '2026-11-26T10:00:00+01:00', '1999-01-01']),
  orderNumber: (f) => f.pick(['113-0000000-0000001', '113', '0000003']),
  buyer: (f) => f.pick(BUYERS.map((b) => b.slice(0, 1 + f.int(b.length)))),
  min: (f) => f.pick(['0', '10', '10.5', '999999.9999']),
  max: (f) => f.pick(['100', '0.01', '5']),
  attention: (f) => f.pick([...ATTENTION_FILTERS.map((a) => a.value), 'true', 'yes']),
  sort: (f) => f.pick(Object.keys(SORTABLE_COLUMNS)),
  dir: (f) => f.pick(['asc', 'desc']),
  page: (f) => String(1 + f.int(4)),
  pageSize: (f) => String(f.pick(PAGE_SIZES)),
  tab: (f) => f.pick(['order', 'items', 'history', 'fulfillment']),
  retry: (f) => f.pick(['imported', 'blocked', 'busy', 'skipped']),
  cancel: (f) => f.pick(['reason', 'refused', 'nothing', 'with-host', 'recorded', 'host-failed']),
  outbox: (f) => f.pick(['retried', 'not-failed']),
  matched: () => '1',
  busy: () => '1',
  imported: (f) => String(f.int(3)),
  blocked: (f) => String(f.int(3)),
};

/** Redirect targets the module may answer with: its own pages under the admin base path. */
const MODULE_PAGE = new RegExp(`^${BASE}/amazon/stores(/|\\?|$)`);

describeEachDatabase('fuzzing the admin pages and forms', (db) => {
  let h: AdminHarness;
  let stores: AmazonStore[];
  /** Amazon order ids by store id. */
  const orderIds = new Map<string, string[]>();

  const order = (i: number, storeIndex: number): Order => {
    const sku = i % 4 === 0 ? `UNKNOWN-SKU-${i % 3}` : 'MUG-RED';
    const unitPrice = `${10 + i}.${String((i * 37) % 100).padStart(2, '0')}`;
    const item = amazonItem({ sku, qty: 1 + (i % 3), unitPrice, orderItemId: String(20000 + i) });
    return amazonOrder({
      orderId: `113-${String(storeIndex).padStart(7, '0')}-${String(i).padStart(7, '0')}`,
      createdTime: `2026-11-${String((i % 25) + 1).padStart(2, '0')}T10:00:00Z`,
      lastUpdatedTime: `2026-11-${String((i % 25) + 1).padStart(2, '0')}T11:00:00Z`,
      buyer: { buyerName: BUYERS[i % BUYERS.length] },
      proceeds: { grandTotal: { amount: item.proceeds!.proceedsTotal!.amount, currencyCode: 'USD' } },
      fulfillment: { fulfillmentStatus: STATUSES[i % STATUSES.length], fulfilledBy: 'MERCHANT', fulfillmentServiceLevel: 'Standard' },
      orderItems: [item],
    });
  };

  before(async function () {
    this.timeout(60_000);
    h = await createAdminHarness(db().knex);
    h.catalog.add('MUG-RED');
    h.catalog.add('TEE-BLK-M');
    const add = (name: string, sellerId: string) =>
      h.stores.add({ name, region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId, clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
    stores = [await add('US <b>Store</b>', 'A2SELLER0001'), await add("O'Hara Store", 'A2SELLER0002')];
    for (const [s, store] of stores.entries()) {
      orderIds.set(String(store.id), []);
      for (let i = 0; i < 16; i++) {
        const doc = order(i, s);
        await putOrder(h, db().knex, store.id, doc);
        orderIds.get(String(store.id))!.push(doc.orderId);
      }
      await h.container.get(OrderImporter).processStore(store, await h.stores.settings(store.id));
    }
  });

  /** Route parameters: mostly a store and one of its orders, sometimes anything. */
  function orderParams(f: Fuzz, path: string): Record<string, string> {
    const storeId = f.chance(0.9) ? String(f.pick(stores).id) : f.text();
    if (!path.includes(':amazonOrderId')) return { storeId };
    const ids = orderIds.get(storeId) ?? [...orderIds.values()].flat();
    return { storeId, amazonOrderId: f.chance(0.85) ? f.pick(ids) : f.text() };
  }

  function query(f: Fuzz): URLSearchParams {
    const params = new URLSearchParams();
    const keys = Object.keys(QUERY_VALUES);
    for (let n = f.int(7); n > 0; n--) {
      const key = f.chance(0.9) ? f.pick(keys) : f.text();
      params.append(key, f.chance(0.6) && Object.hasOwn(QUERY_VALUES, key) ? QUERY_VALUES[key](f) : f.text());
    }
    return params;
  }

  function request(route: AdminRouteContribution, parts: { params: Record<string, string>; query?: URLSearchParams; form?: URLSearchParams; rights?: string[] }): AdminRequest {
    return { ...adminContext(parts.rights ?? ALL_RIGHTS), method: route.method, params: parts.params, query: parts.query ?? new URLSearchParams(), form: parts.form ?? new URLSearchParams() };
  }

  /** The checks every answer passes; returns the answer's status (a redirect counts as 303). */
  async function checkAnswer(what: string, answer: () => Promise<AdminResponse>): Promise<{ status: number; response: AdminResponse }> {
    let response: AdminResponse;
    try {
      response = await answer();
    } catch (error) {
      throw new Error(`${what} threw (the host would answer 500): ${(error as Error).stack}`);
    }
    if (response.kind === 'page') {
      const status = response.status ?? 200;
      expect(status, `${what}: status`).to.be.below(500);
      expectNoLeaks(response.html, what);
      expectNoLeaks(response.title, `${what} title`);
      // The input's markup never reaches the page as markup.
      expect(response.html, `${what}: unescaped input`).not.to.match(/<img src=x|<script|onerror=alert/);
      return { status, response };
    }
    if (response.kind === 'redirect') {
      expect(response.location, `${what}: redirect`).to.match(MODULE_PAGE);
      return { status: 303, response };
    }
    const csv = await readDownload(response);
    expectNoLeaks(csv, what);
    // Spreadsheet formulas from buyer names are neutralized: no cell starts with one.
    expect(csv, `${what}: formula in a cell`).not.to.match(/(^|,|\n)"?[=+@]/);
    return { status: 200, response };
  }

  it(`answers ${GET_CASES} fuzzed page requests without an error or a write`, async function () {
    this.timeout(300_000);
    const gets = h.routes.filter((r) => r.method === 'GET');
    const writes = countWrites(db().knex);
    const statuses = new Map<number, number>();
    try {
      await forEachCase(GET_CASES, FUZZ_SEED, async (f, n) => {
        const route = f.pick(gets);
        const params = route.path.includes(':storeId') ? orderParams(f, route.path) : {};
        const rights = f.chance(0.1) ? f.some(ALL_RIGHTS) : ALL_RIGHTS;
        const { status } = await checkAnswer(`GET ${route.path} case ${n}`, () => route.handle(request(route, { params, query: query(f), rights })));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(writes.writes, `GET ${route.path} case ${n} wrote`).to.deep.equal([]);
      });
    } finally {
      writes.stop();
    }
    // The fuzz reached the pages themselves, and their refusals, not only one of them.
    expect(statuses.get(200) ?? 0, 'pages shown').to.be.above(GET_CASES / 3);
    expect(statuses.get(404) ?? 0, 'unknown stores and orders').to.be.above(10);
    expect(statuses.get(403) ?? 0, 'missing rights').to.be.above(10);
  });

  it(`answers ${POST_CASES} fuzzed form posts; every refusal leaves the database as it was`, async function () {
    this.timeout(300_000);
    const posts = h.routes.filter((r) => r.method === 'POST');
    const outcomes = { refused: 0, done: 0 };
    // Some entries that Send again can take: a few cancels have been made by the fuzz before long.
    await forEachCase(POST_CASES, FUZZ_SEED + 1, async (f, n) => {
      if (n % 25 === 0) await db().knex('amazon_outbox').where({ state: 'pending' }).update({ state: 'failed', last_error: 'Amazon said no' });
      const route = f.pick(posts);
      const params = orderParams(f, route.path);
      if (route.path.includes(':entryId')) {
        const entries: Array<{ id: number; store_id: number; amazon_order_id: string }> = await db().knex('amazon_outbox').select('id', 'store_id', 'amazon_order_id');
        const entry = f.chance(0.7) && entries.length > 0 ? f.pick(entries) : null;
        if (entry) Object.assign(params, { storeId: String(entry.store_id), amazonOrderId: entry.amazon_order_id, entryId: String(entry.id) });
        else params.entryId = f.chance(0.5) && entries.length > 0 ? String(f.pick(entries).id) : f.text();
      }
      const form = new URLSearchParams();
      if (f.chance(0.95)) form.set('csrf_token', f.chance(0.95) ? CSRF : f.text());
      form.set('reason', f.chance(0.7) ? f.pick(CANCEL_REASON_CHOICES).code : f.text());
      form.set('seller_sku', f.chance(0.6) ? `UNKNOWN-SKU-${f.int(3)}` : f.text());
      form.set('product_sku', f.chance(0.6) ? f.pick(['MUG-RED', 'TEE-BLK-M']) : f.text());
      for (let extra = f.int(3); extra > 0; extra--) form.append(f.text(), f.text());
      const rights = f.chance(0.1) ? [Acl.ordersView] : ALL_RIGHTS;

      const before = await databaseFingerprint(db().knex);
      const hostOrdersBefore = h.hostOrders.orders.size;
      const { status, response } = await checkAnswer(`POST ${route.path} case ${n}`, () => route.handle(request(route, { params, form, rights })));
      const location = response.kind === 'redirect' ? new URL(response.location, 'http://host.test').searchParams : null;
      const refused =
        status >= 400 ||
        ['reason', 'refused', 'nothing'].includes(location?.get('cancel') ?? '') ||
        location?.get('outbox') === 'not-failed' ||
        ['skipped', 'busy'].includes(location?.get('retry') ?? '');
      if (refused) {
        outcomes.refused++;
        expect(await databaseFingerprint(db().knex), `POST ${route.path} case ${n} was refused (${status}) but changed data`).to.deep.equal(before);
        expect(h.hostOrders.orders.size, `POST ${route.path} case ${n}: host order made`).to.equal(hostOrdersBefore);
      } else outcomes.done++;
    });
    expect(outcomes.refused, 'refusals').to.be.above(POST_CASES / 4);
    expect(outcomes.done, 'accepted posts').to.be.above(10);

    // What was accepted kept the books straight: one host order per imported Amazon order.
    const imported: Array<{ host_order_id: string }> = await db().knex('amazon_order').whereNotNull('host_order_id').select('host_order_id');
    expect(new Set(imported.map((r) => r.host_order_id)).size).to.equal(imported.length);
    expect(h.hostOrders.orders.size).to.equal(imported.length);
  });

  it(`answers ${SETTINGS_CASES} fuzzed Order Settings saves; a refused one saves nothing and shows the form again`, async function () {
    this.timeout(300_000);
    const section = h.settings;
    const html = await section.render(adminContext(), String(stores[0].id));
    // The form's own fields and choices, as the admin's browser would send them.
    const fields = new Map<string, string[]>();
    for (const select of html.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      fields.set(select[1], [...select[2].matchAll(/<option value="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')));
    }
    expect(fields.size, 'fields found in the form').to.be.above(5);
    const outcomes = { refused: 0, saved: 0 };
    await forEachCase(SETTINGS_CASES, FUZZ_SEED + 2, async (f, n) => {
      const scope = f.chance(0.9) ? String(f.pick(stores).id) : f.text();
      const form = new URLSearchParams();
      for (const [name, choices] of fields) if (f.chance(0.85)) form.set(name, f.chance(0.8) ? f.pick(choices) : f.text());
      if (f.chance(0.2)) form.append(f.text(), f.text());
      const context = adminContext(f.chance(0.1) ? [Acl.ordersView] : ALL_RIGHTS);

      const before = await databaseFingerprint(db().knex);
      let result: Awaited<ReturnType<typeof section.save>>;
      try {
        result = await section.save(context, scope, form);
      } catch (error) {
        throw new Error(`save case ${n} threw: ${(error as Error).stack}`);
      }
      if (!result.ok) {
        outcomes.refused++;
        expect(await databaseFingerprint(db().knex), `save case ${n} was refused but changed data`).to.deep.equal(before);
        expect(result.errors.length).to.be.above(0);
        for (const error of result.errors) {
          expectNoLeaks(error.message, `save case ${n} error`);
          expect(error.message.length, `save case ${n}: a bounded message`).to.be.below(400);
        }
        // The host shows the form again with the errors and the admin's choices.
        await checkAnswer(`render after save case ${n}`, async () => ({ kind: 'page', title: 'Order Settings', html: await section.render(context, scope, result.errors, form) }));
      } else {
        outcomes.saved++;
        for (const [name, value] of form) {
          if (fields.has(name)) expect(fields.get(name), `save case ${n} accepted ${name}="${value.slice(0, 40)}"`).to.include(value.trim());
        }
      }
    });
    expect(outcomes.refused, 'refused saves').to.be.above(20);
    expect(outcomes.saved, 'saved').to.be.above(5);
  });

  it('renders every dashboard widget and section for every right set, without a write', async () => {
    const writes = countWrites(db().knex);
    try {
      await forEachCase(40, FUZZ_SEED + 3, async (f, n) => {
        const context = adminContext(f.some(ALL_RIGHTS));
        for (const widget of h.widgets) {
          await checkAnswer(`widget ${widget.id} case ${n}`, async () => ({ kind: 'page', title: widget.id, html: (await widget.render(context)) ?? '' }));
        }
        await checkAnswer(`settings render case ${n}`, async () => ({ kind: 'page', title: 'settings', html: await h.settings.render(context, f.chance(0.5) ? String(stores[1].id) : f.text()) }));
      });
      expect(writes.writes).to.deep.equal([]);
    } finally {
      writes.stop();
    }
  });
});
