/**
 * Endpoints, operation names and the documented usage plans. Everything here is a default a store
 * may override (a local sandbox in tests and demos, a seller with a bigger plan).
 */
import { own } from '../own.ts';

export type Region = 'na' | 'eu' | 'fe';

export const SP_API_ENDPOINTS: Record<Region, string> = {
  na: 'https://sellingpartnerapi-na.amazon.com',
  eu: 'https://sellingpartnerapi-eu.amazon.com',
  fe: 'https://sellingpartnerapi-fe.amazon.com',
};

export const DEFAULT_LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

/** Sent on every call; Amazon asks for `AppName/version (Language=...)`. Keep in step with package.json. */
export const USER_AGENT = 'amazon-sales-channel/0.1.0 (Language=TypeScript)';

/** The operations the client calls. Each has its own token bucket at Amazon. */
export const SP_API_OPERATIONS = [
  'searchOrders',
  'getOrder',
  'confirmShipment',
  'createFeedDocument',
  'createFeed',
  'getFeed',
  'getFeedDocument',
  'getDestinations',
  'createDestination',
  'getSubscription',
  'createSubscription',
  'deleteSubscriptionById',
] as const;
export type SpApiOperation = (typeof SP_API_OPERATIONS)[number];

/** A token bucket: `rate` tokens per second refill it, up to `burst`. */
export interface RatePlan {
  rate: number;
  burst: number;
}

/** Default usage plans per operation, from the operations' descriptions in the official models. */
export const DEFAULT_RATE_PLANS: Record<SpApiOperation, RatePlan> = {
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  createFeed: { rate: 0.0083, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  getDestinations: { rate: 1, burst: 5 },
  createDestination: { rate: 1, burst: 5 },
  getSubscription: { rate: 1, burst: 5 },
  createSubscription: { rate: 1, burst: 5 },
  deleteSubscriptionById: { rate: 1, burst: 5 },
};

/** Amazon's own sandbox endpoints apply one plan to every call. */
export const SANDBOX_RATE_PLAN: RatePlan = { rate: 5, burst: 15 };

export function defaultEndpoint(region: Region): string {
  const endpoint = own(SP_API_ENDPOINTS, region);
  if (endpoint === undefined) throw new Error(`Unknown Amazon region "${String(region)}": use na, eu or fe`);
  return endpoint;
}

export function assertRatePlan(plan: RatePlan, label: string): void {
  if (!(Number.isFinite(plan.rate) && plan.rate > 0) || !(Number.isInteger(plan.burst) && plan.burst >= 1)) {
    throw new Error(`Invalid rate plan for ${label}: rate must be > 0 and burst an integer >= 1 (got ${plan.rate}/${plan.burst})`);
  }
}
