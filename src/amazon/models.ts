/**
 * Amazon's shapes the module relies on, each declared once: a TypeBox schema (JSON Schema, checked
 * at the boundary by validate.ts and compared with the official model by models-contract.test.ts)
 * and the static type TypeBox derives from it, under the same name as the model's definition.
 * - Orders API v2026-01-01 (`orders_2026-01-01.json`): searchOrders, getOrder;
 * - Orders API v0 (`ordersV0.json`): confirmShipment only (v0 reads are deprecated: never used);
 * - Feeds API 2021-06-30 (`feeds_2021-06-30.json`).
 *
 * Rules (TypeBox's defaults, kept on purpose):
 * - A property is optional exactly when the model does not list it in `required`; when present it
 *   must have the model's type: `null` is not accepted, the model declares nothing nullable.
 * - Unknown properties are allowed (Amazon adds fields without a new version). Only what the
 *   module reads is declared: a definition the module never reads is not checked either.
 * - Instants stay ISO 8601 strings as sent; callers parse them. Money is `{amount, currencyCode}`
 *   with the amount a decimal string: never turned into a float.
 * - Properties the model documents as "Possible values" (not an `enum`) are plain strings, because
 *   Amazon may add values; the known values are in the comment.
 *
 * What the module sends (request bodies) is built here too, never validated: plain types below.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { format } from './formats.ts';

// --- builders: terse, so the definitions below read like the model -----------------------------

/** A model definition: an object schema titled with the definition's name (messages and the model comparison use it). */
const definition = <P extends Record<string, TSchema>>(title: string, properties: P) => Type.Object(properties, { title });
const optional = Type.Optional;
const string = () => Type.String();
/** An id the module keys rows by: never empty. */
const id = () => Type.String({ minLength: 1 });
const dateTime = () => Type.String({ format: format('date-time') });
/** Safe integers only: beyond 2^53 a JSON number is no longer the integer Amazon meant. */
const integer = (minimum = -Number.MAX_SAFE_INTEGER) => Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER });
const array = Type.Array;

// ---------------------------------------------------------------------------------------------
// Orders API v2026-01-01
// ---------------------------------------------------------------------------------------------

export const FULFILLMENT_STATUSES = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
] as const;
/** Definition `FulfillmentStatus` (an enum in the model). */
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

/** Values of the `fulfilledBy` query parameter (enum) and of `OrderFulfillment.fulfilledBy`. */
export const FULFILLED_BY = ['MERCHANT', 'AMAZON'] as const;
export type FulfilledBy = (typeof FULFILLED_BY)[number];

/** Values of the `includedData` query parameter (enum). */
export const INCLUDED_DATA = [
  'BUYER',
  'RECIPIENT',
  'PROCEEDS',
  'EXPENSE',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
  'TAX',
  'PAYMENT',
  'FULFILLMENT_ORDERS',
] as const;
export type IncludedData = (typeof INCLUDED_DATA)[number];

/** A decimal number as a string, e.g. "11.01", "-2.50", "19940". Never parse into a float. */
export type DecimalString = string;

export const Money = definition('Money', {
  amount: Type.String({ format: format('decimal') }),
  /** ISO 4217 three-letter code. */
  currencyCode: Type.String({ format: format('currency') }),
});
export type Money = Static<typeof Money>;

export const DateTimeRange = definition('DateTimeRange', { earliestDateTime: optional(dateTime()), latestDateTime: optional(dateTime()) });
export type DateTimeRange = Static<typeof DateTimeRange>;

export const Alias = definition('Alias', {
  aliasId: string(),
  /** Possible values: SELLER_ORDER_ID. */
  aliasType: string(),
});

export const SalesChannel = definition('SalesChannel', {
  /** Possible values: AMAZON, NON_AMAZON. */
  channelName: string(),
  marketplaceId: optional(string()),
  marketplaceName: optional(string()),
});

/** PII: buyerName, buyerEmail. */
export const Buyer = definition('Buyer', {
  buyerName: optional(string()),
  buyerEmail: optional(string()),
  buyerCompanyName: optional(string()),
  buyerPurchaseOrderNumber: optional(string()),
});

/** Brazil only. */
export const AddressExtendedFields = definition('AddressExtendedFields', {
  streetName: optional(string()),
  streetNumber: optional(string()),
  complement: optional(string()),
  neighborhood: optional(string()),
});

/** PII: name, addressLine1-3, postalCode, phone, extendedFields. */
export const CustomerAddress = definition('CustomerAddress', {
  name: optional(string()),
  companyName: optional(string()),
  addressLine1: optional(string()),
  addressLine2: optional(string()),
  addressLine3: optional(string()),
  city: optional(string()),
  districtOrCounty: optional(string()),
  stateOrRegion: optional(string()),
  municipality: optional(string()),
  postalCode: optional(string()),
  /** ISO 3166-1 two-letter code. */
  countryCode: optional(string()),
  phone: optional(string()),
  extendedFields: optional(AddressExtendedFields),
  /** Possible values: RESIDENTIAL, COMMERCIAL, PICKUP_POINT. */
  addressType: optional(string()),
});
export type CustomerAddress = Static<typeof CustomerAddress>;

/** Only removed by the PII purge (drop-off notes, door codes), never read: no property is declared. */
export const DeliveryPreference = definition('DeliveryPreference', {});

export const Recipient = definition('Recipient', { deliveryAddress: optional(CustomerAddress), deliveryPreference: optional(DeliveryPreference) });

export const OrderProceedsBreakdown = definition('OrderProceedsBreakdown', {
  /** Possible values: ITEM, SHIPPING, GIFT_WRAP, COD_FEE, TAX, DISCOUNT, DELIVERY_TIP, OTHER. */
  type: string(),
  /** Possible values: PENDING, FINALIZED. */
  status: optional(string()),
  subtotal: Money,
});

export const OrderProceeds = definition('OrderProceeds', { grandTotal: optional(Money), breakdowns: optional(array(OrderProceedsBreakdown)) });

export const OrderFulfillment = definition('OrderFulfillment', {
  fulfillmentStatus: Type.Enum(FULFILLMENT_STATUSES),
  /**
   * Possible values in the model: AMAZON, MERCHANT. Only these two are accepted: whether the module
   * decrements stock and when it imports depends on it, so an unknown value is reported instead of guessed.
   */
  fulfilledBy: optional(Type.Enum(FULFILLED_BY)),
  /** Possible values: EXPEDITED, FREE_ECONOMY, NEXT_DAY, PRIORITY, SAME_DAY, SECOND_DAY, SCHEDULED, STANDARD. */
  fulfillmentServiceLevel: optional(string()),
  shipByWindow: optional(DateTimeRange),
  deliverByWindow: optional(DateTimeRange),
  labelPrintingWindow: optional(DateTimeRange),
});

export const PackageStatus = definition('PackageStatus', {
  status: Type.Enum(['PENDING', 'IN_TRANSIT', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'UNDELIVERABLE']),
  detailedStatus: optional(string()),
});

export const PackageItem = definition('PackageItem', { orderItemId: string(), quantity: integer(), transparencyCodes: optional(array(string())) });

/** FBM only. */
export const OrderPackage = definition('OrderPackage', {
  packageReferenceId: string(),
  createdTime: optional(dateTime()),
  packageStatus: optional(PackageStatus),
  carrier: optional(string()),
  shipTime: optional(dateTime()),
  shippingService: optional(string()),
  trackingNumber: optional(string()),
  packageItems: optional(array(PackageItem)),
});

export const FulfillmentOrder = definition('FulfillmentOrder', { fulfillmentOrderId: string() });

/** `value` is a JSON number (a quantity measure, not money). */
export const Measurement = definition('Measurement', { unit: string(), value: Type.Number() });

export const ItemCondition = definition('ItemCondition', {
  conditionType: optional(string()),
  conditionSubtype: optional(string()),
  conditionNote: optional(string()),
});

export const ItemPrice = definition('ItemPrice', {
  unitPrice: optional(Money),
  /** Possible value: BUSINESS_PRICE. */
  priceDesignation: optional(string()),
});

/** PII: customizedUrl (the buyer's customization), removed by the PII purge. */
export const ItemCustomization = definition('ItemCustomization', { customizedUrl: optional(string()) });

export const ItemProduct = definition('ItemProduct', {
  /** Definition `Asin`. */
  asin: optional(string()),
  title: optional(string()),
  /** Definition `SKU`. */
  sellerSku: optional(string()),
  condition: optional(ItemCondition),
  price: optional(ItemPrice),
  serialNumbers: optional(array(string())),
  customization: optional(ItemCustomization),
});

/** Only for TAX and DISCOUNT breakdowns. */
export const ItemProceedsDetailedBreakdown = definition('ItemProceedsDetailedBreakdown', {
  /** Possible values: ITEM, SHIPPING, GIFT_WRAP, COD_FEE, OTHER, DISCOUNT. */
  subtype: optional(string()),
  value: optional(Money),
});

export const ItemProceedsBreakdown = definition('ItemProceedsBreakdown', {
  /** Possible values: ITEM, SHIPPING, GIFT_WRAP, COD_FEE, OTHER, TAX, DISCOUNT. */
  type: string(),
  subtotal: Money,
  detailedBreakdowns: optional(array(ItemProceedsDetailedBreakdown)),
});
export type ItemProceedsBreakdown = Static<typeof ItemProceedsBreakdown>;

export const ItemProceeds = definition('ItemProceeds', { proceedsTotal: optional(Money), breakdowns: optional(array(ItemProceedsBreakdown)) });

export const PointsGranted = definition('PointsGranted', { pointsNumber: optional(integer()), pointsMonetaryValue: optional(Money) });
export const ItemPointsCost = definition('ItemPointsCost', { pointsGranted: optional(PointsGranted) });
export const ItemExpense = definition('ItemExpense', { pointsCost: optional(ItemPointsCost) });

export const ItemPromotionBreakdown = definition('ItemPromotionBreakdown', { promotionId: optional(string()) });
/** Discount amounts are in `ItemProceeds` breakdowns of type DISCOUNT. */
export const ItemPromotion = definition('ItemPromotion', { breakdowns: optional(array(ItemPromotionBreakdown)) });

export const ItemCancellationRequest = definition('ItemCancellationRequest', {
  /** Possible values: BUYER. */
  requester: optional(string()),
  cancelReason: optional(string()),
});
export const ItemCancellationExecution = definition('ItemCancellationExecution', {
  /** Possible values: BUYER, MERCHANT, AMAZON. */
  cancelledBy: optional(string()),
  cancelReason: optional(string()),
});
export const ItemCancellation = definition('ItemCancellation', {
  cancellationRequest: optional(ItemCancellationRequest),
  cancellationExecution: optional(ItemCancellationExecution),
});

export const ItemSubstitutionOption = definition('ItemSubstitutionOption', {
  asin: optional(string()),
  quantityOrdered: optional(integer()),
  sellerSku: optional(string()),
  title: optional(string()),
  measurement: optional(Measurement),
});
export const ItemSubstitutionPreference = definition('ItemSubstitutionPreference', {
  substitutionType: Type.Enum(['CUSTOMER_PREFERENCE', 'AMAZON_RECOMMENDED', 'DO_NOT_SUBSTITUTE']),
  substitutionOptions: optional(array(ItemSubstitutionOption)),
});
export const ItemPicking = definition('ItemPicking', { substitutionPreference: optional(ItemSubstitutionPreference) });

/** PII: giftMessage. */
export const GiftOption = definition('GiftOption', { giftMessage: optional(string()), giftWrapLevel: optional(string()) });
export const ItemPacking = definition('ItemPacking', { giftOption: optional(GiftOption) });
export const ItemShipping = definition('ItemShipping', { scheduledDeliveryWindow: optional(DateTimeRange) });

export const ItemFulfillment = definition('ItemFulfillment', {
  /** Units processed and shipped. */
  quantityFulfilled: optional(integer(0)),
  /** Units still to process and ship. */
  quantityUnfulfilled: optional(integer(0)),
  picking: optional(ItemPicking),
  packing: optional(ItemPacking),
  shipping: optional(ItemShipping),
});

export const ItemTaxCalculationBreakdown = definition('ItemTaxCalculationBreakdown', {
  /** Possible values: UOSS, IOSS. */
  reportingScheme: optional(string()),
});
export const ItemTaxCollection = definition('ItemTaxCollection', {
  /** Possible values: MARKETPLACE_FACILITATOR. */
  model: optional(string()),
  responsibleParty: optional(string()),
});
/** Tax amounts are in `ItemProceeds` breakdowns of type TAX. */
export const ItemTax = definition('ItemTax', {
  taxCalculationBreakdowns: optional(array(ItemTaxCalculationBreakdown)),
  taxCollections: optional(array(ItemTaxCollection)),
});

export const OrderItem = definition('OrderItem', {
  orderItemId: id(),
  /** Amazon reports 0 ordered units on a fully cancelled item. */
  quantityOrdered: integer(0),
  measurement: optional(Measurement),
  /** Possible values: TRANSPARENCY, SUBSCRIBE_AND_SAVE. */
  programs: optional(array(string())),
  product: ItemProduct,
  proceeds: optional(ItemProceeds),
  expense: optional(ItemExpense),
  promotion: optional(ItemPromotion),
  cancellation: optional(ItemCancellation),
  fulfillment: optional(ItemFulfillment),
  tax: optional(ItemTax),
});
export type OrderItem = Static<typeof OrderItem>;

export const Order = definition('Order', {
  orderId: id(),
  orderAliases: optional(array(Alias)),
  createdTime: dateTime(),
  lastUpdatedTime: dateTime(),
  programs: optional(array(string())),
  salesChannel: SalesChannel,
  buyer: optional(Buyer),
  recipient: optional(Recipient),
  proceeds: optional(OrderProceeds),
  fulfillment: optional(OrderFulfillment),
  orderItems: array(OrderItem),
  packages: optional(array(OrderPackage)),
  fulfillmentOrders: optional(array(FulfillmentOrder)),
});
export type Order = Static<typeof Order>;

export const Pagination = definition('Pagination', { nextToken: optional(string()) });

export const SearchOrdersResponse = definition('SearchOrdersResponse', {
  orders: array(Order),
  pagination: optional(Pagination),
  lastUpdatedBefore: optional(dateTime()),
  createdBefore: optional(dateTime()),
});
export type SearchOrdersResponse = Static<typeof SearchOrdersResponse>;

export const GetOrderResponse = definition('GetOrderResponse', { order: Order });
export type GetOrderResponse = Static<typeof GetOrderResponse>;

// ---------------------------------------------------------------------------------------------
// Feeds API 2021-06-30
// ---------------------------------------------------------------------------------------------

export const FEED_PROCESSING_STATUSES = ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'] as const;
export type FeedProcessingStatus = (typeof FEED_PROCESSING_STATUSES)[number];

/** `url` is a presigned upload URL, valid 5 minutes. */
export const CreateFeedDocumentResponse = definition('CreateFeedDocumentResponse', { feedDocumentId: id(), url: id() });
export type CreateFeedDocumentResponse = Static<typeof CreateFeedDocumentResponse>;

export const CreateFeedResponse = definition('CreateFeedResponse', { feedId: id() });
export type CreateFeedResponse = Static<typeof CreateFeedResponse>;

/** Properties in the order of the model's `required` list: missing ones are reported in that order. */
export const Feed = definition('Feed', {
  createdTime: dateTime(),
  feedId: id(),
  feedType: string(),
  marketplaceIds: optional(array(string())),
  processingStatus: Type.Enum(FEED_PROCESSING_STATUSES),
  processingStartTime: optional(dateTime()),
  processingEndTime: optional(dateTime()),
  resultFeedDocumentId: optional(string()),
});
export type Feed = Static<typeof Feed>;

/** `url` is a presigned download URL, valid 5 minutes. */
export const FeedDocument = definition('FeedDocument', { feedDocumentId: id(), url: id(), compressionAlgorithm: optional(Type.Enum(['GZIP'])) });
export type FeedDocument = Static<typeof FeedDocument>;

/** The schemas by model definition name, per model (the two share no names the module uses). */
export const SCHEMAS = {
  orders: {
    Money,
    DateTimeRange,
    Alias,
    SalesChannel,
    Buyer,
    AddressExtendedFields,
    CustomerAddress,
    DeliveryPreference,
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
    ItemCustomization,
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
    Order,
    Pagination,
    SearchOrdersResponse,
    GetOrderResponse,
  },
  feeds: { CreateFeedDocumentResponse, CreateFeedResponse, Feed, FeedDocument },
} as const;

// ---------------------------------------------------------------------------------------------
// What the module sends: built by the module, so typed only
// ---------------------------------------------------------------------------------------------

/** Orders API v0 definition `ConfirmShipmentOrderItem`. */
export interface ConfirmShipmentOrderItem {
  orderItemId: string;
  /** Positive integer. */
  quantity: number;
  transparencyCodes?: string[];
}

/** Orders API v0 definition `PackageDetail`. */
export interface PackageDetail {
  /** Positive numeric string, unique per order (definition `PackageReferenceId`). */
  packageReferenceId: string;
  carrierCode: string;
  /** Required when carrierCode is "Other". */
  carrierName?: string;
  shippingMethod?: string;
  trackingNumber: string;
  /** ISO 8601 date-time. */
  shipDate: string;
  shipFromSupplySourceId?: string;
  /** Definition `ConfirmShipmentOrderItemsList`. */
  orderItems: ConfirmShipmentOrderItem[];
}

/** Orders API v0 definition `ConfirmShipmentRequest`. */
export interface ConfirmShipmentRequest {
  marketplaceId: string;
  packageDetail: PackageDetail;
  /** JP marketplace only. */
  codCollectionMethod?: 'DirectPayment';
}

/** Feeds definition `CreateFeedSpecification`. */
export interface CreateFeedSpecification {
  feedType: string;
  /** 1..25 items. */
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  /** Definition `FeedOptions`. */
  feedOptions?: Record<string, string>;
}

/** The feed types the module sends. */
export type FeedType = 'POST_ORDER_ACKNOWLEDGEMENT_DATA' | 'POST_PAYMENT_ADJUSTMENT_DATA' | 'POST_ORDER_FULFILLMENT_DATA';
