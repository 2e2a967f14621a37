/**
 * One SP-API client per store, kept for the process (the LWA access token is cached in it) and
 * shared by everything that talks to Amazon for the store: the sync's reader and the fulfillment
 * sender. A store whose endpoints or credentials changed gets a new client.
 */
import { inject, injectable, optional } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { createSpApiClient, type SpApiClient } from '../amazon/index.ts';
import type { RetryPolicy } from '../amazon/retry.ts';
import { Stores } from './stores.ts';
import type { AmazonStore } from './store.ts';

/**
 * Optional, bound by a host (or a test) that wants other retries or timeouts for the calls to
 * Amazon than the defaults (5 attempts, back-off from 1 s up to 30 s, 30 s per call).
 */
export const AMAZON_CLIENT_TUNING = Symbol.for('amazon-sales-channel.AmazonClientTuning');

export interface AmazonClientTuning {
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

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

interface RunListeners {
  counters: CallCounters;
  onRateWait?: (event: RateWaitEvent) => void;
}

@injectable()
export class AmazonClients {
  private readonly clients = new Map<number, { key: string; client: SpApiClient }>();
  /** The current run's counters and rate-wait listener per store (the cached client reports into them). */
  private readonly listeners = new Map<number, RunListeners>();

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(AMAZON_CLIENT_TUNING) @optional() private readonly tuning: AmazonClientTuning | undefined,
  ) {}

  async client(store: AmazonStore): Promise<SpApiClient> {
    const key = `${store.updatedAt.getTime()}|${store.spApiEndpoint}|${store.lwaEndpoint}`;
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
        onRateLimitWait: (event) =>
          this.listeners.get(store.id)?.onRateWait?.({ kind: 'rate-wait', storeId: store.id, operation: event.operation, waitMs: event.waitMs }),
        fetch: this.countingFetch(store),
      },
    );
    this.clients.set(store.id, { key, client });
    return client;
  }

  /** Runs `work` with the store's client, counting its SP-API calls into `counters`. */
  async counting<T>(store: AmazonStore, counters: CallCounters, work: (client: SpApiClient) => Promise<T>, onRateWait?: (event: RateWaitEvent) => void): Promise<T> {
    const client = await this.client(store);
    this.listeners.set(store.id, { counters, onRateWait });
    try {
      return await work(client);
    } finally {
      this.listeners.delete(store.id);
    }
  }

  /** Counts the SP-API calls (retries included) and throttled answers of the current run; LWA calls are not counted. */
  private countingFetch(store: AmazonStore): typeof fetch {
    const apiOrigin = new URL(store.spApiEndpoint).origin;
    return async (input, init) => {
      const response = await fetch(input, init);
      const listener = this.listeners.get(store.id);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (listener && url.startsWith(apiOrigin) && !url.startsWith(store.lwaEndpoint)) {
        listener.counters.apiCalls += 1;
        if (response.status === 429) listener.counters.throttled += 1;
      }
      return response;
    };
  }
}
