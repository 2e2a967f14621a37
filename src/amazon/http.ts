/**
 * The one place that talks HTTP to the Selling Partner API (and to the presigned feed-document
 * URLs). Per call, in order: take a rate-limit token (waiting if needed), get an access token,
 * send with a timeout, then:
 * - 2xx: parse the JSON body (malformed JSON is an AmazonResponseError with the request id);
 * - 401/403 saying the access token is expired or invalid: forget the token, refresh, retry once;
 * - 429, 500, 502, 503, 504, network errors and timeouts: retry with exponential back-off and full
 *   jitter, up to the policy's attempts (a 429 also empties the shared bucket: Amazon's is empty);
 *   a call marked not idempotent (createFeed) is retried only when it surely was not processed;
 * - any other status: AmazonApiError at once.
 * A call that finally fails is written to the communication errors log, also one whose retry was
 * refused for waiting too long on the rate limit (its last answer from Amazon is logged). Amazon's
 * x-amzn-RequestId is on every error and log line; tokens and presigned URL queries are on none.
 */
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { USER_AGENT, type RatePlan, type SpApiOperation } from './config.ts';
import type { ApiErrorEntry, ApiErrorRecorder } from './error-log.ts';
import { AmazonApiError, AmazonAuthError, AmazonCallAborted, AmazonError, AmazonNetworkError, AmazonRateLimitWaitError, AmazonResponseError, requestIdNote } from './errors.ts';
import type { AccessTokenSource } from './lwa.ts';
import type { ResponseContext } from './validate.ts';
import { bucketKey, type RateLimiter } from './rate-limiter.ts';
import {
  backoffDelayMs,
  classifyFetchError,
  networkReason,
  realSleep,
  requestNeverSent,
  resolveRetryPolicy,
  RETRYABLE_STATUSES,
  type RetryPolicy,
  type Sleep,
} from './retry.ts';

export interface StoreIdentity {
  /** amazon_store.id; null for a store not saved yet (e.g. while testing credentials). */
  storeId: number | null;
  storeName: string;
  sellerId: string;
}

/** A plan for one operation; `fixed` marks an explicit override that Amazon's rate header must not change. */
export interface OperationPlan extends RatePlan {
  fixed: boolean;
}

export interface RateLimitWaitEvent {
  storeName: string;
  operation: SpApiOperation;
  waitMs: number;
}

export interface SpApiHttpOptions {
  store: StoreIdentity;
  baseUrl: string;
  tokens: AccessTokenSource;
  /** The application's grantless token (client_credentials) for calls marked `grantless`. */
  grantlessTokens?: AccessTokenSource;
  limiter: RateLimiter;
  plans: Record<SpApiOperation, OperationPlan>;
  recorder: ApiErrorRecorder;
  logger: LoggerPort;
  clock: ClockPort;
  /** Per-call timeout (default 30 s), covering the whole response body. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
  userAgent?: string;
  /** Told before a call waits for a rate-limit token (e.g. the CLI says "waiting for Amazon's rate limit"). */
  onRateLimitWait?: (event: RateLimitWaitEvent) => void;
  /** Refuse waits for a token longer than this (AmazonRateLimitWaitError); default: wait as long as needed. */
  maxRateLimitWaitMs?: number;
  /**
   * The signal of whoever makes the current call (a sync run, a sender): once aborted, waits end
   * and no further request is sent (AmazonCallAborted).
   */
  callSignal?: () => AbortSignal | undefined;
}

export interface SpApiCall {
  operation: SpApiOperation;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with its parameters already encoded, e.g. /orders/2026-01-01/orders/123-1234567-1234567. */
  path: string;
  /** Query string without "?", already encoded (see encodeQuery). */
  query?: string;
  /** JSON body. */
  body?: unknown;
  /**
   * False for a call that must not take effect twice (createFeed: a refund feed sent twice refunds
   * twice). It is then retried only when the failure proves Amazon did not process it (429, or
   * the connection never opened); any other failure is reported with `outcomeUnknown`.
   */
  idempotent?: boolean;
  /**
   * Statuses that answer the question rather than fail the call (getSubscription's 404: the seller
   * has none): thrown as AmazonApiError all the same, but neither retried nor logged as failures.
   */
  answers?: readonly number[];
  /** Made with the application's grantless token instead of the seller's (Notifications API destinations). */
  grantless?: boolean;
}

export interface SpApiResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
  requestId: string | null;
}

export interface TransferRequest {
  operation: string;
  method: 'GET' | 'PUT';
  url: string;
  /** Text body, sent as UTF-8. */
  body?: string;
  contentType?: string;
}

export interface TransferResponse {
  status: number;
  body: Buffer;
  contentType: string | null;
}

/**
 * Encodes query parameters; arrays become one comma-separated value (the models' default
 * collectionFormat "csv"), each item percent-encoded. Undefined and empty arrays are left out.
 */
export function encodeQuery(params: Record<string, string | number | boolean | readonly string[] | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      parts.push(`${encodeURIComponent(name)}=${value.map((item) => encodeURIComponent(item)).join(',')}`);
    } else {
      parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join('&');
}

/** Where a URL points, without its query (presigned URLs carry signatures in the query). */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/** Amazon's `{errors: [{code, message, details}]}`, read tolerantly (v0 uses the same shape). */
function readErrors(body: unknown): Array<{ code: string; message: string; details?: string }> {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      code: typeof e.code === 'string' ? e.code : String(e.code ?? ''),
      message: typeof e.message === 'string' ? e.message : '',
      ...(typeof e.details === 'string' && e.details !== '' ? { details: e.details } : {}),
    }));
}

/**
 * Runs one request under a timeout that ends with it. AbortSignal.timeout's timer cannot be
 * cleared: it lives its whole timeout after the answer, holding the caller's async context (a
 * sync's pages) all that time, which a fast sync multiplies into hundreds of megabytes.
 */
async function withTimeout<T>(timeoutMs: number, signal: AbortSignal | undefined, use: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  try {
    return await use(signal ? AbortSignal.any([timeout.signal, signal]) : timeout.signal);
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Amazon says the access token itself is the problem (expired, revoked, malformed): worth one
 * refresh. A 403 for a missing role says nothing about the token and is final.
 */
export function isAccessTokenRejection(error: AmazonApiError): boolean {
  if (error.status === 401) return true;
  if (error.status !== 403) return false;
  return /access token|expired|invalid.?token|InvalidAccessToken|ExpiredToken/i.test(error.amazonText());
}

export class SpApiHttp {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly userAgent: string;
  private readonly baseUrl: string;

  constructor(private readonly options: SpApiHttpOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = resolveRetryPolicy(options.retry);
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
    this.userAgent = options.userAgent ?? USER_AGENT;
    const base = new URL(options.baseUrl); // throws early on a malformed endpoint
    this.baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  }

  get store(): StoreIdentity {
    return this.options.store;
  }

  /** Sends one SP-API call with rate limiting, token refresh and retries; returns a 2xx response. */
  async send(call: SpApiCall): Promise<SpApiResponse> {
    const { store, logger } = this.options;
    const plan = this.options.plans[call.operation];
    const key = bucketKey(store.sellerId, call.operation);
    const url = `${this.baseUrl}${call.path}${call.query ? `?${call.query}` : ''}`;
    const idempotent = call.idempotent ?? true;
    let failures = 0;
    let tokenRefreshed = false;
    /** The failure the loop is retrying after, with what the errors log needs of it. */
    let retrying: { error: AmazonError; entry: Pick<ApiErrorEntry, 'httpStatus' | 'code' | 'requestId'> } | null = null;
    const signal = this.options.callSignal?.();

    for (;;) {
      if (signal?.aborted) throw new AmazonCallAborted(call.operation);
      try {
        await this.options.limiter.acquire(key, plan, {
          fixedRate: plan.fixed,
          maxWaitMs: this.options.maxRateLimitWaitMs,
          signal,
          onWait: (waitMs) => {
            logger.info("Waiting for Amazon's rate limit", { store: store.storeName, operation: call.operation, waitMs });
            this.options.onRateLimitWait?.({ storeName: store.storeName, operation: call.operation, waitMs });
          },
        });
      } catch (error) {
        // A retry (most often after a 429, which empties the bucket) that would wait too long for a
        // token ends the call: Amazon's last answer is then its final failure, and is logged as one.
        if (error instanceof AmazonRateLimitWaitError && retrying !== null) {
          await this.recordFailure(retrying.error, { ...retrying.entry, message: `${retrying.error.message}; not retried: ${error.message}` });
        }
        throw error;
      }
      const tokens = this.tokenSource(call);
      const accessToken = await this.accessToken(tokens);
      const startedAt = this.options.clock.now().getTime();
      const context = { store: store.storeName, operation: call.operation, method: call.method, path: call.path };

      let response: Response;
      let text: string;
      try {
        ({ response, text } = await withTimeout(this.timeoutMs, signal, async (timed) => {
          const answer = await this.fetchImpl(url, {
            method: call.method,
            headers: {
              'x-amz-access-token': accessToken,
              'user-agent': this.userAgent,
              accept: 'application/json',
              ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: call.body === undefined ? undefined : JSON.stringify(call.body),
            signal: timed,
          });
          return { response: answer, text: await answer.text() };
        }));
      } catch (error) {
        // Stopped as asked: for a call that must not run twice, Amazon may have it (outcome unknown).
        if (signal?.aborted) throw idempotent ? new AmazonCallAborted(call.operation) : this.abortedUnknown(call.operation);
        const kind = classifyFetchError(error);
        if (kind === null) throw error;
        const reason = kind === 'timeout' ? `timed out after ${this.timeoutMs} ms` : networkReason(error);
        const outcomeUnknown = !idempotent && !requestNeverSent(error);
        failures++;
        if (failures < this.retry.maxAttempts && !outcomeUnknown) {
          const delayMs = backoffDelayMs(failures, this.retry, this.random);
          logger.warn('Amazon call failed without an answer, retrying', { ...context, reason, attempt: failures, delayMs });
          retrying = {
            error: new AmazonNetworkError(`${call.operation} failed for store "${store.storeName}": no answer from Amazon (${reason})`, call.operation, kind === 'timeout'),
            entry: { httpStatus: null, code: kind === 'timeout' ? 'Timeout' : 'NetworkError', requestId: null },
          };
          await this.sleep(delayMs, signal);
          continue;
        }
        const networkError = new AmazonNetworkError(
          `${call.operation} failed for store "${store.storeName}": no answer from Amazon (${reason}) after ${failures} attempt(s)` +
            (outcomeUnknown ? '; the request may have reached Amazon: check before sending it again' : ''),
          call.operation,
          kind === 'timeout',
          outcomeUnknown,
        );
        await this.recordFailure(networkError, { httpStatus: null, code: kind === 'timeout' ? 'Timeout' : 'NetworkError', requestId: null });
        throw networkError;
      }

      const requestId = response.headers.get('x-amzn-requestid');
      const durationMs = this.options.clock.now().getTime() - startedAt;
      logger.debug('Amazon call', { ...context, status: response.status, requestId, durationMs });
      await this.observeRateHeader(key, plan, response.headers.get('x-amzn-ratelimit-limit'));

      if (response.ok) {
        if (response.status === 204 || text.trim() === '') return { status: response.status, body: undefined, requestId };
        const parsed = parseJson(text);
        if (parsed.ok) return { status: response.status, body: parsed.value, requestId };
        const malformed = new AmazonResponseError(
          `Invalid ${call.operation} response: the body is not JSON${requestIdNote(requestId)}`,
          call.operation,
          requestId,
          null,
          '',
          [{ path: '', message: 'body is not JSON' }],
        );
        await this.recordFailure(malformed, { httpStatus: response.status, code: 'InvalidResponse', requestId });
        throw malformed;
      }

      // A throttled call was rejected unprocessed; any other server error may have been processed.
      const outcomeUnknown = !idempotent && response.status >= 500;
      const apiError = this.toApiError(call.operation, response.status, text, requestId, outcomeUnknown);
      if (isAccessTokenRejection(apiError) && !tokenRefreshed) {
        // One refresh and one retry: a second rejection means the problem is not the token's age.
        tokenRefreshed = true;
        logger.warn('Amazon rejected the access token, refreshing it once', { ...context, status: response.status, requestId });
        tokens.invalidate(accessToken);
        continue;
      }
      if (RETRYABLE_STATUSES.has(response.status)) {
        failures++;
        if (response.status === 429) await this.options.limiter.drain(key);
        if (failures < this.retry.maxAttempts && !outcomeUnknown) {
          const delayMs = backoffDelayMs(failures, this.retry, this.random);
          logger.warn('Amazon call failed, retrying', { ...context, status: response.status, code: apiError.code, requestId, attempt: failures, delayMs });
          retrying = { error: apiError, entry: { httpStatus: apiError.status, code: apiError.code, requestId } };
          await this.sleep(delayMs, signal);
          continue;
        }
      }
      if (call.answers?.includes(response.status)) throw apiError;
      logger.error('Amazon call failed', { ...context, status: response.status, code: apiError.code, requestId });
      await this.recordFailure(apiError, { httpStatus: apiError.status, code: apiError.code, requestId });
      throw apiError;
    }
  }

  /** A call that must not run twice, stopped while on its way: it may have reached Amazon. */
  private abortedUnknown(operation: string): AmazonNetworkError {
    return new AmazonNetworkError(
      `${operation} failed for store "${this.options.store.storeName}": stopped while waiting for Amazon's answer; the request may have reached Amazon: check before sending it again`,
      operation,
      false,
      true,
    );
  }

  /**
   * A request to a presigned feed-document URL: no access token (the URL is the credential), no
   * SP-API rate limit; timeout and retries as for SP-API calls.
   */
  async transfer(request: TransferRequest): Promise<TransferResponse> {
    const { store, logger } = this.options;
    const where = safeUrl(request.url);
    const signal = this.options.callSignal?.();
    let failures = 0;
    for (;;) {
      if (signal?.aborted) throw new AmazonCallAborted(request.operation);
      let response: Response;
      let body: Buffer;
      try {
        ({ response, body } = await withTimeout(this.timeoutMs, undefined, async (timed) => {
          const answer = await this.fetchImpl(request.url, {
            method: request.method,
            headers: request.contentType === undefined ? {} : { 'content-type': request.contentType },
            body: request.body,
            signal: timed,
          });
          return { response: answer, body: Buffer.from(await answer.arrayBuffer()) };
        }));
      } catch (error) {
        const kind = classifyFetchError(error);
        if (kind === null) throw error;
        const reason = kind === 'timeout' ? `timed out after ${this.timeoutMs} ms` : networkReason(error);
        failures++;
        if (failures < this.retry.maxAttempts) {
          const delayMs = backoffDelayMs(failures, this.retry, this.random);
          logger.warn('Amazon document transfer failed without an answer, retrying', { store: store.storeName, operation: request.operation, url: where, reason, delayMs });
          await this.sleep(delayMs, signal);
          continue;
        }
        const networkError = new AmazonNetworkError(
          `${request.operation} failed for store "${store.storeName}": no answer from ${where} (${reason})`,
          request.operation,
          kind === 'timeout',
        );
        await this.recordFailure(networkError, { httpStatus: null, code: kind === 'timeout' ? 'Timeout' : 'NetworkError', requestId: null });
        throw networkError;
      }
      if (response.ok) return { status: response.status, body, contentType: response.headers.get('content-type') };
      const requestId = response.headers.get('x-amz-request-id') ?? response.headers.get('x-amzn-requestid');
      failures++;
      if (response.status >= 500 && failures < this.retry.maxAttempts) {
        const delayMs = backoffDelayMs(failures, this.retry, this.random);
        logger.warn('Amazon document transfer failed, retrying', { store: store.storeName, operation: request.operation, url: where, status: response.status, requestId, delayMs });
        await this.sleep(delayMs, signal);
        continue;
      }
      // Storage errors are XML; keep only <Code> and <Message> (the rest can echo the signature).
      const xml = body.toString('utf8');
      const code = /<Code>([^<]{1,100})<\/Code>/.exec(xml)?.[1] ?? null;
      const message = /<Message>([^<]{1,300})<\/Message>/.exec(xml)?.[1] ?? null;
      const error = new AmazonApiError(
        `${request.operation} failed for store "${store.storeName}": HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''} (${where})`,
        request.operation,
        response.status,
        code,
        null,
        requestId,
      );
      logger.error('Amazon document transfer failed', { store: store.storeName, operation: request.operation, url: where, status: response.status, code, requestId });
      await this.recordFailure(error, { httpStatus: response.status, code, requestId });
      throw error;
    }
  }

  private tokenSource(call: SpApiCall): AccessTokenSource {
    if (!call.grantless) return this.options.tokens;
    if (!this.options.grantlessTokens) throw new Error(`${call.operation} needs a grantless token source, and this client has none`);
    return this.options.grantlessTokens;
  }

  /** The access token; a refused or unreachable Login with Amazon is logged as a communication error too. */
  private async accessToken(tokens: AccessTokenSource): Promise<string> {
    try {
      return await tokens.getAccessToken();
    } catch (error) {
      if (error instanceof AmazonAuthError) await this.recordFailure(error, { httpStatus: error.status, code: error.code, requestId: error.requestId });
      else if (error instanceof AmazonApiError) await this.recordFailure(error, { httpStatus: error.status, code: error.code, requestId: error.requestId });
      else if (error instanceof AmazonNetworkError) await this.recordFailure(error, { httpStatus: null, code: error.timedOut ? 'Timeout' : 'NetworkError', requestId: null });
      throw error;
    }
  }

  /** A 2xx body checked by `parse`; a body that breaks the model is logged as a communication error and thrown. */
  async validated<T>(response: SpApiResponse, parse: (body: unknown, context: ResponseContext) => T, operation: SpApiOperation): Promise<T> {
    try {
      return parse(response.body, { operation, requestId: response.requestId });
    } catch (error) {
      if (error instanceof AmazonResponseError) await this.recordFailure(error, { httpStatus: response.status, code: 'InvalidResponse', requestId: response.requestId });
      throw error;
    }
  }

  /** Writes a final failure to the communication errors log; a failing log never hides the error. */
  async recordFailure(error: AmazonError, entry: Pick<ApiErrorEntry, 'httpStatus' | 'code' | 'requestId'> & { message?: string }): Promise<void> {
    const operation = error instanceof AmazonAuthError ? 'lwaRefreshToken' : 'operation' in error && typeof error.operation === 'string' ? error.operation : 'unknown';
    try {
      await this.options.recorder.record({ storeId: this.options.store.storeId, operation, ...entry, message: entry.message ?? error.message });
    } catch (recordError) {
      this.options.logger.error('Could not record an Amazon communication error', {
        store: this.options.store.storeName,
        operation,
        error: recordError instanceof Error ? recordError.message : String(recordError),
      });
    }
  }

  private toApiError(operation: string, status: number, text: string, requestId: string | null, outcomeUnknown = false): AmazonApiError {
    const parsed = parseJson(text);
    const errors = parsed.ok ? readErrors(parsed.value) : [];
    const first = errors[0];
    const what = first
      ? `${first.code}: ${first.message}${first.details ? ` (${first.details})` : ''}`
      : parsed.ok
        ? 'no error details'
        : 'non-JSON body';
    return new AmazonApiError(
      `${operation} failed for store "${this.options.store.storeName}": HTTP ${status} ${what}${requestIdNote(requestId)}` +
        (outcomeUnknown ? '; the request may have been processed: check before sending it again' : ''),
      operation,
      status,
      first?.code ?? null,
      first?.details ?? null,
      requestId,
      errors,
      outcomeUnknown,
    );
  }

  private async observeRateHeader(key: string, plan: OperationPlan, header: string | null): Promise<void> {
    if (header === null || plan.fixed) return;
    const rate = Number(header);
    if (!(Number.isFinite(rate) && rate > 0)) return;
    try {
      await this.options.limiter.observeRate(key, rate);
    } catch (error) {
      // The answer arrived; failing to store a rate hint must not fail the call.
      this.options.logger.warn('Could not store the rate Amazon reported', { key, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
