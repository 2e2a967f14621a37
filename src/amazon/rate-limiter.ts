/**
 * Token buckets shared through the database (table `amazon_rate_bucket`), so that every process on
 * every host using the same database together stays within Amazon's usage plan for a seller.
 *
 * A request *reserves* a token in one short transaction and then sleeps until that token exists:
 * the bucket may go negative (tokens owed), which orders waiters first come, first served and
 * needs one transaction per request however long the wait. Waiting happens outside the
 * transaction, so nobody holds a lock while sleeping.
 *
 * Atomicity: MySQL/MariaDB lock the row with SELECT ... FOR UPDATE. SQLite has no row locks and a
 * read-then-write transaction fails with SQLITE_BUSY when another process wrote in between, so the
 * transaction writes first (a no-op UPDATE of the row takes the database write lock, waiting on the
 * busy timeout) and only then reads.
 *
 * Headroom: the bucket is modelled with `burst - headroomTokens` capacity (default one token less
 * than Amazon's). Amazon counts a request when it arrives, we count it when we send it; network
 * jitter can bunch arrivals closer than we sent them, and one token of slack absorbs up to 1/rate
 * seconds of jitter at the cost of one burst token.
 *
 * Time comes from the injected clock (processes on several hosts need synchronized clocks; a host
 * whose clock is behind never refills early, see `reserveToken`).
 */
import type { Knex } from 'knex';
import type { ClockPort } from '../host/ports.ts';
import { isSqlite } from '../db/schema.ts';
import { assertRatePlan, type RatePlan } from './config.ts';
import { AmazonCallAborted, AmazonRateLimitWaitError } from './errors.ts';
import { realSleep, type Sleep } from './retry.ts';
import { transaction } from '../db/transaction.ts';

export const RATE_BUCKET_TABLE = 'amazon_rate_bucket';

export interface AcquireOptions {
  /** Told how long the request must wait for a token, before it waits (e.g. to tell the CLI user). */
  onWait?: (waitMs: number) => void;
  /** Refuse (AmazonRateLimitWaitError, no token taken) instead of waiting longer than this. */
  maxWaitMs?: number;
  /**
   * The plan's rate is an explicit override: it replaces the stored rate. Otherwise the stored rate
   * (seeded from the plan, then adjusted from x-amzn-RateLimit-Limit) is used.
   */
  fixedRate?: boolean;
  /** Ends the wait early when aborted: the token is given back and AmazonCallAborted thrown. */
  signal?: AbortSignal;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket, waiting as long as needed; returns the wait. */
  acquire(key: string, plan: RatePlan, options?: AcquireOptions): Promise<{ waitedMs: number }>;
  /** Amazon said the rate (x-amzn-RateLimit-Limit): refill at that rate from now on. */
  observeRate(key: string, rate: number): Promise<void>;
  /** Amazon answered 429: its bucket is empty, so ours must be too. */
  drain(key: string): Promise<void>;
}

/** The bucket key: Amazon limits per seller (and application) and operation. */
export function bucketKey(sellerId: string, operation: string): string {
  return `sp-api:${sellerId}:${operation}`;
}

export interface BucketState {
  /** May be negative: tokens reserved by requests still waiting. */
  tokens: number;
  /** Tokens per second. */
  rate: number;
  burst: number;
  /** When `tokens` was last brought up to date (epoch ms). */
  updatedMs: number;
}

export function capacity(burst: number, headroomTokens: number): number {
  return Math.max(1, burst - headroomTokens);
}

/**
 * Brings the bucket up to `nowMs` at its current rate, capped at its capacity. Elapsed time never
 * counts negative and `updatedMs` never moves backwards, so a clock behind the others only makes
 * the bucket slower, never faster.
 */
export function refill(state: BucketState, nowMs: number, headroomTokens: number): BucketState {
  const elapsedMs = Math.max(0, nowMs - state.updatedMs);
  const tokens = Math.min(capacity(state.burst, headroomTokens), state.tokens + (elapsedMs * state.rate) / 1000);
  return { ...state, tokens, updatedMs: Math.max(state.updatedMs, nowMs) };
}

/**
 * The reservation: refills to `nowMs`, takes one token and says how long to wait until that token
 * exists (0 when it already does). The bucket goes negative by the tokens owed to waiters.
 */
export function reserveToken(state: BucketState, nowMs: number, headroomTokens: number): { next: BucketState; waitMs: number } {
  const refilled = refill(state, nowMs, headroomTokens);
  const tokens = refilled.tokens - 1;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens / refilled.rate) * 1000);
  return { next: { ...refilled, tokens }, waitMs };
}

interface BucketRow {
  tokens: number | string;
  rate: number | string;
  burst: number | string;
  updated_ms: number | string;
}

export interface DatabaseRateLimiterOptions {
  sleep?: Sleep;
  /** Tokens of Amazon's burst kept unused as a margin for network jitter (default 1). */
  headroomTokens?: number;
}

export class DatabaseRateLimiter implements RateLimiter {
  private readonly sleep: Sleep;
  private readonly headroomTokens: number;

  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
    options: DatabaseRateLimiterOptions = {},
  ) {
    this.sleep = options.sleep ?? realSleep;
    this.headroomTokens = options.headroomTokens ?? 1;
  }

  async acquire(key: string, plan: RatePlan, options: AcquireOptions = {}): Promise<{ waitedMs: number }> {
    assertRatePlan(plan, key);
    const waitMs = await this.reserve(key, plan, options);
    if (waitMs > 0) {
      options.onWait?.(waitMs);
      await this.sleep(waitMs, options.signal);
    }
    if (options.signal?.aborted) {
      // The reserved token was never used: back into the bucket, so others do not wait for it.
      await this.update(key, (state) => ({ ...state, tokens: Math.min(state.tokens + 1, capacity(state.burst, this.headroomTokens)) }));
      throw new AmazonCallAborted(key);
    }
    return { waitedMs: waitMs };
  }

  async observeRate(key: string, rate: number): Promise<void> {
    if (!(Number.isFinite(rate) && rate > 0)) return;
    await this.update(key, (state) => {
      // Rates are small decimals ("0.0056"): compare with a tolerance to skip needless writes.
      if (Math.abs(state.rate - rate) <= rate * 1e-9) return null;
      return { ...state, rate };
    });
  }

  async drain(key: string): Promise<void> {
    await this.update(key, (state) => (state.tokens <= 0 ? null : { ...state, tokens: 0 }));
  }

  /** Reserves a token; returns the wait. Inserts the bucket (full) when it does not exist yet. */
  private async reserve(key: string, plan: RatePlan, options: AcquireOptions): Promise<number> {
    for (;;) {
      const outcome = await transaction(this.knex, async (trx) => {
        const row = await this.lockRow(trx, key);
        if (row === null) return null;
        const now = this.clock.now().getTime();
        // Refill at the stored rate up to now; a changed plan applies from now on only.
        const current = refill(this.toState(row), now, this.headroomTokens);
        current.burst = plan.burst;
        if (options.fixedRate) current.rate = plan.rate;
        const { next, waitMs } = reserveToken(current, now, this.headroomTokens);
        if (options.maxWaitMs !== undefined && waitMs > options.maxWaitMs) return { waitMs, taken: false };
        await this.write(trx, key, next);
        return { waitMs, taken: true };
      });
      if (outcome === null) {
        await this.insertIfMissing(key, plan);
        continue;
      }
      if (!outcome.taken) {
        throw new AmazonRateLimitWaitError(
          `Amazon's rate limit for ${key} would need a wait of ${Math.ceil(outcome.waitMs / 1000)} s, more than the allowed ${Math.ceil((options.maxWaitMs ?? 0) / 1000)} s`,
          key,
          outcome.waitMs,
        );
      }
      return outcome.waitMs;
    }
  }

  /** Applies `change` to an existing bucket under the lock; a missing bucket is left alone. */
  private async update(key: string, change: (state: BucketState) => BucketState | null): Promise<void> {
    await transaction(this.knex, async (trx) => {
      const row = await this.lockRow(trx, key);
      if (row === null) return;
      const now = this.clock.now().getTime();
      // Bring tokens up to date first, so a rate change applies from now on only.
      const next = change(refill(this.toState(row), now, this.headroomTokens));
      if (next !== null) await this.write(trx, key, next);
    });
  }

  private toState(row: BucketRow): BucketState {
    return { tokens: Number(row.tokens), rate: Number(row.rate), burst: Number(row.burst), updatedMs: Number(row.updated_ms) };
  }

  /** Locks the bucket row for the rest of the transaction and reads it; null when it does not exist. */
  private async lockRow(trx: Knex.Transaction, key: string): Promise<BucketRow | null> {
    if (isSqlite(this.knex)) {
      // Write first: takes SQLite's write lock before any read, so no other process can slip in.
      const changed = await trx(RATE_BUCKET_TABLE).where({ bucket_key: key }).update({ updated_ms: trx.ref('updated_ms') });
      if (changed === 0) return null;
      const row = (await trx(RATE_BUCKET_TABLE).where({ bucket_key: key }).first()) as BucketRow | undefined;
      return row ?? null;
    }
    const row = (await trx(RATE_BUCKET_TABLE).where({ bucket_key: key }).forUpdate().first()) as BucketRow | undefined;
    return row ?? null;
  }

  private async write(trx: Knex.Transaction, key: string, state: BucketState): Promise<void> {
    await trx(RATE_BUCKET_TABLE)
      .where({ bucket_key: key })
      .update({ tokens: state.tokens, rate: state.rate, burst: state.burst, updated_ms: state.updatedMs });
  }

  /** Creates the bucket full; a concurrent creator wins silently (same starting state). */
  private async insertIfMissing(key: string, plan: RatePlan): Promise<void> {
    await this.knex(RATE_BUCKET_TABLE)
      .insert({
        bucket_key: key,
        tokens: capacity(plan.burst, this.headroomTokens),
        rate: plan.rate,
        burst: plan.burst,
        updated_ms: this.clock.now().getTime(),
      })
      .onConflict('bucket_key')
      .ignore();
  }
}
