/**
 * Connect an Amazon store: the form (name and marketplace), the step that sends the admin to
 * Seller Central, and the callback Amazon sends the admin back to (src/stores/store-connection.ts
 * has the rules), or another marketplace of a seller already authorized, without asking Amazon
 * again. A connected or reconnected store lands on its dashboard.
 */
import { inject, injectable, injectFromBase } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { AmazonAppSettings, AppNotConfigured, type AmazonApp } from '../stores/amazon-app.ts';
import { MARKETPLACES, type Region } from '../stores/marketplaces.ts';
import { ConnectInputRejected, IMPORT_DAYS, StoreConnections, type ConnectInput, type ConnectInputError, type ConnectOutcome } from '../stores/store-connection.ts';
import { Stores } from '../stores/stores.ts';
import type { AmazonStore } from '../stores/store.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { marketplaceText } from './format.ts';
import { adminSession, ModuleRoute, parseStoreId } from './module-route.ts';
import type { PageHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';

const REGION_NAMES: Record<Region, string> = { na: 'North America', eu: 'Europe', fe: 'Far East' };

const IMPORT_LABELS: Record<(typeof IMPORT_DAYS)[number], string> = {
  0: 'Orders Amazon receives from now on',
  1: 'Also the orders of the last 24 hours',
  7: 'Also the orders of the last 7 days',
  30: 'Also the orders of the last 30 days',
};

function connectHead(urls: AdminUrls, title: string): PageHead {
  return { crumbs: [{ label: 'Amazon Stores', href: urls.stores() }, { label: title, href: null }], title, badge: null, nav: null, flash: null };
}

const FIELD_LABELS: Record<ConnectInputError['field'], string> = {
  name: 'Store name',
  marketplaceId: 'Marketplace',
  importDays: 'Import',
  seller: 'Seller account',
  sellerId: 'Seller ID',
  refreshToken: 'Refresh token',
};

/** What the form posts as `seller` for a new authorization at Amazon (otherwise: a store id of the seller). */
const NEW_AUTHORIZATION = 'new';

/** The connection forms' fields as posted. */
function connectInput(form: URLSearchParams): ConnectInput {
  return { name: form.get('name') ?? '', marketplaceId: form.get('marketplace_id') ?? '', importDays: form.get('import_days') ?? '' };
}

@injectable()
abstract class ConnectPage extends ModuleRoute {
  readonly acl = Acl.storesManage;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(AmazonAppSettings) protected readonly appSettings: AmazonAppSettings,
    @inject(Stores) protected readonly stores: Stores,
    @inject(StoreConnections) protected readonly connections: StoreConnections,
  ) {
    super(views);
  }

  /**
   * A connected or reconnected store lands on its dashboard (its first sync is the cron's within a
   * minute, amazon_first_sync); a refusal says why.
   */
  protected land(outcome: ConnectOutcome, request: AdminRequest, urls: AdminUrls): AdminResponse {
    if (!outcome.connected) return this.message(request, outcome.status, outcome.title, outcome.text);
    return { kind: 'redirect', location: urls.dashboard(outcome.store.id, new URLSearchParams({ store: outcome.reconnected ? 'reconnected' : 'connected' })) };
  }

  /** The sellers whose authorization a new marketplace can share: one connected store of each, per region. */
  private async sellerChoices(app: AmazonApp | null, selected: string): Promise<Array<{ value: string; label: string; selected: boolean }>> {
    const byAuthorization = new Map<string, AmazonStore[]>();
    for (const store of await this.stores.list()) {
      if (store.authorization !== 'authorized' || store.clientId !== app?.clientId) continue;
      const key = `${store.sellerId}|${store.region}`;
      byAuthorization.set(key, [...(byAuthorization.get(key) ?? []), store]);
    }
    return [
      { value: NEW_AUTHORIZATION, label: 'A new authorization at Amazon (Seller Central asks to confirm)', selected: selected === NEW_AUTHORIZATION },
      ...[...byAuthorization.values()].map((stores) => ({
        value: String(stores[0]!.id),
        label: `Seller ${stores[0]!.sellerId}, already authorized (${REGION_NAMES[stores[0]!.region]}: ${stores.map((s) => s.name).join(', ')})`,
        selected: selected === String(stores[0]!.id),
      })),
    ];
  }

  /**
   * The form, with what was typed and the errors when a submission was refused. `tokenSellerId` is set when the self-authorization form was posted: its errors show there, the
   * typed seller id with them (never the refresh token).
   */
  protected async form(request: AdminRequest, urls: AdminUrls, input: ConnectInput, seller: string, errors: ConnectInputError[] = [], tokenSellerId: string | null = null): Promise<AdminResponse> {
    const app = await this.appSettings.get();
    const tokenForm = tokenSellerId !== null;
    // Each form shows its own submission's errors.
    const error = (field: ConnectInputError['field'], of: 'main' | 'token' = 'main') =>
      (of === 'token') === tokenForm ? (errors.find((e) => e.field === field)?.message ?? null) : null;
    const sellers = await this.sellerChoices(app, seller);
    const regions = (Object.keys(REGION_NAMES) as Region[]).map((region) => ({
      label: REGION_NAMES[region],
      marketplaces: [...MARKETPLACES.values()]
        .filter((m) => m.region === region)
        .map((m) => ({ value: m.id, label: marketplaceText(m.id), selected: m.id === input.marketplaceId })),
    }));
    return this.page('Connect an Amazon store', 'connect-store', {
      head: connectHead(urls, 'Connect an Amazon store'),
      appConfigured: app !== null,
      appHref: urls.app(),
      action: urls.connect(),
      csrfField: CSRF_FIELD,
      csrfToken: request.csrfToken,
      name: { id: 'asc-connect-name', name: 'name', label: 'Store name', value: input.name, error: error('name') },
      marketplace: { error: error('marketplaceId') },
      regions,
      sellers: { options: sellers, shown: sellers.length > 1, error: error('seller') },
      token: {
        action: urls.connectToken(),
        open: tokenForm,
        errors: tokenForm ? errors.filter((e) => e.field !== 'sellerId' && e.field !== 'refreshToken').map((e) => `${FIELD_LABELS[e.field]} ${e.message}`) : [],
        sellerId: { id: 'asc-token-seller', name: 'seller_id', label: 'Seller ID (merchant token)', value: tokenSellerId ?? '', error: error('sellerId', 'token') },
        refreshTokenError: error('refreshToken', 'token'),
      },
      importDays: {
        error: error('importDays'),
        options: IMPORT_DAYS.map((days) => ({ value: String(days), label: IMPORT_LABELS[days], selected: String(days) === input.importDays })),
      },
      hasErrors: errors.length > 0 && !tokenForm,
    }, errors.length > 0 ? 422 : undefined);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class ConnectStorePage extends ConnectPage {
  readonly id = 'amazon_store_connect';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.connect;

  protected respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    return this.form(request, urls, { name: '', marketplaceId: 'ATVPDKIKX0DER', importDays: '0' }, NEW_AUTHORIZATION);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class ConnectStoreAction extends ConnectPage {
  readonly id = 'amazon_store_connect_start';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.connect;

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const input = connectInput(request.form);
    const seller = request.form.get('seller') ?? NEW_AUTHORIZATION;
    const session = adminSession(request);
    try {
      if (seller !== NEW_AUTHORIZATION) {
        const sellerStoreId = parseStoreId(seller);
        if (sellerStoreId === null) return this.form(request, urls, input, NEW_AUTHORIZATION, [{ field: 'seller', message: 'choose a seller from the list' }]);
        return this.land(await this.connections.addMarketplace(input, sellerStoreId, session), request, urls);
      }
      const { consentUrl } = await this.connections.start(input, session);
      // A link, not a redirect: the host's admin keeps its redirects on-site, and the admin sees
      // where the next step happens.
      return this.page('Approve in Seller Central', 'connect-continue', {
        head: connectHead(urls, 'Approve in Seller Central'),
        consentUrl,
        storeName: input.name.trim(),
        marketplace: marketplaceText(input.marketplaceId),
      });
    } catch (error) {
      if (error instanceof ConnectInputRejected) return this.form(request, urls, input, seller, error.errors);
      // The form says so, and links to App credentials.
      if (error instanceof AppNotConfigured) return this.form(request, urls, input, seller);
      throw error;
    }
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class ConnectCallbackPage extends ConnectPage {
  readonly id = 'amazon_store_connect_callback';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.connectCallback;

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const outcome = await this.connections.complete(request.query, adminSession(request));
    return this.land(outcome, request, urls);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class ConnectWithTokenAction extends ConnectPage {
  readonly id = 'amazon_store_connect_token';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.connectToken;

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const input = connectInput(request.form);
    const sellerId = request.form.get('seller_id') ?? '';
    try {
      const outcome = await this.connections.addSelfAuthorized({ ...input, sellerId, refreshToken: request.form.get('refresh_token') ?? '' }, adminSession(request));
      return this.land(outcome, request, urls);
    } catch (error) {
      if (error instanceof ConnectInputRejected) return this.form(request, urls, input, NEW_AUTHORIZATION, error.errors, sellerId);
      if (error instanceof AppNotConfigured) return this.form(request, urls, input, NEW_AUTHORIZATION);
      throw error;
    }
  }
}
