/** The cron observer (module.json job `amazon_fulfillment_send`): the same sending as `asc outbox:send`. */
import { inject, injectable } from 'inversify';
import type { CronObserverContribution, CronRunContext } from '../host/contributions.ts';
import { OutboxSender } from './outbox-sender.ts';

@injectable()
export class OutboxSendCron implements CronObserverContribution {
  readonly id = 'amazon_fulfillment_send';

  constructor(@inject(OutboxSender) private readonly sender: OutboxSender) {}

  async run(context: CronRunContext): Promise<void> {
    // Failures are recorded per entry (order notes, Error rows) and in the communication error log.
    await this.sender.run({ signal: context.signal });
  }
}
