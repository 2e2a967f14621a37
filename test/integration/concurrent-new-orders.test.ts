/**
 * Two syncs of two stores storing new orders at once (each store has its own lease, so this
 * happens in production): on MariaDB neither may lock a gap the other inserts into. Deleting an
 * order's search grams by order id did: on a new order it found nothing and locked the gap after
 * the newest grams, where both then inserted (ER_LOCK_DEADLOCK in the soak).
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { migrateModule } from '../support/module-database.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { importDecision } from '../../src/orders/rules.ts';
import { searchCandidates } from '../../src/orders/search-grams.ts';
import { testStores } from '../support/module-ports.ts';
import { FakeClock } from '../support/fake-time.ts';
import { amazonOrder } from '../support/amazon-orders.ts';
import type { Knex } from 'knex';

describeEachDatabase('new orders of two stores stored at once', (db) => {
  const clock = new FakeClock(new Date('2026-11-26T10:00:00.000Z'));
  let repository: OrderRepository;
  let storeA: number;
  let storeB: number;

  before(async () => {
    await migrateModule(db().knex);
    const { stores } = testStores(db().knex, clock);
    storeA = (await stores.add({ name: 'A', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2CONCURRENT1', clientId: 'c', clientSecret: 's', refreshToken: 'r' })).id;
    storeB = (await stores.add({ name: 'B', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2CONCURRENT2', clientId: 'c', clientSecret: 's', refreshToken: 'r' })).id;
    repository = new OrderRepository(db().knex, clock);
  });

  const storeNew = (trx: Knex.Transaction, storeId: number, orderId: string, buyerName: string) => {
    const order = amazonOrder({ orderId, buyer: { buyerName, buyerEmail: 'b@marketplace.amazon.example' } });
    const snapshot = snapshotFromAmazon(order, 'ATVPDKIKX0DER');
    return repository.upsertFromAmazon(trx, storeId, order, snapshot, importDecision(snapshot, { importEnabled: true }, new Date('2026-11-01T00:00:00Z')) as 'import');
  };

  it('neither waits for the other, and both orders are found by buyer and number', async () => {
    const a = await db().knex.transaction();
    // On SQLite (one connection) the second transaction starts once the first committed; on MariaDB at once.
    const b = db().knex.transaction();
    try {
      expect(await storeNew(a, storeA, '111-0000001-0000001', 'Ada Lovelace')).to.equal('new');
      const second = b.then((trx) => storeNew(trx, storeB, '222-0000001-0000001', 'Grace Hopper'));
      // On MariaDB it must not wait for the first at all.
      if (db().kind === 'mysql') expect(await second).to.equal('new');
      expect(await storeNew(a, storeA, '111-0000002-0000002', 'Alan Turing')).to.equal('new');
      await a.commit();
      expect(await second).to.equal('new');
      await (await b).commit();
    } finally {
      if (!a.isCompleted()) await a.rollback().catch(() => undefined);
      const trx = await b;
      if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
    }
    for (const [storeId, text, expected] of [[storeA, 'turing', 1], [storeB, 'hopper', 1], [storeB, '0000001', 1]] as const) {
      const candidates = await searchCandidates(db().knex, storeId, text === '0000001' ? 'orderNumber' : 'buyer', text);
      expect(candidates, text).to.not.equal(null);
      expect(await candidates!.orderIds, `${text} in store ${storeId}`).to.have.length(expected);
    }
  });
});
