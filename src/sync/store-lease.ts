/**
 * One runner per store and lane at a time, across processes and hosts sharing the database: a
 * lease (owner + expiry) taken with a single conditional UPDATE, so two runners can never both
 * win. A runner that dies leaves a lease that expires and is taken over. Two lanes: the sync
 * (reading Amazon, importing) and the outbox (sending fulfillment), which may run side by side.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { fromDbOrNull } from '../db/time.ts';
import { errorSummary } from '../error-summary.ts';

export const LEASE_TTL_MS = 10 * 60 * 1000;

export type LeaseLane = 'sync' | 'outbox';

const COLUMNS: Record<LeaseLane, { owner: string; expires: string }> = {
  sync: { owner: 'lease_owner', expires: 'lease_expires_at' },
  outbox: { owner: 'outbox_lease_owner', expires: 'outbox_lease_expires_at' },
};

/** How the log names each lane's lease. */
const LEASE_NAMES: Record<LeaseLane, string> = { sync: 'the store lease', outbox: "the store's outbox lease" };

export interface LeaseHolder {
  owner: string | null;
  expiresAt: Date | null;
}

@injectable()
export class StoreLease {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
  ) {}

  /** Takes (or renews) the store's lease for `owner`; false when another live runner holds it. */
  async acquire(storeId: number, owner: string, lane: LeaseLane = 'sync', ttlMs = LEASE_TTL_MS): Promise<boolean> {
    const now = this.clock.now();
    const c = COLUMNS[lane];
    const taken = await this.db('amazon_sync_state')
      .where({ store_id: storeId })
      .andWhere((q) => q.whereNull(c.owner).orWhere(c.owner, owner).orWhere(c.expires, '<', now))
      .update({ [c.owner]: owner, [c.expires]: new Date(now.getTime() + ttlMs) });
    return taken === 1;
  }

  /** Extends a lease still held; false when it was lost (expired and taken over). */
  async renew(storeId: number, owner: string, lane: LeaseLane = 'sync', ttlMs = LEASE_TTL_MS): Promise<boolean> {
    const now = this.clock.now();
    const c = COLUMNS[lane];
    const renewed = await this.db('amazon_sync_state')
      .where({ store_id: storeId, [c.owner]: owner })
      .update({ [c.expires]: new Date(now.getTime() + ttlMs) });
    return renewed === 1;
  }

  async release(storeId: number, owner: string, lane: LeaseLane = 'sync'): Promise<void> {
    const c = COLUMNS[lane];
    await this.db('amazon_sync_state').where({ store_id: storeId, [c.owner]: owner }).update({ [c.owner]: null, [c.expires]: null });
  }

  /**
   * release() at the end of a run, which never fails: when the database is what failed the run
   * (the connection lost, the database full or read-only), giving the lease back may fail too. That
   * must not hide the run's own result, and a lease that could not be given back expires.
   */
  async giveBack(storeId: number, owner: string, lane: LeaseLane = 'sync'): Promise<void> {
    try {
      await this.release(storeId, owner, lane);
    } catch (error) {
      this.logger.error(`Could not give ${LEASE_NAMES[lane]} back; it expires on its own`, { storeId, error: errorSummary(error) });
    }
  }

  async holder(storeId: number, lane: LeaseLane = 'sync'): Promise<LeaseHolder> {
    const c = COLUMNS[lane];
    const row = await this.db('amazon_sync_state').where({ store_id: storeId }).first(c.owner, c.expires);
    return { owner: row?.[c.owner] ?? null, expiresAt: fromDbOrNull(row?.[c.expires]) };
  }
}
