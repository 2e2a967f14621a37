/**
 * The order workflow's arithmetic, pure: from a snapshot of an order and what the admin asked for,
 * either a plan of exactly what will change or a user-facing error. The same plan is computed
 * before the guards run and again under the row lock; if they differ, the order changed meanwhile.
 */
import type { HostOrder } from '../../../src/host/ports.ts';
import { fromUnits, share, toUnits } from '../money.ts';

export interface ItemSnapshot {
  id: number;
  productId: number;
  sku: string;
  name: string;
  qtyOrdered: number;
  qtyShipped: number;
  qtyCanceled: number;
  qtyRefunded: number;
  qtyRefundedUnshipped: number;
  unitPrice: string;
  taxAmount: string;
  discountAmount: string;
  stockDeducted: boolean;
  /** The channel's id for the line (CreateOrderLine.externalReference), or null. */
  externalReference: string | null;
}

export interface OrderSnapshot {
  id: number;
  number: string;
  channel: string | null;
  externalReference: string | null;
  state: HostOrder['state'];
  status: string;
  currencyCode: string;
  shippingAmount: string;
  shippingTaxAmount: string;
  shippingDiscountAmount: string;
  shippingRefunded: boolean;
  items: ItemSnapshot[];
}

/** A business rule said no (bad quantity, wrong state...). The message is shown to the admin. */
export class OrderActionError extends Error {
  override name = 'OrderActionError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const CARRIERS = [
  { code: 'ups', title: 'UPS' },
  { code: 'usps', title: 'USPS' },
  { code: 'fedex', title: 'FedEx' },
  { code: 'dhl', title: 'DHL' },
  { code: 'other', title: 'Other carrier' },
] as const;

export const CANCEL_REASONS = [
  { code: 'customer_request', label: 'Customer asked to cancel' },
  { code: 'out_of_stock', label: 'Out of stock' },
  { code: 'address_undeliverable', label: 'Shipping address undeliverable' },
  { code: 'pricing_error', label: 'Pricing error' },
  { code: 'other', label: 'Other' },
] as const;

export const REFUND_REASONS = [
  { code: 'customer_return', label: 'Customer return' },
  { code: 'damaged', label: 'Damaged or defective' },
  { code: 'not_received', label: 'Not received' },
  { code: 'customer_request', label: 'Customer request' },
  { code: 'pricing_error', label: 'Pricing error' },
  { code: 'other', label: 'Other' },
] as const;

/** Units still to ship: not shipped, not canceled, not refunded before shipping. */
export function qtyToShip(item: ItemSnapshot): number {
  return item.qtyOrdered - item.qtyShipped - item.qtyCanceled - item.qtyRefundedUnshipped;
}

/** Units that can still be refunded: everything not canceled and not refunded yet. */
export function qtyToRefund(item: ItemSnapshot): number {
  return item.qtyOrdered - item.qtyCanceled - item.qtyRefunded;
}

/** The state an order is in after its quantities changed. A complete order never reopens. */
export function stateAfter(current: HostOrder['state'], items: ItemSnapshot[]): HostOrder['state'] {
  if (items.every((i) => i.qtyCanceled >= i.qtyOrdered)) return 'canceled';
  if (items.every((i) => i.qtyRefunded >= i.qtyOrdered - i.qtyCanceled)) return 'closed';
  if (items.every((i) => qtyToShip(i) <= 0)) return 'complete';
  return current === 'complete' ? 'complete' : 'processing';
}

export interface LineRequest {
  itemId: number;
  qty: number;
}

function checkLines(order: OrderSnapshot, lines: LineRequest[], limit: (i: ItemSnapshot) => number, verb: string) {
  const chosen: Array<{ item: ItemSnapshot; qty: number }> = [];
  for (const line of lines) {
    const item = order.items.find((i) => i.id === line.itemId);
    if (!item) throw new OrderActionError(`Item ${line.itemId} is not part of order ${order.number}`, `qty_${line.itemId}`);
    if (!Number.isSafeInteger(line.qty) || line.qty < 0) {
      throw new OrderActionError(`Quantity for ${item.sku} must be a whole number of 0 or more`, `qty_${item.id}`);
    }
    if (line.qty > limit(item)) {
      throw new OrderActionError(`Only ${limit(item)} of ${item.sku} can be ${verb}, not ${line.qty}`, `qty_${item.id}`);
    }
    if (line.qty > 0) chosen.push({ item, qty: line.qty });
  }
  return chosen;
}

export interface ShipInput {
  lines: LineRequest[];
  carrierCode: string;
  carrierTitle: string;
  trackingNumber: string;
}

export interface ShipPlan {
  kind: 'ship';
  lines: Array<{ itemId: number; sku: string; qty: number }>;
  carrierCode: string;
  carrierTitle: string;
  trackingNumber: string;
}

export function planShipment(order: OrderSnapshot, input: ShipInput): ShipPlan {
  if (order.state !== 'processing') throw new OrderActionError(`Order ${order.number} is ${order.state}: it cannot be shipped`);
  const carrier = CARRIERS.find((c) => c.code === input.carrierCode);
  if (!carrier) throw new OrderActionError(`Choose a carrier (${CARRIERS.map((c) => c.code).join(', ')})`, 'carrier_code');
  const carrierTitle = input.carrierCode === 'other' ? input.carrierTitle.trim() : carrier.title;
  if (carrierTitle === '') throw new OrderActionError('Enter the carrier name for "Other carrier"', 'carrier_title');
  if (carrierTitle.length > 255) throw new OrderActionError('Carrier name must be at most 255 characters', 'carrier_title');
  const trackingNumber = input.trackingNumber.trim();
  if (trackingNumber === '') throw new OrderActionError('Enter the tracking number', 'tracking_number');
  if (!/^[\x21-\x7e]( ?[\x21-\x7e]){0,127}$/.test(trackingNumber)) {
    throw new OrderActionError('Tracking number must be up to 128 printable characters', 'tracking_number');
  }
  const chosen = checkLines(order, input.lines, qtyToShip, 'shipped');
  if (chosen.length === 0) throw new OrderActionError('Choose at least one item to ship');
  return {
    kind: 'ship',
    lines: chosen.map(({ item, qty }) => ({ itemId: item.id, sku: item.sku, qty })),
    carrierCode: carrier.code,
    carrierTitle,
    trackingNumber,
  };
}

export interface CancelPlan {
  kind: 'cancel';
  lines: Array<{ itemId: number; productId: number; sku: string; qty: number; returnToStock: boolean }>;
  reason: string;
}

/** Cancels everything not shipped yet. Null when the order is canceled already (a no-op). */
export function planCancel(order: OrderSnapshot, reason: string): CancelPlan | null {
  if (order.state === 'canceled') return null;
  if (order.state !== 'processing') throw new OrderActionError(`Order ${order.number} is ${order.state}: it cannot be canceled`);
  if (reason.trim() === '') throw new OrderActionError('Choose a reason', 'reason');
  const lines = order.items
    .filter((i) => qtyToShip(i) > 0)
    .map((i) => ({ itemId: i.id, productId: i.productId, sku: i.sku, qty: qtyToShip(i), returnToStock: i.stockDeducted }));
  if (lines.length === 0) throw new OrderActionError(`Order ${order.number} has nothing left to cancel`);
  return { kind: 'cancel', lines, reason: reason.trim() };
}

export interface CreditMemoInput {
  lines: LineRequest[];
  refundShipping: boolean;
  reason: string;
}

export interface CreditMemoPlan {
  kind: 'creditmemo';
  lines: Array<{
    itemId: number;
    productId: number;
    sku: string;
    qty: number;
    fromUnshipped: number;
    returnToStock: boolean;
    /** The line's refund: price minus discount for these units, and their tax. */
    amount: string;
    taxAmount: string;
  }>;
  refundShipping: boolean;
  reason: string;
  currencyCode: string;
  itemAmount: string;
  shippingAmount: string;
  /** Tax of the lines and of the shipping. */
  taxAmount: string;
  /** The part of taxAmount that is the shipping's. */
  shippingTaxAmount: string;
  grandTotal: string;
}

/**
 * Refunds chosen quantities (units never shipped first: they will not ship and go back to stock)
 * and optionally the shipping. Amounts are each line's price, tax and discount in proportion to
 * the quantity, shared so that refunding a whole line in parts adds up to it exactly.
 */
export function planCreditMemo(order: OrderSnapshot, input: CreditMemoInput): CreditMemoPlan {
  if (order.state !== 'processing' && order.state !== 'complete') {
    throw new OrderActionError(`Order ${order.number} is ${order.state}: it cannot be refunded`);
  }
  if (input.reason.trim() === '') throw new OrderActionError('Choose a reason', 'reason');
  if (input.refundShipping && order.shippingRefunded) throw new OrderActionError('Shipping was refunded already', 'refund_shipping');
  const chosen = checkLines(order, input.lines, qtyToRefund, 'refunded');
  if (chosen.length === 0 && !input.refundShipping) throw new OrderActionError('Choose at least one item or the shipping to refund');

  let itemUnits = 0n;
  let taxUnits = 0n;
  const lines = chosen.map(({ item, qty }) => {
    const before = item.qtyRefunded;
    const after = before + qty;
    const part = (units: bigint) => share(units, after, item.qtyOrdered) - share(units, before, item.qtyOrdered);
    const amount = part(toUnits(item.unitPrice) * BigInt(item.qtyOrdered)) - part(toUnits(item.discountAmount));
    const tax = part(toUnits(item.taxAmount));
    itemUnits += amount;
    taxUnits += tax;
    const fromUnshipped = Math.min(qty, qtyToShip(item));
    return {
      itemId: item.id, productId: item.productId, sku: item.sku, qty, fromUnshipped, returnToStock: item.stockDeducted,
      amount: fromUnits(amount), taxAmount: fromUnits(tax),
    };
  });
  let shippingUnits = 0n;
  let shippingTaxUnits = 0n;
  if (input.refundShipping) {
    shippingUnits = toUnits(order.shippingAmount) - toUnits(order.shippingDiscountAmount);
    shippingTaxUnits = toUnits(order.shippingTaxAmount);
    taxUnits += shippingTaxUnits;
  }
  return {
    kind: 'creditmemo',
    lines,
    refundShipping: input.refundShipping,
    reason: input.reason.trim(),
    currencyCode: order.currencyCode,
    itemAmount: fromUnits(itemUnits),
    shippingAmount: fromUnits(shippingUnits),
    taxAmount: fromUnits(taxUnits),
    shippingTaxAmount: fromUnits(shippingTaxUnits),
    grandTotal: fromUnits(itemUnits + shippingUnits + taxUnits),
  };
}
