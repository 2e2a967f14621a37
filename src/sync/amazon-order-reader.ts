/**
 * The sync's window onto Amazon: one SP-API client per store (kept for the process, so the LWA
 * token is cached), searchOrders pages with every dataset the import needs, and the bookkeeping of
 * calls, throttling and orders Amazon sent in a shape the module cannot use.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { AmazonResponseError, createSpApiClient, type Order, type SpApiClient } from '../amazon/index.ts';
import { Stores } from '../stores/stores.ts';
import type { AmazonStore } from '../stores/store.ts';

export type SyncProgress =
  | { kind: 'page'; storeId: number; orders: number; seen: number }
  | { kind: 'rate-wait'; storeId: number; operation: string; waitMs: number };

export interface CallCounters {
  apiCalls: number;
  throttled: number;
}

export interface OrdersWindowPage {
  orders: Order[];
  /** Orders that failed validation at the client boundary, by id, with the reason naming the field. */
  invalid: Array<{ orderId: string | null; message: string }>;
  nextToken: string | null;
}

/** What the import reads: buyer, address, proceeds and fulfillment, besides the order and items. */
export const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'FULFILLMENT', 'CANCELLATION', 'PROMOTION'] as const;

interface RunListeners {
  counters: CallCounters;
  progress?: (event: SyncProgress) => void;
}

@injectable()
export class AmazonOrderReader {
  private readonly clients = new Map<number, { key: string; client: SpApiClient }>();
  /** The current run's counters and progress per store (the cached client reports into them). */
  private readonly listeners = new Map<number, RunListeners>();

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
  ) {}

  private async client(store: AmazonStore): Promise<SpApiClient> {
    // A store whose endpoints or credentials changed gets a new client.
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
        onRateLimitWait: (event) =>
          this.listeners.get(store.id)?.progress?.({ kind: 'rate-wait', storeId: store.id, operation: event.operation, waitMs: event.waitMs }),
        fetch: this.countingFetch(store),
      },
    );
    this.clients.set(store.id, { key, client });
    return client;
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

  /** One page of the window; the same parameters on every page, as Amazon requires. */
  async searchPage(
    store: AmazonStore,
    window: { lastUpdatedAfter: Date; lastUpdatedBefore: Date; paginationToken: string | null },
    counters: CallCounters,
    progress?: (event: SyncProgress) => void,
  ): Promise<OrdersWindowPage> {
    const client = await this.client(store);
    this.listeners.set(store.id, { counters, progress });
    try {
      const page = await client.orders.searchOrders({
        lastUpdatedAfter: window.lastUpdatedAfter,
        lastUpdatedBefore: window.lastUpdatedBefore,
        marketplaceIds: [store.marketplaceId],
        includedData: INCLUDED_DATA,
        maxResultsPerPage: 100,
        ...(window.paginationToken ? { paginationToken: window.paginationToken } : {}),
      });
      return {
        orders: page.orders,
        invalid: page.invalidOrders.map((invalid) => ({ orderId: invalid.orderId, message: invalid.error.message })),
        nextToken: page.nextToken,
      };
    } finally {
      this.listeners.delete(store.id);
    }
  }

  /** One order again (for those a page carried in a shape the module could not use). */
  async getOrder(store: AmazonStore, orderId: string, counters: CallCounters): Promise<{ order: Order } | { invalid: string }> {
    const client = await this.client(store);
    this.listeners.set(store.id, { counters });
    try {
      return { order: (await client.orders.getOrder(orderId, INCLUDED_DATA)).order };
    } catch (error) {
      if (error instanceof AmazonResponseError) return { invalid: error.message };
      throw error;
    } finally {
      this.listeners.delete(store.id);
    }
  }

  /**
   * An order Amazon sent that the module cannot store: kept in the communication errors log and,
   * when it has an id, queued to be fetched again (so it is not lost when the cursor moves on).
   */
  async recordInvalid(store: AmazonStore, orderId: string | null, message: string, trx: Knex.Transaction): Promise<void> {
    this.logger.warn('Amazon sent an order the module cannot use', { storeId: store.id, amazonOrderId: orderId, reason: message });
    if (orderId) {
      const now = this.clock.now();
      const updated = await trx('amazon_order_refetch').where({ store_id: store.id, amazon_order_id: orderId }).update({ reason: message, updated_at: now });
      if (updated === 0) await trx('amazon_order_refetch').insert({ store_id: store.id, amazon_order_id: orderId, reason: message, created_at: now, updated_at: now });
    }
    await trx('amazon_api_error').insert({
      store_id: store.id,
      operation: 'searchOrders',
      http_status: null,
      code: 'InvalidOrder',
      message: `Order ${orderId ?? '(no id)'}: ${message}`,
      request_id: null,
      created_at: this.clock.now(),
    });
  }
}
