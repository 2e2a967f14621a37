/**
 * The sync's window on Amazon: the overlap behind the cursor that catches changes Amazon dates
 * late, pages reported as progress, and the settings the host order takes (store view, Pending
 * orders not reserved).
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, type E2E } from '../support/e2e.ts';
import { CURSOR_OVERLAP_MS, LAST_UPDATED_BEFORE_LAG_MS, OrderSync } from '../../src/sync/order-sync.ts';
import type { SyncProgress } from '../../src/sync/amazon-order-reader.ts';
import { fromDb } from '../../src/db/time.ts';

describeEachDatabase('the sync window', (db) => {
  let e: E2E;
  eachTestE2E(db, (started) => void (e = started));
  afterEach(() => db().knex('host_store_view').where({ code: 'de_store' }).del());

  it('reads again from a little before the cursor: an order Amazon dates before it still comes in', async () => {
    await e.product('MUG-RED', 10);
    e.advance(10 * MINUTE);
    await e.sync();
    const cursor = fromDb((await db().knex('amazon_sync_state').first('cursor')).cursor);
    expect(cursor.getTime()).to.equal(e.clock.now().getTime() - LAST_UPDATED_BEFORE_LAG_MS);

    // Amazon records a change with a time already behind the cursor (it dates changes late).
    const late = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', createdTime: new Date(cursor.getTime() - CURSOR_OVERLAP_MS / 2).toISOString() });
    // Further back than the overlap is beyond what the sync re-reads.
    const tooLate = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', createdTime: new Date(cursor.getTime() - 2 * CURSOR_OVERLAP_MS).toISOString() });
    e.advance(5 * MINUTE);
    expect(await e.sync()).to.include({ result: 'ok', new: 1, imported: 1 });
    expect(await e.hostOrder(late)).to.not.equal(null);
    expect(await e.orders.find(e.store.id, tooLate)).to.equal(null);
  });

  it('reports each page it stores as progress', async () => {
    await e.product('MUG-RED', 1000);
    for (let i = 0; i < 120; i += 1) e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(5 * MINUTE);
    const events: SyncProgress[] = [];
    const [result] = await e.host.container.get(OrderSync).run({ storeId: e.store.id, progress: (event) => events.push(event) });
    expect(result).to.include({ result: 'ok', seen: 120, imported: 120 });
    expect(events).to.deep.equal([
      { kind: 'page', storeId: e.store.id, orders: 100, seen: 100 },
      { kind: 'page', storeId: e.store.id, orders: 20, seen: 120 },
    ]);
  });

  it('creates the host order in the chosen store view, and leaves Pending stock alone when told not to reserve', async () => {
    await e.product('MUG-RED', 10);
    await db().knex('host_store_view').insert({ code: 'de_store', name: 'German Store View', website_name: 'EU Website', is_default: false, sort_order: 1 });
    expect((await e.stores.updateSettings(e.store.id, { importEnabled: true, hostStoreView: 'de_store', reservePending: false })).ok).to.equal(true);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 3 }] });
    e.advance(3 * MINUTE);
    await e.sync();
    expect(await e.stored(id)).to.include({ status: 'Pending', stockReserved: false });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(10);

    e.advance(8 * MINUTE);
    expect(await e.sync()).to.include({ imported: 1 });
    const row = await db().knex('host_order').where({ external_reference: id }).first('store_view');
    expect(row?.store_view).to.equal('de_store');
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(7);
  });
});
