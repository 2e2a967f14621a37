import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { openTestHost, type TestHost } from '../support/host.ts';
import { line, orderRequest } from '../support/orders.ts';
import { rejection } from '../support/assert.ts';
import { memoryLogger } from '../support/logs.ts';
import { createHost } from '../../sandbox/host/host.ts';

describeEachDatabase('host ports', (db) => {
  let t: TestHost;
  let seq = 0;
  /** A fresh product per test, so tests sharing the database do not see each other's stock. */
  async function product(qty: number, options: { enabled?: boolean; manageStock?: boolean } = {}) {
    const sku = `SKU-${++seq}`;
    const result = await t.host.services.catalog.create({
      sku, name: `Product ${sku}`, qty, enabled: options.enabled ?? true, manageStock: options.manageStock ?? true,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { id: result.id, sku };
  }
  const qtyOf = async (sku: string) => Number((await db().knex('host_product').where({ sku }).first('qty')).qty);
  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await db().knex(table).where(where).count({ c: '*' }))[0]!.c);
  const orderCount = () => count('host_order');

  before(async () => {
    t = await openTestHost(db());
  });

  describe('catalog', () => {
    it('finds products by SKU and id, and refuses a duplicate SKU', async () => {
      const p = await product(3, { enabled: false });
      const bySku = await t.host.services.catalog.findBySku(p.sku);
      expect(bySku).to.deep.equal({ id: p.id, sku: p.sku, name: `Product ${p.sku}`, enabled: false, manageStock: true });
      expect(await t.host.services.catalog.findById(p.id)).to.deep.equal(bySku);
      expect(await t.host.services.catalog.findById('999999')).to.equal(null);
      expect(await t.host.services.catalog.findById('abc')).to.equal(null);
      const duplicate = await t.host.services.catalog.create({ sku: p.sku, name: 'x', qty: 1, enabled: true, manageStock: true });
      expect(duplicate).to.deep.equal({ ok: false, errors: [{ field: 'sku', message: `SKU "${p.sku}" already exists` }] });
    });
  });

  describe('stock', () => {
    it('salable = qty - active reservations; null when not managed; 0 when unknown', async () => {
      const p = await product(10);
      const stock = t.host.services.stock;
      expect(await stock.salableQty(p.sku)).to.equal(10);
      await stock.reserve('r-a', [{ sku: p.sku, qty: 3 }]);
      expect(await stock.salableQty(p.sku)).to.equal(7);
      const free = await product(0, { manageStock: false });
      expect(await stock.salableQty(free.sku)).to.equal(null);
      expect(await stock.salableQty('NO-SUCH-SKU')).to.equal(0);
    });

    it('reserve is idempotent per key, even when 10 calls race; release is idempotent', async () => {
      const p = await product(10);
      const stock = t.host.services.stock;
      await Promise.all(Array.from({ length: 10 }, () => stock.reserve('r-race', [{ sku: p.sku, qty: 2 }])));
      expect(await stock.salableQty(p.sku)).to.equal(8);
      await stock.reserve('r-race', [{ sku: p.sku, qty: 5 }]);
      expect(await stock.salableQty(p.sku)).to.equal(8);
      await stock.release('r-race');
      expect(await stock.salableQty(p.sku)).to.equal(10);
      await stock.release('r-race');
      await stock.release('never-reserved');
      expect(await stock.salableQty(p.sku)).to.equal(10);
      // A released key stays used: reserving it again does not count again.
      await stock.reserve('r-race', [{ sku: p.sku, qty: 2 }]);
      expect(await stock.salableQty(p.sku)).to.equal(10);
    });

    it('rejects nonsense quantities', async () => {
      expect(await rejection(t.host.services.stock.reserve('r-bad', [{ sku: 'X', qty: 0 }]))).to.be.instanceOf(RangeError);
      expect(await rejection(t.host.services.stock.reserve('', [{ sku: 'X', qty: 1 }]))).to.be.instanceOf(RangeError);
    });
  });

  describe('orders.create', () => {
    it('creates an order with the totals as given, a host number, and deducts stock', async () => {
      const p = await product(5);
      const result = await t.host.services.orders.create(
        orderRequest([{ ...line(p.id, p.sku, 2, '12345678901.2345', '0.0001', '0.10'), externalReference: '10001' }], { grandTotal: '24691357802.9991' }),
      );
      expect(result.ok && result.created).to.equal(true);
      if (!result.ok) return;
      expect(result.order.number).to.match(/^\d{9}$/);
      const order = await t.host.services.orders.get(result.order.id);
      expect(order).to.deep.include({ state: 'processing', status: 'processing', grandTotal: '24691357802.9991', currencyCode: 'USD' });
      const item = await db().knex('host_order_item').where({ order_id: Number(result.order.id) }).first();
      // The channel's line id comes back with the line (contract 1.2.0).
      expect(order!.items).to.deep.equal([{ id: String(item.id), externalReference: '10001', sku: p.sku, qty: 2, qtyShipped: 0, qtyCanceled: 0, qtyRefunded: 0 }]);
      expect([item.unit_price, item.tax_amount, item.discount_amount]).to.deep.equal(['12345678901.2345', '0.0001', '0.10']);
      expect(await qtyOf(p.sku)).to.equal(3);
      expect(await t.host.services.orders.findByExternalReference('amazon', orderRequest([]).externalReference)).to.equal(null);
    });

    it('10 parallel creates with the same key make one order and deduct stock once', async () => {
      const p = await product(50);
      const request = orderRequest([line(p.id, p.sku, 3)], { idempotencyKey: 'race-key-1', externalReference: '111-RACE' });
      const results = await Promise.all(Array.from({ length: 10 }, () => t.host.services.orders.create({ ...request })));
      expect(results.every((r) => r.ok)).to.equal(true);
      const created = results.filter((r) => r.ok && r.created);
      expect(created).to.have.length(1);
      const ids = new Set(results.map((r) => (r.ok ? r.order.id : '')));
      expect(ids.size).to.equal(1);
      expect(await count('host_order', { idempotency_key: 'race-key-1' })).to.equal(1);
      expect(await qtyOf(p.sku)).to.equal(47);
      const found = await t.host.services.orders.findByExternalReference('amazon', '111-RACE');
      expect(found?.id).to.equal([...ids][0]);
    });

    it('two hosts on the same database (separate connections, like two processes) still make one order', async () => {
      const p = await product(50);
      const other = await createHost({ databaseUrl: db().url, logger: memoryLogger().logger, secretKey: Buffer.alloc(32) });
      try {
        const request = orderRequest([line(p.id, p.sku, 1)], { idempotencyKey: 'race-key-2' });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? t.host : other).services.orders.create({ ...request })),
        );
        expect(results.filter((r) => r.ok && r.created)).to.have.length(1);
        expect(new Set(results.map((r) => (r.ok ? r.order.id : 'rejected'))).size).to.equal(1);
        expect(await count('host_order', { idempotency_key: 'race-key-2' })).to.equal(1);
        expect(await qtyOf(p.sku)).to.equal(49);
      } finally {
        await other.close();
      }
    });

    it('returns typed rejections and writes nothing', async () => {
      const p = await product(1);
      const off = await product(5, { enabled: false });
      const before = await orderCount();
      const create = t.host.services.orders.create.bind(t.host.services.orders);
      const base = orderRequest([line(p.id, p.sku, 1)]);

      const noStreet = await create({ ...base, shippingAddress: { ...base.shippingAddress, street: ['  '] } });
      expect(noStreet).to.deep.include({ ok: false });
      expect(!noStreet.ok && noStreet.rejection).to.deep.include({ code: 'address_invalid', field: 'shippingAddress.street' });
      const noName = await create({ ...base, shippingAddress: { ...base.shippingAddress, firstName: '', lastName: '' } });
      expect(!noName.ok && noName.rejection).to.deep.include({ code: 'address_invalid', field: 'shippingAddress.firstName' });
      for (const field of ['city', 'postalCode', 'countryCode'] as const) {
        const r = await create({ ...base, shippingAddress: { ...base.shippingAddress, [field]: '' } });
        expect(!r.ok && r.rejection).to.deep.include({ code: 'address_invalid', field: `shippingAddress.${field}` });
      }
      const badEmail = await create({ ...base, customer: { ...base.customer, email: 'not-an-email' } });
      expect(!badEmail.ok && badEmail.rejection).to.deep.include({ code: 'customer_invalid', field: 'customer.email' });
      expect(!badEmail.ok && badEmail.rejection.message).to.not.include('not-an-email'); // buyer data stays out of notes
      const unknown = await create(orderRequest([line('999999', 'GHOST', 1)]));
      expect(!unknown.ok && unknown.rejection).to.deep.include({ code: 'product_not_found', field: 'lines[0].productId' });
      const disabled = await create(orderRequest([line(off.id, off.sku, 1)]));
      expect(!disabled.ok && disabled.rejection).to.deep.include({ code: 'product_disabled' });
      const tooMany = await create(orderRequest([line(p.id, p.sku, 2)]));
      expect(!tooMany.ok && tooMany.rejection).to.deep.include({ code: 'out_of_stock', field: 'lines[0].qty' });
      const floatMoney = await create({ ...base, grandTotal: '1.23456' });
      expect(!floatMoney.ok && floatMoney.rejection).to.deep.include({ code: 'validation', field: 'grandTotal' });
      const badStatus = await create({ ...base, status: 'complete' });
      expect(!badStatus.ok && badStatus.rejection).to.deep.include({ code: 'validation', field: 'status' });
      const badStore = await create({ ...base, storeView: 'nowhere' });
      expect(!badStore.ok && badStore.rejection).to.deep.include({ code: 'validation', field: 'storeView' });

      expect(await orderCount()).to.equal(before);
      expect(await qtyOf(p.sku)).to.equal(1);
    });

    it('takes over a reservation: its quantity counts for the order, and it stops counting afterwards', async () => {
      const p = await product(5);
      const stock = t.host.services.stock;
      await stock.reserve('pending-1', [{ sku: p.sku, qty: 3 }]);
      await stock.reserve('someone-else', [{ sku: p.sku, qty: 1 }]);
      expect(await stock.salableQty(p.sku)).to.equal(1);
      const without = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 3)]));
      expect(!without.ok && without.rejection.code).to.equal('out_of_stock');
      const tooMuch = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 5)], { reservationKey: 'pending-1' }));
      expect(!tooMuch.ok && tooMuch.rejection.code).to.equal('out_of_stock');
      const taken = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 3)], { reservationKey: 'pending-1' }));
      expect(taken.ok && taken.created).to.equal(true);
      expect(await qtyOf(p.sku)).to.equal(2);
      expect(await stock.salableQty(p.sku)).to.equal(1);
      const row = await db().knex('host_stock_reservation').where({ reservation_key: 'pending-1' }).first();
      expect(row.state).to.equal('converted');
      await stock.release('pending-1');
      expect(await stock.salableQty(p.sku)).to.equal(1);
    });

    it('deductStock=false neither checks nor lowers stock', async () => {
      const p = await product(0);
      const result = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 4)], { deductStock: false, state: 'complete' }));
      expect(result.ok).to.equal(true);
      expect(await qtyOf(p.sku)).to.equal(0);
      const order = await t.host.services.orders.get(result.ok ? result.order.id : '');
      expect(order).to.deep.include({ state: 'complete', status: 'complete' });
    });

    it('uses a given order number once, a custom status, and one customer account per email', async () => {
      const p = await product(10);
      const account = { mode: 'account' as const, email: 'Grace@Example.com', firstName: 'Grace', lastName: 'Hopper' };
      const first = await t.host.services.orders.create(
        orderRequest([line(p.id, p.sku, 1)], { orderNumber: '111-2222222-3333333', status: 'amazon_processing', customer: account }),
      );
      expect(first.ok && first.order.number).to.equal('111-2222222-3333333');
      const again = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 1)], { orderNumber: '111-2222222-3333333' }));
      expect(!again.ok && again.rejection).to.deep.include({ code: 'validation', field: 'orderNumber' });
      const second = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 1)], { customer: { ...account, email: 'grace@example.com' } }));
      expect(second.ok).to.equal(true);
      expect(await count('host_customer', { email: 'grace@example.com' })).to.equal(1);
      const rows = await db().knex('host_order').whereIn('id', [first.ok ? first.order.id : 0, second.ok ? second.order.id : 0]);
      expect(new Set(rows.map((r) => r.customer_id)).size).to.equal(1);
      expect((await t.host.services.orders.get(first.ok ? first.order.id : ''))?.status).to.equal('amazon_processing');
    });
  });

  describe('orders: cancel, complete, comments, statuses', () => {
    it('cancel returns unshipped stock once and is idempotent', async () => {
      const p = await product(5);
      const created = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 2)]));
      if (!created.ok) throw new Error('not created');
      expect(await qtyOf(p.sku)).to.equal(3);
      await t.host.services.orders.cancel(created.order.id, 'Canceled on Amazon');
      await t.host.services.orders.cancel(created.order.id, 'Canceled on Amazon');
      expect(await qtyOf(p.sku)).to.equal(5);
      const order = await t.host.services.orders.get(created.order.id);
      expect(order).to.deep.include({ state: 'canceled', status: 'canceled' });
      expect(order!.items[0]).to.deep.include({ qtyCanceled: 2 });
      const comments = await db().knex('host_order_comment').where({ order_id: Number(created.order.id) }).pluck('comment');
      expect(comments.filter((c: string) => c.startsWith('Canceled'))).to.have.length(1);
    });

    it('complete, addComment, listStatuses', async () => {
      const p = await product(5);
      const created = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 1)]));
      if (!created.ok) throw new Error('not created');
      await t.host.services.orders.addComment(created.order.id, 'Imported by test');
      await t.host.services.orders.complete(created.order.id, 'Shipped by Amazon');
      expect((await t.host.services.orders.get(created.order.id))?.state).to.equal('complete');
      const comments = await db().knex('host_order_comment').where({ order_id: Number(created.order.id) }).orderBy('id').pluck('comment');
      expect(comments.slice(1)).to.deep.equal(['Imported by test', 'Shipped by Amazon']);
      expect((await rejection(t.host.services.orders.cancel(created.order.id, 'too late'))).message).to.match(/is complete: it cannot be canceled/);
      const statuses = await t.host.services.orders.listStatuses();
      expect(statuses).to.deep.include({ code: 'amazon_processing', label: 'Processing (Amazon)', state: 'processing' });
      expect(statuses.map((s) => s.code)).to.include.members(['processing', 'complete', 'canceled', 'closed']);
    });
  });

  describe('store views and config', () => {
    it('lists the default store view and keeps config per scope', async () => {
      const views = await t.host.services.storeViews.list();
      expect(views[0]).to.deep.equal({ code: 'default', name: 'Default Store View', websiteName: 'Main Website', isDefault: true });
      const config = t.host.services.config;
      expect(await config.get('a/b')).to.equal(null);
      await config.set('a/b', '1');
      await config.set('a/b', '2', 'fr');
      await config.set('a/b', '3');
      expect([await config.get('a/b'), await config.get('a/b', 'fr')]).to.deep.equal(['3', '2']);
      await config.set('a/b', null);
      expect(await config.get('a/b')).to.equal(null);
    });
  });

  describe('orders.create: charges besides lines and shipping', () => {
    const wrap = { kind: 'gift_wrap' as const, label: 'Gift wrap', amount: '3.99', taxAmount: '0.33', discountAmount: '1.00' };

    it('stores each charge as given, and totals count its tax and discount', async () => {
      const p = await product(5);
      const tip = { kind: 'delivery_tip' as const, label: 'Delivery tip', amount: '5', taxAmount: '0', discountAmount: '0' };
      const result = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 1, '10.00', '0.80', '0.50')], { charges: [wrap, tip] }));
      if (!result.ok) throw new Error(JSON.stringify(result.rejection));
      const rows = await db().knex('host_order_charge').where({ order_id: Number(result.order.id) }).orderBy('id');
      expect(rows.map((r) => [r.kind, r.label, r.amount, r.tax_amount, r.discount_amount])).to.deep.equal([
        ['gift_wrap', 'Gift wrap', '3.99', '0.33', '1.00'],
        ['delivery_tip', 'Delivery tip', '5', '0', '0'],
      ]);
      const details = await t.host.services.orderQueries.details(result.order.id);
      expect(details?.charges).to.deep.equal([
        { kind: 'gift_wrap', label: 'Gift wrap', amount: '3.99', taxAmount: '0.33', discountAmount: '1.00' },
        { kind: 'delivery_tip', label: 'Delivery tip', amount: '5', taxAmount: '0', discountAmount: '0' },
      ]);
      // Line 0.80 + shipping 0.50 + gift wrap 0.33; line 0.50 + gift wrap 1.00.
      expect(details).to.include({ taxTotal: '1.63', discountTotal: '1.50' });
    });

    it('a request without charges (a 1.0 caller) has none', async () => {
      const p = await product(5);
      const request = orderRequest([line(p.id, p.sku, 1)]);
      delete request.charges;
      const result = await t.host.services.orders.create(request);
      if (!result.ok) throw new Error(JSON.stringify(result.rejection));
      expect((await t.host.services.orderQueries.details(result.order.id))?.charges).to.deep.equal([]);
    });

    it('refuses a bad charge with the field named, and writes nothing', async () => {
      const p = await product(5);
      const before = [await orderCount(), await count('host_order_charge')];
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ kind: 'tip' }, 'charges[0].kind'],
        [{ label: '' }, 'charges[0].label'],
        [{ label: 'x'.repeat(256) }, 'charges[0].label'],
        [{ amount: '3.999999' }, 'charges[0].amount'],
        [{ taxAmount: '-1' }, 'charges[0].taxAmount'],
        [{ discountAmount: '4.00' }, 'charges[0].discountAmount'],
      ];
      for (const [change, field] of cases) {
        const request = orderRequest([line(p.id, p.sku, 1)], { charges: [{ ...wrap, ...change } as typeof wrap] });
        const result = await t.host.services.orders.create(request);
        expect(!result.ok && result.rejection, field).to.deep.include({ code: 'validation', field });
      }
      const tooMany = await t.host.services.orders.create(orderRequest([line(p.id, p.sku, 1)], { charges: Array.from({ length: 21 }, () => wrap) }));
      expect(!tooMany.ok && tooMany.rejection).to.deep.include({ code: 'validation', field: 'charges' });
      expect([await orderCount(), await count('host_order_charge')]).to.deep.equal(before);
    });
  });

  describe('orders.create: text limits', () => {
    it('refuses a region longer than the host keeps as a typed rejection, not a failed insert', async () => {
      const p = await product(5);
      const before = await orderCount();
      const base = orderRequest([line(p.id, p.sku, 1)]);
      const result = await t.host.services.orders.create({ ...base, shippingAddress: { ...base.shippingAddress, region: 'R'.repeat(256) } });
      expect(!result.ok && result.rejection).to.deep.include({ code: 'address_invalid', field: 'shippingAddress.region' });
      expect(await orderCount()).to.equal(before);
      const longest = await t.host.services.orders.create({ ...base, shippingAddress: { ...base.shippingAddress, region: 'R'.repeat(255) } });
      expect(longest.ok).to.equal(true);
    });
  });
});
