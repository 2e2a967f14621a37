/**
 * The Amazon order page's fulfillment actions (Post/Redirect/Get, back to the order with a fixed
 * message chosen by a code): Cancel order (Unshipped only, reason required; the host order is
 * canceled too when there is one) and sending a failed outbox entry again.
 */
import { inject, injectable } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Fulfillment } from '../fulfillment/fulfillment.ts';
import { isCancelReason, OrderCancellation } from '../fulfillment/order-cancellation.ts';
import { Outbox } from '../fulfillment/outbox.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { ModuleRoute, PageNotFound, requestedOrder } from './module-route.ts';
import { AdminViews } from './renderer.ts';
import { quoted } from '../text.ts';

@injectable()
export class CancelOrderAction extends ModuleRoute {
  readonly id = 'amazon_order_cancel';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.cancel;
  readonly acl = Acl.ordersManage;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(OrderCancellation) private readonly cancellation: OrderCancellation,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const { store, order } = await requestedOrder(this.stores, this.orders, request);
    const back = (code: string) => ({ kind: 'redirect' as const, location: urls.order(store.id, order.amazonOrderId, new URLSearchParams({ cancel: code })) });
    const reason = request.form.get('reason') ?? '';
    if (!isCancelReason(reason)) return back('reason');
    const result = await this.cancellation.cancel(store.id, order.amazonOrderId, reason, `on the Amazon order page by ${request.user.username}`);
    // A refusal: the page says why, as it does whenever the order cannot be canceled.
    if (!result.ok) return back('refused');
    if (result.entry === null) return back('nothing');
    return back(result.note !== null ? 'host-failed' : result.hostOrderCanceled ? 'with-host' : 'recorded');
  }
}

@injectable()
export class OutboxRetryAction extends ModuleRoute {
  readonly id = 'amazon_outbox_retry';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.outboxRetry;
  readonly acl = Acl.ordersManage;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(Fulfillment) private readonly fulfillment: Fulfillment,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const { store, order } = await requestedOrder(this.stores, this.orders, request);
    const raw = request.params.entryId ?? '';
    const entry = /^[1-9]\d{0,15}$/.test(raw) ? await this.outbox.get(Number(raw)) : null;
    if (!entry || entry.orderId !== order.id) throw new PageNotFound(`Amazon order ${order.amazonOrderId} has no outbox entry ${quoted(raw)}`);
    // The sender takes it on its next run (every minute), so this request never waits for Amazon.
    const reopened = await this.fulfillment.reopen(entry.id, `on the Amazon order page by ${request.user.username}`);
    return { kind: 'redirect', location: urls.order(store.id, order.amazonOrderId, new URLSearchParams({ outbox: reopened ? 'retried' : 'not-failed' })) };
  }
}
