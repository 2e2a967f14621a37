/**
 * The base of every module route. The host already answers 403 for a missing ACL resource and is
 * expected to check CSRF; the module checks both again here so a host that forgets cannot expose
 * a page or run a POST (defence in depth, and it makes the rule testable without a host).
 */
import type { AdminRequest, AdminResponse, AdminRouteContribution } from '../host/contributions.ts';
import type { OrderRepository, StoredOrder } from '../orders/order-repository.ts';
import type { AmazonStore } from '../stores/store.ts';
import type { AdminSession } from '../stores/store-connection.ts';
import { StoreNotFound, type Stores } from '../stores/stores.ts';
import { hasValidCsrfToken } from './csrf.ts';
import { AdminUrls } from './admin-urls.ts';
import type { AdminViews } from './renderer.ts';
import { quoted } from '../text.ts';

/** A page that does not exist (unknown store or order): answered 404, never 500. */
export class PageNotFound extends Error {
  override name = 'PageNotFound';
}

export abstract class ModuleRoute implements AdminRouteContribution {
  abstract readonly id: string;
  abstract readonly method: 'GET' | 'POST';
  abstract readonly path: string;
  abstract readonly acl: string;

  protected constructor(protected readonly views: AdminViews) {}

  async handle(request: AdminRequest): Promise<AdminResponse> {
    if (!request.can(this.acl)) {
      return this.message(request, 403, 'Access denied', 'You are not allowed to open this Amazon Sales Channel page.');
    }
    if (this.method === 'POST' && !hasValidCsrfToken(request)) {
      return this.message(request, 403, 'Form expired', 'The form was not accepted because its security token is missing or expired. Reload the page and try again; nothing was changed.');
    }
    try {
      return await this.respond(request, new AdminUrls(request.basePath));
    } catch (error) {
      if (error instanceof PageNotFound || error instanceof StoreNotFound) {
        return this.message(request, 404, 'Not found', error.message);
      }
      throw error;
    }
  }

  protected abstract respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse>;

  protected page(title: string, template: string, model: object, status?: number): AdminResponse {
    const html = this.views.render(template, model);
    return status === undefined ? { kind: 'page', title, html } : { kind: 'page', title, html, status };
  }

  /** A page that says what happened (nothing changed, not found, not allowed) and links back to Amazon Stores. */
  protected message(request: AdminRequest, status: number, title: string, text: string): AdminResponse {
    return this.page(title, 'message', { title, text, storesHref: new AdminUrls(request.basePath).stores() }, status);
  }
}

/** A store id as a request carries it (a route parameter, a form field), or null for anything else. */
export function parseStoreId(raw: string): number | null {
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null;
}

/** The `:storeId` route parameter as a store id; anything else is a page that does not exist. */
export function storeIdParam(request: AdminRequest): number {
  const raw = request.params.storeId ?? '';
  const id = parseStoreId(raw);
  if (id === null) throw new PageNotFound(`There is no Amazon store ${quoted(raw)}`);
  return id;
}

/** Who is acting, as the store connection rules bind an attempt to it: the user and the session's CSRF token. */
export function adminSession(request: AdminRequest): AdminSession {
  return { username: request.user.username, csrfToken: request.csrfToken };
}

/** The store and the Amazon order a `:storeId/orders/:amazonOrderId` route names, or a page that does not exist. */
export async function requestedOrder(stores: Stores, orders: OrderRepository, request: AdminRequest): Promise<{ store: AmazonStore; order: StoredOrder }> {
  const store = await stores.get(storeIdParam(request));
  const order = await orders.find(store.id, request.params.amazonOrderId ?? '');
  if (!order) throw new PageNotFound(`Store ${store.name} has no Amazon order ${quoted(request.params.amazonOrderId ?? '')}`);
  return { store, order };
}
