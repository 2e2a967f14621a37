/**
 * The Orders workflow through the admin, with the fixture module's guard, after-hook and event
 * observers: a veto changes nothing; a success commits, then runs after-hooks, then publishes.
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { AdminClient } from '../support/admin-client.ts';
import { FIXTURE_MODULE, startTestAdmin, type AdminTestHost } from '../support/host.ts';
import { line as orderLine, orderRequest } from '../support/orders.ts';
import { FIXTURE_STATE, type FixtureState } from '../fixtures/fixture-module/index.ts';

describeEachDatabase('order workflow', (db) => {
  let t: AdminTestHost;
  let state: FixtureState;
  let admin: AdminClient;
  let seq = 0;

  async function order(qty: number, options: { stock?: number; unitPrice?: string; taxAmount?: string } = {}) {
    const sku = `WF-${++seq}`;
    const product = await t.host.services.catalog.create({ sku, name: sku, qty: options.stock ?? 10, enabled: true, manageStock: true });
    if (!product.ok) throw new Error('product');
    const created = await t.host.services.orders.create(
      orderRequest([orderLine(product.id, sku, qty, options.unitPrice ?? '10.00', options.taxAmount ?? '0')], { shippingAmount: '5.00', shippingTaxAmount: '0.50' }),
    );
    if (!created.ok) throw new Error(JSON.stringify(created.rejection));
    const item = await db().knex('host_order_item').where({ order_id: Number(created.order.id) }).first();
    return { id: created.order.id, number: created.order.number, sku, itemId: Number(item.id) };
  }
  const item = (itemId: number) => db().knex('host_order_item').where({ id: itemId }).first();
  const stockOf = async (sku: string) => Number((await db().knex('host_product').where({ sku }).first()).qty);
  const stateOf = async (id: string) => (await t.host.services.orders.get(id))!.state;
  /** Events other than order.created (which every order() publishes). */
  const actionEvents = () => state.events.filter((e) => e.event !== 'order.created');
  const count = async (table: string, where: Record<string, unknown>) => Number((await db().knex(table).where(where).count({ c: '*' }))[0]!.c);

  function reset() {
    Object.assign(state, {
      veto: null, guardThrows: false, transactionVeto: null, transactionThrows: false, afterThrows: false,
      guardCalls: [], transactionCalls: [], afterCalls: [], events: [],
    });
  }
  const line = (o: { itemId: number; sku: string }, qty: number) => ({ lineId: String(o.itemId), externalReference: null, sku: o.sku, qty });
  const notes = async () => (await db().knex('fixture_note').orderBy('id')).map((n: { text: string }) => n.text);

  before(async () => {
    t = await startTestAdmin(db(), { modules: [{ directory: FIXTURE_MODULE }] });
    state = t.host.container.get<FixtureState>(FIXTURE_STATE);
    admin = new AdminClient(t.url);
    await admin.login('admin', 'admin-password');
  });
  beforeEach(reset);
  after(async () => t?.close());

  it('lists orders and shows an order with items, totals and history', async () => {
    const o = await order(2);
    const list = await admin.get('/admin/orders');
    expect(list.text).to.contain(`<a href="/admin/orders/${o.id}">${o.number}</a>`);
    const view = await admin.get(`/admin/orders/${o.id}`);
    expect(view.status).to.equal(200);
    expect(view.text).to.contain(o.sku);
    expect(view.text).to.contain('30.49');
    expect(view.text).to.contain('1 Main St');
    expect(view.text).to.contain('Order created from amazon order');
    expect(view.text).to.contain(`href="/admin/orders/${o.id}/ship"`);
    expect((await admin.get('/admin/orders/99999')).status).to.equal(404);
  });

  it('ship: a veto shows the reason and changes nothing; then the shipment commits, after-hooks run, the event is published', async () => {
    const o = await order(2);
    state.veto = { reason: 'Amazon says this order is canceled', actions: ['ship'] };
    const vetoed = await admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, {
      [`qty_${o.itemId}`]: '1', carrier_code: 'ups', carrier_title: '', tracking_number: '1Z999',
    });
    expect(vetoed.status).to.equal(409);
    expect(vetoed.text).to.contain('Amazon says this order is canceled');
    expect(vetoed.text).to.contain('value="1Z999"');
    expect(state.guardCalls).to.have.length(1);
    expect(state.guardCalls[0]).to.deep.include({ orderId: o.id, action: 'ship', items: [line(o, 1)] });
    expect(state.guardCalls[0]!.documentId).to.equal(undefined);
    expect(state.guardCalls[0]!.shipment).to.deep.include({ carrierCode: 'ups', carrierTitle: 'UPS', trackingNumber: '1Z999' });
    expect(state.afterCalls).to.deep.equal([]);
    expect(actionEvents()).to.deep.equal([]);
    expect((await item(o.itemId)).qty_shipped).to.equal(0);
    expect(await count('host_shipment', { order_id: Number(o.id) })).to.equal(0);

    state.veto = null;
    const shipped = await admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, {
      [`qty_${o.itemId}`]: '1', carrier_code: 'other', carrier_title: 'La Poste', tracking_number: 'LP123FR',
    });
    expect(shipped.status).to.equal(303);
    expect(shipped.location).to.equal(`/admin/orders/${o.id}`);
    expect(Number((await item(o.itemId)).qty_shipped)).to.equal(1);
    const shipment = await db().knex('host_shipment').where({ order_id: Number(o.id) }).first();
    expect([shipment.carrier_code, shipment.carrier_title, shipment.tracking_number]).to.deep.equal(['other', 'La Poste', 'LP123FR']);
    expect(state.afterCalls).to.have.length(1);
    expect(state.afterCalls[0]).to.deep.include({ orderId: o.id, action: 'ship', items: [line(o, 1)], documentId: String(shipment.id) });
    expect(state.transactionCalls.map((c) => c.documentId)).to.deep.equal([String(shipment.id)]);
    expect(actionEvents().map((e) => e.event)).to.deep.equal(['order.shipped']);
    expect(actionEvents()[0]!.payload).to.deep.include({ orderId: o.id, number: o.number, origin: 'admin' });
    expect(await stateOf(o.id)).to.equal('processing');
    const view = await admin.get(`/admin/orders/${o.id}`);
    expect(view.text).to.contain('Shipment created.');
    expect(view.text).to.contain('LP123FR');
  });

  it('ship: refuses more than is left to ship without asking the guards', async () => {
    const o = await order(1);
    const page = await admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, {
      [`qty_${o.itemId}`]: '2', carrier_code: 'ups', tracking_number: '1Z',
    });
    expect(page.status).to.equal(422);
    expect(page.text).to.contain(`Only 1 of ${o.sku} can be shipped, not 2`);
    const noTracking = await admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, {
      [`qty_${o.itemId}`]: '1', carrier_code: 'ups', tracking_number: ' ',
    });
    expect(noTracking.text).to.contain('Enter the tracking number');
    expect(state.guardCalls).to.deep.equal([]);
  });

  it('a failing after-hook is logged and the committed change stays; a failing guard blocks', async () => {
    const o = await order(1);
    state.guardThrows = true;
    const blocked = await admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, {
      [`qty_${o.itemId}`]: '1', carrier_code: 'fedex', tracking_number: 'FX1',
    });
    expect(blocked.status).to.equal(409);
    expect(blocked.text).to.contain('The check &quot;fixture.guard&quot; failed');
    expect(Number((await item(o.itemId)).qty_shipped)).to.equal(0);
    state.guardThrows = false;
    state.afterThrows = true;
    const shipped = await admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, {
      [`qty_${o.itemId}`]: '1', carrier_code: 'fedex', tracking_number: 'FX1',
    });
    expect(shipped.status).to.equal(303);
    expect(Number((await item(o.itemId)).qty_shipped)).to.equal(1);
    expect(await stateOf(o.id)).to.equal('complete');
    expect(t.log.entries.some((e) => e.message.startsWith('Order after-hook failed') && e.hook === 'fixture.after')).to.equal(true);
    expect(state.events.map((e) => e.event)).to.include('order.shipped');
  });

  it('cancel: a veto changes nothing; a cancel returns unshipped stock, runs the after-hook, publishes order.canceled', async () => {
    const o = await order(3, { stock: 5 });
    expect(await stockOf(o.sku)).to.equal(2);
    await admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, { [`qty_${o.itemId}`]: '1', carrier_code: 'usps', tracking_number: '9400' });
    reset();
    state.veto = { reason: 'Partially shipped orders must be canceled in Seller Central', actions: ['cancel'] };
    const vetoed = await admin.submit(`/admin/orders/${o.id}/cancel`, `/admin/orders/${o.id}/cancel`, { reason: 'customer_request' });
    expect(vetoed.status).to.equal(409);
    expect(vetoed.text).to.contain('Partially shipped orders must be canceled in Seller Central');
    expect(await stockOf(o.sku)).to.equal(2);
    expect(Number((await item(o.itemId)).qty_canceled)).to.equal(0);
    expect(state.afterCalls).to.deep.equal([]);

    state.veto = null;
    const noReason = await admin.submit(`/admin/orders/${o.id}/cancel`, `/admin/orders/${o.id}/cancel`, { reason: '' });
    expect(noReason.status).to.equal(422);
    const canceled = await admin.submit(`/admin/orders/${o.id}/cancel`, `/admin/orders/${o.id}/cancel`, { reason: 'out_of_stock' });
    expect(canceled.status).to.equal(303);
    expect(Number((await item(o.itemId)).qty_canceled)).to.equal(2);
    expect(await stockOf(o.sku)).to.equal(4);
    expect(await stateOf(o.id)).to.equal('complete');
    expect(state.afterCalls[0]).to.deep.include({ action: 'cancel', reason: 'out_of_stock', items: [line(o, 2)] });
    expect(state.events.map((e) => e.event)).to.deep.equal(['order.canceled']);
  });

  it('credit memo: exact refund amounts, unshipped units back to stock, closed when all is refunded', async () => {
    const o = await order(3, { stock: 3, unitPrice: '10.00', taxAmount: '3.00' });
    state.veto = { reason: 'Refunds are handled in Seller Central', actions: ['creditmemo'] };
    const vetoed = await admin.submit(`/admin/orders/${o.id}/creditmemo`, `/admin/orders/${o.id}/creditmemo`, {
      [`qty_${o.itemId}`]: '1', refund_shipping: '1', reason: 'customer_return',
    });
    expect(vetoed.status).to.equal(409);
    expect(await count('host_creditmemo', { order_id: Number(o.id) })).to.equal(0);
    expect(state.guardCalls[0]!.refund).to.deep.equal({ currencyCode: 'USD', itemAmount: '10.00', shippingAmount: '5.00', taxAmount: '1.50', shippingTaxAmount: '0.50' });
    // Units never shipped: the line says so, with its share of price and tax.
    expect(state.guardCalls[0]!.items).to.deep.equal([{ ...line(o, 1), refund: { amount: '10.00', taxAmount: '1.00', unshippedQty: 1 } }]);

    state.veto = null;
    const first = await admin.submit(`/admin/orders/${o.id}/creditmemo`, `/admin/orders/${o.id}/creditmemo`, {
      [`qty_${o.itemId}`]: '1', refund_shipping: '1', reason: 'customer_return',
    });
    expect(first.status).to.equal(303);
    const memo = await db().knex('host_creditmemo').where({ order_id: Number(o.id) }).first();
    expect([memo.item_amount, memo.shipping_amount, memo.tax_amount, memo.grand_total]).to.deep.equal(['10.00', '5.00', '1.50', '16.50']);
    expect(await stockOf(o.sku)).to.equal(1);
    expect(state.afterCalls[0]).to.deep.include({ action: 'creditmemo', reason: 'customer_return' });
    expect(actionEvents().map((e) => e.event)).to.deep.equal(['order.refunded']);
    expect(actionEvents()[0]!.payload.refund).to.deep.equal({ currencyCode: 'USD', itemAmount: '10.00', shippingAmount: '5.00', taxAmount: '1.50', shippingTaxAmount: '0.50' });
    expect(state.afterCalls[0]!.documentId).to.equal(String(memo.id));

    const again = await admin.submit(`/admin/orders/${o.id}/creditmemo`, `/admin/orders/${o.id}/creditmemo`, {
      [`qty_${o.itemId}`]: '0', refund_shipping: '1', reason: 'other',
    });
    expect(again.status).to.equal(422);
    expect(again.text).to.contain('Shipping was refunded already');
    const nothing = await admin.submit(`/admin/orders/${o.id}/creditmemo`, `/admin/orders/${o.id}/creditmemo`, {
      [`qty_${o.itemId}`]: '0', reason: 'other',
    });
    expect(nothing.text).to.contain('Choose at least one item or the shipping to refund');
    const rest = await admin.submit(`/admin/orders/${o.id}/creditmemo`, `/admin/orders/${o.id}/creditmemo`, {
      [`qty_${o.itemId}`]: '2', reason: 'damaged',
    });
    expect(rest.status).to.equal(303);
    const memos = await db().knex('host_creditmemo').where({ order_id: Number(o.id) }).orderBy('id');
    expect([memos[1].item_amount, memos[1].tax_amount, memos[1].grand_total]).to.deep.equal(['20.00', '2.00', '22.00']);
    expect(await stockOf(o.sku)).to.equal(3);
    expect(await stateOf(o.id)).to.equal('closed');
    expect((await t.host.services.orders.get(o.id))!.items[0]).to.deep.include({ qtyRefunded: 3, qtyShipped: 0 });
  });

  it('a transaction hook writes with the change: its veto or its failure rolls both back', async () => {
    const o = await order(2);
    const before = await notes();
    const ship = () =>
      admin.submit(`/admin/orders/${o.id}/ship`, `/admin/orders/${o.id}/ship`, { [`qty_${o.itemId}`]: '1', carrier_code: 'ups', tracking_number: '1Z1' });

    state.transactionVeto = { reason: 'Amazon canceled this order meanwhile', actions: ['ship'] };
    const vetoed = await ship();
    expect(vetoed.status).to.equal(409);
    expect(vetoed.text).to.contain('Amazon canceled this order meanwhile');
    expect(state.transactionCalls).to.have.length(1);
    expect(await count('host_shipment', { order_id: Number(o.id) })).to.equal(0);
    expect(Number((await item(o.itemId)).qty_shipped)).to.equal(0);
    expect(await notes()).to.deep.equal(before);
    expect(state.afterCalls).to.deep.equal([]);
    expect(actionEvents()).to.deep.equal([]);

    state.transactionVeto = null;
    state.transactionThrows = true;
    const failed = await ship();
    expect(failed.status).to.equal(409);
    expect(failed.text).to.contain('The check &quot;fixture.outbox&quot; failed');
    expect(await count('host_shipment', { order_id: Number(o.id) })).to.equal(0);
    expect(await notes()).to.deep.equal(before);
    expect(t.log.entries.some((e) => e.message.startsWith('Order transaction hook failed') && e.hook === 'fixture.outbox')).to.equal(true);

    state.transactionThrows = false;
    expect((await ship()).status).to.equal(303);
    expect(await count('host_shipment', { order_id: Number(o.id) })).to.equal(1);
    expect(await notes()).to.deep.equal([...before, `ship ${o.id}`]);
    expect(actionEvents().map((e) => e.event)).to.deep.equal(['order.shipped']);
  });

  it('an order action POST without the CSRF token is 403 and asks no one', async () => {
    const o = await order(1);
    const page = await admin.post(`/admin/orders/${o.id}/cancel`, { reason: 'out_of_stock' });
    expect(page.status).to.equal(403);
    expect(await stateOf(o.id)).to.equal('processing');
    expect(state.guardCalls).to.deep.equal([]);
  });

  it('port changes publish events with origin "port" and run no hooks', async () => {
    const o = await order(1);
    expect(state.events.map((e) => [e.event, e.payload.origin])).to.deep.equal([['order.created', 'port']]);
    await t.host.services.orders.cancel(o.id, 'Canceled on Amazon');
    expect(state.events.map((e) => e.event)).to.deep.equal(['order.created', 'order.canceled']);
    expect(state.guardCalls).to.deep.equal([]);
    expect(state.transactionCalls).to.deep.equal([]);
    expect(state.afterCalls).to.deep.equal([]);
  });

  it('shows the charges besides lines and shipping in the totals', async () => {
    const product = await t.host.services.catalog.create({ sku: `WF-${++seq}`, name: 'Mug', qty: 5, enabled: true, manageStock: true });
    if (!product.ok) throw new Error('product');
    const created = await t.host.services.orders.create(
      orderRequest([orderLine(product.id, `WF-${seq}`, 1, '10.00', '0.80')], {
        shippingAmount: '0', shippingTaxAmount: '0',
        charges: [{ kind: 'gift_wrap', label: 'Gift wrap <paper>', amount: '3.99', taxAmount: '0.20', discountAmount: '0' }],
        grandTotal: '14.99',
      }),
    );
    if (!created.ok) throw new Error(JSON.stringify(created.rejection));
    const view = await admin.get(`/admin/orders/${created.order.id}`);
    expect(view.text).to.contain('<tr><th scope="row">Gift wrap &lt;paper&gt;</th><td class="num">3.99</td></tr>');
    expect(view.text).to.contain('<tr><th scope="row">Tax</th><td class="num">1.00</td></tr>');
  });
});
