/**
 * The import when things go wrong on the host's side or in odd data: one order the host refuses
 * or fails never holds up the others, a host order left by an interrupted run is found again,
 * settings switched back and forth lose no order, and Amazon data the columns cannot hold as it
 * stands still comes in.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, type E2E } from '../support/e2e.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';

/** Past Amazon's verification delay and the two-minute rule. */
const LATER = 8 * MINUTE;

describeEachDatabase('order import when things go wrong', (db) => {
  let e: E2E;
  eachTestE2E(db, (started) => void (e = started));

  const hostOrderCount = async () => Number((await db().knex('host_order').count({ n: '*' }).first())?.n);

  /** Ships every unit of the host order in the host's own Orders workflow. */
  async function shipInHost(hostOrderId: string): Promise<void> {
    const items: Array<{ id: number; qty: number }> = await db().knex('host_order_item').where({ order_id: hostOrderId }).select('id', 'qty_ordered as qty');
    const shipped = await e.host.services.workflow.ship(hostOrderId, {
      lines: items.map((item) => ({ itemId: Number(item.id), qty: Number(item.qty) })),
      carrierCode: 'ups',
      carrierTitle: 'UPS',
      trackingNumber: '1Z999',
    });
    expect(shipped.ok, JSON.stringify(shipped)).to.equal(true);
  }

  it('an Amazon cancel the host order cannot follow is an Error for the admin; the other orders still follow Amazon', async () => {
    await e.product('MUG-RED', 10);
    const shippedInHost = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    const canceledToo = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', imported: 2 });
    await shipInHost((await e.stored(shippedInHost)).hostOrderId!);

    e.amazon.cancelOrder(shippedInHost, { by: 'BUYER' });
    e.amazon.cancelOrder(canceledToo, { by: 'BUYER' });
    const later = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', imported: 1 });

    const conflict = await e.stored(shippedInHost);
    expect(conflict).to.include({ status: 'Error', hostAction: null });
    expect(conflict.note).to.match(/Amazon canceled this order, but host order #\d+ is already complete/);
    expect((await e.hostOrder(shippedInHost))?.state).to.equal('complete');
    expect((await e.hostOrder(canceledToo))?.state).to.equal('canceled');
    expect(await e.hostOrder(later)).to.not.equal(null);
    // Said once: the next sync does not repeat it.
    expect(await e.sync()).to.include({ result: 'ok' });
    const history = await e.orders.history(conflict.id);
    expect(history.filter((entry) => entry.toStatus === 'Error')).to.have.length(1);
  });

  it('a host that fails on one order blocks only that order, which is created on the next sync', async () => {
    await e.product('MUG-RED', 10);
    const failing = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    const fine = e.place({ items: [{ sku: 'MUG-RED', qty: 2 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    const create = e.host.services.orders.create.bind(e.host.services.orders);
    const stub = sinon.stub(e.host.services.orders, 'create').callsFake(async (request) => {
      if (request.externalReference === failing) throw new Error('connection to the order service was lost');
      return create(request);
    });
    expect(await e.sync()).to.include({ result: 'ok', imported: 1, blocked: 1 });
    expect(await e.stored(failing)).to.include({ importState: 'blocked', blockReason: 'host_rejected' });
    expect((await e.stored(failing)).note).to.equal('Cannot create order: the host failed (connection to the order service was lost); it is tried again on the next sync');
    expect(await e.stored(fine)).to.include({ importState: 'imported' });

    stub.restore();
    expect(await e.sync()).to.include({ result: 'ok', imported: 1, blocked: 0 });
    expect(await hostOrderCount()).to.equal(2);
  });

  it('a host order created by a run that died before recording it is found and canceled when Amazon cancels', async () => {
    await e.product('MUG-RED', 10);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 3 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    // The run dies right after the host created the order: the link is never written.
    const repository = e.host.container.get(OrderRepository);
    const update = repository.update.bind(repository);
    const crash = sinon.stub(repository, 'update').callsFake(async (rowId, columns, trx) => {
      if (columns.import_state === 'imported') throw new Error('process killed');
      return update(rowId, columns, trx);
    });
    expect(await e.sync()).to.include({ result: 'failed' });
    crash.restore();
    expect(await e.stored(id)).to.include({ importState: 'ready', hostOrderId: null });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(7);

    e.amazon.cancelOrder(id, { by: 'BUYER' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok' });
    const hostOrder = await e.hostOrder(id);
    expect(hostOrder?.state).to.equal('canceled');
    expect(await e.stored(id)).to.include({ status: 'Canceled', hostOrderId: hostOrder!.id, hostAction: null });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(10);
    expect(await hostOrderCount()).to.equal(1);
  });

  it('import switched off and on again loses no blocked order', async () => {
    await e.product('MUG-RED', 10, { enabled: false });
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ blocked: 1 });

    expect((await e.stores.updateSettings(e.store.id, { importEnabled: false })).ok).to.equal(true);
    e.amazon.cancelOrder(e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' }), { by: 'BUYER' }); // Amazon keeps moving
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', imported: 0, blocked: 0 });
    expect(await e.stored(id)).to.include({ importState: 'blocked' });

    expect((await e.stores.updateSettings(e.store.id, { importEnabled: true })).ok).to.equal(true);
    await db().knex('host_product').where({ sku: 'MUG-RED' }).update({ enabled: true });
    expect(await e.sync()).to.include({ result: 'ok', imported: 1 });
    expect(await e.stored(id)).to.include({ importState: 'imported' });
  });

  it('gives Pending reservations back when import or reserving is switched off', async () => {
    await e.product('MUG-RED', 10);
    const first = e.place({ items: [{ sku: 'MUG-RED', qty: 4 }] });
    e.advance(3 * MINUTE);
    await e.sync();
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(6);
    expect((await e.stores.updateSettings(e.store.id, { importEnabled: true, reservePending: false })).ok).to.equal(true);
    await e.sync();
    expect(await e.stored(first)).to.include({ stockReserved: false });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(10);

    // Switched on again: new Pending orders reserve; a released one is not held twice (the host's
    // reservation keys are single-use), its stock is checked when it imports.
    expect((await e.stores.updateSettings(e.store.id, { importEnabled: true, reservePending: true })).ok).to.equal(true);
    const second = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }] });
    e.advance(3 * MINUTE);
    await e.sync();
    expect(await e.stored(first)).to.include({ stockReserved: false });
    expect(await e.stored(second)).to.include({ stockReserved: true });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(9);
    expect((await e.stores.updateSettings(e.store.id, { importEnabled: false })).ok).to.equal(true);
    await e.sync();
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(10);

    // Verified by Amazon with import on: both import, each taking its own units.
    expect((await e.stores.updateSettings(e.store.id, { importEnabled: true })).ok).to.equal(true);
    e.advance(LATER);
    expect(await e.sync()).to.include({ imported: 2 });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(5);
  });

  it('stores and imports an order whose buyer name is longer than the grid column and the host take', async () => {
    await e.product('MUG-RED', 10);
    const longName = `Ms ${'Ñ'.repeat(300)}`;
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: longName });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', new: 1, imported: 1 });
    const stored = await e.stored(id);
    expect(Array.from(stored.buyerName!)).to.have.length(255);
    expect(stored.buyerName!.endsWith('…')).to.equal(true);
    expect(stored.raw.buyer?.buyerName).to.equal(longName);
  });
});
