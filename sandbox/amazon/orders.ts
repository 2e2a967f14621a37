/**
 * Orders API v2026-01-01: `searchOrders` and `getOrder`, with query validation per the model, the
 * two-minute rule, opaque pagination tokens bound to the search parameters and expiring by the
 * sandbox clock, and the `includedData` datasets. The response has no `payload` wrapper.
 */
import { isoSeconds, parseIsoDateTime, type SandboxClock } from './clock.ts';
import { invalidInput, jsonResponse, notFound, type Caller, type SandboxRequest, type SandboxResponse } from './http.ts';
import { findMarketplace } from './marketplaces.ts';
import { money, sum } from './money.ts';
import { FULFILLMENT_STATUSES, isOrderId, itemTotal, orderStatus, orderTotal, promiseWindows, type OrderBook, type OrderItemState, type OrderState } from './order-book.ts';
import { randomToken } from './random.ts';

export const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'EXPENSE', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES', 'TAX', 'PAYMENT', 'FULFILLMENT_ORDERS'] as const;
export type IncludedData = (typeof INCLUDED_DATA)[number];
const FULFILLED_BY = ['MERCHANT', 'AMAZON'] as const;

export const TWO_MINUTES_MS = 2 * 60_000;
export const DEFAULT_PAGINATION_TOKEN_TTL_MS = 24 * 3600_000;

type ParamKind = 'single' | 'array';
const SEARCH_PARAMS: Record<string, ParamKind> = {
  createdAfter: 'single',
  createdBefore: 'single',
  lastUpdatedAfter: 'single',
  lastUpdatedBefore: 'single',
  fulfillmentStatuses: 'array',
  marketplaceIds: 'array',
  fulfilledBy: 'array',
  maxResultsPerPage: 'single',
  paginationToken: 'single',
  includedData: 'array',
};
const GET_ORDER_PARAMS: Record<string, ParamKind> = { includedData: 'array' };

/** What selects orders; a pagination token is bound to exactly these values. */
interface SearchCriteria {
  mode: 'created' | 'lastUpdated';
  after: number;
  /** As given by the caller; null means "now minus two minutes" at the first page. */
  before: number | null;
  statuses: string[] | null;
  marketplaceIds: string[] | null;
  fulfilledBy: string[] | null;
}

interface PageToken {
  sellerId: string;
  fingerprint: string;
  before: number;
  /** Sort key and order id of the last order already returned. */
  cursor: { key: number; orderId: string };
  expiresAt: number;
}

type Params = Map<string, string[]>;

/** Reads the query against the allowed parameters; arrays are comma-separated (swagger csv) or repeated. */
function readParams(query: URLSearchParams, allowed: Record<string, ParamKind>): Params | SandboxResponse {
  const params: Params = new Map();
  for (const [name, value] of query) {
    const kind = allowed[name];
    if (kind === undefined) return invalidInput(`Unknown query parameter: ${name}.`, name);
    if (kind === 'single') {
      if (params.has(name)) return invalidInput(`Parameter ${name} must be given once.`, name);
      params.set(name, [value]);
    } else {
      const values = value.split(',');
      if (values.some((v) => v.trim() === '')) return invalidInput(`Parameter ${name} has an empty value.`, name);
      params.set(name, [...(params.get(name) ?? []), ...values.map((v) => v.trim())]);
    }
  }
  return params;
}

function readEnumArray(params: Params, name: string, allowed: readonly string[]): string[] | null | SandboxResponse {
  const values = params.get(name);
  if (values === undefined) return null;
  const bad = values.find((v) => !allowed.includes(v));
  if (bad !== undefined) return invalidInput(`Invalid value "${bad}" for ${name}. Valid values: ${allowed.join(', ')}.`, name);
  return [...new Set(values)].sort();
}

function readIncluded(params: Params): Set<IncludedData> | SandboxResponse {
  const values = readEnumArray(params, 'includedData', INCLUDED_DATA);
  if (values !== null && !Array.isArray(values)) return values;
  return new Set((values ?? []) as IncludedData[]);
}

function isResponse(value: unknown): value is SandboxResponse {
  return typeof value === 'object' && value !== null && 'status' in value && typeof (value as SandboxResponse).status === 'number';
}

function readTime(params: Params, name: string): number | null | SandboxResponse {
  const value = params.get(name)?.[0];
  if (value === undefined) return null;
  const ms = parseIsoDateTime(value);
  if (ms === null) return invalidInput(`${name} "${value}" is not a valid ISO 8601 date-time.`, name);
  return ms;
}

function parseCriteria(params: Params, now: number): SearchCriteria | SandboxResponse {
  const times: Record<string, number | null> = {};
  for (const name of ['createdAfter', 'createdBefore', 'lastUpdatedAfter', 'lastUpdatedBefore']) {
    const t = readTime(params, name);
    if (isResponse(t)) return t;
    times[name] = t;
  }
  const created = times.createdAfter !== null;
  const updated = times.lastUpdatedAfter !== null;
  if (created === updated) return invalidInput('Exactly one of createdAfter and lastUpdatedAfter must be provided.');
  if (created && times.lastUpdatedBefore !== null) return invalidInput('lastUpdatedBefore cannot be combined with createdAfter.', 'lastUpdatedBefore');
  if (updated && times.createdBefore !== null) return invalidInput('createdBefore cannot be combined with lastUpdatedAfter.', 'createdBefore');
  const mode = created ? 'created' : 'lastUpdated';
  const afterName = `${mode}After`;
  const beforeName = `${mode}Before`;
  const after = times[afterName]!;
  const before = times[beforeName] ?? null;
  const latest = now - TWO_MINUTES_MS;
  // The model's two-minute rule is on ...Before only; an ...After that late simply finds nothing.
  if (before !== null) {
    if (before < after) return invalidInput(`${beforeName} must be equal to or after ${afterName}.`, beforeName);
    if (before > latest) return invalidInput(`${beforeName} must be at least two minutes before the time of the request.`, beforeName);
  }
  const statuses = readEnumArray(params, 'fulfillmentStatuses', FULFILLMENT_STATUSES);
  if (isResponse(statuses)) return statuses;
  const fulfilledBy = readEnumArray(params, 'fulfilledBy', FULFILLED_BY);
  if (isResponse(fulfilledBy)) return fulfilledBy;
  const marketplaceIds = params.get('marketplaceIds');
  if (marketplaceIds && marketplaceIds.length > 50) return invalidInput('marketplaceIds accepts at most 50 values.', 'marketplaceIds');
  return { mode, after, before, statuses, marketplaceIds: marketplaceIds ? [...new Set(marketplaceIds)].sort() : null, fulfilledBy };
}

function readMaxResults(params: Params): number | SandboxResponse {
  const text = params.get('maxResultsPerPage')?.[0];
  if (text === undefined) return 100;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100) return invalidInput('maxResultsPerPage must be an integer between 1 and 100.', 'maxResultsPerPage');
  return Number(text);
}

export function paginationTokenExpired(): SandboxResponse {
  return invalidInput('The paginationToken has expired. Start the search again without a paginationToken.', 'paginationToken');
}

export class OrdersApi {
  private tokens = new Map<string, PageToken>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly book: OrderBook,
    public paginationTokenTtlMs = DEFAULT_PAGINATION_TOKEN_TTL_MS,
  ) {}

  /** Every pagination token issued so far expires now. */
  expirePaginationTokens(): number {
    const now = this.clock.now();
    for (const token of this.tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
    return this.tokens.size;
  }

  reset(): void {
    this.tokens.clear();
  }

  /** `GET /orders/2026-01-01/orders` */
  search(req: SandboxRequest, caller: Caller): SandboxResponse {
    const now = this.clock.now();
    const params = readParams(req.query, SEARCH_PARAMS);
    if (isResponse(params)) return params;
    const criteria = parseCriteria(params, now);
    if (isResponse(criteria)) return criteria;
    const maxResults = readMaxResults(params);
    if (isResponse(maxResults)) return maxResults;
    const included = readIncluded(params);
    if (isResponse(included)) return included;
    const fingerprint = JSON.stringify(criteria);

    let before = criteria.before ?? now - TWO_MINUTES_MS;
    let cursor: PageToken['cursor'] | null = null;
    const tokenText = params.get('paginationToken')?.[0];
    if (tokenText !== undefined) {
      const token = this.tokens.get(tokenText);
      if (!token || token.sellerId !== caller.sellerId) return invalidInput('Invalid paginationToken.', 'paginationToken');
      if (now >= token.expiresAt) return paginationTokenExpired();
      if (token.fingerprint !== fingerprint) {
        return invalidInput('The request parameters must be the same as in the request that returned the paginationToken (except maxResultsPerPage and includedData).', 'paginationToken');
      }
      before = token.before;
      cursor = token.cursor;
    }

    const key = (o: OrderState) => (criteria.mode === 'created' ? o.createdTime : o.lastUpdatedTime);
    const byKey = (a: OrderState, b: OrderState) => key(a) - key(b) || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);
    const matches = (o: OrderState) =>
      o.sellerId === caller.sellerId &&
      key(o) >= criteria.after &&
      key(o) <= before &&
      (criteria.statuses === null || criteria.statuses.includes(orderStatus(o))) &&
      (criteria.marketplaceIds === null || criteria.marketplaceIds.includes(o.marketplaceId)) &&
      (criteria.fulfilledBy === null || criteria.fulfilledBy.includes(o.fulfilledBy)) &&
      (cursor === null || key(o) > cursor.key || (key(o) === cursor.key && o.orderId > cursor.orderId));
    // The page's orders and one more (is there a next page?), first by the page order: kept sorted
    // as they are found, so a page costs one pass over the book, not a sort of every match.
    const first: OrderState[] = [];
    for (const order of this.book.all()) {
      if (!matches(order)) continue;
      if (first.length === maxResults + 1 && byKey(order, first[maxResults]!) >= 0) continue;
      let at = first.length;
      while (at > 0 && byKey(order, first[at - 1]!) < 0) at -= 1;
      first.splice(at, 0, order);
      if (first.length > maxResults + 1) first.pop();
    }

    const page = first.slice(0, maxResults);
    const body: Record<string, unknown> = { orders: page.map((o) => toApiOrder(o, included)) };
    if (first.length > page.length) {
      const last = page[page.length - 1]!;
      const next = randomToken(32);
      this.tokens.set(next, { sellerId: caller.sellerId, fingerprint, before, cursor: { key: key(last), orderId: last.orderId }, expiresAt: now + this.paginationTokenTtlMs });
      body.pagination = { nextToken: next };
    }
    body[criteria.mode === 'created' ? 'createdBefore' : 'lastUpdatedBefore'] = isoSeconds(before);
    return jsonResponse(200, body);
  }

  /** `GET /orders/2026-01-01/orders/{orderId}` */
  getOrder(req: SandboxRequest, caller: Caller): SandboxResponse {
    const orderId = req.params.orderId!;
    if (!isOrderId(orderId)) return invalidInput(`Invalid orderId "${orderId}": expected the 3-7-7 format.`, 'orderId');
    const params = readParams(req.query, GET_ORDER_PARAMS);
    if (isResponse(params)) return params;
    const included = readIncluded(params);
    if (isResponse(included)) return included;
    const order = this.book.get(orderId);
    if (!order || order.sellerId !== caller.sellerId) return notFound(`The order ${orderId} was not found.`, orderId);
    return jsonResponse(200, { order: toApiOrder(order, included) });
  }
}

/**
 * An order as v2026-01-01 returns it. Always: orderId, createdTime, lastUpdatedTime, salesChannel,
 * orderItems (orderItemId, quantityOrdered, product). The rest per `includedData`. Buyer and address
 * exist only once Amazon verified the order (not while PENDING); AMAZON-fulfilled orders carry no
 * buyer data and only the non-PII part of the address (city, region, country).
 * TAX, EXPENSE, PAYMENT and FULFILLMENT_ORDERS are accepted; the sandbox has no data for them.
 */
export function toApiOrder(order: OrderState, included: ReadonlySet<IncludedData>): Record<string, unknown> {
  const c = order.currency;
  const merchant = order.fulfilledBy === 'MERCHANT';
  const piiAvailable = order.verifiedAt !== undefined;
  const out: Record<string, unknown> = { orderId: order.orderId };
  if (order.aliases.length > 0) out.orderAliases = order.aliases.map((a) => ({ ...a }));
  out.createdTime = isoSeconds(order.createdTime);
  out.lastUpdatedTime = isoSeconds(order.lastUpdatedTime);
  if (order.programs.length > 0) out.programs = [...order.programs];
  out.salesChannel = { channelName: 'AMAZON', marketplaceId: order.marketplaceId, marketplaceName: findMarketplace(order.marketplaceId)?.name ?? order.marketplaceId };
  if (included.has('BUYER') && merchant && piiAvailable) out.buyer = { buyerName: order.buyer.name, buyerEmail: order.buyer.email };
  if (included.has('RECIPIENT') && piiAvailable) {
    const a = order.address;
    out.recipient = {
      deliveryAddress: merchant
        ? {
            name: a.name,
            addressLine1: a.addressLine1,
            ...(a.addressLine2 ? { addressLine2: a.addressLine2 } : {}),
            city: a.city,
            stateOrRegion: a.stateOrRegion,
            postalCode: a.postalCode,
            countryCode: a.countryCode,
            phone: a.phone,
            addressType: 'RESIDENTIAL',
          }
        : { city: a.city, stateOrRegion: a.stateOrRegion, countryCode: a.countryCode },
    };
  }
  if (included.has('PROCEEDS')) {
    const total = (pick: (i: OrderItemState) => bigint) => sum(order.items.map(pick));
    const shipping = total((i) => i.shipping);
    const giftWrap = total((i) => i.giftWrap);
    const tax = total((i) => i.itemTax + i.shippingTax + i.giftWrapTax);
    const discount = total((i) => i.itemDiscount);
    const breakdowns: Array<Record<string, unknown>> = [{ type: 'ITEM', subtotal: money(total((i) => i.unitPrice * BigInt(i.quantityOrdered)), c) }];
    if (shipping > 0n) breakdowns.push({ type: 'SHIPPING', subtotal: money(shipping, c) });
    if (giftWrap > 0n) breakdowns.push({ type: 'GIFT_WRAP', subtotal: money(giftWrap, c) });
    if (tax > 0n) breakdowns.push({ type: 'TAX', subtotal: money(tax, c) });
    if (discount > 0n) breakdowns.push({ type: 'DISCOUNT', subtotal: money(-discount, c) });
    // Not an aggregate of the items: Amazon charges the tip to the order alone.
    if (order.deliveryTip > 0n) breakdowns.push({ type: 'DELIVERY_TIP', status: 'FINALIZED', subtotal: money(order.deliveryTip, c) });
    out.proceeds = { grandTotal: money(orderTotal(order), c), breakdowns };
  }
  if (included.has('FULFILLMENT')) {
    const { shipBy, deliverBy } = promiseWindows(order);
    out.fulfillment = {
      fulfillmentStatus: orderStatus(order),
      fulfilledBy: order.fulfilledBy,
      fulfillmentServiceLevel: order.serviceLevel,
      ...(shipBy ? { shipByWindow: { earliestDateTime: isoSeconds(shipBy.earliest), latestDateTime: isoSeconds(shipBy.latest) } } : {}),
      deliverByWindow: { earliestDateTime: isoSeconds(deliverBy.earliest), latestDateTime: isoSeconds(deliverBy.latest) },
    };
  }
  out.orderItems = order.items.map((item) => toApiItem(item, c, included));
  if (included.has('PACKAGES') && merchant) {
    out.packages = order.packages.map((p) => ({
      packageReferenceId: p.packageReferenceId,
      createdTime: isoSeconds(p.createdTime),
      packageStatus: { status: 'SHIPPED' },
      carrier: p.carrierCode === 'Other' && p.carrierName ? p.carrierName : p.carrierCode,
      shipTime: isoSeconds(p.shipTime),
      ...(p.shippingMethod ? { shippingService: p.shippingMethod } : {}),
      ...(p.trackingNumber ? { trackingNumber: p.trackingNumber } : {}),
      packageItems: p.items.map((i) => ({ ...i })),
    }));
  }
  return out;
}

function toApiItem(item: OrderItemState, c: string, included: ReadonlySet<IncludedData>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    orderItemId: item.orderItemId,
    quantityOrdered: item.quantityOrdered,
    product: {
      asin: item.asin,
      title: item.title,
      sellerSku: item.sku,
      condition: { conditionType: 'NEW', conditionSubtype: 'NEW' },
      price: { unitPrice: money(item.unitPrice, c) },
    },
  };
  if (included.has('PROCEEDS')) {
    const breakdowns: Array<Record<string, unknown>> = [{ type: 'ITEM', subtotal: money(item.unitPrice * BigInt(item.quantityOrdered), c) }];
    if (item.shipping > 0n) breakdowns.push({ type: 'SHIPPING', subtotal: money(item.shipping, c) });
    if (item.giftWrap > 0n) breakdowns.push({ type: 'GIFT_WRAP', subtotal: money(item.giftWrap, c) });
    const tax = item.itemTax + item.shippingTax + item.giftWrapTax;
    if (tax > 0n) {
      const detailed = [{ subtype: 'ITEM', value: money(item.itemTax, c) }];
      if (item.shippingTax > 0n) detailed.push({ subtype: 'SHIPPING', value: money(item.shippingTax, c) });
      if (item.giftWrapTax > 0n) detailed.push({ subtype: 'GIFT_WRAP', value: money(item.giftWrapTax, c) });
      breakdowns.push({ type: 'TAX', subtotal: money(tax, c), detailedBreakdowns: detailed });
    }
    if (item.itemDiscount > 0n) {
      breakdowns.push({ type: 'DISCOUNT', subtotal: money(-item.itemDiscount, c), detailedBreakdowns: [{ subtype: 'ITEM', value: money(-item.itemDiscount, c) }] });
    }
    out.proceeds = { proceedsTotal: money(itemTotal(item), c), breakdowns };
  }
  if (included.has('PROMOTION') && item.promotionIds.length > 0) out.promotion = { breakdowns: item.promotionIds.map((promotionId) => ({ promotionId })) };
  if (included.has('CANCELLATION') && (item.cancellationRequest || item.cancellationExecution)) {
    out.cancellation = {
      ...(item.cancellationRequest ? { cancellationRequest: { ...item.cancellationRequest } } : {}),
      ...(item.cancellationExecution ? { cancellationExecution: { ...item.cancellationExecution } } : {}),
    };
  }
  if (included.has('FULFILLMENT')) {
    out.fulfillment = { quantityFulfilled: item.quantityShipped, quantityUnfulfilled: item.quantityOrdered - item.quantityShipped - item.quantityCancelled };
  }
  return out;
}
