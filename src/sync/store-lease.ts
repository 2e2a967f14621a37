/**
 * One sync runner per store at a time, across processes and hosts sharing the database: a lease
 * row (owner + expiry) taken with a single conditional UPDATE, so two runners can never both win.
 * A runner that dies leaves a lease that expires and is taken over.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { fromDbOrNull } from '../db/time.ts';

export const LEASE_TTL_MS = 10 * 60 * 1000;

export interface LeaseHolder {
  owner: string | null;
  expiresAt: Date | null;
}

@injectable()
export class StoreLease {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {}

  /** Takes (or renews) the store's lease for `owner`; false when another live runner holds it. */
  async acquire(storeId: number, owner: string, ttlMs = LEASE_TTL_MS): Promise<boolean> {
    const now = this.clock.now();
    const taken = await this.db('amazon_sync_state')
      .where({ store_id: storeId })
      .andWhere((q) => q.whereNull('lease_owner').orWhere('lease_owner', owner).orWhere('lease_expires_at', '<', now))
      .update({ lease_owner: owner, lease_expires_at: new Date(now.getTime() + ttlMs) });
    return taken === 1;
  }

  /** Extends a lease still held; false when it was lost (expired and taken over). */
  async renew(storeId: number, owner: string, ttlMs = LEASE_TTL_MS): Promise<boolean> {
    const now = this.clock.now();
    const renewed = await this.db('amazon_sync_state')
      .where({ store_id: storeId, lease_owner: owner })
      .update({ lease_expires_at: new Date(now.getTime() + ttlMs) });
    return renewed === 1;
  }

  async release(storeId: number, owner: string): Promise<void> {
    await this.db('amazon_sync_state').where({ store_id: storeId, lease_owner: owner }).update({ lease_owner: null, lease_expires_at: null });
  }

  async holder(storeId: number): Promise<LeaseHolder> {
    const row = await this.db('amazon_sync_state').where({ store_id: storeId }).first('lease_owner', 'lease_expires_at');
    return { owner: row?.lease_owner ?? null, expiresAt: fromDbOrNull(row?.lease_expires_at) };
  }
}
