import { expect } from 'chai';
import {
  buildOrderAcknowledgementFeed,
  buildOrderAdjustmentFeed,
  buildOrderFulfillmentFeed,
  escapeXml,
  type RefundItem,
} from '../../src/amazon/feed-xml.ts';
import { AmazonRequestError } from '../../src/amazon/errors.ts';
import { child, childText, parseXml, type XmlElement } from '../../src/amazon/xml.ts';

const SELLER = 'A1SELLER';
const childrenNamed = (element: XmlElement, name: string) => element.children.filter((c) => c.name === name);
const names = (element: XmlElement) => element.children.map((c) => c.name);

function requestError(fn: () => unknown): AmazonRequestError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(AmazonRequestError);
    return error as AmazonRequestError;
  }
  throw new Error('expected an AmazonRequestError');
}

describe('feed XML builders', () => {
  it('escapes the five XML specials and refuses control characters', () => {
    expect(escapeXml(`A&B <x> "q" 'a'`)).to.equal('A&amp;B &lt;x&gt; &quot;q&quot; &apos;a&apos;');
    expect(() => escapeXml('bell\u0007')).to.throw(/control character/);
    expect(escapeXml('tab\tnew\nline ü 😀')).to.equal('tab\tnew\nline ü 😀');
  });

  it('cancel: an OrderAcknowledgement envelope with StatusCode Failure and per-item reasons', () => {
    const feed = buildOrderAcknowledgementFeed(SELLER, [
      { amazonOrderId: '111-1', items: [{ amazonOrderItemCode: 'I1', cancelReason: 'NoInventory' }] },
      { amazonOrderId: '111-2', merchantOrderId: '000123', items: [{ amazonOrderItemCode: 'I2', cancelReason: 'BuyerCanceled' }, { amazonOrderItemCode: 'I3', cancelReason: 'BuyerCanceled' }] },
    ]);
    expect(feed.feedType).to.equal('POST_ORDER_ACKNOWLEDGEMENT_DATA');
    expect(feed.messages).to.deep.equal([
      { messageId: 1, amazonOrderId: '111-1' },
      { messageId: 2, amazonOrderId: '111-2' },
    ]);
    expect(feed.xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope ')).to.equal(true);
    const root = parseXml(feed.xml);
    expect(root.name).to.equal('AmazonEnvelope');
    expect(root.attributes['xsi:noNamespaceSchemaLocation']).to.equal('amzn-envelope.xsd');
    expect(names(root)).to.deep.equal(['Header', 'MessageType', 'Message', 'Message']);
    expect(names(child(root, 'Header')!)).to.deep.equal(['DocumentVersion', 'MerchantIdentifier']);
    expect(childText(child(root, 'Header')!, 'DocumentVersion')).to.equal('1.01');
    expect(childText(child(root, 'Header')!, 'MerchantIdentifier')).to.equal(SELLER);
    expect(childText(root, 'MessageType')).to.equal('OrderAcknowledgement');
    const second = childrenNamed(root, 'Message')[1];
    expect(childText(second, 'MessageID')).to.equal('2');
    const ack = child(second, 'OrderAcknowledgement')!;
    expect(names(ack)).to.deep.equal(['AmazonOrderID', 'MerchantOrderID', 'StatusCode', 'Item', 'Item']);
    expect(childText(ack, 'StatusCode')).to.equal('Failure');
    const item = childrenNamed(ack, 'Item')[1];
    expect(names(item)).to.deep.equal(['AmazonOrderItemCode', 'CancelReason']);
    expect(childText(item, 'AmazonOrderItemCode')).to.equal('I3');
    expect(childText(item, 'CancelReason')).to.equal('BuyerCanceled');
  });

  it('refund: an OrderAdjustment with price components in the given currency, amounts verbatim', () => {
    const item: RefundItem = { amazonOrderItemCode: 'I1', adjustmentReason: 'CustomerReturn', currencyCode: 'USD', principal: '10.01', shipping: '3', tax: '0.83', shippingTax: '0.25' };
    const feed = buildOrderAdjustmentFeed(SELLER, [{ amazonOrderId: '111-1', items: [item, { amazonOrderItemCode: 'I2', adjustmentReason: 'GeneralAdjustment', currencyCode: 'USD', principal: '123456789012.99' }] }]);
    expect(feed.feedType).to.equal('POST_PAYMENT_ADJUSTMENT_DATA');
    const root = parseXml(feed.xml);
    expect(childText(root, 'MessageType')).to.equal('OrderAdjustment');
    const adjustment = child(child(root, 'Message')!, 'OrderAdjustment')!;
    expect(names(adjustment)).to.deep.equal(['AmazonOrderID', 'AdjustedItem', 'AdjustedItem']);
    const adjusted = childrenNamed(adjustment, 'AdjustedItem');
    expect(names(adjusted[0])).to.deep.equal(['AmazonOrderItemCode', 'AdjustmentReason', 'ItemPriceAdjustments']);
    const components = childrenNamed(child(adjusted[0], 'ItemPriceAdjustments')!, 'Component').map((c) => ({
      type: childText(c, 'Type'),
      amount: childText(c, 'Amount'),
      currency: child(c, 'Amount')!.attributes.currency,
    }));
    expect(components).to.deep.equal([
      { type: 'Principal', amount: '10.01', currency: 'USD' },
      { type: 'Shipping', amount: '3', currency: 'USD' },
      { type: 'Tax', amount: '0.83', currency: 'USD' },
      { type: 'ShippingTax', amount: '0.25', currency: 'USD' },
    ]);
    // Amounts go out exactly as given: no float round trip.
    expect(feed.xml).to.contain('<Amount currency="USD">123456789012.99</Amount>');
  });

  it('refund amounts must be non-negative decimal strings with at most two decimals', () => {
    const refund = (over: Partial<RefundItem>) => () =>
      buildOrderAdjustmentFeed(SELLER, [{ amazonOrderId: '111-1', items: [{ amazonOrderItemCode: 'I1', adjustmentReason: 'CustomerReturn', currencyCode: 'USD', ...over }] }]);
    for (const bad of [{ principal: 10.01 as never }, { principal: '1.005' }, { principal: '-1.00' }, { tax: '1,50' }, { principal: '' }]) {
      expect(requestError(refund(bad)).message).to.match(/amount must be a non-negative decimal string/);
    }
    expect(requestError(refund({})).message).to.contain('needs at least one amount');
    expect(requestError(refund({ principal: '1.00', currencyCode: 'usd' })).field).to.equal('orders[0].items[0].currencyCode');
  });

  it('shipping: an OrderFulfillment with CarrierCode, or CarrierName for other carriers', () => {
    const feed = buildOrderFulfillmentFeed(SELLER, [
      { amazonOrderId: '111-1', fulfillmentDate: new Date('2026-11-26T08:00:00Z'), carrierCode: 'UPS', shippingMethod: 'Ground', trackingNumber: '1Z1', items: [{ amazonOrderItemCode: 'I1', quantity: 2 }] },
      { amazonOrderId: '111-2', fulfillmentDate: '2026-11-26T09:00:00Z', carrierCode: 'Other', carrierName: 'Bob & Sons <Courier>', trackingNumber: 'T2', items: [{ amazonOrderItemCode: 'I2', quantity: 1 }] },
    ]);
    expect(feed.feedType).to.equal('POST_ORDER_FULFILLMENT_DATA');
    const [first, second] = childrenNamed(parseXml(feed.xml), 'Message').map((m) => child(m, 'OrderFulfillment')!);
    expect(names(first)).to.deep.equal(['AmazonOrderID', 'FulfillmentDate', 'FulfillmentData', 'Item']);
    expect(childText(first, 'FulfillmentDate')).to.equal('2026-11-26T08:00:00.000Z');
    expect(names(child(first, 'FulfillmentData')!)).to.deep.equal(['CarrierCode', 'ShippingMethod', 'ShipperTrackingNumber']);
    expect(childText(child(first, 'Item')!, 'Quantity')).to.equal('2');
    expect(names(child(second, 'FulfillmentData')!)).to.deep.equal(['CarrierName', 'ShipperTrackingNumber']);
    expect(childText(child(second, 'FulfillmentData')!, 'CarrierName')).to.equal('Bob & Sons <Courier>');
    expect(feed.xml).to.contain('<CarrierName>Bob &amp; Sons &lt;Courier&gt;</CarrierName>');
    expect(requestError(() => buildOrderFulfillmentFeed(SELLER, [{ amazonOrderId: '1', fulfillmentDate: new Date(), carrierCode: 'Other', items: [{ amazonOrderItemCode: 'I', quantity: 1 }] }])).field).to.equal('orders[0].carrierName');
  });

  it('escapes every input text and refuses what XML cannot carry', () => {
    const feed = buildOrderAcknowledgementFeed('SELLER&<1>', [{ amazonOrderId: '111"1', items: [{ amazonOrderItemCode: "I'1", cancelReason: 'NoInventory' }] }]);
    const root = parseXml(feed.xml);
    expect(childText(child(root, 'Header')!, 'MerchantIdentifier')).to.equal('SELLER&<1>');
    expect(childText(child(child(root, 'Message')!, 'OrderAcknowledgement')!, 'AmazonOrderID')).to.equal('111"1');
    const error = requestError(() => buildOrderAcknowledgementFeed(SELLER, [{ amazonOrderId: '111-1', items: [{ amazonOrderItemCode: 'I\u0000', cancelReason: 'NoInventory' }] }]));
    expect(error.message).to.contain('order 111-1');
  });

  it('refuses empty feeds and missing ids', () => {
    requestError(() => buildOrderAcknowledgementFeed(SELLER, []));
    requestError(() => buildOrderAcknowledgementFeed('', [{ amazonOrderId: '1', items: [{ amazonOrderItemCode: 'I', cancelReason: 'NoInventory' }] }]));
    requestError(() => buildOrderAcknowledgementFeed(SELLER, [{ amazonOrderId: ' ', items: [{ amazonOrderItemCode: 'I', cancelReason: 'NoInventory' }] }]));
    requestError(() => buildOrderAcknowledgementFeed(SELLER, [{ amazonOrderId: '1', items: [] }]));
  });
});
