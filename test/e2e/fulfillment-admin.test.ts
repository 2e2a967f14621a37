/**
 * Fulfillment in the admin, through the reference host's HTTP admin (sessions, ACL, CSRF) with the
 * Amazon sandbox behind: the Amazon order page's Fulfillment section, Cancel order, Send again,
 * the host dashboard's "Amazon orders to ship" and the All Orders ship-by filter.
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, type E2E } from '../support/e2e.ts';
import { fulfil, type Fulfil } from '../support/fulfillment.ts';
import { AdminClient } from '../support/admin-client.ts';
import { adminContext, hrefs } from '../support/admin-harness.ts';
import { Contributions } from '../../src/host/tokens.ts';
import type { AdminRouteContribution } from '../../src/host/contributions.ts';
import { Acl } from '../../src/admin/acl.ts';

const SETTLE = 3 * MINUTE;
const DAY = 24 * 60 * MINUTE;

describeEachDatabase('fulfillment in the admin', (db) => {
  let e: E2E;
  let f: Fulfil;
  let admin: AdminClient;
  let close: () => Promise<void>;

  eachTestE2E(db, async (started) => {
    e = started;
    f = fulfil(started);
    // Users outlive each test's order data: created once per database.
    const created = await e.host.services.users.create('admin', 'admin-password', 'admin');
    if (!created.ok && !created.message.includes('already exists')) throw new Error(created.message);
    const running = await e.host.startAdmin({ port: 0 });
    close = () => running.close();
    admin = new AdminClient(running.url);
    await admin.login('admin', 'admin-password');
  });
  afterEach(async () => close?.());

  const orderPath = (id: string) => `/admin/amazon/stores/${e.store.id}/orders/${id}`;

  async function imported(items: Array<{ sku: string; qty: number }>, buyerName?: string): Promise<string> {
    for (const sku of new Set(items.map((i) => i.sku))) {
      if (!(await e.host.services.catalog.findBySku(sku))) await e.product(sku, 50);
    }
    const id = e.place({ items, status: 'UNSHIPPED', ...(buyerName ? { buyerName } : {}) });
    e.advance(SETTLE);
    await e.sync();
    return id;
  }

  /** The page's Fulfillment to Amazon section. */
  const fulfillmentSection = (html: string) => /<section class="asc-panel" aria-labelledby="asc-fulfillment-heading">([\s\S]*?)<\/section>/.exec(html)![1]!;

  it('lists what was sent to Amazon for the order, with its state as it moves', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 2 }]);
    expect(fulfillmentSection((await admin.get(orderPath(id))).text)).to.include('Nothing was sent to Amazon for this order');
    await f.ship(id, { tracking: '1Z<b>42' });
    const pending = fulfillmentSection((await admin.get(orderPath(id))).text);
    expect(pending).to.include('<strong>Shipment</strong> 2 units with UPS, tracking 1Z&lt;b&gt;42');
    expect(pending).to.include('Waiting to be sent');
    await f.send();
    const done = fulfillmentSection((await admin.get(orderPath(id))).text);
    expect(done).to.include('Accepted by Amazon').and.not.include('Waiting to be sent');
    // Shipped: no cancel, and the page says why.
    expect(done).not.to.include('Cancel order</button>');
    expect(done).to.include('Cancel order: A shipment of order');
  });

  it('cancels an Unshipped order from the Amazon order page, host order included; a reason is required', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    const page = await admin.get(orderPath(id));
    expect(page.text).to.include('Cancel order</button>');
    expect(page.text).to.include(`and host order #${(await e.stored(id)).hostOrderNumber}`);

    const noReason = await admin.submit(orderPath(id), `${orderPath(id)}/cancel`, { reason: '' });
    expect(noReason.status).to.equal(303);
    expect(noReason.location).to.equal(`${orderPath(id)}?cancel=reason`);
    expect((await admin.get(noReason.location!)).text).to.include('Choose a reason to cancel the order; nothing was changed.');
    expect(await f.entries()).to.have.length(0);

    // Without the form's token the host refuses before the module is asked.
    expect((await admin.post(`${orderPath(id)}/cancel`, { reason: 'out_of_stock' })).status).to.equal(403);
    expect(await f.entries()).to.have.length(0);

    const canceled = await admin.submit(orderPath(id), `${orderPath(id)}/cancel`, { reason: 'customer_request' });
    expect(canceled.location).to.equal(`${orderPath(id)}?cancel=with-host`);
    expect((await e.hostOrder(id))?.state).to.equal('canceled');
    const [entry] = await f.entries();
    expect(entry).to.deep.include({ kind: 'cancel', state: 'pending' });
    expect(entry!.record).to.deep.include({ reason: 'customer_request', cancelReason: 'BuyerCanceled' });
    const after = (await admin.get(canceled.location!)).text;
    expect(after).to.include('Cancel recorded and the host order canceled');
    expect(fulfillmentSection(after)).to.include('<strong>Cancel</strong> reason customer_request (Amazon: BuyerCanceled)').and.not.include('Cancel order</button>');
    // The host's own cancel event did not record a second cancel.
    expect(await f.entries()).to.have.length(1);
    const history = (await e.orders.history((await e.stored(id)).id)).map((h) => h.message);
    expect(history.some((m) => m.startsWith('Cancel recorded on the Amazon order page by admin: reason customer_request'))).to.equal(true);

    await f.send();
    e.advance(MINUTE);
    await f.send();
    expect(e.amazon.getOrder(id)!.status).to.equal('CANCELLED');
  });

  it('cancels an order of a view-only store (import disabled), which then never imports', async () => {
    await e.stores.updateSettings(e.store.id, { importEnabled: false });
    await e.product('MUG-RED', 5);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(SETTLE);
    await e.sync();
    const canceled = await admin.submit(orderPath(id), `${orderPath(id)}/cancel`, { reason: 'out_of_stock' });
    expect(canceled.location).to.equal(`${orderPath(id)}?cancel=recorded`);
    expect(await e.stored(id)).to.include({ status: 'Canceled', importState: 'not_eligible' });
    await e.stores.updateSettings(e.store.id, { importEnabled: true });
    e.advance(SETTLE);
    await e.sync();
    expect(await e.hostOrder(id)).to.equal(null);
    expect((await f.entries())[0]).to.include({ kind: 'cancel' });
  });

  it('refuses to cancel what Amazon cannot cancel, saying why, and records nothing', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 2 }]);
    await f.ship(id, { items: 'MUG-RED:1' });
    await f.send();
    e.advance(SETTLE);
    await e.sync();
    const page = (await admin.get(orderPath(id))).text;
    expect(page).not.to.include('Cancel order</button>');
    expect(page).to.include(`Cancel order: Amazon cannot cancel order ${id}: part of it has shipped.`);
    const refused = await admin.submit(orderPath(id), `${orderPath(id)}/cancel`, { reason: 'other' });
    expect(refused.location).to.equal(`${orderPath(id)}?cancel=refused`);
    expect((await admin.get(refused.location!)).text).to.include('The order was not canceled (the reason is below).');
    expect((await f.entries()).map((x) => x.kind)).to.deep.equal(['shipment']);
  });

  it('shows Cancel order and Send again only to admins who may manage orders', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    e.amazon.cancelOrder(id, { by: 'BUYER' });
    await f.ship(id);
    await f.send(); // refused: Amazon canceled it
    const route = e.host.container.getAll<AdminRouteContribution>(Contributions.AdminRoute).find((r) => r.id === 'amazon_order_details')!;
    const view = async (rights: string[]) => {
      const response = await route.handle({
        ...adminContext(rights), basePath: '/admin', method: 'GET', params: { storeId: String(e.store.id), amazonOrderId: id }, query: new URLSearchParams(), form: new URLSearchParams(),
      });
      if (response.kind !== 'page') throw new Error(response.kind);
      return response.html;
    };
    const manager = await view([Acl.ordersView, Acl.ordersManage]);
    expect(manager).to.include('Send again</button>');
    const viewer = await view([Acl.ordersView]);
    expect(viewer).to.include('Refused by Amazon').and.not.include('Send again</button>');
  });

  it('sends a refused entry again from the order page', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    e.amazon.addFault({ operation: 'confirmShipment', kind: 'reset', count: 20 });
    // Cut off long enough for the client to give up; the entry waits, then is made to fail for the test.
    await f.ship(id);
    await f.send();
    const [entry] = await f.entries();
    await db().knex('amazon_outbox').where({ id: entry!.id }).update({ state: 'failed', last_error: 'refused for the test' });
    e.amazon.clearFaults();
    const page = (await admin.get(orderPath(id))).text;
    const retryHref = hrefs(page).find((h) => h.endsWith('/retry') && h.includes('/outbox/')) ?? `${orderPath(id)}/outbox/${entry!.id}/retry`;
    expect(page).to.include(`action="${orderPath(id)}/outbox/${entry!.id}/retry"`);
    const retried = await admin.submit(orderPath(id), retryHref, {});
    expect(retried.location).to.equal(`${orderPath(id)}?outbox=retried`);
    expect((await f.entries())[0]).to.include({ state: 'pending' });
    expect((await admin.post(`${orderPath(id)}/outbox/toString/retry`, {})).status).to.equal(403); // no token: refused before the module
    expect(await f.send()).to.include({ done: 1 });
    expect(e.amazon.getOrder(id)!.packages).to.have.length(1);
  });

  it('lists the Amazon orders to ship on the host dashboard, soonest first, due ones marked, escaped', async () => {
    const first = await imported([{ sku: 'MUG-RED', qty: 2 }, { sku: 'TEE-BLK', qty: 1 }], '<img src=x onerror=alert(1)>');
    e.advance(DAY + MINUTE); // the first order's ship-by (2 days after purchase) is now under 24 h away
    const second = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    await admin.login('admin', 'admin-password'); // the session lasts 8 hours of the shared clock
    const dashboard = (await admin.get('/admin')).text;
    expect(dashboard).to.include('Amazon orders to ship');
    const rows = [...dashboard.matchAll(/<tr data-order-number="([^"]+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).to.deep.equal([first, second]);
    expect(rows[0]![2]).to.include('Due within 24 h').and.include('2 x MUG-RED, 1 x TEE-BLK').and.include('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(rows[1]![2]).not.to.include('Due within 24 h').and.not.include('Overdue');
    expect(dashboard).not.to.include('<img src=x');
    expect(hrefs(dashboard)).to.include(`/admin/amazon/stores/${e.store.id}/orders/${first}`);
    expect(hrefs(dashboard)).to.include(`/admin/amazon/stores/${e.store.id}/orders?attention=ship-by`);

    e.advance(DAY);
    await admin.login('admin', 'admin-password');
    const later = (await admin.get('/admin')).text;
    expect(later).to.match(new RegExp(`data-order-number="${first}">[\\s\\S]*?Overdue`));
    // All Orders' ship-by filter: exactly the ones due within 24 h or overdue.
    const grid = (await admin.get(`/admin/amazon/stores/${e.store.id}/orders?attention=ship-by`)).text;
    const listed = [...grid.matchAll(/<tr data-order-number="([^"]+)"/g)].map((m) => m[1]);
    expect(listed).to.have.members([first, second]);

    // Shipped orders leave the list.
    await f.ship(first);
    const shipped = (await admin.get('/admin')).text;
    expect([...shipped.matchAll(/<tr data-order-number="([^"]+)">/g)].map((r) => r[1])).to.deep.equal([second]);
  });

  it('shows at most ten orders to ship and a link to each store\'s full list', async () => {
    await e.product('MUG-RED', 100);
    for (let i = 0; i < 12; i += 1) e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(SETTLE);
    await e.sync();
    const dashboard = (await admin.get('/admin')).text;
    expect([...dashboard.matchAll(/<tr data-order-number=/g)]).to.have.length(10);
    expect(dashboard).to.include(`12 orders to ship in ${e.store.name}`);
    const all = hrefs(dashboard).find((h) => h.includes('status=Unshipped'))!;
    const grid = (await admin.get(all.replace(/^.*?\/admin/, '/admin'))).text;
    expect([...grid.matchAll(/<tr data-order-number=/g)]).to.have.length(12);
  });
});
