/**
 * The host worker that reads the stores' SQS queues (contract 1.3.0 `WorkerContribution`): one
 * long-polling reader per queue of the stores with real-time updates on, the set looked up again
 * every 5 seconds (a store turned on or off, a key rotated). Each message goes to the
 * OrderChangeHandler, and is deleted only when the handler says so: a message that could not be
 * handled comes back after the queue's visibility timeout, one that can never be is left for the
 * queue's dead-letter policy. Any number of processes may run it on one queue: SQS hands a
 * message to one reader at a time, and the handler's store lease and idempotent storage make a
 * message handled twice (a reader that died before deleting) harmless.
 */
import { inject, injectable, optional } from 'inversify';
import type { WorkerContribution, WorkerRunContext } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { LoggerPort } from '../host/ports.ts';
import { realSleep } from '../amazon/retry.ts';
import { errorSummary } from '../error-summary.ts';
import { OrderChangeHandler } from './order-change-handler.ts';
import { RealtimeUpdates, type ConsumedQueue } from './realtime-updates.ts';
import { SqsQueue } from './sqs-queue.ts';

/** Optional, bound by a host or a test that wants other pauses than the defaults. */
export const NOTIFICATION_CONSUMER_TUNING = Symbol.for('amazon-sales-channel.NotificationConsumerTuning');

export interface NotificationConsumerTuning {
  /** How often the queues to read are looked up again (a store turned on or off); default 5 s. */
  refreshMs?: number;
  /** First pause after a queue could not be read, doubling up to maxErrorPauseMs; default 5 s and 5 min. */
  errorPauseMs?: number;
  maxErrorPauseMs?: number;
  /** How long a message waits for its store's lease held elsewhere (another consumer, a sync); default 5 s. */
  leaseWaitMs?: number;
}

export const WORKER_ID = 'amazon_order_notifications';

@injectable()
export class NotificationConsumer implements WorkerContribution {
  readonly id = WORKER_ID;
  private readonly refreshMs: number;
  private readonly errorPauseMs: number;
  private readonly maxErrorPauseMs: number;
  private readonly leaseWaitMs: number;

  constructor(
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(RealtimeUpdates) private readonly realtime: RealtimeUpdates,
    @inject(OrderChangeHandler) private readonly handler: OrderChangeHandler,
    @inject(NOTIFICATION_CONSUMER_TUNING) @optional() tuning: NotificationConsumerTuning | undefined,
  ) {
    this.refreshMs = tuning?.refreshMs ?? 5_000;
    this.errorPauseMs = tuning?.errorPauseMs ?? 5_000;
    this.maxErrorPauseMs = tuning?.maxErrorPauseMs ?? 300_000;
    this.leaseWaitMs = tuning?.leaseWaitMs ?? 5_000;
  }

  async run({ signal }: WorkerRunContext): Promise<void> {
    const readers = new Map<string, { stop: AbortController; done: Promise<void> }>();
    try {
      while (!signal.aborted) {
        let queues: ConsumedQueue[] | null = null;
        try {
          queues = await this.realtime.consumedQueues();
        } catch (error) {
          // The database blinked: keep the readers as they are and look again.
          this.logger.warn('The queues to read could not be looked up', { error: errorSummary(error) });
        }
        if (queues !== null) {
          const wanted = new Set(queues.map((q) => q.key));
          for (const [key, reader] of readers) {
            if (wanted.has(key)) continue;
            reader.stop.abort();
            await reader.done;
            readers.delete(key);
          }
          for (const queue of queues) {
            if (readers.has(queue.key)) continue;
            const stop = new AbortController();
            readers.set(queue.key, { stop, done: this.read(queue, AbortSignal.any([signal, stop.signal])) });
          }
        }
        await realSleep(this.refreshMs, signal);
      }
    } finally {
      for (const reader of readers.values()) reader.stop.abort();
      await Promise.all([...readers.values()].map((r) => r.done));
    }
  }

  /** Reads one queue until `signal` aborts. Never throws: a failure is logged, shown on the stores' health, and retried. */
  private async read(queue: ConsumedQueue, signal: AbortSignal): Promise<void> {
    const sqs = new SqsQueue(queue.access);
    const where = { queueUrl: queue.access.queueUrl, storeIds: queue.storeIds };
    this.logger.info('Reading Amazon order notifications', where);
    let pause = this.errorPauseMs;
    try {
      while (!signal.aborted) {
        let received;
        try {
          // Seen as reading (RealtimeUpdates.notificationsArrive) from each long poll's start.
          await this.realtime.recordReading(queue.storeIds);
          received = await sqs.receive(signal);
          pause = this.errorPauseMs;
        } catch (error) {
          const reason = errorSummary(error);
          this.logger.warn('The notification queue could not be read; the safety-net poll still imports', { ...where, error: reason, retryInMs: pause });
          await this.realtime.recordQueueError(queue.storeIds, reason).catch(() => undefined);
          await realSleep(pause, signal);
          pause = Math.min(pause * 2, this.maxErrorPauseMs);
          continue;
        }
        const handled: Array<{ storeId: number; lagMs: number | null }> = [];
        for (const message of received) {
          // Stopping: the messages not handled yet come back after their visibility timeout.
          if (signal.aborted) break;
          try {
            const outcome = await this.handler.handle(message.body, { signal, leaseWaitMs: this.leaseWaitMs, firstDelivery: message.receiveCount <= 1 });
            if (!outcome.delete) continue;
            await sqs.delete(message.receiptHandle);
            // SQS's timestamps are AWS's wall clock, so the lag is measured on it too.
            if (outcome.storeId !== null) handled.push({ storeId: outcome.storeId, lagMs: message.sentAt ? Math.max(0, Date.now() - message.sentAt.getTime()) : null });
          } catch (error) {
            // Not deleted: it comes back, and the handler recognises it if it was handled.
            this.logger.warn('An Amazon order notification could not be handled; the queue delivers it again', { ...where, error: errorSummary(error) });
          }
        }
        await this.realtime.recordReceived(queue.storeIds, handled).catch((error: unknown) => this.logger.warn('Notification health could not be saved', { ...where, error: errorSummary(error) }));
      }
    } finally {
      sqs.close();
      this.logger.info('Stopped reading Amazon order notifications', where);
    }
  }
}
