/** Builders for Orders API v2026-01-01 `Order` documents as Amazon sends them. */
import type { Order, OrderItem } from '../../src/amazon/models.ts';

export function amazonItem(overrides: Partial<OrderItem> & { sku?: string; unitPrice?: string; qty?: number } = {}): OrderItem {
  const { sku = 'MUG-RED', unitPrice = '19.99', qty = 2, ...rest } = overrides;
  const [whole, fraction = '00'] = unitPrice.split('.');
  const cents = (Number(whole) * 100 + Number(fraction.padEnd(2, '0'))) * qty;
  const itemTotal = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return {
    orderItemId: '10001',
    quantityOrdered: qty,
    product: { asin: 'B000000001', title: 'Red mug', sellerSku: sku, price: { unitPrice: { amount: unitPrice, currencyCode: 'USD' } } },
    proceeds: {
      proceedsTotal: { amount: itemTotal, currencyCode: 'USD' },
      breakdowns: [{ type: 'ITEM', subtotal: { amount: itemTotal, currencyCode: 'USD' } }],
    },
    fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: qty },
    ...rest,
  };
}

export function amazonOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: '113-0000001-0000001',
    createdTime: '2026-11-25T12:00:00Z',
    lastUpdatedTime: '2026-11-25T12:30:00Z',
    salesChannel: { channelName: 'AMAZON', marketplaceId: 'ATVPDKIKX0DER', marketplaceName: 'Amazon.com' },
    buyer: { buyerName: 'Jane Q. Buyer', buyerEmail: 'jane@marketplace.amazon.example' },
    recipient: {
      deliveryAddress: { name: 'Jane Q. Buyer', addressLine1: '1 Main St', city: 'Seattle', stateOrRegion: 'WA', postalCode: '98101', countryCode: 'US', phone: '+1 206 555 0100' },
    },
    proceeds: { grandTotal: { amount: '39.98', currencyCode: 'USD' } },
    fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT', fulfillmentServiceLevel: 'Standard' },
    orderItems: [amazonItem()],
    ...overrides,
  };
}
