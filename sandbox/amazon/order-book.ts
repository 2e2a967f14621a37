/**
 * The sandbox's orders: how they are placed and priced, their lifecycle by the sandbox clock
 * (PENDING_AVAILABILITY -> PENDING -> UNSHIPPED -> PARTIALLY_SHIPPED/SHIPPED, CANCELLED), and a
 * JSON-safe description for the control API. The wire shape of the Orders API is in `orders.ts`.
 * Every change Amazon notifies (ORDER_CHANGE) goes through `touch` with its change type and reason,
 * and `onChange` hears of it (notifications.ts); placing an order is one too.
 */
import type { SandboxClock } from './clock.ts';
import { isoSeconds, parseIsoDateTime } from './clock.ts';
import { findListing, findMarketplace, asinForSku, DEFAULT_MARKETPLACE_ID, type FakeAddress, type Marketplace } from './marketplaces.ts';
import { formatMoney, MoneyFormatError, parseMoney, percentOf, sum } from './money.ts';
import type { SeededRandom } from './random.ts';

export const FULFILLMENT_STATUSES = ['PENDING_AVAILABILITY', 'PENDING', 'UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED', 'UNFULFILLABLE'] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];
export type FulfilledBy = 'MERCHANT' | 'AMAZON';
export type CancelledBy = 'BUYER' | 'MERCHANT' | 'AMAZON';

/** Where an order is before anything ships or is cancelled. */
type Stage = 'PENDING_AVAILABILITY' | 'PENDING' | 'UNSHIPPED';

export interface OrderItemState {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantityOrdered: number;
  /** All amounts in minor units of the order currency. */
  unitPrice: bigint;
  /** Promotion discount on the item price (positive). */
  itemDiscount: bigint;
  itemTax: bigint;
  shipping: bigint;
  shippingTax: bigint;
  /** Gift wrap charged for this line, and its tax at the marketplace rate. */
  giftWrap: bigint;
  giftWrapTax: bigint;
  promotionIds: string[];
  quantityShipped: number;
  quantityCancelled: number;
  cancellationRequest?: { requester: 'BUYER'; cancelReason: string };
  cancellationExecution?: { cancelledBy: CancelledBy; cancelReason: string };
}

export interface PackageState {
  packageReferenceId: string;
  carrierCode: string;
  carrierName?: string;
  shippingMethod?: string;
  /** Optional in the fulfillment feed; always present from confirmShipment. */
  trackingNumber?: string;
  shipTime: number;
  createdTime: number;
  items: Array<{ orderItemId: string; quantity: number }>;
  via: 'confirmShipment' | 'feed';
}

export type RefundComponent = 'Principal' | 'Shipping' | 'Tax' | 'ShippingTax';

export interface RefundState {
  at: number;
  feedId: string;
  messageId: string;
  orderItemId: string;
  reason: string;
  components: Record<RefundComponent, bigint>;
}

export interface OrderState {
  orderId: string;
  sellerId: string;
  marketplaceId: string;
  currency: string;
  fulfilledBy: FulfilledBy;
  createdTime: number;
  lastUpdatedTime: number;
  stage: Stage;
  /** When Amazon verified payment (left PENDING); buyer and address data exist from then on. */
  verifiedAt?: number;
  releaseTime?: number;
  serviceLevel: string;
  programs: string[];
  buyer: { name: string; email: string };
  address: FakeAddress & { name: string };
  items: OrderItemState[];
  /** A tip for the delivery, charged to the order as a whole (Amazon's DELIVERY_TIP). */
  deliveryTip: bigint;
  packages: PackageState[];
  refunds: RefundState[];
  aliases: Array<{ aliasId: string; aliasType: string }>;
}

export interface PlaceOrderItemInput {
  sku: string;
  qty: number;
  /** Unit price as a decimal string; default the demo catalog price or the marketplace default. */
  price?: string;
  title?: string;
  asin?: string;
  /** Promotion discount on this line, decimal string. */
  discount?: string;
  /** Gift wrap for this line, decimal string, taxed at the marketplace rate. */
  giftWrap?: string;
  promotionId?: string;
}

export interface PlaceOrderInput {
  sellerId?: string;
  marketplaceId?: string;
  items: PlaceOrderItemInput[];
  fulfilledBy?: FulfilledBy;
  buyerName?: string;
  /** Parts of the buyer's delivery address to use instead of the marketplace's example address (any text). */
  address?: Partial<FakeAddress>;
  /** Initial status: PENDING (default), PENDING_AVAILABILITY (pre-order) or UNSHIPPED (already verified). */
  status?: 'PENDING_AVAILABILITY' | 'PENDING' | 'UNSHIPPED';
  /** ISO 8601, not in the future; default now. */
  createdTime?: string;
  /** For a pre-order: when the item is released (ISO 8601); default createdTime + preorderReleaseMs. */
  releaseTime?: string;
  /** Order shipping charge, decimal string; default the marketplace fee for MERCHANT, 0 for AMAZON. */
  shipping?: string;
  /** Delivery tip, decimal string (not taxed); default none. */
  deliveryTip?: string;
  serviceLevel?: 'STANDARD' | 'EXPEDITED' | 'NEXT_DAY' | 'SECOND_DAY' | 'SAME_DAY' | 'FREE_ECONOMY' | 'PRIORITY' | 'SCHEDULED';
  prime?: boolean;
  orderId?: string;
}

/** The kinds of change an ORDER_CHANGE notification names (OrderChangeNotification.json). */
export const ORDER_CHANGE_TYPES = ['OrderStatusChange', 'BuyerRequestedChange', 'DeliveryTipChange'] as const;
export type OrderChangeType = (typeof ORDER_CHANGE_TYPES)[number];

/** What changed, as Amazon's notification says it: the type and a ChangeReason text. */
export interface OrderChange {
  type: OrderChangeType;
  reason: string;
}

/** A change that happened to `order` at sandbox time `at`. */
export interface OrderChangeEvent extends OrderChange {
  order: OrderState;
  at: number;
}

export interface LifecycleTimings {
  /** PENDING -> UNSHIPPED after this much sandbox time. */
  verificationDelayMs: number;
  /** AMAZON orders ship this long after they became UNSHIPPED. */
  fbaShipDelayMs: number;
  /** Default time from placing a pre-order to its release (PENDING_AVAILABILITY -> PENDING). */
  preorderReleaseMs: number;
}

export const DEFAULT_LIFECYCLE: Readonly<LifecycleTimings> = Object.freeze({
  verificationDelayMs: 5 * 60_000,
  fbaShipDelayMs: 30 * 60_000,
  preorderReleaseMs: 24 * 3600_000,
});

export class OrderError extends Error {
  override name = 'OrderError';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
/** Amazon sets no limit a buyer would meet; large business orders carry hundreds of items. */
export const MAX_ITEMS = 1000;
const ADDRESS_PARTS = ['addressLine1', 'addressLine2', 'city', 'stateOrRegion', 'postalCode', 'countryCode', 'phone'] as const;
export const SERVICE_LEVELS = ['STANDARD', 'EXPEDITED', 'NEXT_DAY', 'SECOND_DAY', 'SAME_DAY', 'FREE_ECONOMY', 'PRIORITY', 'SCHEDULED'] as const;

export function isOrderId(value: string): boolean {
  return ORDER_ID.test(value);
}

export function orderStatus(order: OrderState): FulfillmentStatus {
  const active = order.items.filter((i) => i.quantityCancelled < i.quantityOrdered);
  if (active.length === 0) return 'CANCELLED';
  const open = active.reduce((n, i) => n + i.quantityOrdered - i.quantityCancelled - i.quantityShipped, 0);
  const shipped = active.reduce((n, i) => n + i.quantityShipped, 0);
  if (shipped > 0) return open === 0 ? 'SHIPPED' : 'PARTIALLY_SHIPPED';
  return order.stage;
}

export function unshippedQuantity(item: OrderItemState): number {
  return item.quantityOrdered - item.quantityCancelled - item.quantityShipped;
}

/** What the seller receives for an item: price - discount + shipping + gift wrap + taxes. */
export function itemTotal(item: OrderItemState): bigint {
  return item.unitPrice * BigInt(item.quantityOrdered) - item.itemDiscount + item.shipping + item.giftWrap + item.itemTax + item.shippingTax + item.giftWrapTax;
}

export function orderTotal(order: OrderState): bigint {
  return sum(order.items.map(itemTotal)) + order.deliveryTip;
}

const DAY_MS = 24 * 3600_000;

/**
 * What Amazon promised the buyer, at the sandbox's fixed offsets from the purchase: ship within two
 * days (seller-fulfilled orders only; Amazon ships its own) and deliver between day 3 and day 7.
 */
export function promiseWindows(order: OrderState): { shipBy: { earliest: number; latest: number } | null; deliverBy: { earliest: number; latest: number } } {
  return {
    shipBy: order.fulfilledBy === 'MERCHANT' ? { earliest: order.createdTime, latest: order.createdTime + 2 * DAY_MS } : null,
    deliverBy: { earliest: order.createdTime + 3 * DAY_MS, latest: order.createdTime + 7 * DAY_MS },
  };
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export class OrderBook {
  private orders = new Map<string, OrderState>();
  private itemIds = new Set<string>();
  /** Hears of every change a notification is sent for (the sandbox wires its Notifications API here). */
  onChange?: (event: OrderChangeEvent) => void;

  constructor(
    private readonly clock: SandboxClock,
    private readonly rng: SeededRandom,
    public timings: LifecycleTimings = { ...DEFAULT_LIFECYCLE },
    private readonly defaultSellerId: string,
  ) {}

  get(orderId: string): OrderState | undefined {
    return this.orders.get(orderId);
  }

  all(): OrderState[] {
    return [...this.orders.values()];
  }

  reset(): void {
    this.orders.clear();
    this.itemIds.clear();
  }

  /**
   * Records a change: lastUpdatedTime moves forward on every change, by at least one second. A
   * change Amazon notifies (status, buyer's request) names its `change`; others (an alias, a
   * refund) do not.
   */
  touch(order: OrderState, at: number, change?: OrderChange): void {
    order.lastUpdatedTime = Math.max(floorSecond(at), order.lastUpdatedTime + 1000);
    if (change) this.changed(order, at, change);
  }

  private changed(order: OrderState, at: number, change: OrderChange): void {
    this.onChange?.({ order, at, ...change });
  }

  place(input: PlaceOrderInput): OrderState {
    const now = this.clock.now();
    const marketplace = findMarketplace(input.marketplaceId ?? DEFAULT_MARKETPLACE_ID);
    if (!marketplace) throw new OrderError(`unknown marketplaceId ${input.marketplaceId}`);
    const fulfilledBy = input.fulfilledBy ?? 'MERCHANT';
    if (fulfilledBy !== 'MERCHANT' && fulfilledBy !== 'AMAZON') throw new OrderError('fulfilledBy must be MERCHANT or AMAZON');
    const stage = input.status ?? 'PENDING';
    if (!['PENDING_AVAILABILITY', 'PENDING', 'UNSHIPPED'].includes(stage)) throw new OrderError('status must be PENDING_AVAILABILITY, PENDING or UNSHIPPED');
    const serviceLevel = input.serviceLevel ?? 'STANDARD';
    if (!(SERVICE_LEVELS as readonly string[]).includes(serviceLevel)) throw new OrderError(`serviceLevel must be one of ${SERVICE_LEVELS.join(', ')}`);
    let createdTime = now;
    if (input.createdTime !== undefined) {
      const parsed = parseIsoDateTime(input.createdTime);
      if (parsed === null) throw new OrderError(`createdTime "${input.createdTime}" is not an ISO 8601 date-time`);
      if (parsed > now) throw new OrderError('createdTime must not be in the future');
      createdTime = parsed;
    }
    createdTime = floorSecond(createdTime);
    if (input.orderId !== undefined && (!isOrderId(input.orderId) || this.orders.has(input.orderId))) {
      throw new OrderError(`orderId must be a new id in 3-7-7 format, got "${input.orderId}"`);
    }
    if (!Array.isArray(input.items) || input.items.length < 1 || input.items.length > MAX_ITEMS) throw new OrderError(`an order has 1 to ${MAX_ITEMS} items`);
    const buyerName = input.buyerName ?? this.rng.pick(marketplace.buyers);
    if (typeof buyerName !== 'string' || buyerName.trim() === '') throw new OrderError('buyerName must be a non-empty string');
    const address = input.address ?? {};
    if (typeof address !== 'object' || address === null) throw new OrderError(`address must be an object with any of ${ADDRESS_PARTS.join(', ')}`);
    for (const [part, value] of Object.entries(address)) {
      if (!(ADDRESS_PARTS as readonly string[]).includes(part) || typeof value !== 'string') throw new OrderError(`address.${part} must be one of ${ADDRESS_PARTS.join(', ')}, as a string`);
    }
    const sellerId = input.sellerId ?? this.defaultSellerId;
    if (typeof sellerId !== 'string' || sellerId.trim() === '') throw new OrderError('sellerId must be a non-empty string');

    const items = input.items.map((item, index) => this.priceItem(item, index, marketplace));
    const shipping = this.amount(input.shipping ?? (fulfilledBy === 'MERCHANT' ? marketplace.shippingFee : '0'), marketplace.currency, 'shipping');
    items[0]!.shipping = shipping;
    items[0]!.shippingTax = percentOf(shipping, marketplace.taxBasisPoints);
    const deliveryTip = this.amount(input.deliveryTip ?? '0', marketplace.currency, 'deliveryTip');

    const programs: string[] = [];
    if (input.prime) programs.push('PRIME');
    if (stage === 'PENDING_AVAILABILITY') programs.push('PREORDER');
    const order: OrderState = {
      orderId: input.orderId ?? this.newOrderId(marketplace),
      sellerId,
      marketplaceId: marketplace.id,
      currency: marketplace.currency,
      fulfilledBy,
      createdTime,
      lastUpdatedTime: createdTime,
      stage,
      serviceLevel,
      programs,
      buyer: { name: buyerName, email: `${this.rng.alphanumeric(16, 'abcdefghijklmnopqrstuvwxyz0123456789')}@${marketplace.emailDomain}` },
      address: { ...this.rng.pick(marketplace.addresses), ...address, name: buyerName },
      items,
      deliveryTip,
      packages: [],
      refunds: [],
      aliases: [],
    };
    if (stage === 'PENDING_AVAILABILITY') {
      const release = input.releaseTime === undefined ? createdTime + this.timings.preorderReleaseMs : parseIsoDateTime(input.releaseTime);
      if (release === null) throw new OrderError(`releaseTime "${input.releaseTime}" is not an ISO 8601 date-time`);
      order.releaseTime = release;
    }
    this.orders.set(order.orderId, order);
    for (const item of items) this.itemIds.add(item.orderItemId);

    if (stage === 'PENDING_AVAILABILITY') this.clock.schedule(order.releaseTime!, (at) => this.release(order, at));
    else if (stage === 'PENDING') this.clock.schedule(createdTime + this.timings.verificationDelayMs, (at) => this.verify(order, at));
    else this.verified(order, createdTime);
    this.changed(order, createdTime, { type: 'OrderStatusChange', reason: 'Order Placed' });
    return order;
  }

  /** Cancellation by the buyer or by Amazon (control API); the seller cancels through a feed. */
  cancelByBuyerOrAmazon(orderId: string, by: 'BUYER' | 'AMAZON', reason: string, requestOnly: boolean, at = this.clock.now()): OrderState {
    const order = this.orders.get(orderId);
    if (!order) throw new OrderError(`no order ${orderId}`, 404);
    const status = orderStatus(order);
    if (status === 'CANCELLED') throw new OrderError(`order ${orderId} is already cancelled`, 409);
    if (order.items.some((i) => i.quantityShipped > 0)) throw new OrderError(`order ${orderId} has shipped items and cannot be cancelled`, 409);
    if (requestOnly) {
      if (by !== 'BUYER') throw new OrderError('only the buyer requests a cancellation; Amazon cancels directly');
      for (const item of order.items) item.cancellationRequest = { requester: 'BUYER', cancelReason: reason };
      this.touch(order, at, { type: 'BuyerRequestedChange', reason: 'Buyer Requested Cancel' });
    } else {
      for (const item of order.items) {
        if (by === 'BUYER') item.cancellationRequest = { requester: 'BUYER', cancelReason: reason };
        this.cancelItem(item, by, reason);
      }
      this.touch(order, at, { type: 'OrderStatusChange', reason: by === 'BUYER' ? 'Canceled by Buyer' : 'Canceled by Amazon' });
    }
    return order;
  }

  /** Cancels the item's unshipped units (caller checked that is allowed). */
  cancelItem(item: OrderItemState, by: CancelledBy, reason: string): void {
    item.quantityCancelled = item.quantityOrdered - item.quantityShipped;
    item.cancellationExecution = { cancelledBy: by, cancelReason: reason };
  }

  private release(order: OrderState, at: number): void {
    if (orderStatus(order) !== 'PENDING_AVAILABILITY') return;
    order.stage = 'PENDING';
    this.touch(order, at, { type: 'OrderStatusChange', reason: 'Preorder Released' });
    this.clock.schedule(at + this.timings.verificationDelayMs, (when) => this.verify(order, when));
  }

  private verify(order: OrderState, at: number): void {
    if (orderStatus(order) !== 'PENDING') return;
    // Verified first: the notification of the change carries what verification brings (the address).
    this.verified(order, at);
    this.touch(order, at, { type: 'OrderStatusChange', reason: 'Payment Verified' });
  }

  private verified(order: OrderState, at: number): void {
    order.stage = 'UNSHIPPED';
    order.verifiedAt = at;
    if (order.fulfilledBy === 'AMAZON') this.clock.schedule(at + this.timings.fbaShipDelayMs, (when) => this.shipByAmazon(order, when));
  }

  /** Amazon's fulfilment centre ships every open unit; FBA orders carry no seller packages. */
  shipByAmazon(order: OrderState, at: number): void {
    const status = orderStatus(order);
    if (status !== 'UNSHIPPED' && status !== 'PARTIALLY_SHIPPED') return;
    for (const item of order.items) item.quantityShipped += unshippedQuantity(item);
    this.touch(order, at, { type: 'OrderStatusChange', reason: 'Shipped by Amazon' });
  }

  private priceItem(input: PlaceOrderItemInput, index: number, marketplace: Marketplace): OrderItemState {
    const where = `items[${index}]`;
    if (typeof input !== 'object' || input === null) throw new OrderError(`${where} must be an object {sku, qty, price?}`);
    if (typeof input.sku !== 'string' || input.sku.trim() === '' || input.sku.length > 40) throw new OrderError(`${where}.sku must be a string of 1 to 40 characters`);
    if (!Number.isInteger(input.qty) || input.qty < 1 || input.qty > 999) throw new OrderError(`${where}.qty must be an integer from 1 to 999`);
    const listing = findListing(input.sku);
    const unitPrice = this.amount(input.price ?? listing?.prices[marketplace.currency] ?? marketplace.defaultPrice, marketplace.currency, `${where}.price`);
    const subtotal = unitPrice * BigInt(input.qty);
    const itemDiscount = this.amount(input.discount ?? '0', marketplace.currency, `${where}.discount`);
    if (itemDiscount > subtotal) throw new OrderError(`${where}.discount is more than the item subtotal`);
    const giftWrap = this.amount(input.giftWrap ?? '0', marketplace.currency, `${where}.giftWrap`);
    let orderItemId: string;
    do orderItemId = this.rng.digits(14).replace(/^0/, '1');
    while (this.itemIds.has(orderItemId));
    return {
      orderItemId,
      sku: input.sku,
      asin: input.asin ?? listing?.asin ?? asinForSku(input.sku),
      title: input.title ?? listing?.title ?? `Sandbox product ${input.sku}`,
      quantityOrdered: input.qty,
      unitPrice,
      itemDiscount,
      itemTax: percentOf(subtotal - itemDiscount, marketplace.taxBasisPoints),
      shipping: 0n,
      shippingTax: 0n,
      giftWrap,
      giftWrapTax: percentOf(giftWrap, marketplace.taxBasisPoints),
      promotionIds: itemDiscount > 0n ? [input.promotionId ?? `SANDBOX-PROMO-${this.rng.alphanumeric(6)}`] : [],
      quantityShipped: 0,
      quantityCancelled: 0,
    };
  }

  private amount(text: unknown, currency: string, field: string): bigint {
    if (typeof text !== 'string') throw new OrderError(`${field} must be a decimal string like "19.99"`);
    try {
      return parseMoney(text, currency);
    } catch (error) {
      if (error instanceof MoneyFormatError) throw new OrderError(`${field}: ${error.message}`);
      throw error;
    }
  }

  private newOrderId(marketplace: Marketplace): string {
    for (;;) {
      const id = `${this.rng.pick(marketplace.orderIdPrefixes)}-${this.rng.digits(7)}-${this.rng.digits(7)}`;
      if (!this.orders.has(id)) return id;
    }
  }
}

export interface OrderItemDescription {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantityOrdered: number;
  quantityShipped: number;
  quantityCancelled: number;
  unitPrice: string;
  itemDiscount: string;
  itemTax: string;
  shipping: string;
  shippingTax: string;
  giftWrap: string;
  giftWrapTax: string;
  total: string;
  promotionIds: string[];
  cancellationRequest: OrderItemState['cancellationRequest'] | null;
  cancellationExecution: OrderItemState['cancellationExecution'] | null;
}

/** The whole order as the control API shows it: plain JSON, money as decimal strings, times ISO 8601. */
export interface OrderDescription {
  orderId: string;
  sellerId: string;
  marketplaceId: string;
  currency: string;
  fulfilledBy: FulfilledBy;
  status: FulfillmentStatus;
  createdTime: string;
  lastUpdatedTime: string;
  verifiedTime: string | null;
  releaseTime: string | null;
  serviceLevel: string;
  programs: string[];
  buyerName: string;
  buyerEmail: string;
  grandTotal: string;
  deliveryTip: string;
  aliases: Array<{ aliasId: string; aliasType: string }>;
  items: OrderItemDescription[];
  packages: Array<Omit<PackageState, 'shipTime' | 'createdTime'> & { shipTime: string; createdTime: string }>;
  refunds: Array<Omit<RefundState, 'at' | 'components'> & { at: string; components: Record<RefundComponent, string> }>;
}

export function describeOrder(order: OrderState): OrderDescription {
  const m = (v: bigint) => formatMoney(v, order.currency);
  return {
    orderId: order.orderId,
    sellerId: order.sellerId,
    marketplaceId: order.marketplaceId,
    currency: order.currency,
    fulfilledBy: order.fulfilledBy,
    status: orderStatus(order),
    createdTime: isoSeconds(order.createdTime),
    lastUpdatedTime: isoSeconds(order.lastUpdatedTime),
    verifiedTime: order.verifiedAt === undefined ? null : isoSeconds(order.verifiedAt),
    releaseTime: order.releaseTime === undefined ? null : isoSeconds(order.releaseTime),
    serviceLevel: order.serviceLevel,
    programs: order.programs,
    buyerName: order.buyer.name,
    buyerEmail: order.buyer.email,
    grandTotal: m(orderTotal(order)),
    deliveryTip: m(order.deliveryTip),
    aliases: order.aliases,
    items: order.items.map((i) => ({
      orderItemId: i.orderItemId,
      sku: i.sku,
      asin: i.asin,
      title: i.title,
      quantityOrdered: i.quantityOrdered,
      quantityShipped: i.quantityShipped,
      quantityCancelled: i.quantityCancelled,
      unitPrice: m(i.unitPrice),
      itemDiscount: m(i.itemDiscount),
      itemTax: m(i.itemTax),
      shipping: m(i.shipping),
      shippingTax: m(i.shippingTax),
      giftWrap: m(i.giftWrap),
      giftWrapTax: m(i.giftWrapTax),
      total: m(itemTotal(i)),
      promotionIds: i.promotionIds,
      cancellationRequest: i.cancellationRequest ?? null,
      cancellationExecution: i.cancellationExecution ?? null,
    })),
    packages: order.packages.map((p) => ({ ...p, shipTime: isoSeconds(p.shipTime), createdTime: isoSeconds(p.createdTime) })),
    refunds: order.refunds.map((r) => ({
      ...r,
      at: isoSeconds(r.at),
      components: { Principal: m(r.components.Principal), Shipping: m(r.components.Shipping), Tax: m(r.components.Tax), ShippingTax: m(r.components.ShippingTax) },
    })),
  };
}
