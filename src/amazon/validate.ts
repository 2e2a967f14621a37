/**
 * Validation at the boundary: every SP-API response body is checked here before the module uses
 * it. A small declarative schema (no runtime dependency) mirrors the model definitions the module
 * relies on; `SCHEMAS` is keyed by the model's definition names so a test can compare each one with
 * the official model (required properties, property types).
 *
 * Unknown properties are allowed (Amazon adds fields without a new version). A property the model
 * does not require may be absent, but when present it must have the model's type: `null` is not
 * accepted for an optional field, because the model does not declare any field nullable.
 */
import { AmazonResponseError, requestIdNote, type ValidationIssue } from './errors.ts';
import { shorten } from '../text.ts';
import {
  FEED_PROCESSING_STATUSES,
  FULFILLED_BY,
  FULFILLMENT_STATUSES,
  type CreateFeedDocumentResponse,
  type CreateFeedResponse,
  type Feed,
  type FeedDocument,
  type Order,
  type SearchOrdersResponse,
} from './models.ts';

export type Schema =
  | { type: 'string'; format?: StringFormat; enum?: readonly string[]; minLength?: number }
  | { type: 'integer'; minimum?: number }
  | { type: 'number' }
  | { type: 'boolean' }
  | { type: 'array'; items: Schema }
  | ObjectSchema
  /** Accepts anything: used where the caller validates the value separately. */
  | { type: 'unknown' };

export interface ObjectSchema {
  type: 'object';
  /** The model definition this mirrors, for messages and the model comparison test. */
  definition: string;
  properties: Record<string, Schema>;
  required: readonly string[];
}

export type StringFormat = 'date-time' | 'date' | 'decimal' | 'currency';

/** A decimal amount as Amazon writes it: optional minus, digits, optional fraction. No exponent. */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
/** ISO 8601 date-time with a zone (RFC 3339 profile; seconds optional, ":" in the offset optional). */
const DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO 4217: the module stores it in a 3-character column. */
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** A required text a caller left out, passed as something else, or left empty. */
export function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/** A day the calendar has: Date.parse rolls impossible ones over (2026-02-30 is March 2nd), so it is checked here. */
function isCalendarDate(year: string, month: string, day: string): boolean {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function isDateTime(value: string): boolean {
  const match = DATE_TIME_PATTERN.exec(value);
  if (!match) return false;
  const [, year, month, day, hour, minute, second = '00', , offsetHours = '00', offsetMinutes = '00'] = match;
  return (
    isCalendarDate(year!, month!, day!) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 23 &&
    Number(offsetMinutes) <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

function isDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  return match !== null && isCalendarDate(match[1]!, match[2]!, match[3]!);
}

/**
 * How deep a document may nest. The deepest Order the model describes nests about ten levels; what
 * Amazon adds (unknown properties are accepted) gets room to spare. Deeper documents are refused:
 * storing one (JSON.stringify) and reading it back recurse, and a few thousand levels overflow the
 * stack, failing the whole page that carries the order on every run.
 */
export const MAX_DEPTH = 64;

/** Whether `value` nests more than `levels` containers deep (without recursing itself). */
function nestsDeeper(value: unknown, levels: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > levels) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

// --- schema builders (kept terse so the definitions below read like the model) ---------------

const string = (extra: { enum?: readonly string[]; minLength?: number } = {}): Schema => ({ type: 'string', ...extra });
const id = (): Schema => ({ type: 'string', minLength: 1 });
const dateTime = (): Schema => ({ type: 'string', format: 'date-time' });
const integer = (minimum?: number): Schema => (minimum === undefined ? { type: 'integer' } : { type: 'integer', minimum });
const number = (): Schema => ({ type: 'number' });
const array = (items: Schema): Schema => ({ type: 'array', items });
const object = (definition: string, properties: Record<string, Schema>, required: readonly string[] = []): ObjectSchema => ({
  type: 'object',
  definition,
  properties,
  required,
});

// --- Orders API v2026-01-01 --------------------------------------------------------------------

const Money = object('Money', { amount: { type: 'string', format: 'decimal' }, currencyCode: { type: 'string', format: 'currency' } }, [
  'amount',
  'currencyCode',
]);
const DateTimeRange = object('DateTimeRange', { earliestDateTime: dateTime(), latestDateTime: dateTime() });
const Alias = object('Alias', { aliasId: string(), aliasType: string() }, ['aliasId', 'aliasType']);
const SalesChannel = object('SalesChannel', { channelName: string(), marketplaceId: string(), marketplaceName: string() }, ['channelName']);
const Buyer = object('Buyer', { buyerName: string(), buyerEmail: string(), buyerCompanyName: string(), buyerPurchaseOrderNumber: string() });
const AddressExtendedFields = object('AddressExtendedFields', {
  streetName: string(),
  streetNumber: string(),
  complement: string(),
  neighborhood: string(),
});
const CustomerAddress = object('CustomerAddress', {
  name: string(),
  companyName: string(),
  addressLine1: string(),
  addressLine2: string(),
  addressLine3: string(),
  city: string(),
  districtOrCounty: string(),
  stateOrRegion: string(),
  municipality: string(),
  postalCode: string(),
  countryCode: string(),
  phone: string(),
  extendedFields: AddressExtendedFields,
  addressType: string(),
});
const Recipient = object('Recipient', { deliveryAddress: CustomerAddress });
const OrderProceedsBreakdown = object('OrderProceedsBreakdown', { type: string(), status: string(), subtotal: Money }, ['type', 'subtotal']);
const OrderProceeds = object('OrderProceeds', { grandTotal: Money, breakdowns: array(OrderProceedsBreakdown) });
const OrderFulfillment = object(
  'OrderFulfillment',
  {
    fulfillmentStatus: string({ enum: FULFILLMENT_STATUSES }),
    // Stricter than the model ("possible values"): the import decides stock and timing on it.
    fulfilledBy: string({ enum: FULFILLED_BY }),
    fulfillmentServiceLevel: string(),
    shipByWindow: DateTimeRange,
    deliverByWindow: DateTimeRange,
    labelPrintingWindow: DateTimeRange,
  },
  ['fulfillmentStatus'],
);
const PackageStatus = object(
  'PackageStatus',
  { status: string({ enum: ['PENDING', 'IN_TRANSIT', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'UNDELIVERABLE'] }), detailedStatus: string() },
  ['status'],
);
const PackageItem = object('PackageItem', { orderItemId: string(), quantity: integer(), transparencyCodes: array(string()) }, [
  'orderItemId',
  'quantity',
]);
const OrderPackage = object(
  'OrderPackage',
  {
    packageReferenceId: string(),
    createdTime: dateTime(),
    packageStatus: PackageStatus,
    carrier: string(),
    shipTime: dateTime(),
    shippingService: string(),
    trackingNumber: string(),
    packageItems: array(PackageItem),
  },
  ['packageReferenceId'],
);
const FulfillmentOrder = object('FulfillmentOrder', { fulfillmentOrderId: string() }, ['fulfillmentOrderId']);
const Measurement = object('Measurement', { unit: string(), value: number() }, ['unit', 'value']);
const ItemCondition = object('ItemCondition', { conditionType: string(), conditionSubtype: string(), conditionNote: string() });
const ItemPrice = object('ItemPrice', { unitPrice: Money, priceDesignation: string() });
const ItemProduct = object('ItemProduct', {
  asin: string(),
  title: string(),
  sellerSku: string(),
  condition: ItemCondition,
  price: ItemPrice,
  serialNumbers: array(string()),
});
const ItemProceedsDetailedBreakdown = object('ItemProceedsDetailedBreakdown', { subtype: string(), value: Money });
const ItemProceedsBreakdown = object(
  'ItemProceedsBreakdown',
  { type: string(), subtotal: Money, detailedBreakdowns: array(ItemProceedsDetailedBreakdown) },
  ['type', 'subtotal'],
);
const ItemProceeds = object('ItemProceeds', { proceedsTotal: Money, breakdowns: array(ItemProceedsBreakdown) });
const PointsGranted = object('PointsGranted', { pointsNumber: integer(), pointsMonetaryValue: Money });
const ItemPointsCost = object('ItemPointsCost', { pointsGranted: PointsGranted });
const ItemExpense = object('ItemExpense', { pointsCost: ItemPointsCost });
const ItemPromotionBreakdown = object('ItemPromotionBreakdown', { promotionId: string() });
const ItemPromotion = object('ItemPromotion', { breakdowns: array(ItemPromotionBreakdown) });
const ItemCancellationRequest = object('ItemCancellationRequest', { requester: string(), cancelReason: string() });
const ItemCancellationExecution = object('ItemCancellationExecution', { cancelledBy: string(), cancelReason: string() });
const ItemCancellation = object('ItemCancellation', {
  cancellationRequest: ItemCancellationRequest,
  cancellationExecution: ItemCancellationExecution,
});
const ItemSubstitutionOption = object('ItemSubstitutionOption', {
  asin: string(),
  quantityOrdered: integer(),
  sellerSku: string(),
  title: string(),
  measurement: Measurement,
});
const ItemSubstitutionPreference = object(
  'ItemSubstitutionPreference',
  {
    substitutionType: string({ enum: ['CUSTOMER_PREFERENCE', 'AMAZON_RECOMMENDED', 'DO_NOT_SUBSTITUTE'] }),
    substitutionOptions: array(ItemSubstitutionOption),
  },
  ['substitutionType'],
);
const ItemPicking = object('ItemPicking', { substitutionPreference: ItemSubstitutionPreference });
const GiftOption = object('GiftOption', { giftMessage: string(), giftWrapLevel: string() });
const ItemPacking = object('ItemPacking', { giftOption: GiftOption });
const ItemShipping = object('ItemShipping', { scheduledDeliveryWindow: DateTimeRange });
const ItemFulfillment = object('ItemFulfillment', {
  quantityFulfilled: integer(0),
  quantityUnfulfilled: integer(0),
  picking: ItemPicking,
  packing: ItemPacking,
  shipping: ItemShipping,
});
const ItemTaxCalculationBreakdown = object('ItemTaxCalculationBreakdown', { reportingScheme: string() });
const ItemTaxCollection = object('ItemTaxCollection', { model: string(), responsibleParty: string() });
const ItemTax = object('ItemTax', { taxCalculationBreakdowns: array(ItemTaxCalculationBreakdown), taxCollections: array(ItemTaxCollection) });
const OrderItem = object(
  'OrderItem',
  {
    orderItemId: id(),
    // Amazon reports 0 ordered units on a fully cancelled item.
    quantityOrdered: integer(0),
    measurement: Measurement,
    programs: array(string()),
    product: ItemProduct,
    proceeds: ItemProceeds,
    expense: ItemExpense,
    promotion: ItemPromotion,
    cancellation: ItemCancellation,
    fulfillment: ItemFulfillment,
    tax: ItemTax,
  },
  ['orderItemId', 'quantityOrdered', 'product'],
);
const OrderSchema = object(
  'Order',
  {
    orderId: id(),
    orderAliases: array(Alias),
    createdTime: dateTime(),
    lastUpdatedTime: dateTime(),
    programs: array(string()),
    salesChannel: SalesChannel,
    buyer: Buyer,
    recipient: Recipient,
    proceeds: OrderProceeds,
    fulfillment: OrderFulfillment,
    orderItems: array(OrderItem),
    packages: array(OrderPackage),
    fulfillmentOrders: array(FulfillmentOrder),
  },
  ['orderId', 'createdTime', 'lastUpdatedTime', 'salesChannel', 'orderItems'],
);
const Pagination = object('Pagination', { nextToken: string() });
const SearchOrdersResponseSchema = object(
  'SearchOrdersResponse',
  { orders: array(OrderSchema), pagination: Pagination, lastUpdatedBefore: dateTime(), createdBefore: dateTime() },
  ['orders'],
);
const GetOrderResponseSchema = object('GetOrderResponse', { order: OrderSchema }, ['order']);

// --- Feeds API 2021-06-30 ----------------------------------------------------------------------

const CreateFeedDocumentResponseSchema = object('CreateFeedDocumentResponse', { feedDocumentId: id(), url: id() }, ['feedDocumentId', 'url']);
const CreateFeedResponseSchema = object('CreateFeedResponse', { feedId: id() }, ['feedId']);
const FeedSchema = object(
  'Feed',
  {
    feedId: id(),
    feedType: string(),
    marketplaceIds: array(string()),
    createdTime: dateTime(),
    processingStatus: string({ enum: FEED_PROCESSING_STATUSES }),
    processingStartTime: dateTime(),
    processingEndTime: dateTime(),
    resultFeedDocumentId: string(),
  },
  ['createdTime', 'feedId', 'feedType', 'processingStatus'],
);
const FeedDocumentSchema = object('FeedDocument', { feedDocumentId: id(), url: id(), compressionAlgorithm: string({ enum: ['GZIP'] }) }, [
  'feedDocumentId',
  'url',
]);

/** The schemas by model definition name (orders v2026-01-01 and feeds share no names the module uses). */
export const SCHEMAS = {
  orders: {
    Money,
    DateTimeRange,
    Alias,
    SalesChannel,
    Buyer,
    AddressExtendedFields,
    CustomerAddress,
    Recipient,
    OrderProceedsBreakdown,
    OrderProceeds,
    OrderFulfillment,
    PackageStatus,
    PackageItem,
    OrderPackage,
    FulfillmentOrder,
    Measurement,
    ItemCondition,
    ItemPrice,
    ItemProduct,
    ItemProceedsDetailedBreakdown,
    ItemProceedsBreakdown,
    ItemProceeds,
    PointsGranted,
    ItemPointsCost,
    ItemExpense,
    ItemPromotionBreakdown,
    ItemPromotion,
    ItemCancellationRequest,
    ItemCancellationExecution,
    ItemCancellation,
    ItemSubstitutionOption,
    ItemSubstitutionPreference,
    ItemPicking,
    GiftOption,
    ItemPacking,
    ItemShipping,
    ItemFulfillment,
    ItemTaxCalculationBreakdown,
    ItemTaxCollection,
    ItemTax,
    OrderItem,
    Order: OrderSchema,
    Pagination,
    SearchOrdersResponse: SearchOrdersResponseSchema,
    GetOrderResponse: GetOrderResponseSchema,
  },
  feeds: {
    CreateFeedDocumentResponse: CreateFeedDocumentResponseSchema,
    CreateFeedResponse: CreateFeedResponseSchema,
    Feed: FeedSchema,
    FeedDocument: FeedDocumentSchema,
  },
} satisfies Record<string, Record<string, ObjectSchema>>;

// --- the validator -----------------------------------------------------------------------------

/**
 * A wrong value where an object or a list belongs: by its kind only, as in plain string fields,
 * because that is where the buyer's name, address or phone number would be (`buyer: "Jane Doe"`).
 */
const container = kind;

/** A value's kind only: what a message may say about a value that could be buyer data. */
function kind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** How a wrong value is shown: primitives as JSON (strings cut short, between two characters), containers by kind only. */
function describe(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'object') return kind(value);
  if (typeof value === 'string') return JSON.stringify(shorten(value, 41));
  return String(value);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Checks `value` against `schema`; returns every issue found (empty when valid). */
export function validateValue(schema: Schema, value: unknown, path = '', issues: ValidationIssue[] = [], depth = 1): ValidationIssue[] {
  const fail = (message: string) => issues.push({ path, message });
  switch (schema.type) {
    case 'unknown':
      return issues;
    case 'string': {
      if (typeof value !== 'string') {
        // Buyer data (names, addresses, phone, e-mail) lives in plain string fields: for those, say
        // only what kind of value came. Dates, amounts, codes and enums show the value itself.
        const plain = schema.format === undefined && schema.enum === undefined;
        fail(`expected string, got ${plain ? kind(value) : describe(value)}`);
        break;
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) fail('expected a non-empty string, got ""');
      else if (schema.enum && !schema.enum.includes(value)) fail(`expected one of ${schema.enum.join(', ')}, got ${describe(value)}`);
      else if (schema.format === 'date-time' && !isDateTime(value)) fail(`expected an ISO 8601 date-time, got ${describe(value)}`);
      else if (schema.format === 'date' && !isDate(value)) fail(`expected a date (YYYY-MM-DD), got ${describe(value)}`);
      else if (schema.format === 'decimal' && !DECIMAL_PATTERN.test(value)) fail(`expected a decimal string, got ${describe(value)}`);
      else if (schema.format === 'currency' && !CURRENCY_PATTERN.test(value)) fail(`expected a 3-letter currency code, got ${describe(value)}`);
      break;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(`expected integer, got ${describe(value)}`);
      else if (schema.minimum !== undefined && value < schema.minimum) fail(`expected an integer >= ${schema.minimum}, got ${value}`);
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`expected number, got ${describe(value)}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') fail(`expected boolean, got ${describe(value)}`);
      break;
    case 'array':
      if (!Array.isArray(value)) {
        fail(`expected array, got ${container(value)}`);
        break;
      }
      value.forEach((item, index) => validateValue(schema.items, item, join(path, index), issues, depth + 1));
      break;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(`expected object (${schema.definition}), got ${container(value)}`);
        break;
      }
      const record = value as Record<string, unknown>;
      for (const key of schema.required) {
        if (record[key] === undefined) issues.push({ path: join(path, key), message: 'required property missing' });
      }
      for (const [key, propertySchema] of Object.entries(schema.properties)) {
        if (record[key] !== undefined) validateValue(propertySchema, record[key], join(path, key), issues, depth + 1);
      }
      // Properties the model does not have are not checked, only how deep they nest (named by where they are: a key can be anything).
      if (Object.keys(record).some((key) => !Object.hasOwn(schema.properties, key) && nestsDeeper(record[key], MAX_DEPTH - depth))) {
        fail(`a property the model does not define nests more than ${MAX_DEPTH} levels deep`);
      }
      break;
    }
  }
  return issues;
}

export interface ResponseContext {
  operation: string;
  requestId: string | null;
}

function formatIssues(issues: ValidationIssue[]): string {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
  return `${first.path === '' ? '(body)' : first.path}: ${first.message}${more}`;
}

/** Amazon's order ids have 19 characters (the module keeps 32): a longer one is cut, so a message stays short whatever came. */
const SHOWN_ORDER_ID_CHARS = 32;

function responseError(context: ResponseContext, locator: string, orderId: string | null, issues: ValidationIssue[]): AmazonResponseError {
  const where = locator === '' ? '' : orderId === null ? `${locator}: ` : `${locator} (orderId ${shorten(orderId, SHOWN_ORDER_ID_CHARS)}): `;
  const requestId = requestIdNote(context.requestId);
  const message = `Invalid ${context.operation} response: ${where}${formatIssues(issues)}${requestId}`;
  const firstPath = issues[0].path;
  const fullPath = locator === '' ? firstPath : firstPath === '' ? locator : `${locator}.${firstPath}`;
  return new AmazonResponseError(message, context.operation, context.requestId, orderId, fullPath, issues);
}

/** Validates a whole body against an object schema; throws AmazonResponseError naming the path. */
export function parseResponse<T>(schema: ObjectSchema, body: unknown, context: ResponseContext): T {
  const issues = validateValue(schema, body);
  if (issues.length > 0) throw responseError(context, '', null, issues);
  return body as T;
}

function rawOrderId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const orderId = (raw as { orderId?: unknown }).orderId;
  return typeof orderId === 'string' && orderId !== '' ? orderId : null;
}

/** Validates one order; `locator` places it in the body (e.g. "orders[3]" or "order"). */
export function parseOrder(raw: unknown, context: ResponseContext, locator: string): Order {
  const issues = validateValue(OrderSchema, raw);
  if (issues.length > 0) throw responseError(context, locator, rawOrderId(raw), issues);
  return raw as Order;
}

/** An order of a page that failed validation: the caller records it, the rest of the page is used. */
export interface InvalidOrder {
  /** Position in the page's `orders` array. */
  index: number;
  /** The order id as sent, or null when the order had no usable `orderId`. */
  orderId: string | null;
  error: AmazonResponseError;
  /** The order exactly as Amazon sent it. */
  raw: unknown;
}

export interface ParsedSearchOrdersPage {
  orders: Order[];
  invalidOrders: InvalidOrder[];
  pagination?: SearchOrdersResponse['pagination'];
  lastUpdatedBefore?: string;
  createdBefore?: string;
}

/**
 * Validates a searchOrders page. The page structure (an object with an `orders` array, valid
 * pagination) must hold or the whole page is an error; each order is then validated on its own so
 * one bad order does not hide the others.
 */
export function parseSearchOrdersPage(body: unknown, context: ResponseContext): ParsedSearchOrdersPage {
  const envelope = { ...SearchOrdersResponseSchema, properties: { ...SearchOrdersResponseSchema.properties, orders: array({ type: 'unknown' }) } };
  const page = parseResponse<{ orders: unknown[] } & Omit<SearchOrdersResponse, 'orders'>>(envelope, body, context);
  const orders: Order[] = [];
  const invalidOrders: InvalidOrder[] = [];
  page.orders.forEach((raw, index) => {
    try {
      orders.push(parseOrder(raw, context, `orders[${index}]`));
    } catch (error) {
      if (!(error instanceof AmazonResponseError)) throw error;
      invalidOrders.push({ index, orderId: error.orderId, error, raw });
    }
  });
  return {
    orders,
    invalidOrders,
    ...(page.pagination === undefined ? {} : { pagination: page.pagination }),
    ...(page.lastUpdatedBefore === undefined ? {} : { lastUpdatedBefore: page.lastUpdatedBefore }),
    ...(page.createdBefore === undefined ? {} : { createdBefore: page.createdBefore }),
  };
}

export function parseGetOrderResponse(body: unknown, context: ResponseContext): Order {
  const envelope = { ...GetOrderResponseSchema, properties: { order: { type: 'unknown' } as Schema } };
  const { order } = parseResponse<{ order: unknown }>(envelope, body, context);
  return parseOrder(order, context, 'order');
}

export const parseCreateFeedDocumentResponse = (body: unknown, context: ResponseContext) =>
  parseResponse<CreateFeedDocumentResponse>(CreateFeedDocumentResponseSchema, body, context);
export const parseCreateFeedResponse = (body: unknown, context: ResponseContext) =>
  parseResponse<CreateFeedResponse>(CreateFeedResponseSchema, body, context);
export const parseFeed = (body: unknown, context: ResponseContext) => parseResponse<Feed>(FeedSchema, body, context);
export const parseFeedDocument = (body: unknown, context: ResponseContext) => parseResponse<FeedDocument>(FeedDocumentSchema, body, context);
