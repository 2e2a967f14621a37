/**
 * Login with Amazon: exchanges a store's refresh token for an access token and caches it.
 *
 * - The token is reused until 60 s before it expires (by the injected clock), so a call never
 *   starts with a token that expires on the way.
 * - One refresh at a time: concurrent callers share the refresh in flight.
 * - Transient failures (network, timeout, 429, 5xx) are retried with back-off; credentials LWA
 *   refuses (invalid_client, invalid_grant, ...) become an AmazonAuthError naming the store.
 * - The client secret and refresh token never appear in an error, a log line or a log context.
 */
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { DEFAULT_LWA_TOKEN_URL } from './config.ts';
import { AmazonApiError, AmazonAuthError, AmazonNetworkError, AmazonResponseError, requestIdNote } from './errors.ts';
import {
  backoffDelayMs,
  classifyFetchError,
  networkReason,
  realSleep,
  resolveRetryPolicy,
  RETRYABLE_STATUSES,
  type RetryPolicy,
  type Sleep,
} from './retry.ts';

export interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** What the HTTP layer needs: a valid access token, and a way to say Amazon rejected one. */
export interface AccessTokenSource {
  getAccessToken(): Promise<string>;
  /** Amazon rejected `token` (expired/invalid): forget it, unless a newer one is cached already. */
  invalidate(token: string): void;
}

export interface LwaTokenProviderOptions {
  /** Named in AmazonAuthError so the admin knows which store to re-authorize. */
  storeName: string;
  credentials: LwaCredentials;
  /**
   * A grantless token for this scope (`client_credentials`, e.g. "sellingpartnerapi::notifications")
   * instead of the seller's (`refresh_token`): the application's own calls, on no seller's behalf.
   */
  grantlessScope?: string;
  clock: ClockPort;
  logger: LoggerPort;
  tokenUrl?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
}

/** Refresh this long before the token's expiry. */
export const REFRESH_MARGIN_MS = 60_000;
const OPERATION = 'lwaRefreshToken';
/** LWA's `error` values that mean "these credentials are wrong", not "try again". */
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'invalid_grant', 'unauthorized_client', 'invalid_request', 'unsupported_grant_type', 'invalid_scope']);

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

export class LwaTokenProvider implements AccessTokenSource {
  private cached: CachedToken | null = null;
  private inFlight: Promise<string> | null = null;
  private readonly tokenUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: LwaTokenProviderOptions) {
    this.tokenUrl = options.tokenUrl ?? DEFAULT_LWA_TOKEN_URL;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = resolveRetryPolicy(options.retry);
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async getAccessToken(): Promise<string> {
    const now = this.options.clock.now().getTime();
    if (this.cached !== null && now < this.cached.expiresAtMs - REFRESH_MARGIN_MS) return this.cached.token;
    // Every caller that arrives during a refresh waits for that same refresh.
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async refresh(): Promise<string> {
    const { storeName } = this.options;
    for (let attempt = 1; ; attempt++) {
      let failure: Error;
      try {
        const cached = await this.requestToken();
        this.cached = cached;
        this.options.logger.debug('Amazon access token refreshed', { store: storeName, expiresAt: new Date(cached.expiresAtMs).toISOString() });
        return cached.token;
      } catch (error) {
        if (!isTransient(error) || attempt >= this.retry.maxAttempts) throw error;
        failure = error as Error;
      }
      const delay = backoffDelayMs(attempt, this.retry, this.random);
      this.options.logger.warn('Amazon access token refresh failed, retrying', { store: storeName, attempt, delayMs: delay, error: failure.message, requestId: 'requestId' in failure ? failure.requestId : null });
      await this.sleep(delay);
    }
  }

  /** One refresh-token (or client-credentials) grant. Throws typed errors; never includes the request body in any of them. */
  private async requestToken(): Promise<CachedToken> {
    const { credentials, storeName, grantlessScope } = this.options;
    const startedAt = this.options.clock.now().getTime();
    const client = { client_id: credentials.clientId, client_secret: credentials.clientSecret };
    const json = await postToLwa({
      tokenUrl: this.tokenUrl,
      form: grantlessScope === undefined ? { grant_type: 'refresh_token', refresh_token: credentials.refreshToken, ...client } : { grant_type: 'client_credentials', scope: grantlessScope, ...client },
      secrets: [credentials.clientSecret, credentials.refreshToken],
      subject: `store "${storeName}"`,
      storeName,
      timeoutMs: this.timeoutMs,
      fetch: this.fetchImpl,
    });
    const accessToken = json.body.access_token;
    const expiresIn = json.body.expires_in;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      // Name the fields only: the body holds a token.
      throw new AmazonResponseError(
        `Invalid Login with Amazon response for store "${storeName}": expected access_token (string) and expires_in (positive number)`,
        OPERATION,
        json.requestId,
        null,
        typeof accessToken !== 'string' || accessToken === '' ? 'access_token' : 'expires_in',
        [],
      );
    }
    return { token: accessToken, expiresAtMs: startedAt + expiresIn * 1000 };
  }
}

export interface AuthorizationCodeExchange {
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** The `spapi_oauth_code` Amazon's consent redirect carried. */
  code: string;
  /** The redirect URI the consent was given for (LWA checks it is the same). */
  redirectUri: string;
  /** Named in errors, e.g. the store being connected. */
  storeName: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The website authorization workflow's last step: the seller's authorization code for the seller's
 * refresh token (`grant_type=authorization_code`). One attempt, no retries: a code is single-use,
 * and LWA may have consumed it even when its answer was lost.
 */
export async function exchangeAuthorizationCode(exchange: AuthorizationCodeExchange): Promise<{ refreshToken: string; requestId: string | null }> {
  const answer = await postToLwa({
    tokenUrl: exchange.tokenUrl ?? DEFAULT_LWA_TOKEN_URL,
    form: { grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri, client_id: exchange.clientId, client_secret: exchange.clientSecret },
    secrets: [exchange.clientSecret, exchange.code],
    subject: `the authorization of store "${exchange.storeName}"`,
    storeName: exchange.storeName,
    timeoutMs: exchange.timeoutMs ?? 30_000,
    fetch: exchange.fetch ?? fetch,
  });
  const refreshToken = answer.body.refresh_token;
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    throw new AmazonResponseError(`Invalid Login with Amazon response for the authorization of store "${exchange.storeName}": expected refresh_token (string)`, 'lwaAuthorizationCode', answer.requestId, null, 'refresh_token', []);
  }
  return { refreshToken, requestId: answer.requestId };
}

interface LwaPost {
  tokenUrl: string;
  form: Record<string, string>;
  /** Replaced by *** wherever an answer echoes them (an echoing server, a proxy page). */
  secrets: string[];
  /** What the call is for, in messages: `store "X"`. */
  subject: string;
  storeName: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** One POST to LWA's token endpoint: the parsed 200 answer, or a typed error without the request body. */
async function postToLwa(post: LwaPost): Promise<{ body: Record<string, unknown>; requestId: string | null }> {
  const redact = (text: string) => redacted(text, post.secrets);
  let response: Response;
  let text: string;
  try {
    response = await post.fetch(post.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
      body: new URLSearchParams(post.form),
      signal: AbortSignal.timeout(post.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const kind = classifyFetchError(error);
    if (kind === null) throw error;
    const reason = kind === 'timeout' ? `timed out after ${post.timeoutMs} ms` : networkReason(error);
    throw new AmazonNetworkError(`Login with Amazon is unreachable for ${post.subject}: ${redact(reason)}`, OPERATION, kind === 'timeout');
  }
  const requestId = response.headers.get('x-amzn-requestid');
  const json = parseJson(text);

  if (!response.ok) {
    const code = typeof json?.error === 'string' ? json.error : null;
    const description = typeof json?.error_description === 'string' ? redact(json.error_description).slice(0, 300) : null;
    const said = [code, description].filter((part) => part !== null).join(': ') || `HTTP ${response.status}`;
    if ((response.status === 400 || response.status === 401) && (code === null || CREDENTIAL_ERRORS.has(code))) {
      throw new AmazonAuthError(
        `Amazon refused the credentials of ${post.subject} (${said}). Re-authorize the store or correct its client id and secret.${requestIdNote(requestId)}`,
        post.storeName,
        code,
        response.status,
        requestId,
      );
    }
    throw new AmazonApiError(`Login with Amazon failed for ${post.subject}: HTTP ${response.status} ${said}${requestIdNote(requestId)}`, OPERATION, response.status, code, description, requestId);
  }
  return { body: json ?? {}, requestId };
}

/** `text` with every occurrence of the secrets (plain or URL-encoded) replaced by ***. */
function redacted(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets.flatMap((s) => [s, encodeURIComponent(s)])) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

function isTransient(error: unknown): boolean {
  if (error instanceof AmazonNetworkError) return true;
  return error instanceof AmazonApiError && RETRYABLE_STATUSES.has(error.status);
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
