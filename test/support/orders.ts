/** A valid CreateOrderRequest to start from in tests. */
import type { CreateOrderLine, CreateOrderRequest } from '../../src/host/ports.ts';

export function orderRequest(lines: CreateOrderLine[], overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest {
  const key = overrides.idempotencyKey ?? `key-${Math.random().toString(36).slice(2)}`;
  return {
    idempotencyKey: key,
    externalReference: overrides.externalReference ?? `111-${key}`,
    channel: 'amazon',
    storeView: null,
    orderNumber: null,
    state: 'processing',
    status: null,
    customer: { mode: 'guest', email: 'buyer@example.com', firstName: 'Ada', lastName: 'Lovelace' },
    shippingAddress: {
      firstName: 'Ada', lastName: 'Lovelace', street: ['1 Main St'], city: 'Seattle', region: 'WA', postalCode: '98101', countryCode: 'US', phone: '555-0100',
    },
    currencyCode: 'USD',
    lines,
    shippingAmount: '5.00',
    shippingTaxAmount: '0.50',
    shippingDiscountAmount: '0',
    grandTotal: '30.49',
    shippingMethod: 'Amazon shipping',
    paymentMethod: 'Amazon payment',
    deductStock: true,
    reservationKey: null,
    notifyCustomer: false,
    ...overrides,
  };
}

export function line(productId: string, sku: string, qty: number, unitPrice = '10.00', taxAmount = '0', discountAmount = '0'): CreateOrderLine {
  return { productId, sku, name: `Product ${sku}`, qty, unitPrice, taxAmount, discountAmount };
}
