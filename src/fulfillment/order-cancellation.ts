/**
 * Cancel order, from the Amazon order page (or `asc orders:cancel`): the original's action, for an
 * Unshipped order only, with a reason. It works without a host order too (a view-only store), so
 * the cancel is recorded for Amazon first, with the order row locked; then the host order, when
 * there is one, is canceled through the host's OrdersPort, and stock the module held is released.
 * A host that fails to cancel does not stop the cancel at Amazon: when Amazon reports the order
 * canceled, the sync cancels the host order as for any Amazon cancel.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort, OrdersPort, StockPort } from '../host/ports.ts';
import { errorSummary } from '../error-summary.ts';
import { reservationKeyFor } from '../orders/host-order-request.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { Fulfillment } from './fulfillment.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { CANCEL_REASON_CHOICES, decideCancel } from './rules.ts';
import { transaction } from '../db/transaction.ts';

export type CancellationResult =
  | { ok: true; entry: OutboxEntry | null; hostOrderCanceled: boolean; note: string | null }
  | { ok: false; reason: string };

export function isCancelReason(code: string): boolean {
  return CANCEL_REASON_CHOICES.some((choice) => choice.code === code);
}

@injectable()
export class OrderCancellation {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Ports.Orders) private readonly hostOrders: OrdersPort,
    @inject(Ports.Stock) private readonly stock: StockPort,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(Fulfillment) private readonly fulfillment: Fulfillment,
  ) {}

  /** `where` names the place for the history, e.g. "on the Amazon order page". */
  async cancel(storeId: number, amazonOrderId: string, reason: string, where: string): Promise<CancellationResult> {
    const choice = CANCEL_REASON_CHOICES.find((c) => c.code === reason);
    if (!choice) return { ok: false, reason: `Choose a reason (${CANCEL_REASON_CHOICES.map((c) => c.code).join(', ')}).` };
    const recorded = await transaction(this.db, async (trx) => {
      const order = await this.orders.find(storeId, amazonOrderId, trx, true);
      if (!order) return { ok: false as const, reason: `There is no Amazon order ${amazonOrderId} in this store.` };
      const decision = decideCancel(reason, await this.fulfillment.view(order, trx), (await this.outbox.history(order.id, trx)).history);
      if (!decision.allow) return { ok: false as const, reason: decision.reason };
      if (!decision.record) return { ok: true as const, order, entry: null };
      const entry = await this.fulfillment.keep(trx, order, decision.record, where);
      // Without a host order yet, it never gets one now.
      if (order.hostOrderId === null) await this.orders.update(order.id, { import_state: 'not_eligible', block_reason: null }, trx);
      return { ok: true as const, order, entry };
    });
    if (!recorded.ok) return recorded;
    const { order, entry } = recorded;
    if (entry === null) return { ok: true, entry: null, hostOrderCanceled: false, note: null };

    if (order.stockReserved) {
      await this.stock.release(reservationKeyFor(order.amazonOrderId));
      await this.orders.update(order.id, { stock_reserved: false, stock_released_at: this.clock.now() });
      await this.orders.log(order.id, { kind: 'note', message: 'Released the stock reserved for this order' });
    }
    let hostOrderCanceled = false;
    let note: string | null = null;
    if (order.hostOrderId !== null) {
      const number = order.hostOrderNumber ?? order.hostOrderId;
      try {
        await this.hostOrders.cancel(order.hostOrderId, `Canceled on Amazon: ${choice.label}`);
        hostOrderCanceled = true;
        await this.orders.log(order.id, { kind: 'import', message: `Canceled host order #${number}` });
      } catch (error) {
        note = `The cancel goes to Amazon, but host order #${number} could not be canceled (${errorSummary(error)}); it is canceled once Amazon reports the order canceled, or cancel it in the host`;
        this.logger.error('The host order could not be canceled', { amazonOrderId, hostOrderId: order.hostOrderId, error: errorSummary(error) });
        await this.orders.update(order.id, { note });
        await this.orders.log(order.id, { kind: 'import', message: note });
      }
    }
    return { ok: true, entry, hostOrderCanceled, note };
  }
}
