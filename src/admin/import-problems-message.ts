/**
 * The system message of the original, in the host layout's `system-messages` zone: shown while any
 * store has orders that cannot be imported, naming the stores with links to their Recent Orders and
 * to exactly the orders counted (blocked from import); and while any store has orders in Error
 * (Amazon refused a shipment, cancel or refund), naming those stores with links to them; and
 * while Amazon no longer accepts a store's authorization, naming it with a link to reconnect it.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { AdminContext, DashboardWidgetContribution } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import { Acl } from './acl.ts';
import { AdminUrls } from './admin-urls.ts';
import { storesNeedingAttention } from './attention.ts';
import { AdminViews } from './renderer.ts';

@injectable()
export class ImportProblemsMessage implements DashboardWidgetContribution {
  readonly id = 'amazon_import_problems';
  readonly zone = 'system-messages';
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) private readonly views: AdminViews,
    @inject(Ports.Database) private readonly db: Knex,
  ) {}

  async render(context: AdminContext): Promise<string | null> {
    if (!context.can(this.acl)) return null;
    const [stores, rejected] = await Promise.all([
      storesNeedingAttention(this.db),
      this.db('amazon_store').where({ authorization: 'rejected' }).orderBy('id').select<Array<{ id: number; name: string }>>('id', 'name'),
    ]);
    if (stores.length === 0 && rejected.length === 0) return null;
    const urls = new AdminUrls(context.basePath);
    const orders = (n: number) => (n === 1 ? 'order' : 'orders');
    return this.views.render('import-problems-message', {
      blocked: stores
        .filter((store) => store.blocked > 0)
        .map((store) => ({
          name: store.name,
          href: urls.recentOrders(store.storeId),
          ordersHref: urls.orders(store.storeId, new URLSearchParams({ attention: 'blocked' })),
          count: store.blocked,
          // The link's name for screen readers: visible text first, then what it opens.
          ordersLabel: `${store.blocked} blocked ${orders(store.blocked)} in ${store.name}`,
        })),
      errors: stores
        .filter((store) => store.errors > 0)
        .map((store) => ({
          name: store.name,
          href: urls.dashboard(store.storeId),
          ordersHref: urls.orders(store.storeId, new URLSearchParams({ attention: 'error' })),
          count: store.errors,
          ordersLabel: `${store.errors} ${orders(store.errors)} in Error in ${store.name}`,
        })),
      rejected: rejected.map((store) => ({ name: store.name, href: urls.dashboard(Number(store.id)) })),
    });
  }
}
