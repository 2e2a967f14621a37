/** The Amazon Selling Partner API client: what the rest of the module imports. */
export * from './models.ts';
export * from './errors.ts';
export * from './config.ts';
export { createSpApiClient, resolvePlans, SpApiClient, type AmazonStoreConnection, type SpApiClientDependencies } from './client.ts';
export { OrdersApi, BEFORE_MARGIN_MS, type SearchOrdersParams, type SearchOrdersPage, type GetOrderResult } from './orders-api.ts';
export { ShipmentsApi, buildConfirmShipmentRequest, type ConfirmShipmentInput } from './shipments-api.ts';
export { FeedsApi, FINAL_FEED_STATUSES, MAX_FEED_BYTES, type SubmitFeedInput, type SubmittedFeed } from './feeds-api.ts';
export * from './feed-xml.ts';
export { parseProcessingReport, XmlParseError, type ProcessingReport, type ProcessingResult, type ProcessingSummary } from './processing-report.ts';
export { LwaTokenProvider, type AccessTokenSource, type LwaCredentials } from './lwa.ts';
export { SpApiHttp, type RateLimitWaitEvent, type StoreIdentity } from './http.ts';
export { DatabaseRateLimiter, bucketKey, type RateLimiter } from './rate-limiter.ts';
export { DatabaseApiErrorRecorder, type ApiErrorEntry, type ApiErrorRecorder } from './error-log.ts';
export { DECIMAL_PATTERN, type InvalidOrder } from './validate.ts';
