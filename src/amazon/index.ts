/**
 * The Amazon Selling Partner API client: what the rest of the module imports.
 *
 * Usage (one client per store, kept for the life of the process: it caches the access token):
 *
 *   const client = createSpApiClient(
 *     { storeId, name, region: 'na', sellerId, endpoint?, lwaEndpoint?, credentials: { clientId, clientSecret, refreshToken } },
 *     { database: knex, clock, logger, onRateLimitWait?: (e) => cli.say(`waiting ${e.waitMs} ms for Amazon's rate limit`) },
 *   );
 *   for await (const page of client.orders.searchOrderPages({
 *     lastUpdatedAfter: cursor,
 *     lastUpdatedBefore: new Date(clock.now().getTime() - BEFORE_MARGIN_MS),
 *     marketplaceIds: [marketplaceId],
 *     includedData: ['BUYER', 'RECIPIENT', 'PROCEEDS', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'TAX'],
 *   })) {
 *     store(page.orders);            // validated Order objects, money as decimal strings
 *     record(page.invalidOrders);    // {index, orderId, error (names order + JSON path), raw}
 *   }
 *   await client.shipments.confirmShipment(orderId, { marketplaceId, packageDetail: {...} });
 *   const feed = buildOrderAcknowledgementFeed(sellerId, cancellations);
 *   const { feedId } = await client.feeds.submitFeed({ feedType: feed.feedType, marketplaceIds: [marketplaceId], content: feed.xml });
 *   const status = await client.feeds.getFeed(feedId);          // poll until FINAL_FEED_STATUSES
 *   const report = await client.feeds.getProcessingReport(status); // results by MessageID -> feed.messages
 *
 * Failures are typed (errors.ts): AmazonApiError (Amazon answered an error), AmazonNetworkError,
 * AmazonResponseError (body not per the model), AmazonAuthError (credentials refused),
 * AmazonRequestError (refused before sending), AmazonRateLimitWaitError (maxRateLimitWaitMs).
 */
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
export { DatabaseApiErrorRecorder, MAX_ERROR_MESSAGE_CHARS, type ApiErrorEntry, type ApiErrorRecorder } from './error-log.ts';
export { DECIMAL_PATTERN } from './formats.ts';
export type { InvalidOrder } from './validate.ts';
