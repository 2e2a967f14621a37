/**
 * An Amazon order as the import domain sees it: the fields the rules need, normalized from the
 * SP-API document (see `from-amazon.ts`). Money stays decimal strings; absent data stays null,
 * never invented.
 */

/** Amazon's fulfillment status words (Orders API v2026-01-01). */
export type AmazonOrderStatus =
  | 'PENDING_AVAILABILITY'
  | 'PENDING'
  | 'UNSHIPPED'
  | 'PARTIALLY_SHIPPED'
  | 'SHIPPED'
  | 'CANCELLED'
  | 'UNFULFILLABLE';

export type FulfilledBy = 'MERCHANT' | 'AMAZON';

export interface Money {
  amount: string;
  currencyCode: string;
}

export interface SnapshotAddress {
  name: string | null;
  addressLines: string[];
  city: string | null;
  stateOrRegion: string | null;
  postalCode: string | null;
  countryCode: string | null;
  phone: string | null;
}

/** What an item's proceeds pay for besides the item and its shipping (Amazon's breakdown types). */
export const ITEM_CHARGE_KINDS = ['gift_wrap', 'cod_fee', 'other'] as const;
export type ItemChargeKind = (typeof ITEM_CHARGE_KINDS)[number];

/**
 * One category of an item's proceeds: the charge, its tax and its discount (positive), each as the
 * amounts Amazon sent, with their currencies. Nothing is summed here: a sum means something only
 * once every part is known to be in the order's currency.
 */
export interface ProceedsCategory {
  amount: Money[];
  tax: Money[];
  discount: Money[];
}

export interface SnapshotItem {
  orderItemId: string;
  sellerSku: string | null;
  asin: string | null;
  title: string | null;
  quantityOrdered: number;
  quantityShipped: number;
  quantityCanceled: number;
  /** Price of one unit as Amazon lists it. */
  unitPrice: Money | null;
  /** The item's proceeds by what they pay for. */
  proceeds: Record<'item' | 'shipping' | ItemChargeKind, ProceedsCategory>;
}

/** A charge Amazon applies to the order as a whole, not to an item. */
export interface OrderLevelCharge {
  kind: 'delivery_tip';
  /** Amazon's processing status of the charge (PENDING, FINALIZED), when it sends one. */
  status: string | null;
  amount: Money;
}

export interface OrderSnapshot {
  amazonOrderId: string;
  marketplaceId: string;
  purchaseDate: Date;
  lastUpdated: Date;
  status: AmazonOrderStatus;
  fulfilledBy: FulfilledBy;
  buyerName: string | null;
  buyerEmail: string | null;
  shippingServiceLevel: string | null;
  /** Amazon's ship-by deadline, when it sends one. */
  latestShipDate: Date | null;
  address: SnapshotAddress | null;
  grandTotal: Money | null;
  items: SnapshotItem[];
  orderCharges: OrderLevelCharge[];
  /** Proceeds of a type or subtype the module does not know, kept so a total that does not add up can say why. */
  unrecognizedProceeds: Array<{ source: string; kind: string; amount: Money }>;
}

/** Amazon sent an order the module cannot use as it stands (the order keeps a note saying why). */
/** Amounts are kept as sent in 32-character columns (`*_amount`), here and in the host; no real amount comes near. */
export const MAX_AMOUNT_CHARS = 32;

export class OrderDataError extends Error {
  override name = 'OrderDataError';
}
