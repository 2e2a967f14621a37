/** The client on a real database: the communication errors log and the shared rate limiter. */
import { expect } from 'chai';
import { createSpApiClient } from '../../src/amazon/client.ts';
import { AmazonApiError, AmazonRateLimitWaitError } from '../../src/amazon/errors.ts';
import type { RateLimitWaitEvent } from '../../src/amazon/http.ts';
import { RATE_BUCKET_TABLE } from '../../src/amazon/rate-limiter.ts';
import { fromDb } from '../../src/db/time.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { migrateModule } from '../support/module-database.ts';
import { useFakeAmazon } from '../support/fake-amazon.ts';
import { FakeClock, fakeSleep } from '../support/fake-time.ts';
import { CapturingLogger, StaticTokens, order, testStore } from '../support/amazon-fixtures.ts';
import type { AmazonStoreConnection, SpApiClientDependencies } from '../../src/amazon/client.ts';

const ORDER_PATH = '/orders/2026-01-01/orders/111-0000001-0000001';

describeEachDatabase('SP-API client with the database', (db) => {
  const amazon = useFakeAmazon();
  let storeId: number;

  before(async () => {
    const { knex } = db();
    await migrateModule(knex);
    const now = new Date();
    const [id] = await knex('amazon_store').insert({
      name: 'Test US store', region: 'na', marketplace_id: 'ATVPDKIKX0DER', seller_id: 'A1SELLER', sp_api_endpoint: amazon.url,
      lwa_endpoint: amazon.url, client_id: 'c', credentials_encrypted: 'e', status: 'active', integrated_at: now, created_at: now, updated_at: now,
    });
    storeId = Number(id);
  });
  beforeEach(async () => {
    await db().knex(RATE_BUCKET_TABLE).delete();
    await db().knex('amazon_api_error').delete();
  });
  function client(store: Partial<AmazonStoreConnection> = {}, deps: Partial<SpApiClientDependencies> = {}) {
    const clock = new FakeClock();
    const sleep = fakeSleep(clock);
    const client = createSpApiClient(testStore(amazon.url, { storeId, ...store }), {
      database: db().knex,
      clock,
      logger: new CapturingLogger(),
      sleep,
      tokens: new StaticTokens(),
      ...deps,
    });
    return { client, clock, sleep };
  }

  it('writes a call that finally failed to amazon_api_error', async () => {
    amazon.on('GET', ORDER_PATH, () => ({ status: 400, json: { errors: [{ code: 'InvalidInput', message: 'Invalid Input' }] } }));
    const { client: c, clock } = client();
    const error = (await c.orders.getOrder('111-0000001-0000001').catch((e: unknown) => e)) as AmazonApiError;
    expect(error).to.be.instanceOf(AmazonApiError);
    const rows = await db().knex('amazon_api_error').select();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ operation: 'getOrder', code: 'InvalidInput', request_id: 'req-1', message: error.message });
    expect(Number(rows[0].store_id)).to.equal(storeId);
    expect(Number(rows[0].http_status)).to.equal(400);
    expect(fromDb(rows[0].created_at).toISOString()).to.equal(clock.now().toISOString());
  });

  it('waits for the shared bucket and tells the caller how long', async () => {
    amazon.on('GET', ORDER_PATH, () => ({ status: 200, json: { order: order() } }));
    const waits: RateLimitWaitEvent[] = [];
    // Burst 2 keeps 1 usable token (one of headroom); the second call waits 1/rate.
    const { client: c, sleep } = client({ ratePlans: { getOrder: { rate: 0.5, burst: 2 } } }, { onRateLimitWait: (event) => waits.push(event) });
    await c.orders.getOrder('111-0000001-0000001');
    await c.orders.getOrder('111-0000001-0000001');
    expect(waits).to.deep.equal([{ storeName: 'Test US store', operation: 'getOrder', waitMs: 2000 }]);
    expect(sleep.calls).to.deep.equal([2000]);
    const row = await db().knex(RATE_BUCKET_TABLE).where({ bucket_key: 'sp-api:A1SELLER:getOrder' }).first();
    expect(Number(row.rate)).to.equal(0.5);
    expect(Number(row.burst)).to.equal(2);
  });

  it('refuses to wait longer than maxRateLimitWaitMs, sending nothing', async () => {
    amazon.on('GET', '/orders/2026-01-01/orders', () => ({ status: 200, json: { orders: [] } }));
    const { client: c } = client({}, { maxRateLimitWaitMs: 60_000 });
    // Documented searchOrders plan: burst 20 (19 usable), then one per ~180 s.
    for (let i = 0; i < 19; i++) await c.orders.searchOrders({ lastUpdatedAfter: '2026-11-20T00:00:00Z' });
    const error = await c.orders.searchOrders({ lastUpdatedAfter: '2026-11-20T00:00:00Z' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonRateLimitWaitError);
    expect((error as AmazonRateLimitWaitError).waitMs).to.be.closeTo(1000 / 0.0056, 1);
    expect(amazon.requests).to.have.length(19);
  });

  it('stores the rate Amazon reports in the shared bucket', async () => {
    amazon.on('GET', ORDER_PATH, () => ({ status: 200, json: { order: order() }, headers: { 'x-amzn-RateLimit-Limit': '2.0' } }));
    const { client: c } = client();
    await c.orders.getOrder('111-0000001-0000001');
    const row = await db().knex(RATE_BUCKET_TABLE).where({ bucket_key: 'sp-api:A1SELLER:getOrder' }).first();
    expect(Number(row.rate)).to.equal(2);
    expect(Number(row.burst)).to.equal(30);
  });
});
