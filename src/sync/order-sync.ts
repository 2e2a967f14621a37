/**
 * The order sync: what the cron observer and `asc sync` both run. Per Active store: take the
 * lease, page through searchOrders by lastUpdatedAfter from the stored cursor (minus an overlap)
 * up to now - 2 minutes, store each page and move the cursor in one transaction, then let the
 * importer do the host side from stored data.
 *
 * Paging state (the exact window and the next token) is saved with every page, so a run that dies
 * halfway continues where it stopped; an expired token restarts the window from the cursor.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { fromDbOrNull } from '../db/time.ts';
import { Stores } from '../stores/stores.ts';
import { authorizationProblem, type AmazonStore } from '../stores/store.ts';
import { snapshotFromAmazon } from '../orders/from-amazon.ts';
import { OrderImporter } from '../orders/order-importer.ts';
import { OrderRepository, type AmazonVersion } from '../orders/order-repository.ts';
import { importDecision } from '../orders/rules.ts';
import { OrderDataError } from '../orders/order-snapshot.ts';
import { StoreLease } from './store-lease.ts';
import { errorSummary } from '../error-summary.ts';
import type { Order } from '../amazon/models.ts';
import { AmazonCallAborted, AmazonRateLimitWaitError, isExpiredPaginationToken } from '../amazon/errors.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import { AmazonOrderReader, type SyncProgress } from './amazon-order-reader.ts';
import type { CallCounters } from '../stores/amazon-clients.ts';
import { transaction } from '../db/transaction.ts';

/** Amazon refuses a window ending less than two minutes ago; a little more absorbs clock skew. */
export const LAST_UPDATED_BEFORE_LAG_MS = 2 * 60 * 1000 + 5_000;
/** Re-read a few minutes before the cursor: Amazon's lastUpdatedTime can land slightly late. */
export const CURSOR_OVERLAP_MS = 5 * 60 * 1000;
/** getOrder allows 0.5 requests/s: a handful per run keeps the sync quick. */
export const REFETCH_PER_RUN = 10;

/** The run was asked to stop (its AbortSignal) between two orders of the import. */
class RunStopped extends Error {}

const STOPPED = 'stopped, as asked; the next run continues from the saved page';

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor() {
    super('lost the store lease (the run took longer than the lease); stopping');
  }
}

export interface StoreSyncResult {
  storeId: number;
  storeName: string;
  /**
   * ok: synced; partial: stopped before the end, its place saved (asked to stop, or Amazon's rate
   * limit would have needed a wait longer than a run may take), the next run goes on; skipped:
   * another runner holds the store; failed: see error.
   */
  result: 'ok' | 'partial' | 'skipped' | 'failed';
  error: string | null;
  seen: number;
  new: number;
  updated: number;
  imported: number;
  blocked: number;
  /** Orders Amazon sent that failed validation (recorded in the communication error log). */
  invalid: number;
  apiCalls: number;
  throttled: number;
  /** Time the run waited for Amazon's rate limit. */
  rateLimitWaitMs: number;
  durationMs: number;
}

export interface SyncOptions {
  storeId?: number;
  /** Stores left out of this run (their real-time updates keep them current). */
  skip?: ReadonlySet<number>;
  signal?: AbortSignal;
  progress?: (event: SyncProgress) => void;
}

/** What storing orders counts, kept apart until their transaction commits. */
export type StoreCounts = Pick<StoreSyncResult, 'seen' | 'new' | 'updated' | 'invalid'>;

function addCounts(result: StoreSyncResult, counts: StoreCounts): void {
  result.seen += counts.seen;
  result.new += counts.new;
  result.updated += counts.updated;
  result.invalid += counts.invalid;
}

interface SyncStateRow {
  cursor: unknown;
  window_after: unknown;
  window_before: unknown;
  next_token: string | null;
}

@injectable()
export class OrderSync {
  /** Identifies this runner in leases: host, process and a random part. */
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(StoreLease) private readonly lease: StoreLease,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(OrderImporter) private readonly importer: OrderImporter,
    @inject(AmazonOrderReader) private readonly reader: AmazonOrderReader,
  ) {}

  /** Syncs every Active store (or the one asked for), one after the other. */
  async run(options: SyncOptions = {}): Promise<StoreSyncResult[]> {
    const stores = options.storeId === undefined ? (await this.stores.list()).filter((s) => s.status === 'active' && !options.skip?.has(s.id)) : [await this.stores.get(options.storeId)];
    const results: StoreSyncResult[] = [];
    for (const store of stores) {
      if (options.signal?.aborted) break;
      results.push(await this.syncStore(store, options));
    }
    return results;
  }

  /**
   * Syncs the Active stores no run has started on yet (a store just connected), and those whose
   * last run Amazon's rate limit stopped, once its next token is due (a backlog drains at Amazon's
   * pace, not the 5-minute cron's).
   */
  async runDue(options: Pick<SyncOptions, 'signal'> = {}): Promise<StoreSyncResult[]> {
    const due = new Set(
      (
        await this.db('amazon_sync_state')
          .whereNull('last_started_at')
          .orWhere('resume_at', '<=', this.clock.now())
          .pluck('store_id')
      ).map(Number),
    );
    const results: StoreSyncResult[] = [];
    for (const store of (await this.stores.list()).filter((s) => due.has(s.id) && s.status === 'active' && s.authorization === 'authorized')) {
      if (options.signal?.aborted) break;
      results.push(await this.syncStore(store, options));
    }
    return results;
  }

  async syncStore(store: AmazonStore, options: SyncOptions = {}): Promise<StoreSyncResult> {
    const started = Date.now();
    const result: StoreSyncResult = {
      storeId: store.id, storeName: store.name, result: 'ok', error: null,
      seen: 0, new: 0, updated: 0, imported: 0, blocked: 0, invalid: 0, apiCalls: 0, throttled: 0, rateLimitWaitMs: 0, durationMs: 0,
    };
    if (store.status !== 'active') {
      result.result = 'skipped';
      result.error = `the store is Inactive, which stops its sync (asc store:status --store ${store.id} --status active resumes it)`;
      return result;
    }
    const unauthorized = authorizationProblem(store);
    if (unauthorized !== null) {
      result.result = 'skipped';
      result.error = unauthorized;
      return result;
    }
    let resumeAt: Date | null = null;
    if (!(await this.lease.acquire(store.id, this.owner))) {
      const holder = await this.lease.holder(store.id);
      result.result = 'skipped';
      result.error = `another sync (${holder.owner}) holds this store until ${holder.expiresAt?.toISOString()}`;
      return result;
    }
    try {
      await this.db('amazon_sync_state').where({ store_id: store.id }).update({ last_started_at: this.clock.now() });
      let amazonFailure: unknown = null;
      let stoppedFor: string | null = null;
      try {
        await this.pageOrders(store, result, options);
        await this.refetchInvalid(store, result, options.signal);
      } catch (error) {
        // Another runner owns the store now: it does the import, from fresher data.
        if (error instanceof LeaseLostError) throw error;
        if (error instanceof AmazonCallAborted) stoppedFor = STOPPED;
        // Waiting that long would hold the lease and the cron: stop here, the next run goes on.
        else if (error instanceof AmazonRateLimitWaitError) {
          stoppedFor = `${error.message}; the next run continues from the saved page`;
          resumeAt = new Date(this.clock.now().getTime() + error.waitMs);
        } else amazonFailure = error;
      }
      // Blocked and ready orders are retried from stored data even when Amazon could not be reached.
      const heartbeat = async () => {
        if (options.signal?.aborted) throw new RunStopped();
        await this.keepLease(store.id);
      };
      await this.importer.processStore(store, await this.stores.settings(store.id), result, heartbeat);
      if (amazonFailure !== null) throw amazonFailure;
      if (stoppedFor !== null || options.signal?.aborted) {
        result.result = 'partial';
        result.error = stoppedFor ?? STOPPED;
        this.logger.info('Amazon order sync stopped before the end', { storeId: store.id, reason: result.error });
      }
    } catch (error) {
      if (error instanceof RunStopped) {
        result.result = 'partial';
        result.error = STOPPED;
      } else {
        result.result = 'failed';
        result.error = errorSummary(error);
        this.logger.error('Amazon order sync failed', { storeId: store.id, error: result.error });
      }
    } finally {
      result.durationMs = Date.now() - started;
      await this.finish(store.id, result, resumeAt);
    }
    return result;
  }

  /**
   * Records the run's result and gives the lease back. When the database is what failed (the
   * connection lost, the database full or read-only) either may fail too: that must neither hide
   * the run's own result nor keep the lease from being given back when the database lets it (a
   * lease left behind blocks every other runner for LEASE_TTL_MS); a lease that cannot be given
   * back expires.
   */
  private async finish(storeId: number, result: StoreSyncResult, resumeAt: Date | null): Promise<void> {
    const now = this.clock.now();
    try {
      await this.db('amazon_sync_state')
        .where({ store_id: storeId })
        .update({
          last_finished_at: now,
          last_result: result.result,
          last_error: result.error,
          last_stats: JSON.stringify(result),
          resume_at: resumeAt,
          ...(result.result === 'ok' ? { last_success_at: now } : {}),
        });
    } catch (error) {
      this.logger.error('Could not record the result of the Amazon order sync', { storeId, result: result.result, error: errorSummary(error) });
    }
    await this.lease.giveBack(storeId, this.owner);
  }

  private async pageOrders(store: AmazonStore, result: StoreSyncResult, options: SyncOptions): Promise<void> {
    const state: SyncStateRow = await this.db('amazon_sync_state').where({ store_id: store.id }).first('cursor', 'window_after', 'window_before', 'next_token');
    let window = this.resumeWindow(state);
    if (!window) {
      const cursor = fromDbOrNull(state.cursor) ?? store.integratedAt;
      const after = new Date(Math.max(cursor.getTime() - CURSOR_OVERLAP_MS, store.integratedAt.getTime() - CURSOR_OVERLAP_MS));
      const before = new Date(this.clock.now().getTime() - LAST_UPDATED_BEFORE_LAG_MS);
      if (before.getTime() <= after.getTime()) return; // integrated moments ago: nothing Amazon can answer yet
      window = { after, before, token: null };
      await this.db('amazon_sync_state').where({ store_id: store.id }).update({ window_after: after, window_before: before, next_token: null });
    }

    const settings = await this.stores.settings(store.id);
    const fetchPage = (paginationToken: string | null) => {
      const fetching = this.reader.searchPage(
        store,
        { lastUpdatedAfter: window!.after, lastUpdatedBefore: window!.before, paginationToken },
        result,
        (event) => {
          if (event.kind === 'rate-wait') result.rateLimitWaitMs += event.waitMs;
          options.progress?.(event);
        },
        options.signal,
      );
      // A page fetched ahead that the run does not get to (it stopped, or failed) must not fail unheard.
      fetching.catch(() => undefined);
      return fetching;
    };
    let restarted = false;
    let fetching = fetchPage(window.token);
    for (;;) {
      if (options.signal?.aborted) return;
      let page;
      try {
        page = await fetching;
      } catch (error) {
        if (window.token !== null && !restarted && isExpiredPaginationToken(error)) {
          // Tokens live 24 hours: a run that stopped longer ago starts its window again.
          restarted = true;
          window = { ...window, token: null };
          await this.db('amazon_sync_state').where({ store_id: store.id }).update({ next_token: null });
          fetching = fetchPage(null);
          continue;
        }
        throw error;
      }
      // The next page is asked for while this one is stored: Amazon's answer and the database's work overlap.
      if (page.nextToken) fetching = fetchPage(page.nextToken);
      // Counted once the page is stored: a page whose transaction did not commit stored nothing.
      const counts = await transaction(this.db, async (trx) => {
        const pageCounts: StoreCounts = { seen: 0, new: 0, updated: 0, invalid: page.invalid.length };
        await this.storeOrders(trx, store, settings, page.orders, pageCounts);
        for (const invalid of page.invalid) await this.reader.recordInvalid(store, invalid.orderId, invalid.message, trx);
        const next = page.nextToken;
        await trx('amazon_sync_state')
          .where({ store_id: store.id })
          .update(next ? { next_token: next } : { cursor: window!.before, window_after: null, window_before: null, next_token: null });
        return pageCounts;
      });
      addCounts(result, counts);
      options.progress?.({ kind: 'page', storeId: store.id, orders: page.orders.length, seen: result.seen });
      await this.keepLease(store.id);
      if (!page.nextToken) return;
      window = { ...window, token: page.nextToken };
    }
  }

  /** Stores orders as Amazon sent them (unless they predate the integration); counts what happened. */
  private async storeOrders(trx: Knex.Transaction, store: AmazonStore, settings: OrderSettings, orders: readonly Order[], result: StoreCounts): Promise<void> {
    const versions: AmazonVersion[] = [];
    // Orders that arrived usable (hidden ones too) need no fetch again.
    const usable: string[] = [];
    for (const order of orders) {
      let snapshot;
      try {
        snapshot = snapshotFromAmazon(order, store.marketplaceId);
      } catch (error) {
        if (!(error instanceof OrderDataError)) throw error;
        result.invalid += 1;
        await this.reader.recordInvalid(store, order.orderId, error.message, trx);
        continue;
      }
      usable.push(order.orderId);
      const decision = importDecision(snapshot, settings, store.integratedAt);
      if (decision !== 'hidden') versions.push({ order, snapshot, decision });
    }
    if (usable.length === 0) return;
    await trx('amazon_order_refetch').where({ store_id: store.id }).whereIn('amazon_order_id', usable).del();
    result.seen += versions.length;
    for (const outcome of await this.orders.upsertManyFromAmazon(trx, store.id, versions)) {
      if (outcome === 'new') result.new += 1;
      if (outcome === 'updated') result.updated += 1;
    }
  }

  /**
   * Fetches one order and stores it as a page of the sync would (an ORDER_CHANGE notification
   * names it; the notification itself carries no money). An order in a shape the module cannot
   * use is logged and queued to be fetched again, as the sync does. Takes no lease: the
   * repository keeps concurrent writes of one order right; creating host orders needs the lease.
   */
  async fetchAndStore(store: AmazonStore, orderId: string, counters: CallCounters, signal?: AbortSignal): Promise<StoreCounts> {
    const fetched = await this.reader.getOrder(store, orderId, counters, signal);
    const settings = await this.stores.settings(store.id);
    return transaction(this.db, async (trx) => {
      const counts: StoreCounts = { seen: 0, new: 0, updated: 0, invalid: 0 };
      if ('order' in fetched) await this.storeOrders(trx, store, settings, [fetched.order], counts);
      else {
        counts.invalid += 1;
        await this.reader.recordInvalid(store, orderId, fetched.invalid, trx);
      }
      return counts;
    });
  }

  /** Orders a page carried in an unusable shape, fetched again one by one (a few per run). */
  private async refetchInvalid(store: AmazonStore, result: StoreSyncResult, signal?: AbortSignal): Promise<void> {
    const queued: Array<{ amazon_order_id: string }> = await this.db('amazon_order_refetch')
      .where({ store_id: store.id })
      .orderBy('updated_at')
      .limit(REFETCH_PER_RUN)
      .select('amazon_order_id');
    if (queued.length === 0) return;
    const settings = await this.stores.settings(store.id);
    for (const { amazon_order_id: orderId } of queued) {
      const fetched = await this.reader.getOrder(store, orderId, result, signal);
      const counts = await transaction(this.db, async (trx) => {
        const orderCounts: StoreCounts = { seen: 0, new: 0, updated: 0, invalid: 0 };
        if ('order' in fetched) await this.storeOrders(trx, store, settings, [fetched.order], orderCounts);
        else {
          await trx('amazon_order_refetch')
            .where({ store_id: store.id, amazon_order_id: orderId })
            .update({ reason: fetched.invalid, attempts: trx.raw('attempts + 1'), updated_at: this.clock.now() });
        }
        return orderCounts;
      });
      addCounts(result, counts);
    }
  }

  /** Extends this runner's lease, or stops the run when another runner took the store over. */
  private async keepLease(storeId: number): Promise<void> {
    if (!(await this.lease.renew(storeId, this.owner))) throw new LeaseLostError();
  }

  private resumeWindow(state: SyncStateRow): { after: Date; before: Date; token: string | null } | null {
    const after = fromDbOrNull(state.window_after);
    const before = fromDbOrNull(state.window_before);
    return after && before ? { after, before, token: state.next_token } : null;
  }
}
