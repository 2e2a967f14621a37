/**
 * Brute-force protection of the admin sign-in, with rate-limiter-flexible's counters in the
 * host's database (`host_login_limit`), so every process and host sharing it counts together and
 * a restart forgets nothing. Failures are counted by the username as typed (existing or not, so
 * the answer never tells which) and by the client address:
 *   - 5 failures in a row for one username from one address lock that pair for 15 minutes;
 *   - 20 failures for one username within an hour, from anywhere, lock it for an hour;
 *   - 100 failures from one address within a day lock that address for a day.
 * A locked sign-in is refused whatever the password, so a lock cannot be tested for the right one.
 * A success clears the username-and-address count.
 */
import type { Knex } from 'knex';
import { RateLimiterMySQL, RateLimiterRes, RateLimiterSQLite, type IRateLimiterStoreNoAutoExpiryOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { isSqlite } from '../../src/db/schema.ts';

export const LOGIN_LIMIT_TABLE = 'host_login_limit';

interface Limit {
  keyPrefix: string;
  points: number;
  /** Counting window, seconds. */
  duration: number;
  /** Lock once over, seconds. */
  blockDuration: number;
}

export const LOGIN_LIMITS = {
  userAndAddress: { keyPrefix: 'login_user_ip', points: 5, duration: 60 * 60, blockDuration: 15 * 60 },
  user: { keyPrefix: 'login_user', points: 20, duration: 60 * 60, blockDuration: 60 * 60 },
  address: { keyPrefix: 'login_ip', points: 100, duration: 24 * 60 * 60, blockDuration: 24 * 60 * 60 },
} as const satisfies Record<string, Limit>;

export type LoginCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class LoginThrottle {
  private readonly limiters: Record<keyof typeof LOGIN_LIMITS, RateLimiterAbstract>;

  constructor(
    knex: Knex,
    private readonly limits: Record<keyof typeof LOGIN_LIMITS, Limit> = LOGIN_LIMITS,
  ) {
    const make = (limit: Limit): RateLimiterAbstract => {
      const options: IRateLimiterStoreNoAutoExpiryOptions = { ...limit, storeClient: knex, storeType: 'knex', tableName: LOGIN_LIMIT_TABLE, tableCreated: true, clearExpiredByTimeout: false };
      return isSqlite(knex) ? new RateLimiterSQLite(options) : new RateLimiterMySQL({ ...options, dbName: knex.client.config.connection.database });
    };
    this.limiters = { userAndAddress: make(limits.userAndAddress), user: make(limits.user), address: make(limits.address) };
  }

  private keys(username: string, address: string) {
    const user = username.trim().toLowerCase();
    return { userAndAddress: `${user}|${address}`, user, address };
  }

  /** Whether a sign-in may be tried now; refused while any of its counts is locked. */
  async check(username: string, address: string): Promise<LoginCheck> {
    const keys = this.keys(username, address);
    let wait = 0;
    for (const name of Object.keys(this.limiters) as Array<keyof typeof LOGIN_LIMITS>) {
      const state = await this.limiters[name].get(keys[name]);
      if (state !== null && state.consumedPoints > this.limits[name].points) wait = Math.max(wait, state.msBeforeNext);
    }
    return wait > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(wait / 1000) } : { allowed: true };
  }

  /** Counts a failed sign-in. */
  async failed(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    for (const name of Object.keys(this.limiters) as Array<keyof typeof LOGIN_LIMITS>) {
      // Over the limit the library rejects with the state instead of resolving: the lock is set either way.
      await this.limiters[name].consume(keys[name]).catch((rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
      });
    }
  }

  async succeeded(username: string, address: string): Promise<void> {
    await this.limiters.userAndAddress.delete(this.keys(username, address).userAndAddress);
  }
}
