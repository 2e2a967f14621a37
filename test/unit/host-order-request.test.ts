import { expect } from 'chai';
import { buildHostOrderRequest, splitName, WITHHELD } from '../../src/orders/host-order-request.ts';
import { OrderDataError } from '../../src/orders/order-snapshot.ts';
import { DEFAULT_ORDER_SETTINGS } from '../../src/stores/order-settings.ts';
import type { HostProduct } from '../../src/host/ports.ts';
import { snapshot, snapshotItem } from '../support/snapshots.ts';

const products = new Map<string, HostProduct>([
  ['MUG-RED', { id: '7', sku: 'MUG-RED', name: 'Red mug', enabled: true, manageStock: true }],
  ['TEA', { id: '8', sku: 'TEA-HOST', name: 'Tea', enabled: true, manageStock: true }],
]);

describe('host order request', () => {
  it('carries Amazon prices, tax, shipping, discounts and total exactly', () => {
    const order = snapshot({
      items: [
        snapshotItem(),
        snapshotItem({ orderItemId: '10002', sellerSku: 'TEA', title: 'Tea', quantityOrdered: 1, unitPrice: { amount: '0.10', currencyCode: 'USD' }, itemAmount: '0.10', itemTax: '0.01', itemDiscount: '0.05', shippingAmount: '0.20', shippingTax: '0.02', shippingDiscount: '0.10' }),
      ],
      grandTotal: { amount: '48.75', currencyCode: 'USD' },
    });
    const request = buildHostOrderRequest({ order, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false });
    expect(request.lines).to.deep.equal([
      { productId: '7', sku: 'MUG-RED', name: 'Red mug', qty: 2, unitPrice: '19.99', taxAmount: '3.20', discountAmount: '0.00' },
      { productId: '8', sku: 'TEA-HOST', name: 'Tea', qty: 1, unitPrice: '0.10', taxAmount: '0.01', discountAmount: '0.05' },
    ]);
    expect(request).to.include({
      shippingAmount: '5.19', shippingTaxAmount: '0.42', shippingDiscountAmount: '0.10', grandTotal: '48.75', currencyCode: 'USD',
      idempotencyKey: 'amazon-order:113-0000001-0000001', externalReference: '113-0000001-0000001', channel: 'amazon',
      state: 'processing', status: null, orderNumber: null, deductStock: true, reservationKey: null, notifyCustomer: false,
      paymentMethod: 'Amazon payment', shippingMethod: 'Amazon shipping (Standard)',
    });
    expect(request.customer).to.deep.equal({ mode: 'guest', email: 'jane@marketplace.amazon.example', firstName: 'Jane', lastName: 'Q. Buyer' });
    expect(request.shippingAddress).to.deep.include({ street: ['1 Main St', 'Apt 2'], city: 'Seattle', postalCode: '98101', countryCode: 'US' });
  });

  it('follows the settings: Amazon order number, new account, custom status, store view, reservation', () => {
    const settings = { ...DEFAULT_ORDER_SETTINGS, orderNumberSource: 'amazon' as const, customerCreation: 'account' as const, orderStatus: 'custom' as const, processingStatus: 'amazon_processing', hostStoreView: 'outlet' };
    const request = buildHostOrderRequest({ order: snapshot(), settings, products, reserved: true });
    expect(request).to.include({ orderNumber: '113-0000001-0000001', status: 'amazon_processing', storeView: 'outlet', reservationKey: 'amazon-pending:113-0000001-0000001' });
    expect(request.customer.mode).to.equal('account');
  });

  it('imports Amazon-fulfilled orders complete, without stock and with marked placeholders instead of withheld PII', () => {
    const order = snapshot({ fulfilledBy: 'AMAZON', status: 'SHIPPED', buyerName: null, buyerEmail: null, address: null });
    const request = buildHostOrderRequest({ order, settings: { ...DEFAULT_ORDER_SETTINGS, orderStatus: 'custom', processingStatus: 'x' }, products, reserved: true });
    expect(request).to.include({ state: 'complete', status: null, deductStock: false, reservationKey: null });
    expect(request.shippingAddress).to.deep.equal({
      firstName: WITHHELD, lastName: WITHHELD, street: [WITHHELD], city: WITHHELD, region: null, postalCode: WITHHELD, countryCode: 'US', phone: WITHHELD,
    });
    expect(request.customer.email).to.equal('113-0000001-0000001@buyer-email-withheld.amazon.invalid');
  });

  it('leaves canceled units out and refuses data it cannot use', () => {
    const order = snapshot({ items: [snapshotItem(), snapshotItem({ orderItemId: '2', sellerSku: 'TEA', quantityOrdered: 1, quantityCanceled: 1 })] });
    expect(buildHostOrderRequest({ order, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false }).lines).to.have.length(1);
    expect(() => buildHostOrderRequest({ order: snapshot({ grandTotal: null }), settings: DEFAULT_ORDER_SETTINGS, products, reserved: false })).to.throw(OrderDataError);
    const noUnitPrice = snapshot({ items: [snapshotItem({ unitPrice: null, itemAmount: '10.00', quantityOrdered: 3 })] });
    expect(() => buildHostOrderRequest({ order: noUnitPrice, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false })).to.throw(OrderDataError, /does not divide/);
  });

  it('splits names on the first space', () => {
    expect(splitName('Jane Q. Buyer')).to.deep.equal({ firstName: 'Jane', lastName: 'Q. Buyer' });
    expect(splitName('Cher')).to.deep.equal({ firstName: 'Cher', lastName: 'Cher' });
    expect(splitName(null)).to.deep.equal({ firstName: WITHHELD, lastName: WITHHELD });
  });
});
