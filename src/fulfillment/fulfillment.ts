/**
 * The fulfillment ledger of an Amazon order: reads the order as the rules see it, records what a
 * host change means for Amazon in the outbox (in the caller's transaction, with the order row
 * locked), and settles entries once Amazon answered. Every change to an order's entries sets the
 * status the grid shows (`localStatus`), the order note and a line in its history, together.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { OrderActionContext, OrderVerdict } from '../host/contributions.ts';
import type { ClockPort, LoggerPort, OrdersPort } from '../host/ports.ts';
import { snapshotFromAmazon } from '../orders/from-amazon.ts';
import { CHANNEL, chargedFor } from '../orders/host-order-request.ts';
import { OrderRepository, type StoredOrder } from '../orders/order-repository.ts';
import { OrderDataError } from '../orders/order-snapshot.ts';
import { gridStatusOf } from '../orders/rules.ts';
import { Stores } from '../stores/stores.ts';
import { doneNote, failedNote, queuedLog, queuedNote } from './notes.ts';
import { Outbox, type OutboxEntry } from './outbox.ts';
import { decide, localStatus, type FulfillmentOrder, type FulfillmentRecord } from './rules.ts';
import { transaction } from '../db/transaction.ts';

type Db = Knex | Knex.Transaction;

/** How an entry ended at Amazon: accepted (with what to say), or refused with Amazon's words. */
export type Settlement = { state: 'done'; message?: string } | { state: 'failed'; amazonSaid: string };

@injectable()
export class Fulfillment {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(Stores) private readonly stores: Stores,
    @inject(Ports.Orders) private readonly hostOrders: OrdersPort,
  ) {}

  /** The stored Amazon order as the fulfillment rules see it. */
  async view(order: StoredOrder, db: Db = this.db): Promise<FulfillmentOrder> {
    const snapshot = snapshotFromAmazon(order.raw, order.marketplaceId);
    const matches = await this.orders.listingMatches(order.storeId, db);
    const currency = snapshot.grandTotal?.currencyCode ?? null;
    return {
      amazonOrderId: order.amazonOrderId,
      amazonStatus: order.amazonStatus,
      fulfilledBy: order.fulfilledBy,
      currencyCode: currency,
      items: snapshot.items.map((item) => {
        let charged = null;
        try {
          if (currency !== null) charged = chargedFor(item, currency);
        } catch (error) {
          if (!(error instanceof OrderDataError)) throw error;
        }
        return {
          orderItemId: item.orderItemId,
          hostSku: item.sellerSku === null ? null : (matches.get(item.sellerSku) ?? item.sellerSku),
          quantityOrdered: item.quantityOrdered,
          quantityShipped: item.quantityShipped,
          quantityCanceled: item.quantityCanceled,
          charged,
        };
      }),
    };
  }

  /** The guard's question, before the host commits: may it go on, and why not. */
  async check(context: OrderActionContext): Promise<OrderVerdict> {
    const order = await this.orders.findByHostOrder(context.orderId);
    if (!order) return this.checkUnlinked(context.orderId);
    const decision = decide(context, await this.view(order), (await this.outbox.history(order.id)).history);
    return decision.allow ? { allow: true } : decision;
  }

  /**
   * A host order the module created whose creation it has not recorded yet: its batch is being
   * recorded, or the import died in between (found by the crash soak). Nothing done to it now
   * would reach Amazon, since the transaction hook knows orders by their recorded host order; the
   * next sync links it (see OrderImporter), so the action waits until then.
   */
  private async checkUnlinked(hostOrderId: string): Promise<OrderVerdict> {
    const hostOrder = await this.hostOrders.get(hostOrderId);
    const amazonOrderId = hostOrder?.externalReference;
    if (!amazonOrderId || (await this.hostOrders.findByExternalReference(CHANNEL, amazonOrderId))?.id !== hostOrderId) return { allow: true };
    if (!(await this.orders.awaitsHostOrder(amazonOrderId))) return { allow: true };
    return {
      allow: false,
      reason: `Amazon order ${amazonOrderId} is still being imported: the import that created this order has not recorded it yet (it is recording its batch, or was interrupted), and the next sync finishes it at the latest. Try again after that, so that Amazon hears of it.`,
    };
  }

  /** The same question under the order's lock, inside the host's transaction, and the answer recorded. */
  async recordHostAction(context: OrderActionContext, trx: Knex.Transaction): Promise<OrderVerdict> {
    const order = await this.orders.findByHostOrder(context.orderId, trx, true);
    if (!order) return { allow: true };
    const decision = decide(context, await this.view(order, trx), (await this.outbox.history(order.id, trx)).history);
    if (!decision.allow) return decision;
    if (decision.record) await this.keep(trx, order, decision.record, 'in the host');
    else if (decision.why) await this.orders.log(order.id, { kind: 'outbound', message: `${context.action} in the host: ${decision.why}` }, trx);
    return { allow: true };
  }

  /**
   * Records an entry for the order (locked by the caller in `trx`), with the status, note and
   * history line it brings. `where` says where the change was made, for the history.
   */
  async keep(trx: Knex.Transaction, order: StoredOrder, record: FulfillmentRecord, where: string): Promise<OutboxEntry> {
    const entry = await this.outbox.add(trx, { storeId: order.storeId, orderId: order.id, amazonOrderId: order.amazonOrderId, record });
    const { readOnly } = await this.stores.settings(order.storeId, trx);
    await this.refreshStatus(trx, order, { note: queuedNote(record, readOnly) });
    await this.orders.log(order.id, { kind: 'outbound', message: `${queuedLog(record, where, readOnly)} (outbox entry ${entry.id})` }, trx);
    this.logger.info('Fulfillment recorded for Amazon', { amazonOrderId: order.amazonOrderId, kind: record.kind, entryId: entry.id });
    return entry;
  }

  /** Amazon answered for an entry: done or failed, with the order's status, note and history. */
  async settle(entry: OutboxEntry, settlement: Settlement): Promise<void> {
    const now = this.clock.now();
    await transaction(this.db, async (trx) => {
      const order = await this.orders.get(entry.orderId, trx, true);
      await this.outbox.update(
        entry.id,
        settlement.state === 'done'
          ? { state: 'done', last_error: null, sent_at: entry.sentAt ?? now }
          : { state: 'failed', last_error: settlement.amazonSaid },
        trx,
      );
      if (!order) return;
      const note = settlement.state === 'done' ? (settlement.message ?? doneNote(entry.record)) : failedNote(entry.record, settlement.amazonSaid, entry.id);
      await this.refreshStatus(trx, order, { note });
      await this.orders.log(order.id, { kind: 'outbound', message: `${note} (outbox entry ${entry.id})` }, trx);
    });
    const log = settlement.state === 'done' ? 'Amazon accepted fulfillment' : 'Amazon refused fulfillment';
    this.logger[settlement.state === 'done' ? 'info' : 'warn'](log, { amazonOrderId: entry.amazonOrderId, kind: entry.kind, entryId: entry.id });
  }

  /**
   * Amazon is taking long over an entry (its feed is overdue): said on the entry (its last error,
   * which the order page shows), in the order's note and history. Its state stays as it is.
   */
  async delayed(entry: OutboxEntry, message: string): Promise<void> {
    await transaction(this.db, async (trx) => {
      const order = await this.orders.get(entry.orderId, trx, true);
      await this.outbox.update(entry.id, { last_error: message }, trx);
      if (!order) return;
      await this.refreshStatus(trx, order, { note: message });
      await this.orders.log(order.id, { kind: 'outbound', message: `${message} (outbox entry ${entry.id})` }, trx);
    });
  }

  /**
   * A failed entry, to be sent again (the admin fixed the cause, or checked Seller Central): pending
   * now, and the order's Error gone unless something else failed. Null when it is not failed.
   */
  async reopen(entryId: number, who: string): Promise<OutboxEntry | null> {
    return transaction(this.db, async (trx) => {
      const entry = await this.outbox.get(entryId, trx);
      if (!entry || entry.state !== 'failed') return null;
      const order = await this.orders.get(entry.orderId, trx, true);
      await this.outbox.update(entry.id, { state: 'pending', next_attempt_at: this.clock.now(), feed_id: null, message_id: null, last_error: null }, trx);
      if (order) {
        await this.refreshStatus(trx, order);
        await this.orders.log(order.id, { kind: 'outbound', message: `Outbox entry ${entry.id} (${entry.kind}) is sent again, ${who}` }, trx);
      }
      return this.outbox.get(entry.id, trx);
    });
  }

  /** Sets the grid status from the order's entries and Amazon's last word (and the note, when given). */
  async refreshStatus(trx: Knex.Transaction, order: StoredOrder, change: { note?: string } = {}): Promise<void> {
    const { history, failed } = await this.outbox.history(order.id, trx);
    const view = await this.view(order, trx);
    const local = localStatus({ ...view, imported: order.hostOrderId !== null }, history, failed);
    await this.orders.update(order.id, { local_status: local, status: local ?? gridStatusOf(order.amazonStatus), ...(change.note ? { note: change.note } : {}) }, trx);
  }
}

