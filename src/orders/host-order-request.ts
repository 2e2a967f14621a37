/**
 * Turns an Amazon order into the host's CreateOrderRequest: Amazon's prices, tax, shipping and
 * discounts exactly, the settings' choices, and clearly marked placeholders where Amazon withholds
 * buyer data (Amazon-fulfilled orders carry no name or address) - never invented personal data.
 */
import type { CreateOrderLine, CreateOrderRequest, HostAddress, HostProduct } from '../host/ports.ts';
import { MARKETPLACES } from '../stores/marketplaces.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import { divideAmount, sumAmounts } from '../money.ts';
import { OrderDataError, type OrderSnapshot, type SnapshotItem } from './order-snapshot.ts';

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

function lineFor(item: SnapshotItem, product: HostProduct, currencyCode: string): CreateOrderLine {
  const qty = item.quantityOrdered - item.quantityCanceled;
  if (item.unitPrice && item.unitPrice.currencyCode !== currencyCode) {
    throw new OrderDataError(`item ${item.orderItemId} is priced in ${item.unitPrice.currencyCode}, the order in ${currencyCode}`);
  }
  let unitPrice = item.unitPrice?.amount;
  if (unitPrice === undefined) {
    try {
      unitPrice = divideAmount(item.itemAmount, item.quantityOrdered);
    } catch {
      throw new OrderDataError(`item ${item.orderItemId} has no unit price and ${item.itemAmount} does not divide by ${item.quantityOrdered}`);
    }
  }
  return {
    productId: product.id,
    sku: product.sku,
    name: item.title ?? product.name,
    qty,
    unitPrice,
    taxAmount: item.itemTax,
    discountAmount: item.itemDiscount,
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
    shippingAmount: sumAmounts(openItems.map((i) => i.shippingAmount)),
    shippingTaxAmount: sumAmounts(openItems.map((i) => i.shippingTax)),
    shippingDiscountAmount: sumAmounts(openItems.map((i) => i.shippingDiscount)),
    grandTotal: order.grandTotal.amount,
    shippingMethod: order.shippingServiceLevel ? `${SHIPPING_METHOD} (${order.shippingServiceLevel})` : SHIPPING_METHOD,
    paymentMethod: PAYMENT_METHOD,
    deductStock: !amazonFulfilled,
    reservationKey: reserved && !amazonFulfilled ? reservationKeyFor(order.amazonOrderId) : null,
    notifyCustomer: false,
  };
}
