/**
 * Order import end to end: the Amazon sandbox, the SP-API client, the sync, the importer and the
 * reference host's real ports, on both databases.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, type E2E } from '../support/e2e.ts';
import type { Order } from '../../src/amazon/models.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { importDecision } from '../../src/orders/rules.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import { toE4 } from '../../src/money.ts';

/** Past Amazon's verification delay and the two-minute rule. */
const LATER = 8 * MINUTE;

describeEachDatabase('order import end to end', (db) => {
  let e: E2E;
  eachTestE2E(db, (started) => void (e = started));

  it('shows a Pending order without importing it, then imports it once Amazon verifies it', async () => {
    await e.product('MUG-RED', 10);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 2, price: '19.99' }], buyerName: 'Jane Buyer' });
    e.advance(3 * MINUTE);
    const first = await e.sync();
    expect(first).to.include({ result: 'ok', new: 1, imported: 0 });
    expect(await e.stored(id)).to.include({ status: 'Pending', importState: 'waiting', hostOrderId: null });
    expect(await e.hostOrder(id)).to.equal(null);

    e.advance(LATER);
    const second = await e.sync();
    expect(second).to.include({ result: 'ok', updated: 1, imported: 1, blocked: 0 });
    const stored = await e.stored(id);
    expect(stored).to.include({ status: 'Unshipped', importState: 'imported' });
    const hostOrder = await e.hostOrder(id);
    expect(hostOrder).to.include({ id: stored.hostOrderId, externalReference: id, currencyCode: stored.currencyCode, grandTotal: stored.grandTotalAmount });
    const [amazonItem] = await e.orders.items(stored.id);
    expect(hostOrder?.items).to.deep.equal([
      { id: hostOrder!.items[0]!.id, externalReference: amazonItem!.orderItemId, sku: 'MUG-RED', qty: 2, qtyShipped: 0, qtyCanceled: 0, qtyRefunded: 0 },
    ]);
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(8);

    // Nothing new: a third sync changes nothing and creates nothing.
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', new: 0, imported: 0 });
    const all = await db().knex('host_order').count({ n: '*' }).first();
    expect(Number(all?.n)).to.equal(1);
  });

  it('never shows or imports orders created before the integration', async () => {
    await e.product('MUG-RED', 10);
    const old = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', createdTime: '2026-11-26T08:59:59Z' });
    const fresh = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', new: 1, imported: 1 });
    expect(await e.orders.find(e.store.id, old)).to.equal(null);
    expect(await e.hostOrder(old)).to.equal(null);
    expect(await e.hostOrder(fresh)).to.not.equal(null);
  });

  it('imports Amazon-fulfilled orders only once shipped, complete, without stock and with marked placeholders', async () => {
    await e.product('MUG-RED', 0);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '25.00' }], fulfilledBy: 'AMAZON' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 0 });
    expect(await e.stored(id)).to.include({ status: 'Unshipped', importState: 'waiting', fulfilledBy: 'AMAZON' });

    e.advance(40 * MINUTE); // Amazon ships FBA orders itself
    expect(await e.sync()).to.include({ imported: 1, blocked: 0 });
    const hostOrder = await e.hostOrder(id);
    expect(hostOrder?.state).to.equal('complete');
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(0);
    const row = await db().knex('host_order').where({ external_reference: id }).first();
    expect(JSON.stringify(row)).to.include('Withheld by Amazon');
    expect((await e.stored(id)).status).to.equal('Shipped');
  });

  it('blocks an order with an unmatched SKU, then creates it after a manual match', async () => {
    await e.product('HOST-MUG', 5);
    const id = e.place({ items: [{ sku: 'AMZ-MUG', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 0, blocked: 1 });
    expect(await e.stored(id)).to.include({
      importState: 'blocked',
      blockReason: 'sku_unmatched',
      note: 'Cannot create order: SKU "AMZ-MUG" is not in the catalog; create the product or match the listing to one',
    });
    const requestsBefore = e.amazon.requests().length;
    e.advance(LATER);
    expect(await e.sync()).to.include({ blocked: 1 });
    // The re-check reads stored data: the only Amazon call is the window's search.
    expect(e.amazon.requests().slice(requestsBefore).filter((r) => r.path.includes(id))).to.deep.equal([]);

    await e.orders.setListingMatch(e.store.id, 'AMZ-MUG', 'HOST-MUG');
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 1, blocked: 0 });
    expect((await e.hostOrder(id))?.items.map((i) => i.sku)).to.deep.equal(['HOST-MUG']);
    expect((await e.stored(id)).note).to.match(/^Imported as order #/);
  });

  it('blocks on a disabled product and on missing stock until each is fixed, retrying every sync', async () => {
    const productId = await e.product('MUG-RED', 5, { enabled: false });
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 3 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    await e.sync();
    expect(await e.stored(id)).to.include({ blockReason: 'product_disabled', note: 'Cannot create order: SKU "MUG-RED" is disabled in the catalog' });

    await e.host.services.catalog.update(productId, { sku: 'MUG-RED', name: 'Red mug', enabled: true, qty: 2, manageStock: true });
    for (let run = 0; run < 5; run += 1) {
      e.advance(LATER);
      await e.sync();
    }
    // Not capped at a few tries: still waiting for stock after many runs.
    expect(await e.stored(id)).to.include({ blockReason: 'out_of_stock', note: 'Cannot create order: SKU "MUG-RED" is out of stock (3 ordered, 2 salable)' });
    const log = await e.orders.history((await e.stored(id)).id);
    expect(log.filter((entry) => entry.kind === 'import').map((entry) => entry.message)).to.deep.equal([
      'Cannot create order: SKU "MUG-RED" is disabled in the catalog',
      'Cannot create order: SKU "MUG-RED" is out of stock (3 ordered, 2 salable)',
    ]);

    await e.host.services.catalog.update(productId, { sku: 'MUG-RED', name: 'Red mug', enabled: true, qty: 3, manageStock: true });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 1 });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(0);
  });

  it('counts what each order of a run takes: the oldest orders get the stock, the next one waits for more', async () => {
    await e.product('MUG-RED', 5);
    const first = e.place({ items: [{ sku: 'MUG-RED', qty: 2 }], status: 'UNSHIPPED' });
    e.advance(MINUTE);
    const second = e.place({ items: [{ sku: 'MUG-RED', qty: 2 }], status: 'UNSHIPPED' });
    e.advance(MINUTE);
    const third = e.place({ items: [{ sku: 'MUG-RED', qty: 2 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 2, blocked: 1 });
    expect(await e.stored(first)).to.include({ importState: 'imported' });
    expect(await e.stored(second)).to.include({ importState: 'imported' });
    expect(await e.stored(third)).to.include({ blockReason: 'out_of_stock', note: 'Cannot create order: SKU "MUG-RED" is out of stock (2 ordered, 1 salable)' });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(1);
  });

  it('keeps a host rejection as the reason and creates the order once the host accepts it', async () => {
    await e.product('MUG-RED', 5);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    const create = sinon.stub(e.host.services.orders, 'create');
    create.onFirstCall().resolves({ ok: false, rejection: { code: 'address_invalid', message: 'Street is required', field: 'shippingAddress.street' } });
    create.callThrough();
    e.advance(LATER);
    expect(await e.sync()).to.include({ blocked: 1 });
    expect(await e.stored(id)).to.include({ blockReason: 'host_rejected', note: 'Cannot create order: Street is required (shippingAddress.street)' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 1 });
  });

  it('follows Amazon: a cancel cancels the host order, a shipment outside the host completes it', async () => {
    await e.product('MUG-RED', 10);
    const canceled = e.place({ items: [{ sku: 'MUG-RED', qty: 2 }], status: 'UNSHIPPED' });
    const shipped = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 2 });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(7);

    e.amazon.cancelOrder(canceled, { by: 'BUYER', reason: 'changed mind' });
    e.shipOnAmazon(shipped);
    e.advance(LATER);
    await e.sync();
    expect((await e.hostOrder(canceled))?.state).to.equal('canceled');
    expect(await e.stored(canceled)).to.include({ status: 'Canceled' });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(9);
    expect((await e.hostOrder(shipped))?.state).to.equal('complete');
    expect(await e.stored(shipped)).to.include({ status: 'Completed' });
  });

  it('reserves stock for Pending orders and releases it on cancel or hands it to the imported order', async () => {
    await e.product('MUG-RED', 10);
    const willImport = e.place({ items: [{ sku: 'MUG-RED', qty: 2 }] });
    const willCancel = e.place({ items: [{ sku: 'MUG-RED', qty: 3 }] });
    e.advance(3 * MINUTE);
    await e.sync();
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(5);
    expect((await e.stored(willImport)).stockReserved).to.equal(true);

    e.amazon.cancelOrder(willCancel, { by: 'AMAZON' });
    e.advance(LATER);
    await e.sync();
    expect(await e.hostOrder(willImport)).to.not.equal(null);
    expect(await e.hostOrder(willCancel)).to.equal(null);
    // 10 on hand - 2 shipped to the imported order; the canceled order's 3 are back.
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(8);
    expect(await e.host.services.stock.listActive()).to.deep.equal([]);
  });

  it('with import disabled, stores and shows orders but creates nothing', async () => {
    await e.product('MUG-RED', 10);
    expect((await e.stores.updateSettings(e.store.id, { importEnabled: false })).ok).to.equal(true);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ new: 1, imported: 0 });
    expect(await e.stored(id)).to.include({ status: 'Unshipped', importState: 'disabled', hostOrderId: null });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(10);
  });

  it('creates orders as the settings say: Amazon number, customer account, custom status', async () => {
    await e.product('MUG-RED', 10);
    const saved = await e.stores.updateSettings(e.store.id, { importEnabled: true, orderNumberSource: 'amazon', customerCreation: 'account', orderStatus: 'custom', processingStatus: 'amazon_processing' });
    expect(saved.ok).to.equal(true);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Ada Lovelace' });
    e.advance(LATER);
    await e.sync();
    const hostOrder = await e.hostOrder(id);
    expect(hostOrder).to.include({ number: id, status: 'amazon_processing' });
    const customer = await db().knex('host_customer').first();
    expect(customer).to.include({ first_name: 'Ada', last_name: 'Lovelace' });
  });

  it('carries exact decimal totals in several currencies', async () => {
    await e.product('MUG-RED', 100);
    const jp = await e.stores.add({
      name: 'Sandbox JP', region: 'fe', marketplaceId: 'A1VC38T7YXB528', sellerId: e.amazon.demoApp.sellerId, clientId: e.amazon.demoApp.clientId,
      clientSecret: e.amazon.demoApp.clientSecret, refreshToken: e.amazon.demoApp.refreshToken, spApiEndpoint: e.amazon.url, lwaEndpoint: e.amazon.lwaUrl,
      integratedAt: new Date('2026-11-26T09:00:00Z'),
    });
    const usd = e.place({ items: [{ sku: 'MUG-RED', qty: 3, price: '0.10' }, { sku: 'MUG-RED', qty: 1, price: '0.20' }], status: 'UNSHIPPED' });
    const jpy = e.amazon.placeOrder({ sellerId: e.amazon.demoApp.sellerId, marketplaceId: 'A1VC38T7YXB528', items: [{ sku: 'MUG-RED', qty: 2, price: '1199' }], status: 'UNSHIPPED' }).orderId;
    e.advance(LATER);
    await e.sync();
    const sync = e.host.container.get((await import('../../src/sync/order-sync.ts')).OrderSync);
    await sync.run({ storeId: jp.id });
    for (const [storeId, id] of [[e.store.id, usd], [jp.id, jpy]] as const) {
      const amazonTotal = e.amazon.getOrder(id)!.grandTotal;
      const stored = await e.orders.find(storeId, id);
      expect(stored?.grandTotalAmount).to.equal(amazonTotal);
      expect((await e.hostOrder(id))?.grandTotal).to.equal(amazonTotal);
    }
    expect((await e.orders.find(jp.id, jpy))?.currencyCode).to.equal('JPY');
  });

  /** Stores an Amazon order document as the sync would (for data the sandbox never sends), created after the integration. */
  async function storeDocument(overrides: Partial<Order>): Promise<string> {
    const document = amazonOrder({ createdTime: '2026-11-26T09:30:00Z', lastUpdatedTime: '2026-11-26T09:30:00Z', ...overrides });
    const snapshot = snapshotFromAmazon(document, e.store.marketplaceId);
    const decision = importDecision(snapshot, await e.stores.settings(e.store.id), e.store.integratedAt);
    if (decision === 'hidden') throw new Error('the document is older than the integration');
    await db().knex.transaction((trx) => e.orders.upsertFromAmazon(trx, e.store.id, document, snapshot, decision));
    return document.orderId;
  }

  it('blocks an order with a part in another currency, naming the item and the part, and creates nothing', async () => {
    await e.product('MUG-RED', 10);
    const item = amazonItem();
    const id = await storeDocument({
      proceeds: { grandTotal: { amount: '44.97', currencyCode: 'USD' } },
      orderItems: [{ ...item, proceeds: { breakdowns: [...item.proceeds!.breakdowns!, { type: 'SHIPPING', subtotal: { amount: '4.99', currencyCode: 'EUR' } }] } }],
    });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 0, blocked: 1 });
    expect(await e.stored(id)).to.include({
      importState: 'blocked', blockReason: 'amazon_data', note: "Cannot create order: item 10001's shipping is in EUR, the order in USD",
      grandTotalAmount: '44.97', currencyCode: 'USD',
    });
    expect(await e.hostOrder(id)).to.equal(null);
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(10);
  });

  it('blocks an order whose parts do not add up to its grand total, naming both sums, and imports it once Amazon corrects it', async () => {
    await e.product('MUG-RED', 10);
    const item = amazonItem();
    const id = await storeDocument({
      proceeds: { grandTotal: { amount: '43.97', currencyCode: 'USD' } },
      orderItems: [{ ...item, proceeds: { breakdowns: [...item.proceeds!.breakdowns!, { type: 'SURCHARGE', subtotal: { amount: '3.99', currencyCode: 'USD' } }] } }],
    });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 0, blocked: 1 });
    expect(await e.stored(id)).to.include({
      importState: 'blocked',
      blockReason: 'amazon_data',
      note: "Cannot create order: its items, shipping, charges, tax and discounts add up to 39.98 USD, but Amazon's grand total is 43.97 USD; Amazon also sent proceeds the module does not know: SURCHARGE 3.99 USD on item 10001",
      grandTotalAmount: '43.97',
    });
    expect(await e.hostOrder(id)).to.equal(null);

    await storeDocument({ lastUpdatedTime: '2026-11-26T09:40:00Z', proceeds: { grandTotal: { amount: '39.98', currencyCode: 'USD' } } });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 1, blocked: 0 });
    expect(await e.hostOrder(id)).to.include({ grandTotal: '39.98' });
  });

  it('creates sandbox orders with gift wrap, discounts and a tip whose host parts add up to the grand total exactly, in five currencies', async () => {
    await e.product('MUG-RED', 100);
    const sync = e.host.container.get((await import('../../src/sync/order-sync.ts')).OrderSync);
    const markets = [
      { marketplaceId: 'ATVPDKIKX0DER', region: 'na', price: '19.99', discount: '1.50', giftWrap: '3.99', tip: '5.00' },
      { marketplaceId: 'A2EUQ1WTGCTBG2', region: 'na', price: '24.99', discount: '0.01', giftWrap: '2.49', tip: '0.50' },
      { marketplaceId: 'A1F83G8C2ARO7P', region: 'eu', price: '14.99', discount: '0.99', giftWrap: '1.99', tip: '1.00' },
      { marketplaceId: 'A1PA6795UKMFR9', region: 'eu', price: '17.95', discount: '0.05', giftWrap: '2.95', tip: '2.00' },
      { marketplaceId: 'A1VC38T7YXB528', region: 'fe', price: '1199', discount: '100', giftWrap: '300', tip: '200' },
    ] as const;
    const placed: Array<{ storeId: number; id: string }> = [];
    for (const [index, m] of markets.entries()) {
      const store = index === 0 ? e.store : await e.stores.add({
        name: `Sandbox ${m.marketplaceId}`, region: m.region, marketplaceId: m.marketplaceId, sellerId: e.amazon.demoApp.sellerId, clientId: e.amazon.demoApp.clientId,
        clientSecret: e.amazon.demoApp.clientSecret, refreshToken: e.amazon.demoApp.refreshToken, spApiEndpoint: e.amazon.url, lwaEndpoint: e.amazon.lwaUrl,
        integratedAt: new Date('2026-11-26T09:00:00Z'),
      });
      const id = e.amazon.placeOrder({
        sellerId: e.amazon.demoApp.sellerId, marketplaceId: m.marketplaceId, status: 'UNSHIPPED', deliveryTip: m.tip,
        items: [{ sku: 'MUG-RED', qty: 3, price: m.price, discount: m.discount, giftWrap: m.giftWrap }, { sku: 'MUG-RED', qty: 1, price: m.price, giftWrap: m.giftWrap }],
      }).orderId;
      placed.push({ storeId: store.id, id });
    }
    e.advance(LATER);
    for (const { storeId } of placed) await sync.run({ storeId });

    for (const { storeId, id } of placed) {
      const amazonTotal = e.amazon.getOrder(id)!.grandTotal;
      expect(await e.orders.find(storeId, id), id).to.include({ importState: 'imported', grandTotalAmount: amazonTotal });
      const order = await db().knex('host_order').where({ external_reference: id }).first();
      const items = await db().knex('host_order_item').where({ order_id: order.id });
      const charges = await db().knex('host_order_charge').where({ order_id: order.id }).orderBy('id');
      let parts = toE4(order.shipping_amount) + toE4(order.shipping_tax_amount) - toE4(order.shipping_discount_amount);
      for (const i of items) parts += toE4(i.unit_price) * BigInt(i.qty_ordered) + toE4(i.tax_amount) - toE4(i.discount_amount);
      for (const c of charges) parts += toE4(c.amount) + toE4(c.tax_amount) - toE4(c.discount_amount);
      expect(order.grand_total, id).to.equal(amazonTotal);
      expect(parts, `${id} ${order.currency_code}`).to.equal(toE4(amazonTotal));
      expect(charges.map((c) => c.kind), id).to.deep.equal(['gift_wrap', 'delivery_tip']);
    }
    const yen = await db().knex('host_order').where({ external_reference: placed[4]!.id }).first();
    const yenWrap = await db().knex('host_order_charge').where({ order_id: yen.id, kind: 'gift_wrap' }).first();
    // Two wraps of 300 with 10 % tax, written as yen are: no decimals.
    expect([yen.currency_code, yenWrap.amount, yenWrap.tax_amount, yenWrap.label]).to.deep.equal(['JPY', '600', '60', 'Gift wrap']);
  });

  it('imports an order whose Amazon title is longer than the host takes, with the title shortened', async () => {
    await e.product('MUG-RED', 10);
    const title = `Stoneware mug 😀 ${'dishwasher safe, microwave safe, hand glazed, '.repeat(8)}`;
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1, title }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 1, blocked: 0 });
    const order = await db().knex('host_order').where({ external_reference: id }).first();
    const [name] = await db().knex('host_order_item').where({ order_id: order.id }).pluck('name');
    expect(name.length).to.be.at.most(255);
    expect(name).to.equal(`${title.slice(0, name.length - 1)}…`);
  });

  it('blocks an order whose city is longer than the host takes, with a note saying exactly that', async () => {
    await e.product('MUG-RED', 10);
    const address = amazonOrder().recipient!.deliveryAddress!;
    const id = await storeDocument({ recipient: { deliveryAddress: { ...address, city: 'Llanfair'.repeat(40) } } });
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 0, blocked: 1 });
    expect(await e.stored(id)).to.include({
      blockReason: 'amazon_data', note: 'Cannot create order: the shipping city from Amazon is 320 characters long; the host takes at most 255',
    });
    expect(await e.hostOrder(id)).to.equal(null);
  });
});
