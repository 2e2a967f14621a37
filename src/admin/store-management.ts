/**
 * Managing a store from its dashboard's Store card: rename it, make it Active or Inactive,
 * reconnect it (Amazon's consent again, replacing its refresh token and keeping its orders and
 * settings) and disconnect it (its credentials deleted, its orders kept view-only; a confirmation
 * page first). Each POST answers with the dashboard and a message saying what happened.
 */
import { inject, injectable, injectFromBase } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { LoggerPort } from '../host/ports.ts';
import { AmazonAppSettings } from '../stores/amazon-app.ts';
import type { AmazonStore } from '../stores/store.ts';
import { StoreConnections } from '../stores/store-connection.ts';
import { StoreInputRejected, Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { marketplaceText } from './format.ts';
import { ModuleRoute, storeIdParam } from './module-route.ts';
import { storeHead, type PageHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';

type Flash = NonNullable<PageHead['flash']>;

/** The dashboard's `?store=` messages after an action of this file or the consent callback. */
const STORE_FLASHES = new Map<string, Flash>([
  ['connected', { tone: 'ok', text: 'The store is connected. Its first sync starts within a minute, then every 5 minutes; orders appear here as they arrive.' }],
  ['reconnected', { tone: 'ok', text: 'The store is reconnected: its sync (every 5 minutes) and what waited to be sent to Amazon go on from where they stopped.' }],
  ['renamed', { tone: 'ok', text: 'The store was renamed.' }],
  ['active', { tone: 'ok', text: 'The store is Active: it is synced again.' }],
  ['inactive', { tone: 'info', text: 'The store is Inactive: its orders are not synced until it is Active again.' }],
  ['disconnected', { tone: 'info', text: 'The store is disconnected: its credentials are deleted and its orders are view-only here. Reconnect it to sync again.' }],
]);

export function storeFlash(query: URLSearchParams): Flash | null {
  return STORE_FLASHES.get(query.get('store') ?? '') ?? null;
}

@injectable()
abstract class StoreAction extends ModuleRoute {
  readonly acl = Acl.storesManage;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) protected readonly stores: Stores,
    @inject(StoreConnections) protected readonly connections: StoreConnections,
    @inject(AmazonAppSettings) protected readonly appSettings: AmazonAppSettings,
    @inject(Ports.Logger) protected readonly logger: LoggerPort,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    return this.act(await this.stores.get(storeIdParam(request)), request, urls);
  }

  protected abstract act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse>;

  /** Nothing was changed, and why. */
  protected refused(urls: AdminUrls, title: string, text: string, status: number): AdminResponse {
    return this.page(title, 'message', { title, text, storesHref: urls.stores() }, status);
  }

  protected done(store: AmazonStore, urls: AdminUrls, flash: string): AdminResponse {
    return { kind: 'redirect', location: urls.dashboard(store.id, new URLSearchParams({ store: flash })) };
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class RenameStoreAction extends StoreAction {
  readonly id = 'amazon_store_rename';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.storeRename;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    try {
      await this.stores.rename(store.id, request.form.get('name') ?? '');
    } catch (error) {
      if (!(error instanceof StoreInputRejected)) throw error;
      return this.refused(urls, 'Store not renamed', `The name ${error.errors[0]!.message}; nothing was changed.`, 422);
    }
    return this.done(store, urls, 'renamed');
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class StoreStatusAction extends StoreAction {
  readonly id = 'amazon_store_status';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.storeStatus;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const status = request.form.get('status');
    if (status !== 'active' && status !== 'inactive') {
      return this.refused(urls, 'Status not changed', 'A store is Active or Inactive; nothing was changed.', 422);
    }
    await this.stores.setStatus(store.id, status);
    return this.done(store, urls, status);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class ReconnectStoreAction extends StoreAction {
  readonly id = 'amazon_store_reconnect';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.storeReconnect;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    if ((await this.appSettings.get()) === null) {
      return this.refused(urls, 'Application not set up', "Enter the SP-API application's credentials under Amazon Stores > App credentials first; nothing was changed.", 409);
    }
    const { consentUrl } = await this.connections.startReconnect(store, { username: request.user.username, csrfToken: request.csrfToken });
    return this.page('Approve in Seller Central', 'connect-continue', {
      head: { ...storeHead(store, urls, request, 'dashboard', 'Reconnect'), title: 'Approve in Seller Central', badge: null },
      consentUrl,
      storeName: store.name,
      marketplace: marketplaceText(store.marketplaceId),
    });
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class DisconnectStorePage extends StoreAction {
  readonly id = 'amazon_store_disconnect';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.storeDisconnect;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    return this.page(`Disconnect ${store.name}`, 'store-disconnect', {
      head: { ...storeHead(store, urls, request, 'dashboard', 'Disconnect'), title: `Disconnect ${store.name}`, badge: null },
      action: urls.storeDisconnect(store.id),
      cancelHref: urls.dashboard(store.id),
      csrfField: CSRF_FIELD,
      csrfToken: request.csrfToken,
      marketplace: marketplaceText(store.marketplaceId),
      sellerId: store.sellerId,
    });
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class DisconnectStoreAction extends StoreAction {
  readonly id = 'amazon_store_disconnect_confirm';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.storeDisconnect;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    // The second step: a form without the confirmation (a forged or half-filled one) changes nothing.
    if (request.form.get('confirm') !== 'disconnect') return { kind: 'redirect', location: urls.storeDisconnect(store.id) };
    await this.stores.disconnect(store.id, `Disconnected by ${request.user.username}`);
    this.logger.info('Amazon store disconnected', { storeId: store.id, by: request.user.username });
    return this.done(store, urls, 'disconnected');
  }
}
