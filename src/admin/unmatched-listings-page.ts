/**
 * Unmatched Listings: seller SKUs of blocked orders with no catalog product. Assigning a host
 * product saves a manual match and retries the affected orders at once (under the store lease).
 */
import { inject, injectable } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import type { AmazonStore } from '../stores/store.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { ImportRetry } from '../sync/import-retry.ts';
import { ModuleRoute, storeIdParam } from './module-route.ts';
import { storeHead, type PageHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';
import { UnmatchedListings, UNMATCHED_LIMIT } from '../orders/unmatched-listings.ts';

interface RowError {
  value: string;
  message: string;
}

/** The outcome of a match, carried by the redirect as numbers only and worded here. */
function matchFlash(query: URLSearchParams): PageHead['flash'] {
  if (query.get('matched') !== '1') return null;
  if (query.get('busy') === '1') {
    return { tone: 'info', text: 'Listing matched. A sync is running for this store and retries the affected orders itself.' };
  }
  const count = (name: string) => (/^\d{1,6}$/.test(query.get(name) ?? '') ? Number(query.get(name)) : 0);
  const imported = count('imported');
  const blocked = count('blocked');
  const parts = [`${imported} ${imported === 1 ? 'order' : 'orders'} imported`];
  if (blocked > 0) parts.push(`${blocked} still blocked for another reason (see the orders)`);
  return { tone: blocked > 0 ? 'warn' : 'ok', text: `Listing matched: ${parts.join(', ')}.` };
}

async function unmatchedPage(
  request: AdminRequest,
  urls: AdminUrls,
  store: AmazonStore,
  listings: UnmatchedListings,
  errors: Map<string, RowError>,
  flash: PageHead['flash'],
): Promise<{ title: string; model: object }> {
  const rows = await listings.list(store.id);
  const canManage = request.can(Acl.ordersManage);
  return {
    title: `Unmatched Listings · ${store.name}`,
    model: {
      head: storeHead(store, urls, request, 'unmatched', 'Unmatched Listings', flash),
      canManage,
      // The Assign column is there only for admins who may match.
      columnCount: canManage ? 5 : 4,
      action: urls.unmatched(store.id),
      csrfField: CSRF_FIELD,
      csrfToken: request.csrfToken,
      limitReached: rows.length >= UNMATCHED_LIMIT,
      blockedHref: urls.orders(store.id, new URLSearchParams({ attention: 'blocked' })),
      rows: rows.map((row, index) => {
        const error = errors.get(row.sellerSku) ?? null;
        return {
          sellerSku: row.sellerSku,
          title: row.title ?? '',
          asin: row.asin ?? '',
          orderCount: row.orderCount,
          staleMatch: row.staleMatch,
          inputId: `match-${index}`,
          value: error?.value ?? '',
          error: error?.message ?? null,
        };
      }),
    },
  };
}

@injectable()
export class UnmatchedListingsPage extends ModuleRoute {
  readonly id = 'amazon_unmatched_listings';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.unmatched;
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) private readonly stores: Stores,
    @inject(UnmatchedListings) private readonly listings: UnmatchedListings,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const store = await this.stores.get(storeIdParam(request));
    const { title, model } = await unmatchedPage(request, urls, store, this.listings, new Map(), matchFlash(request.query));
    return this.page(title, 'unmatched-listings', model);
  }
}

@injectable()
export class MatchListingAction extends ModuleRoute {
  readonly id = 'amazon_unmatched_listings_match';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.unmatched;
  readonly acl = Acl.ordersManage;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) private readonly stores: Stores,
    @inject(UnmatchedListings) private readonly listings: UnmatchedListings,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(ImportRetry) private readonly retry: ImportRetry,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const store = await this.stores.get(storeIdParam(request));
    const sellerSku = (request.form.get('seller_sku') ?? '').trim();
    const productSku = (request.form.get('product_sku') ?? '').trim();
    const checked = await this.listings.checkMatch(store.id, sellerSku, productSku);
    if (!checked.ok) {
      const errors = new Map([[sellerSku, { value: productSku, message: checked.message }]]);
      const flash: PageHead['flash'] = { tone: 'error', text: `The listing was not matched: ${checked.message}.` };
      const { title, model } = await unmatchedPage(request, urls, store, this.listings, errors, flash);
      return this.page(title, 'unmatched-listings', model, 422);
    }
    const { product, orderIds } = checked;

    await this.orders.setListingMatch(store.id, sellerSku, product.sku);
    const result = await this.retry.retry(store.id, orderIds);
    const query = new URLSearchParams({ matched: '1' });
    if (result.busy) query.set('busy', '1');
    else {
      query.set('imported', String(result.outcomes.filter((o) => o.outcome === 'imported').length));
      query.set('blocked', String(result.outcomes.filter((o) => o.outcome === 'blocked').length));
    }
    return { kind: 'redirect', location: urls.unmatched(store.id, query) };
  }
}
