/**
 * All Orders: every order of a store with filters, database sort over the whole result, paging,
 * removable filter chips and CSV export, all of it in the URL so links and Back restore it.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import {
  COUNT_BOUND, encodeCursor, orderGridCountUpTo, orderGridKeysetPage, searchPlan, type BoundedCount, type GridPage,
} from '../orders/order-grid.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { exportQuery, readGridState, type GridState } from './grid-state.ts';
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
    const [settings, { page, count }] = await Promise.all([this.stores.settings(store.id), this.readPage(state)]);
    const { count: total, more } = count;
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

  /**
   * The page's rows, and the matching orders counted far enough for the pager to know whether the
   * pages up to two past this one have rows: up to COUNT_BOUND near the start; for a deep page,
   * from its last row on (two pages' worth), not every row before it. Sets `state.page` to the
   * last page when it asked for one past the end.
   */
  private async readPage(state: GridState): Promise<{ page: GridPage; count: BoundedCount }> {
    const { filter, sort, pageSize } = state;
    // The search's candidates, chosen once for the count and the page.
    const plan = await searchPlan(this.db, filter);
    const byOffset = () => ({ limit: pageSize, offset: (state.page - 1) * pageSize });
    const byCursor = async () => {
      const page = state.after || state.before ? await orderGridKeysetPage(this.db, filter, sort, { limit: pageSize, offset: 0, after: state.after, before: state.before }, plan) : null;
      // A cursor past the rows there are now (orders deleted, an old link) pages by number instead.
      return page && page.rows.length > 0 ? page : orderGridKeysetPage(this.db, filter, sort, byOffset(), plan);
    };
    if ((state.page + 2) * pageSize > COUNT_BOUND) {
      const page = await byCursor();
      if (page.last) {
        const ahead = await orderGridCountUpTo(this.db, filter, 2 * pageSize, { plan, after: { sort, cursor: page.last } });
        return { page, count: { count: (state.page - 1) * pageSize + page.rows.length + ahead.count, more: ahead.more } };
      }
    }
    const count = await orderGridCountUpTo(this.db, filter, Math.max(COUNT_BOUND, (state.page + 2) * pageSize), { plan });
    // A page past the end (rows deleted, or an edited URL) shows the last page instead of nothing.
    if (!count.more) state.page = Math.min(state.page, lastPage(count.count, pageSize));
    return { page: await byCursor(), count };
  }
}
