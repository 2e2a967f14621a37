/**
 * The sync's window onto Amazon: searchOrders pages with every dataset the import needs (through
 * the store's shared client), and the bookkeeping of calls, throttling and orders Amazon sent in a
 * shape the module cannot use.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { AmazonResponseError, MAX_ERROR_MESSAGE_CHARS, type Order } from '../amazon/index.ts';
import { AmazonClients, type CallCounters, type RateWaitEvent } from '../stores/amazon-clients.ts';
import type { AmazonStore } from '../stores/store.ts';
import { shorten } from '../text.ts';

/** amazon_order_refetch.amazon_order_id and amazon_order.amazon_order_id hold 32 characters. */
const MAX_ORDER_ID_CHARS = 32;

export type SyncProgress = { kind: 'page'; storeId: number; orders: number; seen: number } | RateWaitEvent;

export interface OrdersWindowPage {
  orders: Order[];
  /** Orders that failed validation at the client boundary, by id, with the reason naming the field. */
  invalid: Array<{ orderId: string | null; message: string }>;
  nextToken: string | null;
}

/** What the import reads (buyer, address, proceeds, fulfillment) and the order page shows (packages), besides the order and items. */
export const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'FULFILLMENT', 'CANCELLATION', 'PROMOTION', 'PACKAGES'] as const;

@injectable()
export class AmazonOrderReader {
  constructor(
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(AmazonClients) private readonly clients: AmazonClients,
  ) {}

  /** One page of the window; the same parameters on every page, as Amazon requires. */
  async searchPage(
    store: AmazonStore,
    window: { lastUpdatedAfter: Date; lastUpdatedBefore: Date; paginationToken: string | null },
    counters: CallCounters,
    progress?: (event: SyncProgress) => void,
    signal?: AbortSignal,
  ): Promise<OrdersWindowPage> {
    const page = await this.clients.run(
      store,
      { counters, onRateWait: progress, signal },
      (client) =>
        client.orders.searchOrders({
          lastUpdatedAfter: window.lastUpdatedAfter,
          lastUpdatedBefore: window.lastUpdatedBefore,
          marketplaceIds: [store.marketplaceId],
          includedData: INCLUDED_DATA,
          maxResultsPerPage: 100,
          ...(window.paginationToken ? { paginationToken: window.paginationToken } : {}),
        }),
    );
    return {
      orders: page.orders,
      invalid: page.invalidOrders.map((invalid) => ({ orderId: invalid.orderId, message: invalid.error.message })),
      nextToken: page.nextToken,
    };
  }

  /** One order again (for those a page carried in a shape the module could not use). */
  async getOrder(store: AmazonStore, orderId: string, counters: CallCounters, signal?: AbortSignal): Promise<{ order: Order } | { invalid: string }> {
    try {
      return { order: (await this.clients.run(store, { counters, signal }, (client) => client.orders.getOrder(orderId, INCLUDED_DATA))).order };
    } catch (error) {
      if (error instanceof AmazonResponseError) return { invalid: error.message };
      throw error;
    }
  }

  /**
   * An order Amazon sent that the module cannot store: kept in the communication errors log and,
   * when it has an id, queued to be fetched again (so it is not lost when the cursor moves on).
   * Written in the page's transaction, so what Amazon sent must not fail these inserts: an id
   * longer than the queue's column or not text (Amazon's have 19 digits and dashes; such an order
   * is refused for its id anyway, and fetching it again would not change that, or fail: Amazon
   * answers 400, and a lone surrogate cannot go into a URL) is only logged, shortened.
   */
  async recordInvalid(store: AmazonStore, orderId: string | null, message: string, trx: Knex.Transaction): Promise<void> {
    const shownId = orderId === null ? '(no id)' : shorten(orderId, MAX_ORDER_ID_CHARS).toWellFormed();
    const reason = shorten(message, MAX_ERROR_MESSAGE_CHARS);
    this.logger.warn('Amazon sent an order the module cannot use', { storeId: store.id, amazonOrderId: shownId, reason });
    if (orderId && orderId.length <= MAX_ORDER_ID_CHARS && orderId.isWellFormed()) {
      const now = this.clock.now();
      const updated = await trx('amazon_order_refetch').where({ store_id: store.id, amazon_order_id: orderId }).update({ reason, updated_at: now });
      if (updated === 0) await trx('amazon_order_refetch').insert({ store_id: store.id, amazon_order_id: orderId, reason, created_at: now, updated_at: now });
    }
    await trx('amazon_api_error').insert({
      store_id: store.id,
      operation: 'searchOrders',
      http_status: null,
      code: 'InvalidOrder',
      message: shorten(`Order ${shownId}: ${message}`, MAX_ERROR_MESSAGE_CHARS),
      request_id: null,
      created_at: this.clock.now(),
    });
  }
}
