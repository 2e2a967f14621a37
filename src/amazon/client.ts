/**
 * One Selling Partner API client per Amazon store: wires the LWA token cache, the shared rate
 * limiter, the communication errors log and the HTTP layer, and exposes the operations grouped as
 * `orders`, `shipments`, `feeds` and `notifications`.
 *
 * Keep one client per store for as long as the process runs: the access token is cached in it.
 */
import type { Knex } from 'knex';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import {
  assertRatePlan,
  DEFAULT_LWA_TOKEN_URL,
  DEFAULT_RATE_PLANS,
  defaultEndpoint,
  SP_API_OPERATIONS,
  type RatePlan,
  type Region,
  type SpApiOperation,
} from './config.ts';
import { DatabaseApiErrorRecorder, type ApiErrorRecorder } from './error-log.ts';
import { FeedsApi } from './feeds-api.ts';
import { SpApiHttp, type OperationPlan, type RateLimitWaitEvent } from './http.ts';
import { LwaTokenProvider, type AccessTokenSource, type LwaCredentials } from './lwa.ts';
import { NotificationsApi } from './notifications-api.ts';
import { OrdersApi } from './orders-api.ts';
import { DatabaseRateLimiter, type RateLimiter } from './rate-limiter.ts';
import type { RetryPolicy, Sleep } from './retry.ts';
import { ShipmentsApi } from './shipments-api.ts';

export interface AmazonStoreConnection {
  /** amazon_store.id (null before the store is saved, e.g. when testing credentials). */
  storeId: number | null;
  /** Shown in errors and logs, e.g. "My US store". */
  name: string;
  region: Region;
  /** The seller (merchant) id: MerchantIdentifier of feeds, key of the rate buckets. */
  sellerId: string;
  /** SP-API base URL; default: the region's endpoint. */
  endpoint?: string;
  /** LWA token URL; default: https://api.amazon.com/auth/o2/token. */
  lwaEndpoint?: string;
  credentials: LwaCredentials;
  /**
   * Usage-plan overrides per operation (e.g. the sandbox's 5/15). An override is fixed: Amazon's
   * x-amzn-RateLimit-Limit header does not change it. Without one, the documented default is the
   * seed and the header adjusts the rate.
   */
  ratePlans?: Partial<Record<SpApiOperation, RatePlan>>;
}

export interface SpApiClientDependencies {
  /** The host database: rate buckets and the communication errors log live there (optional only when `limiter` and `recorder` are given). */
  database?: Knex;
  clock: ClockPort;
  logger: LoggerPort;
  /** Told whenever a call waits for Amazon's rate limit. */
  onRateLimitWait?: (event: RateLimitWaitEvent) => void;
  /** Refuse rate-limit waits longer than this (AmazonRateLimitWaitError) instead of waiting. */
  maxRateLimitWaitMs?: number;
  /** Per-call timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** The signal of whoever makes the current call (see SpApiHttpOptions.callSignal). */
  callSignal?: () => AbortSignal | undefined;
  retry?: Partial<RetryPolicy>;
  // Seams for tests and special hosts:
  limiter?: RateLimiter;
  recorder?: ApiErrorRecorder;
  tokens?: AccessTokenSource;
  grantlessTokens?: AccessTokenSource;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
}

export class SpApiClient {
  readonly orders: OrdersApi;
  readonly shipments: ShipmentsApi;
  readonly feeds: FeedsApi;
  readonly notifications: NotificationsApi;

  constructor(
    readonly http: SpApiHttp,
    clock: ClockPort,
    logger: LoggerPort,
  ) {
    this.orders = new OrdersApi(http, clock, logger);
    this.shipments = new ShipmentsApi(http);
    this.feeds = new FeedsApi(http);
    this.notifications = new NotificationsApi(http);
  }
}

/** The effective plan of each operation: the store's override (fixed) or the documented default. */
export function resolvePlans(overrides: Partial<Record<SpApiOperation, RatePlan>> = {}): Record<SpApiOperation, OperationPlan> {
  const plans = {} as Record<SpApiOperation, OperationPlan>;
  for (const operation of SP_API_OPERATIONS) {
    const override = overrides[operation];
    if (override !== undefined) assertRatePlan(override, operation);
    plans[operation] = override ? { ...override, fixed: true } : { ...DEFAULT_RATE_PLANS[operation], fixed: false };
  }
  return plans;
}

/** The scope of the grantless token the Notifications API's destinations need. */
export const NOTIFICATIONS_SCOPE = 'sellingpartnerapi::notifications';

export function createSpApiClient(store: AmazonStoreConnection, deps: SpApiClientDependencies): SpApiClient {
  if (store.sellerId.trim() === '') throw new Error(`Amazon store "${store.name}" has no seller id`);
  const common = { clock: deps.clock, logger: deps.logger, sleep: deps.sleep, random: deps.random, fetch: deps.fetch, timeoutMs: deps.timeoutMs, retry: deps.retry };
  const tokenUrl = store.lwaEndpoint ?? DEFAULT_LWA_TOKEN_URL;
  const tokens =
    deps.tokens ??
    new LwaTokenProvider({ ...common, storeName: store.name, credentials: store.credentials, tokenUrl });
  const grantlessTokens =
    deps.grantlessTokens ?? new LwaTokenProvider({ ...common, storeName: store.name, credentials: store.credentials, tokenUrl, grantlessScope: NOTIFICATIONS_SCOPE });
  const http = new SpApiHttp({
    ...common,
    grantlessTokens,
    store: { storeId: store.storeId, storeName: store.name, sellerId: store.sellerId },
    baseUrl: store.endpoint ?? defaultEndpoint(store.region),
    tokens,
    limiter: deps.limiter ?? new DatabaseRateLimiter(requireDatabase(deps), deps.clock, { sleep: deps.sleep }),
    plans: resolvePlans(store.ratePlans),
    recorder: deps.recorder ?? new DatabaseApiErrorRecorder(requireDatabase(deps), deps.clock),
    onRateLimitWait: deps.onRateLimitWait,
    maxRateLimitWaitMs: deps.maxRateLimitWaitMs,
    callSignal: deps.callSignal,
  });
  return new SpApiClient(http, deps.clock, deps.logger);
}

function requireDatabase(deps: SpApiClientDependencies): Knex {
  if (deps.database === undefined) throw new Error('createSpApiClient needs the database for its rate limiter and error log');
  return deps.database;
}
