/**
 * Login with Amazon: registered apps (client id + secret), the refresh tokens sellers gave them,
 * and the access tokens `POST /auth/o2/token` hands out. Access tokens expire by the sandbox clock.
 * SP-API calls are authenticated here: a missing, unknown or expired `x-amz-access-token` is 403
 * with Amazon's wording.
 */
import type { SandboxClock } from './clock.ts';
import { errorResponse, type Caller, type SandboxRequest, type SandboxResponse } from './http.ts';
import { randomToken } from './random.ts';

export interface SandboxApp {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  sellerId: string;
}

/** The app every sandbox starts with, so a store can be added without registering anything. */
export const DEMO_APP: Readonly<SandboxApp> = Object.freeze({
  clientId: 'amzn1.application-oa2-client.sandboxdemo0000000000000000000001',
  clientSecret: 'amzn1.oa2-cs.v1.sandbox-demo-client-secret-not-a-real-secret-0001',
  refreshToken: 'Atzr|sandbox-demo-refresh-token-0001',
  sellerId: 'A1SANDBOXSELLER',
});

export const DEFAULT_ACCESS_TOKEN_TTL_MS = 3600_000;

interface AccessToken {
  caller: Caller;
  expiresAt: number;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; response: SandboxResponse };

export class LwaError extends Error {
  override name = 'LwaError';
}

export class Lwa {
  private secrets = new Map<string, string>();
  private refreshTokens = new Map<string, Caller>();
  private accessTokens = new Map<string, AccessToken>();

  constructor(
    private readonly clock: SandboxClock,
    public accessTokenTtlMs = DEFAULT_ACCESS_TOKEN_TTL_MS,
  ) {}

  /** Registers an app and a seller's refresh token for it (an app can hold many sellers' tokens). */
  register(app: SandboxApp): void {
    for (const [key, value] of Object.entries(app)) {
      if (typeof value !== 'string' || value.trim() === '') throw new LwaError(`app ${key} must be a non-empty string`);
    }
    const known = this.secrets.get(app.clientId);
    if (known !== undefined && known !== app.clientSecret) throw new LwaError(`client ${app.clientId} is registered with another secret`);
    const holder = this.refreshTokens.get(app.refreshToken);
    if (holder && (holder.clientId !== app.clientId || holder.sellerId !== app.sellerId)) {
      throw new LwaError('that refresh token is already registered for another app or seller');
    }
    this.secrets.set(app.clientId, app.clientSecret);
    this.refreshTokens.set(app.refreshToken, { clientId: app.clientId, sellerId: app.sellerId });
  }

  /** A seller revoked the app: its refresh token and the access tokens issued from it stop working. */
  revoke(refreshToken: string): boolean {
    const caller = this.refreshTokens.get(refreshToken);
    if (!caller) return false;
    this.refreshTokens.delete(refreshToken);
    for (const [token, entry] of this.accessTokens) {
      if (entry.caller.clientId === caller.clientId && entry.caller.sellerId === caller.sellerId) this.accessTokens.delete(token);
    }
    return true;
  }

  sellers(): string[] {
    return [...new Set([...this.refreshTokens.values()].map((c) => c.sellerId))];
  }

  /** Expires every access token now (tests of the 403 + refresh path). */
  expireAccessTokens(): void {
    for (const entry of this.accessTokens.values()) entry.expiresAt = Math.min(entry.expiresAt, this.clock.now());
  }

  /** `POST /auth/o2/token`. */
  token(req: SandboxRequest): SandboxResponse {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      return lwaError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    const grantType = form.get('grant_type');
    if (grantType === null) return lwaError(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
    if (grantType !== 'refresh_token') return lwaError(400, 'unsupported_grant_type', `The authorization grant type is not supported by the authorization server: ${grantType}`);
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    const refreshToken = form.get('refresh_token');
    if (clientId === null || clientSecret === null) return lwaError(401, 'invalid_client', 'Client authentication failed');
    if (refreshToken === null) return lwaError(400, 'invalid_request', 'The request is missing a required parameter : refresh_token');
    if (this.secrets.get(clientId) !== clientSecret) return lwaError(401, 'invalid_client', 'Client authentication failed');
    const caller = this.refreshTokens.get(refreshToken);
    if (!caller || caller.clientId !== clientId) return lwaError(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
    const accessToken = `Atza|${randomToken(48)}`;
    this.accessTokens.set(accessToken, { caller, expiresAt: this.clock.now() + this.accessTokenTtlMs });
    return {
      status: 200,
      headers: { 'cache-control': 'no-cache, no-store, must-revalidate', pragma: 'no-cache' },
      json: { access_token: accessToken, refresh_token: refreshToken, token_type: 'bearer', expires_in: Math.floor(this.accessTokenTtlMs / 1000) },
    };
  }

  /** Checks the `x-amz-access-token` header of an SP-API call. */
  authenticate(req: SandboxRequest): AuthResult {
    const header = req.headers['x-amz-access-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') return denied('');
    const entry = this.accessTokens.get(token);
    if (!entry) return denied('The access token you provided is revoked, malformed or invalid.');
    if (this.clock.now() >= entry.expiresAt) return denied('The access token you provided has expired.');
    return { ok: true, caller: entry.caller };
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
