/**
 * Connect an Amazon store: the form (name and marketplace), the step that sends the admin to
 * Seller Central, and the callback Amazon sends the admin back to (src/stores/store-connection.ts
 * has the rules). A connected store lands on its dashboard with its first sync started.
 */
import { inject, injectable } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { LoggerPort } from '../host/ports.ts';
import { AmazonAppSettings } from '../stores/amazon-app.ts';
import { MARKETPLACES, type Region } from '../stores/marketplaces.ts';
import { ConnectInputRejected, IMPORT_DAYS, StoreConnections, type ConnectInput, type ConnectInputError } from '../stores/store-connection.ts';
import { OrderSync } from '../sync/order-sync.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { marketplaceText } from './format.ts';
import { ModuleRoute } from './module-route.ts';
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

abstract class ConnectPage extends ModuleRoute {
  readonly acl = Acl.storesManage;

  protected constructor(
    views: AdminViews,
    protected readonly appSettings: AmazonAppSettings,
  ) {
    super(views);
  }

  /** The form, with what was typed and the errors when a submission was refused. */
  protected async form(request: AdminRequest, urls: AdminUrls, input: ConnectInput, errors: ConnectInputError[] = []): Promise<AdminResponse> {
    const app = await this.appSettings.get();
    const error = (field: keyof ConnectInput) => errors.find((e) => e.field === field)?.message ?? null;
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
      importDays: {
        error: error('importDays'),
        options: IMPORT_DAYS.map((days) => ({ value: String(days), label: IMPORT_LABELS[days], selected: String(days) === input.importDays })),
      },
      hasErrors: errors.length > 0,
    }, errors.length > 0 ? 422 : undefined);
  }
}

@injectable()
export class ConnectStorePage extends ConnectPage {
  readonly id = 'amazon_store_connect';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.connect;

  constructor(@inject(AdminViews) views: AdminViews, @inject(AmazonAppSettings) appSettings: AmazonAppSettings) {
    super(views, appSettings);
  }

  protected respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    return this.form(request, urls, { name: '', marketplaceId: 'ATVPDKIKX0DER', importDays: '0' });
  }
}

@injectable()
export class ConnectStoreAction extends ConnectPage {
  readonly id = 'amazon_store_connect_start';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.connect;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(AmazonAppSettings) appSettings: AmazonAppSettings,
    @inject(StoreConnections) private readonly connections: StoreConnections,
  ) {
    super(views, appSettings);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const input: ConnectInput = { name: request.form.get('name') ?? '', marketplaceId: request.form.get('marketplace_id') ?? '', importDays: request.form.get('import_days') ?? '' };
    if ((await this.appSettings.get()) === null) return this.form(request, urls, input);
    try {
      const { consentUrl } = await this.connections.start(input, { username: request.user.username, csrfToken: request.csrfToken });
      // A link, not a redirect: the host's admin keeps its redirects on-site, and the admin sees
      // where the next step happens.
      return this.page('Approve in Seller Central', 'connect-continue', {
        head: connectHead(urls, 'Approve in Seller Central'),
        consentUrl,
        storeName: input.name.trim(),
        marketplace: marketplaceText(input.marketplaceId),
      });
    } catch (error) {
      if (error instanceof ConnectInputRejected) return this.form(request, urls, input, error.errors);
      throw error;
    }
  }
}

@injectable()
export class ConnectCallbackPage extends ConnectPage {
  readonly id = 'amazon_store_connect_callback';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.connectCallback;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(AmazonAppSettings) appSettings: AmazonAppSettings,
    @inject(StoreConnections) private readonly connections: StoreConnections,
    @inject(OrderSync) private readonly sync: OrderSync,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
  ) {
    super(views, appSettings);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const outcome = await this.connections.complete(request.query, { username: request.user.username, csrfToken: request.csrfToken });
    if (!outcome.connected) {
      return this.page(outcome.title, 'message', { title: outcome.title, text: outcome.text, storesHref: urls.stores() }, outcome.status);
    }
    const { store } = outcome;
    // The first sync runs beside the page: the dashboard shows it running, and its outcome in the
    // sync health, as for any cron run.
    this.sync.run({ storeId: store.id }).catch((error: unknown) => this.logger.error('First sync of a newly connected store failed', { storeId: store.id, error }));
    return { kind: 'redirect', location: urls.dashboard(store.id, new URLSearchParams({ connected: '1' })) };
  }
}
