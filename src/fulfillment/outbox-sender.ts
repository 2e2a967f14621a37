/**
 * Drains the outbox, per store, under the store's outbox lease (one sender per store at a time,
 * across processes and hosts): shipment confirmations one by one with confirmShipment as soon as
 * they are due, then cancels and refunds in feeds (feed-sender.ts). What the cron job
 * `amazon_fulfillment_send` and `asc outbox:send` run.
 *
 * Never twice: an entry is confirmed with its own id as Amazon's packageReferenceId, so a
 * confirmation that reached Amazon before its answer was lost (or the sender died) is refused the
 * next time; before calling a refusal an Error, the sender asks Amazon (getOrder, PACKAGES)
 * whether the package is on the order, and counts it done when it is. Read-Only Mode sends
 * nothing; what waits goes out once it is off.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { inject, injectable } from 'inversify';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { AmazonRateLimitWaitError, type SpApiClient } from '../amazon/index.ts';
import { errorSummary } from '../error-summary.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { AmazonClients } from '../stores/amazon-clients.ts';
import { authorizationProblem, type AmazonStore } from '../stores/store.ts';
import { Stores } from '../stores/stores.ts';
import { StoreLease } from '../sync/store-lease.ts';
import { amazonSaid, failureKind } from './amazon-answers.ts';
import { FeedSender } from './feed-sender.ts';
import { Fulfillment } from './fulfillment.ts';
import { Outbox, retryDelayMs, type OutboxEntry } from './outbox.ts';
import type { ShipmentRecord } from './rules.ts';

export interface OutboxRunResult {
  storeId: number;
  storeName: string;
  /**
   * ok: sent what was due; partial: stopped before the end (asked to stop, or Amazon's rate limit
   * would have needed a long wait), the next run goes on; skipped: another sender holds the store,
   * or Read-Only Mode; failed: see error.
   */
  result: 'ok' | 'partial' | 'skipped' | 'failed';
  error: string | null;
  /** Entries Amazon accepted, refused (now Error), and that wait to be tried again. */
  done: number;
  failed: number;
  retrying: number;
  /** Feeds submitted in this run. */
  feedsSubmitted: number;
  /** Entries still pending after the run (in Read-Only Mode: all that wait). */
  pending: number;
}

export interface OutboxSendOptions {
  storeId?: number;
  /** Ignore the feed interval: submit due cancels and refunds now. */
  now?: boolean;
  signal?: AbortSignal;
}

const SHIPMENT_BATCH = 50;

@injectable()
export class OutboxSender {
  readonly owner = `outbox:${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

  constructor(
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(AmazonClients) private readonly clients: AmazonClients,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Fulfillment) private readonly fulfillment: Fulfillment,
    @inject(StoreLease) private readonly lease: StoreLease,
    @inject(FeedSender) private readonly feeds: FeedSender,
  ) {}

  async run(options: OutboxSendOptions = {}): Promise<OutboxRunResult[]> {
    const stores = options.storeId === undefined ? await this.stores.list() : [await this.stores.get(options.storeId)];
    const results: OutboxRunResult[] = [];
    for (const store of stores) {
      if (options.signal?.aborted) break;
      results.push(await this.sendStore(store, options));
    }
    return results;
  }

  async sendStore(store: AmazonStore, options: OutboxSendOptions = {}): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { storeId: store.id, storeName: store.name, result: 'ok', error: null, done: 0, failed: 0, retrying: 0, feedsSubmitted: 0, pending: 0 };
    const unauthorized = authorizationProblem(store);
    if (unauthorized !== null) {
      result.result = 'skipped';
      result.error = `${unauthorized}; what waits is sent once it is`;
      result.pending = await this.outbox.pendingCount(store.id);
      return result;
    }
    const settings = await this.stores.settings(store.id);
    if (settings.readOnly) {
      result.result = 'skipped';
      result.error = 'Read-Only Mode is on: nothing is sent to Amazon (turn it off in Order Settings to send what waits)';
      result.pending = await this.outbox.pendingCount(store.id);
      return result;
    }
    if (!(await this.lease.acquire(store.id, this.owner, 'outbox'))) {
      const holder = await this.lease.holder(store.id, 'outbox');
      result.result = 'skipped';
      result.error = `another sender (${holder.owner}) holds this store's outbox until ${holder.expiresAt?.toISOString()}`;
      return result;
    }
    try {
      const keepLease = async () => {
        if (!(await this.lease.renew(store.id, this.owner, 'outbox'))) throw new Error("lost the store's outbox lease (the run took longer than the lease); stopping");
      };
      await this.clients.run(store, { signal: options.signal }, async (client) => {
        await this.sendShipments(client, store, result, keepLease, options.signal);
        if (!options.signal?.aborted) await this.feeds.run(client, store, settings, result, { force: options.now === true, keepLease });
      });
      if (options.signal?.aborted) Object.assign(result, { result: 'partial', error: 'stopped, as asked; the next run sends the rest' });
    } catch (error) {
      const kind = failureKind(error);
      if (kind === 'stopped' || error instanceof AmazonRateLimitWaitError) {
        result.result = 'partial';
        result.error = kind === 'stopped' ? 'stopped, as asked; the next run sends the rest' : `${errorSummary(error)}; the next run sends the rest`;
      } else {
        result.result = 'failed';
        result.error = errorSummary(error);
        this.logger.error('Sending fulfillment to Amazon failed', { storeId: store.id, error: result.error });
      }
    } finally {
      await this.finish(store.id, result);
    }
    return result;
  }

  /**
   * Gives the outbox lease back and counts what still waits. When the database is what failed the
   * count may fail too: that must not hide the run's own result.
   */
  private async finish(storeId: number, result: OutboxRunResult): Promise<void> {
    await this.lease.giveBack(storeId, this.owner, 'outbox');
    try {
      result.pending = await this.outbox.pendingCount(storeId);
    } catch (error) {
      this.logger.error('Could not count the outbox entries still pending', { storeId, error: errorSummary(error) });
    }
  }

  private async sendShipments(client: SpApiClient, store: AmazonStore, result: OutboxRunResult, keepLease: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const due = await this.outbox.due(store.id, 'shipment', SHIPMENT_BATCH);
      if (due.length === 0) return;
      for (const entry of due) {
        if (signal?.aborted) return;
        await keepLease();
        await this.sendShipment(client, entry, result);
      }
    }
  }

  /** Whether Amazon lists the entry's package on the order; null when it could not be asked now. */
  private async amazonHasPackage(client: SpApiClient, entry: OutboxEntry): Promise<boolean | null> {
    try {
      const { order } = await client.orders.getOrder(entry.amazonOrderId, ['PACKAGES']);
      return (order.packages ?? []).some((p) => p.packageReferenceId === String(entry.id));
    } catch (error) {
      if (failureKind(error) === null) throw error;
      return null;
    }
  }

  private async sendShipment(client: SpApiClient, entry: OutboxEntry, result: OutboxRunResult): Promise<void> {
    const record = entry.record as ShipmentRecord;
    const order = await this.orders.get(entry.orderId);
    if (!order) return; // its entries went with it
    if (order.amazonStatus === 'CANCELLED' || order.amazonStatus === 'UNFULFILLABLE') {
      result.failed += 1;
      return this.fulfillment.settle(entry, { state: 'failed', amazonSaid: 'Amazon canceled the order before the shipment was sent' });
    }
    if (order.amazonStatus === 'SHIPPED') {
      result.done += 1;
      return this.fulfillment.settle(entry, { state: 'done', message: 'Amazon already reports the order shipped; the shipment was not confirmed again' });
    }
    // Counted before the call, so a sender that dies in it has the attempt on record.
    const attempts = entry.attempts + 1;
    await this.outbox.update(entry.id, { attempts });
    try {
      await client.shipments.confirmShipment(entry.amazonOrderId, {
        marketplaceId: order.marketplaceId,
        packageDetail: {
          // The entry's own id: unique within the order, and the same whenever it is sent again.
          packageReferenceId: String(entry.id),
          carrierCode: record.carrierCode,
          ...(record.carrierName === undefined ? {} : { carrierName: record.carrierName }),
          trackingNumber: record.trackingNumber,
          shipDate: record.shipDate,
          orderItems: record.items.map((item) => ({ orderItemId: item.orderItemId, quantity: item.quantity })),
        },
      });
      result.done += 1;
      await this.fulfillment.settle(entry, { state: 'done' });
    } catch (error) {
      let kind = failureKind(error);
      if (kind === 'refused') {
        // Refused, or already there: a confirmation whose answer was lost is refused when sent again.
        const known = await this.amazonHasPackage(client, entry);
        if (known === true) {
          result.done += 1;
          return this.fulfillment.settle(entry, { state: 'done', message: `Amazon already had this shipment (package ${entry.id}); it was not confirmed twice` });
        }
        if (known === false) {
          result.failed += 1;
          return this.fulfillment.settle(entry, { state: 'failed', amazonSaid: amazonSaid(error) });
        }
        kind = 'later';
      }
      if (kind === null || kind === 'stopped') throw error;
      await this.outbox.update(entry.id, { next_attempt_at: new Date(this.clock.now().getTime() + retryDelayMs(attempts)), last_error: errorSummary(error) });
      result.retrying += 1;
      if (kind === 'store') throw error;
    }
  }
}
