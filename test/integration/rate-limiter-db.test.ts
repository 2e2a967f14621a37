import { expect } from 'chai';
import { DatabaseRateLimiter, RATE_BUCKET_TABLE } from '../../src/amazon/rate-limiter.ts';
import { AmazonRateLimitWaitError } from '../../src/amazon/errors.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { migrateModule } from '../support/module-database.ts';
import { FakeClock, fakeSleep } from '../support/fake-time.ts';
import { throttledTimes } from '../support/token-bucket.ts';

describeEachDatabase('database rate limiter', (db) => {
  before(async () => migrateModule(db().knex));
  beforeEach(async () => db().knex(RATE_BUCKET_TABLE).delete());

  it('gives the burst at once, then one token per 1/rate, refilling with time', async () => {
    const clock = new FakeClock();
    const sleep = fakeSleep(clock);
    const limiter = new DatabaseRateLimiter(db().knex, clock, { sleep, headroomTokens: 0 });
    const plan = { rate: 2, burst: 5 };
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) waits.push((await limiter.acquire('k', plan)).waitedMs);
    expect(waits).to.deep.equal([0, 0, 0, 0, 0, 500, 500]);
    expect(sleep.calls).to.deep.equal([500, 500]);

    clock.advance(1500); // 3 tokens come back
    const after: number[] = [];
    for (let i = 0; i < 4; i++) after.push((await limiter.acquire('k', plan)).waitedMs);
    expect(after).to.deep.equal([0, 0, 0, 500]);

    // The last request reserved a token owed 500 ms ahead, then slept those 500 ms.
    const row = await db().knex(RATE_BUCKET_TABLE).where({ bucket_key: 'k' }).first();
    expect(Number(row.tokens)).to.equal(-1);
    expect(Number(row.burst)).to.equal(5);
    expect(Number(row.updated_ms)).to.equal(clock.ms - 500);
  });

  it('keeps one token of headroom by default and reports waits to onWait', async () => {
    const clock = new FakeClock();
    const limiter = new DatabaseRateLimiter(db().knex, clock, { sleep: fakeSleep(clock) });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) await limiter.acquire('h', { rate: 1, burst: 5 }, { onWait: (ms) => waits.push(ms) });
    expect(waits).to.deep.equal([1000]);
  });

  it('adopts the rate Amazon reports, unless the plan is a fixed override', async () => {
    const clock = new FakeClock();
    const limiter = new DatabaseRateLimiter(db().knex, clock, { sleep: fakeSleep(clock), headroomTokens: 0 });
    const plan = { rate: 1, burst: 1 };
    await limiter.acquire('r', plan);
    await limiter.observeRate('r', 4);
    expect((await limiter.acquire('r', plan)).waitedMs).to.equal(250);
    expect((await limiter.acquire('r', { rate: 0.5, burst: 1 }, { fixedRate: true })).waitedMs).to.equal(2000);
    await limiter.observeRate('r', Number.NaN); // a garbled header changes nothing
    expect(Number((await db().knex(RATE_BUCKET_TABLE).where({ bucket_key: 'r' }).first()).rate)).to.equal(0.5);
  });

  it('drain() empties the bucket after a 429', async () => {
    const clock = new FakeClock();
    const limiter = new DatabaseRateLimiter(db().knex, clock, { sleep: fakeSleep(clock), headroomTokens: 0 });
    await limiter.acquire('d', { rate: 10, burst: 5 });
    await limiter.drain('d');
    expect((await limiter.acquire('d', { rate: 10, burst: 5 })).waitedMs).to.equal(100);
  });

  it('refuses a wait longer than maxWaitMs without taking a token', async () => {
    const clock = new FakeClock();
    const limiter = new DatabaseRateLimiter(db().knex, clock, { sleep: fakeSleep(clock), headroomTokens: 0 });
    const plan = { rate: 0.0056, burst: 1 };
    await limiter.acquire('m', plan);
    const error = await limiter.acquire('m', plan, { maxWaitMs: 60_000 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonRateLimitWaitError);
    expect((error as AmazonRateLimitWaitError).waitMs).to.be.closeTo(178_572, 1);
    const row = await db().knex(RATE_BUCKET_TABLE).where({ bucket_key: 'm' }).first();
    expect(Number(row.tokens)).to.equal(0);
  });

  it('concurrent acquirers in one process never exceed burst + rate * elapsed', async function () {
    this.timeout(20_000);
    const plan = { rate: 20, burst: 5 };
    const limiter = new DatabaseRateLimiter(db().knex, { now: () => new Date() });
    const grants: number[] = [];
    const endAt = Date.now() + 1200;
    const worker = async () => {
      while (Date.now() < endAt) {
        await limiter.acquire('c', plan);
        grants.push(Date.now());
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const elapsedS = (Math.max(...grants) - Math.min(...grants)) / 1000;
    expect(grants.length).to.be.at.most(plan.burst + plan.rate * elapsedS);
    // The stronger property: Amazon's own bucket would have admitted every one of them.
    expect(throttledTimes(grants, plan.rate, plan.burst)).to.deep.equal([]);
    // And the limiter did not starve: close to the plan (burst - headroom + rate * elapsed).
    expect(grants.length).to.be.at.least(plan.burst - 1 + plan.rate * elapsedS - 3);
  });
});
