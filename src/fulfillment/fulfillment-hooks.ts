/**
 * The module's part in the host's Orders workflow (module.json `hooks` and `events`): the guard
 * asks before the host commits a shipment, cancel or credit memo of an Amazon order; the
 * transaction hook asks again under the order's lock and records what Amazon must be told, in the
 * host's own transaction, so a committed change is never lost. A cancel made through the host's
 * OrdersPort (by another module; no hooks run then) is recorded when its event arrives.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type {
  EventObserverContribution,
  OrderAction,
  OrderActionContext,
  OrderGuardContribution,
  OrderTransactionHookContribution,
  OrderVerdict,
} from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { LoggerPort } from '../host/ports.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { Fulfillment } from './fulfillment.ts';
import { Outbox } from './outbox.ts';
import { decideCancel } from './rules.ts';
import { transaction } from '../db/transaction.ts';

const ACTIONS: OrderAction[] = ['ship', 'cancel', 'creditmemo'];

@injectable()
export class FulfillmentGuard implements OrderGuardContribution {
  readonly id = 'amazon_fulfillment_guard';
  readonly actions = ACTIONS;

  constructor(@inject(Fulfillment) private readonly fulfillment: Fulfillment) {}

  check(context: OrderActionContext): Promise<OrderVerdict> {
    return this.fulfillment.check(context);
  }
}

@injectable()
export class FulfillmentOutboxHook implements OrderTransactionHookContribution {
  readonly id = 'amazon_fulfillment_outbox';
  readonly actions = ACTIONS;

  constructor(@inject(Fulfillment) private readonly fulfillment: Fulfillment) {}

  inTransaction(context: OrderActionContext, trx: Knex.Transaction): Promise<OrderVerdict> {
    return this.fulfillment.recordHostAction(context, trx);
  }
}

@injectable()
export class PortCancelObserver implements EventObserverContribution {
  readonly id = 'amazon_host_order_canceled';
  readonly event = 'order.canceled';

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(Fulfillment) private readonly fulfillment: Fulfillment,
  ) {}

  async handle(payload: Record<string, unknown>): Promise<void> {
    // The admin's cancels were recorded by the transaction hook already.
    if (payload.origin !== 'port' || typeof payload.orderId !== 'string') return;
    const hostOrderId = payload.orderId;
    const reason = typeof payload.reason === 'string' ? payload.reason : 'other';
    await transaction(this.db, async (trx) => {
      const order = await this.orders.findByHostOrder(hostOrderId, trx, true);
      if (!order) return;
      const decision = decideCancel(reason, await this.fulfillment.view(order, trx), (await this.outbox.history(order.id, trx)).history);
      if (decision.allow && decision.record) {
        await this.fulfillment.keep(trx, order, decision.record, 'outside the admin (the host order was canceled through the host)');
      } else if (!decision.allow) {
        // The host order is canceled already; all that is left is to tell the admin what Amazon needs.
        const note = `Host order #${order.hostOrderNumber ?? hostOrderId} was canceled outside the admin, but ${decision.reason}`;
        await this.orders.update(order.id, { note }, trx);
        await this.orders.log(order.id, { kind: 'outbound', message: note }, trx);
        this.logger.warn('A host cancel cannot be sent to Amazon', { amazonOrderId: order.amazonOrderId, reason: decision.reason });
      }
    });
  }
}
