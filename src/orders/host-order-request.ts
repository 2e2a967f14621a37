/**
 * Turns an Amazon order into the host's CreateOrderRequest: Amazon's prices, tax, shipping and
 * discounts exactly, the settings' choices, and clearly marked placeholders where Amazon withholds
 * buyer data (Amazon-fulfilled orders carry no name or address) - never invented personal data.
 */
import {
  CREATE_ORDER_TEXT_LIMITS as LIMITS,
  type CreateOrderCharge,
  type CreateOrderLine,
  type CreateOrderRequest,
  type HostAddress,
  type HostProduct,
  type OrderChargeKind,
} from '../host/ports.ts';
import { MARKETPLACES } from '../stores/marketplaces.ts';
import { shorten } from '../text.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import { currencyDecimals, divideAmount, fromE4, MoneyFormatError, toE4 } from '../money.ts';
import { ITEM_CHARGE_KINDS, MAX_AMOUNT_CHARS, OrderDataError, type Money, type OrderSnapshot, type ProceedsCategory, type SnapshotItem } from './order-snapshot.ts';

export const CHANNEL = 'amazon';
export const SHIPPING_METHOD = 'Amazon shipping';
export const PAYMENT_METHOD = 'Amazon payment';

/** Marks every value the module had to fill in because Amazon did not send it. */
export const WITHHELD = 'Withheld by Amazon';

export function idempotencyKeyFor(amazonOrderId: string): string {
  return `amazon-order:${amazonOrderId}`;
}

export function reservationKeyFor(amazonOrderId: string): string {
  return `amazon-pending:${amazonOrderId}`;
}

/**
 * Amazon text the host would refuse for its length alone and that cannot be shortened without
 * harm (a shortened street or phone number could misdirect the parcel): the note says which.
 */
function fitting(text: string, max: number, what: string): string {
  if (text.length > max) throw new OrderDataError(`${what} from Amazon is ${text.length} characters long; the host takes at most ${max}`);
  return text;
}

/** Splits "Jane Q. Doe" on the first space, as the original does; each part shortened to what the host takes. */
export function splitName(name: string | null): { firstName: string; lastName: string } {
  const trimmed = (name ?? '').trim();
  if (trimmed === '') return { firstName: WITHHELD, lastName: WITHHELD };
  const space = trimmed.indexOf(' ');
  const [firstName, lastName] = space === -1 ? [trimmed, trimmed] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()];
  return { firstName: shorten(firstName, LIMITS.personName), lastName: shorten(lastName, LIMITS.personName) };
}

/**
 * Amazon's text when it has any: Amazon sends withheld or unknown parts as "" or spaces as well as
 * leaving them out, and the host refuses a blank city, postal code, country or e-mail, which
 * would block the order for good (nobody can change Amazon's data).
 */
function sent(text: string | null | undefined): string | null {
  return text === null || text === undefined || text.trim() === '' ? null : text;
}

function hostAddress(order: OrderSnapshot): HostAddress {
  const address = order.address;
  const name = splitName(address?.name ?? order.buyerName);
  const country = sent(address?.countryCode) ?? MARKETPLACES.get(order.marketplaceId)?.country ?? WITHHELD;
  const street = (address?.addressLines ?? []).filter((line) => line.trim() !== '');
  fitting(street.join('\n'), LIMITS.street, 'the shipping street (all lines)');
  const region = sent(address?.stateOrRegion);
  return {
    ...name,
    street: street.length > 0 ? street : [WITHHELD],
    city: fitting(sent(address?.city) ?? WITHHELD, LIMITS.city, 'the shipping city'),
    region: region === null ? null : fitting(region, LIMITS.region, 'the shipping region'),
    postalCode: fitting(sent(address?.postalCode) ?? WITHHELD, LIMITS.postalCode, 'the shipping postal code'),
    countryCode: country,
    phone: fitting(sent(address?.phone) ?? WITHHELD, LIMITS.phone, 'the shipping phone number'),
  };
}

type Category = keyof SnapshotItem['proceeds'];
type Part = keyof ProceedsCategory;

const partNames = (amount: string, base = amount): Record<Part, string> => ({ amount, tax: `${base} tax`, discount: `${base} discount` });
/** How a note names each part of each category. */
const PART_NAMES: Record<Category, Record<Part, string>> = {
  item: partNames('item amount', 'item'),
  shipping: partNames('shipping'),
  gift_wrap: partNames('gift wrap'),
  cod_fee: partNames('cash on delivery fee'),
  other: partNames('other charge'),
};

/** What the admin sees for each charge. */
const CHARGE_LABELS: Record<OrderChargeKind, string> = {
  gift_wrap: 'Gift wrap',
  cod_fee: 'Cash on delivery fee',
  delivery_tip: 'Delivery tip',
  other: 'Other charges',
};

/** How many unknown proceeds a note lists: it goes into a text column and onto the order page. */
const MAX_LISTED_PROCEEDS = 5;

/**
 * One amount in ten-thousandths, refused unless it is in the order's currency and of a length the
 * columns hold (which also keeps every sum, and so every note, short).
 */
function amountIn(money: Money, currencyCode: string, what: string): bigint {
  if (money.currencyCode !== currencyCode) throw new OrderDataError(`${what} is in ${money.currencyCode}, the order in ${currencyCode}`);
  if (money.amount.length > MAX_AMOUNT_CHARS) throw new OrderDataError(`${what} is ${money.amount.length} characters long; at most ${MAX_AMOUNT_CHARS} are expected`);
  try {
    return toE4(money.amount);
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new OrderDataError(`${what}: ${error.message}`);
    throw error;
  }
}

/** One part of a category over `items`, every amount checked for the order's currency. */
function partTotal(items: SnapshotItem[], category: Category, part: Part, currencyCode: string): bigint {
  const of = (item: SnapshotItem) => `item ${item.orderItemId}'s ${PART_NAMES[category][part]}`;
  return items.reduce((total, item) => total + item.proceeds[category][part].reduce((sum, money) => sum + amountIn(money, currencyCode, of(item)), 0n), 0n);
}

/**
 * What Amazon charged for one item, by the parts a refund names (in ten-thousandths of the order
 * currency): the item less its discount, its tax, its shipping less the shipping discount, and the
 * shipping's tax. Refused (OrderDataError) when a part is in another currency.
 */
export function chargedFor(item: SnapshotItem, currencyCode: string): { principal: bigint; tax: bigint; shipping: bigint; shippingTax: bigint } {
  const part = (category: Category, name: Part) => partTotal([item], category, name, currencyCode);
  return {
    principal: part('item', 'amount') - part('item', 'discount'),
    tax: part('item', 'tax'),
    shipping: part('shipping', 'amount') - part('shipping', 'discount'),
    shippingTax: part('shipping', 'tax'),
  };
}

/** An amount as the host gets it: exact, with at least the currency's decimals ("1199" JPY, "5.00" USD). */
function decimal(value: bigint, currencyCode: string, what: string): string {
  if (value < 0n) throw new OrderDataError(`${what} comes to ${fromE4(value)} ${currencyCode}; the host takes no negative amounts`);
  return fromE4(value, currencyDecimals(currencyCode));
}

function lineFor(item: SnapshotItem, product: HostProduct, currencyCode: string): CreateOrderLine {
  const qty = item.quantityOrdered - item.quantityCanceled;
  const part = (name: Part) => partTotal([item], 'item', name, currencyCode);
  const of = `item ${item.orderItemId}'s`;
  let unitPrice: bigint;
  if (item.unitPrice) {
    unitPrice = amountIn(item.unitPrice, currencyCode, `${of} unit price`);
  } else {
    const itemAmount = fromE4(part('amount'));
    try {
      unitPrice = toE4(divideAmount(itemAmount, item.quantityOrdered));
    } catch {
      throw new OrderDataError(`item ${item.orderItemId} has no unit price and ${itemAmount} does not divide by ${item.quantityOrdered}`);
    }
  }
  return {
    productId: product.id,
    sku: product.sku,
    // Amazon's titles run longer than the host's line names: shortened, never a reason to block.
    name: shorten(item.title?.trim() || product.name, LIMITS.lineName),
    qty,
    unitPrice: decimal(unitPrice, currencyCode, `${of} unit price`),
    taxAmount: decimal(part('tax'), currencyCode, `${of} item tax`),
    discountAmount: decimal(part('discount'), currencyCode, `${of} item discount`),
    // How fulfillment tells this line from another of the same SKU (contract 1.2.0).
    externalReference: item.orderItemId,
  };
}

/** A category's three parts over `items`, for the host. */
function categoryFor(items: SnapshotItem[], category: Category, currencyCode: string): Record<Part, string> {
  const total = (part: Part) => decimal(partTotal(items, category, part, currencyCode), currencyCode, `the order's ${PART_NAMES[category][part]}`);
  return { amount: total('amount'), tax: total('tax'), discount: total('discount') };
}

/** Gift wrap, cash-on-delivery fees and other charges of the items, then the order's own (tips). */
function chargesFor(order: OrderSnapshot, items: SnapshotItem[], currencyCode: string): CreateOrderCharge[] {
  const charges: CreateOrderCharge[] = [];
  for (const kind of ITEM_CHARGE_KINDS) {
    const { amount, tax, discount } = categoryFor(items, kind, currencyCode);
    if ([amount, tax, discount].every((value) => toE4(value) === 0n)) continue;
    charges.push({ kind, label: CHARGE_LABELS[kind], amount, taxAmount: tax, discountAmount: discount });
  }
  const none = fromE4(0n, currencyDecimals(currencyCode));
  for (const charge of order.orderCharges) {
    const what = "the order's delivery tip";
    const amount = decimal(amountIn(charge.amount, currencyCode, what), currencyCode, what);
    // A pending tip can still change on Amazon: the admin should know it is not final.
    const label = charge.status === 'PENDING' ? `${CHARGE_LABELS[charge.kind]} (pending)` : CHARGE_LABELS[charge.kind];
    if (toE4(amount) !== 0n) charges.push({ kind: charge.kind, label, amount, taxAmount: none, discountAmount: none });
  }
  return charges;
}

/** What the host's parts add up to: lines, shipping and charges, each plus tax minus discount. */
function partsTotal(request: CreateOrderRequest): bigint {
  const net = (amount: bigint, tax: string, discount: string) => amount + toE4(tax) - toE4(discount);
  let total = net(toE4(request.shippingAmount), request.shippingTaxAmount, request.shippingDiscountAmount);
  for (const line of request.lines) total += net(toE4(line.unitPrice) * BigInt(line.qty), line.taxAmount, line.discountAmount);
  for (const charge of request.charges ?? []) total += net(toE4(charge.amount), charge.taxAmount, charge.discountAmount);
  return total;
}

/**
 * A host order whose parts disagree with its total is mispriced (invoices, tax and refunds go by the
 * parts), so it is not created: the note names both sums and what Amazon sent that the module does
 * not know. The next sync tries again, so an order Amazon corrects imports by itself.
 */
function checkTotal(request: CreateOrderRequest, amazonTotal: Money, unrecognized: OrderSnapshot['unrecognizedProceeds']): void {
  const grandTotal = amountIn(amazonTotal, request.currencyCode, 'the grand total');
  const parts = partsTotal(request);
  if (parts === grandTotal) return;
  const currency = request.currencyCode;
  const text = (value: bigint) => `${fromE4(value, currencyDecimals(currency))} ${currency}`;
  // Amazon's type names and amounts, shortened and only the first few: any number can come.
  const unknown = unrecognized
    .slice(0, MAX_LISTED_PROCEEDS)
    .map((p) => `${shorten(p.kind, 40)} ${shorten(p.amount.amount, MAX_AMOUNT_CHARS)} ${p.amount.currencyCode} on ${p.source}`);
  const more = unrecognized.length > MAX_LISTED_PROCEEDS ? ` and ${unrecognized.length - MAX_LISTED_PROCEEDS} more` : '';
  throw new OrderDataError(
    `its items, shipping, charges, tax and discounts add up to ${text(parts)}, but Amazon's grand total is ${text(grandTotal)}` +
      (unknown.length > 0 ? `; Amazon also sent proceeds the module does not know: ${unknown.join(', ')}${more}` : ''),
  );
}

export interface HostOrderInputs {
  order: OrderSnapshot;
  settings: OrderSettings;
  /** The catalog product for each seller SKU of the order. */
  products: ReadonlyMap<string, HostProduct>;
  /** True when stock for this order is reserved under reservationKeyFor(order). */
  reserved: boolean;
}

export function buildHostOrderRequest({ order, settings, products, reserved }: HostOrderInputs): CreateOrderRequest {
  if (!order.grandTotal) throw new OrderDataError(`order ${order.amazonOrderId} has no grand total`);
  const currencyCode = order.grandTotal.currencyCode;
  const openItems = order.items.filter((item) => item.quantityOrdered - item.quantityCanceled > 0);
  const lines = openItems.map((item) => {
    const product = item.sellerSku === null ? undefined : products.get(item.sellerSku);
    if (!product) throw new OrderDataError(`order ${order.amazonOrderId}: no product for item ${item.orderItemId}`);
    return lineFor(item, product, currencyCode);
  });
  const shipping = categoryFor(openItems, 'shipping', currencyCode);
  const amazonFulfilled = order.fulfilledBy === 'AMAZON';
  const name = splitName(order.buyerName ?? order.address?.name ?? null);
  const buyerEmail = sent(order.buyerEmail);
  const request: CreateOrderRequest = {
    idempotencyKey: idempotencyKeyFor(order.amazonOrderId),
    externalReference: order.amazonOrderId,
    channel: CHANNEL,
    storeView: settings.hostStoreView,
    orderNumber: settings.orderNumberSource === 'amazon' ? order.amazonOrderId : null,
    state: amazonFulfilled ? 'complete' : 'processing',
    status: !amazonFulfilled && settings.orderStatus === 'custom' ? settings.processingStatus : null,
    customer: {
      // An account needs the buyer's address to be anyone's: without one (Amazon withholds it, always
      // for Amazon-fulfilled orders) an account would be one placeholder customer per order.
      mode: buyerEmail ? settings.customerCreation : 'guest',
      // A syntactically valid address on a reserved domain (RFC 2606): nothing can ever be delivered to it.
      email: fitting(buyerEmail ?? `${order.amazonOrderId}@buyer-email-withheld.amazon.invalid`, LIMITS.email, "the buyer's e-mail address"),
      ...name,
    },
    shippingAddress: hostAddress(order),
    currencyCode,
    lines,
    shippingAmount: shipping.amount,
    shippingTaxAmount: shipping.tax,
    shippingDiscountAmount: shipping.discount,
    charges: chargesFor(order, openItems, currencyCode),
    grandTotal: order.grandTotal.amount,
    shippingMethod: shorten(order.shippingServiceLevel ? `${SHIPPING_METHOD} (${order.shippingServiceLevel})` : SHIPPING_METHOD, LIMITS.shippingMethod),
    paymentMethod: PAYMENT_METHOD,
    deductStock: !amazonFulfilled,
    reservationKey: reserved && !amazonFulfilled ? reservationKeyFor(order.amazonOrderId) : null,
    notifyCustomer: false,
  };
  checkTotal(request, order.grandTotal, order.unrecognizedProceeds);
  return request;
}
