/** Builders for OrderSnapshot test data: realistic defaults, override what a test is about. */
import type { Money, OrderSnapshot, ProceedsCategory, SnapshotItem } from '../../src/orders/order-snapshot.ts';

export const usd = (amount: string): Money => ({ amount, currencyCode: 'USD' });

/** A proceeds category with one amount per part given (USD unless the Money says otherwise). */
export function category(parts: { amount?: string | Money; tax?: string | Money; discount?: string | Money } = {}): ProceedsCategory {
  const list = (part: string | Money | undefined) => (part === undefined ? [] : [typeof part === 'string' ? usd(part) : part]);
  return { amount: list(parts.amount), tax: list(parts.tax), discount: list(parts.discount) };
}

/** An item's proceeds: the categories given, the others empty. */
export function proceeds(categories: Partial<SnapshotItem['proceeds']> = {}): SnapshotItem['proceeds'] {
  return { item: category(), shipping: category(), gift_wrap: category(), cod_fee: category(), other: category(), ...categories };
}

export function snapshotItem(overrides: Partial<SnapshotItem> = {}): SnapshotItem {
  return {
    orderItemId: '10001',
    sellerSku: 'MUG-RED',
    asin: 'B000000001',
    title: 'Red mug',
    quantityOrdered: 2,
    quantityShipped: 0,
    quantityCanceled: 0,
    unitPrice: { amount: '19.99', currencyCode: 'USD' },
    proceeds: proceeds({ item: category({ amount: '39.98', tax: '3.20' }), shipping: category({ amount: '4.99', tax: '0.40' }) }),
    ...overrides,
  };
}

export function snapshot(overrides: Partial<OrderSnapshot> = {}): OrderSnapshot {
  return {
    amazonOrderId: '113-0000001-0000001',
    marketplaceId: 'ATVPDKIKX0DER',
    purchaseDate: new Date('2026-11-25T12:00:00Z'),
    lastUpdated: new Date('2026-11-25T12:30:00Z'),
    status: 'UNSHIPPED',
    fulfilledBy: 'MERCHANT',
    buyerName: 'Jane Q. Buyer',
    buyerEmail: 'jane@marketplace.amazon.example',
    shippingServiceLevel: 'Standard',
    latestShipDate: null,
    address: {
      name: 'Jane Q. Buyer',
      addressLines: ['1 Main St', 'Apt 2'],
      city: 'Seattle',
      stateOrRegion: 'WA',
      postalCode: '98101',
      countryCode: 'US',
      phone: '+1 206 555 0100',
    },
    grandTotal: { amount: '48.57', currencyCode: 'USD' },
    items: [snapshotItem()],
    orderCharges: [],
    unrecognizedProceeds: [],
    ...overrides,
  };
}
