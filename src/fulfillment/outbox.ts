/**
 * The outbox (`amazon_outbox`): what must reach Amazon, one entry per host shipment, credit memo
 * or order cancel (its dedup key), written in the same transaction as the change that causes it.
 * An entry is pending until Amazon took it (done), or is in a feed Amazon is processing (sent),
 * or Amazon refused it (failed, with Amazon's words); a failed entry can be sent again (retry).
 */
import crypto from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { fromDb, fromDbOrNull } from '../db/time.ts';
import { EMPTY_HISTORY, withRecord, type FulfillmentHistory, type FulfillmentRecord } from './rules.ts';

export type OutboxKind = FulfillmentRecord['kind'];
export type OutboxState = 'pending' | 'sent' | 'done' | 'failed';
type Db = Knex | Knex.Transaction;

export interface OutboxEntry {
  id: number;
  storeId: number;
  /** amazon_order.id */
  orderId: number;
  amazonOrderId: string;
  kind: OutboxKind;
  record: FulfillmentRecord;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  /** amazon_feed.id of the feed carrying it (cancels, refunds), and its MessageID there. */
  feedId: number | null;
  messageId: number | null;
  createdAt: Date;
  sentAt: Date | null;
  updatedAt: Date;
}

type Row = Record<string, unknown>;

function toEntry(row: Row): OutboxEntry {
  return {
    id: Number(row.id),
    storeId: Number(row.store_id),
    orderId: Number(row.order_id),
    amazonOrderId: row.amazon_order_id as string,
    kind: row.kind as OutboxKind,
    record: JSON.parse(row.payload as string) as FulfillmentRecord,
    state: row.state as OutboxState,
    attempts: Number(row.attempts),
    nextAttemptAt: fromDb(row.next_attempt_at),
    lastError: (row.last_error as string | null) ?? null,
    feedId: row.feed_id === null || row.feed_id === undefined ? null : Number(row.feed_id),
    messageId: row.message_id === null || row.message_id === undefined ? null : Number(row.message_id),
    createdAt: fromDb(row.created_at),
    sentAt: fromDbOrNull(row.sent_at),
    updatedAt: fromDb(row.updated_at),
  };
}

/** What makes an entry once-only: the host document it comes from, or the order for a cancel. */
export function dedupKey(storeId: number, amazonOrderId: string, record: FulfillmentRecord): string {
  const document = record.kind === 'shipment' ? record.hostShipmentId : record.kind === 'refund' ? record.hostCreditMemoId : null;
  if (record.kind === 'cancel') return `cancel:${storeId}:${amazonOrderId}`;
  // A host that names no document: the content itself, once.
  const id = document ?? crypto.createHash('sha256').update(JSON.stringify(record)).digest('hex');
  return `${record.kind}:${storeId}:${id}`;
}

/** Back-off for an entry Amazon could not take for now: 1, 2, 4 ... minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

@injectable()
export class Outbox {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {}

  /**
   * Records an entry (in the caller's transaction, which holds the Amazon order's row lock, so no
   * one else records for the order meanwhile); an entry with the same key stays as it is.
   */
  async add(db: Db, entry: { storeId: number; orderId: number; amazonOrderId: string; record: FulfillmentRecord }): Promise<OutboxEntry> {
    const now = this.clock.now();
    const key = dedupKey(entry.storeId, entry.amazonOrderId, entry.record);
    const existing: Row | undefined = await db('amazon_outbox').where({ dedup_key: key }).first();
    if (existing) return toEntry(existing);
    // A plain insert, not INSERT IGNORE: MySQL's IGNORE would also turn a too-long value into a warning.
    await db('amazon_outbox').insert({
      store_id: entry.storeId,
      order_id: entry.orderId,
      amazon_order_id: entry.amazonOrderId,
      kind: entry.record.kind,
      dedup_key: key,
      payload: JSON.stringify(entry.record),
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    });
    return toEntry(await db('amazon_outbox').where({ dedup_key: key }).first());
  }

  async get(id: number, db: Db = this.db): Promise<OutboxEntry | null> {
    const row: Row | undefined = await db('amazon_outbox').where({ id }).first();
    return row ? toEntry(row) : null;
  }

  /** A store's entries, newest first. */
  async list(storeId: number, limit = 200): Promise<OutboxEntry[]> {
    const rows: Row[] = await this.db('amazon_outbox').where({ store_id: storeId }).orderBy('id', 'desc').limit(limit);
    return rows.map(toEntry);
  }

  async forOrder(orderId: number, db: Db = this.db): Promise<OutboxEntry[]> {
    const rows: Row[] = await db('amazon_outbox').where({ order_id: orderId }).orderBy('id');
    return rows.map(toEntry);
  }

  /** Pending entries of a kind that are due and in no feed, oldest first. */
  async due(storeId: number, kind: OutboxKind, limit: number): Promise<OutboxEntry[]> {
    const rows: Row[] = await this.db('amazon_outbox')
      .where({ store_id: storeId, kind, state: 'pending' })
      .whereNull('feed_id')
      .where('next_attempt_at', '<=', this.clock.now())
      .orderBy('id')
      .limit(limit);
    return rows.map(toEntry);
  }

  async inFeed(feedId: number, db: Db = this.db): Promise<OutboxEntry[]> {
    const rows: Row[] = await db('amazon_outbox').where({ feed_id: feedId }).orderBy('message_id');
    return rows.map(toEntry);
  }

  /** How many entries of a store wait to be sent. */
  async pendingCount(storeId: number): Promise<number> {
    const row = await this.db('amazon_outbox').where({ store_id: storeId, state: 'pending' }).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async update(id: number, columns: Record<string, unknown>, db: Db = this.db): Promise<void> {
    await db('amazon_outbox').where({ id }).update({ ...columns, updated_at: this.clock.now() });
  }

  /** What was recorded for an order (entries that did not fail), and the kinds that failed. */
  async history(orderId: number, db: Db = this.db): Promise<{ history: FulfillmentHistory; failed: OutboxKind[] }> {
    return summarize(await this.forOrder(orderId, db));
  }
}

export function summarize(entries: readonly OutboxEntry[]): { history: FulfillmentHistory; failed: OutboxKind[] } {
  const kept = entries.filter((entry) => entry.state !== 'failed');
  return {
    history: kept.reduce((history, entry) => withRecord(history, entry.record), EMPTY_HISTORY),
    failed: entries.filter((entry) => entry.state === 'failed').map((entry) => entry.kind),
  };
}
