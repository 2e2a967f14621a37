/**
 * "To ship" on the host's dashboard (zone dashboard.main): the merchant-fulfilled Amazon orders
 * still to ship, of every store, soonest ship-by date first (overdue and due within 24 hours
 * marked in words, not by colour alone), at most ten, with links to each store's full list.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { AdminContext, DashboardWidgetContribution } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { fromDbOrNull } from '../db/time.ts';
import { SHIP_BY_SOON_MS } from '../orders/grid-filter-input.ts';
import { TO_SHIP_STATUSES } from '../orders/order-grid.ts';
import { Acl } from './acl.ts';
import { AdminUrls } from './admin-urls.ts';
import { statusSlug, timeText } from './format.ts';
import { AdminViews } from './renderer.ts';

export const TO_SHIP_ROWS = 10;

@injectable()
export class ToShipWidget implements DashboardWidgetContribution {
  readonly id = 'amazon_to_ship';
  readonly zone = 'dashboard.main';
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) private readonly views: AdminViews,
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {}

  async render(context: AdminContext): Promise<string | null> {
    if (!context.can(this.acl)) return null;
    const stores: Array<{ id: unknown; name: string }> = await this.db('amazon_store').orderBy('name').select('id', 'name');
    if (stores.length === 0) return null;
    const toShip = () => this.db('amazon_order').whereIn('status', TO_SHIP_STATUSES).where('fulfilled_by', 'MERCHANT');
    const rows: Array<Record<string, unknown>> = await toShip()
      .orderByRaw('latest_ship_date is null')
      .orderBy([{ column: 'latest_ship_date' }, { column: 'id' }])
      .limit(TO_SHIP_ROWS)
      .select('id', 'store_id', 'amazon_order_id', 'status', 'buyer_name', 'latest_ship_date');
    const items: Array<{ order_id: unknown; seller_sku: string | null; quantity_ordered: unknown; quantity_shipped: unknown; quantity_canceled: unknown }> =
      rows.length === 0 ? [] : await this.db('amazon_order_item').whereIn('order_id', rows.map((r) => r.id as number)).orderBy('id');
    const counts: Array<{ store_id: unknown; n: unknown }> = await toShip().groupBy('store_id').select('store_id').count({ n: '*' });
    const countOf = new Map(counts.map((c) => [Number(c.store_id), Number(c.n)]));
    const storeName = new Map(stores.map((s) => [Number(s.id), s.name]));
    const urls = new AdminUrls(context.basePath);
    const now = this.clock.now().getTime();
    const toShipQuery = new URLSearchParams(TO_SHIP_STATUSES.map((status) => ['status', status]));

    return this.views.render('to-ship', {
      rows: rows.map((row) => {
        const shipBy = fromDbOrNull(row.latest_ship_date);
        const due = shipBy === null ? null : shipBy.getTime() < now ? 'Overdue' : shipBy.getTime() < now + SHIP_BY_SOON_MS ? 'Due within 24 h' : null;
        return {
          orderNumber: row.amazon_order_id as string,
          href: urls.order(Number(row.store_id), row.amazon_order_id as string),
          store: storeName.get(Number(row.store_id)) ?? '',
          status: row.status as string,
          statusSlug: statusSlug(row.status as string),
          shipBy: shipBy === null ? null : timeText(shipBy),
          due,
          dueSlug: due === 'Overdue' ? 'bad' : 'warn',
          items: items
            .filter((item) => Number(item.order_id) === Number(row.id))
            .map((item) => ({ qty: Number(item.quantity_ordered) - Number(item.quantity_canceled) - Number(item.quantity_shipped), sku: item.seller_sku ?? '(no SKU)' }))
            .filter((item) => item.qty > 0)
            .map((item) => `${item.qty} x ${item.sku}`)
            .join(', '),
          buyer: (row.buyer_name as string | null) ?? '',
        };
      }),
      stores: stores
        .map((store) => ({ id: Number(store.id), name: store.name }))
        .filter((store) => (countOf.get(store.id) ?? 0) > 0)
        .map((store) => ({
          name: store.name,
          count: `${countOf.get(store.id)!} ${countOf.get(store.id)! === 1 ? 'order' : 'orders'}`,
          allHref: urls.orders(store.id, toShipQuery),
          dueHref: urls.orders(store.id, new URLSearchParams({ attention: 'ship-by' })),
        })),
    });
  }
}
