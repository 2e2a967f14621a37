/**
 * When and how long to retry. Amazon's guidance: 429 and 5xx are retryable and repeated failures
 * need back-off; exponential back-off with full jitter spreads the retries of many processes.
 */

export interface RetryPolicy {
  /** Total attempts including the first (1 = never retry). */
  maxAttempts: number;
  /** Ceiling of the first back-off; doubles each further failure. */
  baseDelayMs: number;
  /** No back-off is longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** Throttled, or a server-side failure that may pass. Every other 4xx is final. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Waits `ms`, or less: it resolves at once when `signal` is (or becomes) aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Full jitter: a uniformly random delay in [0, min(maxDelay, base * 2^(failures-1))). */
export function backoffDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new Error('retry.maxAttempts must be an integer >= 1');
  if (!(policy.baseDelayMs >= 0) || !(policy.maxDelayMs >= 0)) throw new Error('retry delays must be >= 0');
  return policy;
}

/**
 * What a thrown fetch error means: `timeout` (our AbortSignal.timeout fired), `network` (no
 * answer: refused, reset, DNS, socket closed mid-body; undici throws these as TypeError), or null
 * for anything else, which is a bug to surface rather than retry.
 */
export function classifyFetchError(error: unknown): 'timeout' | 'network' | null {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  if (error instanceof TypeError) return 'network';
  return null;
}

/** A short reason for logs and messages, e.g. "ECONNRESET" or "fetch failed". Never contains the URL's query. */
export function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? code : cause.message;
  }
  return error.message;
}

/** Errors raised before a request left this machine: nothing reached Amazon, resending is safe. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** True when a fetch error proves the request never reached the server (refused, DNS, connect timeout). */
export function requestNeverSent(error: unknown): boolean {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' && NOT_SENT_CODES.has(code);
}
