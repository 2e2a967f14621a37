/**
 * The XML feeds the module sends, all built here: cancel (OrderAcknowledgement), refund
 * (OrderAdjustment) and bulk shipping (OrderFulfillment), each inside an AmazonEnvelope
 * (Header DocumentVersion 1.01 + MerchantIdentifier = seller id, MessageType, one Message per order
 * numbered from 1). Element order follows Amazon's XSDs (sequence order matters there).
 *
 * Every text and attribute is XML-escaped; text that XML cannot carry at all (control characters)
 * is refused rather than silently altered. Amounts stay decimal strings from input to output.
 */
import { AmazonRequestError } from './errors.ts';
import type { DecimalString, FeedType } from './models.ts';
import { isDateTime } from './formats.ts';
import { el, elWithAttributes, renderXml, type XmlNode } from './xml.ts';

export { escapeXml } from './xml.ts';

export const FEED_XML_CONTENT_TYPE = 'text/xml; charset=UTF-8';

/** The message number given to each order, to map the processing report's results back. */
export interface FeedMessageRef {
  messageId: number;
  amazonOrderId: string;
}

export interface BuiltFeed {
  feedType: FeedType;
  xml: string;
  messages: FeedMessageRef[];
}

/** OrderAcknowledgement.xsd CancelReason values. */
export type CancelReason =
  | 'NoInventory'
  | 'ShippingAddressUndeliverable'
  | 'CustomerExchange'
  | 'BuyerCanceled'
  | 'GeneralAdjustment'
  | 'CarrierCreditDecision'
  | 'RiskAssessmentInformationNotValid'
  | 'CarrierCoverageFailure'
  | 'CustomerReturn'
  | 'MerchandiseNotReceived';

/** OrderAdjustment.xsd AdjustmentReason values. */
export type AdjustmentReason =
  | 'NoInventory'
  | 'CustomerReturn'
  | 'GeneralAdjustment'
  | 'CouldNotShip'
  | 'DifferentItem'
  | 'Abandoned'
  | 'CustomerCancel'
  | 'PriceError'
  | 'ProductOutofStock'
  | 'CustomerAddressIncorrect'
  | 'Exchange'
  | 'Other'
  | 'CarrierCreditDecision'
  | 'RiskAssessmentInformationNotValid'
  | 'CarrierCoverageFailure'
  | 'TransactionRecord'
  | 'Undeliverable'
  | 'RefusedDelivery';

export interface OrderCancellation {
  amazonOrderId: string;
  merchantOrderId?: string;
  /** The items to cancel, each with Amazon's reason code. */
  items: Array<{ amazonOrderItemCode: string; merchantOrderItemId?: string; cancelReason: CancelReason }>;
}

export interface RefundItem {
  amazonOrderItemCode: string;
  adjustmentReason: AdjustmentReason;
  /** ISO 4217 code of every amount of this item. */
  currencyCode: string;
  /** Amounts refunded (non-negative decimal strings, at most 2 decimals); omitted components are not sent. */
  principal?: DecimalString;
  shipping?: DecimalString;
  tax?: DecimalString;
  shippingTax?: DecimalString;
}

export interface OrderRefund {
  amazonOrderId: string;
  merchantOrderId?: string;
  items: RefundItem[];
}

export interface OrderShipment {
  amazonOrderId: string;
  merchantFulfillmentId?: string;
  fulfillmentDate: Date | string;
  /** Amazon's carrier code (e.g. "UPS"); a carrier without a code is sent by carrierName. */
  carrierCode?: string;
  carrierName?: string;
  shippingMethod?: string;
  trackingNumber?: string;
  items: Array<{ amazonOrderItemCode: string; quantity: number }>;
}

function fail(feed: string, message: string, field: string): never {
  throw new AmazonRequestError(`${feed} feed: ${message}`, 'createFeed', field);
}

/** The element when there is a value, else nothing. */
const optional = (name: string, value: string | undefined) => (value === undefined ? undefined : el(name, value));

function requireText(feed: string, value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(feed, `${field} is required`, field);
  return value;
}

/** Amazon's BaseCurrencyAmount: a non-negative decimal with at most two decimals. */
const FEED_AMOUNT = /^\d+(\.\d{1,2})?$/;

function envelope(sellerId: string, messageType: string, messages: XmlNode[]): string {
  const lines = [
    el('Header', el('DocumentVersion', '1.01'), el('MerchantIdentifier', sellerId)),
    el('MessageType', messageType),
    ...messages.map((body, index) => el('Message', el('MessageID', index + 1), body)),
  ];
  const attributes = { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'xsi:noNamespaceSchemaLocation': 'amzn-envelope.xsd' };
  // Compact, each child of the envelope on a line of its own: the layout the feeds have always had.
  return renderXml(elWithAttributes('AmazonEnvelope', attributes, ...lines.flatMap((line) => ['\n', line]), '\n'), 'compact');
}

function build<T extends { amazonOrderId: string }>(
  feed: string,
  feedType: FeedType,
  sellerId: string,
  orders: T[],
  body: (order: T, field: string) => XmlNode,
): BuiltFeed {
  requireText(feed, sellerId, 'sellerId');
  if (orders.length === 0) fail(feed, 'needs at least one order', 'orders');
  const messages = orders.map((order, index) => {
    const field = `orders[${index}]`;
    requireText(feed, order.amazonOrderId, `${field}.amazonOrderId`);
    try {
      return body(order, field);
    } catch (error) {
      if (error instanceof AmazonRequestError || !(error instanceof Error)) throw error;
      return fail(feed, `${field} (order ${order.amazonOrderId}): ${error.message}`, field);
    }
  });
  return {
    feedType,
    xml: envelope(sellerId, feed, messages),
    messages: orders.map((order, index) => ({ messageId: index + 1, amazonOrderId: order.amazonOrderId })),
  };
}

/** POST_ORDER_ACKNOWLEDGEMENT_DATA with StatusCode Failure: cancels the listed items. */
export function buildOrderAcknowledgementFeed(sellerId: string, cancellations: OrderCancellation[]): BuiltFeed {
  const feed = 'OrderAcknowledgement';
  return build(feed, 'POST_ORDER_ACKNOWLEDGEMENT_DATA', sellerId, cancellations, (order, field) => {
    if (order.items.length === 0) fail(feed, `${field}.items needs at least one item`, `${field}.items`);
    const items = order.items.map((item, i) => {
      const itemField = `${field}.items[${i}]`;
      return el(
        'Item',
        el('AmazonOrderItemCode', requireText(feed, item.amazonOrderItemCode, `${itemField}.amazonOrderItemCode`)),
        optional('MerchantOrderItemID', item.merchantOrderItemId),
        el('CancelReason', requireText(feed, item.cancelReason, `${itemField}.cancelReason`)),
      );
    });
    return el('OrderAcknowledgement', el('AmazonOrderID', order.amazonOrderId), optional('MerchantOrderID', order.merchantOrderId), el('StatusCode', 'Failure'), ...items);
  });
}

/** POST_PAYMENT_ADJUSTMENT_DATA: refunds per item, by price component. */
export function buildOrderAdjustmentFeed(sellerId: string, refunds: OrderRefund[]): BuiltFeed {
  const feed = 'OrderAdjustment';
  return build(feed, 'POST_PAYMENT_ADJUSTMENT_DATA', sellerId, refunds, (order, field) => {
    if (order.items.length === 0) fail(feed, `${field}.items needs at least one item`, `${field}.items`);
    const items = order.items.map((item, i) => {
      const itemField = `${field}.items[${i}]`;
      if (!/^[A-Z]{3}$/.test(item.currencyCode)) fail(feed, `${itemField}.currencyCode must be a 3-letter code`, `${itemField}.currencyCode`);
      const components = (
        [
          ['Principal', item.principal],
          ['Shipping', item.shipping],
          ['Tax', item.tax],
          ['ShippingTax', item.shippingTax],
        ] as const
      )
        .filter(([, amount]) => amount !== undefined)
        .map(([type, amount]) => {
          if (typeof amount !== 'string' || !FEED_AMOUNT.test(amount)) {
            fail(feed, `${itemField} ${type} amount must be a non-negative decimal string with at most 2 decimals, got ${JSON.stringify(amount)}`, `${itemField}.${type}`);
          }
          return el('Component', el('Type', type), elWithAttributes('Amount', { currency: item.currencyCode }, amount));
        });
      if (components.length === 0) fail(feed, `${itemField} needs at least one amount (principal, shipping, tax, shippingTax)`, itemField);
      return el(
        'AdjustedItem',
        el('AmazonOrderItemCode', requireText(feed, item.amazonOrderItemCode, `${itemField}.amazonOrderItemCode`)),
        el('AdjustmentReason', requireText(feed, item.adjustmentReason, `${itemField}.adjustmentReason`)),
        el('ItemPriceAdjustments', ...components),
      );
    });
    return el('OrderAdjustment', el('AmazonOrderID', order.amazonOrderId), optional('MerchantOrderID', order.merchantOrderId), ...items);
  });
}

/** POST_ORDER_FULFILLMENT_DATA: shipments of many orders in one feed. */
export function buildOrderFulfillmentFeed(sellerId: string, shipments: OrderShipment[]): BuiltFeed {
  const feed = 'OrderFulfillment';
  return build(feed, 'POST_ORDER_FULFILLMENT_DATA', sellerId, shipments, (order, field) => {
    let date: string;
    if (order.fulfillmentDate instanceof Date && !Number.isNaN(order.fulfillmentDate.getTime())) date = order.fulfillmentDate.toISOString();
    else if (typeof order.fulfillmentDate === 'string' && isDateTime(order.fulfillmentDate)) date = order.fulfillmentDate;
    else fail(feed, `${field}.fulfillmentDate must be a date-time`, `${field}.fulfillmentDate`);

    // The XSD's choice: a known carrier by code, any other by name.
    const code = order.carrierCode?.trim();
    const useCode = code !== undefined && code !== '' && code.toLowerCase() !== 'other';
    if (!useCode) requireText(feed, order.carrierName, `${field}.carrierName`);
    const carrier = useCode ? el('CarrierCode', code) : el('CarrierName', order.carrierName as string);

    if (order.items.length === 0) fail(feed, `${field}.items needs at least one item`, `${field}.items`);
    const items = order.items.map((item, i) => {
      const itemField = `${field}.items[${i}]`;
      if (!Number.isSafeInteger(item.quantity) || item.quantity < 1) fail(feed, `${itemField}.quantity must be a positive integer`, `${itemField}.quantity`);
      return el('Item', el('AmazonOrderItemCode', requireText(feed, item.amazonOrderItemCode, `${itemField}.amazonOrderItemCode`)), el('Quantity', item.quantity));
    });
    return el(
      'OrderFulfillment',
      el('AmazonOrderID', order.amazonOrderId),
      optional('MerchantFulfillmentID', order.merchantFulfillmentId),
      el('FulfillmentDate', date),
      el('FulfillmentData', carrier, optional('ShippingMethod', order.shippingMethod), optional('ShipperTrackingNumber', order.trackingNumber)),
      ...items,
    );
  });
}
