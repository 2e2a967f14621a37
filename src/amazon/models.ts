/**
 * Wire types of the Selling Partner API operations the module uses, written by hand from the
 * official models (`shared/reference/amazon-models/`) and named like their definitions:
 * - Orders API v2026-01-01 (`orders_2026-01-01.json`): searchOrders, getOrder;
 * - Orders API v0 (`ordersV0.json`): confirmShipment only (v0 reads are deprecated: never used);
 * - Feeds API 2021-06-30 (`feeds_2021-06-30.json`).
 *
 * Conventions:
 * - A property is optional (`?`) exactly when the model does not list it in `required`.
 * - Instants stay ISO 8601 strings as sent (`DateTimeString`); callers parse them.
 * - Money is `{amount: DecimalString, currencyCode}`: the amount is never turned into a float.
 * - Properties the model documents as "Possible values" (not an `enum`) are typed `string` with the
 *   known values listed in a union type for reference, because Amazon may add values.
 *
 * These types describe a response only after `validate.ts` has checked it: a value of type `Order`
 * obtained from the client has been validated for the fields the module relies on.
 */

/** An ISO 8601 date-time string as Amazon sends it, e.g. "2026-11-26T09:45:13Z". */
export type DateTimeString = string;

/** A decimal number as a string, e.g. "11.01", "-2.50", "19940". Never parse into a float. */
export type DecimalString = string;

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

/** Definition `Money`. */
export interface Money {
  amount: DecimalString;
  /** ISO 4217 three-letter code. */
  currencyCode: string;
}

/** Definition `Pagination`. */
export interface Pagination {
  nextToken?: string;
}

/** Definition `SearchOrdersResponse`. */
export interface SearchOrdersResponse {
  orders: Order[];
  pagination?: Pagination;
  lastUpdatedBefore?: DateTimeString;
  createdBefore?: DateTimeString;
}

/** Definition `GetOrderResponse`. */
export interface GetOrderResponse {
  order: Order;
}

/** Definition `Order`. */
export interface Order {
  orderId: string;
  orderAliases?: Alias[];
  createdTime: DateTimeString;
  lastUpdatedTime: DateTimeString;
  programs?: string[];
  associatedOrders?: AssociatedOrder[];
  salesChannel: SalesChannel;
  buyer?: Buyer;
  recipient?: Recipient;
  proceeds?: OrderProceeds;
  payment?: OrderPayment;
  tax?: OrderTax;
  fulfillment?: OrderFulfillment;
  orderItems: OrderItem[];
  packages?: OrderPackage[];
  fulfillmentOrders?: FulfillmentOrder[];
}

/** Definition `Alias`. */
export interface Alias {
  aliasId: string;
  /** Possible values: SELLER_ORDER_ID. */
  aliasType: string;
}

/** Definition `AssociatedOrder`. */
export interface AssociatedOrder {
  orderId?: string;
  associationType?: string;
}

/** Definition `SalesChannel`. */
export interface SalesChannel {
  /** Possible values: AMAZON, NON_AMAZON. */
  channelName: string;
  marketplaceId?: string;
  marketplaceName?: string;
}

/** Definition `Buyer` (PII: buyerName, buyerEmail). */
export interface Buyer {
  buyerName?: string;
  buyerEmail?: string;
  buyerCompanyName?: string;
  buyerPurchaseOrderNumber?: string;
}

/** Definition `Recipient`. */
export interface Recipient {
  deliveryAddress?: CustomerAddress;
  deliveryPreference?: DeliveryPreference;
}

/** Definition `CustomerAddress` (PII: name, addressLine1-3, postalCode, phone, extendedFields). */
export interface CustomerAddress {
  name?: string;
  companyName?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  districtOrCounty?: string;
  stateOrRegion?: string;
  municipality?: string;
  postalCode?: string;
  /** ISO 3166-1 two-letter code. */
  countryCode?: string;
  phone?: string;
  extendedFields?: AddressExtendedFields;
  /** Possible values: RESIDENTIAL, COMMERCIAL, PICKUP_POINT. */
  addressType?: string;
}

/** Definition `AddressExtendedFields` (Brazil only). */
export interface AddressExtendedFields {
  streetName?: string;
  streetNumber?: string;
  complement?: string;
  neighborhood?: string;
}

/** Definition `DeliveryPreference`. */
export interface DeliveryPreference {
  dropOffLocation?: string;
  addressInstruction?: string;
  deliveryTime?: PreferredDeliveryTime;
  deliveryCapabilities?: string[];
}

/** Definition `PreferredDeliveryTime`. */
export interface PreferredDeliveryTime {
  businessHours?: BusinessHour[];
  exceptionDates?: ExceptionDate[];
}

/** Definition `BusinessHour`. */
export interface BusinessHour {
  dayOfWeek?: 'SUN' | 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT';
  timeWindows?: TimeWindow[];
}

/** Definition `ExceptionDate`. */
export interface ExceptionDate {
  /** A date (YYYY-MM-DD). */
  exceptionDate?: string;
  exceptionDateType?: 'CLOSED' | 'OPEN';
  timeWindows?: TimeWindow[];
}

/** Definition `TimeWindow`. */
export interface TimeWindow {
  startTime?: HourMinute;
  endTime?: HourMinute;
}

/** Definition `HourMinute`. */
export interface HourMinute {
  hour?: number;
  minute?: number;
}

/** Definition `OrderProceeds`. */
export interface OrderProceeds {
  grandTotal?: Money;
  breakdowns?: OrderProceedsBreakdown[];
}

/** Definition `OrderProceedsBreakdown`. */
export interface OrderProceedsBreakdown {
  /** Possible values: ITEM, SHIPPING, GIFT_WRAP, COD_FEE, TAX, DISCOUNT, DELIVERY_TIP, OTHER. */
  type: string;
  /** Possible values: PENDING, FINALIZED. */
  status?: string;
  subtotal: Money;
}

/** Definition `OrderPayment`. */
export interface OrderPayment {
  paymentExecutions?: PaymentExecution[];
}

/** Definition `PaymentExecution`. */
export interface PaymentExecution {
  paymentMethod?: string;
  paymentAmount?: Money;
  acquirerId?: string;
  cardBrand?: string;
  authorizationCode?: string;
}

/** Definition `OrderTax`. */
export interface OrderTax {
  taxRegistrations?: OrderTaxRegistration[];
  taxInvoicing?: OrderTaxInvoicing;
}

/** Definition `OrderTaxRegistration`. */
export interface OrderTaxRegistration {
  entityType?: string;
  legalName?: string;
  taxRegistrationType?: string;
  taxRegistrationNumber?: string;
  taxRegistrationAddress?: CustomerAddress;
  taxRegistrationAttributes?: TaxRegistrationAttribute[];
}

/** Definition `TaxRegistrationAttribute`. */
export interface TaxRegistrationAttribute {
  key?: string;
  value?: string;
}

/** Definition `OrderTaxInvoicing`. */
export interface OrderTaxInvoicing {
  buyerInvoicePreference?: string;
  invoiceStatus?: string;
}

/** Definition `DateTimeRange`. */
export interface DateTimeRange {
  earliestDateTime?: DateTimeString;
  latestDateTime?: DateTimeString;
}

/** Definition `OrderFulfillment`. */
export interface OrderFulfillment {
  fulfillmentStatus: FulfillmentStatus;
  /**
   * Possible values: AMAZON, MERCHANT. The validator accepts only these two: whether the module
   * decrements stock and when it imports depends on it, so an unknown value is reported instead
   * of guessed.
   */
  fulfilledBy?: FulfilledBy;
  /** Possible values: EXPEDITED, FREE_ECONOMY, NEXT_DAY, PRIORITY, SAME_DAY, SECOND_DAY, SCHEDULED, STANDARD. */
  fulfillmentServiceLevel?: string;
  shipByWindow?: DateTimeRange;
  deliverByWindow?: DateTimeRange;
  labelPrintingWindow?: DateTimeRange;
}

/** Definition `OrderPackage` (FBM only). */
export interface OrderPackage {
  packageReferenceId: string;
  createdTime?: DateTimeString;
  packageStatus?: PackageStatus;
  carrier?: string;
  shipTime?: DateTimeString;
  shippingService?: string;
  trackingNumber?: string;
  shipFromAddress?: MerchantAddress;
  packageItems?: PackageItem[];
}

/** Definition `PackageStatus`. */
export interface PackageStatus {
  status: 'PENDING' | 'IN_TRANSIT' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | 'UNDELIVERABLE';
  detailedStatus?: string;
}

/** Definition `PackageItem`. */
export interface PackageItem {
  orderItemId: string;
  quantity: number;
  transparencyCodes?: string[];
}

/** Definition `MerchantAddress`. */
export interface MerchantAddress {
  name?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  districtOrCounty?: string;
  stateOrRegion?: string;
  municipality?: string;
  postalCode?: string;
  countryCode?: string;
}

/** Definition `FulfillmentOrder`. */
export interface FulfillmentOrder {
  fulfillmentOrderId: string;
}

/** Definition `OrderItem`. */
export interface OrderItem {
  orderItemId: string;
  /** An integer. */
  quantityOrdered: number;
  measurement?: Measurement;
  associatedOrderItems?: AssociatedOrderItem[];
  /** Possible values: TRANSPARENCY, SUBSCRIBE_AND_SAVE. */
  programs?: string[];
  product: ItemProduct;
  proceeds?: ItemProceeds;
  expense?: ItemExpense;
  promotion?: ItemPromotion;
  cancellation?: ItemCancellation;
  fulfillment?: ItemFulfillment;
  tax?: ItemTax;
}

/** Definition `Measurement`. `value` is a JSON number (a quantity measure, not money). */
export interface Measurement {
  unit: string;
  value: number;
}

/** Definition `AssociatedOrderItem`. */
export interface AssociatedOrderItem {
  orderId?: string;
  orderItemId?: string;
  associationType?: string;
}

/** Definition `ItemProduct`. */
export interface ItemProduct {
  /** Definition `Asin`. */
  asin?: string;
  title?: string;
  /** Definition `SKU`. */
  sellerSku?: string;
  condition?: ItemCondition;
  price?: ItemPrice;
  serialNumbers?: string[];
  customization?: ItemCustomization;
}

/** Definition `ItemCondition`. */
export interface ItemCondition {
  conditionType?: string;
  conditionSubtype?: string;
  conditionNote?: string;
}

/** Definition `ItemPrice`. */
export interface ItemPrice {
  unitPrice?: Money;
  /** Possible value: BUSINESS_PRICE. */
  priceDesignation?: string;
}

/** Definition `ItemCustomization`. */
export interface ItemCustomization {
  customizedUrl?: string;
}

/** Definition `ItemProceeds`. */
export interface ItemProceeds {
  proceedsTotal?: Money;
  breakdowns?: ItemProceedsBreakdown[];
}

/** Known `ItemProceedsBreakdown.type` values (not an enum in the model). */
export type ItemProceedsBreakdownType = 'ITEM' | 'SHIPPING' | 'GIFT_WRAP' | 'COD_FEE' | 'OTHER' | 'TAX' | 'DISCOUNT';

/** Definition `ItemProceedsBreakdown`. */
export interface ItemProceedsBreakdown {
  /** See ItemProceedsBreakdownType. */
  type: string;
  subtotal: Money;
  detailedBreakdowns?: ItemProceedsDetailedBreakdown[];
}

/** Definition `ItemProceedsDetailedBreakdown` (only for TAX and DISCOUNT breakdowns). */
export interface ItemProceedsDetailedBreakdown {
  /** Possible values: ITEM, SHIPPING, GIFT_WRAP, COD_FEE, OTHER, DISCOUNT. */
  subtype?: string;
  value?: Money;
}

/** Definition `ItemExpense`. */
export interface ItemExpense {
  pointsCost?: ItemPointsCost;
}

/** Definition `ItemPointsCost`. */
export interface ItemPointsCost {
  pointsGranted?: PointsGranted;
}

/** Definition `PointsGranted`. */
export interface PointsGranted {
  pointsNumber?: number;
  pointsMonetaryValue?: Money;
}

/** Definition `ItemPromotion`. Discount amounts are in `ItemProceeds` breakdowns of type DISCOUNT. */
export interface ItemPromotion {
  breakdowns?: ItemPromotionBreakdown[];
}

/** Definition `ItemPromotionBreakdown`. */
export interface ItemPromotionBreakdown {
  promotionId?: string;
}

/** Definition `ItemCancellation`. */
export interface ItemCancellation {
  cancellationRequest?: ItemCancellationRequest;
  cancellationExecution?: ItemCancellationExecution;
}

/** Definition `ItemCancellationRequest`. */
export interface ItemCancellationRequest {
  /** Possible values: BUYER. */
  requester?: string;
  cancelReason?: string;
}

/** Definition `ItemCancellationExecution`. */
export interface ItemCancellationExecution {
  /** Possible values: BUYER, MERCHANT, AMAZON. */
  cancelledBy?: string;
  cancelReason?: string;
}

/** Definition `ItemFulfillment`. */
export interface ItemFulfillment {
  /** Units processed and shipped (integer). */
  quantityFulfilled?: number;
  /** Units still to process and ship (integer). */
  quantityUnfulfilled?: number;
  picking?: ItemPicking;
  packing?: ItemPacking;
  shipping?: ItemShipping;
}

/** Definition `ItemPicking`. */
export interface ItemPicking {
  substitutionPreference?: ItemSubstitutionPreference;
}

/** Definition `ItemSubstitutionPreference`. */
export interface ItemSubstitutionPreference {
  substitutionType: 'CUSTOMER_PREFERENCE' | 'AMAZON_RECOMMENDED' | 'DO_NOT_SUBSTITUTE';
  substitutionOptions?: ItemSubstitutionOption[];
}

/** Definition `ItemSubstitutionOption`. */
export interface ItemSubstitutionOption {
  asin?: string;
  quantityOrdered?: number;
  sellerSku?: string;
  title?: string;
  measurement?: Measurement;
}

/** Definition `ItemPacking`. */
export interface ItemPacking {
  giftOption?: GiftOption;
  serialNumberRequirement?: SerialNumberRequirement;
}

/** Definition `GiftOption` (PII: giftMessage). */
export interface GiftOption {
  giftMessage?: string;
  giftWrapLevel?: string;
}

/** Definition `SerialNumberRequirement`. */
export interface SerialNumberRequirement {
  requirementType?: string;
}

/** Definition `ItemShipping`. */
export interface ItemShipping {
  scheduledDeliveryWindow?: DateTimeRange;
  shippingConstraints?: ItemShippingConstraints;
  internationalShipping?: ItemInternationalShipping;
}

/** Definition `ItemShippingConstraints` (each a `ConstraintType`, enum MANDATORY). */
export interface ItemShippingConstraints {
  palletDelivery?: 'MANDATORY';
  cashOnDelivery?: 'MANDATORY';
  signatureConfirmation?: 'MANDATORY';
  recipientIdentityVerification?: 'MANDATORY';
  recipientAgeVerification?: 'MANDATORY';
}

/** Definition `ItemInternationalShipping`. */
export interface ItemInternationalShipping {
  iossNumber?: string;
}

/** Definition `ItemTax`. Tax amounts are in `ItemProceeds` breakdowns of type TAX. */
export interface ItemTax {
  taxCalculationBreakdowns?: ItemTaxCalculationBreakdown[];
  taxCollections?: ItemTaxCollection[];
}

/** Definition `ItemTaxCalculationBreakdown`. */
export interface ItemTaxCalculationBreakdown {
  /** Possible values: UOSS, IOSS. */
  reportingScheme?: string;
}

/** Definition `ItemTaxCollection`. */
export interface ItemTaxCollection {
  /** Possible values: MARKETPLACE_FACILITATOR. */
  model?: string;
  responsibleParty?: string;
}

/** Definition `Error` (the same in every API used here). */
export interface ApiErrorItem {
  code: string;
  message: string;
  details?: string;
}

/** Definition `ErrorList` of v2026-01-01 and Feeds: `{errors: Error[]}`. */
export interface ErrorList {
  errors: ApiErrorItem[];
}

// ---------------------------------------------------------------------------------------------
// Orders API v0: confirmShipment (the only v0 operation the module uses)
// ---------------------------------------------------------------------------------------------

/** Definition `ConfirmShipmentOrderItem`. */
export interface ConfirmShipmentOrderItem {
  orderItemId: string;
  /** Positive integer. */
  quantity: number;
  transparencyCodes?: string[];
}

/** Definition `PackageDetail`. */
export interface PackageDetail {
  /** Positive numeric string, unique per order (definition `PackageReferenceId`). */
  packageReferenceId: string;
  carrierCode: string;
  /** Required when carrierCode is "Other". */
  carrierName?: string;
  shippingMethod?: string;
  trackingNumber: string;
  /** ISO 8601 date-time. */
  shipDate: DateTimeString;
  shipFromSupplySourceId?: string;
  /** Definition `ConfirmShipmentOrderItemsList`. */
  orderItems: ConfirmShipmentOrderItem[];
}

/** Definition `ConfirmShipmentRequest`. */
export interface ConfirmShipmentRequest {
  marketplaceId: string;
  packageDetail: PackageDetail;
  /** JP marketplace only. */
  codCollectionMethod?: 'DirectPayment';
}

/** Definition `ConfirmShipmentErrorResponse` (v0's ErrorList is the bare array). */
export interface ConfirmShipmentErrorResponse {
  errors?: ApiErrorItem[];
}

// ---------------------------------------------------------------------------------------------
// Feeds API 2021-06-30
// ---------------------------------------------------------------------------------------------

/** Definition `CreateFeedDocumentSpecification`. */
export interface CreateFeedDocumentSpecification {
  contentType: string;
}

/** Definition `CreateFeedDocumentResponse`. `url` is a presigned upload URL, valid 5 minutes. */
export interface CreateFeedDocumentResponse {
  feedDocumentId: string;
  url: string;
}

/** Definition `FeedOptions`. */
export type FeedOptions = Record<string, string>;

/** Definition `CreateFeedSpecification`. */
export interface CreateFeedSpecification {
  feedType: string;
  /** 1..25 items. */
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  feedOptions?: FeedOptions;
}

/** Definition `CreateFeedResponse`. */
export interface CreateFeedResponse {
  feedId: string;
}

export const FEED_PROCESSING_STATUSES = ['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE'] as const;
export type FeedProcessingStatus = (typeof FEED_PROCESSING_STATUSES)[number];

/** Definition `Feed`. */
export interface Feed {
  feedId: string;
  feedType: string;
  marketplaceIds?: string[];
  createdTime: DateTimeString;
  processingStatus: FeedProcessingStatus;
  processingStartTime?: DateTimeString;
  processingEndTime?: DateTimeString;
  resultFeedDocumentId?: string;
}

/** Definition `FeedDocument`. */
export interface FeedDocument {
  feedDocumentId: string;
  /** Presigned download URL, valid 5 minutes. */
  url: string;
  compressionAlgorithm?: 'GZIP';
}

/** The feed types the module sends. */
export type FeedType = 'POST_ORDER_ACKNOWLEDGEMENT_DATA' | 'POST_PAYMENT_ADJUSTMENT_DATA' | 'POST_ORDER_FULFILLMENT_DATA';
