/**
 * The daily totals behind the dashboard chart, on both databases: every way the repository changes
 * an order keeps them equal to a count of the orders themselves, a rolled-back change leaves them
 * alone, concurrent changes lose nothing, and the migration counts the orders stored before it.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../support/databases.ts';
import { moduleMigrations } from '../support/module-database.ts';
import { migrateDown, migrateLatest } from '../../sandbox/host/migrator.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { importDecision } from '../../src/orders/rules.ts';
import { DAILY_TOTALS_TABLE, readDailyTotals, utcDay } from '../../src/orders/daily-totals.ts';
import { transaction } from '../../src/db/transaction.ts';
import { fromDb } from '../../src/db/time.ts';
import { testStores } from '../support/module-ports.ts';
import { FakeClock } from '../support/fake-time.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import type { Order } from '../../src/amazon/models.ts';
import { rejection } from '../support/assert.ts';

type Totals = Record<string, { orders: number; revenueE4: string }>;

/** The table, without the rows that count nothing. */
async function storedTotals(knex: Knex): Promise<Totals> {
  const rows: Array<Record<string, unknown>> = await knex(DAILY_TOTALS_TABLE).select();
  const totals: Totals = {};
  for (const row of rows) {
    if (Number(row.orders) === 0 && BigInt(String(row.revenue_e4)) === 0n) continue;
    totals[[row.store_id, row.day, row.status, row.currency_code].join('|')] = { orders: Number(row.orders), revenueE4: String(row.revenue_e4) };
  }
  return totals;
}

/** What the table must hold: the orders counted one by one in JS. */
async function countedTotals(knex: Knex): Promise<Totals> {
  const rows: Array<Record<string, unknown>> = await knex('amazon_order').select('store_id', 'purchase_date', 'status', 'currency_code', 'grand_total_e4');
  const totals: Record<string, { orders: number; revenue: bigint }> = {};
  for (const row of rows) {
    const key = [row.store_id, fromDb(row.purchase_date).toISOString().slice(0, 10), row.status, row.currency_code ?? ''].join('|');
    totals[key] ??= { orders: 0, revenue: 0n };
    totals[key].orders += 1;
    totals[key].revenue += row.grand_total_e4 === null ? 0n : BigInt(String(row.grand_total_e4));
  }
  return Object.fromEntries(Object.entries(totals).map(([key, t]) => [key, { orders: t.orders, revenueE4: t.revenue.toString() }]));
}

const orderId = (n: number) => `114-0000000-${String(n).padStart(7, '0')}`;

describeEachDatabase('daily order totals', (db) => {
  const clock = new FakeClock(new Date('2026-11-26T10:00:00.000Z'));
  let repository: OrderRepository;
  let storeId: number;
  let otherStoreId: number;

  const store = (order: Order, intoStore = storeId) => {
    const snapshot = snapshotFromAmazon(order, 'ATVPDKIKX0DER');
    const decision = importDecision(snapshot, { importEnabled: true }, new Date('2026-11-01T00:00:00Z'));
    if (decision === 'hidden') throw new Error('the test order predates the integration');
    return transaction(db().knex, (trx) => repository.upsertFromAmazon(trx, intoStore, order, snapshot, decision));
  };
  const version = (n: number, overrides: { day: string; total: string | null; currency?: string; status?: string; updated: string }) =>
    amazonOrder({
      orderId: orderId(n),
      createdTime: `${overrides.day}T23:59:59.999Z`,
      lastUpdatedTime: overrides.updated,
      fulfillment: { fulfillmentStatus: (overrides.status ?? 'UNSHIPPED') as never, fulfilledBy: 'MERCHANT' },
      proceeds: overrides.total === null ? {} : { grandTotal: { amount: overrides.total, currencyCode: overrides.currency ?? 'USD' } },
      orderItems: [amazonItem({ qty: 1, unitPrice: overrides.total ?? '0.00' })],
    });
  const find = async (n: number) => (await repository.find(storeId, orderId(n)))!;

  before(async () => {
    await migrateLatest(db().knex, moduleMigrations);
    const { stores } = testStores(db().knex, clock);
    storeId = (await stores.add({ name: 'Daily', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2DAILY0001', clientId: 'c', clientSecret: 's', refreshToken: 'r' })).id;
    otherStoreId = (await stores.add({ name: 'Daily 2', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2DAILY0002', clientId: 'c', clientSecret: 's', refreshToken: 'r' })).id;
    repository = new OrderRepository(db().knex, clock);
  });

  it('follows every change the repository makes to an order: new, newer versions, local status, totals and currencies', async () => {
    const { knex } = db();
    await store(version(1, { day: '2026-11-20', total: '10.50', updated: '2026-11-21T00:00:00Z' }));
    await store(version(2, { day: '2026-11-20', total: '0.05', updated: '2026-11-21T00:00:00Z' }));
    await store(version(3, { day: '2026-11-21', total: '99.99', currency: 'EUR', updated: '2026-11-21T00:00:00Z' }));
    await store(version(4, { day: '2026-11-21', total: null, status: 'PENDING', updated: '2026-11-21T00:00:00Z' }));
    await store(version(5, { day: '2026-11-21', total: '7.00', updated: '2026-11-21T00:00:00Z' }), otherStoreId);
    expect(await storedTotals(knex)).to.deep.equal(await countedTotals(knex));
    expect(Object.keys(await storedTotals(knex))).to.have.length(4);

    // Newer versions: shipped, a grand total Amazon corrected, a Pending order now priced.
    await store(version(1, { day: '2026-11-20', total: '10.50', status: 'SHIPPED', updated: '2026-11-22T00:00:00Z' }));
    await store(version(2, { day: '2026-11-20', total: '0.07', updated: '2026-11-22T00:00:00Z' }));
    await store(version(4, { day: '2026-11-21', total: '3.30', updated: '2026-11-22T00:00:00Z' }));
    // Older and same versions change nothing.
    await store(version(1, { day: '2026-11-20', total: '10.50', updated: '2026-11-21T12:00:00Z' }));
    await store(version(3, { day: '2026-11-21', total: '99.99', currency: 'EUR', updated: '2026-11-21T00:00:00Z' }));
    expect(await storedTotals(knex)).to.deep.equal(await countedTotals(knex));

    // The module's own word: Error, then back; the local status outlives a newer Amazon version.
    await repository.update((await find(2)).id, { local_status: 'Error', status: 'Error' });
    await store(version(2, { day: '2026-11-20', total: '0.07', status: 'SHIPPED', updated: '2026-11-23T00:00:00Z' }));
    expect((await find(2)).status).to.equal('Error');
    const canceled = await find(3);
    await transaction(knex, (trx) => repository.update(canceled.id, { status: 'Canceled', note: 'Canceled on Amazon' }, trx));
    // A change that moves nothing in the totals (the PII purge).
    await repository.update((await find(1)).id, { buyer_name: null, buyer_search: null });
    expect(await storedTotals(knex)).to.deep.equal(await countedTotals(knex));
    expect((await storedTotals(knex))[`${storeId}|2026-11-20|Error|USD`]).to.deep.equal({ orders: 1, revenueE4: '700' });
  });

  it('writes the moves when the transaction commits, and none when it rolls back', async () => {
    const { knex } = db();
    const before = await storedTotals(knex);
    const order = await find(1);
    const failure = new Error('the work failed after the move');
    let seenInside: Totals | null = null;
    const error = await rejection(
      transaction(knex, async (trx) => {
        await repository.update(order.id, { status: 'Completed', local_status: 'Completed' }, trx);
        seenInside = await storedTotals(trx as unknown as Knex);
        throw failure;
      }),
    );
    expect(error).to.equal(failure);
    // Deferred to the commit: not written while the work ran, and never, as it failed.
    expect(seenInside).to.deep.equal(before);
    expect(await storedTotals(knex)).to.deep.equal(before);
    expect((await find(1)).status).to.equal(order.status);
  });

  it('loses no move when many transactions change orders of the same day at once', async () => {
    const { knex } = db();
    const numbers = Array.from({ length: 24 }, (_, i) => 100 + i);
    // Stored one after another, as the one sync of a store does.
    for (const n of numbers) await store(version(n, { day: '2026-11-24', total: `${n}.25`, updated: '2026-11-24T00:00:00Z' }));
    const ids = await Promise.all(numbers.map(async (n) => (await find(n)).id));
    // Opposite moves between the same rows (the importer, fulfillment), and newer versions beside them.
    await Promise.all([
      ...ids.map((id, i) => repository.update(id, i % 2 === 0 ? { status: 'Error', local_status: 'Error' } : { status: 'Completed', local_status: 'Completed' })),
      ...numbers.map((n) => store(version(n, { day: '2026-11-24', total: `${n}.75`, status: 'SHIPPED', updated: '2026-11-25T00:00:00Z' }))),
    ]);
    await Promise.all(ids.map((id, i) => repository.update(id, i % 2 === 0 ? { status: 'Completed', local_status: 'Completed' } : { status: 'Error', local_status: 'Error' })));
    expect(await storedTotals(knex)).to.deep.equal(await countedTotals(knex));
    const day = await readDailyTotals(knex, storeId, '2026-11-24', '2026-11-24', ['Completed', 'Error']);
    expect(day.reduce((sum, row) => sum + row.orders, 0)).to.equal(24);
    expect(day.reduce((sum, row) => sum + row.revenueE4, 0n)).to.equal(numbers.reduce((sum, n) => sum + BigInt(n) * 10_000n + 7_500n, 0n));
  });

  it('creates the rows of many new days at once, losing none', async () => {
    const { knex } = db();
    // One order on each of twelve days, then each moved at the same moment to a status no order of its day had: twelve new rows side by side.
    const days = Array.from({ length: 12 }, (_, i) => `2026-11-${String(2 + i).padStart(2, '0')}`);
    for (const [i, day] of days.entries()) await store(version(300 + i, { day, total: '1.00', updated: '2026-11-24T00:00:00Z' }));
    const ids = await Promise.all(days.map(async (_, i) => (await find(300 + i)).id));
    await Promise.all(ids.map((id) => repository.update(id, { status: 'Error', local_status: 'Error' })));
    expect(await storedTotals(knex)).to.deep.equal(await countedTotals(knex));
  });

  it("reads where an order counted under its row lock: a change waiting for the sync's transaction moves it from where that left it", async () => {
    const { knex } = db();
    await store(version(200, { day: '2026-11-25', total: '5.00', updated: '2026-11-25T00:00:00Z' }));
    const { id } = await find(200);
    const newer = version(200, { day: '2026-11-25', total: '6.00', status: 'SHIPPED', updated: '2026-11-25T06:00:00Z' });
    const snapshot = snapshotFromAmazon(newer, 'ATVPDKIKX0DER');
    let stored!: () => void;
    let commit!: () => void;
    const storedInSync = new Promise<void>((resolve) => (stored = resolve));
    const sync = transaction(knex, async (trx) => {
      await repository.upsertFromAmazon(trx, storeId, newer, snapshot, 'import');
      stored();
      await new Promise<void>((resolve) => (commit = resolve));
    });
    await storedInSync;
    const fulfillment = repository.update(id, { status: 'Error', local_status: 'Error' });
    // MySQL: the change waits for the order's row lock (SQLite: for the one writer) while the sync's
    // transaction is open. InnoDB refreshes innodb_trx at most every 0.1 s, and not while it is read more often.
    if (!String(knex.client.config.client).includes('sqlite')) {
      const waiting = async () => Number((await knex.raw("select count(*) as n from information_schema.innodb_trx where trx_state = 'LOCK WAIT'"))[0][0].n);
      while ((await waiting()) < 1) await new Promise((r) => setTimeout(r, 150));
    }
    commit();
    await Promise.all([sync, fulfillment]);
    expect(await storedTotals(knex)).to.deep.equal(await countedTotals(knex));
    expect((await storedTotals(knex))[`${storeId}|2026-11-25|Error|USD`]).to.deep.equal({ orders: 1, revenueE4: '60000' });
  });

  it('the migration counts the orders stored before it, by UTC day', async () => {
    const { knex } = db();
    let down: string | null;
    do down = await migrateDown(knex, moduleMigrations);
    while (down !== null && down !== '20261207000100_create_order_daily_totals');
    expect(await knex.schema.hasTable(DAILY_TOTALS_TABLE)).to.equal(false);
    const now = new Date('2026-11-26T09:45:13.123Z');
    const row = (n: number, purchased: string, status: string, e4: string | null) => ({
      store_id: otherStoreId, amazon_order_id: orderId(n), marketplace_id: 'ATVPDKIKX0DER', purchase_date: new Date(purchased), amazon_updated_at: now,
      amazon_status: 'UNSHIPPED', status, fulfilled_by: 'MERCHANT', grand_total_amount: e4 === null ? null : '1.00', grand_total_e4: e4,
      currency_code: e4 === null ? null : 'USD', raw: '{}', import_state: 'ready', created_at: now, updated_at: now,
    });
    // Both sides of a UTC midnight.
    await knex('amazon_order').insert([
      row(900, '2026-11-25T23:59:59.999Z', 'Unshipped', '123456789012345'),
      row(901, '2026-11-26T00:00:00.000Z', 'Unshipped', '10000'),
      row(902, '2026-11-26T00:00:00.001Z', 'Pending', null),
    ]);
    await migrateLatest(knex, moduleMigrations);
    const totals = await storedTotals(knex);
    expect(totals).to.deep.equal(await countedTotals(knex));
    expect(totals[`${otherStoreId}|2026-11-25|Unshipped|USD`]).to.deep.equal({ orders: 1, revenueE4: '123456789012345' });
    expect(totals[`${otherStoreId}|2026-11-26|Unshipped|USD`]).to.deep.equal({ orders: 1, revenueE4: '10000' });
    expect(totals[`${otherStoreId}|2026-11-26|Pending|`]).to.deep.equal({ orders: 1, revenueE4: '0' });
    expect(utcDay(new Date('2026-11-26T00:00:00.000Z'))).to.equal('2026-11-26');
  });
});
