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
import { AppNotConfigured } from '../stores/amazon-app.ts';
import type { AmazonStore } from '../stores/store.ts';
import { StoreConnections } from '../stores/store-connection.ts';
import { StoreInputRejected, Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { marketplaceText } from './format.ts';
import { adminSession, ModuleRoute, storeIdParam } from './module-route.ts';
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
    @inject(Ports.Logger) protected readonly logger: LoggerPort,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    return this.act(await this.stores.get(storeIdParam(request)), request, urls);
  }

  protected abstract act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse>;

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
      return this.message(request, 422, 'Store not renamed', `The name ${error.errors[0]!.message}; nothing was changed.`);
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
      return this.message(request, 422, 'Status not changed', 'A store is Active or Inactive; nothing was changed.');
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
    let consentUrl: string;
    try {
      ({ consentUrl } = await this.connections.startReconnect(store, adminSession(request)));
    } catch (error) {
      if (!(error instanceof AppNotConfigured)) throw error;
      return this.message(request, 409, 'Application not set up', `${error.message}; nothing was changed.`);
    }
    return this.page('Approve in Seller Central', 'connect-continue', {
      head: storeHead(store, urls, request, 'action', 'Approve in Seller Central'),
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
      head: storeHead(store, urls, request, 'action', `Disconnect ${store.name}`),
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
