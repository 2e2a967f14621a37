/**
 * Connecting a store the way Amazon intends public SP-API applications to be authorized (the
 * website authorization workflow):
 *
 *   start:    the admin names the store and picks its marketplace; the module records a single-use
 *             `state` bound to the admin's session and sends the browser to the marketplace's
 *             Seller Central consent page for the module's application;
 *   complete: Amazon sends the browser back with `state`, `selling_partner_id` and
 *             `spapi_oauth_code`; the module checks the state, exchanges the code at Login with
 *             Amazon for the seller's refresh token and adds the store, integrated now (older
 *             Amazon orders never import) or as many days back as the admin chose.
 *
 * Every refusal (forged, replayed, expired or foreign state, consent denied, an already connected
 * seller and marketplace, a code LWA does not accept, LWA unreachable) changes no store.
 */
import crypto from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { Ports } from '../host/tokens.ts';
import { exchangeAuthorizationCode, LwaTokenProvider } from '../amazon/lwa.ts';
import { AmazonAuthError, AmazonError, requestIdNote } from '../amazon/errors.ts';
import { fromDb } from '../db/time.ts';
import { quoted } from '../text.ts';
import { AmazonAppSettings, type AmazonApp } from './amazon-app.ts';
import { MARKETPLACES, sellerCentralUrl } from './marketplaces.ts';
import { SELLER_ID, SELLER_ID_RULE, STORE_TEXT_LIMITS, validateStoreName, type AmazonStore, type NewStoreInput } from './store.ts';
import { StoreInputRejected, Stores } from './stores.ts';

/** How long Amazon's answer may take to come back (the admin reads the consent page, signs in). */
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

/**
 * How far back the new store's orders import: 0 is Amazon's rule (only orders from the connection
 * on); a merchant moving from another tool, or connecting mid-day, may take in the last days too.
 */
export const IMPORT_DAYS = [0, 1, 7, 30] as const;

const DAY_MS = 24 * 60 * 60_000;

export interface ConnectInput {
  name: string;
  marketplaceId: string;
  /** One of IMPORT_DAYS, as the form posts it. */
  importDays: string;
}

export interface ConnectInputError {
  field: keyof ConnectInput | 'seller' | 'sellerId' | 'refreshToken';
  message: string;
}

/** Who is connecting: the admin's user and session (its CSRF token is unique to the session). */
export interface AdminSession {
  username: string;
  csrfToken: string;
}

/**
 * A connection started from the console (asc store:connect) has no admin session: any admin who
 * may manage stores finishes it in their browser; the state's secrecy is what binds it.
 */
export const CONSOLE_SESSION = 'console';

export class ConnectInputRejected extends Error {
  override name = 'ConnectInputRejected';
  constructor(readonly errors: ConnectInputError[]) {
    super(errors.map((e) => `${e.field} ${e.message}`).join('; '));
  }
}

export type ConnectOutcome =
  /** `reconnected`: an existing store got a new authorization (its orders and settings kept). */
  | { connected: true; store: AmazonStore; reconnected: boolean }
  /** Nothing was connected; `title` and `text` say why and what to do, `status` is the page's. */
  | { connected: false; status: 400 | 403 | 409 | 502; title: string; text: string };

interface AuthorizationRow {
  id: number;
  session_hash: string;
  store_name: string;
  region: string;
  marketplace_id: string;
  reconnect_store_id: unknown;
  import_days: unknown;
  expires_at: unknown;
  used_at: unknown;
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** A state, seller id or code longer than this is not Amazon's. */
const MAX_PARAM_CHARS = 2048;
const START_AGAIN = 'Start again from Amazon Stores > Connect an Amazon store.';

export function validateConnectInput(input: ConnectInput): ConnectInputError[] {
  const errors: ConnectInputError[] = validateStoreName(input.name).map((e) => ({ field: 'name', message: e.message }));
  if (input.marketplaceId === '') errors.push({ field: 'marketplaceId', message: 'is required' });
  else if (!MARKETPLACES.has(input.marketplaceId)) errors.push({ field: 'marketplaceId', message: `${quoted(input.marketplaceId)} is not an Amazon marketplace` });
  if (!(IMPORT_DAYS as readonly number[]).some((days) => String(days) === input.importDays)) {
    errors.push({ field: 'importDays', message: `must be one of ${IMPORT_DAYS.join(', ')} days` });
  }
  return errors;
}

/** The Seller Central page where the seller approves the module's application. */
export function consentUrl(app: AmazonApp, marketplaceId: string, state: string): string {
  const url = new URL('/apps/authorize/consent', app.sellerCentralUrl ?? sellerCentralUrl(marketplaceId));
  url.searchParams.set('application_id', app.applicationId);
  url.searchParams.set('state', state);
  url.searchParams.set('redirect_uri', app.redirectUri);
  // Amazon refuses a Draft application's consent without it (error MD1000).
  if (app.draft) url.searchParams.set('version', 'beta');
  return url.href;
}

@injectable()
export class StoreConnections {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(AmazonAppSettings) private readonly appSettings: AmazonAppSettings,
  ) {}

  /** Records the attempt and answers the consent URL to send the admin's browser to (null session: from the console). */
  async start(input: ConnectInput, session: AdminSession | null): Promise<{ consentUrl: string; attemptId: number }> {
    const errors = validateConnectInput(input);
    if (errors.length > 0) throw new ConnectInputRejected(errors);
    return this.record(input, session, null);
  }

  /** How an attempt ended (connected, denied, ...), or null while it has not. */
  async outcomeOf(attemptId: number): Promise<{ outcome: string | null; storeId: number | null; expiresAt: Date }> {
    const row = await this.db('amazon_store_authorization').where({ id: attemptId }).first('outcome', 'store_id', 'expires_at');
    return { outcome: row.outcome, storeId: row.store_id === null ? null : Number(row.store_id), expiresAt: fromDb(row.expires_at) };
  }

  /**
   * Another marketplace of a seller the module already holds an authorization of (a unified
   * account): the new store shares that authorization, so Amazon's consent is not asked again.
   * `sellerStoreId` is one of the seller's connected stores in the marketplace's region.
   */
  async addMarketplace(input: ConnectInput, sellerStoreId: number, session: AdminSession): Promise<ConnectOutcome> {
    const errors = validateConnectInput(input);
    const seller = await this.stores.get(sellerStoreId);
    const region = MARKETPLACES.get(input.marketplaceId)?.region;
    const app = await this.appSettings.require();
    if (seller.clientId !== app.clientId) errors.push({ field: 'seller', message: `store ${quoted(seller.name)} was authorized for another application: connect the marketplace with a new authorization at Amazon` });
    else if (seller.authorization !== 'authorized') errors.push({ field: 'seller', message: `store ${quoted(seller.name)} must be reconnected first` });
    else if (region !== undefined && region !== seller.region) {
      errors.push({ field: 'marketplaceId', message: `seller ${seller.sellerId} is authorized in region ${seller.region}; ${input.marketplaceId} is served by ${region}: choose a new authorization at Amazon` });
    }
    if (errors.length > 0) throw new ConnectInputRejected(errors);
    return this.added(
      {
        name: input.name,
        region: seller.region,
        marketplaceId: input.marketplaceId,
        sellerId: seller.sellerId,
        clientId: seller.clientId,
        refreshToken: await this.stores.refreshToken(seller.id),
        spApiEndpoint: seller.spApiEndpoint,
        lwaEndpoint: seller.lwaEndpoint,
        integratedAt: integrationTime(this.clock.now(), input.importDays),
      },
      "with its seller's authorization",
      session,
    );
  }

  /**
   * A store whose seller authorized the module's application in Seller Central themselves and
   * holds its refresh token (self-authorization): the token is tried at Login with Amazon first,
   * so a mistyped or foreign token is refused before anything is saved.
   */
  async addSelfAuthorized(input: ConnectInput & { sellerId: string; refreshToken: string }, session: AdminSession): Promise<ConnectOutcome> {
    const errors = validateConnectInput(input);
    if (!SELLER_ID.test(input.sellerId)) errors.push({ field: 'sellerId', message: SELLER_ID_RULE });
    const refreshToken = input.refreshToken.trim();
    if (refreshToken === '') errors.push({ field: 'refreshToken', message: 'is required' });
    else if (refreshToken.length > STORE_TEXT_LIMITS.refreshToken) errors.push({ field: 'refreshToken', message: `must be at most ${STORE_TEXT_LIMITS.refreshToken} characters` });
    if (errors.length > 0) throw new ConnectInputRejected(errors);
    const app = await this.appSettings.require();
    const tokens = new LwaTokenProvider({
      storeName: input.name.trim(),
      credentials: { clientId: app.clientId, clientSecret: await this.appSettings.clientSecret(), refreshToken },
      clock: this.clock,
      logger: this.logger,
      tokenUrl: app.lwaEndpoint ?? undefined,
      retry: { maxAttempts: 1 },
    });
    try {
      await tokens.getAccessToken();
    } catch (error) {
      if (!(error instanceof AmazonError)) throw error;
      return lwaRefusal(error, 'token');
    }
    return this.added(
      {
        name: input.name,
        region: MARKETPLACES.get(input.marketplaceId)!.region,
        marketplaceId: input.marketplaceId,
        sellerId: input.sellerId,
        clientId: app.clientId,
        refreshToken,
        integratedAt: integrationTime(this.clock.now(), input.importDays),
      },
      'with a self-authorized refresh token',
      session,
    );
  }

  /** The same consent for an existing store: its refresh token is replaced, its orders and settings kept. */
  async startReconnect(store: AmazonStore, session: AdminSession): Promise<{ consentUrl: string; attemptId: number }> {
    return this.record({ name: store.name, marketplaceId: store.marketplaceId, importDays: '0' }, session, store.id);
  }

  private async record(input: ConnectInput, session: AdminSession | null, reconnectStoreId: number | null): Promise<{ consentUrl: string; attemptId: number }> {
    const app = await this.appSettings.require();
    const state = crypto.randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const [inserted] = await this.db('amazon_store_authorization').insert({
      state_hash: sha256(state),
      session_hash: session === null ? CONSOLE_SESSION : sha256(session.csrfToken),
      admin_user: session?.username ?? CONSOLE_SESSION,
      store_name: input.name.trim(),
      region: MARKETPLACES.get(input.marketplaceId)!.region,
      marketplace_id: input.marketplaceId,
      reconnect_store_id: reconnectStoreId,
      import_days: Number(input.importDays),
      created_at: now,
      expires_at: new Date(now.getTime() + AUTHORIZATION_TTL_MS),
    });
    // Both mysql2 and better-sqlite3 answer an insert with [insertId].
    return { consentUrl: consentUrl(app, input.marketplaceId, state), attemptId: Number(inserted) };
  }

  /** Amazon's answer, as the callback's query carries it. */
  async complete(query: URLSearchParams, session: AdminSession): Promise<ConnectOutcome> {
    const state = query.get('state') ?? '';
    if (state === '' || state.length > MAX_PARAM_CHARS) {
      return refused(400, 'No connection to finish', `This page finishes connecting a store when Amazon sends you back from Seller Central, and this request carries no state from Amazon. ${START_AGAIN}`);
    }
    const row: AuthorizationRow | undefined = await this.db('amazon_store_authorization').where({ state_hash: sha256(state) }).first();
    if (!row) {
      return refused(400, 'Unknown connection', `This answer does not belong to a store connection started in this admin, so nothing was connected. ${START_AGAIN}`);
    }
    // Not used up: the admin who started it can still finish it in the right browser.
    if (row.session_hash !== CONSOLE_SESSION && row.session_hash !== sha256(session.csrfToken)) {
      return refused(403, 'Connection started elsewhere', `This store connection was started in another admin session. Finish it in the browser that started it, or start again here from Amazon Stores > Connect an Amazon store.`);
    }
    const now = this.clock.now();
    const claimed = await this.db('amazon_store_authorization').where({ id: row.id }).whereNull('used_at').update({ used_at: now });
    if (claimed === 0) return refused(409, 'Connection already finished', `Amazon's answer to this store connection was already used; it works once. ${START_AGAIN}`);
    const finish = (outcome: string, storeId: number | null = null) => this.db('amazon_store_authorization').where({ id: row.id }).update({ outcome, store_id: storeId });

    if (fromDb(row.expires_at).getTime() <= now.getTime()) {
      await finish('expired');
      return refused(400, 'Connection expired', `Amazon's answer came more than ${AUTHORIZATION_TTL_MS / 60_000} minutes after the connection started, so nothing was connected. ${START_AGAIN}`);
    }
    const denied = query.get('error');
    if (denied !== null) {
      await finish('denied');
      return refused(400, 'Not authorized at Amazon', `The application was not authorized in Seller Central${denied === 'access_denied' ? '' : ` (Amazon said ${quoted(denied, 60)})`}, so nothing was connected. To connect ${quoted(row.store_name)}, start again and choose Confirm on Amazon's page.`);
    }
    const sellerId = query.get('selling_partner_id') ?? '';
    const code = query.get('spapi_oauth_code') ?? '';
    if (!SELLER_ID.test(sellerId) || code === '' || code.length > MAX_PARAM_CHARS) {
      await finish('refused');
      return refused(400, 'Incomplete answer from Amazon', `Amazon's answer lacks the seller id or the authorization code, so nothing was connected. ${START_AGAIN}`);
    }
    const reconnecting = row.reconnect_store_id === null ? null : await this.stores.get(Number(row.reconnect_store_id));
    if (reconnecting && reconnecting.sellerId !== sellerId) {
      await finish('refused', reconnecting.id);
      return refused(409, 'Another seller authorized', `Seller Central answered for seller ${sellerId}, but store ${quoted(reconnecting.name)} is seller ${reconnecting.sellerId}'s; nothing was changed. Sign in to Seller Central with that seller's account and reconnect again.`);
    }
    // Checked before the code is spent at LWA (Stores.add refuses it again, for a race).
    const existing = (await this.stores.list()).find((s) => s.sellerId === sellerId && s.marketplaceId === row.marketplace_id);
    if (existing && !reconnecting) {
      await finish('refused', existing.id);
      return refused(409, 'Store already connected', `Seller ${sellerId} in ${row.marketplace_id} is already connected as store ${quoted(existing.name)}; nothing was changed.`);
    }

    const app = await this.appSettings.require();
    let refreshToken: string;
    try {
      ({ refreshToken } = await exchangeAuthorizationCode({
        tokenUrl: app.lwaEndpoint ?? undefined,
        clientId: app.clientId,
        clientSecret: await this.appSettings.clientSecret(),
        code,
        redirectUri: app.redirectUri,
        storeName: row.store_name,
      }));
    } catch (error) {
      if (!(error instanceof AmazonError)) throw error;
      await finish('failed');
      this.logger.warn('Amazon did not authorize a store connection', { store: row.store_name, sellerId, error: error.message });
      return lwaRefusal(error, 'code');
    }

    if (reconnecting) {
      const store = await this.stores.reauthorize(reconnecting.id, refreshToken);
      await finish('reconnected', store.id);
      this.logger.info('Amazon store reconnected', { storeId: store.id, store: store.name, sellerId, by: session.username });
      return { connected: true, store, reconnected: true };
    }
    const outcome = await this.added(
      { name: row.store_name, region: row.region, marketplaceId: row.marketplace_id, sellerId, clientId: app.clientId, refreshToken, integratedAt: integrationTime(now, row.import_days) },
      "through Amazon's consent",
      session,
    );
    await finish(outcome.connected ? 'connected' : 'refused', outcome.connected ? outcome.store.id : null);
    return outcome;
  }

  /** Adds the store; the seller and marketplace being connected already (another admin a moment before) is a refusal. */
  private async added(input: NewStoreInput, how: string, session: AdminSession): Promise<ConnectOutcome> {
    let store: AmazonStore;
    try {
      store = await this.stores.add(input);
    } catch (error) {
      if (!(error instanceof StoreInputRejected)) throw error;
      return refused(409, 'Store not connected', `${error.message}; nothing was changed.`);
    }
    this.logger.info(`Amazon store connected ${how}`, { storeId: store.id, store: store.name, sellerId: store.sellerId, marketplaceId: store.marketplaceId, by: session.username });
    return { connected: true, store, reconnected: false };
  }
}

/**
 * What the admin reads when Login with Amazon gave no refresh token, for the consent's `code` or a
 * self-authorized `token`: nothing was connected either way.
 */
function lwaRefusal(error: AmazonError, tried: 'code' | 'token'): ConnectOutcome {
  const requestId = requestIdNote('requestId' in error && typeof error.requestId === 'string' ? error.requestId : null);
  if (error instanceof AmazonAuthError && error.code === 'invalid_grant') {
    return tried === 'code'
      ? refused(400, 'Amazon refused the authorization', `Login with Amazon did not accept the authorization code: it works once and only for 5 minutes after you confirm.${requestId} ${START_AGAIN}`)
      : refused(400, 'Amazon refused the refresh token', `Login with Amazon did not accept this refresh token for the module's application: copy it again from Seller Central (Develop Apps > Authorize) for this application.${requestId} Nothing was saved.`);
  }
  if (error instanceof AmazonAuthError) {
    return refused(400, 'Amazon refused the application', `Login with Amazon refused the application's credentials (${error.code ?? 'no reason given'}): check the client id and secret under App credentials.${requestId} Nothing was connected.`);
  }
  return refused(502, 'Login with Amazon failed', `Login with Amazon could not be reached or failed (${error.message}). Nothing was connected. ${tried === 'code' ? START_AGAIN : 'Try again.'}`);
}

/** The store's integration time: now, or as many days back as the admin chose. */
function integrationTime(now: Date, importDays: unknown): Date {
  return new Date(now.getTime() - Number(importDays) * DAY_MS);
}

function refused(status: 400 | 403 | 409 | 502, title: string, text: string): ConnectOutcome {
  return { connected: false, status, title, text };
}
