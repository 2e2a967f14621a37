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
 * deliver again; one that can never be (malformed, for a seller with no store here) is logged and
 * left for the queue's dead-letter policy. Nothing is deleted unhandled, except a change in a
 * marketplace of the seller that has no store here: the module has nothing to do with it.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { DatabaseApiErrorRecorder, MAX_ERROR_MESSAGE_CHARS } from '../amazon/error-log.ts';
import { errorSummary } from '../error-summary.ts';
import { realSleep } from '../amazon/retry.ts';
import { OrderImporter } from '../orders/order-importer.ts';
import { Stores } from '../stores/stores.ts';
import { authorizationProblem, type AmazonStore } from '../stores/store.ts';
import { StoreLease } from '../sync/store-lease.ts';
import { OrderSync } from '../sync/order-sync.ts';
import { shorten } from '../text.ts';
import { NotificationFormatError, readOrderChange, type OrderChange } from './order-change-notification.ts';

export const NOTIFICATION_TABLE = 'amazon_notification';
/** How often a busy store's lease is asked for again while waiting for it. */
const LEASE_RETRY_MS = 100;

export type MessageOutcome =
  /** Stored (and imported when the rules say so); delete the message. */
  | { result: 'handled'; delete: true; storeId: number; change: OrderChange; stored: 'new' | 'updated' | 'unchanged' | 'invalid' }
  /** Handled before (a duplicate delivery); delete it. */
  | { result: 'duplicate'; delete: true; storeId: number; change: OrderChange }
  /**
   * For a store that does not sync now (Inactive, not authorized): its next sync reads the change;
   * or for a marketplace of a seller here that has no store here (Amazon sends a seller's
   * notifications for all its marketplaces: storeId null). Delete it.
   */
  | { result: 'ignored'; delete: true; storeId: number | null; change: OrderChange; reason: string }
  /** Cannot be handled now; leave it: the queue delivers it again. */
  | { result: 'retry'; delete: false; storeId: number; change: OrderChange; reason: string }
  /** Can never be handled; leave it for the dead-letter queue. */
  | { result: 'rejected'; delete: false; reason: string };

export interface HandleOptions {
  /** Stops the work at its next safe point (the message is then left for later). */
  signal?: AbortSignal;
  /**
   * How long to wait for the store's lease when another process holds it (another consumer
   * handling the same store's message, a sync) before leaving the message for later; default 0.
   * A message left costs the queue's visibility timeout, a short wait costs less.
   */
  leaseWaitMs?: number;
  /** False when the queue delivered the message before (its ApproximateReceiveCount); default true. */
  firstDelivery?: boolean;
}

@injectable()
export class OrderChangeHandler {
  private readonly process = `notifications:${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private handled = 0;
  /** Stores whose lease a wait did not get, and until when (real time) the next messages do not wait again. */
  private readonly busy = new Map<number, number>();

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(StoreLease) private readonly lease: StoreLease,
    @inject(OrderSync) private readonly sync: OrderSync,
    @inject(OrderImporter) private readonly importer: OrderImporter,
  ) {}

  async handle(body: string, options: HandleOptions = {}): Promise<MessageOutcome> {
    const { signal, leaseWaitMs = 0, firstDelivery = true } = options;
    let change: OrderChange;
    try {
      change = readOrderChange(body);
    } catch (error) {
      if (!(error instanceof NotificationFormatError)) throw error;
      return this.reject(error.message, firstDelivery);
    }
    const sellers = (await this.stores.list()).filter((s) => s.sellerId === change.sellerId);
    if (sellers.length === 0) return this.reject(`order ${change.amazonOrderId}: no store here sells as ${change.sellerId}`, firstDelivery);
    const store = sellers.find((s) => s.marketplaceId === change.marketplaceId);
    if (!store) return { result: 'ignored', delete: true, storeId: null, change, reason: `no store here sells in marketplace ${change.marketplaceId}` };
    const notSyncing = store.status !== 'active' ? 'the store is Inactive' : authorizationProblem(store);
    if (notSyncing !== null) return { result: 'ignored', delete: true, storeId: store.id, change, reason: notSyncing };
    if (await this.handledBefore(change.notificationId)) return { result: 'duplicate', delete: true, storeId: store.id, change };
    // Each message holds the lease as its own owner: two readers in one process never share it.
    const owner = `${this.process}:${++this.handled}`;
    if (!(await this.acquireLease(store.id, owner, leaseWaitMs, signal))) {
      return { result: 'retry', delete: false, storeId: store.id, change, reason: 'the store is being synced; the message comes back after its visibility timeout' };
    }
    try {
      const counts = await this.sync.fetchAndStore(store, change.amazonOrderId, { apiCalls: 0, throttled: 0 }, signal);
      await this.importer.processStore(store, await this.stores.settings(store.id), undefined, async () => {
        if (!(await this.lease.renew(store.id, owner))) throw new Error('lost the store lease');
      });
      await this.recordHandled(store, change);
      const stored = counts.invalid > 0 ? 'invalid' : counts.new > 0 ? 'new' : counts.updated > 0 ? 'updated' : 'unchanged';
      return { result: 'handled', delete: true, storeId: store.id, change, stored };
    } catch (error) {
      const reason = errorSummary(error);
      this.logger.warn('An Amazon order change could not be handled now; the queue delivers it again', { storeId: store.id, amazonOrderId: change.amazonOrderId, reason });
      return { result: 'retry', delete: false, storeId: store.id, change, reason };
    } finally {
      await this.lease.giveBack(store.id, owner);
    }
  }

  /**
   * The lease, waiting up to `waitMs` while another holder has it. A wait that failed means a
   * sync (or another consumer's long import) is at work: the store's next messages for as long
   * do not wait again, so a batch of them is left at once instead of one wait each.
   */
  private async acquireLease(storeId: number, owner: string, waitMs: number, signal?: AbortSignal): Promise<boolean> {
    const now = Date.now();
    const deadline = now + ((this.busy.get(storeId) ?? 0) > now ? 0 : waitMs);
    for (;;) {
      if (await this.lease.acquire(storeId, owner)) {
        this.busy.delete(storeId);
        return true;
      }
      if (Date.now() >= deadline || signal?.aborted) {
        if (waitMs > 0) this.busy.set(storeId, Date.now() + waitMs);
        return false;
      }
      await realSleep(LEASE_RETRY_MS, signal);
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

  /**
   * Logged, and kept in the communication errors log (for no store: a message that names none
   * here, or none readable) the first time it comes: the queue hands it out again until its
   * dead-letter policy moves it, and the admin needs to read of it once.
   */
  private async reject(reason: string, firstDelivery: boolean): Promise<MessageOutcome> {
    this.logger.warn("Amazon sent a notification the module cannot handle; it is left for the queue's dead-letter policy", { reason });
    if (firstDelivery) await new DatabaseApiErrorRecorder(this.db, this.clock).record({
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
