import { expect } from 'chai';
import {
  adjustmentReasonFor,
  allocate,
  amazonCarrier,
  CANCEL_REASON_CHOICES,
  cancelReasonFor,
  decide,
  decideCancel,
  decideRefund,
  decideShipment,
  EMPTY_HISTORY,
  localStatus,
  matchLines,
  shippedStatus,
  withRecord,
  type Components,
  type FulfillmentHistory,
  type FulfillmentItem,
  type FulfillmentOrder,
  type FulfillmentRecord,
  type RefundRecord,
  type ShipmentRecord,
} from '../../src/fulfillment/rules.ts';
import type { OrderActionContext, OrderActionLine } from '../../src/host/contributions.ts';
import type { AmazonOrderStatus } from '../../src/orders/order-snapshot.ts';
import { toE4 } from '../../src/money.ts';

const ORDER_ID = '113-0000001-0000001';
const HOSTILE_KEYS = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'prototype'];

const components = (amounts: Partial<Record<keyof Components, string>> = {}): Components => ({
  principal: toE4(amounts.principal ?? '0'),
  tax: toE4(amounts.tax ?? '0'),
  shipping: toE4(amounts.shipping ?? '0'),
  shippingTax: toE4(amounts.shippingTax ?? '0'),
});

const item = (overrides: Partial<FulfillmentItem> = {}): FulfillmentItem => ({
  orderItemId: '10001',
  hostSku: 'MUG-RED',
  quantityOrdered: 2,
  quantityShipped: 0,
  quantityCanceled: 0,
  charged: components({ principal: '20.00', tax: '1.60', shipping: '5.00', shippingTax: '0.40' }),
  ...overrides,
});

const order = (overrides: Partial<FulfillmentOrder> = {}): FulfillmentOrder => ({
  amazonOrderId: ORDER_ID,
  amazonStatus: 'UNSHIPPED',
  fulfilledBy: 'MERCHANT',
  currencyCode: 'USD',
  items: [item()],
  ...overrides,
});

const history = (overrides: Partial<FulfillmentHistory> = {}): FulfillmentHistory => ({ ...EMPTY_HISTORY, ...overrides });

const line = (overrides: Partial<OrderActionLine> = {}): OrderActionLine => ({
  lineId: '1',
  externalReference: '10001',
  sku: 'MUG-RED',
  qty: 1,
  ...overrides,
});

const shipContext = (items: OrderActionLine[], overrides: Partial<OrderActionContext> = {}): OrderActionContext => ({
  orderId: '500',
  action: 'ship',
  items,
  shipment: { carrierCode: 'ups', carrierTitle: 'United Parcel Service', trackingNumber: '1Z999AA10123456784', shippedAt: new Date('2026-11-05T10:30:00Z') },
  documentId: 'SHIP-1',
  ...overrides,
});

/** A credit memo line: the price and tax refunded for these units, none of them unshipped. */
const refundLine = (amount: string, taxAmount: string, overrides: Partial<OrderActionLine> = {}): OrderActionLine =>
  line({ refund: { amount, taxAmount, unshippedQty: 0 }, ...overrides });

const refundContext = (
  items: OrderActionLine[],
  refund: Partial<NonNullable<OrderActionContext['refund']>> = {},
  overrides: Partial<OrderActionContext> = {},
): OrderActionContext => ({
  orderId: '500',
  action: 'creditmemo',
  items,
  reason: 'customer_return',
  refund: { currencyCode: 'USD', itemAmount: '0', shippingAmount: '0', taxAmount: '0', shippingTaxAmount: '0', ...refund },
  documentId: 'CM-1',
  ...overrides,
});

/** A shipped order of two items: 10001 (2 × MUG-RED) and 10002 (1 × MUG-BLUE). */
const shippedOrder = (overrides: Partial<FulfillmentOrder> = {}): FulfillmentOrder =>
  order({
    amazonStatus: 'SHIPPED',
    items: [
      item({ quantityShipped: 2 }),
      item({
        orderItemId: '10002',
        hostSku: 'MUG-BLUE',
        quantityOrdered: 1,
        quantityShipped: 1,
        charged: components({ principal: '15.00', tax: '1.20', shipping: '3.00', shippingTax: '0.24' }),
      }),
    ],
    ...overrides,
  });

const recordOf = <T extends FulfillmentRecord>(decision: ReturnType<typeof decide>): T => {
  if (!decision.allow) throw new Error(`expected an allowed decision, got a veto: ${decision.reason}`);
  if (decision.record === null) throw new Error(`expected a record, got none (${decision.why ?? ''})`);
  return decision.record as T;
};

describe('fulfillment rules: carriers and reasons', () => {
  it('maps the carriers Amazon knows by code, in any case and with spaces trimmed', () => {
    expect(amazonCarrier('ups', '')).to.deep.equal({ carrierCode: 'UPS' });
    expect(amazonCarrier('USPS', 'Postal Service')).to.deep.equal({ carrierCode: 'USPS' });
    expect(amazonCarrier(' FedEx ', 'Federal Express')).to.deep.equal({ carrierCode: 'FedEx' });
    expect(amazonCarrier('\tdHl\n', '')).to.deep.equal({ carrierCode: 'DHL' });
    expect(amazonCarrier('ups', 'x')).to.not.have.property('carrierName');
  });

  it('sends any other carrier as Other, named by the host title, or by the code when the title is blank', () => {
    expect(amazonCarrier('royalmail', ' Royal Mail ')).to.deep.equal({ carrierCode: 'Other', carrierName: 'Royal Mail' });
    expect(amazonCarrier(' royalmail ', '   ')).to.deep.equal({ carrierCode: 'Other', carrierName: 'royalmail' });
    expect(amazonCarrier('custom', '')).to.deep.equal({ carrierCode: 'Other', carrierName: 'custom' });
    // A near miss is not a known carrier.
    expect(amazonCarrier('ups-ground', '')).to.deep.equal({ carrierCode: 'Other', carrierName: 'ups-ground' });
  });

  it('treats hostile carrier codes as any other unknown carrier', () => {
    for (const key of HOSTILE_KEYS) {
      expect(amazonCarrier(key, ''), key).to.deep.equal({ carrierCode: 'Other', carrierName: key });
      expect(amazonCarrier(key, 'My carrier'), key).to.deep.equal({ carrierCode: 'Other', carrierName: 'My carrier' });
    }
  });

  it('maps every cancel reason the host offers to Amazon\'s word', () => {
    expect(CANCEL_REASON_CHOICES.map((c) => c.code)).to.deep.equal(['customer_request', 'out_of_stock', 'address_undeliverable', 'pricing_error', 'other']);
    expect(cancelReasonFor('customer_request')).to.equal('BuyerCanceled');
    expect(cancelReasonFor('out_of_stock')).to.equal('NoInventory');
    expect(cancelReasonFor('address_undeliverable')).to.equal('ShippingAddressUndeliverable');
    expect(cancelReasonFor('pricing_error')).to.equal('GeneralAdjustment');
    expect(cancelReasonFor('other')).to.equal('GeneralAdjustment');
  });

  it('cancels for an unknown or hostile reason as GeneralAdjustment', () => {
    for (const reason of ['', 'nonsense', 'OUT_OF_STOCK', ' out_of_stock', ...HOSTILE_KEYS]) {
      expect(cancelReasonFor(reason), reason).to.equal('GeneralAdjustment');
    }
  });

  it('maps every refund reason to Amazon\'s adjustment reason', () => {
    expect(adjustmentReasonFor('customer_return')).to.equal('CustomerReturn');
    expect(adjustmentReasonFor('damaged')).to.equal('GeneralAdjustment');
    expect(adjustmentReasonFor('not_received')).to.equal('Undeliverable');
    expect(adjustmentReasonFor('customer_request')).to.equal('CustomerCancel');
    expect(adjustmentReasonFor('pricing_error')).to.equal('PriceError');
    expect(adjustmentReasonFor('other')).to.equal('Other');
  });

  it('refunds for an unknown or hostile reason as Other', () => {
    for (const reason of ['', 'nonsense', 'Customer_Return', ...HOSTILE_KEYS]) {
      expect(adjustmentReasonFor(reason), reason).to.equal('Other');
    }
  });
});

describe('fulfillment rules: matching host lines to Amazon items', () => {
  const twoMugs = order({ items: [item(), item({ orderItemId: '10002', hostSku: 'MUG-BLUE' })] });

  it('matches by the line\'s reference, whatever its SKU', () => {
    const first = line({ externalReference: '10002', sku: 'RENAMED-IN-HOST' });
    const result = matchLines([first], twoMugs);
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(result.matched).to.have.length(1);
    expect(result.matched[0]!.line).to.equal(first);
    expect(result.matched[0]!.item.orderItemId).to.equal('10002');
  });

  it('tells apart two items of one SKU by their references', () => {
    const sameSku = order({ items: [item(), item({ orderItemId: '10002' })] });
    const result = matchLines([line({ externalReference: '10002' }), line({ lineId: '2', externalReference: '10001' })], sameSku);
    expect(result.ok && result.matched.map((m) => m.item.orderItemId)).to.deep.equal(['10002', '10001']);
  });

  it('matches by a unique host SKU when the reference is null or unknown', () => {
    const byNull = matchLines([line({ externalReference: null, sku: 'MUG-BLUE' })], twoMugs);
    expect(byNull.ok && byNull.matched.map((m) => m.item.orderItemId)).to.deep.equal(['10002']);
    const byUnknown = matchLines([line({ externalReference: '99999', sku: 'MUG-BLUE' })], twoMugs);
    expect(byUnknown.ok && byUnknown.matched.map((m) => m.item.orderItemId)).to.deep.equal(['10002']);
  });

  it('refuses a line whose SKU two items share when it does not say which one', () => {
    const sameSku = order({ items: [item(), item({ orderItemId: '10002' })] });
    expect(matchLines([line({ externalReference: null })], sameSku)).to.deep.equal({
      ok: false,
      reason: `Amazon order ${ORDER_ID} has 2 items with SKU "MUG-RED" and this host line does not say which one it is; do this in Seller Central instead.`,
    });
    expect(matchLines([line({ externalReference: 'elsewhere' })], sameSku).ok).to.equal(false);
  });

  it('refuses a line whose SKU is not in the Amazon order, even after lines that matched', () => {
    const result = matchLines([line(), line({ lineId: '2', externalReference: null, sku: 'TEAPOT' })], twoMugs);
    expect(result).to.deep.equal({
      ok: false,
      reason: `SKU "TEAPOT" is not an item of Amazon order ${ORDER_ID}, so Amazon cannot be told about it; do this in Seller Central instead.`,
    });
  });

  it('does not match an item without a seller SKU by SKU', () => {
    const result = matchLines([line({ externalReference: null, sku: '' })], order({ items: [item({ hostSku: null })] }));
    expect(result.ok).to.equal(false);
  });
});

describe('fulfillment rules: shipments', () => {
  it('lets an Amazon-fulfilled order ship in the host with nothing to send', () => {
    for (const amazonStatus of ['UNSHIPPED', 'SHIPPED', 'CANCELLED'] as const) {
      expect(decideShipment(shipContext([line()]), order({ fulfilledBy: 'AMAZON', amazonStatus }), EMPTY_HISTORY), amazonStatus).to.deep.equal({
        allow: true,
        record: null,
        why: 'Amazon fulfils this order itself',
      });
    }
  });

  it('refuses a shipment without carrier and tracking', () => {
    expect(decideShipment(shipContext([line()], { shipment: undefined }), order(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The host sent a shipment without carrier and tracking number; nothing was changed.',
    });
  });

  it('refuses to ship an order Amazon canceled or cannot fulfil', () => {
    for (const amazonStatus of ['CANCELLED', 'UNFULFILLABLE'] as const) {
      expect(decideShipment(shipContext([line()]), order({ amazonStatus }), EMPTY_HISTORY), amazonStatus).to.deep.equal({
        allow: false,
        reason: `Amazon canceled order ${ORDER_ID}: do not ship it. Cancel the host order instead.`,
      });
    }
  });

  it('lets the host follow a shipment Amazon already reports, without confirming it again', () => {
    expect(decideShipment(shipContext([line()]), order({ amazonStatus: 'SHIPPED' }), EMPTY_HISTORY)).to.deep.equal({
      allow: true,
      record: null,
      why: 'Amazon already reports the order shipped; the shipment is not confirmed again',
    });
  });

  it('refuses to ship a Pending order', () => {
    for (const amazonStatus of ['PENDING', 'PENDING_AVAILABILITY'] as const) {
      expect(decideShipment(shipContext([line()]), order({ amazonStatus }), EMPTY_HISTORY), amazonStatus).to.deep.equal({
        allow: false,
        reason: `Amazon has not verified order ${ORDER_ID} yet (it is Pending): wait until it is Unshipped before shipping it.`,
      });
    }
  });

  it('refuses to ship an order whose cancel was recorded for Amazon', () => {
    expect(decideShipment(shipContext([line()]), order(), history({ cancelRecorded: true }))).to.deep.equal({
      allow: false,
      reason: `Order ${ORDER_ID} was canceled for Amazon: do not ship it.`,
    });
  });

  it('refuses a line it cannot match, with the reason', () => {
    const decision = decideShipment(shipContext([line({ externalReference: null, sku: 'TEAPOT' })]), order(), EMPTY_HISTORY);
    expect(decision).to.deep.equal({
      allow: false,
      reason: `SKU "TEAPOT" is not an item of Amazon order ${ORDER_ID}, so Amazon cannot be told about it; do this in Seller Central instead.`,
    });
  });

  it('records the shipment with Amazon\'s carrier, the tracking, the ISO ship date and the host shipment id', () => {
    const decision = decideShipment(shipContext([line({ qty: 2 })]), order(), EMPTY_HISTORY);
    expect(decision).to.deep.equal({
      allow: true,
      record: {
        kind: 'shipment',
        hostShipmentId: 'SHIP-1',
        carrierCode: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        shipDate: '2026-11-05T10:30:00.000Z',
        items: [{ orderItemId: '10001', quantity: 2 }],
      },
    });
    expect(recordOf<ShipmentRecord>(decision)).to.not.have.property('carrierName');
  });

  it('records another carrier as Other with its name, and no host shipment id when the host gave none', () => {
    const context = shipContext([line()], {
      shipment: { carrierCode: 'royalmail', carrierTitle: 'Royal Mail', trackingNumber: 'RM1', shippedAt: new Date('2026-11-06T00:00:00Z') },
      documentId: undefined,
    });
    const record = recordOf<ShipmentRecord>(decideShipment(context, order({ amazonStatus: 'PARTIALLY_SHIPPED' }), EMPTY_HISTORY));
    expect(record).to.deep.include({ hostShipmentId: null, carrierCode: 'Other', carrierName: 'Royal Mail', trackingNumber: 'RM1', shipDate: '2026-11-06T00:00:00.000Z' });
  });

  it('refuses more units than Amazon has left to ship, naming the numbers', () => {
    const partly = order({ items: [item({ quantityOrdered: 4, quantityCanceled: 1, quantityShipped: 1 })] });
    expect(decideShipment(shipContext([line({ qty: 3 })]), partly, EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason:
        `Amazon has 2 units of item 10001 (SKU MUG-RED) left to ship in order ${ORDER_ID}, not 3 ` +
        '(ordered 4, canceled 1, shipped 1): ship at most that many.',
    });
    expect(decideShipment(shipContext([line({ qty: 2 })]), partly, EMPTY_HISTORY).allow).to.equal(true);
  });

  it('counts shipped units as the larger of what Amazon reports and what was confirmed, not their sum', () => {
    const amazonAhead = order({ items: [item({ quantityOrdered: 4, quantityShipped: 2 })] });
    const confirmedOne = history({ confirmed: new Map([['10001', 1]]) });
    expect(recordOf<ShipmentRecord>(decideShipment(shipContext([line({ qty: 2 })]), amazonAhead, confirmedOne)).items).to.deep.equal([{ orderItemId: '10001', quantity: 2 }]);

    const moduleAhead = order({ items: [item({ quantityOrdered: 4, quantityShipped: 1 })] });
    const confirmedThree = history({ confirmed: new Map([['10001', 3]]) });
    expect(decideShipment(shipContext([line({ qty: 2 })]), moduleAhead, confirmedThree)).to.deep.equal({
      allow: false,
      reason: `Amazon has 1 unit of item 10001 (SKU MUG-RED) left to ship in order ${ORDER_ID}, not 2 (ordered 4, canceled 0, shipped 3): ship at most that many.`,
    });
  });

  it('refuses to ship an item Amazon canceled in full', () => {
    const canceled = order({ items: [item({ quantityOrdered: 1, quantityCanceled: 1, hostSku: null })] });
    expect(decideShipment(shipContext([line()]), canceled, EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `Amazon has 0 units of item 10001 (SKU ?) left to ship in order ${ORDER_ID}, not 1 (ordered 1, canceled 1, shipped 0): ship at most that many.`,
    });
  });

  it('adds up two host lines of one Amazon item before checking and recording them', () => {
    const lines = [line({ qty: 1 }), line({ lineId: '2', externalReference: null, qty: 1 })];
    const one = order({ items: [item({ quantityOrdered: 1 })] });
    const vetoed = decideShipment(shipContext(lines), one, EMPTY_HISTORY);
    expect(vetoed.allow).to.equal(false);
    expect(!vetoed.allow && vetoed.reason).to.match(/^Amazon has 1 unit of item 10001 .* not 2 \(ordered 1, canceled 0, shipped 0\)/);

    const two = order({ items: [item({ quantityOrdered: 2 }), item({ orderItemId: '10002', hostSku: 'MUG-BLUE', quantityOrdered: 1 })] });
    const withBlue = [...lines, line({ lineId: '3', externalReference: '10002', sku: 'MUG-BLUE' })];
    expect(recordOf<ShipmentRecord>(decideShipment(shipContext(withBlue), two, EMPTY_HISTORY)).items).to.deep.equal([
      { orderItemId: '10001', quantity: 2 },
      { orderItemId: '10002', quantity: 1 },
    ]);
  });
});

describe('fulfillment rules: cancels', () => {
  it('lets the host follow a cancel Amazon already made, with nothing to send', () => {
    for (const amazonStatus of ['CANCELLED', 'UNFULFILLABLE'] as const) {
      for (const fulfilledBy of ['MERCHANT', 'AMAZON'] as const) {
        expect(decideCancel('other', order({ amazonStatus, fulfilledBy }), EMPTY_HISTORY), `${amazonStatus} ${fulfilledBy}`).to.deep.equal({
          allow: true,
          record: null,
          why: 'Amazon canceled the order already',
        });
      }
    }
  });

  it('refuses to cancel an Amazon-fulfilled order', () => {
    expect(decideCancel('other', order({ fulfilledBy: 'AMAZON' }), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `Amazon fulfils order ${ORDER_ID} itself; only Amazon can cancel it (Seller Central).`,
    });
  });

  it('refuses to cancel a Pending order', () => {
    for (const amazonStatus of ['PENDING', 'PENDING_AVAILABILITY'] as const) {
      expect(decideCancel('other', order({ amazonStatus }), EMPTY_HISTORY), amazonStatus).to.deep.equal({
        allow: false,
        reason: `Amazon has not verified order ${ORDER_ID} yet (it is Pending); a Pending order can be canceled only in Seller Central.`,
      });
    }
  });

  it('refuses to cancel an order part of which has shipped', () => {
    expect(decideCancel('other', order({ amazonStatus: 'PARTIALLY_SHIPPED' }), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `Amazon cannot cancel order ${ORDER_ID}: part of it has shipped. Ship the rest, or cancel the remaining items in Seller Central; refund shipped units with a credit memo.`,
    });
  });

  it('refuses to cancel a shipped order', () => {
    expect(decideCancel('other', order({ amazonStatus: 'SHIPPED' }), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `Amazon reports order ${ORDER_ID} shipped, and a shipped order cannot be canceled. Refund it with a credit memo instead.`,
    });
  });

  it('refuses to cancel an Unshipped order once a shipment of it was recorded', () => {
    expect(decideCancel('other', order(), history({ confirmed: new Map([['10001', 1]]) }))).to.deep.equal({
      allow: false,
      reason: `A shipment of order ${ORDER_ID} was already recorded for Amazon, so it can no longer be canceled. Refund it with a credit memo instead, or cancel it in Seller Central.`,
    });
  });

  it('does not record a cancel twice', () => {
    expect(decideCancel('other', order(), history({ cancelRecorded: true }))).to.deep.equal({
      allow: true,
      record: null,
      why: 'The cancel was already recorded for Amazon',
    });
  });

  it('records the cancel of an Unshipped order with the reason in Amazon\'s words, leaving out items canceled in full', () => {
    const partly = order({
      items: [
        item(),
        item({ orderItemId: '10002', quantityOrdered: 1, quantityCanceled: 1 }),
        item({ orderItemId: '10003', quantityOrdered: 3, quantityCanceled: 2 }),
      ],
    });
    expect(decideCancel('out_of_stock', partly, EMPTY_HISTORY)).to.deep.equal({
      allow: true,
      record: { kind: 'cancel', reason: 'out_of_stock', cancelReason: 'NoInventory', items: [{ orderItemId: '10001' }, { orderItemId: '10003' }] },
    });
    expect(recordOf(decideCancel('customer_request', order(), EMPTY_HISTORY))).to.deep.include({ reason: 'customer_request', cancelReason: 'BuyerCanceled' });
    expect(recordOf(decideCancel('__proto__', order(), EMPTY_HISTORY))).to.deep.include({ reason: '__proto__', cancelReason: 'GeneralAdjustment' });
  });

  it('has nothing to send when Amazon canceled every item already', () => {
    const allCanceled = order({ items: [item({ quantityOrdered: 1, quantityCanceled: 1 }), item({ orderItemId: '10002', quantityOrdered: 2, quantityCanceled: 2 })] });
    expect(decideCancel('other', allCanceled, EMPTY_HISTORY)).to.deep.equal({ allow: true, record: null, why: 'Amazon has nothing left to cancel in the order' });
  });
});

describe('fulfillment rules: refunds', () => {
  it('refuses to refund never-shipped units of an Unshipped order: cancel it instead', () => {
    const lines = [refundLine('20.00', '1.60', { qty: 2, refund: { amount: '20.00', taxAmount: '1.60', unshippedQty: 2 } })];
    expect(decideRefund(refundContext(lines), order(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `This credit memo would refund 2 units of SKU MUG-RED that never shipped. Amazon charges the buyer only when an order ships: cancel order ${ORDER_ID} instead, or ship first and refund after.`,
    });
  });

  it('refuses to refund never-shipped units of a partly shipped order: Amazon takes no partial cancel', () => {
    const lines = [refundLine('10.00', '0.80', { refund: { amount: '10.00', taxAmount: '0.80', unshippedQty: 1 } })];
    const reason =
      `This credit memo would refund 1 unit of SKU MUG-RED that never shipped, which cancels them; Amazon does not accept a cancel of part of order ${ORDER_ID} (item 10001). ` +
      'Ship those units first and then refund them, or cancel them in Seller Central.';
    const partly = order({ amazonStatus: 'PARTIALLY_SHIPPED', items: [item({ quantityShipped: 1 })] });
    expect(decideRefund(refundContext(lines), partly, EMPTY_HISTORY)).to.deep.equal({ allow: false, reason });
    // Amazon still says Unshipped, but the module already confirmed a shipment of it.
    expect(decideRefund(refundContext(lines), order(), history({ confirmed: new Map([['10001', 1]]) }))).to.deep.equal({ allow: false, reason });
  });

  it('refuses a credit memo in another currency than the order\'s', () => {
    expect(decideRefund(refundContext([refundLine('10.00', '0')], { currencyCode: 'EUR' }), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `The credit memo is in EUR, but Amazon order ${ORDER_ID} is in USD; refund it in Seller Central.`,
    });
    // Amazon sent no currency: the credit memo's is taken.
    expect(recordOf<RefundRecord>(decideRefund(refundContext([refundLine('10.00', '0')]), shippedOrder({ currencyCode: null }), EMPTY_HISTORY)).currencyCode).to.equal('USD');
  });

  it('refuses a credit memo without amounts', () => {
    expect(decideRefund(refundContext([refundLine('1.00', '0')], {}, { refund: undefined }), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The host sent a credit memo without amounts; nothing was changed.',
    });
  });

  it('refuses a line it cannot match, with the reason', () => {
    expect(decideRefund(refundContext([refundLine('1.00', '0', { externalReference: null, sku: 'TEAPOT' })]), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `SKU "TEAPOT" is not an item of Amazon order ${ORDER_ID}, so Amazon cannot be told about it; do this in Seller Central instead.`,
    });
  });

  it('refunds each item\'s price and tax as the host lines give them, with the reason in Amazon\'s words', () => {
    const lines = [refundLine('10.00', '0.80'), refundLine('15.00', '1.20', { lineId: '2', externalReference: '10002', sku: 'MUG-BLUE' })];
    expect(decideRefund(refundContext(lines), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: true,
      record: {
        kind: 'refund',
        hostCreditMemoId: 'CM-1',
        reason: 'customer_return',
        adjustmentReason: 'CustomerReturn',
        currencyCode: 'USD',
        items: [
          { orderItemId: '10001', principal: '10.00', tax: '0.80' },
          { orderItemId: '10002', principal: '15.00', tax: '1.20' },
        ],
        total: '27.00',
      },
    });
  });

  it('adds up two host lines of one item, and leaves out zero components and zero items', () => {
    const lines = [refundLine('5.00', '0'), refundLine('5.50', '0', { lineId: '2', externalReference: null }), refundLine('0', '0', { lineId: '3', externalReference: '10002', sku: 'MUG-BLUE' })];
    const record = recordOf<RefundRecord>(decideRefund(refundContext(lines), shippedOrder(), EMPTY_HISTORY));
    expect(record.items).to.deep.equal([{ orderItemId: '10001', principal: '10.50' }]);
    expect(record.total).to.equal('10.50');
  });

  it('names the reason Other when the host gave none, and no credit memo id when it has none', () => {
    const context = refundContext([refundLine('1.00', '0')], {}, { reason: undefined, documentId: undefined });
    expect(recordOf<RefundRecord>(decideRefund(context, shippedOrder(), EMPTY_HISTORY))).to.deep.include({ reason: 'other', adjustmentReason: 'Other', hostCreditMemoId: null });
    const damaged = refundContext([refundLine('1.00', '0')], {}, { reason: 'damaged' });
    expect(recordOf<RefundRecord>(decideRefund(damaged, shippedOrder(), EMPTY_HISTORY))).to.deep.include({ reason: 'damaged', adjustmentReason: 'GeneralAdjustment' });
  });

  it('gives each shipped item exactly what remains of its shipping when the credit memo refunds all of it', () => {
    // 10001 was charged 5.00 shipping and had 1.00 of it refunded before: 4.00 and 3.00 remain.
    const before = history({ refunded: new Map([['10001', components({ shipping: '1.00' })]]) });
    const record = recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '7.00', shippingTaxAmount: '0.64' }), shippedOrder(), before));
    expect(record.items).to.deep.equal([
      { orderItemId: '10001', shipping: '4.00', shippingTax: '0.40' },
      { orderItemId: '10002', shipping: '3.00', shippingTax: '0.24' },
    ]);
    expect(record.total).to.equal('7.64');
  });

  it('shares part of the shipping in proportion to what remains, in whole cents, largest remainders first', () => {
    // 5.00 and 3.00 remain: 1.00 is 0.625 and 0.375, so 0.63 and 0.37.
    const record = recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '1.00' }), shippedOrder(), EMPTY_HISTORY));
    expect(record.items).to.deep.equal([
      { orderItemId: '10001', shipping: '0.63' },
      { orderItemId: '10002', shipping: '0.37' },
    ]);
    expect(record.total).to.equal('1.00');
    const before = history({ refunded: new Map([['10001', components({ shipping: '1.00' })]]) });
    const shared = recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '3.50' }), shippedOrder(), before));
    expect(shared.items).to.deep.equal([
      { orderItemId: '10001', shipping: '2.00' },
      { orderItemId: '10002', shipping: '1.50' },
    ]);
  });

  it('refuses more shipping or shipping tax than Amazon still holds for the shipped items', () => {
    const before = history({ refunded: new Map([['10001', components({ shipping: '1.00' })]]) });
    expect(decideRefund(refundContext([], { shippingAmount: '7.01' }), shippedOrder(), before)).to.deep.equal({
      allow: false,
      reason: `The credit memo refunds 7.01 USD of shipping, more than Amazon still holds of it for the shipped items of order ${ORDER_ID}.`,
    });
    expect(decideRefund(refundContext([], { shippingTaxAmount: '0.65' }), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `The credit memo refunds 0.65 USD of shipping tax, more than Amazon still holds of it for the shipped items of order ${ORDER_ID}.`,
    });
  });

  it('shares shipping only over the items that shipped, as Amazon says or as the module confirmed', () => {
    const items = [
      item({ quantityShipped: 2 }),
      item({ orderItemId: '10002', hostSku: 'MUG-BLUE', quantityOrdered: 1, charged: components({ shipping: '3.00' }) }),
    ];
    const partly = order({ amazonStatus: 'PARTIALLY_SHIPPED', items });
    expect(recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '5.00' }), partly, EMPTY_HISTORY)).items).to.deep.equal([{ orderItemId: '10001', shipping: '5.00' }]);
    expect(decideRefund(refundContext([], { shippingAmount: '5.01' }), partly, EMPTY_HISTORY).allow).to.equal(false);
    // Once the module confirmed 10002's shipment, its shipping counts too.
    const confirmed = history({ confirmed: new Map([['10002', 1]]) });
    expect(recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '8.00' }), partly, confirmed)).items).to.deep.equal([
      { orderItemId: '10001', shipping: '5.00' },
      { orderItemId: '10002', shipping: '3.00' },
    ]);
  });

  it('shares no shipping onto an item whose amounts Amazon gave in another currency', () => {
    const mixed = shippedOrder({ items: [item({ quantityShipped: 2, charged: null }), shippedOrder().items[1]!] });
    expect(recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '3.00' }), mixed, EMPTY_HISTORY)).items).to.deep.equal([{ orderItemId: '10002', shipping: '3.00' }]);
    expect(decideRefund(refundContext([], { shippingAmount: '3.01' }), mixed, EMPTY_HISTORY).allow).to.equal(false);
  });

  it('caps the item price and tax at what Amazon charged, less what was refunded before', () => {
    expect(decideRefund(refundContext([refundLine('20.01', '0')]), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `The credit memo refunds 20.01 USD of item price for item 10001 of order ${ORDER_ID}, but Amazon charged 20.00 USD for it and 0.00 USD was refunded before.`,
    });
    expect(decideRefund(refundContext([refundLine('20.00', '1.60')]), shippedOrder(), EMPTY_HISTORY).allow).to.equal(true);

    const before = history({ refunded: new Map([['10001', components({ principal: '15.00', tax: '1.20' })]]) });
    expect(recordOf<RefundRecord>(decideRefund(refundContext([refundLine('5.00', '0.40')]), shippedOrder(), before)).items).to.deep.equal([
      { orderItemId: '10001', principal: '5.00', tax: '0.40' },
    ]);
    expect(decideRefund(refundContext([refundLine('5.01', '0')]), shippedOrder(), before)).to.deep.equal({
      allow: false,
      reason: `The credit memo refunds 5.01 USD of item price for item 10001 of order ${ORDER_ID}, but Amazon charged 20.00 USD for it and 15.00 USD was refunded before.`,
    });
    expect(decideRefund(refundContext([refundLine('0', '0.41')]), shippedOrder(), before)).to.deep.equal({
      allow: false,
      reason: `The credit memo refunds 0.41 USD of item tax for item 10001 of order ${ORDER_ID}, but Amazon charged 1.60 USD for it and 1.20 USD was refunded before.`,
    });
  });

  it('caps the shipping of an item by what was refunded of it before', () => {
    // 10001's shipping was refunded in full before: all of the shipping goes to 10002, and no more than its 3.00.
    const before = history({ refunded: new Map([['10001', components({ shipping: '5.00', shippingTax: '0.40' })]]) });
    expect(recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '2.00' }), shippedOrder(), before)).items).to.deep.equal([{ orderItemId: '10002', shipping: '2.00' }]);
    expect(decideRefund(refundContext([], { shippingAmount: '3.01' }), shippedOrder(), before).allow).to.equal(false);
    expect(decideRefund(refundContext([], { shippingTaxAmount: '0.25' }), shippedOrder(), before).allow).to.equal(false);
  });

  it('refuses to refund an item whose amounts Amazon gave in another currency', () => {
    const mixed = shippedOrder({ items: [item({ quantityShipped: 2, charged: null })] });
    expect(decideRefund(refundContext([refundLine('1.00', '0')]), mixed, EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `Amazon's amounts for item 10001 of order ${ORDER_ID} are not all in USD; refund it in Seller Central.`,
    });
  });

  it('refuses to refund the price of an item that has not shipped', () => {
    expect(decideRefund(refundContext([refundLine('1.00', '0')]), order(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: `Item 10001 of Amazon order ${ORDER_ID} has not shipped, so Amazon has not charged for it: cancel instead of refunding.`,
    });
    expect(decideRefund(refundContext([refundLine('1.00', '0')]), order(), history({ confirmed: new Map([['10001', 1]]) })).allow).to.equal(true);
  });

  it('refuses amounts it cannot read, or below zero, instead of sending them', () => {
    expect(decideRefund(refundContext([refundLine('1,00', '0')]), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The credit memo has an amount the module cannot read ("1,00" is not a decimal amount); refund it in Seller Central.',
    });
    expect(decideRefund(refundContext([refundLine('1.00', '0.123456')]), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The credit memo has an amount the module cannot read ("0.123456" has more than 4 decimals); refund it in Seller Central.',
    });
    expect(decideRefund(refundContext([], { shippingAmount: 'abc' }), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The credit memo has an amount the module cannot read ("abc" is not a decimal amount); refund it in Seller Central.',
    });
    expect(decideRefund(refundContext([], { shippingTaxAmount: '' }), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The credit memo has an amount the module cannot read ("" is not a decimal amount); refund it in Seller Central.',
    });
    expect(decideRefund(refundContext([refundLine('-1.00', '0')]), shippedOrder(), EMPTY_HISTORY).allow).to.equal(false);
    expect(decideRefund(refundContext([], { shippingAmount: '-1.00' }), shippedOrder(), EMPTY_HISTORY).allow).to.equal(false);
  });

  it('refuses USD amounts with a part of a cent', () => {
    expect(decideRefund(refundContext([refundLine('1.005', '0')]), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The credit memo refunds 1.005 USD of item price for item 10001; Amazon takes USD amounts with 2 decimals. Refund it in Seller Central.',
    });
    // The shipping too: it is never rounded down to whole cents without a word.
    expect(decideRefund(refundContext([], { shippingAmount: '1.005' }), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({
      allow: false,
      reason: 'The credit memo refunds 1.005 USD of shipping; Amazon takes USD amounts with 2 decimals. Refund it in Seller Central.',
    });
  });

  describe('in a currency without decimals (JPY)', () => {
    const yenOrder = (): FulfillmentOrder =>
      order({
        amazonStatus: 'SHIPPED',
        currencyCode: 'JPY',
        items: [
          item({ quantityShipped: 2, charged: components({ principal: '1500', tax: '150', shipping: '500', shippingTax: '50' }) }),
          item({ orderItemId: '10002', hostSku: 'MUG-BLUE', quantityOrdered: 1, quantityShipped: 1, charged: components({ principal: '900', tax: '90', shipping: '300', shippingTax: '30' }) }),
        ],
      });
    const yen = (lines: OrderActionLine[], refund: Partial<NonNullable<OrderActionContext['refund']>> = {}) => refundContext(lines, { currencyCode: 'JPY', ...refund });

    it('refuses an amount with a part of a yen', () => {
      expect(decideRefund(yen([refundLine('1000.5', '0')]), yenOrder(), EMPTY_HISTORY)).to.deep.equal({
        allow: false,
        reason: 'The credit memo refunds 1000.50 JPY of item price for item 10001; Amazon takes JPY amounts with 0 decimals. Refund it in Seller Central.',
      });
      expect(decideRefund(yen([refundLine('1000', '0.01')]), yenOrder(), EMPTY_HISTORY).allow).to.equal(false);
    });

    it('refuses shipping with a part of a yen instead of dropping it', () => {
      expect(decideRefund(yen([], { shippingAmount: '100.5' }), yenOrder(), EMPTY_HISTORY)).to.deep.equal({
        allow: false,
        reason: 'The credit memo refunds 100.50 JPY of shipping; Amazon takes JPY amounts with 0 decimals. Refund it in Seller Central.',
      });
      // Less than a yen would otherwise come to nothing to send at all.
      expect(decideRefund(yen([], { shippingAmount: '0.5' }), yenOrder(), EMPTY_HISTORY).allow).to.equal(false);
      expect(decideRefund(yen([], { shippingTaxAmount: '10.25' }), yenOrder(), EMPTY_HISTORY)).to.deep.equal({
        allow: false,
        reason: 'The credit memo refunds 10.25 JPY of shipping tax; Amazon takes JPY amounts with 0 decimals. Refund it in Seller Central.',
      });
    });

    it('accepts whole yen and writes them without decimals', () => {
      const lines = [refundLine('1000', '100'), refundLine('900', '90', { lineId: '2', externalReference: '10002', sku: 'MUG-BLUE' })];
      expect(decideRefund(yen(lines, { shippingAmount: '800', shippingTaxAmount: '80' }), yenOrder(), EMPTY_HISTORY)).to.deep.equal({
        allow: true,
        record: {
          kind: 'refund',
          hostCreditMemoId: 'CM-1',
          reason: 'customer_return',
          adjustmentReason: 'CustomerReturn',
          currencyCode: 'JPY',
          items: [
            { orderItemId: '10001', principal: '1000', tax: '100', shipping: '500', shippingTax: '50' },
            { orderItemId: '10002', principal: '900', tax: '90', shipping: '300', shippingTax: '30' },
          ],
          total: '2970',
        },
      });
    });

    it('shares part of the shipping in whole yen', () => {
      // 500 and 300 remain: 100 is 62.5 and 37.5, so 63 and 37.
      expect(recordOf<RefundRecord>(decideRefund(yen([], { shippingAmount: '100' }), yenOrder(), EMPTY_HISTORY)).items).to.deep.equal([
        { orderItemId: '10001', shipping: '63' },
        { orderItemId: '10002', shipping: '37' },
      ]);
    });
  });

  it('has nothing to send when the credit memo refunds nothing', () => {
    const decision = decideRefund(refundContext([refundLine('0', '0.00')], { shippingAmount: '0.00', shippingTaxAmount: '0' }), shippedOrder(), EMPTY_HISTORY);
    expect(decision).to.deep.equal({ allow: true, record: null, why: 'The credit memo refunds nothing Amazon charged' });
    expect(decideRefund(refundContext([line()]), shippedOrder(), EMPTY_HISTORY)).to.deep.equal({ allow: true, record: null, why: 'The credit memo refunds nothing Amazon charged' });
  });

  it('writes the total as the sum of every component, in the currency\'s decimals', () => {
    const lines = [refundLine('19.99', '1.60'), refundLine('0.01', '0', { lineId: '2', externalReference: '10002', sku: 'MUG-BLUE' })];
    const record = recordOf<RefundRecord>(decideRefund(refundContext(lines, { shippingAmount: '0.10', shippingTaxAmount: '0.01' }), shippedOrder(), EMPTY_HISTORY));
    // Shipping 0.10 over 5.00 and 3.00 is 0.0625 and 0.0375: 0.06 and 0.04; shipping tax 0.01 over 0.40 and 0.24: 0.01 and 0.
    expect(record.items).to.deep.equal([
      { orderItemId: '10001', principal: '19.99', tax: '1.60', shipping: '0.06', shippingTax: '0.01' },
      { orderItemId: '10002', principal: '0.01', shipping: '0.04' },
    ]);
    expect(record.total).to.equal('21.71');
    const whole = recordOf<RefundRecord>(decideRefund(refundContext([refundLine('10', '0')]), shippedOrder(), EMPTY_HISTORY));
    expect(whole.total).to.equal('10.00');
    expect(whole.items).to.deep.equal([{ orderItemId: '10001', principal: '10.00' }]);
  });
});

describe('fulfillment rules: decide', () => {
  it('answers each host action with its own rule', () => {
    expect(recordOf(decide(shipContext([line()]), order(), EMPTY_HISTORY)).kind).to.equal('shipment');
    expect(recordOf(decide(refundContext([refundLine('1.00', '0')]), shippedOrder(), EMPTY_HISTORY)).kind).to.equal('refund');
    expect(decide({ orderId: '500', action: 'cancel', items: [], reason: 'address_undeliverable' }, order(), EMPTY_HISTORY)).to.deep.equal({
      allow: true,
      record: { kind: 'cancel', reason: 'address_undeliverable', cancelReason: 'ShippingAddressUndeliverable', items: [{ orderItemId: '10001' }] },
    });
    expect(recordOf(decide({ orderId: '500', action: 'cancel', items: [] }, order(), EMPTY_HISTORY))).to.deep.include({ reason: 'other', cancelReason: 'GeneralAdjustment' });
  });
});

describe('fulfillment rules: allocate', () => {
  const cents = 100n;

  it('gives exactly the weights when the total is their sum', () => {
    const weights = [50000n, 30000n, 0n];
    const shares = allocate(80000n, weights, cents);
    expect(shares).to.deep.equal([50000n, 30000n, 0n]);
    expect(shares).to.not.equal(weights);
  });

  it('gives nothing to anyone for a zero total', () => {
    expect(allocate(0n, [50000n, 30000n], cents)).to.deep.equal([0n, 0n]);
    expect(allocate(0n, [], cents)).to.deep.equal([]);
  });

  it('refuses a total above the sum of the weights', () => {
    expect(allocate(80001n, [50000n, 30000n], 1n)).to.equal(null);
    expect(allocate(100n, [0n, 0n], cents)).to.equal(null);
    expect(allocate(100n, [], cents)).to.equal(null);
  });

  it('shares in proportion, in whole minor units, the units left over going by largest remainder', () => {
    // 1.09 over 1.00, 3.00 and 6.00: 0.109, 0.327 and 0.654 -> 0.10 + 0.32 + 0.65 = 1.07, the two cents left go to .9 and .7.
    expect(allocate(10900n, [10000n, 30000n, 60000n], cents)).to.deep.equal([1100n, 3300n, 6500n]);
    // 1.01: 0.101, 0.303, 0.606 -> the one cent left goes to the largest remainder, the last.
    expect(allocate(10100n, [10000n, 30000n, 60000n], cents)).to.deep.equal([1000n, 3000n, 6100n]);
    // Equal remainders: the first part first.
    expect(allocate(10000n, [100000n, 100000n, 100000n], cents)).to.deep.equal([3400n, 3300n, 3300n]);
    // Whole yen (minor unit 10000n).
    expect(allocate(1000000n, [5000000n, 3000000n], 10000n)).to.deep.equal([630000n, 370000n]);
  });

  it('gives a part with no weight nothing', () => {
    expect(allocate(10000n, [0n, 50000n, 30000n], cents)).to.deep.equal([0n, 6300n, 3700n]);
  });

  it('never gives a part more than its weight', () => {
    // 1.00 over 0.009 and 1.00: the first part's remainder is the larger, but a whole cent is more than it may take.
    expect(allocate(10000n, [90n, 10000n], cents)).to.deep.equal([0n, 10000n]);
    // Through decideRefund: the cent goes where Amazon still holds it, not onto the item that would then be over its charge.
    const tiny = shippedOrder({ items: [item({ quantityShipped: 2, charged: components({ shipping: '0.009' }) }), item({ orderItemId: '10002', hostSku: 'MUG-BLUE', quantityOrdered: 1, quantityShipped: 1, charged: components({ shipping: '1.00' }) })] });
    expect(recordOf<RefundRecord>(decideRefund(refundContext([], { shippingAmount: '1.00' }), tiny, EMPTY_HISTORY)).items).to.deep.equal([{ orderItemId: '10002', shipping: '1.00' }]);
  });

  it('refuses a total it cannot split in whole minor units, rather than dropping a part of it', () => {
    expect(allocate(10050n, [50000n, 30000n], cents)).to.equal(null);
    expect(allocate(5000n, [5000000n, 3000000n], 10000n)).to.equal(null);
    // Three parts of 0.015 cannot take 0.04 in whole cents.
    expect(allocate(400n, [150n, 150n, 150n], cents)).to.equal(null);
  });

  it('always sums to the total, in minor units, within the weights', () => {
    const weightSets: bigint[][] = [
      [10000n, 20000n, 30000n],
      [12300n, 4500n, 100n, 99900n],
      [100n, 100n, 100n, 100n, 100n, 100n, 100n],
      [500n, 0n, 700n],
      [1n * cents],
    ];
    for (const weights of weightSets) {
      const sum = weights.reduce((a, b) => a + b, 0n);
      for (let total = 0n; total <= sum; total += cents) {
        const shares = allocate(total, weights, cents);
        const label = `${total} over ${weights.join(', ')}`;
        expect(shares, label).to.not.equal(null);
        expect(shares!.reduce((a, b) => a + b, 0n), label).to.equal(total);
        shares!.forEach((share, i) => {
          expect(share >= 0n && share <= weights[i]!, `${label}: part ${i} is ${share}`).to.equal(true);
          expect(share % cents, `${label}: part ${i} is ${share}`).to.equal(0n);
        });
      }
    }
  });
});

describe('fulfillment rules: history and the local status', () => {
  const confirmed = (entries: Array<[string, number]>) => history({ confirmed: new Map(entries) });
  const status = (amazonStatus: AmazonOrderStatus, h: FulfillmentHistory, failed: Array<FulfillmentRecord['kind']> = [], imported = true, items = [item()]) =>
    localStatus({ amazonStatus, items, imported }, h, failed);

  it('adds a shipment to the units confirmed, without touching the history it started from', () => {
    const start = confirmed([['10001', 1]]);
    const shipment: ShipmentRecord = {
      kind: 'shipment',
      hostShipmentId: 'SHIP-2',
      carrierCode: 'UPS',
      trackingNumber: 'T',
      shipDate: '2026-11-05T10:30:00.000Z',
      items: [
        { orderItemId: '10001', quantity: 1 },
        { orderItemId: '10002', quantity: 2 },
      ],
    };
    const next = withRecord(start, shipment);
    expect([...next.confirmed]).to.deep.equal([['10001', 2], ['10002', 2]]);
    expect([...start.confirmed]).to.deep.equal([['10001', 1]]);
    expect(next.cancelRecorded).to.equal(false);
    expect(next.refunded).to.equal(start.refunded);
  });

  it('marks a cancel recorded', () => {
    const next = withRecord(EMPTY_HISTORY, { kind: 'cancel', reason: 'other', cancelReason: 'GeneralAdjustment', items: [{ orderItemId: '10001' }] });
    expect(next.cancelRecorded).to.equal(true);
    expect(EMPTY_HISTORY.cancelRecorded).to.equal(false);
    expect(next.confirmed.size).to.equal(0);
  });

  it('adds a refund\'s amounts to what was refunded of each item, part by part', () => {
    const start = history({ refunded: new Map([['10001', components({ principal: '5.00', shipping: '1.00' })]]) });
    const refund: RefundRecord = {
      kind: 'refund',
      hostCreditMemoId: 'CM-2',
      reason: 'other',
      adjustmentReason: 'Other',
      currencyCode: 'USD',
      items: [
        { orderItemId: '10001', principal: '2.50', tax: '0.20' },
        { orderItemId: '10002', shippingTax: '0.24' },
      ],
      total: '2.94',
    };
    const next = withRecord(start, refund);
    expect(next.refunded.get('10001')).to.deep.equal(components({ principal: '7.50', tax: '0.20', shipping: '1.00' }));
    expect(next.refunded.get('10002')).to.deep.equal(components({ shippingTax: '0.24' }));
    expect(start.refunded.get('10001')).to.deep.equal(components({ principal: '5.00', shipping: '1.00' }));
    // What the next refund decides goes by it: 20.00 charged, 7.50 refunded, 12.50 left.
    expect(decideRefund(refundContext([refundLine('12.50', '0')]), shippedOrder(), next).allow).to.equal(true);
    expect(decideRefund(refundContext([refundLine('12.51', '0')]), shippedOrder(), next).allow).to.equal(false);
  });

  it('shows Shipped once every unit is shipped or canceled, Partially Shipped before', () => {
    const items = [item({ quantityOrdered: 3, quantityCanceled: 1 }), item({ orderItemId: '10002', quantityOrdered: 1, quantityShipped: 1 })];
    expect(shippedStatus({ items }, confirmed([['10001', 2]]))).to.equal('Shipped');
    expect(shippedStatus({ items }, confirmed([['10001', 1]]))).to.equal('Partially Shipped');
    expect(shippedStatus({ items }, EMPTY_HISTORY)).to.equal('Partially Shipped');
  });

  it('shows an Error for a failed shipment or cancel until Amazon settles it, and for a failed refund always', () => {
    expect(status('UNSHIPPED', EMPTY_HISTORY, ['shipment'])).to.equal('Error');
    expect(status('PARTIALLY_SHIPPED', confirmed([['10001', 1]]), ['shipment'])).to.equal('Error');
    expect(status('CANCELLED', EMPTY_HISTORY, ['shipment'])).to.equal('Error');
    expect(status('SHIPPED', confirmed([['10001', 2]]), ['shipment'])).to.equal('Completed');
    expect(status('SHIPPED', EMPTY_HISTORY, ['shipment'], false)).to.equal(null);

    expect(status('UNSHIPPED', history({ cancelRecorded: true }), ['cancel'])).to.equal('Error');
    expect(status('SHIPPED', EMPTY_HISTORY, ['cancel'])).to.equal('Error');
    expect(status('CANCELLED', history({ cancelRecorded: true }), ['cancel'])).to.equal(null);
    expect(status('UNFULFILLABLE', EMPTY_HISTORY, ['cancel'])).to.equal(null);

    for (const amazonStatus of ['UNSHIPPED', 'SHIPPED', 'CANCELLED', 'UNFULFILLABLE'] as const) {
      expect(status(amazonStatus, EMPTY_HISTORY, ['refund']), amazonStatus).to.equal('Error');
    }
    // One failure Amazon settled does not hide another it did not.
    expect(status('SHIPPED', EMPTY_HISTORY, ['shipment', 'refund'])).to.equal('Error');
    expect(status('CANCELLED', EMPTY_HISTORY, ['cancel', 'shipment'])).to.equal('Error');
  });

  it('shows Completed for an imported order Amazon shipped, and Amazon\'s own status otherwise', () => {
    expect(status('SHIPPED', EMPTY_HISTORY)).to.equal('Completed');
    expect(status('SHIPPED', confirmed([['10001', 1]]))).to.equal('Completed');
    expect(status('SHIPPED', EMPTY_HISTORY, [], false)).to.equal(null);
  });

  it('shows Amazon\'s status for an order Amazon canceled, whatever was recorded', () => {
    expect(status('CANCELLED', history({ cancelRecorded: true }))).to.equal(null);
    expect(status('UNFULFILLABLE', confirmed([['10001', 2]]))).to.equal(null);
  });

  it('shows Canceled once a cancel is recorded, ahead of shipments', () => {
    expect(status('UNSHIPPED', history({ cancelRecorded: true }))).to.equal('Canceled');
    expect(status('PARTIALLY_SHIPPED', history({ cancelRecorded: true, confirmed: new Map([['10001', 1]]) }))).to.equal('Canceled');
  });

  it('shows Shipped or Partially Shipped from the shipments recorded', () => {
    expect(status('UNSHIPPED', confirmed([['10001', 2]]))).to.equal('Shipped');
    expect(status('UNSHIPPED', confirmed([['10001', 1]]))).to.equal('Partially Shipped');
    expect(status('PARTIALLY_SHIPPED', confirmed([['10001', 1]]), [], true, [item({ quantityShipped: 1 })])).to.equal('Partially Shipped');
    expect(status('PARTIALLY_SHIPPED', confirmed([['10001', 1]]), [], false, [item({ quantityOrdered: 2, quantityShipped: 1, quantityCanceled: 1 })])).to.equal('Shipped');
  });

  it('shows Amazon\'s status when nothing was recorded and nothing failed', () => {
    for (const amazonStatus of ['PENDING', 'PENDING_AVAILABILITY', 'UNSHIPPED', 'PARTIALLY_SHIPPED'] as const) {
      expect(status(amazonStatus, EMPTY_HISTORY), amazonStatus).to.equal(null);
    }
  });
});
