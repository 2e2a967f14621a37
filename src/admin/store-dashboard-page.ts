/**
 * The store dashboard: header, sync health (the poll's and the real-time updates'), the 30-day chart
 * and Recent Orders (the latest orders with the original's "Filter by" controls and a link to All
 * Orders carrying the same filters).
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { COUNT_BOUND, DEFAULT_SORT, orderGridCountUpTo, orderGridKeysetPage, searchPlan, type BoundedCount } from '../orders/order-grid.ts';
import { MARKETPLACES } from '../stores/marketplaces.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { RECENT_ORDERS_ANCHOR, ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { authorizationView, marketplaceText, timeText } from './format.ts';
import { filterQuery, readGridState } from './grid-state.ts';
import { filterFormView } from './grid-filters-view.ts';
import { ModuleRoute, storeIdParam } from './module-route.ts';
import { emptyGridText, gridColumns, gridRows } from './order-grid-view.ts';
import { chartView, dailyTotals } from './orders-chart.ts';
import { storeHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';
import { readSyncState, syncHealthView } from './sync-health.ts';
import { pollSkippedUntil, realtimeHealthView } from './realtime-health.ts';
import { RealtimeUpdates } from '../notifications/realtime-updates.ts';
import { storeFlash } from './store-management.ts';
import { CSRF_FIELD } from './csrf.ts';

export const RECENT_ORDERS_LIMIT = 10;

@injectable()
export class StoreDashboardPage extends ModuleRoute {
  readonly id = 'amazon_store_dashboard';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.dashboard;
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(RealtimeUpdates) private readonly realtime: RealtimeUpdates,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const store = await this.stores.get(storeIdParam(request));
    const now = this.clock.now();
    const state = readGridState(store.id, request.query, this.clock.now());
    // The search's candidates, chosen once for the rows and the count.
    const plan = await searchPlan(this.db, state.filter);
    const [settings, choices, syncState, notifications, totals, { rows }, counted] = await Promise.all([
      this.stores.settings(store.id),
      this.stores.settingsChoices(),
      readSyncState(this.db, store.id),
      this.realtime.get(store.id),
      dailyTotals(this.db, store.id, now),
      // Recent Orders: newest first, like the original; sorting and paging live on All Orders.
      orderGridKeysetPage(this.db, state.filter, DEFAULT_SORT, { limit: RECENT_ORDERS_LIMIT, offset: 0 }, plan),
      orderGridCountUpTo(this.db, state.filter, COUNT_BOUND, { plan }),
    ]);
    const view = choices.storeViews.find((v) => v.code === settings.hostStoreView) ?? choices.storeViews.find((v) => v.isDefault) ?? null;
    // Filter links and the form land on the Recent Orders section, not the top of the dashboard.
    const dashboardPath = (query: URLSearchParams) => urls.recentOrders(store.id, query);
    return this.page(store.name, 'store-dashboard', {
      head: storeHead(store, urls, request, 'dashboard', store.name, storeFlash(request.query)),
      store: {
        marketplace: marketplaceText(store.marketplaceId),
        hostStore: view ? `${view.websiteName} / ${view.name}` : 'Default store view',
        importEnabled: settings.importEnabled,
        created: timeText(store.createdAt),
        updated: timeText(store.updatedAt),
        integrated: timeText(store.integratedAt),
        sellerId: store.sellerId,
        authorization: authorizationView(store),
      },
      manage: request.can(Acl.storesManage)
        ? {
            csrfField: CSRF_FIELD,
            csrfToken: request.csrfToken,
            renameAction: urls.storeRename(store.id),
            name: store.name,
            statusAction: urls.storeStatus(store.id),
            nextStatus: store.status === 'active' ? { value: 'inactive', label: 'Make Inactive' } : { value: 'active', label: 'Make Active' },
            reconnectAction: urls.storeReconnect(store.id),
            reconnectFirst: store.authorization !== 'authorized',
            disconnectHref: store.authorization === 'disconnected' ? null : urls.storeDisconnect(store.id),
          }
        : null,
      sync: syncHealthView(store, syncState, now, undefined, pollSkippedUntil(notifications, syncState.lastSuccessAt, now)),
      realtime: {
        health: realtimeHealthView(notifications, now),
        href: request.can(Acl.orderSettings) ? urls.realtime(store.id) : null,
      },
      chart: chartView(totals, MARKETPLACES.get(store.marketplaceId)?.currencyCode ?? null),
      recent: {
        anchor: RECENT_ORDERS_ANCHOR,
        filters: filterFormView(state, { prefix: 'recent', action: urls.recentOrders(store.id), pathFor: dashboardPath, orderNumber: false }),
        columns: gridColumns(null, dashboardPath),
        rows: gridRows(rows, store.id, settings.importEnabled, urls, request.links),
        caption: `Recent orders of ${store.name}, newest first`,
        emptyText: emptyGridText(state),
        shownText: shownText(rows.length, counted),
        allOrdersHref: urls.orders(store.id, filterQuery(state)),
      },
    });
  }
}

/** How many of the matching orders Recent Orders shows. */
function shownText(shown: number, { count, more }: BoundedCount): string {
  if (more) return `The latest ${shown} of more than ${count.toLocaleString('en-US')} orders`;
  return count > shown ? `The latest ${shown} of ${count} orders` : `${count} ${count === 1 ? 'order' : 'orders'}`;
}
