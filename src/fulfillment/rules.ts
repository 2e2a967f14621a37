/**
 * Fulfillment rules, pure: what a host shipment, cancel or credit memo of an Amazon order means at
 * Amazon, or why the host must not do it. The guard asks before the host commits; the transaction
 * hook asks again under the order's lock and records what `decide` returns. Matches the original
 * (ASC) where it was right, goes further where it was not (refunds are sent).
 *
 * Amounts are bigint ten-thousandths (src/money.ts) of the order currency; every lookup of text
 * that comes from outside (carrier codes, reasons) goes through a Map, never an object literal.
 */
import type { OrderActionContext, OrderActionLine } from '../host/contributions.ts';
import type { AdjustmentReason, CancelReason } from '../amazon/feed-xml.ts';
import { currencyDecimals, fromE4, MoneyFormatError, toE4 } from '../money.ts';
import type { AmazonOrderStatus, FulfilledBy } from '../orders/order-snapshot.ts';
import type { GridStatus } from '../orders/rules.ts';

/** Amazon's carrier codes for the carriers hosts know by these codes; any other goes as "Other" with its name. */
const AMAZON_CARRIER_CODES: ReadonlyMap<string, string> = new Map([
  ['ups', 'UPS'],
  ['usps', 'USPS'],
  ['fedex', 'FedEx'],
  ['dhl', 'DHL'],
]);

export function amazonCarrier(hostCode: string, hostTitle: string): { carrierCode: string; carrierName?: string } {
  const code = AMAZON_CARRIER_CODES.get(hostCode.trim().toLowerCase());
  if (code !== undefined) return { carrierCode: code };
  return { carrierCode: 'Other', carrierName: hostTitle.trim() !== '' ? hostTitle.trim() : hostCode.trim() };
}

/** Why an order is canceled, as hosts and the Amazon order page name it, and in Amazon's words (OrderAcknowledgement CancelReason). */
export const CANCEL_REASON_CHOICES = [
  { code: 'customer_request', label: 'Customer asked to cancel', amazon: 'BuyerCanceled' },
  { code: 'out_of_stock', label: 'Out of stock', amazon: 'NoInventory' },
  { code: 'address_undeliverable', label: 'Shipping address undeliverable', amazon: 'ShippingAddressUndeliverable' },
  { code: 'pricing_error', label: 'Pricing error', amazon: 'GeneralAdjustment' },
  { code: 'other', label: 'Other', amazon: 'GeneralAdjustment' },
] as const satisfies ReadonlyArray<{ code: string; label: string; amazon: CancelReason }>;

const CANCEL_REASONS: ReadonlyMap<string, CancelReason> = new Map(CANCEL_REASON_CHOICES.map((c) => [c.code, c.amazon]));

export function cancelReasonFor(hostReason: string): CancelReason {
  return CANCEL_REASONS.get(hostReason) ?? 'GeneralAdjustment';
}

/** The host's refund reasons in Amazon's words (OrderAdjustment AdjustmentReason). */
const ADJUSTMENT_REASONS: ReadonlyMap<string, AdjustmentReason> = new Map([
  ['customer_return', 'CustomerReturn'],
  ['damaged', 'GeneralAdjustment'],
  ['not_received', 'Undeliverable'],
  ['customer_request', 'CustomerCancel'],
  ['pricing_error', 'PriceError'],
  ['other', 'Other'],
]);

export function adjustmentReasonFor(hostReason: string): AdjustmentReason {
  return ADJUSTMENT_REASONS.get(hostReason) ?? 'Other';
}

export const REFUND_COMPONENTS = ['principal', 'tax', 'shipping', 'shippingTax'] as const;
export type RefundComponent = (typeof REFUND_COMPONENTS)[number];
export type Components = Record<RefundComponent, bigint>;

const noComponents = (): Components => ({ principal: 0n, tax: 0n, shipping: 0n, shippingTax: 0n });

/** One Amazon order item as fulfillment sees it. */
export interface FulfillmentItem {
  orderItemId: string;
  /** The host SKU its seller SKU stands for (a listing match applied); null without a seller SKU. */
  hostSku: string | null;
  quantityOrdered: number;
  /** As Amazon last reported them. */
  quantityShipped: number;
  quantityCanceled: number;
  /** What Amazon charged for it; null when one of its amounts is in another currency than the order's. */
  charged: Components | null;
}

export interface FulfillmentOrder {
  amazonOrderId: string;
  amazonStatus: AmazonOrderStatus;
  fulfilledBy: FulfilledBy;
  /** The grand total's currency; null when Amazon sent none. */
  currencyCode: string | null;
  items: FulfillmentItem[];
}

/** What the module already recorded for Amazon about the order (entries that did not fail). */
export interface FulfillmentHistory {
  /** Units of each item in shipments recorded for Amazon. */
  confirmed: ReadonlyMap<string, number>;
  /** Amounts of each item in refunds recorded for Amazon. */
  refunded: ReadonlyMap<string, Components>;
  cancelRecorded: boolean;
}

export const EMPTY_HISTORY: FulfillmentHistory = { confirmed: new Map(), refunded: new Map(), cancelRecorded: false };

export interface ShipmentRecord {
  kind: 'shipment';
  hostShipmentId: string | null;
  carrierCode: string;
  carrierName?: string;
  trackingNumber: string;
  shipDate: string;
  items: Array<{ orderItemId: string; quantity: number }>;
}

export interface CancelRecord {
  kind: 'cancel';
  /** The host's reason code, and Amazon's word for it. */
  reason: string;
  cancelReason: CancelReason;
  items: Array<{ orderItemId: string }>;
}

export interface RefundItemRecord {
  orderItemId: string;
  /** Decimal strings in the currency's decimals; components that are zero are left out. */
  principal?: string;
  tax?: string;
  shipping?: string;
  shippingTax?: string;
}

export interface RefundRecord {
  kind: 'refund';
  hostCreditMemoId: string | null;
  reason: string;
  adjustmentReason: AdjustmentReason;
  currencyCode: string;
  items: RefundItemRecord[];
  total: string;
}

export type FulfillmentRecord = ShipmentRecord | CancelRecord | RefundRecord;

/**
 * The answer for one host action: a veto with what to do instead, or leave to go on with what to
 * record for Amazon (null: nothing to send, e.g. the host follows what Amazon did already).
 */
export type FulfillmentDecision = { allow: false; reason: string } | { allow: true; record: FulfillmentRecord | null; why?: string };

const veto = (reason: string): FulfillmentDecision => ({ allow: false, reason });
const nothing = (why: string): FulfillmentDecision => ({ allow: true, record: null, why });

const units = (n: number) => `${n} unit${n === 1 ? '' : 's'}`;

/** Units of an item that are shipped, as Amazon says or as the module already told it. */
function shippedUnits(item: FulfillmentItem, history: FulfillmentHistory): number {
  return Math.max(item.quantityShipped, history.confirmed.get(item.orderItemId) ?? 0);
}

function openUnits(item: FulfillmentItem, history: FulfillmentHistory): number {
  return Math.max(0, item.quantityOrdered - item.quantityCanceled - shippedUnits(item, history));
}

/**
 * Which Amazon item each host line is: by the line's reference (the Amazon order item id the
 * module gave the host), else by SKU when exactly one item has it.
 */
export function matchLines(
  lines: readonly OrderActionLine[],
  order: FulfillmentOrder,
): { ok: true; matched: Array<{ line: OrderActionLine; item: FulfillmentItem }> } | { ok: false; reason: string } {
  const matched: Array<{ line: OrderActionLine; item: FulfillmentItem }> = [];
  for (const line of lines) {
    const byReference = line.externalReference === null ? undefined : order.items.find((i) => i.orderItemId === line.externalReference);
    if (byReference) {
      matched.push({ line, item: byReference });
      continue;
    }
    const bySku = order.items.filter((i) => i.hostSku === line.sku);
    if (bySku.length === 1) {
      matched.push({ line, item: bySku[0]! });
      continue;
    }
    return {
      ok: false,
      reason:
        bySku.length === 0
          ? `SKU "${line.sku}" is not an item of Amazon order ${order.amazonOrderId}, so Amazon cannot be told about it; do this in Seller Central instead.`
          : `Amazon order ${order.amazonOrderId} has ${bySku.length} items with SKU "${line.sku}" and this host line does not say which one it is; do this in Seller Central instead.`,
    };
  }
  return { ok: true, matched };
}

/** The grid status an order has once the module has recorded these shipments. */
export function shippedStatus(order: Pick<FulfillmentOrder, 'items'>, history: FulfillmentHistory): GridStatus {
  return order.items.every((item) => openUnits(item, history) === 0) ? 'Shipped' : 'Partially Shipped';
}

export function decideShipment(context: OrderActionContext, order: FulfillmentOrder, history: FulfillmentHistory): FulfillmentDecision {
  const shipment = context.shipment;
  if (!shipment) return veto('The host sent a shipment without carrier and tracking number; nothing was changed.');
  const id = order.amazonOrderId;
  if (order.fulfilledBy === 'AMAZON') return nothing('Amazon fulfils this order itself');
  if (order.amazonStatus === 'CANCELLED' || order.amazonStatus === 'UNFULFILLABLE') {
    return veto(`Amazon canceled order ${id}: do not ship it. Cancel the host order instead.`);
  }
  if (order.amazonStatus === 'SHIPPED') return nothing('Amazon already reports the order shipped; the shipment is not confirmed again');
  if (history.cancelRecorded) return veto(`Order ${id} was canceled for Amazon: do not ship it.`);
  if (order.amazonStatus === 'PENDING' || order.amazonStatus === 'PENDING_AVAILABILITY') {
    return veto(`Amazon has not verified order ${id} yet (it is Pending): wait until it is Unshipped before shipping it.`);
  }
  const matched = matchLines(context.items, order);
  if (!matched.ok) return veto(matched.reason);
  const quantities = new Map<string, number>();
  for (const { line, item } of matched.matched) quantities.set(item.orderItemId, (quantities.get(item.orderItemId) ?? 0) + line.qty);
  for (const [orderItemId, quantity] of quantities) {
    const item = order.items.find((i) => i.orderItemId === orderItemId)!;
    const open = openUnits(item, history);
    if (quantity > open) {
      return veto(
        `Amazon has ${units(open)} of item ${orderItemId} (SKU ${item.hostSku ?? '?'}) left to ship in order ${id}, not ${quantity} ` +
          `(ordered ${item.quantityOrdered}, canceled ${item.quantityCanceled}, shipped ${shippedUnits(item, history)}): ship at most that many.`,
      );
    }
  }
  const carrier = amazonCarrier(shipment.carrierCode, shipment.carrierTitle);
  return {
    allow: true,
    record: {
      kind: 'shipment',
      hostShipmentId: context.documentId ?? null,
      ...carrier,
      trackingNumber: shipment.trackingNumber,
      shipDate: shipment.shippedAt.toISOString(),
      items: [...quantities].map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
    },
  };
}

/** Only an Unshipped merchant-fulfilled order may be canceled at Amazon by the seller. */
export function decideCancel(reason: string, order: FulfillmentOrder, history: FulfillmentHistory): FulfillmentDecision {
  const id = order.amazonOrderId;
  if (order.amazonStatus === 'CANCELLED' || order.amazonStatus === 'UNFULFILLABLE') return nothing('Amazon canceled the order already');
  if (order.fulfilledBy === 'AMAZON') return veto(`Amazon fulfils order ${id} itself; only Amazon can cancel it (Seller Central).`);
  switch (order.amazonStatus) {
    case 'PENDING':
    case 'PENDING_AVAILABILITY':
      return veto(`Amazon has not verified order ${id} yet (it is Pending); a Pending order can be canceled only in Seller Central.`);
    case 'PARTIALLY_SHIPPED':
      return veto(`Amazon cannot cancel order ${id}: part of it has shipped. Ship the rest, or cancel the remaining items in Seller Central; refund shipped units with a credit memo.`);
    case 'SHIPPED':
      return veto(`Amazon reports order ${id} shipped, and a shipped order cannot be canceled. Refund it with a credit memo instead.`);
  }
  if (history.confirmed.size > 0) {
    return veto(`A shipment of order ${id} was already recorded for Amazon, so it can no longer be canceled. Refund it with a credit memo instead, or cancel it in Seller Central.`);
  }
  if (history.cancelRecorded) return nothing('The cancel was already recorded for Amazon');
  const items = order.items.filter((item) => item.quantityOrdered - item.quantityCanceled > 0).map((item) => ({ orderItemId: item.orderItemId }));
  if (items.length === 0) return nothing('Amazon has nothing left to cancel in the order');
  return { allow: true, record: { kind: 'cancel', reason, cancelReason: cancelReasonFor(reason), items } };
}

/**
 * Splits `total` over the parts in proportion to their weights (remaining charges), in whole
 * minor units of the currency, largest remainders first; exactly the weights when the total is
 * their sum. Null when the total is more than the weights allow, below zero, or cannot be split
 * in whole minor units within them (never a share dropped or above its weight).
 */
export function allocate(total: bigint, weights: readonly bigint[], minorUnit: bigint): bigint[] | null {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (total > sum) return null;
  if (total === sum) return [...weights];
  if (total === 0n) return weights.map(() => 0n);
  if (total < 0n || total % minorUnit !== 0n) return null;
  const minor = total / minorUnit;
  const shares = weights.map((w) => (minor * w) / sum);
  let left = minor - shares.reduce((a, b) => a + b, 0n);
  const byRemainder = weights.map((w, i) => ({ i, remainder: (minor * w) % sum })).sort((a, b) => (b.remainder > a.remainder ? 1 : b.remainder < a.remainder ? -1 : a.i - b.i));
  for (const { i } of byRemainder) {
    if (left === 0n) break;
    if ((shares[i]! + 1n) * minorUnit <= weights[i]!) {
      shares[i]! += 1n;
      left -= 1n;
    }
  }
  if (left !== 0n) return null;
  return shares.map((s) => s * minorUnit);
}

const COMPONENT_NAMES: Record<RefundComponent, string> = { principal: 'item price', tax: 'item tax', shipping: 'shipping', shippingTax: 'shipping tax' };

/**
 * A host credit memo as Amazon's payment adjustment: per Amazon item, the line's price and tax as
 * the host refunded them, and the shipping (and its tax) shared over the items by what Amazon still
 * holds of each. Never more than Amazon charged for an item, part by part.
 */
export function decideRefund(context: OrderActionContext, order: FulfillmentOrder, history: FulfillmentHistory): FulfillmentDecision {
  const refund = context.refund;
  const id = order.amazonOrderId;
  if (!refund) return veto('The host sent a credit memo without amounts; nothing was changed.');
  if (order.currencyCode !== null && refund.currencyCode !== order.currencyCode) {
    return veto(`The credit memo is in ${refund.currencyCode}, but Amazon order ${id} is in ${order.currencyCode}; refund it in Seller Central.`);
  }
  const matched = matchLines(context.items, order);
  if (!matched.ok) return veto(matched.reason);
  for (const { line, item } of matched.matched) {
    const unshipped = line.refund?.unshippedQty ?? 0;
    if (unshipped === 0) continue;
    const what = `${units(unshipped)} of SKU ${line.sku} that never shipped`;
    return veto(
      order.amazonStatus === 'UNSHIPPED' && history.confirmed.size === 0
        ? `This credit memo would refund ${what}. Amazon charges the buyer only when an order ships: cancel order ${id} instead, or ship first and refund after.`
        : `This credit memo would refund ${what}, which cancels them; Amazon does not accept a cancel of part of order ${id} (item ${item.orderItemId}). Ship those units first and then refund them, or cancel them in Seller Central.`,
    );
  }

  const currency = refund.currencyCode;
  const decimals = currencyDecimals(currency);
  const minorUnit = 10n ** BigInt(4 - Math.min(decimals, 4));
  const amounts = new Map<string, Components>(order.items.map((item) => [item.orderItemId, noComponents()]));
  let shippingTotals: Array<readonly ['shipping' | 'shippingTax', bigint]>;
  try {
    for (const { line, item } of matched.matched) {
      const target = amounts.get(item.orderItemId)!;
      target.principal += toE4(line.refund?.amount ?? '0');
      target.tax += toE4(line.refund?.taxAmount ?? '0');
    }
    shippingTotals = [['shipping', toE4(refund.shippingAmount)], ['shippingTax', toE4(refund.shippingTaxAmount)]];
  } catch (error) {
    if (error instanceof MoneyFormatError) return veto(`The credit memo has an amount the module cannot read (${error.message}); refund it in Seller Central.`);
    throw error;
  }
  // Shipping is one sum in the host and per item at Amazon: shared by what each item still holds.
  const shippable = order.items.filter((item) => shippedUnits(item, history) > 0);
  for (const [component, total] of shippingTotals) {
    if (total === 0n) continue;
    if (total < 0n || total % minorUnit !== 0n) {
      return veto(`The credit memo refunds ${fromE4(total)} ${currency} of ${COMPONENT_NAMES[component]}; Amazon takes ${currency} amounts with ${decimals} decimals. Refund it in Seller Central.`);
    }
    const remaining = shippable.map((item) => (item.charged ? item.charged[component] - (history.refunded.get(item.orderItemId)?.[component] ?? 0n) : 0n));
    const shares = allocate(total, remaining.map((r) => (r > 0n ? r : 0n)), minorUnit);
    if (shares === null) {
      return veto(`The credit memo refunds ${fromE4(total, decimals)} ${currency} of ${COMPONENT_NAMES[component]}, more than Amazon still holds of it for the shipped items of order ${id}.`);
    }
    shippable.forEach((item, i) => (amounts.get(item.orderItemId)![component] += shares[i]!));
  }

  const items: RefundItemRecord[] = [];
  let total = 0n;
  for (const item of order.items) {
    const wanted = amounts.get(item.orderItemId)!;
    if (REFUND_COMPONENTS.every((c) => wanted[c] === 0n)) continue;
    if (shippedUnits(item, history) === 0) {
      return veto(`Item ${item.orderItemId} of Amazon order ${id} has not shipped, so Amazon has not charged for it: cancel instead of refunding.`);
    }
    if (item.charged === null) return veto(`Amazon's amounts for item ${item.orderItemId} of order ${id} are not all in ${currency}; refund it in Seller Central.`);
    const record: RefundItemRecord = { orderItemId: item.orderItemId };
    for (const component of REFUND_COMPONENTS) {
      const value = wanted[component];
      if (value === 0n) continue;
      if (value < 0n || value % minorUnit !== 0n) {
        return veto(`The credit memo refunds ${fromE4(value)} ${currency} of ${COMPONENT_NAMES[component]} for item ${item.orderItemId}; Amazon takes ${currency} amounts with ${decimals} decimals. Refund it in Seller Central.`);
      }
      const before = history.refunded.get(item.orderItemId)?.[component] ?? 0n;
      const charged = item.charged[component];
      if (before + value > charged) {
        return veto(
          `The credit memo refunds ${fromE4(value, decimals)} ${currency} of ${COMPONENT_NAMES[component]} for item ${item.orderItemId} of order ${id}, ` +
            `but Amazon charged ${fromE4(charged, decimals)} ${currency} for it and ${fromE4(before, decimals)} ${currency} was refunded before.`,
        );
      }
      record[component] = fromE4(value, decimals);
      total += value;
    }
    items.push(record);
  }
  if (items.length === 0) return nothing('The credit memo refunds nothing Amazon charged');
  return {
    allow: true,
    record: {
      kind: 'refund',
      hostCreditMemoId: context.documentId ?? null,
      reason: context.reason ?? 'other',
      adjustmentReason: adjustmentReasonFor(context.reason ?? 'other'),
      currencyCode: currency,
      items,
      total: fromE4(total, decimals),
    },
  };
}

export function decide(context: OrderActionContext, order: FulfillmentOrder, history: FulfillmentHistory): FulfillmentDecision {
  switch (context.action) {
    case 'ship':
      return decideShipment(context, order, history);
    case 'cancel':
      return decideCancel(context.reason ?? 'other', order, history);
    case 'creditmemo':
      return decideRefund(context, order, history);
  }
}

/** Adds a record to the history, as it stands once the record is kept. */
export function withRecord(history: FulfillmentHistory, record: FulfillmentRecord): FulfillmentHistory {
  if (record.kind === 'cancel') return { ...history, cancelRecorded: true };
  if (record.kind === 'shipment') {
    const confirmed = new Map(history.confirmed);
    for (const item of record.items) confirmed.set(item.orderItemId, (confirmed.get(item.orderItemId) ?? 0) + item.quantity);
    return { ...history, confirmed };
  }
  const refunded = new Map(history.refunded);
  for (const item of record.items) {
    const sum = { ...(refunded.get(item.orderItemId) ?? noComponents()) };
    for (const component of REFUND_COMPONENTS) sum[component] += toE4(item[component] ?? '0');
    refunded.set(item.orderItemId, sum);
  }
  return { ...history, refunded };
}

/**
 * The status the module shows for an order in place of Amazon's, from what it recorded and what
 * Amazon last said; null to show Amazon's. A failure that still matters is an Error for the
 * admin; a final word from Amazon (shipped, canceled) settles shipments and cancels.
 */
export function localStatus(
  order: Pick<FulfillmentOrder, 'amazonStatus' | 'items'> & { imported: boolean },
  history: FulfillmentHistory,
  failed: ReadonlyArray<FulfillmentRecord['kind']>,
): GridStatus | null {
  const shippedAtAmazon = order.amazonStatus === 'SHIPPED';
  const canceledAtAmazon = order.amazonStatus === 'CANCELLED' || order.amazonStatus === 'UNFULFILLABLE';
  const settled = (kind: FulfillmentRecord['kind']) => (kind === 'shipment' && shippedAtAmazon) || (kind === 'cancel' && canceledAtAmazon);
  if (failed.some((kind) => !settled(kind))) return 'Error';
  if (canceledAtAmazon) return null;
  if (shippedAtAmazon) return order.imported ? 'Completed' : null;
  if (history.cancelRecorded) return 'Canceled';
  if (history.confirmed.size > 0) return shippedStatus(order, history);
  return null;
}
