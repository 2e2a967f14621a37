/**
 * Cancels and refunds go to Amazon in feeds: per store and feed type at most one feed per interval
 * (Order Settings; Amazon asks for 20 minutes), each entry one Message with its own MessageID. A
 * feed is tracked in `amazon_feed` through its states:
 *
 *   building   -> entries chosen and numbered; nothing has reached Amazon's createFeed yet
 *   submitting -> document uploaded, createFeed asked (its answer may have been lost)
 *   submitted  -> Amazon has it; read its processing report on later runs
 *   done | failed
 *
 * A sender that died leaves `building` (sent again, safely) or `submitting`: a cancel feed is sent
 * again (acknowledging a cancel twice changes nothing), a refund feed is not (it would refund
 * twice): its entries fail with a note to check Seller Central first.
 *
 * A message Amazon rejects in its processing report fails its entry with Amazon's words, and goes
 * in the store's communication errors log like any refusal of a call.
 *
 * A feed Amazon has not finished FEED_OVERDUE_MS (2 hours) after it was submitted (these small
 * feeds take minutes) is overdue. It is never given up on nor sent again: Amazon cannot cancel a
 * feed once IN_PROGRESS and may still apply it, and a refund sent twice pays twice. It is reported
 * once instead (each entry's last error, the order's note and history, the communication errors
 * log, and the feed's `result` until Amazon's summary replaces it), and from then on polled every
 * OVERDUE_POLL_MS (15 minutes) rather than on every run, until Amazon finishes it.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import {
  AmazonApiError,
  AmazonNetworkError,
  DatabaseApiErrorRecorder,
  buildOrderAcknowledgementFeed,
  buildOrderAdjustmentFeed,
  FEED_XML_CONTENT_TYPE,
  FINAL_FEED_STATUSES,
  type ApiErrorRecorder,
  type BuiltFeed,
  type Feed,
  type FeedType,
  type ProcessingResult,
  type SpApiClient,
} from '../amazon/index.ts';
import { fromDb, fromDbOrNull } from '../db/time.ts';
import { errorSummary } from '../error-summary.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import type { AmazonStore } from '../stores/store.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import { amazonSaid, failureKind } from './amazon-answers.ts';
import { Fulfillment } from './fulfillment.ts';
import { Outbox, retryDelayMs, type OutboxEntry, type OutboxKind } from './outbox.ts';
import type { OutboxRunResult } from './outbox-sender.ts';
import type { CancelRecord, RefundRecord } from './rules.ts';
import { transaction } from '../db/transaction.ts';

interface FeedLane {
  kind: Extract<OutboxKind, 'cancel' | 'refund'>;
  feedType: FeedType;
  /** Whether a feed whose createFeed answer was lost may be sent again. */
  resendable: boolean;
  build(sellerId: string, entries: OutboxEntry[]): BuiltFeed;
}

export const FEED_LANES: readonly FeedLane[] = [
  {
    kind: 'cancel',
    feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA',
    resendable: true,
    build: (sellerId, entries) =>
      buildOrderAcknowledgementFeed(
        sellerId,
        entries.map((entry) => {
          const record = entry.record as CancelRecord;
          return { amazonOrderId: entry.amazonOrderId, items: record.items.map((item) => ({ amazonOrderItemCode: item.orderItemId, cancelReason: record.cancelReason })) };
        }),
      ),
  },
  {
    kind: 'refund',
    feedType: 'POST_PAYMENT_ADJUSTMENT_DATA',
    resendable: false,
    build: (sellerId, entries) =>
      buildOrderAdjustmentFeed(
        sellerId,
        entries.map((entry) => {
          const record = entry.record as RefundRecord;
          return {
            amazonOrderId: entry.amazonOrderId,
            items: record.items.map((item) => ({
              amazonOrderItemCode: item.orderItemId,
              adjustmentReason: record.adjustmentReason,
              currencyCode: record.currencyCode,
              ...(item.principal === undefined ? {} : { principal: item.principal }),
              ...(item.shipping === undefined ? {} : { shipping: item.shipping }),
              ...(item.tax === undefined ? {} : { tax: item.tax }),
              ...(item.shippingTax === undefined ? {} : { shippingTax: item.shippingTax }),
            })),
          };
        }),
      ),
  },
];

/** Messages per feed: far below Amazon's 10 MiB for these small messages. */
const MAX_MESSAGES = 2000;

/** A submitted feed Amazon has not finished after this long is reported to the admin (see above). */
export const FEED_OVERDUE_MS = 2 * 60 * 60 * 1000;
/** How often an overdue feed, once reported, is asked about. */
export const OVERDUE_POLL_MS = 15 * 60 * 1000;

interface FeedRow {
  id: number;
  feedType: FeedType;
  state: 'building' | 'submitting' | 'submitted' | 'done' | 'failed';
  amazonFeedId: string | null;
  submittedAt: Date | null;
  /** The last change of the row; for a submitted feed, when Amazon was last asked about it. */
  updatedAt: Date;
  /** The processing summary, or why the feed failed; while submitted, set once it was reported overdue. */
  result: string | null;
}

const toFeedRow = (row: Record<string, unknown>): FeedRow => ({
  id: Number(row.id),
  feedType: row.feed_type as FeedType,
  state: row.state as FeedRow['state'],
  amazonFeedId: (row.amazon_feed_id as string | null) ?? null,
  submittedAt: fromDbOrNull(row.submitted_at),
  updatedAt: fromDb(row.updated_at),
  result: (row.result as string | null) ?? null,
});

@injectable()
export class FeedSender {
  /** The store's communication errors log, as the SP-API client writes it. */
  private readonly errorLog: ApiErrorRecorder;

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Fulfillment) private readonly fulfillment: Fulfillment,
  ) {
    this.errorLog = new DatabaseApiErrorRecorder(db, clock);
  }

  async run(client: SpApiClient, store: AmazonStore, settings: OrderSettings, result: OutboxRunResult, options: { force: boolean; keepLease: () => Promise<void> }): Promise<void> {
    await this.readReports(client, store, result);
    for (const lane of FEED_LANES) {
      await options.keepLease();
      await this.recover(client, store, lane, result);
      await this.submitDue(client, store, settings, lane, options.force, result);
    }
  }

  /** When the next feed of a lane may go, by the interval; null when it may go now. */
  async nextFeedAt(storeId: number, lane: FeedLane, settings: OrderSettings): Promise<Date | null> {
    if (settings.feedIntervalMinutes === 0) return null;
    const row = await this.db('amazon_feed').where({ store_id: storeId, feed_type: lane.feedType }).max({ last: 'submitted_at' }).first();
    const last = fromDbOrNull(row?.last);
    if (last === null) return null;
    const next = new Date(last.getTime() + settings.feedIntervalMinutes * 60_000);
    return next.getTime() > this.clock.now().getTime() ? next : null;
  }

  private async submitDue(client: SpApiClient, store: AmazonStore, settings: OrderSettings, lane: FeedLane, force: boolean, result: OutboxRunResult): Promise<void> {
    if (!force && (await this.nextFeedAt(store.id, lane, settings)) !== null) return;
    const ready: OutboxEntry[] = [];
    for (const entry of await this.outbox.due(store.id, lane.kind, MAX_MESSAGES)) {
      if (await this.stillToSend(store, lane, entry, result)) ready.push(entry);
    }
    if (ready.length === 0) return;
    const now = this.clock.now();
    const feedId = await transaction(this.db, async (trx) => {
      const [id] = await trx('amazon_feed').insert({ store_id: store.id, feed_type: lane.feedType, state: 'building', messages: ready.length, created_at: now, updated_at: now });
      for (const [index, entry] of ready.entries()) await this.outbox.update(entry.id, { feed_id: Number(id), message_id: index + 1 }, trx);
      return Number(id);
    });
    await this.submit(client, store, lane, feedId, result);
  }

  /**
   * Whether a due entry still has to go now: one Amazon settled meanwhile (a cancel of an order
   * Amazon canceled or shipped) is settled here, one the feed cannot carry fails on its own, and a
   * refund waits while a shipment of its order has not reached Amazon yet.
   */
  private async stillToSend(store: AmazonStore, lane: FeedLane, entry: OutboxEntry, result: OutboxRunResult): Promise<boolean> {
    if (lane.kind === 'refund') {
      // Amazon refunds only what it knows shipped, and refuses the rest for good: a refund sent
      // while its shipment's confirmation waits to be tried again (Amazon was down) would become an
      // Error. Shipments go first on every run, so it goes with the run after its shipment did.
      const waiting = (await this.outbox.forOrder(entry.orderId)).some((other) => other.kind === 'shipment' && other.state === 'pending');
      if (waiting) return false;
    }
    if (lane.kind === 'cancel') {
      const order = await this.orders.get(entry.orderId);
      if (order?.amazonStatus === 'CANCELLED' || order?.amazonStatus === 'UNFULFILLABLE') {
        result.done += 1;
        await this.fulfillment.settle(entry, { state: 'done', message: 'Amazon canceled the order already; the cancel was not sent again' });
        return false;
      }
      if (order?.amazonStatus === 'SHIPPED' || order?.amazonStatus === 'PARTIALLY_SHIPPED') {
        result.failed += 1;
        await this.fulfillment.settle(entry, { state: 'failed', amazonSaid: 'Amazon reports the order (partly) shipped, so it can no longer be canceled' });
        return false;
      }
    }
    try {
      lane.build(store.sellerId, [entry]);
      return true;
    } catch (error) {
      if (failureKind(error) !== 'refused') throw error;
      result.failed += 1;
      await this.fulfillment.settle(entry, { state: 'failed', amazonSaid: amazonSaid(error) });
      return false;
    }
  }

  /** Uploads and submits a feed whose entries are chosen; on failure they wait for the next try. */
  private async submit(client: SpApiClient, store: AmazonStore, lane: FeedLane, feedId: number, result: OutboxRunResult): Promise<void> {
    const entries = await this.outbox.inFeed(feedId);
    const built = lane.build(store.sellerId, entries);
    try {
      const document = await client.feeds.createFeedDocument(FEED_XML_CONTENT_TYPE);
      await client.feeds.uploadFeedDocument(document.url, built.xml, FEED_XML_CONTENT_TYPE);
      await this.updateFeed(feedId, { state: 'submitting', feed_document_id: document.feedDocumentId });
      const { feedId: amazonFeedId } = await client.feeds.createFeed({ feedType: lane.feedType, marketplaceIds: [store.marketplaceId], inputFeedDocumentId: document.feedDocumentId });
      const now = this.clock.now();
      await transaction(this.db, async (trx) => {
        await this.updateFeed(feedId, { state: 'submitted', amazon_feed_id: amazonFeedId, submitted_at: now }, trx);
        for (const entry of entries) {
          await this.outbox.update(entry.id, { state: 'sent', sent_at: now, attempts: entry.attempts + 1, last_error: null }, trx);
          await this.orders.log(entry.orderId, { kind: 'outbound', message: `Sent to Amazon in feed ${amazonFeedId} (outbox entry ${entry.id}); waiting for Amazon's processing report` }, trx);
        }
      });
      result.feedsSubmitted += 1;
      this.logger.info('Feed submitted to Amazon', { storeId: store.id, feedType: lane.feedType, feedId: amazonFeedId, messages: entries.length });
    } catch (error) {
      const kind = failureKind(error);
      if (kind === null) throw error;
      const outcomeUnknown = (error instanceof AmazonApiError || error instanceof AmazonNetworkError) && error.outcomeUnknown;
      await this.updateFeed(feedId, { state: 'failed', result: errorSummary(error), finished_at: this.clock.now() });
      if (outcomeUnknown && !lane.resendable) {
        await this.failUnknown(entries, result);
      } else if (kind === 'stopped') {
        await this.release(entries, error, false);
      } else {
        await this.release(entries, error);
        result.retrying += entries.length;
      }
      if (kind === 'store' || kind === 'stopped') throw error;
    }
  }

  /** Entries of a feed that did not go out wait for the next try (`backOff`: after a delay), numbered anew then. */
  private async release(entries: OutboxEntry[], error: unknown, backOff = true): Promise<void> {
    const now = this.clock.now().getTime();
    for (const entry of entries) {
      const attempts = entry.attempts + (backOff ? 1 : 0);
      await this.outbox.update(entry.id, { feed_id: null, message_id: null, attempts, next_attempt_at: new Date(now + (backOff ? retryDelayMs(attempts) : 0)), last_error: errorSummary(error) });
    }
  }

  /** A refund feed that may or may not have reached Amazon: never sent again by itself. */
  private async failUnknown(entries: OutboxEntry[], result: OutboxRunResult): Promise<void> {
    for (const entry of entries) {
      result.failed += 1;
      await this.fulfillment.settle(entry, {
        state: 'failed',
        amazonSaid: "the sender stopped while submitting this refund, so it is not known whether Amazon received it; look at the order's refunds in Seller Central before sending it again",
      });
    }
  }

  /** Feeds a sender left unfinished when it died (see the states above). */
  private async recover(client: SpApiClient, store: AmazonStore, lane: FeedLane, result: OutboxRunResult): Promise<void> {
    const rows = (await this.db('amazon_feed').where({ store_id: store.id, feed_type: lane.feedType }).whereIn('state', ['building', 'submitting']).orderBy('id')).map(toFeedRow);
    for (const row of rows) {
      if (row.state === 'submitting' && !lane.resendable) {
        await this.updateFeed(row.id, { state: 'failed', result: 'The sender stopped while submitting this feed', finished_at: this.clock.now() });
        await this.failUnknown(await this.outbox.inFeed(row.id), result);
        continue;
      }
      this.logger.warn('Sending a feed again that an earlier run left unfinished', { storeId: store.id, feedType: lane.feedType, feed: row.id, state: row.state });
      await this.submit(client, store, lane, row.id, result);
    }
  }

  /** Submitted feeds: once Amazon finished one, its processing report settles each entry. */
  private async readReports(client: SpApiClient, store: AmazonStore, result: OutboxRunResult): Promise<void> {
    const rows = (await this.db('amazon_feed').where({ store_id: store.id, state: 'submitted' }).orderBy('id')).map(toFeedRow);
    const now = this.clock.now().getTime();
    for (const row of rows) {
      // Reported overdue: Amazon is slow with it, asking on every run would not make it faster.
      if (row.result !== null && now - row.updatedAt.getTime() < OVERDUE_POLL_MS) continue;
      try {
        await this.readReport(client, store, row, result);
      } catch (error) {
        // Amazon could not answer now: the feed is read again on the next run.
        const kind = failureKind(error);
        if (kind === null || kind === 'store' || kind === 'stopped') throw error;
        this.logger.warn("Could not read a feed's processing report; trying again on the next run", { storeId: store.id, feed: row.amazonFeedId, error: errorSummary(error) });
      }
    }
  }

  private async readReport(client: SpApiClient, store: AmazonStore, row: FeedRow, result: OutboxRunResult): Promise<void> {
    const feed = await client.feeds.getFeed(row.amazonFeedId!);
    if (!FINAL_FEED_STATUSES.has(feed.processingStatus)) {
      await this.updateFeed(row.id, { processing_status: feed.processingStatus });
      const submittedAt = row.submittedAt ?? row.updatedAt;
      if (row.result === null && this.clock.now().getTime() - submittedAt.getTime() >= FEED_OVERDUE_MS) await this.reportOverdue(store, row, feed, submittedAt);
      return;
    }
    const entries = await this.outbox.inFeed(row.id);
    if (feed.processingStatus === 'CANCELLED') {
      await this.updateFeed(row.id, { state: 'failed', processing_status: feed.processingStatus, result: 'Amazon canceled the feed before processing it', finished_at: this.clock.now() });
      for (const entry of entries) await this.outbox.update(entry.id, { state: 'pending', feed_id: null, message_id: null, next_attempt_at: this.clock.now() });
      return;
    }
    const report = feed.resultFeedDocumentId === undefined ? null : await client.feeds.getProcessingReport(feed);
    const whole = (report?.results ?? []).filter((r) => r.resultCode === 'Error' && (r.messageId === null || r.messageId === 0));
    for (const entry of entries) {
      const mine = (report?.results ?? []).filter((r) => r.messageId === entry.messageId);
      const errors = [...whole, ...mine.filter((r) => r.resultCode === 'Error')];
      if (errors.length > 0 || (feed.processingStatus === 'FATAL' && report === null)) {
        result.failed += 1;
        const said = errors.length > 0 ? describeResults(errors) : 'Amazon rejected the whole feed (FATAL) and sent no report';
        await this.fulfillment.settle(entry, { state: 'failed', amazonSaid: said });
        await this.errorLog.record({
          storeId: store.id,
          operation: 'processingReport',
          httpStatus: null,
          code: errors[0]?.resultMessageCode ? String(errors[0].resultMessageCode) : feed.processingStatus,
          message: `Feed ${row.amazonFeedId} (${row.feedType}) message ${entry.messageId}, order ${entry.amazonOrderId}: ${said}`,
          requestId: null,
        });
      } else {
        result.done += 1;
        const warnings = mine.filter((r) => r.resultCode === 'Warning');
        await this.fulfillment.settle(entry, warnings.length > 0 ? { state: 'done', message: `Amazon accepted it with a warning: ${describeResults(warnings)}` } : { state: 'done' });
      }
    }
    const summary = report
      ? `${report.summary.messagesSuccessful} of ${report.summary.messagesProcessed} messages accepted, ${report.summary.messagesWithError} with errors`
      : `processing status ${feed.processingStatus}, no report`;
    await this.updateFeed(row.id, { state: feed.processingStatus === 'DONE' ? 'done' : 'failed', processing_status: feed.processingStatus, result: summary, finished_at: this.clock.now() });
  }

  /** Tells the admin, once, that Amazon is taking hours over a feed, and that it waits for Amazon rather than being sent again. */
  private async reportOverdue(store: AmazonStore, row: FeedRow, feed: Feed, submittedAt: Date): Promise<void> {
    const hours = Math.floor((this.clock.now().getTime() - submittedAt.getTime()) / 3_600_000);
    const entries = await this.outbox.inFeed(row.id);
    const note =
      `Amazon has not finished processing feed ${row.amazonFeedId} after ${hours} hours (submitted ${submittedAt.toISOString()}); it is not sent again, ` +
      `since Amazon may still apply it, and its report is read once Amazon has it (checked every ${OVERDUE_POLL_MS / 60_000} minutes). If it stays so, look at the feed in Seller Central.`;
    await this.updateFeed(row.id, { result: note });
    for (const entry of entries) await this.fulfillment.delayed(entry, note);
    await this.errorLog.record({
      storeId: store.id,
      operation: 'getFeed',
      httpStatus: null,
      code: 'FeedOverdue',
      message:
        `Feed ${row.amazonFeedId} (${row.feedType}, ${entries.length} message${entries.length === 1 ? '' : 's'}) is still ${feed.processingStatus} at Amazon ${hours} hours after it was submitted ` +
        `(${submittedAt.toISOString()}); it is polled every ${OVERDUE_POLL_MS / 60_000} minutes and never sent again`,
      requestId: null,
    });
    this.logger.warn('Amazon has not finished a feed for hours', { storeId: store.id, feed: row.amazonFeedId, feedType: row.feedType, processingStatus: feed.processingStatus, hours });
  }

  private async updateFeed(id: number, columns: Record<string, unknown>, db: Knex | Knex.Transaction = this.db): Promise<void> {
    await db('amazon_feed').where({ id }).update({ ...columns, updated_at: this.clock.now() });
  }
}

function describeResults(results: ProcessingResult[]): string {
  return results.map((r) => `${r.resultDescription}${r.resultMessageCode ? ` (code ${r.resultMessageCode})` : ''}`).join('; ');
}
