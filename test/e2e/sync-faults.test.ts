/** The sync under Amazon's bad days: retries, invalid orders, expired page tokens, bad credentials. */
import { expect } from 'chai';
import sinon from 'sinon';
import { AmazonOrderReader } from '../../src/sync/amazon-order-reader.ts';
import { StoreLease } from '../../src/sync/store-lease.ts';
import { OrderSync } from '../../src/sync/order-sync.ts';
import { fromDb } from '../../src/db/time.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, type E2E } from '../support/e2e.ts';

describeEachDatabase('order sync faults', (db) => {
  let e: E2E;
  eachTestE2E(db, async (started) => {
    e = started;
    await e.product('MUG-RED', 1000);
  });

  it('retries 503s and counts every call', async () => {
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.amazon.addFault({ operation: 'searchOrders', kind: 'error503', count: 2 });
    e.advance(5 * MINUTE);
    const result = await e.sync();
    expect(result).to.include({ result: 'ok', imported: 1, apiCalls: 3 });
    expect(await e.hostOrder(id)).to.not.equal(null);
  });

  it('logs an order Amazon sent invalid, by id and field, and fetches it again by id instead of losing it', async () => {
    e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    // The page carries one broken order; getOrder for it answers with the whole order.
    e.amazon.addFault({ operation: 'searchOrders', kind: 'invalidOrder', variant: 'wrongType' });
    e.advance(5 * MINUTE);
    const result = await e.sync();
    expect(result).to.include({ result: 'ok', invalid: 1, seen: 2, imported: 2 });
    const logged = await db().knex('amazon_api_error').where({ code: 'InvalidOrder' });
    expect(logged).to.have.length(1);
    expect(logged[0].message).to.match(/^Order \d{3}-\d{7}-\d{7}: /);
    const invalidId = /^Order (\S+):/.exec(logged[0].message)![1];
    expect(e.amazon.requests({ operation: 'getOrder' }).map((r) => r.path)).to.deep.equal([`/orders/2026-01-01/orders/${invalidId}`]);
    expect((await e.stored(invalidId)).importState).to.equal('imported');
    expect(await db().knex('amazon_order_refetch').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
  });

  it('keeps an order that stays invalid queued, and stores it once Amazon sends it whole', async () => {
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.amazon.addFault({ operation: '*', kind: 'invalidOrder', variant: 'missingField', count: 2 });
    e.advance(5 * MINUTE);
    expect(await e.sync()).to.include({ result: 'ok', seen: 0, invalid: 1 });
    expect(await db().knex('amazon_order_refetch').first()).to.include({ amazon_order_id: id, attempts: 1 });
    expect(await e.orders.find(e.store.id, id)).to.equal(null);
    e.advance(5 * MINUTE);
    expect(await e.sync()).to.include({ result: 'ok', seen: 1, imported: 1 });
    expect(await db().knex('amazon_order_refetch').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
  });

  it('continues from the saved page after a failure, and restarts the window when the page token expired', async () => {
    const ids = Array.from({ length: 130 }, () => e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' }));
    e.advance(5 * MINUTE);
    // The run dies after storing page 1 of 2.
    const reader = e.host.container.get(AmazonOrderReader);
    const original = reader.searchPage.bind(reader);
    let calls = 0;
    const searchPage = sinon.stub(reader, 'searchPage').callsFake((...args) => (calls++ === 0 ? original(...args) : Promise.reject(new Error('connection lost'))));
    const first = await e.sync();
    expect(first).to.include({ result: 'failed', error: 'connection lost', seen: 100 });
    const state = await db().knex('amazon_sync_state').first();
    expect(state.next_token).to.be.a('string');
    searchPage.restore();

    e.amazon.expirePaginationTokens();
    const second = await e.sync();
    expect(second).to.include({ result: 'ok' });
    for (const id of ids) expect((await e.stored(id)).importState).to.equal('imported');
    expect(await db().knex('host_order').count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(130);
    expect(await db().knex('amazon_sync_state').first()).to.include({ next_token: null, last_result: 'ok' });
  });

  it('reports a store whose credentials Amazon refuses, without the secrets', async () => {
    await db().knex('amazon_store').update({
      credentials_encrypted: await e.host.services.secrets.encrypt(JSON.stringify({ clientSecret: 'wrong-secret', refreshToken: 'Atzr|wrong' })),
      updated_at: new Date(),
    });
    e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(5 * MINUTE);
    const result = await e.sync();
    expect(result.result).to.equal('failed');
    expect(result.error).to.match(/Sandbox US/);
    for (const secret of ['wrong-secret', 'Atzr|wrong']) expect(JSON.stringify(await db().knex('amazon_sync_state').first())).to.not.include(secret);
    expect(await db().knex('amazon_sync_state').first()).to.include({ last_result: 'failed' });
  });

  it('stops importing when another runner took the store over, and the next run finishes the rest once', async () => {
    for (let i = 0; i < 60; i += 1) e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(5 * MINUTE);
    // The lease holds after the page and at the start of the import, then is gone after the first batch of 50.
    const lease = e.host.container.get(StoreLease);
    const renewLease = lease.renew.bind(lease);
    let renewals = 0;
    const renew = sinon.stub(lease, 'renew').callsFake(async (...args) => (++renewals <= 2 ? renewLease(...args) : false));
    const lost = await e.sync();
    expect(lost).to.include({ result: 'failed', error: 'lost the store lease (the run took longer than the lease); stopping', imported: 50 });
    const hostOrders = async () => Number((await db().knex('host_order').count({ n: '*' }).first())?.n);
    expect(await hostOrders()).to.equal(50);
    renew.restore();
    expect(await e.sync()).to.include({ result: 'ok', imported: 10 });
    expect(await hostOrders()).to.equal(60);
  });

  it('imports nothing when the lease is lost while reading Amazon: the new owner imports from fresher data', async () => {
    for (let i = 0; i < 3; i += 1) e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(5 * MINUTE);
    const renew = sinon.stub(e.host.container.get(StoreLease), 'renew').resolves(false);
    const lost = await e.sync();
    renew.restore();
    expect(lost).to.include({ result: 'failed', imported: 0 });
    expect(Number((await db().knex('host_order').count({ n: '*' }).first())?.n)).to.equal(0);
    expect(await e.sync()).to.include({ result: 'ok', imported: 3 });
  });

  it('ends a run that would wait minutes for the rate limit, its place saved, and the next run goes on', async () => {
    const ids = [0, 1, 2].map(() => e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' }));
    e.advance(5 * MINUTE);
    // Throttled once: the bucket is empty, and a token of searchOrders (0.0056/s) takes 3 minutes.
    e.amazon.addFault({ operation: 'searchOrders', kind: 'throttle', count: 1 });
    const started = Date.now();
    const first = await e.sync();
    expect(Date.now() - started, 'a run does not wait out the 3 minutes').to.be.below(30_000);
    expect(first).to.include({ result: 'partial', imported: 0, apiCalls: 1, throttled: 1 });
    expect(first.error).to.match(/^Amazon's rate limit for sp-api:\w+:searchOrders would need a wait of 1\d\d s, more than the allowed 60 s; the next run continues from the saved page$/);
    const state = await db().knex('amazon_sync_state').where({ store_id: e.store.id }).first();
    expect([state.last_result, state.lease_owner, state.window_after === null]).to.deep.equal(['partial', null, false]);

    e.advance(3 * MINUTE);
    expect(await e.sync()).to.include({ result: 'ok', new: 3, imported: 3 });
    for (const id of ids) expect(await e.hostOrder(id)).to.not.equal(null);
  });

  it('the every-minute cron goes on with a run the rate limit stopped once its next token is due, not before', async () => {
    const ids = [0, 1].map(() => e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' }));
    e.advance(5 * MINUTE);
    e.amazon.addFault({ operation: 'searchOrders', kind: 'throttle', count: 1 });
    expect(await e.sync()).to.include({ result: 'partial', imported: 0 });
    const { resume_at: resumeAt } = await db().knex('amazon_sync_state').where({ store_id: e.store.id }).first('resume_at');
    const waitMs = fromDb(resumeAt).getTime() - e.clock.now().getTime();
    expect(waitMs).to.be.within(60_000, 180_000);

    const calls = e.amazon.requests({ operation: 'searchOrders' }).length;
    const sync = e.host.container.get(OrderSync);
    expect(await sync.runDue(), 'not due yet').to.deep.equal([]);
    e.advance(waitMs - 1_000);
    expect(await sync.runDue(), 'a second early').to.deep.equal([]);
    expect(e.amazon.requests({ operation: 'searchOrders' })).to.have.length(calls);

    e.advance(1_000);
    const [resumed] = await sync.runDue();
    expect(resumed).to.include({ result: 'ok', new: 2, imported: 2 });
    for (const id of ids) expect(await e.hostOrder(id)).to.not.equal(null);
    expect((await db().knex('amazon_sync_state').where({ store_id: e.store.id }).first('resume_at')).resume_at).to.equal(null);
    expect(await sync.runDue(), 'done: nothing to go on with').to.deep.equal([]);
  });

  it('a run asked to stop while Amazon has not answered ends at once, gives its lease back, and keeps its place', async () => {
    e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(5 * MINUTE);
    e.amazon.addFault({ operation: 'searchOrders', kind: 'delay', delayMs: 20_000, count: 1 });
    const stop = new AbortController();
    const before = e.amazon.requests().length;
    const waiting = setInterval(() => e.amazon.requests().length > before && stop.abort(), 5); // after the LWA call
    const started = Date.now();
    const [result] = await e.host.container.get(OrderSync).run({ storeId: e.store.id, signal: stop.signal });
    clearInterval(waiting);
    expect(Date.now() - started).to.be.below(10_000);
    expect(result).to.include({ result: 'partial', error: 'stopped, as asked; the next run continues from the saved page', imported: 0 });
    expect(await e.host.container.get(StoreLease).holder(e.store.id)).to.deep.equal({ owner: null, expiresAt: null });
    e.amazon.clearFaults();
    e.advance(MINUTE);
    expect(await e.sync()).to.include({ result: 'ok', imported: 1 });
  });
});
