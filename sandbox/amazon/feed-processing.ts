/**
 * What Amazon does with an order feed: parse the AmazonEnvelope, apply each Message on its own
 * (a bad message is reported and skipped, good ones in the same feed apply), and write the
 * ProcessingReport. A document that is not well-formed XML or not a valid envelope is FATAL.
 *
 * Supported feed types and their message element:
 * - POST_ORDER_ACKNOWLEDGEMENT_DATA / OrderAcknowledgement: StatusCode Failure cancels the listed
 *   items (or the whole order); Success with MerchantOrderID records the seller's order id.
 * - POST_PAYMENT_ADJUSTMENT_DATA / OrderAdjustment: refunds per item and component
 *   (Principal, Shipping, Tax, ShippingTax), never more than was charged.
 * - POST_ORDER_FULFILLMENT_DATA / OrderFulfillment: ships items with carrier and tracking.
 *
 * ResultMessageCode 5000 (malformed XML) is Amazon's; the others are the sandbox's own, stable
 * codes (see RESULT_CODES) since Amazon does not publish a complete list.
 */
import { parseIsoDateTime } from './clock.ts';
import { formatMoney, MoneyFormatError, parseMoney } from './money.ts';
import { orderStatus, type OrderBook, type OrderItemState, type OrderState, type RefundComponent } from './order-book.ts';
import { applyShipment, type ShipmentRefusal } from './shipments.ts';
import { child, children, childText, el, elWithAttributes, parseXml, renderXml, XmlError, type XmlElement } from '../../src/amazon/xml.ts';

export const FEED_MESSAGE_TYPES = {
  POST_ORDER_ACKNOWLEDGEMENT_DATA: 'OrderAcknowledgement',
  POST_PAYMENT_ADJUSTMENT_DATA: 'OrderAdjustment',
  POST_ORDER_FULFILLMENT_DATA: 'OrderFulfillment',
} as const;
export type FeedType = keyof typeof FEED_MESSAGE_TYPES;

export function isFeedType(value: unknown): value is FeedType {
  return typeof value === 'string' && Object.hasOwn(FEED_MESSAGE_TYPES, value);
}

export const RESULT_CODES = {
  MALFORMED_XML: 5000,
  INVALID_ENVELOPE: 5001,
  INVALID_MESSAGE: 5002,
  ORDER_NOT_FOUND: 18028,
  ITEM_NOT_FOUND: 18029,
  ORDER_STATE: 18030,
  REFUND_TOO_HIGH: 18031,
  CURRENCY_MISMATCH: 18032,
  QUANTITY: 18033,
  DUPLICATE_PACKAGE: 18034,
  /** A messageError fault: the message was not processed and can be submitted again. */
  TRY_AGAIN: 18035,
} as const;

export const CANCEL_REASONS = [
  'NoInventory',
  'ShippingAddressUndeliverable',
  'CustomerExchange',
  'BuyerCanceled',
  'GeneralAdjustment',
  'CarrierCreditDecision',
  'RiskAssessmentInformationNotValid',
  'CarrierCoverageFailure',
  'CustomerReturn',
  'MerchandiseNotReceived',
] as const;

export const ADJUSTMENT_REASONS = [
  'NoInventory',
  'CustomerReturn',
  'GeneralAdjustment',
  'CouldNotShip',
  'DifferentItem',
  'Abandoned',
  'CustomerCancel',
  'PriceError',
  'ProductOutofStock',
  'CustomerAddressIncorrect',
  'Exchange',
  'Other',
  'CarrierCreditDecision',
  'RiskAssessmentInformationNotValid',
  'CarrierCoverageFailure',
  'TransactionRecord',
  'Undeliverable',
  'RefusedDelivery',
] as const;

const REFUND_COMPONENTS: readonly RefundComponent[] = ['Principal', 'Shipping', 'Tax', 'ShippingTax'];

export interface MessageResult {
  messageId: string;
  resultCode: 'Error';
  resultMessageCode: number;
  description: string;
  amazonOrderId?: string;
}

export interface FeedOutcome {
  fatal: boolean;
  messagesProcessed: number;
  messagesSuccessful: number;
  results: MessageResult[];
}

export interface FeedContext {
  book: OrderBook;
  feedId: string;
  sellerId: string;
  marketplaceIds: readonly string[];
  /** Sandbox time the feed is applied at. */
  at: number;
  /** Reject the first message without applying it (a messageError fault). */
  rejectFirstMessage?: boolean;
}

/** A refusal of one message; thrown inside message handlers, caught per message. */
class MessageFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function fatal(code: number, description: string): FeedOutcome {
  return { fatal: true, messagesProcessed: 0, messagesSuccessful: 0, results: [{ messageId: '0', resultCode: 'Error', resultMessageCode: code, description }] };
}

function required(parent: XmlElement, name: string, where: string): string {
  const text = childText(parent, name);
  if (text === undefined || text === '') throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `${where} is missing the required element ${name}.`);
  return text;
}

export function processFeed(context: FeedContext, feedType: FeedType, content: Buffer | undefined): FeedOutcome {
  if (content === undefined || content.length === 0) return fatal(RESULT_CODES.INVALID_ENVELOPE, 'The feed document has no content: upload it to the URL from createFeedDocument before createFeed.');
  let root: XmlElement;
  try {
    root = parseXml(content.toString('utf8'));
  } catch (error) {
    if (error instanceof XmlError) {
      return fatal(RESULT_CODES.MALFORMED_XML, `XML Parsing Fatal Error at Line ${error.line}, Column ${error.column}: ${error.message}`);
    }
    throw error;
  }
  const messageType = FEED_MESSAGE_TYPES[feedType];
  const envelopeProblem = checkEnvelope(root, messageType);
  if (envelopeProblem) return fatal(RESULT_CODES.INVALID_ENVELOPE, envelopeProblem);

  const results: MessageResult[] = [];
  const messages = children(root, 'Message');
  for (const [index, message] of messages.entries()) {
    const messageId = childText(message, 'MessageID')!;
    const body = child(message, messageType);
    const amazonOrderId = body ? childText(body, 'AmazonOrderID') : undefined;
    try {
      if (!body) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `Message ${messageId} has no ${messageType} element.`);
      if (index === 0 && context.rejectFirstMessage) {
        throw new MessageFailure(RESULT_CODES.TRY_AGAIN, `Message ${messageId} could not be processed at this time. Submit it again in a new feed.`);
      }
      const order = findOrder(context, body);
      if (messageType === 'OrderAcknowledgement') acknowledge(context, order, body);
      else if (messageType === 'OrderAdjustment') adjust(context, order, body, messageId);
      else fulfil(context, order, body);
    } catch (error) {
      if (!(error instanceof MessageFailure)) throw error;
      results.push({ messageId, resultCode: 'Error', resultMessageCode: error.code, description: error.message, ...(amazonOrderId ? { amazonOrderId } : {}) });
    }
  }
  return { fatal: false, messagesProcessed: messages.length, messagesSuccessful: messages.length - results.length, results };
}

/** What makes the whole document unusable (FATAL), or null. */
function checkEnvelope(root: XmlElement, messageType: string): string | null {
  if (root.name !== 'AmazonEnvelope') return `The root element must be AmazonEnvelope, not ${root.name}.`;
  const header = child(root, 'Header');
  if (!header) return 'The AmazonEnvelope has no Header.';
  if (!childText(header, 'DocumentVersion')) return 'The Header has no DocumentVersion.';
  if (!childText(header, 'MerchantIdentifier')) return 'The Header has no MerchantIdentifier.';
  const type = childText(root, 'MessageType');
  if (type !== messageType) return `MessageType must be ${messageType} for this feed type, got ${type === undefined ? 'none' : `"${type}"`}.`;
  const messages = children(root, 'Message');
  if (messages.length === 0) return 'The AmazonEnvelope contains no Message.';
  const seen = new Set<string>();
  for (const message of messages) {
    const id = childText(message, 'MessageID');
    if (id === undefined || !/^[1-9]\d{0,19}$/.test(id)) return `Every Message needs a MessageID that is a positive integer, got ${id === undefined ? 'none' : `"${id}"`}.`;
    if (seen.has(id)) return `MessageID ${id} is used twice.`;
    seen.add(id);
  }
  return null;
}

function findOrder(context: FeedContext, body: XmlElement): OrderState {
  const orderId = required(body, 'AmazonOrderID', body.name);
  const order = context.book.get(orderId);
  if (!order || order.sellerId !== context.sellerId) throw new MessageFailure(RESULT_CODES.ORDER_NOT_FOUND, `Order ${orderId} was not found for this seller.`);
  if (!context.marketplaceIds.includes(order.marketplaceId)) {
    throw new MessageFailure(RESULT_CODES.ORDER_NOT_FOUND, `Order ${orderId} belongs to marketplace ${order.marketplaceId}, which is not one of this feed's marketplaceIds.`);
  }
  return order;
}

function findItem(order: OrderState, code: string): OrderItemState {
  const item = order.items.find((i) => i.orderItemId === code);
  if (!item) throw new MessageFailure(RESULT_CODES.ITEM_NOT_FOUND, `AmazonOrderItemCode ${code} is not in order ${order.orderId}.`);
  return item;
}

function acknowledge(context: FeedContext, order: OrderState, body: XmlElement): void {
  const statusCode = required(body, 'StatusCode', 'OrderAcknowledgement');
  if (statusCode === 'Success') {
    const merchantOrderId = childText(body, 'MerchantOrderID');
    if (merchantOrderId) {
      order.aliases = [...order.aliases.filter((a) => a.aliasType !== 'SELLER_ORDER_ID'), { aliasId: merchantOrderId, aliasType: 'SELLER_ORDER_ID' }];
      context.book.touch(order, context.at);
    }
    return;
  }
  if (statusCode !== 'Failure') throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `StatusCode must be Success or Failure, got "${statusCode}".`);
  if (order.fulfilledBy === 'AMAZON') throw new MessageFailure(RESULT_CODES.ORDER_STATE, `Order ${order.orderId} is fulfilled by Amazon and cannot be cancelled by the seller.`);
  const status = orderStatus(order);
  if (status === 'PENDING' || status === 'PENDING_AVAILABILITY') {
    throw new MessageFailure(RESULT_CODES.ORDER_STATE, `Order ${order.orderId} is ${status}; pending orders cannot be cancelled by feed.`);
  }
  const itemElements = children(body, 'Item');
  const cancels: Array<{ item: OrderItemState; reason: string }> = [];
  if (itemElements.length === 0) {
    for (const item of order.items) cancels.push({ item, reason: 'GeneralAdjustment' });
  } else {
    for (const element of itemElements) {
      const item = findItem(order, required(element, 'AmazonOrderItemCode', 'Item'));
      const reason = required(element, 'CancelReason', 'Item');
      if (!(CANCEL_REASONS as readonly string[]).includes(reason)) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `CancelReason "${reason}" is not valid.`);
      cancels.push({ item, reason });
    }
  }
  for (const { item } of cancels) {
    if (item.quantityShipped > 0) {
      throw new MessageFailure(RESULT_CODES.ORDER_STATE, `Order item ${item.orderItemId} of order ${order.orderId} has shipped and cannot be cancelled.`);
    }
  }
  const toCancel = cancels.filter(({ item }) => item.quantityCancelled < item.quantityOrdered);
  if (toCancel.length === 0) return; // already cancelled: acknowledging again changes nothing
  for (const { item, reason } of toCancel) context.book.cancelItem(item, 'MERCHANT', reason);
  context.book.touch(order, context.at, { type: 'OrderStatusChange', reason: 'Canceled by Seller' });
}

function adjust(context: FeedContext, order: OrderState, body: XmlElement, messageId: string): void {
  const actionType = childText(body, 'ActionType');
  if (actionType !== undefined && actionType !== 'Refund' && actionType !== 'Cancel') {
    throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `ActionType must be Refund or Cancel, got "${actionType}".`);
  }
  const status = orderStatus(order);
  if (status !== 'SHIPPED' && status !== 'PARTIALLY_SHIPPED') {
    throw new MessageFailure(RESULT_CODES.ORDER_STATE, `Order ${order.orderId} is ${status}: only shipped (charged) orders can be refunded.`);
  }
  const adjusted = children(body, 'AdjustedItem');
  if (adjusted.length === 0) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, 'OrderAdjustment needs at least one AdjustedItem.');
  const refunds: Array<{ item: OrderItemState; reason: string; components: Record<RefundComponent, bigint> }> = [];
  for (const element of adjusted) {
    const item = findItem(order, required(element, 'AmazonOrderItemCode', 'AdjustedItem'));
    if (item.quantityShipped === 0) throw new MessageFailure(RESULT_CODES.ORDER_STATE, `Order item ${item.orderItemId} has not shipped and was not charged.`);
    const reason = required(element, 'AdjustmentReason', 'AdjustedItem');
    if (!(ADJUSTMENT_REASONS as readonly string[]).includes(reason)) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `AdjustmentReason "${reason}" is not valid.`);
    const priceAdjustments = child(element, 'ItemPriceAdjustments');
    const components = priceAdjustments ? children(priceAdjustments, 'Component') : [];
    if (components.length === 0) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, 'AdjustedItem needs ItemPriceAdjustments with at least one Component.');
    const amounts: Record<RefundComponent, bigint> = { Principal: 0n, Shipping: 0n, Tax: 0n, ShippingTax: 0n };
    const seen = new Set<string>();
    for (const component of components) {
      const type = required(component, 'Type', 'Component');
      if (!(REFUND_COMPONENTS as readonly string[]).includes(type)) {
        throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `Component Type "${type}" is not supported (use ${REFUND_COMPONENTS.join(', ')}).`);
      }
      if (seen.has(type)) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `Component ${type} is given twice for item ${item.orderItemId}.`);
      seen.add(type);
      const amount = child(component, 'Amount');
      if (!amount) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, 'Component is missing the required element Amount.');
      const currency = amount.attributes.currency;
      if (currency !== order.currency) {
        throw new MessageFailure(RESULT_CODES.CURRENCY_MISMATCH, `Amount currency "${currency ?? ''}" does not match the order currency ${order.currency}.`);
      }
      try {
        amounts[type as RefundComponent] = parseMoney(amount.text.trim(), order.currency);
      } catch (error) {
        if (error instanceof MoneyFormatError) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `Amount for ${type}: ${error.message}.`);
        throw error;
      }
    }
    refunds.push({ item, reason, components: amounts });
  }
  // Every item and component: refunded before + in this message <= charged.
  for (const { item } of refunds) {
    const charged: Record<RefundComponent, bigint> = {
      Principal: item.unitPrice * BigInt(item.quantityOrdered) - item.itemDiscount,
      Shipping: item.shipping,
      Tax: item.itemTax,
      ShippingTax: item.shippingTax,
    };
    for (const component of REFUND_COMPONENTS) {
      const earlier = order.refunds.filter((r) => r.orderItemId === item.orderItemId).reduce((n, r) => n + r.components[component], 0n);
      const now = refunds.filter((r) => r.item === item).reduce((n, r) => n + r.components[component], 0n);
      if (earlier + now > charged[component]) {
        const m = (v: bigint) => `${formatMoney(v, order.currency)} ${order.currency}`;
        throw new MessageFailure(
          RESULT_CODES.REFUND_TOO_HIGH,
          `The ${component} refund for order item ${item.orderItemId} exceeds what was charged: charged ${m(charged[component])}, refunded before ${m(earlier)}, requested ${m(now)}.`,
        );
      }
    }
  }
  for (const { item, reason, components } of refunds) {
    order.refunds.push({ at: context.at, feedId: context.feedId, messageId, orderItemId: item.orderItemId, reason, components });
  }
  context.book.touch(order, context.at);
}

function fulfil(context: FeedContext, order: OrderState, body: XmlElement): void {
  const dateText = required(body, 'FulfillmentDate', 'OrderFulfillment');
  const shipTime = parseIsoDateTime(dateText);
  if (shipTime === null) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `FulfillmentDate "${dateText}" is not an ISO 8601 date-time.`);
  const data = child(body, 'FulfillmentData');
  if (!data) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, 'OrderFulfillment is missing the required element FulfillmentData.');
  const carrierCode = childText(data, 'CarrierCode');
  const carrierName = childText(data, 'CarrierName');
  if (!carrierCode && !carrierName) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, 'FulfillmentData needs CarrierCode or CarrierName.');
  const items: Array<{ orderItemId: string; quantity: number }> = [];
  const itemElements = children(body, 'Item');
  if (itemElements.length === 0) {
    for (const item of order.items) {
      const open = item.quantityOrdered - item.quantityShipped - item.quantityCancelled;
      if (open > 0) items.push({ orderItemId: item.orderItemId, quantity: open });
    }
  }
  for (const element of itemElements) {
    const code = required(element, 'AmazonOrderItemCode', 'Item');
    const quantityText = required(element, 'Quantity', 'Item');
    if (!/^[1-9]\d*$/.test(quantityText)) throw new MessageFailure(RESULT_CODES.INVALID_MESSAGE, `Quantity "${quantityText}" must be a positive integer.`);
    items.push({ orderItemId: code, quantity: Number(quantityText) });
  }
  const merchantFulfillmentId = childText(body, 'MerchantFulfillmentID');
  const packageReferenceId =
    merchantFulfillmentId && /^[1-9]\d*$/.test(merchantFulfillmentId)
      ? merchantFulfillmentId
      : String(order.packages.reduce((max, p) => Math.max(max, /^\d+$/.test(p.packageReferenceId) ? Number(p.packageReferenceId) : 0), 0) + 1);
  const refusal = applyShipment(
    context.book,
    order,
    {
      packageReferenceId,
      carrierCode: carrierCode || 'Other',
      carrierName: carrierName || undefined,
      shippingMethod: childText(data, 'ShippingMethod') || undefined,
      trackingNumber: childText(data, 'ShipperTrackingNumber') || undefined,
      shipTime,
      items,
      via: 'feed',
    },
    context.at,
  );
  if (refusal) throw new MessageFailure(refusalCode(refusal), refusal.message);
}

function refusalCode(refusal: ShipmentRefusal): number {
  switch (refusal.code) {
    case 'ORDER_STATE':
      return RESULT_CODES.ORDER_STATE;
    case 'UNKNOWN_ITEM':
      return RESULT_CODES.ITEM_NOT_FOUND;
    case 'QUANTITY':
      return RESULT_CODES.QUANTITY;
    case 'DUPLICATE_PACKAGE':
      return RESULT_CODES.DUPLICATE_PACKAGE;
    case 'INVALID':
      return RESULT_CODES.INVALID_MESSAGE;
  }
}

/** The ProcessingReport document Amazon returns as the feed's result. */
export function renderProcessingReport(sellerId: string, feedId: string, outcome: FeedOutcome): string {
  return renderXml(
    elWithAttributes(
      'AmazonEnvelope',
      { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'xsi:noNamespaceSchemaLocation': 'amzn-envelope.xsd' },
      el('Header', el('DocumentVersion', '1.02'), el('MerchantIdentifier', sellerId)),
      el('MessageType', 'ProcessingReport'),
      el(
        'Message',
        el('MessageID', '1'),
        el(
          'ProcessingReport',
          el('DocumentTransactionID', feedId),
          el('StatusCode', 'Complete'),
          el(
            'ProcessingSummary',
            el('MessagesProcessed', outcome.messagesProcessed),
            el('MessagesSuccessful', outcome.messagesSuccessful),
            el('MessagesWithError', outcome.fatal ? 0 : outcome.results.length),
            el('MessagesWithWarning', 0),
          ),
          ...outcome.results.map((r) =>
            el(
              'Result',
              el('MessageID', r.messageId),
              el('ResultCode', r.resultCode),
              el('ResultMessageCode', r.resultMessageCode),
              el('ResultDescription', r.description),
              r.amazonOrderId ? el('AdditionalInfo', el('AmazonOrderID', r.amazonOrderId)) : undefined,
            ),
          ),
        ),
      ),
    ),
  );
}
