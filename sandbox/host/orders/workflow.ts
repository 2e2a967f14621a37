/**
 * The admin's order actions (ship, cancel, credit memo), in the order a host owes its modules:
 *   1. plan the change from the current order (bad input -> an error for the form, nothing asked);
 *   2. ask every OrderGuard registered for the action; the first veto stops it;
 *   3. commit in one transaction, re-planning under the row lock (a change made meanwhile is a
 *      conflict, not a surprise), with every OrderTransactionHook run inside it after the change
 *      is written: a veto or an error there rolls the whole action back;
 *   4. run every OrderAfterHook (failures are logged, the committed change stays);
 *   5. publish the event (order.shipped / order.canceled / order.refunded).
 */
import type {
  OrderAction,
  OrderActionContext,
  OrderAfterHookContribution,
  OrderGuardContribution,
  OrderTransactionHookContribution,
  OrderVerdict,
} from '../../../src/host/contributions.ts';
import type { ClockPort, LoggerPort } from '../../../src/host/ports.ts';
import type { Knex } from 'knex';
import type { EventBus } from '../events.ts';
import { transact } from '../sql.ts';
import { actionLines, refundOf, type HostOrders, type OrderPlan } from './orders.ts';
import {
  OrderActionError,
  planCancel,
  planCreditMemo,
  planShipment,
  type CreditMemoInput,
  type OrderSnapshot,
  type ShipInput,
} from './plans.ts';

export type WorkflowResult =
  | { ok: true; message: string }
  | { ok: false; kind: 'invalid' | 'vetoed' | 'conflict'; message: string; field?: string };

export interface OrderHooks {
  guards(): OrderGuardContribution[];
  transactionHooks(): OrderTransactionHookContribution[];
  afterHooks(): OrderAfterHookContribution[];
}

const EVENTS: Record<OrderAction, string> = { ship: 'order.shipped', cancel: 'order.canceled', creditmemo: 'order.refunded' };

class PlanChangedError extends Error {}

/** A transaction hook said no (or failed): thrown inside the transaction to roll it back. */
class HookStop extends Error {
  constructor(
    readonly hook: string,
    readonly verdict: Extract<OrderVerdict, { allow: false }> | null,
    readonly failure: unknown = null,
  ) {
    super(`transaction hook ${hook} stopped the action`);
  }
}

/** What the admin sees when a module's check could not decide: nothing happened. */
const failedCheck = (id: string) => `The check "${id}" failed, so nothing was changed. See the log for details.`;

export class OrderWorkflow {
  constructor(
    private readonly knex: Knex,
    private readonly orders: HostOrders,
    private readonly hooks: OrderHooks,
    private readonly events: EventBus,
    private readonly clock: ClockPort,
    private readonly logger: LoggerPort,
  ) {}

  ship(orderId: string, input: ShipInput): Promise<WorkflowResult> {
    return this.run(orderId, 'ship', (order) => planShipment(order, input), 'Shipment created.');
  }

  cancel(orderId: string, reason: string): Promise<WorkflowResult> {
    return this.run(orderId, 'cancel', (order) => planCancel(order, reason), 'Order canceled.');
  }

  creditMemo(orderId: string, input: CreditMemoInput): Promise<WorkflowResult> {
    return this.run(orderId, 'creditmemo', (order) => planCreditMemo(order, input), 'Credit memo created.');
  }

  private async run(
    orderId: string,
    action: OrderAction,
    plan: (order: OrderSnapshot) => OrderPlan | null,
    success: string,
  ): Promise<WorkflowResult> {
    let before: OrderSnapshot;
    let planned: OrderPlan | null;
    try {
      before = await this.orders.loadSnapshot(this.knex, orderId, false);
      planned = plan(before);
    } catch (error) {
      if (error instanceof OrderActionError) return { ok: false, kind: 'invalid', message: error.message, field: error.field };
      throw error;
    }
    if (planned === null) return { ok: true, message: 'Nothing to do: the order is canceled already.' };
    const context = this.context(before, action, planned);

    for (const guard of this.hooks.guards().filter((g) => g.actions.includes(action))) {
      let verdict: OrderVerdict;
      try {
        verdict = await guard.check(context);
      } catch (error) {
        // A guard that cannot decide must not let the action through.
        this.logger.error('Order guard failed', { guard: guard.id, action, orderId, error });
        return { ok: false, kind: 'vetoed', message: failedCheck(guard.id) };
      }
      if (!verdict.allow) {
        this.logger.info('Order action vetoed', { guard: guard.id, action, orderId, reason: verdict.reason });
        return { ok: false, kind: 'vetoed', message: verdict.reason };
      }
    }

    let committed: OrderActionContext = context;
    try {
      await transact(this.knex, async (trx) => {
        const current = await this.orders.loadSnapshot(trx, orderId, true);
        const again = plan(current);
        if (JSON.stringify(again) !== JSON.stringify(planned)) throw new PlanChangedError();
        const documentId = await this.orders.apply(trx, current, planned);
        committed = documentId === null ? context : { ...context, documentId };
        for (const hook of this.hooks.transactionHooks().filter((h) => h.actions.includes(action))) {
          let verdict: OrderVerdict;
          try {
            verdict = await hook.inTransaction(committed, trx);
          } catch (error) {
            throw new HookStop(hook.id, null, error);
          }
          if (!verdict.allow) throw new HookStop(hook.id, verdict);
        }
      });
    } catch (error) {
      if (error instanceof PlanChangedError || error instanceof OrderActionError) {
        return { ok: false, kind: 'conflict', message: 'The order changed while you were working on it. Nothing was changed; please review and try again.' };
      }
      if (error instanceof HookStop) {
        if (error.verdict) {
          this.logger.info('Order action vetoed', { hook: error.hook, action, orderId, reason: error.verdict.reason });
          return { ok: false, kind: 'vetoed', message: error.verdict.reason };
        }
        this.logger.error('Order transaction hook failed; the action was rolled back', { hook: error.hook, action, orderId, error: error.failure });
        return { ok: false, kind: 'vetoed', message: failedCheck(error.hook) };
      }
      throw error;
    }
    this.logger.info('Order action done', { action, orderId, number: before.number });

    for (const hook of this.hooks.afterHooks().filter((h) => h.actions.includes(action))) {
      try {
        await hook.after(committed);
      } catch (error) {
        this.logger.error('Order after-hook failed; the order change stays', { hook: hook.id, action, orderId, error });
      }
    }
    await this.events.publish(
      EVENTS[action],
      this.orders.eventPayload(before, planned, 'admin', context.shipment ? { shippedAt: context.shipment.shippedAt.toISOString() } : {}),
    );
    return { ok: true, message: success };
  }

  private context(order: OrderSnapshot, action: OrderAction, plan: OrderPlan): OrderActionContext {
    const context: OrderActionContext = { orderId: String(order.id), action, items: actionLines(order, plan) };
    if (plan.kind === 'ship') {
      context.shipment = { carrierCode: plan.carrierCode, carrierTitle: plan.carrierTitle, trackingNumber: plan.trackingNumber, shippedAt: this.clock.now() };
    } else {
      context.reason = plan.reason;
    }
    if (plan.kind === 'creditmemo') context.refund = refundOf(plan);
    return context;
  }
}
