import { expect } from 'chai';
import { findBlocker, gridStatusOf, hasOpenItemWithoutSku, importDecision, quantitiesBySku, resolveLines, shouldReserve } from '../../src/orders/rules.ts';
import { DEFAULT_ORDER_SETTINGS } from '../../src/stores/order-settings.ts';
import type { HostProduct } from '../../src/host/ports.ts';
import type { AmazonOrderStatus } from '../../src/orders/order-snapshot.ts';
import { snapshot, snapshotItem } from '../support/snapshots.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { buildHostOrderRequest } from '../../src/orders/host-order-request.ts';
import { OrderDataError } from '../../src/orders/order-snapshot.ts';
import { hostActionFor, nextImportState } from '../../src/orders/order-repository.ts';

const integratedAt = new Date('2026-11-01T00:00:00Z');
const enabled = { importEnabled: true };
const product = (overrides: Partial<HostProduct> = {}): HostProduct => ({ id: '7', sku: 'MUG-RED', name: 'Red mug', enabled: true, manageStock: true, ...overrides });

describe('import rules', () => {
  it('never shows or imports orders created before the integration', () => {
    const old = snapshot({ purchaseDate: new Date('2026-10-31T23:59:59.999Z') });
    expect(importDecision(old, enabled, integratedAt)).to.equal('hidden');
    expect(importDecision(old, { importEnabled: false }, integratedAt)).to.equal('hidden');
  });

  it('imports merchant-fulfilled orders once Unshipped, Partially Shipped or Shipped', () => {
    const decide = (status: AmazonOrderStatus) => importDecision(snapshot({ status }), enabled, integratedAt);
    expect(decide('PENDING')).to.equal('waiting');
    expect(decide('PENDING_AVAILABILITY')).to.equal('waiting');
    expect(decide('UNSHIPPED')).to.equal('import');
    expect(decide('PARTIALLY_SHIPPED')).to.equal('import');
    expect(decide('SHIPPED')).to.equal('import');
    expect(decide('CANCELLED')).to.equal('not_eligible');
    expect(decide('UNFULFILLABLE')).to.equal('not_eligible');
  });

  it('imports Amazon-fulfilled orders only once Shipped', () => {
    const decide = (status: AmazonOrderStatus) =>
      importDecision(snapshot({ status, fulfilledBy: 'AMAZON' }), enabled, integratedAt);
    expect(decide('PENDING')).to.equal('waiting');
    expect(decide('UNSHIPPED')).to.equal('waiting');
    expect(decide('PARTIALLY_SHIPPED')).to.equal('waiting');
    expect(decide('SHIPPED')).to.equal('import');
  });

  it('keeps orders view-only when import is disabled', () => {
    expect(importDecision(snapshot(), { importEnabled: false }, integratedAt)).to.equal('disabled');
  });

  it('reserves stock only for pending merchant-fulfilled orders with the setting on', () => {
    expect(shouldReserve(snapshot({ status: 'PENDING' }), DEFAULT_ORDER_SETTINGS)).to.equal(true);
    expect(shouldReserve(snapshot({ status: 'PENDING' }), { ...DEFAULT_ORDER_SETTINGS, reservePending: false })).to.equal(false);
    expect(shouldReserve(snapshot({ status: 'PENDING', fulfilledBy: 'AMAZON' }), DEFAULT_ORDER_SETTINGS)).to.equal(false);
    expect(shouldReserve(snapshot({ status: 'UNSHIPPED' }), DEFAULT_ORDER_SETTINGS)).to.equal(false);
    expect(shouldReserve(snapshot({ status: 'PENDING' }), { ...DEFAULT_ORDER_SETTINGS, importEnabled: false })).to.equal(false);
  });

  it('maps Amazon statuses to the grid words', () => {
    expect(gridStatusOf('PARTIALLY_SHIPPED')).to.equal('Partially Shipped');
    expect(gridStatusOf('CANCELLED')).to.equal('Canceled');
    expect(gridStatusOf('PENDING_AVAILABILITY')).to.equal('Pending Availability');
  });

  it('names the first blocker with the note the admin sees', () => {
    const line = { sellerSku: 'ABC-1', quantity: 2, salable: 5 };
    expect(findBlocker([{ ...line, product: null }], 'MERCHANT', false)).to.deep.include({ reason: 'sku_unmatched' });
    expect(findBlocker([{ ...line, product: product({ sku: 'ABC-1', enabled: false }) }], 'MERCHANT', false)).to.deep.equal({
      reason: 'product_disabled',
      note: 'Cannot create order: SKU "ABC-1" is disabled in the catalog',
    });
    expect(findBlocker([{ ...line, product: product({ sku: 'ABC-1' }), salable: 1 }], 'MERCHANT', false)?.note).to.equal(
      'Cannot create order: SKU "ABC-1" is out of stock (2 ordered, 1 salable)',
    );
    expect(findBlocker([{ ...line, product: product(), salable: 2 }], 'MERCHANT', false)).to.equal(null);
    expect(findBlocker([{ ...line, product: product(), salable: null }], 'MERCHANT', false)).to.equal(null);
    // Amazon ships FBA orders from its own stock: the host's quantity does not matter.
    expect(findBlocker([{ ...line, product: product(), salable: 0 }], 'AMAZON', false)).to.equal(null);
    expect(findBlocker([], 'MERCHANT', true)).to.deep.include({ reason: 'sku_missing' });
  });

  it('adds up quantities per SKU, without canceled units', () => {
    const order = snapshot({
      items: [
        snapshotItem({ orderItemId: '1', sellerSku: 'A', quantityOrdered: 2 }),
        snapshotItem({ orderItemId: '2', sellerSku: 'A', quantityOrdered: 3, quantityCanceled: 1 }),
        snapshotItem({ orderItemId: '3', sellerSku: 'B', quantityOrdered: 1, quantityCanceled: 1 }),
      ],
    });
    expect([...quantitiesBySku(order)]).to.deep.equal([['A', 4]]);
  });
});

describe('resolving an order against the catalog', () => {
  it('checks two listings matched to one product against that product\'s stock together', () => {
    const order = snapshot({ items: [snapshotItem({ orderItemId: '1', sellerSku: 'AMZ-A', quantityOrdered: 2 }), snapshotItem({ orderItemId: '2', sellerSku: 'AMZ-B', quantityOrdered: 1 })] });
    const mug = product();
    const lines = resolveLines(order, new Map([['AMZ-A', mug], ['AMZ-B', mug]]));
    expect(lines.map((l) => [l.sellerSku, l.quantity])).to.deep.equal([['AMZ-A', 3], ['AMZ-B', 3]]);
    const blocker = findBlocker(lines.map((l) => ({ ...l, salable: 2 })), 'MERCHANT', false);
    expect(blocker?.note).to.equal('Cannot create order: SKU "MUG-RED" is out of stock (3 ordered, 2 salable)');
  });

  it('ignores a canceled item without a seller SKU, not an open one', () => {
    const canceled = snapshotItem({ orderItemId: '2', sellerSku: null, quantityOrdered: 1, quantityCanceled: 1 });
    expect(hasOpenItemWithoutSku(snapshot({ items: [snapshotItem(), canceled] }))).to.equal(false);
    expect(hasOpenItemWithoutSku(snapshot({ items: [snapshotItem(), { ...canceled, quantityCanceled: 0 }] }))).to.equal(true);
  });
});

describe('reading an Amazon order into the import snapshot', () => {
  it('refuses a grand total it cannot hold exactly, as order data (never rounded, never a crash of the page)', () => {
    const order = amazonOrder({ proceeds: { grandTotal: { amount: '39.98001', currencyCode: 'USD' } } });
    expect(() => snapshotFromAmazon(order, 'ATVPDKIKX0DER')).to.throw(OrderDataError, /113-0000001-0000001: the grand total "39.98001" has more than 4 decimals/);
    // Any other such amount: the order is kept and shown, and its host order cannot be built.
    const item = amazonItem({ unitPrice: '19.99' });
    item.proceeds!.breakdowns!.push({ type: 'TAX', subtotal: { amount: '3.200001', currencyCode: 'USD' } });
    const kept = snapshotFromAmazon(amazonOrder({ orderItems: [item] }), 'ATVPDKIKX0DER');
    const products = new Map([['MUG-RED', { id: '7', sku: 'MUG-RED', name: 'Red mug', enabled: true, manageStock: true }]]);
    expect(() => buildHostOrderRequest({ order: kept, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false })).to.throw(OrderDataError, /more than 4 decimals/);
  });

  it('refuses identifiers longer than the module keeps, naming them', () => {
    expect(() => snapshotFromAmazon(amazonOrder({ orderId: '1'.repeat(33) }), 'ATVPDKIKX0DER')).to.throw(OrderDataError, /the order id is 33 characters long/);
    const item = amazonItem({ sku: 'S'.repeat(256) });
    expect(() => snapshotFromAmazon(amazonOrder({ orderItems: [item] }), 'ATVPDKIKX0DER')).to.throw(OrderDataError, /item 10001: the seller SKU is 256 characters long/);
    expect(snapshotFromAmazon(amazonOrder(), 'ATVPDKIKX0DER').grandTotal).to.deep.equal({ amount: '39.98', currencyCode: 'USD' });
  });

  it('refuses what its columns cannot hold, so no insert fails the page: amounts, quantities, instants', () => {
    const refused = (order: ReturnType<typeof amazonOrder>, message: RegExp) => expect(() => snapshotFromAmazon(order, 'ATVPDKIKX0DER')).to.throw(OrderDataError, message);
    const total = (amount: string) => amazonOrder({ proceeds: { grandTotal: { amount, currencyCode: 'USD' } } });
    // grand_total_e4 is a signed 64-bit integer of ten-thousandths, the amount columns hold 32 characters.
    refused(total('922337203685477.5808'), /113-0000001-0000001: the grand total 922337203685477.5808 is larger than the module can keep exactly/);
    refused(total(`${'9'.repeat(70_000)}.001`), /the grand total is 70004 characters long; at most 32 are expected/);
    expect(snapshotFromAmazon(total('922337203685477.5807'), 'ATVPDKIKX0DER').grandTotal!.amount).to.equal('922337203685477.5807');
    refused(amazonOrder({ orderItems: [amazonItem({ unitPrice: '1'.repeat(33) })] }), /item 10001: the unit price is 33 characters long/);
    // Quantities go into 32-bit integer columns.
    refused(amazonOrder({ orderItems: [amazonItem({ quantityOrdered: 2 ** 31 })] }), /item 10001: the quantity ordered is 2147483648; at most 2147483647 are expected/);
    refused(amazonOrder({ orderItems: [amazonItem({ fulfillment: { quantityFulfilled: 2 ** 53 - 1 } })] }), /item 10001: the quantity shipped is/);
    // MySQL's DATETIME keeps the years 1000 to 9999 (the zone can push a valid date-time past them).
    refused(amazonOrder({ createdTime: '0999-12-31T23:59:59Z' }), /the created time lies outside the years 1000 to 9999/);
    refused(amazonOrder({ lastUpdatedTime: '9999-12-31T23:59:59-14:00' }), /the last updated time lies outside/);
    expect(snapshotFromAmazon(amazonOrder({ createdTime: '1000-01-01T00:00:00Z' }), 'ATVPDKIKX0DER').purchaseDate.toISOString()).to.equal('1000-01-01T00:00:00.000Z');
    // A ship-by deadline it cannot keep is no deadline (the order still imports; the page shows Amazon's text).
    const shipBy = amazonOrder({ fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT', shipByWindow: { latestDateTime: '9999-12-31T23:00:00-14:00' } } });
    expect(snapshotFromAmazon(shipBy, 'ATVPDKIKX0DER').latestShipDate).to.equal(null);
  });
});

describe('import state and host actions after an Amazon change', () => {
  it('keeps an imported order imported, and an order waiting for its host order waiting while import is off', () => {
    expect(nextImportState('imported', 'not_eligible')).to.equal('imported');
    expect(nextImportState('blocked', 'import')).to.equal('blocked');
    expect(nextImportState(null, 'import')).to.equal('ready');
    expect(nextImportState('ready', 'disabled')).to.equal('ready');
    expect(nextImportState('blocked', 'disabled')).to.equal('blocked');
    expect(nextImportState('waiting', 'disabled')).to.equal('disabled');
  });

  it('cancels the host order when Amazon cancels or cannot fulfil, completes it when Amazon ships', () => {
    expect(hostActionFor('UNSHIPPED', 'CANCELLED')).to.equal('cancel');
    expect(hostActionFor('PARTIALLY_SHIPPED', 'UNFULFILLABLE')).to.equal('cancel');
    expect(hostActionFor('UNSHIPPED', 'SHIPPED')).to.equal('complete');
    expect(hostActionFor('SHIPPED', 'SHIPPED')).to.equal(null);
    expect(hostActionFor('PENDING', 'UNSHIPPED')).to.equal(null);
  });
});
