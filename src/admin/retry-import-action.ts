/** POST Retry import of one blocked order, then back to its details page with the outcome (Post/Redirect/Get). */
import { inject, injectable } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { ImportRetry } from '../sync/import-retry.ts';
import { ModuleRoute, requestedOrder } from './module-route.ts';
import { AdminViews } from './renderer.ts';

@injectable()
export class RetryImportAction extends ModuleRoute {
  readonly id = 'amazon_order_retry';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.retry;
  readonly acl = Acl.ordersManage;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(ImportRetry) private readonly retry: ImportRetry,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const { store, order } = await requestedOrder(this.stores, this.orders, request);
    let outcome = 'skipped';
    if (order.importState === 'blocked' || order.importState === 'ready') {
      const result = await this.retry.retry(store.id, [order.id]);
      outcome = result.busy ? 'busy' : (result.outcomes[0]?.outcome ?? 'skipped');
    }
    return { kind: 'redirect', location: urls.order(store.id, order.amazonOrderId, new URLSearchParams({ retry: outcome })) };
  }
}
