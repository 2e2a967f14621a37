/**
 * Ports: the services a host implements and binds (by the symbols in `tokens.ts`) before it loads
 * the module. They are the only way the module reaches the host. Everything async, everything in
 * plain data: no host classes cross this line.
 */
import type { Knex } from 'knex';

/** A catalog product as the module needs to see it. */
export interface HostProduct {
  id: string;
  sku: string;
  name: string;
  enabled: boolean;
  /** Whether the host tracks a quantity for this product; unmanaged stock is always salable. */
  manageStock: boolean;
}

export interface CatalogPort {
  findBySku(sku: string): Promise<HostProduct | null>;
  findById(id: string): Promise<HostProduct | null>;
}

export interface StockLine {
  sku: string;
  qty: number;
}

export interface StockPort {
  /** Quantity that can still be sold (on hand minus reservations); null when stock is not managed. */
  salableQty(sku: string): Promise<number | null>;
  /** Reserve quantities under `key`. Idempotent: reserving the same key again changes nothing. */
  reserve(key: string, lines: StockLine[]): Promise<void>;
  /** Release everything reserved under `key`. Idempotent: an unknown or released key is a no-op. */
  release(key: string): Promise<void>;
}

/** A decimal amount as a string ("11.01"), never a float. */
export type DecimalString = string;

/**
 * The longest text every host accepts in a CreateOrderRequest, counted as JavaScript counts string
 * length (UTF-16 code units, so an emoji counts 2); longer text may be refused. Callers shorten
 * what can be shortened harmlessly and do not send the rest.
 */
export const CREATE_ORDER_TEXT_LIMITS = {
  lineName: 255,
  /** customer.firstName, customer.lastName, shippingAddress.firstName, shippingAddress.lastName. */
  personName: 255,
  email: 255,
  /** All street lines joined with a line break. */
  street: 1000,
  city: 255,
  region: 255,
  postalCode: 32,
  phone: 64,
  shippingMethod: 255,
  chargeLabel: 255,
} as const;

/** Text limits: CREATE_ORDER_TEXT_LIMITS. */
export interface HostAddress {
  firstName: string;
  lastName: string;
  /** At least one non-empty line. */
  street: string[];
  city: string;
  region: string | null;
  postalCode: string;
  /** ISO 3166 two capital letters. */
  countryCode: string;
  /** May be empty. */
  phone: string;
}

export interface CreateOrderLine {
  productId: string;
  sku: string;
  /** The line's product name as sold: 1..255 characters (CREATE_ORDER_TEXT_LIMITS.lineName). */
  name: string;
  qty: number;
  /** Price of one unit, before tax and discount, in the order currency. */
  unitPrice: DecimalString;
  /** Tax for the whole line. */
  taxAmount: DecimalString;
  /** Discount for the whole line (positive number). */
  discountAmount: DecimalString;
  /**
   * Since contract 1.2.0: the channel's own id for this line (the Amazon order item id). The host
   * keeps it and gives it back on the order's items and in order action contexts, so a channel
   * can tell apart two lines of one SKU.
   */
  externalReference?: string;
}

/** What a charge is for, when it is neither an item nor shipping. */
export const ORDER_CHARGE_KINDS = ['gift_wrap', 'cod_fee', 'delivery_tip', 'other'] as const;
export type OrderChargeKind = (typeof ORDER_CHARGE_KINDS)[number];

/** A charge of the order besides its lines and shipping: gift wrap, a cash-on-delivery fee, a tip... */
export interface CreateOrderCharge {
  kind: OrderChargeKind;
  /** What the admin sees, e.g. "Gift wrap"; 1..255 characters (CREATE_ORDER_TEXT_LIMITS.chargeLabel). */
  label: string;
  /** The charge before tax and discount, in the order currency. */
  amount: DecimalString;
  taxAmount: DecimalString;
  /** Discount on the charge (positive number, at most `amount`). */
  discountAmount: DecimalString;
}

export interface CreateOrderRequest {
  /** Creating twice with the same key returns the first order (created = false), never a second. */
  idempotencyKey: string;
  /** The channel's own order id (the Amazon order id), searchable with findByExternalReference. */
  externalReference: string;
  channel: string;
  /** Host store view code the order belongs to; null means the host's default store view. */
  storeView: string | null;
  /** Use this as the order number; null lets the host number the order. */
  orderNumber: string | null;
  /** 'processing' for orders still to ship, 'complete' for orders already fulfilled elsewhere. */
  state: 'processing' | 'complete';
  /** Host order status to set; null means the host's default status for the state. */
  status: string | null;
  /** Text limits: CREATE_ORDER_TEXT_LIMITS (names may be empty for guests). */
  customer: {
    mode: 'guest' | 'account';
    email: string;
    firstName: string;
    lastName: string;
  };
  shippingAddress: HostAddress;
  currencyCode: string;
  lines: CreateOrderLine[];
  shippingAmount: DecimalString;
  shippingTaxAmount: DecimalString;
  shippingDiscountAmount: DecimalString;
  /** Since contract 1.1.0: the order's other charges (at most 20); absent means none. */
  charges?: CreateOrderCharge[];
  /**
   * The total the channel charged; the host stores it as given instead of recalculating. Callers
   * send parts that add up to it: each line's unitPrice x qty + taxAmount - discountAmount, the
   * shipping + its tax - its discount, and each charge's amount + taxAmount - discountAmount.
   */
  grandTotal: DecimalString;
  shippingMethod: string;
  paymentMethod: string;
  /** False for orders whose goods left someone else's warehouse (Amazon-fulfilled). */
  deductStock: boolean;
  /** A stock reservation (StockPort key) that this order takes over instead of reserving anew. */
  reservationKey: string | null;
  /** Always false for channel orders: the channel notifies the buyer itself. */
  notifyCustomer: false;
}

export type OrderRejectionCode =
  | 'product_not_found'
  | 'product_disabled'
  | 'out_of_stock'
  | 'address_invalid'
  | 'customer_invalid'
  | 'validation'
  | 'other';

export interface OrderRejection {
  code: OrderRejectionCode;
  message: string;
  /** The request field the host objected to, when it knows, e.g. "shippingAddress.street". */
  field?: string;
}

export interface HostOrderRef {
  id: string;
  number: string;
}

export type CreateOrderResult =
  | { ok: true; order: HostOrderRef; created: boolean }
  | { ok: false; rejection: OrderRejection };

export interface HostOrderItem {
  /** Since contract 1.2.0: the host's id of the order line. */
  id: string;
  /** Since contract 1.2.0: CreateOrderLine.externalReference, or null for a line created without one. */
  externalReference: string | null;
  sku: string;
  qty: number;
  qtyShipped: number;
  qtyCanceled: number;
  qtyRefunded: number;
}

export interface HostOrder extends HostOrderRef {
  state: 'processing' | 'complete' | 'canceled' | 'closed';
  status: string;
  externalReference: string | null;
  currencyCode: string;
  grandTotal: DecimalString;
  items: HostOrderItem[];
}

export interface OrdersPort {
  create(request: CreateOrderRequest): Promise<CreateOrderResult>;
  get(id: string): Promise<HostOrder | null>;
  findByExternalReference(channel: string, externalReference: string): Promise<HostOrder | null>;
  /** Cancel what is not shipped yet and release its stock. Canceling a canceled order is a no-op. */
  cancel(id: string, reason: string): Promise<void>;
  /** Mark the order complete without shipping anything through the host (fulfilled elsewhere). */
  complete(id: string, comment: string): Promise<void>;
  addComment(id: string, comment: string): Promise<void>;
  /** Statuses an admin may choose as the processing status of imported orders. */
  listStatuses(): Promise<Array<{ code: string; label: string; state: HostOrder['state'] }>>;
}

export interface HostStoreView {
  code: string;
  name: string;
  websiteName: string;
  isDefault: boolean;
}

export interface StoreViewsPort {
  list(): Promise<HostStoreView[]>;
}

/** Scoped settings: the module keeps its own tables for its data; this is for host-level switches. */
export interface ConfigPort {
  get(path: string, scope?: string): Promise<string | null>;
  set(path: string, value: string | null, scope?: string): Promise<void>;
}

/** Encryption at rest with the host's key. The module never sees the key. */
export interface SecretsPort {
  encrypt(plaintext: string): Promise<string>;
  decrypt(ciphertext: string): Promise<string>;
}

/** The host's database: the module's tables live beside the host's, migrated by the host. */
export type DatabasePort = Knex;

export interface LoggerPort {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface ClockPort {
  now(): Date;
}
