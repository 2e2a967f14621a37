/**
 * Turns an Amazon order into the host's CreateOrderRequest: Amazon's prices, tax, shipping and
 * discounts exactly, the settings' choices, and clearly marked placeholders where Amazon withholds
 * buyer data (Amazon-fulfilled orders carry no name or address) - never invented personal data.
 */
import type { CreateOrderLine, CreateOrderRequest, HostAddress, HostProduct } from '../host/ports.ts';
import { MARKETPLACES } from '../stores/marketplaces.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import { currencyDecimals, divideAmount, fromE4, MoneyFormatError, toE4 } from '../money.ts';
import { OrderDataError, type Money, type OrderSnapshot, type SnapshotItem } from './order-snapshot.ts';

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

/** Splits "Jane Q. Doe" on the first space, as the original does. */
export function splitName(name: string | null): { firstName: string; lastName: string } {
  const trimmed = (name ?? '').trim();
  if (trimmed === '') return { firstName: WITHHELD, lastName: WITHHELD };
  const space = trimmed.indexOf(' ');
  if (space === -1) return { firstName: trimmed, lastName: trimmed };
  return { firstName: trimmed.slice(0, space), lastName: trimmed.slice(space + 1).trim() };
}

function hostAddress(order: OrderSnapshot): HostAddress {
  const address = order.address;
  const name = splitName(address?.name ?? order.buyerName);
  const country = address?.countryCode ?? MARKETPLACES.get(order.marketplaceId)?.country ?? WITHHELD;
  const street = (address?.addressLines ?? []).filter((line) => line.trim() !== '');
  return {
    ...name,
    street: street.length > 0 ? street : [WITHHELD],
    city: address?.city || WITHHELD,
    region: address?.stateOrRegion || null,
    postalCode: address?.postalCode || WITHHELD,
    countryCode: country,
    phone: address?.phone || WITHHELD,
  };
}

/** One amount in ten-thousandths, refused unless it is in the order's currency. */
function amountIn(money: Money, currencyCode: string, what: string): bigint {
  if (money.currencyCode !== currencyCode) throw new OrderDataError(`${what} is in ${money.currencyCode}, the order in ${currencyCode}`);
  try {
    return toE4(money.amount);
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new OrderDataError(`${what}: ${error.message}`);
    throw error;
  }
}

const sumIn = (parts: Money[], currencyCode: string, what: string): bigint =>
  parts.reduce((sum, part) => sum + amountIn(part, currencyCode, what), 0n);

/** An amount as the host gets it: exact, with at least the currency's decimals ("1199" JPY, "5.00" USD). */
const decimal = (value: bigint, currencyCode: string): string => fromE4(value, currencyDecimals(currencyCode));

function lineFor(item: SnapshotItem, product: HostProduct, currencyCode: string): CreateOrderLine {
  const qty = item.quantityOrdered - item.quantityCanceled;
  const of = `item ${item.orderItemId}'s`;
  let unitPrice: bigint;
  if (item.unitPrice) {
    unitPrice = amountIn(item.unitPrice, currencyCode, `${of} unit price`);
  } else {
    const itemAmount = fromE4(sumIn(item.proceeds.item.amount, currencyCode, `${of} item amount`));
    try {
      unitPrice = toE4(divideAmount(itemAmount, item.quantityOrdered));
    } catch {
      throw new OrderDataError(`item ${item.orderItemId} has no unit price and ${itemAmount} does not divide by ${item.quantityOrdered}`);
    }
  }
  return {
    productId: product.id,
    sku: product.sku,
    name: item.title ?? product.name,
    qty,
    unitPrice: decimal(unitPrice, currencyCode),
    taxAmount: decimal(sumIn(item.proceeds.item.tax, currencyCode, `${of} item tax`), currencyCode),
    discountAmount: decimal(sumIn(item.proceeds.item.discount, currencyCode, `${of} item discount`), currencyCode),
  };
}

/** The order's shipping: every open item's, each part checked for the order's currency. */
function shippingFor(items: SnapshotItem[], currencyCode: string) {
  const sum = (part: 'amount' | 'tax' | 'discount', name: string) =>
    decimal(items.reduce((total, item) => total + sumIn(item.proceeds.shipping[part], currencyCode, `item ${item.orderItemId}'s ${name}`), 0n), currencyCode);
  return {
    shippingAmount: sum('amount', 'shipping'),
    shippingTaxAmount: sum('tax', 'shipping tax'),
    shippingDiscountAmount: sum('discount', 'shipping discount'),
  };
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
  const amazonFulfilled = order.fulfilledBy === 'AMAZON';
  const name = splitName(order.buyerName ?? order.address?.name ?? null);
  return {
    idempotencyKey: idempotencyKeyFor(order.amazonOrderId),
    externalReference: order.amazonOrderId,
    channel: CHANNEL,
    storeView: settings.hostStoreView,
    orderNumber: settings.orderNumberSource === 'amazon' ? order.amazonOrderId : null,
    state: amazonFulfilled ? 'complete' : 'processing',
    status: !amazonFulfilled && settings.orderStatus === 'custom' ? settings.processingStatus : null,
    customer: {
      mode: settings.customerCreation,
      // A syntactically valid address on a reserved domain (RFC 2606): nothing can ever be delivered to it.
      email: order.buyerEmail ?? `${order.amazonOrderId}@buyer-email-withheld.amazon.invalid`,
      ...name,
    },
    shippingAddress: hostAddress(order),
    currencyCode,
    lines,
    ...shippingFor(openItems, currencyCode),
    grandTotal: order.grandTotal.amount,
    shippingMethod: order.shippingServiceLevel ? `${SHIPPING_METHOD} (${order.shippingServiceLevel})` : SHIPPING_METHOD,
    paymentMethod: PAYMENT_METHOD,
    deductStock: !amazonFulfilled,
    reservationKey: reserved && !amazonFulfilled ? reservationKeyFor(order.amazonOrderId) : null,
    notifyCustomer: false,
  };
}
