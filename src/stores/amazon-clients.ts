/**
 * One SP-API client per store, kept for the process (the LWA access token is cached in it) and
 * shared by everything that talks to Amazon for the store: the sync's reader and the fulfillment
 * sender. A store whose endpoints or credentials changed gets a new client.
 *
 * Who is calling (a sync run counting its calls, a sender, each with its own AbortSignal) is kept
 * per async call chain (AsyncLocalStorage), so a sync and a sender working on one store at the
 * same time in one process never count or stop each other's calls.
 *
 * Rate-limit waits are bounded (60 s by default): a call that would wait longer is refused with
 * AmazonRateLimitWaitError, so a run ends with its place saved and the next one goes on, instead
 * of holding its lease and the cron for many minutes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { inject, injectable, optional } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { createSpApiClient, type SpApiClient } from '../amazon/index.ts';
import { AmazonAuthError, requestIdNote } from '../amazon/errors.ts';
import type { RetryPolicy } from '../amazon/retry.ts';
import { Stores } from './stores.ts';
import { AmazonAppSettings } from './amazon-app.ts';
import type { AmazonStore } from './store.ts';

/**
 * Optional, bound by a host (or a test) that wants other retries or timeouts for the calls to
 * Amazon than the defaults (5 attempts, back-off from 1 s up to 30 s, 30 s per call).
 */
export const AMAZON_CLIENT_TUNING = Symbol.for('amazon-sales-channel.AmazonClientTuning');

export interface AmazonClientTuning {
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** The longest wait for a rate-limit token before a call is refused (default 60 s). */
  maxRateLimitWaitMs?: number;
}

export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 60_000;

export interface CallCounters {
  apiCalls: number;
  throttled: number;
}

export interface RateWaitEvent {
  kind: 'rate-wait';
  storeId: number;
  operation: string;
  waitMs: number;
}

/** Who makes the calls of the current async chain. */
export interface CallContext {
  counters?: CallCounters;
  onRateWait?: (event: RateWaitEvent) => void;
  signal?: AbortSignal;
}

@injectable()
export class AmazonClients {
  private readonly clients = new Map<number, { key: string; client: SpApiClient }>();
  private readonly callers = new AsyncLocalStorage<CallContext>();

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(AmazonAppSettings) private readonly app: AmazonAppSettings,
    @inject(AMAZON_CLIENT_TUNING) @optional() private readonly tuning: AmazonClientTuning | undefined,
  ) {}

  async client(store: AmazonStore): Promise<SpApiClient> {
    // A saved application (a rotated client secret) reaches the store's next client too.
    const appSaved = (await this.app.get())?.updatedAt.getTime() ?? 0;
    const key = `${store.updatedAt.getTime()}|${appSaved}|${store.spApiEndpoint}|${store.lwaEndpoint}`;
    const cached = this.clients.get(store.id);
    if (cached && cached.key === key) return cached.client;
    const credentials = await this.stores.credentials(store.id);
    const client = createSpApiClient(
      {
        storeId: store.id,
        name: store.name,
        region: store.region,
        sellerId: store.sellerId,
        endpoint: store.spApiEndpoint,
        lwaEndpoint: store.lwaEndpoint,
        credentials: { clientId: store.clientId, clientSecret: credentials.clientSecret, refreshToken: credentials.refreshToken },
      },
      {
        database: this.db,
        clock: this.clock,
        logger: this.logger,
        retry: this.tuning?.retry,
        timeoutMs: this.tuning?.timeoutMs,
        maxRateLimitWaitMs: this.tuning?.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS,
        onRateLimitWait: (event) =>
          this.callers.getStore()?.onRateWait?.({ kind: 'rate-wait', storeId: store.id, operation: event.operation, waitMs: event.waitMs }),
        callSignal: () => this.callers.getStore()?.signal,
        fetch: this.countingFetch(store),
      },
    );
    this.clients.set(store.id, { key, client });
    return client;
  }

  /**
   * Runs `work` with the store's client, its calls counted, reported and stoppable as `caller` says.
   * When Login with Amazon no longer accepts the store's refresh token (invalid_grant), the store
   * is marked so: its calls stop until an admin reconnects it.
   */
  async run<T>(store: AmazonStore, caller: CallContext, work: (client: SpApiClient) => Promise<T>): Promise<T> {
    const client = await this.client(store);
    try {
      return await this.callers.run(caller, () => work(client));
    } catch (error) {
      if (error instanceof AmazonAuthError && error.code === 'invalid_grant') {
        await this.stores.markRejected(store.id, `Amazon no longer accepts this store's authorization (Login with Amazon: invalid_grant)${requestIdNote(error.requestId)}: reconnect the store`);
        this.logger.warn('Amazon no longer accepts a store authorization; its calls stop until it is reconnected', { storeId: store.id, requestId: error.requestId });
      }
      throw error;
    }
  }

  /** Counts the SP-API calls (retries included) and throttled answers of the current run; LWA calls are not counted. */
  private countingFetch(store: AmazonStore): typeof fetch {
    const apiOrigin = new URL(store.spApiEndpoint).origin;
    return async (input, init) => {
      const response = await fetch(input, init);
      const counters = this.callers.getStore()?.counters;
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (counters && url.startsWith(apiOrigin) && !url.startsWith(store.lwaEndpoint)) {
        counters.apiCalls += 1;
        if (response.status === 429) counters.throttled += 1;
      }
      return response;
    };
  }
}
