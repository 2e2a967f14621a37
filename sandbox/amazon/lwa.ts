/**
 * Login with Amazon: registered apps (client id + secret, and what Seller Central knows of them:
 * application id, name, Draft state, OAuth redirect URIs), the sellers, the refresh tokens sellers
 * gave apps, the authorization codes of the consent workflow (consent.ts) and the access tokens
 * `POST /auth/o2/token` hands out. Codes and access tokens expire by the sandbox clock.
 * SP-API calls are authenticated here: a missing, unknown or expired `x-amz-access-token` is 403
 * with Amazon's wording. Besides sellers' tokens (refresh_token and authorization_code grants) the
 * client_credentials grant gives an app a grantless token for one scope
 * (`sellingpartnerapi::notifications`): no seller, no refresh token.
 */
import crypto from 'node:crypto';
import type { SandboxClock } from './clock.ts';
import { errorResponse, isRecord, type Caller, type GrantlessCaller, type SandboxRequest, type SandboxResponse } from './http.ts';
import { randomToken, randomUuid } from './random.ts';

export interface SandboxApp {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  sellerId: string;
  /** Seller Central's id of the app, the consent URL's application_id; default amzn1.sp.solution.<new uuid>. */
  applicationId?: string;
  /** What the consent page calls the app; default its application id. */
  name?: string;
  /** A Draft app is authorized only by a consent URL with version=beta; default false. */
  draft?: boolean;
  /** OAuth redirect URIs added to the app's (none at first). */
  redirectUris?: string[];
}

/** What Seller Central and LWA know of an app. */
export interface RegisteredApp {
  clientId: string;
  clientSecret: string;
  applicationId: string;
  name: string;
  draft: boolean;
  redirectUris: string[];
}

/** The app every sandbox starts with, so a store can be added without registering anything. */
export const DEMO_APP: Readonly<SandboxApp> = Object.freeze({
  clientId: 'amzn1.application-oa2-client.sandboxdemo0000000000000000000001',
  clientSecret: 'amzn1.oa2-cs.v1.sandbox-demo-client-secret-not-a-real-secret-0001',
  refreshToken: 'Atzr|sandbox-demo-refresh-token-0001',
  sellerId: 'A1SANDBOXSELLER',
  applicationId: 'amzn1.sp.solution.00000000-0000-4000-8000-000000004610',
  name: 'Sandbox demo app',
  draft: false,
});

export const DEFAULT_ACCESS_TOKEN_TTL_MS = 3600_000;
/** How long a spapi_oauth_code can be exchanged: five minutes, as on Amazon. */
export const AUTHORIZATION_CODE_TTL_MS = 5 * 60_000;

const SELLER_ID = /^[A-Z0-9]{5,32}$/;

/** The scopes of LWA's client_credentials grant the sandbox serves (Amazon has one more, for secret rotation). */
export const GRANTLESS_SCOPES = ['sellingpartnerapi::notifications'] as const;

/** A seller's token speaks for `caller`; a grantless one for `grantless` (the app alone). */
type AccessToken = { expiresAt: number } & ({ caller: Caller; grantless?: undefined } | { grantless: GrantlessCaller; caller?: undefined });

interface AuthorizationCode {
  caller: Caller;
  redirectUri: string;
  expiresAt: number;
}

/** What a consent-issued refresh token says; its signature proves the sandbox issued it. */
interface SignedGrant {
  sellerId: string;
  issuedAt: number;
  /** Two consents at one instant (a frozen clock) still get different tokens, as on Amazon. */
  nonce: string;
}

export type AuthResult =
  | { ok: true; caller: Caller; grantless?: undefined }
  | { ok: true; grantless: GrantlessCaller; caller?: undefined }
  | { ok: false; response: SandboxResponse };

export class LwaError extends Error {
  override name = 'LwaError';
}

export class Lwa {
  private apps = new Map<string, RegisteredApp>();
  private sellerIds = new Set<string>();
  private refreshTokens = new Map<string, Caller>();
  private accessTokens = new Map<string, AccessToken>();
  private codes = new Map<string, AuthorizationCode>();
  /** Per app and seller: consent-issued refresh tokens signed up to this time are revoked. */
  private revokedUntil = new Map<string, number>();
  /** Per app and seller: consent-issued refresh tokens since start or the last revocation (its count). */
  private signedSinceRevocation = new Map<string, number>();

  constructor(
    private readonly clock: SandboxClock,
    public accessTokenTtlMs = DEFAULT_ACCESS_TOKEN_TTL_MS,
  ) {}

  /** Registers an app and a seller's refresh token for it (an app can hold many sellers' tokens). */
  register(app: SandboxApp): void {
    for (const key of ['clientId', 'clientSecret', 'refreshToken', 'sellerId'] as const) {
      if (typeof app[key] !== 'string' || app[key].trim() === '') throw new LwaError(`app ${key} must be a non-empty string`);
    }
    for (const key of ['applicationId', 'name'] as const) {
      if (app[key] !== undefined && (typeof app[key] !== 'string' || app[key].trim() === '')) throw new LwaError(`app ${key} must be a non-empty string`);
    }
    if (app.draft !== undefined && typeof app.draft !== 'boolean') throw new LwaError('app draft must be true or false');
    if (app.redirectUris !== undefined && !Array.isArray(app.redirectUris)) throw new LwaError('app redirectUris must be a list of URLs');
    app.redirectUris?.forEach(checkRedirectUri);
    const known = this.apps.get(app.clientId);
    if (known !== undefined && known.clientSecret !== app.clientSecret) throw new LwaError(`client ${app.clientId} is registered with another secret`);
    for (const key of ['applicationId', 'name', 'draft'] as const) {
      if (known !== undefined && app[key] !== undefined && app[key] !== known[key]) throw new LwaError(`client ${app.clientId} is registered with another ${key}`);
    }
    const holder = this.refreshTokens.get(app.refreshToken);
    if (holder && (holder.clientId !== app.clientId || holder.sellerId !== app.sellerId)) {
      throw new LwaError('that refresh token is already registered for another app or seller');
    }
    const applicationId = known?.applicationId ?? app.applicationId ?? `amzn1.sp.solution.${randomUuid()}`;
    const namesake = this.appByApplicationId(applicationId);
    if (namesake && namesake.clientId !== app.clientId) throw new LwaError(`application id ${applicationId} belongs to client ${namesake.clientId}`);
    const registered = known ?? { clientId: app.clientId, clientSecret: app.clientSecret, applicationId, name: app.name ?? applicationId, draft: app.draft ?? false, redirectUris: [] };
    this.apps.set(app.clientId, registered);
    for (const uri of app.redirectUris ?? []) if (!registered.redirectUris.includes(uri)) registered.redirectUris.push(uri);
    this.sellerIds.add(app.sellerId);
    this.refreshTokens.set(app.refreshToken, { clientId: app.clientId, sellerId: app.sellerId });
  }

  /** Adds an OAuth redirect URI to the app's, as its developer does in the Solution Provider Portal. Returns them all. */
  addRedirectUri(clientId: string, uri: string): string[] {
    const app = this.requireApp(clientId);
    checkRedirectUri(uri);
    if (!app.redirectUris.includes(uri)) app.redirectUris.push(uri);
    return [...app.redirectUris];
  }

  /** What Seller Central knows of an app (LwaError for an unknown client id). */
  app(clientId: string): RegisteredApp {
    const app = this.requireApp(clientId);
    return { ...app, redirectUris: [...app.redirectUris] };
  }

  appByApplicationId(applicationId: string): Readonly<RegisteredApp> | undefined {
    return [...this.apps.values()].find((app) => app.applicationId === applicationId);
  }

  /** Makes a seller known (one the consent page offers) without an app token of theirs. */
  addSeller(sellerId: string): void {
    if (typeof sellerId !== 'string' || !SELLER_ID.test(sellerId)) throw new LwaError('sellerId must be 5 to 32 capital letters and digits');
    this.sellerIds.add(sellerId);
  }

  /** The sellers the sandbox knows, in the order it met them (the demo seller first). */
  sellers(): string[] {
    return [...this.sellerIds];
  }

  /** The seller confirmed the consent page: a code the app exchanges at LWA within five minutes, once. */
  issueCode(caller: Caller, redirectUri: string): string {
    const code = randomToken(24);
    this.codes.set(code, { caller: { ...caller }, redirectUri, expiresAt: this.clock.now() + AUTHORIZATION_CODE_TTL_MS });
    return code;
  }

  /** Codes the apps did not exchange (used by reset). */
  forgetCodes(): void {
    this.codes.clear();
  }

  /** A seller revoked the app: its refresh token and the access tokens of its app and seller stop working. */
  revoke(refreshToken: string): boolean {
    const caller = this.refreshTokens.get(refreshToken);
    if (caller) {
      this.refreshTokens.delete(refreshToken);
      this.dropAccessTokens(caller);
      return true;
    }
    // A consent-issued token is not remembered one by one: revoking it revokes its seller's authorization of the app.
    const signed = [...this.apps.values()].map((app) => this.signedCaller(refreshToken, app)).find((c) => c !== undefined);
    if (!signed) return false;
    this.revokeAuthorization(signed.clientId, signed.sellerId);
    return true;
  }

  /**
   * The seller removed the app in Seller Central: every refresh token of that app and seller issued
   * until now (registered or consent-issued) is refused, its access tokens and unused codes are
   * dropped. A later consent issues a token that works. Returns how many refresh tokens this sandbox
   * knew of (registered, or issued since it started); tokens issued before a restart stop too.
   */
  revokeAuthorization(clientId: string, sellerId: string): number {
    this.requireApp(clientId);
    if (typeof sellerId !== 'string' || sellerId === '') throw new LwaError('sellerId must be a non-empty string');
    const caller = { clientId, sellerId };
    const key = authorizationKey(caller);
    let revoked = this.signedSinceRevocation.get(key) ?? 0;
    for (const [token, holder] of this.refreshTokens) {
      if (sameCaller(holder, caller)) {
        this.refreshTokens.delete(token);
        revoked++;
      }
    }
    for (const [code, entry] of this.codes) if (sameCaller(entry.caller, caller)) this.codes.delete(code);
    this.revokedUntil.set(key, this.clock.now());
    this.signedSinceRevocation.delete(key);
    this.dropAccessTokens(caller);
    return revoked;
  }

  /** Expires every access token now (tests of the 403 + refresh path). */
  expireAccessTokens(): void {
    for (const entry of this.accessTokens.values()) entry.expiresAt = Math.min(entry.expiresAt, this.clock.now());
  }

  /**
   * `POST /auth/o2/token`: the refresh_token grant, the authorization_code grant of the consent
   * workflow, and the client_credentials grant (grantless tokens).
   */
  token(req: SandboxRequest): SandboxResponse {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      return lwaError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    const grantType = form.get('grant_type');
    if (grantType === null) return lwaError(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
    if (grantType !== 'refresh_token' && grantType !== 'authorization_code' && grantType !== 'client_credentials') {
      return lwaError(400, 'unsupported_grant_type', `The authorization grant type is not supported by the authorization server: ${grantType}`);
    }
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    if (clientId === null || clientSecret === null) return lwaError(401, 'invalid_client', 'Client authentication failed');
    if (grantType === 'client_credentials') return this.grantlessToken(form, clientId, clientSecret);
    const parameter = grantType === 'refresh_token' ? 'refresh_token' : 'code';
    const missing = [parameter, ...(grantType === 'authorization_code' ? ['redirect_uri'] : [])].find((name) => form.get(name) === null);
    if (missing !== undefined) return lwaError(400, 'invalid_request', `The request is missing a required parameter : ${missing}`);
    const app = this.apps.get(clientId);
    if (app?.clientSecret !== clientSecret) return lwaError(401, 'invalid_client', 'Client authentication failed');
    const grant = form.get(parameter)!;
    const caller = grantType === 'refresh_token' ? this.refreshTokenCaller(grant, app) : this.redeemCode(grant, app, form.get('redirect_uri')!);
    if (!caller) return lwaError(400, 'invalid_grant', `The request has an invalid grant parameter : ${parameter}`);
    const refreshToken = grantType === 'refresh_token' ? grant : this.signRefreshToken(app, caller.sellerId);
    const accessToken = `Atza|${randomToken(48)}`;
    this.accessTokens.set(accessToken, { caller, expiresAt: this.clock.now() + this.accessTokenTtlMs });
    return {
      status: 200,
      headers: { 'cache-control': 'no-cache, no-store, must-revalidate', pragma: 'no-cache' },
      json: { access_token: accessToken, refresh_token: refreshToken, token_type: 'bearer', expires_in: Math.floor(this.accessTokenTtlMs / 1000) },
    };
  }

  /** Checks the `x-amz-access-token` header of an SP-API call: a seller's token, or an app's grantless one. */
  authenticate(req: SandboxRequest): AuthResult {
    const header = req.headers['x-amz-access-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') return denied('');
    const entry = this.accessTokens.get(token);
    if (!entry) return denied('The access token you provided is revoked, malformed or invalid.');
    if (this.clock.now() >= entry.expiresAt) return denied('The access token you provided has expired.');
    return entry.grantless ? { ok: true, grantless: entry.grantless } : { ok: true, caller: entry.caller };
  }

  /** client_credentials: a token for the app alone, for the scope asked (no refresh token: the app asks again). */
  private grantlessToken(form: URLSearchParams, clientId: string, clientSecret: string): SandboxResponse {
    const scope = form.get('scope');
    if (scope === null || scope.trim() === '') return lwaError(400, 'invalid_scope', 'The request is missing a required parameter : scope');
    const app = this.apps.get(clientId);
    if (app?.clientSecret !== clientSecret) return lwaError(401, 'invalid_client', 'Client authentication failed');
    if (!(GRANTLESS_SCOPES as readonly string[]).includes(scope)) return lwaError(400, 'invalid_scope', 'The request has an invalid parameter : scope');
    const accessToken = `Atc|${randomToken(48)}`;
    this.accessTokens.set(accessToken, { grantless: { clientId, scope }, expiresAt: this.clock.now() + this.accessTokenTtlMs });
    return {
      status: 200,
      headers: { 'cache-control': 'no-cache, no-store, must-revalidate', pragma: 'no-cache' },
      json: { access_token: accessToken, scope, token_type: 'bearer', expires_in: Math.floor(this.accessTokenTtlMs / 1000) },
    };
  }

  private requireApp(clientId: string): RegisteredApp {
    const app = this.apps.get(clientId);
    if (!app) throw new LwaError(`no app has the client id ${String(clientId)}`);
    return app;
  }

  private refreshTokenCaller(refreshToken: string, app: RegisteredApp): Caller | undefined {
    const registered = this.refreshTokens.get(refreshToken);
    if (registered) return registered.clientId === app.clientId ? registered : undefined;
    return this.signedCaller(refreshToken, app);
  }

  /** The first exchange by an authenticated client uses the code up, whatever its outcome. */
  private redeemCode(code: string, app: RegisteredApp, redirectUri: string): Caller | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.caller.clientId !== app.clientId || entry.redirectUri !== redirectUri || this.clock.now() >= entry.expiresAt) return undefined;
    return entry.caller;
  }

  /**
   * The refresh token a consent issues verifies itself (`Atzr|` payload `.` HMAC keyed with the app's
   * secret): the demo keeps its stores in a database while the sandbox's memory is new each start,
   * and the token still works after a restart.
   */
  private signRefreshToken(app: RegisteredApp, sellerId: string): string {
    const key = authorizationKey({ clientId: app.clientId, sellerId });
    // Signed after a revocation at this very instant (a frozen clock), it must not fall under it.
    const issuedAt = Math.max(this.clock.now(), (this.revokedUntil.get(key) ?? -Infinity) + 1);
    const grant: SignedGrant = { sellerId, issuedAt, nonce: randomToken(9) };
    this.signedSinceRevocation.set(key, (this.signedSinceRevocation.get(key) ?? 0) + 1);
    return `Atzr|${Buffer.from(JSON.stringify(grant)).toString('base64url')}.${signature(app, grant)}`;
  }

  /** The app and seller of a consent-issued refresh token of `app`, unless forged or revoked. */
  private signedCaller(refreshToken: string, app: RegisteredApp): Caller | undefined {
    const grant = readSignedGrant(refreshToken, app);
    if (!grant) return undefined;
    const caller = { clientId: app.clientId, sellerId: grant.sellerId };
    const revokedUntil = this.revokedUntil.get(authorizationKey(caller));
    return revokedUntil !== undefined && grant.issuedAt <= revokedUntil ? undefined : caller;
  }

  private dropAccessTokens(caller: Caller): void {
    for (const [token, entry] of this.accessTokens) if (entry.caller && sameCaller(entry.caller, caller)) this.accessTokens.delete(token);
  }
}

function denied(details: string): AuthResult {
  return { ok: false, response: errorResponse(403, { code: 'Unauthorized', message: 'Access to requested resource is denied.', details }) };
}

/** LWA failing on its side (a 'lwaToken' fault): OAuth's server_error (500) or temporarily_unavailable (503). */
export function lwaServerFailure(status: 500 | 503): SandboxResponse {
  return status === 500
    ? lwaError(500, 'server_error', 'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.')
    : lwaError(503, 'temporarily_unavailable', 'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.');
}

function lwaError(status: number, error: string, description: string): SandboxResponse {
  return { status, json: { error_description: description, error } };
}

function sameCaller(a: Caller, b: Caller): boolean {
  return a.clientId === b.clientId && a.sellerId === b.sellerId;
}

function authorizationKey(caller: Caller): string {
  return JSON.stringify([caller.clientId, caller.sellerId]);
}

/** Amazon takes absolute URLs; the sandbox speaks http too (apps under test run locally). */
function checkRedirectUri(uri: unknown): void {
  let url: URL | undefined;
  try {
    url = typeof uri === 'string' ? new URL(uri) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new LwaError(`redirect URI ${String(uri)} must be an absolute http(s) URL`);
  if ((uri as string).includes('#')) throw new LwaError(`redirect URI ${String(uri)} must not have a fragment`);
}

function signature(app: RegisteredApp, grant: SignedGrant): string {
  return crypto.createHmac('sha256', app.clientSecret).update(JSON.stringify([app.clientId, grant.sellerId, grant.issuedAt, grant.nonce])).digest('base64url');
}

function readSignedGrant(refreshToken: string, app: RegisteredApp): SignedGrant | undefined {
  const parts = /^Atzr\|([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(refreshToken);
  if (!parts) return undefined;
  let grant: unknown;
  try {
    grant = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(grant) || typeof grant.sellerId !== 'string' || typeof grant.issuedAt !== 'number' || typeof grant.nonce !== 'string') return undefined;
  const valid = grant as unknown as SignedGrant;
  const expected = Buffer.from(signature(app, valid));
  const given = Buffer.from(parts[2]!);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? valid : undefined;
}
