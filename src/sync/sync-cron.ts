/**
 * The cron observers: `amazon_order_sync` (every 5 minutes), the same sync as `asc sync`, except
 * for the stores with real-time updates on, whose poll (the safety net) runs at their own, longer
 * interval; and
 * `amazon_first_sync` (every minute), the first sync of a store never synced yet, so a store an
 * admin just connected fills in within a minute instead of waiting for the next 5-minute run, and
 * the rest of a run Amazon's rate limit stopped, as soon as its next token is due.
 */
import { inject, injectable } from 'inversify';
import type { CronObserverContribution, CronRunContext } from '../host/contributions.ts';
import { RealtimeUpdates } from '../notifications/realtime-updates.ts';
import { OrderSync } from './order-sync.ts';

@injectable()
export class OrderSyncCron implements CronObserverContribution {
  readonly id = 'amazon_order_sync';

  constructor(
    @inject(OrderSync) private readonly sync: OrderSync,
    @inject(RealtimeUpdates) private readonly realtime: RealtimeUpdates,
  ) {}

  async run(context: CronRunContext): Promise<void> {
    // Failures are recorded per store (sync state, error log) and shown on the dashboards.
    await this.sync.run({ signal: context.signal, skip: await this.realtime.pollNotDue() });
  }
}

@injectable()
export class FirstSyncCron implements CronObserverContribution {
  readonly id = 'amazon_first_sync';

  constructor(@inject(OrderSync) private readonly sync: OrderSync) {}

  async run(context: CronRunContext): Promise<void> {
    await this.sync.runDue({ signal: context.signal });
  }
}
