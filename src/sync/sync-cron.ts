/** The cron observer (module.json job `amazon_order_sync`): the same sync as `asc sync`. */
import { inject, injectable } from 'inversify';
import type { CronObserverContribution, CronRunContext } from '../host/contributions.ts';
import { OrderSync } from './order-sync.ts';

@injectable()
export class OrderSyncCron implements CronObserverContribution {
  readonly id = 'amazon_order_sync';

  constructor(@inject(OrderSync) private readonly sync: OrderSync) {}

  async run(context: CronRunContext): Promise<void> {
    // Failures are recorded per store (sync state, error log) and shown on the dashboards.
    await this.sync.run({ signal: context.signal });
  }
}
