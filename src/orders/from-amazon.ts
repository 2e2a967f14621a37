/**
 * Normalizes an Orders API v2026-01-01 `Order` (already validated at the client boundary) into the
 * snapshot the import rules work on. Amounts stay Amazon's decimal strings; categories are read
 * from the item proceeds breakdowns (ITEM, SHIPPING, TAX with ITEM/SHIPPING detail, DISCOUNT).
 */
import type { ItemProceedsBreakdown, Order, OrderItem } from '../amazon/models.ts';
import { MoneyFormatError, fromE4, toE4 } from '../money.ts';
import { OrderDataError, type OrderSnapshot, type SnapshotAddress, type SnapshotItem } from './order-snapshot.ts';

function breakdown(item: OrderItem, type: string): ItemProceedsBreakdown | undefined {
  return item.proceeds?.breakdowns?.find((b) => b.type === type);
}

/** Sum of a breakdown's detail values of one subtype, or of the whole subtotal when there is no detail. */
function part(item: OrderItem, type: string, subtype: string | null): bigint {
  const found = breakdown(item, type);
  if (!found) return 0n;
  if (subtype === null) return toE4(found.subtotal.amount);
  const details = found.detailedBreakdowns ?? [];
  if (details.length === 0) return subtype === 'ITEM' ? toE4(found.subtotal.amount) : 0n;
  return details.filter((d) => d.subtype === subtype && d.value).reduce((sum, d) => sum + toE4(d.value!.amount), 0n);
}

const abs = (value: bigint) => (value < 0n ? -value : value);

function itemSnapshot(item: OrderItem, orderCanceled: boolean): SnapshotItem {
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
    sellerSku: item.product.sellerSku ?? null,
    asin: item.product.asin ?? null,
    title: item.product.title ?? null,
    quantityOrdered: item.quantityOrdered,
    quantityShipped: shipped,
    quantityCanceled: canceled,
    unitPrice: item.product.price?.unitPrice ?? null,
    itemAmount: fromE4(part(item, 'ITEM', null)),
    itemTax: fromE4(part(item, 'TAX', 'ITEM')),
    // Discounts are reported as negative proceeds; the host expects a positive discount.
    itemDiscount: fromE4(abs(part(item, 'DISCOUNT', 'ITEM'))),
    shippingAmount: fromE4(part(item, 'SHIPPING', null)),
    shippingTax: fromE4(part(item, 'TAX', 'SHIPPING')),
    shippingDiscount: fromE4(abs(part(item, 'DISCOUNT', 'SHIPPING'))),
  };
}

function addressSnapshot(order: Order): SnapshotAddress | null {
  const address = order.recipient?.deliveryAddress;
  if (!address) return null;
  return {
    name: address.name ?? null,
    addressLines: [address.addressLine1, address.addressLine2, address.addressLine3].filter((line): line is string => !!line),
    city: address.city ?? null,
    stateOrRegion: address.stateOrRegion ?? null,
    postalCode: address.postalCode ?? null,
    countryCode: address.countryCode ?? null,
    phone: address.phone ?? null,
  };
}

/** Longest identifiers the module keeps (its columns); Amazon's own are far shorter. */
const MAX_ID_CHARS = { orderId: 32, marketplaceId: 32, orderItemId: 64, sellerSku: 255, asin: 16 };

function checkLength(value: string | undefined, max: number, what: string): void {
  if (value !== undefined && value.length > max) throw new OrderDataError(`${what} is ${value.length} characters long; at most ${max} are expected`);
}

export function snapshotFromAmazon(order: Order, defaultMarketplaceId: string): OrderSnapshot {
  checkLength(order.orderId, MAX_ID_CHARS.orderId, 'the order id');
  checkLength(order.salesChannel.marketplaceId, MAX_ID_CHARS.marketplaceId, `order ${order.orderId}: the marketplace id`);
  for (const item of order.orderItems) {
    checkLength(item.orderItemId, MAX_ID_CHARS.orderItemId, `order ${order.orderId}: an order item id`);
    checkLength(item.product.sellerSku, MAX_ID_CHARS.sellerSku, `order ${order.orderId}, item ${item.orderItemId}: the seller SKU`);
    checkLength(item.product.asin, MAX_ID_CHARS.asin, `order ${order.orderId}, item ${item.orderItemId}: the ASIN`);
  }
  try {
    // The grand total is kept as sent; it must also be exact in the module's arithmetic.
    if (order.proceeds?.grandTotal) toE4(order.proceeds.grandTotal.amount);
    return snapshot(order, defaultMarketplaceId);
  } catch (error) {
    // An amount the module cannot hold exactly (more than 4 decimals): refused, never rounded.
    if (error instanceof MoneyFormatError) throw new OrderDataError(`order ${order.orderId}: ${error.message}`);
    throw error;
  }
}

function snapshot(order: Order, defaultMarketplaceId: string): OrderSnapshot {
  const fulfillment = order.fulfillment;
  // Without it the module cannot tell who ships the order or whether it may import: never guess.
  if (!fulfillment?.fulfilledBy) throw new OrderDataError(`order ${order.orderId} has no fulfillment.fulfilledBy`);
  const status = fulfillment.fulfillmentStatus;
  return {
    amazonOrderId: order.orderId,
    marketplaceId: order.salesChannel.marketplaceId ?? defaultMarketplaceId,
    purchaseDate: new Date(order.createdTime),
    lastUpdated: new Date(order.lastUpdatedTime),
    status,
    fulfilledBy: fulfillment.fulfilledBy,
    buyerName: order.buyer?.buyerName ?? null,
    buyerEmail: order.buyer?.buyerEmail ?? null,
    shippingServiceLevel: fulfillment.fulfillmentServiceLevel ?? null,
    address: addressSnapshot(order),
    grandTotal: order.proceeds?.grandTotal ?? null,
    items: order.orderItems.map((item) => itemSnapshot(item, status === 'CANCELLED')),
  };
}
