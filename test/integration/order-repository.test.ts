import path from 'node:path';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { migrateLatest } from '../../sandbox/host/migrator.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { importDecision } from '../../src/orders/rules.ts';
import { orderGridCountUpTo, orderGridPage, orderGridRows, searchPlan } from '../../src/orders/order-grid.ts';
import type { Order } from '../../src/amazon/models.ts';
import { testStores } from '../support/module-ports.ts';
import { FakeClock } from '../support/fake-time.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import { errorSummary } from '../../src/error-summary.ts';
import manifest from '../../module.json' with { type: 'json' };

const moduleMigrations = { directory: path.resolve(import.meta.dirname, '../..', manifest.migrations.directory), tableName: manifest.migrations.tableName };

describeEachDatabase('order repository and grid', (db) => {
  const clock = new FakeClock(new Date('2026-11-26T10:00:00.000Z'));
  let repository: OrderRepository;
  let storeId: number;

  let otherStoreId: number;

  /** Stores the order as the sync does, deciding by the import rules (import enabled). */
  const store = async (order: Order, intoStore = storeId) => {
    const snapshot = snapshotFromAmazon(order, 'ATVPDKIKX0DER');
    const decision = importDecision(snapshot, { importEnabled: true }, new Date('2026-11-01T00:00:00Z'));
    if (decision === 'hidden') throw new Error('the test order predates the integration');
    return db().knex.transaction((trx) => repository.upsertFromAmazon(trx, intoStore, order, snapshot, decision));
  };

  before(async () => {
    await migrateLatest(db().knex, moduleMigrations);
    const { stores } = testStores(db().knex, clock);
    storeId = (await stores.add({ name: 'US', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0001', clientId: 'c', clientSecret: 's', refreshToken: 'r' })).id;
    // For the tests of single orders, so the grid test below counts only its own.
    otherStoreId = (await stores.add({ name: 'US 2', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0002', clientId: 'c', clientSecret: 's', refreshToken: 'r' })).id;
    repository = new OrderRepository(db().knex, clock);
  });

  it('stores a new order with its grid columns exactly as Amazon sent them', async () => {
    expect(await store(amazonOrder({ proceeds: { grandTotal: { amount: '1234.50', currencyCode: 'USD' } } }))).to.equal('new');
    const stored = await repository.find(storeId, '113-0000001-0000001');
    expect(stored).to.include({ status: 'Unshipped', buyerName: 'Jane Q. Buyer', grandTotalAmount: '1234.50', currencyCode: 'USD', importState: 'ready', fulfilledBy: 'MERCHANT' });
    expect(stored?.purchaseDate.toISOString()).to.equal('2026-11-25T12:00:00.000Z');
    expect((await repository.history(stored!.id)).map((e) => e.message)).to.deep.equal(['Received from Amazon as Unshipped']);
  });

  it('ignores an older version and logs a status change of a newer one', async () => {
    expect(await store(amazonOrder({ lastUpdatedTime: '2026-11-25T12:10:00Z', fulfillment: { fulfillmentStatus: 'PENDING', fulfilledBy: 'MERCHANT' } }))).to.equal('stale');
    expect(await store(amazonOrder())).to.equal('unchanged');
    expect(await store(amazonOrder({ lastUpdatedTime: '2026-11-25T13:00:00Z', fulfillment: { fulfillmentStatus: 'PARTIALLY_SHIPPED', fulfilledBy: 'MERCHANT' } }))).to.equal('updated');
    const stored = await repository.find(storeId, '113-0000001-0000001');
    expect(stored?.status).to.equal('Partially Shipped');
    expect((await repository.history(stored!.id)).map((e) => e.message)).to.deep.equal([
      'Received from Amazon as Unshipped',
      'Amazon changed the status from Unshipped to Partially Shipped',
    ]);
  });

  it('drops the items Amazon no longer lists and cuts an overlong title to its column', async () => {
    const orderId = '113-0000009-0000009';
    const twoItems = [amazonItem({ sku: 'A', orderItemId: '20001' }), amazonItem({ sku: 'B', orderItemId: '20002', product: { sellerSku: 'B', title: 'T'.repeat(2000) } })];
    await store(amazonOrder({ orderId, orderItems: twoItems }), otherStoreId);
    const stored = (await repository.find(otherStoreId, orderId))!;
    const items = await repository.items(stored.id);
    expect(items.map((i) => i.sellerSku)).to.deep.equal(['A', 'B']);
    expect(Array.from(items[1]!.title!)).to.have.length(1024);
    expect(stored.raw.orderItems[1]!.product.title).to.have.length(2000);

    await store(amazonOrder({ orderId, lastUpdatedTime: '2026-11-25T14:00:00Z', orderItems: [twoItems[0]!] }), otherStoreId);
    expect((await repository.items(stored.id)).map((i) => i.sellerSku)).to.deep.equal(['A']);
  });

  it('leaves a cancel pending for an order canceled while it waited for its host order, and for none that never could have one', async () => {
    const waited = '113-0000010-0000010';
    await store(amazonOrder({ orderId: waited }), otherStoreId);
    await store(amazonOrder({ orderId: waited, lastUpdatedTime: '2026-11-25T14:00:00Z', fulfillment: { fulfillmentStatus: 'CANCELLED', fulfilledBy: 'MERCHANT' } }), otherStoreId);
    expect(await repository.find(otherStoreId, waited)).to.include({ importState: 'not_eligible', hostAction: 'cancel', blockReason: null, note: 'Canceled on Amazon before it was imported' });

    const neverReady = '113-0000011-0000011';
    await store(amazonOrder({ orderId: neverReady, fulfillment: { fulfillmentStatus: 'PENDING', fulfilledBy: 'MERCHANT' } }), otherStoreId);
    await store(amazonOrder({ orderId: neverReady, lastUpdatedTime: '2026-11-25T14:00:00Z', fulfillment: { fulfillmentStatus: 'CANCELLED', fulfilledBy: 'MERCHANT' } }), otherStoreId);
    expect(await repository.find(otherStoreId, neverReady)).to.include({ importState: 'not_eligible', hostAction: null });
  });

  it('summarizes a database error without the values of the statement', async () => {
    const name = 'Jane Private-Buyer';
    const error = await db()
      .knex('amazon_order_log')
      .insert({ order_id: 999_999_999, kind: 'note', message: name, created_at: new Date() })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).to.contain(name); // knex puts the values in the message...
    const summary = errorSummary(error);
    expect(summary).to.match(/^database error (ER_|SQLITE_)/);
    expect(summary).to.not.contain(name); // ...the summary never does
  });

  it('filters, sorts and counts in the database over the whole result', async () => {
    const orders = [
      { orderId: '111-0000000-0000002', createdTime: '2026-11-20T08:00:00Z', buyer: { buyerName: 'Ärne O\'Brien' }, total: '0.30', currency: 'EUR' },
      { orderId: '111-0000000-0000003', createdTime: '2026-11-21T08:00:00Z', buyer: { buyerName: 'zoe 100% Real' }, total: '1200', currency: 'JPY' },
      { orderId: '111-0000000-0000004', createdTime: '2026-11-22T08:00:00Z', buyer: { buyerName: 'ZOE SMITH' }, total: '99.99', currency: 'USD' },
    ];
    for (const o of orders) {
      await store(amazonOrder({ orderId: o.orderId, createdTime: o.createdTime, buyer: o.buyer, proceeds: { grandTotal: { amount: o.total, currencyCode: o.currency } } }));
    }
    const base = { storeId };
    expect(await orderGridCountUpTo(db().knex, base)).to.deep.equal({ count: 4, more: false });
    expect(await orderGridCountUpTo(db().knex, base, 3)).to.deep.equal({ count: 3, more: true });
    expect((await orderGridPage(db().knex, { ...base, buyer: 'zoe' })).map((r) => r.amazonOrderId)).to.deep.equal(['111-0000000-0000004', '111-0000000-0000003']);
    expect((await orderGridPage(db().knex, { ...base, buyer: '100%' })).map((r) => r.amazonOrderId)).to.deep.equal(['111-0000000-0000003']);
    expect((await orderGridPage(db().knex, { ...base, min: '0.3', max: '99.99' })).map((r) => r.grandTotal?.amount)).to.have.members(['0.30', '39.98', '99.99']);
    expect((await orderGridPage(db().knex, base, { column: 'grandTotal', direction: 'asc' })).map((r) => r.grandTotal?.amount)).to.deep.equal(['0.30', '39.98', '99.99', '1200']);
    const page2 = await orderGridPage(db().knex, base, { column: 'purchaseDate', direction: 'desc' }, { limit: 2, offset: 2 });
    expect(page2.map((r) => r.amazonOrderId)).to.deep.equal(['111-0000000-0000003', '111-0000000-0000002']);
    expect((await orderGridPage(db().knex, { ...base, from: new Date('2026-11-21T00:00:00Z'), to: new Date('2026-11-22T00:00:00Z') })).map((r) => r.amazonOrderId)).to.deep.equal(['111-0000000-0000003']);
    expect((await orderGridPage(db().knex, { ...base, statuses: ['Partially Shipped'] })).length).to.equal(1);
    const streamed = [];
    for await (const row of orderGridRows(db().knex, base, undefined, 3)) streamed.push(row.amazonOrderId);
    expect(streamed).to.have.length(4);
  });

  it('finds orders by any part of the buyer name or order number through the n-grams, and follows renames and the PII purge', async () => {
    const found = async (filter: { buyer?: string; orderNumber?: string }) =>
      (await orderGridPage(db().knex, { storeId: otherStoreId, ...filter })).map((r) => r.amazonOrderId).sort();
    await store(amazonOrder({ orderId: '205-1234567-7654321', buyer: { buyerName: 'Zoë Ærøskøbing' } }), otherStoreId);
    await store(amazonOrder({ orderId: '205-7654321-1234567', buyer: { buyerName: 'Élodie Martin-🦄' } }), otherStoreId);
    // The search narrows to the orders holding the text's rarest n-gram; the LIKE decides.
    const plan = await searchPlan(db().knex, { storeId: otherStoreId, buyer: 'rtin-🦄', orderNumber: '4567-7' });
    expect(Object.values(plan).every((candidates) => candidates !== null)).to.equal(true);
    expect(await found({ buyer: 'zoë ærø' })).to.deep.equal(['205-1234567-7654321']);
    expect(await found({ buyer: 'rtin-🦄' })).to.deep.equal(['205-7654321-1234567']);
    expect(await found({ orderNumber: '4567-7' })).to.deep.equal(['205-1234567-7654321']);
    expect(await found({ orderNumber: '4567' })).to.deep.equal(['205-1234567-7654321', '205-7654321-1234567']);
    // The two rarest n-grams together narrow further than either; the LIKE still decides.
    const names = { '206-0000000-0000001': 'Qxyzw', '206-0000000-0000002': 'Qxyz', '206-0000000-0000003': 'Qyzw', '206-0000000-0000004': 'Qxyz Qyzw' };
    for (const [orderId, buyerName] of Object.entries(names)) await store(amazonOrder({ orderId, buyer: { buyerName } }), otherStoreId);
    const both = (await searchPlan(db().knex, { storeId: otherStoreId, buyer: 'xyzw' })).buyer!;
    const candidates: Array<{ order_id: unknown }> = await both.orderIds;
    const numbers = await db().knex('amazon_order').whereIn('id', candidates.map((c) => Number(c.order_id))).pluck('amazon_order_id');
    expect(numbers.sort()).to.deep.equal(['206-0000000-0000001', '206-0000000-0000004']);
    expect(await found({ buyer: 'xyzw' })).to.deep.equal(['206-0000000-0000001']);
    // Shorter than an n-gram: a scan, with the same answer.
    expect(await searchPlan(db().knex, { storeId: otherStoreId, buyer: 'zo' })).to.deep.equal({ buyer: null });
    expect(await found({ buyer: 'zo' })).to.deep.equal(['205-1234567-7654321']);
    expect(await found({ orderNumber: '205' })).to.deep.equal(['205-1234567-7654321', '205-7654321-1234567']);
    // A newer version with another name is found by the new name only.
    await store(amazonOrder({ orderId: '205-1234567-7654321', lastUpdatedTime: '2026-11-25T13:00:00Z', buyer: { buyerName: 'Zoë Nygaard' } }), otherStoreId);
    expect(await found({ buyer: 'rosk' })).to.deep.equal([]);
    expect(await found({ buyer: 'nygaard' })).to.deep.equal(['205-1234567-7654321']);
    // The PII purge clears the name: the order is no longer found by it, still by its number.
    const { id } = await db().knex('amazon_order').where({ amazon_order_id: '205-1234567-7654321' }).first('id');
    await db().knex.transaction((trx) => repository.update(Number(id), { buyer_name: null, buyer_search: null }, trx));
    expect(await found({ buyer: 'nygaard' })).to.deep.equal([]);
    expect(Number((await db().knex('amazon_order_search_gram').where({ order_id: id, field: 'b' }).count({ n: '*' }).first())?.n)).to.equal(0);
    expect(await found({ orderNumber: '1234567-76' })).to.deep.equal(['205-1234567-7654321']);
  });
});
