/**
 * `amazon_notification` remembers each handled notification only as long as SQS can deliver it
 * again: a queue keeps a message at most 14 days, so an id older than that can never come back.
 * Deleted per store (its index serves the range) in batches, daily.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import type { CronObserverContribution, CronRunContext } from '../host/contributions.ts';
import { NOTIFICATION_TABLE } from './order-change-handler.ts';

/** SQS's longest message retention. */
export const NOTIFICATION_MEMORY_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 1_000;

@injectable()
export class NotificationPurge implements CronObserverContribution {
  readonly id = 'amazon_notification_purge';

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
  ) {}

  async run(context: CronRunContext): Promise<void> {
    const purged = await this.purge(context.signal);
    if (purged > 0) this.logger.info('Forgot handled Amazon notifications older than SQS keeps messages', { notifications: purged });
  }

  /** Returns how many were deleted. */
  async purge(signal?: AbortSignal): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - NOTIFICATION_MEMORY_DAYS * DAY_MS);
    let purged = 0;
    for (const storeId of await this.db('amazon_store').pluck('id')) {
      for (;;) {
        if (signal?.aborted) return purged;
        const ids: string[] = await this.db(NOTIFICATION_TABLE).where('store_id', storeId).where('handled_at', '<', cutoff).limit(BATCH).pluck('notification_id');
        if (ids.length === 0) break;
        purged += await this.db(NOTIFICATION_TABLE).whereIn('notification_id', ids).delete();
      }
    }
    return purged;
  }
}
