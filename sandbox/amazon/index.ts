/**
 * The local Amazon sandbox (SP-API + LWA, and the SQS queues its notifications go to) for demos
 * and tests. Independent of the module.
 *
 *   const amazon = await startAmazonSandbox({ port: 0, clock: { speed: 0 } });
 *   amazon.url      -> SP-API base URL        amazon.lwaUrl -> LWA token URL
 *   amazon.demoApp  -> client id/secret, refresh token, seller id, application id
 *   amazon.consentUrl -> Seller Central's consent page (after amazon.addRedirectUri(clientId, uri))
 *   amazon.sqsUrl, amazon.sqsRegion, DEMO_AWS -> new SQSClient({ region, endpoint, credentials })
 *   amazon.createQueue('orders') -> { url, arn } for createDestination
 *   amazon.placeOrder({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 2 }] }); amazon.advanceClock(5 * 60_000);
 *   await amazon.close();
 */
export { startAmazonSandbox, describeSandbox, RunningAmazonSandbox, DEFAULT_AMAZON_SANDBOX_PORT, type StartAmazonSandboxOptions, type SandboxExchange } from './server.ts';
export { AmazonSandbox, type AmazonSandboxOptions, type CancelOrderInput } from './sandbox.ts';
export { SandboxClock, type ClockOptions } from './clock.ts';
export { DEMO_APP, AUTHORIZATION_CODE_TTL_MS, LwaError, type SandboxApp, type RegisteredApp } from './lwa.ts';
export { DEFAULT_RATE_LIMITS, type RateLimit } from './rate-limits.ts';
export { FAULT_KINDS, NOTIFICATION_FAULT_KINDS, type FaultSpec, type FaultKind, type Fault } from './faults.ts';
export { OPERATIONS, type Operation } from './http.ts';
export { MARKETPLACES, DEMO_CATALOG } from './marketplaces.ts';
export type { PlaceOrderInput, PlaceOrderItemInput, OrderDescription, OrderItemDescription } from './order-book.ts';
export type { RecordedRequest } from './recorder.ts';
export {
  DEMO_AWS,
  DEMO_QUEUE_NAME,
  DEFAULT_SQS_PORT,
  SQS_REGION,
  AMAZON_NOTIFICATIONS_PRINCIPAL,
  SqsError,
  type AwsCredentials,
  type CreateQueueOptions,
  type QueueDescription,
} from './sqs.ts';
export { GRANTLESS_SCOPES } from './lwa.ts';
export { ORDER_CHANGE_TYPES, type OrderChangeType } from './order-book.ts';
export type { NotificationRecord, NotificationFilter, NotificationOutcome, DestinationState, SubscriptionState } from './notifications.ts';
export { amazonSandboxCommands, AMAZON_SANDBOX_URL_ENV, DEFAULT_AMAZON_SANDBOX_URL } from './cli.ts';
