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

export const FEED_XML_CONTENT_TYPE = 'text/xml; charset=UTF-8';

/** Characters XML 1.0 allows in a document. */
const INVALID_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function escapeXml(text: string): string {
  if (INVALID_XML_CHAR.test(text)) throw new Error('Text contains a character XML cannot carry (a control character)');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

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

/** `<Name>text</Name>`, escaped; the name is ours (a constant), never input. */
const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

function requireText(feed: string, value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(feed, `${field} is required`, field);
  return value;
}

/** Amazon's BaseCurrencyAmount: a non-negative decimal with at most two decimals. */
const FEED_AMOUNT = /^\d+(\.\d{1,2})?$/;

function envelope(sellerId: string, messageType: string, messages: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">',
    `<Header>${element('DocumentVersion', '1.01')}${element('MerchantIdentifier', sellerId)}</Header>`,
    element('MessageType', messageType),
    ...messages.map((body, index) => `<Message>${element('MessageID', String(index + 1))}${body}</Message>`),
    '</AmazonEnvelope>',
    '',
  ].join('\n');
}

function build<T extends { amazonOrderId: string }>(
  feed: string,
  feedType: FeedType,
  sellerId: string,
  orders: T[],
  body: (order: T, field: string) => string,
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
      return (
        '<Item>' +
        element('AmazonOrderItemCode', requireText(feed, item.amazonOrderItemCode, `${itemField}.amazonOrderItemCode`)) +
        (item.merchantOrderItemId === undefined ? '' : element('MerchantOrderItemID', item.merchantOrderItemId)) +
        element('CancelReason', requireText(feed, item.cancelReason, `${itemField}.cancelReason`)) +
        '</Item>'
      );
    });
    return (
      '<OrderAcknowledgement>' +
      element('AmazonOrderID', order.amazonOrderId) +
      (order.merchantOrderId === undefined ? '' : element('MerchantOrderID', order.merchantOrderId)) +
      element('StatusCode', 'Failure') +
      items.join('') +
      '</OrderAcknowledgement>'
    );
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
          return `<Component>${element('Type', type)}<Amount currency="${escapeXml(item.currencyCode)}">${escapeXml(amount)}</Amount></Component>`;
        });
      if (components.length === 0) fail(feed, `${itemField} needs at least one amount (principal, shipping, tax, shippingTax)`, itemField);
      return (
        '<AdjustedItem>' +
        element('AmazonOrderItemCode', requireText(feed, item.amazonOrderItemCode, `${itemField}.amazonOrderItemCode`)) +
        element('AdjustmentReason', requireText(feed, item.adjustmentReason, `${itemField}.adjustmentReason`)) +
        `<ItemPriceAdjustments>${components.join('')}</ItemPriceAdjustments>` +
        '</AdjustedItem>'
      );
    });
    return (
      '<OrderAdjustment>' +
      element('AmazonOrderID', order.amazonOrderId) +
      (order.merchantOrderId === undefined ? '' : element('MerchantOrderID', order.merchantOrderId)) +
      items.join('') +
      '</OrderAdjustment>'
    );
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
    const carrier = useCode ? element('CarrierCode', code) : element('CarrierName', order.carrierName as string);

    if (order.items.length === 0) fail(feed, `${field}.items needs at least one item`, `${field}.items`);
    const items = order.items.map((item, i) => {
      const itemField = `${field}.items[${i}]`;
      if (!Number.isSafeInteger(item.quantity) || item.quantity < 1) fail(feed, `${itemField}.quantity must be a positive integer`, `${itemField}.quantity`);
      return (
        '<Item>' +
        element('AmazonOrderItemCode', requireText(feed, item.amazonOrderItemCode, `${itemField}.amazonOrderItemCode`)) +
        element('Quantity', String(item.quantity)) +
        '</Item>'
      );
    });
    return (
      '<OrderFulfillment>' +
      element('AmazonOrderID', order.amazonOrderId) +
      (order.merchantFulfillmentId === undefined ? '' : element('MerchantFulfillmentID', order.merchantFulfillmentId)) +
      element('FulfillmentDate', date) +
      '<FulfillmentData>' +
      carrier +
      (order.shippingMethod === undefined ? '' : element('ShippingMethod', order.shippingMethod)) +
      (order.trackingNumber === undefined ? '' : element('ShipperTrackingNumber', order.trackingNumber)) +
      '</FulfillmentData>' +
      items.join('') +
      '</OrderFulfillment>'
    );
  });
}
