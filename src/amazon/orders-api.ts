/**
 * Orders API v2026-01-01: searchOrders and getOrder, the only order reads the module makes (the v0
 * reads are deprecated). Requests are checked against the documented rules before anything is
 * sent; responses are validated before they are returned.
 */
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { AmazonRequestError, AmazonResponseError, requestIdNote } from './errors.ts';
import { encodeQuery, type SpApiHttp } from './http.ts';
import {
  FULFILLED_BY,
  FULFILLMENT_STATUSES,
  INCLUDED_DATA,
  type FulfilledBy,
  type FulfillmentStatus,
  type IncludedData,
  type Order,
} from './models.ts';
import { isDateTime } from './formats.ts';
import { parseGetOrderResponse, parseSearchOrdersPage, type InvalidOrder } from './validate.ts';

/** Amazon refuses any `...Before` later than two minutes before the request. */
export const BEFORE_MARGIN_MS = 2 * 60_000;

/** Every query parameter of searchOrders in the model. Instants as Date or ISO 8601 string. */
export interface SearchOrdersParams {
  createdAfter?: Date | string;
  createdBefore?: Date | string;
  lastUpdatedAfter?: Date | string;
  lastUpdatedBefore?: Date | string;
  fulfillmentStatuses?: readonly FulfillmentStatus[];
  /** At most 50. */
  marketplaceIds?: readonly string[];
  fulfilledBy?: readonly FulfilledBy[];
  /** 1..100 (Amazon's default 100). */
  maxResultsPerPage?: number;
  includedData?: readonly IncludedData[];
  /** `pagination.nextToken` of the previous page, to resume a search. */
  paginationToken?: string;
}

export interface SearchOrdersPage {
  /** The orders that passed validation. */
  orders: Order[];
  /** Orders that failed validation, with the raw document and the error naming order and field. */
  invalidOrders: InvalidOrder[];
  /** Pass as `paginationToken` for the next page; null on the last page. */
  nextToken: string | null;
  /** Echoed by Amazon: the effective upper bound of the search, when it sends one. */
  lastUpdatedBefore: string | null;
  createdBefore: string | null;
  requestId: string | null;
}

export interface GetOrderResult {
  order: Order;
  requestId: string | null;
}

const SEARCH_PATH = '/orders/2026-01-01/orders';

export class OrdersApi {
  constructor(
    private readonly http: SpApiHttp,
    private readonly clock: ClockPort,
    private readonly logger: LoggerPort,
  ) {}

  /** One page of searchOrders. */
  async searchOrders(params: SearchOrdersParams): Promise<SearchOrdersPage> {
    const query = this.searchQuery(params);
    const response = await this.http.send({ operation: 'searchOrders', method: 'GET', path: SEARCH_PATH, query: encodeQuery(query) });
    const context = { operation: 'searchOrders', requestId: response.requestId };
    let page;
    try {
      page = parseSearchOrdersPage(response.body, context);
    } catch (error) {
      if (error instanceof AmazonResponseError) {
        await this.http.recordFailure(error, { httpStatus: response.status, code: 'InvalidResponse', requestId: response.requestId });
      }
      throw error;
    }
    for (const invalid of page.invalidOrders) {
      this.logger.warn('Amazon sent an order that fails validation; it is skipped', {
        store: this.http.store.storeName,
        orderId: invalid.orderId,
        error: invalid.error.message,
        requestId: response.requestId,
      });
    }
    const nextToken = page.pagination?.nextToken;
    return {
      orders: page.orders,
      invalidOrders: page.invalidOrders,
      nextToken: nextToken === undefined || nextToken === '' ? null : nextToken,
      lastUpdatedBefore: page.lastUpdatedBefore ?? null,
      createdBefore: page.createdBefore ?? null,
      requestId: response.requestId,
    };
  }

  /**
   * Every page of a search, in order. Each next page repeats every parameter with the same values
   * and adds `paginationToken` = the previous page's `nextToken`, as the model requires.
   */
  async *searchOrderPages(params: SearchOrdersParams): AsyncGenerator<SearchOrdersPage, void, undefined> {
    // Serialize the instants once, so every page repeats exactly the same strings.
    const fixed: SearchOrdersParams = { ...params };
    for (const name of ['createdAfter', 'createdBefore', 'lastUpdatedAfter', 'lastUpdatedBefore'] as const) {
      const value = fixed[name];
      if (value instanceof Date) fixed[name] = toIso(value, name);
    }
    let token = params.paginationToken;
    for (;;) {
      const page = await this.searchOrders({ ...fixed, paginationToken: token });
      yield page;
      if (page.nextToken === null) return;
      if (page.nextToken === token) {
        throw new AmazonResponseError(
          `Invalid searchOrders response: pagination.nextToken repeats the token just used; stopping to avoid a loop${requestIdNote(page.requestId)}`,
          'searchOrders',
          page.requestId,
          null,
          'pagination.nextToken',
          [{ path: 'pagination.nextToken', message: 'repeats the previous token' }],
        );
      }
      token = page.nextToken;
    }
  }

  /** One order with its items (GET /orders/2026-01-01/orders/{orderId}). */
  async getOrder(orderId: string, includedData: readonly IncludedData[] = []): Promise<GetOrderResult> {
    if (orderId.trim() === '') throw new AmazonRequestError('getOrder needs an order id', 'getOrder', 'orderId');
    checkEnumList(includedData, INCLUDED_DATA, 'includedData', 'getOrder');
    const response = await this.http.send({
      operation: 'getOrder',
      method: 'GET',
      path: `${SEARCH_PATH}/${encodeURIComponent(orderId)}`,
      query: encodeQuery({ includedData }),
    });
    const context = { operation: 'getOrder', requestId: response.requestId };
    try {
      const order = parseGetOrderResponse(response.body, context);
      if (order.orderId !== orderId) {
        throw new AmazonResponseError(
          `Invalid getOrder response: asked for order ${orderId}, got ${order.orderId}${requestIdNote(response.requestId)}`,
          'getOrder',
          response.requestId,
          order.orderId,
          'order.orderId',
          [{ path: 'order.orderId', message: `expected ${orderId}` }],
        );
      }
      return { order, requestId: response.requestId };
    } catch (error) {
      if (error instanceof AmazonResponseError) {
        await this.http.recordFailure(error, { httpStatus: response.status, code: 'InvalidResponse', requestId: response.requestId });
      }
      throw error;
    }
  }

  /** Checks the documented rules and returns the query parameters (instants as ISO strings). */
  private searchQuery(params: SearchOrdersParams): Record<string, string | number | readonly string[] | undefined> {
    const fail = (message: string, field: string | null): never => {
      throw new AmazonRequestError(`searchOrders: ${message}`, 'searchOrders', field);
    };
    const createdAfter = optionalIso(params.createdAfter, 'createdAfter');
    const createdBefore = optionalIso(params.createdBefore, 'createdBefore');
    const lastUpdatedAfter = optionalIso(params.lastUpdatedAfter, 'lastUpdatedAfter');
    const lastUpdatedBefore = optionalIso(params.lastUpdatedBefore, 'lastUpdatedBefore');

    if ((createdAfter === undefined) === (lastUpdatedAfter === undefined)) {
      fail('give exactly one of createdAfter and lastUpdatedAfter', createdAfter === undefined ? 'createdAfter' : 'lastUpdatedAfter');
    }
    if (createdAfter !== undefined && lastUpdatedBefore !== undefined) fail('lastUpdatedBefore cannot be combined with createdAfter', 'lastUpdatedBefore');
    if (lastUpdatedAfter !== undefined && createdBefore !== undefined) fail('createdBefore cannot be combined with lastUpdatedAfter', 'createdBefore');

    const latestBefore = this.clock.now().getTime() - BEFORE_MARGIN_MS;
    for (const [name, before, after] of [
      ['createdBefore', createdBefore, createdAfter],
      ['lastUpdatedBefore', lastUpdatedBefore, lastUpdatedAfter],
    ] as const) {
      if (before === undefined) continue;
      if (Date.parse(before) > latestBefore) {
        fail(`${name} (${before}) must be at least two minutes before now (${new Date(latestBefore).toISOString()} at the latest)`, name);
      }
      if (after !== undefined && Date.parse(before) < Date.parse(after)) fail(`${name} (${before}) is earlier than its ...After (${after})`, name);
    }

    const { maxResultsPerPage } = params;
    if (maxResultsPerPage !== undefined && !(Number.isInteger(maxResultsPerPage) && maxResultsPerPage >= 1 && maxResultsPerPage <= 100)) {
      fail(`maxResultsPerPage must be an integer from 1 to 100, got ${maxResultsPerPage}`, 'maxResultsPerPage');
    }
    if (params.marketplaceIds !== undefined && params.marketplaceIds.length > 50) fail('at most 50 marketplaceIds', 'marketplaceIds');
    if (params.marketplaceIds?.some((id) => id.trim() === '')) fail('marketplaceIds contains an empty id', 'marketplaceIds');
    checkEnumList(params.fulfillmentStatuses ?? [], FULFILLMENT_STATUSES, 'fulfillmentStatuses', 'searchOrders');
    checkEnumList(params.fulfilledBy ?? [], FULFILLED_BY, 'fulfilledBy', 'searchOrders');
    checkEnumList(params.includedData ?? [], INCLUDED_DATA, 'includedData', 'searchOrders');
    if (params.paginationToken !== undefined && params.paginationToken === '') fail('paginationToken is empty', 'paginationToken');

    return {
      createdAfter,
      createdBefore,
      lastUpdatedAfter,
      lastUpdatedBefore,
      fulfillmentStatuses: params.fulfillmentStatuses,
      marketplaceIds: params.marketplaceIds,
      fulfilledBy: params.fulfilledBy,
      maxResultsPerPage,
      includedData: params.includedData,
      paginationToken: params.paginationToken,
    };
  }
}

function toIso(value: Date, name: string): string {
  if (Number.isNaN(value.getTime())) throw new AmazonRequestError(`searchOrders: ${name} is an invalid Date`, 'searchOrders', name);
  return value.toISOString();
}

function optionalIso(value: Date | string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return toIso(value, name);
  if (!isDateTime(value)) throw new AmazonRequestError(`searchOrders: ${name} must be an ISO 8601 date-time, got "${value}"`, 'searchOrders', name);
  return value;
}

function checkEnumList(values: readonly string[], allowed: readonly string[], name: string, operation: string): void {
  const unknown = values.filter((value) => !allowed.includes(value));
  if (unknown.length > 0) throw new AmazonRequestError(`${operation}: ${name} has unknown value(s) ${unknown.join(', ')}`, operation, name);
}
