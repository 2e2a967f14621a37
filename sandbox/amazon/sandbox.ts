/**
 * The sandbox's world without the HTTP servers: clock, LWA, orders, feeds, notifications, the SQS
 * queues they go to, rate limits, faults and recorded requests, plus the control functions tests
 * call in-process (the same ones the /_sandbox/ HTTP endpoints expose). Every control function
 * first runs the tasks that became due.
 */
import { SandboxClock, type ClockOptions } from './clock.ts';
import { FeedsApi, DEFAULT_FEED_TIMINGS, type FeedTimings } from './feeds.ts';
import { FaultInjector, type Fault, type FaultSpec } from './faults.ts';
import type { Operation } from './http.ts';
import { DEMO_APP, DEFAULT_ACCESS_TOKEN_TTL_MS, Lwa, type SandboxApp } from './lwa.ts';
import { DEFAULT_LIFECYCLE, describeOrder, OrderBook, OrderError, orderStatus, type OrderDescription, type PlaceOrderInput } from './order-book.ts';
import { NotificationsApi, type DestinationState, type NotificationFilter, type NotificationRecord, type SubscriptionState } from './notifications.ts';
import { OrdersApi, DEFAULT_PAGINATION_TOKEN_TTL_MS } from './orders.ts';
import { SeededRandom } from './random.ts';
import { RateLimiter, type RateLimit } from './rate-limits.ts';
import { RequestRecorder, type RecordedRequest } from './recorder.ts';
import { seedDemoOrders } from './seed.ts';
import { DEMO_QUEUE_NAME, SandboxSqs, type AwsCredentials, type CreateQueueOptions, type QueueDescription } from './sqs.ts';

export interface AmazonSandboxOptions {
  /** A clock to share, or options for a new one (default: real time, speed 1). */
  clock?: SandboxClock | ClockOptions;
  /** Per-operation plan overrides, e.g. { searchOrders: { rate: 1, burst: 3 } }. */
  rateLimits?: Partial<Record<Operation, RateLimit>>;
  /** PENDING -> UNSHIPPED delay (sandbox time); default 5 minutes. */
  verificationDelayMs?: number;
  /** UNSHIPPED -> SHIPPED delay for AMAZON-fulfilled orders; default 30 minutes. */
  fbaShipDelayMs?: number;
  /** Default PENDING_AVAILABILITY duration of a pre-order; default 24 hours. */
  preorderReleaseMs?: number;
  /** Feed IN_QUEUE and IN_PROGRESS durations; default 15 s and 30 s. */
  feedTimings?: Partial<FeedTimings>;
  /** Access token lifetime; default 3600 s. */
  accessTokenTtlMs?: number;
  /** Pagination token lifetime; default 24 h. */
  paginationTokenTtlMs?: number;
  /** Place the demo orders (a dozen over the last days) at start. */
  seed?: boolean;
  /** Seed of the pseudo-random ids and names; default 4610. */
  randomSeed?: number;
  /** Apps registered besides DEMO_APP. */
  apps?: SandboxApp[];
}

export interface CancelOrderInput {
  by: 'BUYER' | 'AMAZON';
  reason?: string;
  /** BUYER only: record a cancellation request the seller has to act on, without cancelling. */
  requestOnly?: boolean;
}

export class AmazonSandbox {
  readonly clock: SandboxClock;
  readonly lwa: Lwa;
  readonly book: OrderBook;
  readonly orders: OrdersApi;
  readonly feeds: FeedsApi;
  readonly limits: RateLimiter;
  readonly faults = new FaultInjector();
  readonly recorder = new RequestRecorder();
  /** The AWS side: the queues notifications go to (served by the running sandbox's SQS listener). */
  readonly sqs = new SandboxSqs();
  readonly notifications: NotificationsApi;
  private readonly rng: SeededRandom;
  private readonly extraApps: SandboxApp[];

  constructor(
    readonly options: AmazonSandboxOptions,
    baseUrl: () => string,
  ) {
    this.clock = options.clock instanceof SandboxClock ? options.clock : new SandboxClock(options.clock ?? {});
    this.rng = new SeededRandom(options.randomSeed ?? 4610);
    this.lwa = new Lwa(this.clock, options.accessTokenTtlMs ?? DEFAULT_ACCESS_TOKEN_TTL_MS);
    this.book = new OrderBook(
      this.clock,
      this.rng,
      {
        verificationDelayMs: options.verificationDelayMs ?? DEFAULT_LIFECYCLE.verificationDelayMs,
        fbaShipDelayMs: options.fbaShipDelayMs ?? DEFAULT_LIFECYCLE.fbaShipDelayMs,
        preorderReleaseMs: options.preorderReleaseMs ?? DEFAULT_LIFECYCLE.preorderReleaseMs,
      },
      DEMO_APP.sellerId,
    );
    this.orders = new OrdersApi(this.clock, this.book, options.paginationTokenTtlMs ?? DEFAULT_PAGINATION_TOKEN_TTL_MS);
    this.feeds = new FeedsApi(this.clock, this.book, this.rng, baseUrl, { ...DEFAULT_FEED_TIMINGS, ...options.feedTimings });
    this.limits = new RateLimiter(this.clock, options.rateLimits);
    this.notifications = new NotificationsApi(this.clock, this.lwa, this.sqs, this.faults);
    this.book.onChange = (change) => this.notifications.orderChanged(change);
    this.extraApps = options.apps ?? [];
    this.registerApps();
    this.sqs.createQueue(DEMO_QUEUE_NAME);
    if (options.seed) seedDemoOrders(this);
  }

  /** The app and seller every sandbox knows, with the redirect URIs added to the app. */
  get demoApp(): SandboxApp {
    return { ...DEMO_APP, redirectUris: this.lwa.app(DEMO_APP.clientId).redirectUris };
  }

  now(): Date {
    this.clock.runDue();
    return new Date(this.clock.now());
  }

  advanceClock(ms: number): Date {
    this.clock.advance(ms);
    return this.now();
  }

  setClock(time: Date | string | number): Date {
    this.clock.set(time);
    return this.now();
  }

  setClockSpeed(speed: number): void {
    this.clock.setSpeed(speed);
  }

  placeOrder(input: PlaceOrderInput): OrderDescription {
    this.clock.runDue();
    const order = this.book.place(input);
    this.clock.runDue();
    return describeOrder(order);
  }

  cancelOrder(orderId: string, input: CancelOrderInput): OrderDescription {
    this.clock.runDue();
    if (input.by !== 'BUYER' && input.by !== 'AMAZON') throw new OrderError('by must be BUYER or AMAZON');
    const reason = input.reason ?? (input.by === 'BUYER' ? 'Buyer canceled' : 'Amazon canceled the order');
    return describeOrder(this.book.cancelByBuyerOrAmazon(orderId, input.by, reason, input.requestOnly ?? false));
  }

  getOrder(orderId: string): OrderDescription | undefined {
    this.clock.runDue();
    const order = this.book.get(orderId);
    return order && describeOrder(order);
  }

  listOrders(filter: { sellerId?: string; status?: string } = {}): OrderDescription[] {
    this.clock.runDue();
    return this.book
      .all()
      .filter((o) => filter.sellerId === undefined || o.sellerId === filter.sellerId)
      .filter((o) => filter.status === undefined || orderStatus(o) === filter.status)
      .sort((a, b) => a.createdTime - b.createdTime || a.orderId.localeCompare(b.orderId))
      .map(describeOrder);
  }

  setRateLimit(operation: Operation, limit: RateLimit): void {
    this.limits.set(operation, limit);
  }

  addFault(spec: FaultSpec): Fault {
    return this.faults.add(spec, this.clock.now());
  }

  listFaults(): Fault[] {
    return this.faults.list(this.clock.now());
  }

  /** Removes every fault; notifications a reorder fault held go out (newest first). */
  clearFaults(): void {
    this.faults.clear();
    this.notifications.releaseHeld();
  }

  /** Removes one fault; removing a reorder fault sends what is held (newest first). */
  removeFault(id: string): boolean {
    const fault = this.faults.list(this.clock.now()).find((f) => f.id === id);
    const removed = this.faults.remove(id);
    if (fault?.kind === 'reorderNotifications') this.notifications.releaseHeld();
    return removed;
  }

  requests(filter: { operation?: string; sinceSeq?: number } = {}): RecordedRequest[] {
    return this.recorder.list(filter);
  }

  clearRequests(): void {
    this.recorder.clear();
  }

  /** Throttled (429) answers per operation, from rate limits and throttle faults. */
  throttledCounts(): Partial<Record<Operation, number>> {
    return this.limits.throttledCounts();
  }

  registerApp(app: SandboxApp): void {
    this.lwa.register(app);
    this.extraApps.push({ ...app });
  }

  /** Adds an OAuth redirect URI (absolute http(s), no fragment) to an app's; returns them all. */
  addRedirectUri(clientId: string, uri: string): string[] {
    return this.lwa.addRedirectUri(clientId, uri);
  }

  /** Makes a seller known, so the consent page offers it. */
  addSeller(sellerId: string): void {
    this.lwa.addSeller(sellerId);
  }

  /** The seller removed the app in Seller Central; returns how many refresh tokens the sandbox knew of that stopped. */
  revokeAuthorization(clientId: string, sellerId: string): number {
    return this.lwa.revokeAuthorization(clientId, sellerId);
  }

  expirePaginationTokens(): number {
    return this.orders.expirePaginationTokens();
  }

  expireAccessTokens(): void {
    this.lwa.expireAccessTokens();
  }

  listFeeds(): Array<Record<string, unknown>> {
    this.clock.runDue();
    return this.feeds.list().map((f) => ({
      feedId: f.feedId,
      sellerId: f.sellerId,
      feedType: f.feedType,
      marketplaceIds: f.marketplaceIds,
      processingStatus: f.processingStatus,
      createdTime: new Date(f.createdTime).toISOString(),
      resultFeedDocumentId: f.resultFeedDocumentId ?? null,
      summary: f.outcome ? { processed: f.outcome.messagesProcessed, successful: f.outcome.messagesSuccessful, fatal: f.outcome.fatal } : null,
      results: f.outcome?.results ?? [],
    }));
  }

  /** The processing report XML of a finished feed (not gzipped), or undefined. */
  feedReport(feedId: string): string | undefined {
    this.clock.runDue();
    return this.feeds.get(feedId)?.report;
  }

  /** SQS's region (the queue ARNs' and the SigV4 scope's). */
  get sqsRegion(): string {
    return this.sqs.region;
  }

  /** The queue every sandbox has, Amazon allowed to send to it. */
  get demoQueue(): { name: string; url: string; arn: string } {
    const { name, url, arn } = this.sqs.describe(DEMO_QUEUE_NAME);
    return { name, url, arn };
  }

  /** Lets another access key (same AWS account) call SQS. */
  addAwsCredentials(credentials: AwsCredentials): void {
    this.sqs.addCredentials(credentials);
  }

  /** Creates an SQS queue (default: standard, 30 s visibility, Amazon allowed to send). */
  createQueue(name: string, options: CreateQueueOptions = {}): { url: string; arn: string } {
    return this.sqs.createQueue(name, options);
  }

  /** A queue (by name, URL or ARN) and its message counts. */
  describeQueue(queue: string): QueueDescription {
    return this.sqs.describe(queue);
  }

  listQueues(): QueueDescription[] {
    return this.sqs.list();
  }

  /** false: every SQS request is answered 503 ServiceUnavailable until set back (Amazon still delivers). */
  setSqsAvailable(available: boolean): void {
    this.sqs.setAvailable(available);
  }

  /** The notifications Amazon published, oldest first, with what became of each. */
  notificationsSent(filter: NotificationFilter = {}): NotificationRecord[] {
    this.clock.runDue();
    return this.notifications.published(filter);
  }

  /** Sends the notifications a reorder fault holds now, newest first; returns how many. */
  releaseHeldNotifications(): number {
    return this.notifications.releaseHeld();
  }

  listDestinations(): DestinationState[] {
    return this.notifications.listDestinations();
  }

  listSubscriptions(): SubscriptionState[] {
    return this.notifications.listSubscriptions();
  }

  /**
   * Forgets orders, feeds, pagination tokens, buckets, faults, recorded requests, unused
   * authorization codes, destinations, subscriptions, notifications and the SQS queues (the demo
   * queue is made again, empty; SQS is available again). Registered apps (with their redirect URIs),
   * sellers, issued tokens and AWS keys stay valid; the clock keeps its time (it never goes back).
   */
  reset(options: { seed?: boolean } = {}): void {
    this.clock.clearTasks();
    this.lwa.forgetCodes();
    this.book.reset();
    this.orders.reset();
    this.feeds.reset();
    this.limits.reset();
    this.faults.clear();
    this.recorder.clear();
    this.notifications.reset();
    this.sqs.reset();
    this.sqs.createQueue(DEMO_QUEUE_NAME);
    if (options.seed) seedDemoOrders(this);
  }

  private registerApps(): void {
    this.lwa.register(DEMO_APP);
    for (const app of this.extraApps) this.lwa.register(app);
  }
}
