/**
 * All Orders: every order of a store with filters, database sort over the whole result, paging,
 * removable filter chips and CSV export, all of it in the URL so links and Back restore it.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { COUNT_BOUND, encodeCursor, orderGridCountUpTo, orderGridKeysetPage } from '../orders/order-grid.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { exportQuery, readGridState } from './grid-state.ts';
import { filterFormView } from './grid-filters-view.ts';
import { ModuleRoute, storeIdParam } from './module-route.ts';
import { emptyGridText, gridColumns, gridRows } from './order-grid-view.ts';
import { lastPage, pagerView } from './pager-view.ts';
import { storeHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';

@injectable()
export class AllOrdersPage extends ModuleRoute {
  readonly id = 'amazon_orders';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.orders;
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Stores) private readonly stores: Stores,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const store = await this.stores.get(storeIdParam(request));
    const state = readGridState(store.id, request.query, this.clock.now());
    // Counted far enough to know whether the pages up to two past this one have rows.
    const bound = Math.max(COUNT_BOUND, (state.page + 2) * state.pageSize);
    const [settings, { count: total, more }] = await Promise.all([this.stores.settings(store.id), orderGridCountUpTo(this.db, state.filter, bound)]);
    // A page past the end (rows deleted, or an edited URL) shows the last page instead of nothing.
    if (!more) state.page = Math.min(state.page, lastPage(total, state.pageSize));
    const offset = { limit: state.pageSize, offset: (state.page - 1) * state.pageSize };
    let page = await orderGridKeysetPage(this.db, state.filter, state.sort, state.after || state.before ? { limit: state.pageSize, offset: 0, after: state.after, before: state.before } : offset);
    // A cursor past the rows there are now (orders deleted, an old link) pages by number instead.
    if (page.rows.length === 0 && (state.after || state.before)) page = await orderGridKeysetPage(this.db, state.filter, state.sort, offset);
    const { rows } = page;
    const cursors = {
      first: page.first && encodeCursor(state.sort.column, page.first),
      last: page.last && encodeCursor(state.sort.column, page.last),
    };
    const ordersPath = (query: URLSearchParams) => urls.orders(store.id, query);
    return this.page(`All Orders · ${store.name}`, 'all-orders', {
      head: storeHead(store, urls, request, 'orders', 'All Orders'),
      importEnabled: settings.importEnabled,
      filters: filterFormView(state, { prefix: 'orders', action: urls.orders(store.id), pathFor: ordersPath, orderNumber: true }),
      grid: {
        columns: gridColumns(state, ordersPath),
        rows: gridRows(rows, store.id, settings.importEnabled, urls, request.links),
        caption: `Amazon orders of ${store.name}`,
        emptyText: emptyGridText(state),
      },
      pager: pagerView(state, total, ordersPath, more, cursors),
      csvHref: urls.ordersCsv(store.id, exportQuery(state)),
      totalText: more ? `more than ${total.toLocaleString('en-US')}` : String(total),
    });
  }
}
