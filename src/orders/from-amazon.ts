/**
 * Normalizes an Orders API v2026-01-01 `Order` (already validated at the client boundary) into the
 * snapshot the import rules work on. Amounts stay Amazon's decimal strings with their currencies;
 * categories are read from the item proceeds breakdowns (ITEM, SHIPPING, GIFT_WRAP, COD_FEE, OTHER,
 * and TAX and DISCOUNT by detail subtype), order-level charges (DELIVERY_TIP) from the order's.
 */
import { MoneyFormatError, toE4 } from '../money.ts';
import { own } from '../own.ts';
import type { Order, OrderItem } from '../amazon/models.ts';
import {
  MAX_AMOUNT_CHARS,
  OrderDataError,
  type Money,
  type OrderLevelCharge,
  type OrderSnapshot,
  type ProceedsCategory,
  type SnapshotAddress,
  type SnapshotItem,
} from './order-snapshot.ts';

type Category = keyof SnapshotItem['proceeds'];
type Unrecognized = OrderSnapshot['unrecognizedProceeds'];

/** Amazon's item breakdown types and TAX/DISCOUNT detail subtypes, by the category they belong to. */
const CATEGORIES: Readonly<Record<string, Category>> = { ITEM: 'item', SHIPPING: 'shipping', GIFT_WRAP: 'gift_wrap', COD_FEE: 'cod_fee', OTHER: 'other' };
// Tax on a discount lowers the tax of what was discounted; Amazon does not say which, so the item's.
const TAX_CATEGORIES: Readonly<Record<string, Category>> = { ...CATEGORIES, DISCOUNT: 'item' };
/** Order breakdown types that add up the items' (counted there); the rest belong to the order alone. */
const ITEM_AGGREGATES = new Set(['ITEM', 'SHIPPING', 'GIFT_WRAP', 'COD_FEE', 'TAX', 'DISCOUNT', 'OTHER']);

const category = (): ProceedsCategory => ({ amount: [], tax: [], discount: [] });

// Discounts are reported as negative proceeds; the host expects a positive discount.
const negated = (money: Money): Money => ({
  amount: money.amount.startsWith('-') ? money.amount.slice(1) : `-${money.amount}`,
  currencyCode: money.currencyCode,
});

/**
 * Sorts an item's proceeds breakdowns into categories, keeping every amount with its currency.
 * TAX and DISCOUNT go by their detail subtypes; without detail they are the item's own.
 */
function itemProceeds(item: OrderItem, unrecognized: Unrecognized): SnapshotItem['proceeds'] {
  const proceeds = { item: category(), shipping: category(), gift_wrap: category(), cod_fee: category(), other: category() };
  const source = `item ${item.orderItemId}`;
  for (const breakdown of item.proceeds?.breakdowns ?? []) {
    if (breakdown.type === 'TAX' || breakdown.type === 'DISCOUNT') {
      const details = breakdown.detailedBreakdowns ?? [];
      const values = details.length === 0 ? [{ subtype: 'ITEM', value: breakdown.subtotal }] : details;
      for (const { subtype, value } of values) {
        if (!value) continue;
        const target = own(breakdown.type === 'TAX' ? TAX_CATEGORIES : CATEGORIES, subtype ?? '');
        if (!target) unrecognized.push({ source, kind: `${breakdown.type}/${subtype ?? '(no subtype)'}`, amount: value });
        else if (breakdown.type === 'TAX') proceeds[target].tax.push(value);
        else proceeds[target].discount.push(negated(value));
      }
      continue;
    }
    const target = own(CATEGORIES, breakdown.type);
    if (target) proceeds[target].amount.push(breakdown.subtotal);
    else unrecognized.push({ source, kind: breakdown.type, amount: breakdown.subtotal });
  }
  return proceeds;
}

/** The order's own charges (DELIVERY_TIP); the item aggregates are counted on the items. */
function orderCharges(order: Order, unrecognized: Unrecognized): OrderLevelCharge[] {
  const charges: OrderLevelCharge[] = [];
  for (const breakdown of order.proceeds?.breakdowns ?? []) {
    if (breakdown.type === 'DELIVERY_TIP') charges.push({ kind: 'delivery_tip', status: breakdown.status ?? null, amount: breakdown.subtotal });
    else if (!ITEM_AGGREGATES.has(breakdown.type)) unrecognized.push({ source: 'order', kind: breakdown.type, amount: breakdown.subtotal });
  }
  return charges;
}

function itemSnapshot(item: OrderItem, orderCanceled: boolean, unrecognized: Unrecognized): SnapshotItem {
  const shipped = item.fulfillment?.quantityFulfilled ?? 0;
  const unfulfilled = item.fulfillment?.quantityUnfulfilled;
  // Amazon reports shipped and still-to-ship units; the rest of what was ordered was canceled.
  const canceled = orderCanceled
    ? item.quantityOrdered - shipped
    : unfulfilled === undefined
      ? 0
      : Math.max(0, item.quantityOrdered - shipped - unfulfilled);
  return {
    orderItemId: item.orderItemId,
    sellerSku: text(item.product.sellerSku),
    asin: text(item.product.asin),
    title: text(item.product.title),
    quantityOrdered: item.quantityOrdered,
    quantityShipped: shipped,
    quantityCanceled: canceled,
    unitPrice: item.product.price?.unitPrice ?? null,
    proceeds: itemProceeds(item, unrecognized),
  };
}

function addressSnapshot(order: Order): SnapshotAddress | null {
  const address = order.recipient?.deliveryAddress;
  if (!address) return null;
  return {
    name: text(address.name),
    addressLines: [address.addressLine1, address.addressLine2, address.addressLine3].filter((line): line is string => !!line).map((line) => line.toWellFormed()),
    city: text(address.city),
    stateOrRegion: text(address.stateOrRegion),
    postalCode: text(address.postalCode),
    countryCode: text(address.countryCode),
    phone: text(address.phone),
  };
}

/** Longest identifiers the module keeps (its columns); Amazon's own are far shorter. */
const MAX_ID_CHARS = { orderId: 32, marketplaceId: 32, orderItemId: 64, sellerSku: 255, asin: 16 };
/** `grand_total_e4` is a signed 64-bit integer. */
const MAX_E4 = 2n ** 63n - 1n;
/** Quantities go into integer columns (signed 32-bit on MySQL). */
const MAX_QUANTITY = 2 ** 31 - 1;
/**
 * The instants both databases keep exactly: MySQL's DATETIME range. The model allows any ISO 8601
 * date-time, so "0999-..." or "9999-12-31T23:59:59-14:00" (the year 10000 in UTC) are valid
 * documents; MySQL refuses the one insert (the whole page with it, on every run) or reads such a
 * year back wrong.
 */
const EARLIEST_INSTANT = Date.parse('1000-01-01T00:00:00.000Z');
const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

function checkLength(value: string | undefined, max: number, what: string): void {
  if (value !== undefined && value.length > max) throw new OrderDataError(`${what} is ${value.length} characters long; at most ${max} are expected`);
}

/** An identifier the module keeps, looks up and puts in URLs: within its column, and text (no lone surrogate, see `text`). */
function checkId(value: string | undefined, max: number, what: string): void {
  checkLength(value, max, what);
  if (value !== undefined && !value.isWellFormed()) throw new OrderDataError(`${what} holds half of a character (a lone UTF-16 surrogate)`);
}

/**
 * Amazon's free text as the module keeps it: every half of a surrogate pair standing alone (JSON can
 * carry one as an escape, "\ud800"; it is no character) replaced by U+FFFD. UTF-8 cannot encode
 * one, the databases store it differently (SQLite as three U+FFFD, MySQL as one), and
 * encodeURIComponent throws on it.
 */
const text = (value: string | undefined): string | null => (value === undefined ? null : value.toWellFormed());

function checkQuantity(value: number | undefined, what: string): void {
  if (value !== undefined && value > MAX_QUANTITY) throw new OrderDataError(`${what} is ${value}; at most ${MAX_QUANTITY} are expected`);
}

const storable = (date: Date) => date.getTime() >= EARLIEST_INSTANT && date.getTime() <= LATEST_INSTANT;

function checkInstant(value: string, what: string): void {
  if (!storable(new Date(value))) throw new OrderDataError(`${what} lies outside the years 1000 to 9999 the module can keep`);
}

/** Amazon's ship-by deadline: the latest end of the order's ship-by window, when it sends one (a usable one). */
export function latestShipDate(order: Pick<Order, 'fulfillment'>): Date | null {
  const latest = order.fulfillment?.shipByWindow?.latestDateTime;
  const date = latest === undefined ? null : new Date(latest);
  return date !== null && !Number.isNaN(date.getTime()) && storable(date) ? date : null;
}

export function snapshotFromAmazon(order: Order, defaultMarketplaceId: string): OrderSnapshot {
  checkId(order.orderId, MAX_ID_CHARS.orderId, 'the order id');
  checkId(order.salesChannel.marketplaceId, MAX_ID_CHARS.marketplaceId, `order ${order.orderId}: the marketplace id`);
  checkInstant(order.createdTime, `order ${order.orderId}: the created time`);
  checkInstant(order.lastUpdatedTime, `order ${order.orderId}: the last updated time`);
  for (const item of order.orderItems) {
    checkId(item.orderItemId, MAX_ID_CHARS.orderItemId, `order ${order.orderId}: an order item id`);
    const of = `order ${order.orderId}, item ${item.orderItemId}`;
    checkLength(item.product.sellerSku, MAX_ID_CHARS.sellerSku, `${of}: the seller SKU`);
    checkLength(item.product.asin, MAX_ID_CHARS.asin, `${of}: the ASIN`);
    checkLength(item.product.price?.unitPrice?.amount, MAX_AMOUNT_CHARS, `${of}: the unit price`);
    checkQuantity(item.quantityOrdered, `${of}: the quantity ordered`);
    checkQuantity(item.fulfillment?.quantityFulfilled, `${of}: the quantity shipped`);
    checkQuantity(item.fulfillment?.quantityUnfulfilled, `${of}: the quantity to ship`);
  }
  // The grand total is kept as sent and also in exact ten-thousandths for the grid's total filter:
  // one the module cannot hold exactly is refused, never rounded. (Other amounts are checked when
  // the host order is built: such an order is shown, and blocked.)
  const grandTotal = order.proceeds?.grandTotal;
  if (grandTotal) {
    checkLength(grandTotal.amount, MAX_AMOUNT_CHARS, `order ${order.orderId}: the grand total`);
    let e4: bigint;
    try {
      e4 = toE4(grandTotal.amount);
    } catch (error) {
      if (error instanceof MoneyFormatError) throw new OrderDataError(`order ${order.orderId}: the grand total ${error.message}`);
      throw error;
    }
    if (e4 > MAX_E4 || e4 < -MAX_E4) throw new OrderDataError(`order ${order.orderId}: the grand total ${grandTotal.amount} is larger than the module can keep exactly`);
  }
  return snapshot(order, defaultMarketplaceId);
}

function snapshot(order: Order, defaultMarketplaceId: string): OrderSnapshot {
  const fulfillment = order.fulfillment;
  // Without it the module cannot tell who ships the order or whether it may import: never guess.
  if (!fulfillment?.fulfilledBy) throw new OrderDataError(`order ${order.orderId} has no fulfillment.fulfilledBy`);
  const status = fulfillment.fulfillmentStatus;
  const unrecognizedProceeds: Unrecognized = [];
  return {
    amazonOrderId: order.orderId,
    marketplaceId: order.salesChannel.marketplaceId ?? defaultMarketplaceId,
    purchaseDate: new Date(order.createdTime),
    lastUpdated: new Date(order.lastUpdatedTime),
    status,
    fulfilledBy: fulfillment.fulfilledBy,
    buyerName: text(order.buyer?.buyerName),
    buyerEmail: text(order.buyer?.buyerEmail),
    shippingServiceLevel: text(fulfillment.fulfillmentServiceLevel),
    latestShipDate: latestShipDate(order),
    address: addressSnapshot(order),
    grandTotal: order.proceeds?.grandTotal ?? null,
    items: order.orderItems.map((item) => itemSnapshot(item, status === 'CANCELLED', unrecognizedProceeds)),
    orderCharges: orderCharges(order, unrecognizedProceeds),
    unrecognizedProceeds,
  };
}
