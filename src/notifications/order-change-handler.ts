/**
 * What the notification consumer does with one SQS message: read the ORDER_CHANGE notification,
 * fetch the order it names with getOrder and store it through the sync's own path (import rules,
 * exactly-once creation and the grid unchanged), then let the importer do the host side under the
 * store's lease. The answer says whether the message may be deleted from the queue.
 *
 * Messages come at least once and in any order. A notification is recorded as handled only after
 * all of that (amazon_notification), so a consumer that dies halfway leaves the message to come
 * back and be handled again: storing is idempotent (an older or the same lastUpdatedTime changes
 * nothing) and the host order is created once (lease + idempotency key). A message that cannot be
 * handled now (Amazon throttled or unreachable, the store's lease busy) is left for the queue to
 * deliver again; one that can never be (malformed, for no store here) is logged and left for the
 * queue's dead-letter policy. Nothing is deleted unhandled.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { DatabaseApiErrorRecorder, MAX_ERROR_MESSAGE_CHARS } from '../amazon/error-log.ts';
import { errorSummary } from '../error-summary.ts';
import { OrderImporter } from '../orders/order-importer.ts';
import { Stores } from '../stores/stores.ts';
import { authorizationProblem, type AmazonStore } from '../stores/store.ts';
import { StoreLease } from '../sync/store-lease.ts';
import { OrderSync } from '../sync/order-sync.ts';
import { shorten } from '../text.ts';
import { NotificationFormatError, readOrderChange, type OrderChange } from './order-change-notification.ts';

export const NOTIFICATION_TABLE = 'amazon_notification';

export type MessageOutcome =
  /** Stored (and imported when the rules say so); delete the message. */
  | { result: 'handled'; delete: true; change: OrderChange; stored: 'new' | 'updated' | 'unchanged' | 'invalid' }
  /** Handled before (a duplicate delivery); delete it. */
  | { result: 'duplicate'; delete: true; change: OrderChange }
  /** For a store that does not sync now (Inactive, not authorized): its next sync reads the change; delete it. */
  | { result: 'ignored'; delete: true; change: OrderChange; reason: string }
  /** Cannot be handled now; leave it: the queue delivers it again. */
  | { result: 'retry'; delete: false; change: OrderChange; reason: string }
  /** Can never be handled; leave it for the dead-letter queue. */
  | { result: 'rejected'; delete: false; reason: string };

@injectable()
export class OrderChangeHandler {
  readonly owner = `notifications:${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(StoreLease) private readonly lease: StoreLease,
    @inject(OrderSync) private readonly sync: OrderSync,
    @inject(OrderImporter) private readonly importer: OrderImporter,
  ) {}

  async handle(body: string, signal?: AbortSignal): Promise<MessageOutcome> {
    let change: OrderChange;
    try {
      change = readOrderChange(body);
    } catch (error) {
      if (!(error instanceof NotificationFormatError)) throw error;
      return this.reject(error.message);
    }
    const store = (await this.stores.list()).find((s) => s.sellerId === change.sellerId && s.marketplaceId === change.marketplaceId);
    if (!store) return this.reject(`order ${change.amazonOrderId}: no store here sells as ${change.sellerId} in marketplace ${change.marketplaceId}`);
    const notSyncing = store.status !== 'active' ? 'the store is Inactive' : authorizationProblem(store);
    if (notSyncing !== null) return { result: 'ignored', delete: true, change, reason: notSyncing };
    if (await this.handledBefore(change.notificationId)) return { result: 'duplicate', delete: true, change };
    if (!(await this.lease.acquire(store.id, this.owner))) {
      return { result: 'retry', delete: false, change, reason: 'the store is being synced; the message comes back after its visibility timeout' };
    }
    try {
      const counts = await this.sync.fetchAndStore(store, change.amazonOrderId, { apiCalls: 0, throttled: 0 }, signal);
      await this.importer.processStore(store, await this.stores.settings(store.id), undefined, async () => {
        if (!(await this.lease.renew(store.id, this.owner))) throw new Error('lost the store lease');
      });
      await this.recordHandled(store, change);
      const stored = counts.invalid > 0 ? 'invalid' : counts.new > 0 ? 'new' : counts.updated > 0 ? 'updated' : 'unchanged';
      return { result: 'handled', delete: true, change, stored };
    } catch (error) {
      const reason = errorSummary(error);
      this.logger.warn('An Amazon order change could not be handled now; the queue delivers it again', { storeId: store.id, amazonOrderId: change.amazonOrderId, reason });
      return { result: 'retry', delete: false, change, reason };
    } finally {
      await this.lease.giveBack(store.id, this.owner);
    }
  }

  private async handledBefore(notificationId: string): Promise<boolean> {
    return (await this.db(NOTIFICATION_TABLE).where({ notification_id: notificationId }).first('notification_id')) !== undefined;
  }

  private async recordHandled(store: AmazonStore, change: OrderChange): Promise<void> {
    const row = {
      notification_id: change.notificationId,
      store_id: store.id,
      amazon_order_id: change.amazonOrderId,
      change_type: shorten(change.changeType, 64),
      published_at: change.publishedAt,
      handled_at: this.clock.now(),
    };
    // Two consumers handling the same message at once both get here: the first row stands.
    await this.db(NOTIFICATION_TABLE).insert(row).onConflict('notification_id').ignore();
  }

  /** Logged, and kept in the communication errors log (for no store: a message that names none here, or none readable). */
  private async reject(reason: string): Promise<MessageOutcome> {
    this.logger.warn("Amazon sent a notification the module cannot handle; it is left for the queue's dead-letter policy", { reason });
    await new DatabaseApiErrorRecorder(this.db, this.clock).record({
      storeId: null,
      operation: 'ORDER_CHANGE',
      httpStatus: null,
      code: 'InvalidNotification',
      message: shorten(reason, MAX_ERROR_MESSAGE_CHARS),
      requestId: null,
    });
    return { result: 'rejected', delete: false, reason };
  }
}
