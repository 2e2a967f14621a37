/**
 * Amazon's usage plans: a token bucket per (seller, application, operation), per (application,
 * operation) for grantless calls, which have no seller. Each call takes one
 * token; tokens refill at `rate` per second of sandbox time up to `burst`. An empty bucket is a
 * 429 QuotaExceeded (no Retry-After, no x-amzn-RateLimit-Limit).
 */
import type { SandboxClock } from './clock.ts';
import { errorResponse, type Operation, type SandboxResponse } from './http.ts';

export interface RateLimit {
  /** Requests per second. */
  rate: number;
  burst: number;
}

/** Default plans from the models' operation descriptions. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<Operation, RateLimit>> = Object.freeze({
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  cancelFeed: { rate: 2, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  createDestination: { rate: 1, burst: 5 },
  getDestinations: { rate: 1, burst: 5 },
  getDestination: { rate: 1, burst: 5 },
  deleteDestination: { rate: 1, burst: 5 },
  createSubscription: { rate: 1, burst: 5 },
  getSubscription: { rate: 1, burst: 5 },
  getSubscriptionById: { rate: 1, burst: 5 },
  deleteSubscriptionById: { rate: 1, burst: 5 },
});

export class RateLimitError extends Error {
  override name = 'RateLimitError';
}

export function checkRateLimit(limit: RateLimit): RateLimit {
  if (!Number.isFinite(limit.rate) || limit.rate <= 0) throw new RateLimitError(`rate must be a number > 0, got ${limit.rate}`);
  if (!Number.isInteger(limit.burst) || limit.burst < 1) throw new RateLimitError(`burst must be an integer >= 1, got ${limit.burst}`);
  return { rate: limit.rate, burst: limit.burst };
}

export function quotaExceeded(): SandboxResponse {
  return errorResponse(429, { code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' });
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private limits: Record<Operation, RateLimit>;
  private buckets = new Map<string, Bucket>();
  private throttled = new Map<Operation, number>();

  constructor(
    private readonly clock: SandboxClock,
    overrides: Partial<Record<Operation, RateLimit>> = {},
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS };
    for (const [operation, limit] of Object.entries(overrides) as Array<[Operation, RateLimit]>) this.limits[operation] = checkRateLimit(limit);
  }

  limit(operation: Operation): RateLimit {
    return this.limits[operation];
  }

  all(): Record<Operation, RateLimit> {
    return { ...this.limits };
  }

  /** Changes an operation's plan; its buckets start full at the new burst. */
  set(operation: Operation, limit: RateLimit): void {
    this.limits[operation] = checkRateLimit(limit);
    for (const key of [...this.buckets.keys()]) if (key.endsWith(`|${operation}`)) this.buckets.delete(key);
  }

  /** Takes a token; false when the bucket is empty (the call is counted as throttled). */
  take(caller: { clientId: string; sellerId?: string }, operation: Operation): boolean {
    const { rate, burst } = this.limits[operation];
    const key = `${caller.sellerId ?? ''}|${caller.clientId}|${operation}`;
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      this.countThrottled(operation);
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  countThrottled(operation: Operation): void {
    this.throttled.set(operation, (this.throttled.get(operation) ?? 0) + 1);
  }

  throttledCounts(): Partial<Record<Operation, number>> {
    return Object.fromEntries(this.throttled);
  }

  /** Header value for x-amzn-RateLimit-Limit. */
  header(operation: Operation): string {
    return String(this.limits[operation].rate);
  }

  reset(): void {
    this.buckets.clear();
    this.throttled.clear();
  }
}
