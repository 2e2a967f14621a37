/**
 * The CSV export's reading while a sync writes: orders inserted between two batches, sorting before
 * and after the export's position, must not make a row repeat or go missing, for every sort column
 * and direction, on both databases.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../support/databases.ts';
import { createAdminHarness, putOrder, type AdminHarness } from '../support/admin-harness.ts';
import { amazonOrder } from '../support/amazon-orders.ts';
import { orderGridPage, orderGridRows, SORTABLE_COLUMNS, type OrderGridSort, type SortColumn } from '../../src/orders/order-grid.ts';
import type { AmazonStore } from '../../src/stores/store.ts';

const STATUSES = ['UNSHIPPED', 'PENDING', 'SHIPPED', 'CANCELLED', 'PARTIALLY_SHIPPED'] as const;
const BATCH = 4;

describeEachDatabase('CSV export reading during a sync', (db) => {
  let h: AdminHarness;
  let store: AmazonStore;
  let inserted = 0;
  const knex = (): Knex => db().knex;

  /** An order that sorts before every other ("low": NULLs, earliest, smallest) or after them ("high"). */
  async function insertExtreme(kind: 'low' | 'high') {
    const n = String(++inserted).padStart(7, '0');
    const low = kind === 'low';
    const order = await putOrder(h, knex(), store.id, amazonOrder({
      orderId: `${low ? '000' : '999'}-0000000-${n}`,
      createdTime: new Date(Date.parse(low ? '2026-01-02T00:00:00Z' : '2026-12-30T00:00:00Z') + inserted * 60_000).toISOString(),
      lastUpdatedTime: low ? '2026-01-02T01:00:00Z' : '2026-12-30T01:00:00Z',
      buyer: low ? undefined : { buyerName: 'Zzz Late' },
      proceeds: low ? undefined : { grandTotal: { amount: '99999.00', currencyCode: 'USD' } },
      fulfillment: { fulfillmentStatus: low ? 'CANCELLED' : 'UNSHIPPED', fulfilledBy: 'MERCHANT' },
    }));
    if (!low) await knex()('amazon_order').where({ id: order.id }).update({ note: 'zzz' });
  }

  before(async () => {
    h = await createAdminHarness(knex());
    store = await h.stores.add({ name: 'US Store', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0001', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
    for (let i = 0; i < 18; i++) {
      const order = await putOrder(h, knex(), store.id, amazonOrder({
        orderId: `113-0000000-${String(i).padStart(7, '0')}`,
        createdTime: `2026-11-${String((i % 6) + 1).padStart(2, '0')}T10:00:00Z`,
        lastUpdatedTime: '2026-11-10T10:00:00Z',
        // Ties and NULLs on purpose: the id must order them, in both directions.
        buyer: i % 4 === 0 ? undefined : { buyerName: ['Ann', 'bob', 'Ann'][i % 3] },
        proceeds: i % 5 === 0 ? undefined : { grandTotal: { amount: `${10 + (i % 4)}.50`, currencyCode: 'USD' } },
        fulfillment: { fulfillmentStatus: STATUSES[i % STATUSES.length], fulfilledBy: 'MERCHANT' },
      }));
      if (i % 3 !== 0) await knex()('amazon_order').where({ id: order.id }).update({ note: ['', 'Blocked: x', 'Imported as order #1'][i % 3] });
    }
  });

  // Each case starts from the same 18 orders.
  afterEach(async () => {
    await knex()('amazon_order').where({ store_id: store.id }).where((q) => q.where('amazon_order_id', 'like', '000-%').orWhere('amazon_order_id', 'like', '999-%')).delete();
  });

  for (const column of Object.keys(SORTABLE_COLUMNS) as SortColumn[]) {
    for (const direction of ['asc', 'desc'] as const) {
      it(`sorted by ${column} ${direction}: every order there at the start exactly once, in order`, async () => {
        const sort: OrderGridSort = { column, direction };
        const filter = { storeId: store.id };
        const before = (await orderGridPage(knex(), filter, sort)).map((row) => row.id);
        const exported: number[] = [];
        for await (const row of orderGridRows(knex(), filter, sort, BATCH)) {
          exported.push(row.id);
          // Between two batches, the sync stores orders on both sides of the export's position.
          if (exported.length % BATCH === 0) {
            await insertExtreme('low');
            await insertExtreme('high');
          }
        }
        expect(exported.length).to.be.greaterThan(before.length);
        expect(new Set(exported).size, 'no row twice').to.equal(exported.length);
        const known = new Set(before);
        expect(exported.filter((id) => known.has(id)), 'the orders that were there, in the grid order').to.deep.equal(before);
      });
    }
  }
});
