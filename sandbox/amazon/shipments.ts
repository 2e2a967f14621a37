/**
 * Shipping merchant-fulfilled orders: Orders v0 `confirmShipment` (204 No Content) and the shared
 * rule set the POST_ORDER_FULFILLMENT_DATA feed uses too. A shipment ships item quantities; the
 * order becomes PARTIALLY_SHIPPED or SHIPPED by quantities and records the package with tracking.
 */
import { parseIsoDateTime, type SandboxClock } from './clock.ts';
import { invalidInput, isRecord, readJsonBody, type Caller, type SandboxRequest, type SandboxResponse } from './http.ts';
import { isOrderId, orderStatus, unshippedQuantity, type OrderBook, type OrderState, type PackageState } from './order-book.ts';

export interface ShipmentRequest {
  packageReferenceId: string;
  carrierCode: string;
  carrierName?: string;
  shippingMethod?: string;
  trackingNumber?: string;
  shipTime: number;
  items: Array<{ orderItemId: string; quantity: number }>;
  via: PackageState['via'];
}

/** Why a shipment cannot be applied; `code` is used by the feed processing report. */
export interface ShipmentRefusal {
  code: 'ORDER_STATE' | 'UNKNOWN_ITEM' | 'QUANTITY' | 'DUPLICATE_PACKAGE' | 'INVALID';
  message: string;
}

/** Checks a shipment against the order and applies it; returns the refusal instead when it cannot. */
export function applyShipment(book: OrderBook, order: OrderState, shipment: ShipmentRequest, at: number): ShipmentRefusal | null {
  if (order.fulfilledBy !== 'MERCHANT') return { code: 'ORDER_STATE', message: `Order ${order.orderId} is fulfilled by Amazon; the seller cannot confirm its shipment.` };
  const status = orderStatus(order);
  if (status === 'CANCELLED') return { code: 'ORDER_STATE', message: `Order ${order.orderId} is cancelled.` };
  if (status === 'SHIPPED') return { code: 'ORDER_STATE', message: `Order ${order.orderId} is already shipped.` };
  if (status === 'PENDING' || status === 'PENDING_AVAILABILITY') return { code: 'ORDER_STATE', message: `Order ${order.orderId} is ${status} and cannot be shipped yet.` };
  if (order.packages.some((p) => p.packageReferenceId === shipment.packageReferenceId)) {
    return { code: 'DUPLICATE_PACKAGE', message: `packageReferenceId ${shipment.packageReferenceId} was already used for order ${order.orderId}.` };
  }
  if (shipment.shipTime < order.createdTime) return { code: 'INVALID', message: 'The ship date is before the order date.' };
  if (shipment.items.length === 0) return { code: 'INVALID', message: 'A shipment needs at least one order item.' };
  const wanted = new Map<string, number>();
  for (const { orderItemId, quantity } of shipment.items) {
    if (!Number.isInteger(quantity) || quantity < 1) return { code: 'QUANTITY', message: `Quantity for order item ${orderItemId} must be a positive integer.` };
    wanted.set(orderItemId, (wanted.get(orderItemId) ?? 0) + quantity);
  }
  for (const [orderItemId, quantity] of wanted) {
    const item = order.items.find((i) => i.orderItemId === orderItemId);
    if (!item) return { code: 'UNKNOWN_ITEM', message: `Order item ${orderItemId} is not in order ${order.orderId}.` };
    const open = unshippedQuantity(item);
    if (quantity > open) {
      return { code: 'QUANTITY', message: `Cannot ship ${quantity} of order item ${orderItemId}: ${open} unit(s) left to ship (ordered ${item.quantityOrdered}, shipped ${item.quantityShipped}, cancelled ${item.quantityCancelled}).` };
    }
  }
  for (const [orderItemId, quantity] of wanted) order.items.find((i) => i.orderItemId === orderItemId)!.quantityShipped += quantity;
  order.packages.push({
    packageReferenceId: shipment.packageReferenceId,
    carrierCode: shipment.carrierCode,
    ...(shipment.carrierName ? { carrierName: shipment.carrierName } : {}),
    ...(shipment.shippingMethod ? { shippingMethod: shipment.shippingMethod } : {}),
    ...(shipment.trackingNumber ? { trackingNumber: shipment.trackingNumber } : {}),
    shipTime: shipment.shipTime,
    createdTime: at,
    items: [...wanted].map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
    via: shipment.via,
  });
  book.touch(order, at, { type: 'OrderStatusChange', reason: 'Shipment Confirmed' });
  return null;
}

function optionalString(value: unknown, field: string): string | undefined | SandboxResponse {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return invalidInput(`${field} must be a string.`, field);
  return value;
}

/** `POST /orders/v0/orders/{orderId}/shipmentConfirmation` */
export function confirmShipment(req: SandboxRequest, caller: Caller, book: OrderBook, clock: SandboxClock): SandboxResponse {
  const orderId = req.params.orderId!;
  if (!isOrderId(orderId)) return invalidInput(`Invalid orderId "${orderId}": expected the 3-7-7 format.`, 'orderId');
  const parsed = readJsonBody(req, { unsupportedMediaStatus: 400 });
  if (!parsed.ok) return parsed.response;
  const body = parsed.value;
  if (!isRecord(body)) return invalidInput('The request body must be a ConfirmShipmentRequest object.');
  if (typeof body.marketplaceId !== 'string' || body.marketplaceId === '') return invalidInput('marketplaceId is required.', 'marketplaceId');
  if (body.codCollectionMethod !== undefined && body.codCollectionMethod !== 'DirectPayment') return invalidInput('codCollectionMethod must be DirectPayment.', 'codCollectionMethod');
  const pkg = body.packageDetail;
  if (!isRecord(pkg)) return invalidInput('packageDetail is required.', 'packageDetail');
  const { packageReferenceId, carrierCode, trackingNumber, shipDate, orderItems } = pkg;
  if (typeof packageReferenceId !== 'string' || !/^[1-9]\d*$/.test(packageReferenceId)) {
    return invalidInput('packageDetail.packageReferenceId must be a positive numeric string.', 'packageReferenceId');
  }
  if (typeof carrierCode !== 'string' || carrierCode.trim() === '') return invalidInput('packageDetail.carrierCode is required.', 'carrierCode');
  const carrierName = optionalString(pkg.carrierName, 'packageDetail.carrierName');
  if (typeof carrierName === 'object') return carrierName;
  if (carrierCode === 'Other' && (carrierName === undefined || carrierName.trim() === '')) {
    return invalidInput('packageDetail.carrierName is required when carrierCode is "Other".', 'carrierName');
  }
  const shippingMethod = optionalString(pkg.shippingMethod, 'packageDetail.shippingMethod');
  if (typeof shippingMethod === 'object') return shippingMethod;
  const supplySource = optionalString(pkg.shipFromSupplySourceId, 'packageDetail.shipFromSupplySourceId');
  if (typeof supplySource === 'object') return supplySource;
  if (typeof trackingNumber !== 'string' || trackingNumber.trim() === '') return invalidInput('packageDetail.trackingNumber is required.', 'trackingNumber');
  const shipTime = typeof shipDate === 'string' ? parseIsoDateTime(shipDate) : null;
  if (shipTime === null) return invalidInput('packageDetail.shipDate must be an ISO 8601 date-time.', 'shipDate');
  if (!Array.isArray(orderItems) || orderItems.length === 0) return invalidInput('packageDetail.orderItems must list at least one item.', 'orderItems');
  const items: ShipmentRequest['items'] = [];
  for (const [index, entry] of orderItems.entries()) {
    if (!isRecord(entry) || typeof entry.orderItemId !== 'string' || entry.orderItemId === '') {
      return invalidInput(`packageDetail.orderItems[${index}].orderItemId is required.`, 'orderItemId');
    }
    if (!Number.isInteger(entry.quantity) || (entry.quantity as number) < 1) {
      return invalidInput(`packageDetail.orderItems[${index}].quantity must be an integer >= 1.`, 'quantity');
    }
    if (entry.transparencyCodes !== undefined && (!Array.isArray(entry.transparencyCodes) || entry.transparencyCodes.some((t) => typeof t !== 'string'))) {
      return invalidInput(`packageDetail.orderItems[${index}].transparencyCodes must be a list of strings.`, 'transparencyCodes');
    }
    items.push({ orderItemId: entry.orderItemId, quantity: entry.quantity as number });
  }

  const order = book.get(orderId);
  if (!order || order.sellerId !== caller.sellerId) return invalidInput(`The order id ${orderId} you have requested is not valid.`, orderId);
  if (order.marketplaceId !== body.marketplaceId) return invalidInput(`Order ${orderId} does not belong to marketplace ${body.marketplaceId}.`, 'marketplaceId');
  const refusal = applyShipment(
    book,
    order,
    { packageReferenceId, carrierCode, carrierName, shippingMethod, trackingNumber, shipTime, items, via: 'confirmShipment' },
    clock.now(),
  );
  if (refusal) return invalidInput(refusal.message, orderId);
  return { status: 204 };
}
