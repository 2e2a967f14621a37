/**
 * The host's orders (`host_order` and friends): the OrdersPort modules call, and the locked
 * read-plan-apply steps the admin workflow (workflow.ts) shares with it.
 *
 * Creation is idempotent by `idempotency_key` (a UNIQUE column): whoever loses a race gets the
 * duplicate-key error, rolls back, and returns the winner's order with created = false.
 */
import type { Knex } from 'knex';
import type {
  ClockPort,
  CreateOrderRequest,
  CreateOrderResult,
  HostOrder,
  HostOrderRef,
  LoggerPort,
  OrderRejection,
  OrdersPort,
} from '../../../src/host/ports.ts';
import type { OrderActionContext, OrderActionLine } from '../../../src/host/contributions.ts';
import type { EventBus } from '../events.ts';
import { forUpdate } from '../../../src/db/schema.ts';
import { insertedId, insertRows, isDuplicateKeyError, parseId, toBool, transact } from '../sql.ts';
import { reservedQty } from '../stock.ts';
import {
  OrderActionError,
  planCancel,
  stateAfter,
  type CancelPlan,
  type CreditMemoPlan,
  type ItemSnapshot,
  type OrderSnapshot,
  type ShipPlan,
} from './plans.ts';
import { validateCreateRequest } from './validate-request.ts';

type Db = Knex | Knex.Transaction;
export type OrderPlan = ShipPlan | CancelPlan | CreditMemoPlan;
/** Who asked for a change: the admin through the workflow, or a module through the port. */
export type ChangeOrigin = 'admin' | 'port';

const NUMBER_WIDTH = 9;

/** A host_order_item row as the workflow's plans see it. */
export function itemSnapshot(i: Record<string, unknown>): ItemSnapshot {
  return {
    id: Number(i.id), productId: Number(i.product_id), sku: String(i.sku), name: String(i.name),
    qtyOrdered: Number(i.qty_ordered), qtyShipped: Number(i.qty_shipped), qtyCanceled: Number(i.qty_canceled),
    qtyRefunded: Number(i.qty_refunded), qtyRefundedUnshipped: Number(i.qty_refunded_unshipped),
    unitPrice: String(i.unit_price), taxAmount: String(i.tax_amount), discountAmount: String(i.discount_amount), stockDeducted: toBool(i.stock_deducted),
    externalReference: (i.external_reference as string | null) ?? null,
  };
}

function rejected(rejection: OrderRejection): CreateOrderResult {
  return { ok: false, rejection };
}

export class HostOrders implements OrdersPort {
  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
    private readonly events: EventBus,
    private readonly logger: LoggerPort,
  ) {}

  async create(request: CreateOrderRequest): Promise<CreateOrderResult> {
    const invalid = validateCreateRequest(request);
    if (invalid) return rejected(invalid);
    const existing = await this.findRefByKey(this.knex, request.idempotencyKey);
    if (existing) return { ok: true, order: existing, created: false };

    for (let attempt = 1; ; attempt++) {
      let result: CreateOrderResult;
      try {
        result = await transact(this.knex, (trx) => this.insertOrder(trx, request));
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Someone else inserted the same key (or number) first; their transaction has committed.
        const winner = await this.findRefByKey(this.knex, request.idempotencyKey);
        if (winner) {
          this.logger.debug('Order create lost a race to the same idempotency key', { orderId: winner.id });
          return { ok: true, order: winner, created: false };
        }
        if (request.orderNumber !== null && (await this.knex('host_order').where({ number: request.orderNumber }).first('id'))) {
          return rejected({ code: 'validation', field: 'orderNumber', message: `Order number "${request.orderNumber}" is used by another order` });
        }
        // A host-assigned number collided with one an earlier order was given: take the next.
        if (attempt >= 5) throw error;
        continue;
      }
      if (result.ok && result.created) {
        this.logger.info('Order created', { orderId: result.order.id, number: result.order.number, channel: request.channel });
        await this.events.publish('order.created', {
          orderId: result.order.id,
          number: result.order.number,
          channel: request.channel,
          externalReference: request.externalReference,
          origin: 'port' satisfies ChangeOrigin,
        });
      }
      return result;
    }
  }

  async get(id: string): Promise<HostOrder | null> {
    const numeric = parseId(id);
    if (numeric === null) return null;
    const row = await this.knex('host_order').where({ id: numeric }).first();
    return row ? this.toHostOrder(row) : null;
  }

  async findByExternalReference(channel: string, externalReference: string): Promise<HostOrder | null> {
    const row = await this.knex('host_order').where({ channel, external_reference: externalReference }).orderBy('id').first();
    return row ? this.toHostOrder(row) : null;
  }

  async cancel(id: string, reason: string): Promise<void> {
    const done = await transact(this.knex, async (trx) => {
      const order = await this.loadSnapshot(trx, id, true);
      const plan = planCancel(order, reason);
      if (plan === null) return null;
      await this.apply(trx, order, plan);
      return { order, plan };
    });
    if (done) await this.events.publish('order.canceled', this.eventPayload(done.order, done.plan, 'port'));
  }

  async complete(id: string, comment: string): Promise<void> {
    const order = await transact(this.knex, async (trx) => {
      const snapshot = await this.loadSnapshot(trx, id, true);
      if (snapshot.state === 'complete') return null;
      if (snapshot.state !== 'processing') throw new OrderActionError(`Order ${snapshot.number} is ${snapshot.state}: it cannot be completed`);
      const status = await this.defaultStatus(trx, 'complete');
      await trx('host_order').where({ id: snapshot.id }).update({ state: 'complete', status, updated_at: this.clock.now() });
      await this.insertComment(trx, snapshot.id, status, comment.trim() === '' ? 'Order completed.' : comment);
      return snapshot;
    });
    if (order) {
      await this.events.publish('order.completed', {
        orderId: String(order.id), number: order.number, channel: order.channel, externalReference: order.externalReference, origin: 'port',
      });
    }
  }

  async addComment(id: string, comment: string): Promise<void> {
    if (typeof comment !== 'string' || comment.trim() === '') throw new OrderActionError('A comment cannot be empty');
    await transact(this.knex, async (trx) => {
      const order = await this.loadSnapshot(trx, id, false);
      await this.insertComment(trx, order.id, order.status, comment);
    });
  }

  async listStatuses(): Promise<Array<{ code: string; label: string; state: HostOrder['state'] }>> {
    const rows = await this.knex('host_order_status').orderBy([{ column: 'state' }, { column: 'is_default', order: 'desc' }, { column: 'code' }]);
    return rows.map((r) => ({ code: r.code, label: r.label, state: r.state }));
  }

  /** Reads an order with its items; `lock` takes row locks (MySQL) for a change that follows. */
  async loadSnapshot(db: Db, id: string | number, lock: boolean): Promise<OrderSnapshot> {
    const numeric = typeof id === 'number' ? id : parseId(id);
    const orderQuery = db('host_order').where({ id: numeric ?? -1 });
    const row = await forUpdate(orderQuery, lock).first();
    if (!row) throw new OrderActionError(`Order ${id} does not exist`);
    const itemQuery = db('host_order_item').where({ order_id: row.id }).orderBy('id');
    const items = await forUpdate(itemQuery, lock);
    return {
      id: Number(row.id),
      number: row.number,
      channel: row.channel,
      externalReference: row.external_reference,
      state: row.state,
      status: row.status,
      currencyCode: row.currency_code,
      shippingAmount: row.shipping_amount,
      shippingTaxAmount: row.shipping_tax_amount,
      shippingDiscountAmount: row.shipping_discount_amount,
      shippingRefunded: toBool(row.shipping_refunded),
      items: items.map(itemSnapshot),
    };
  }

  /**
   * Writes a plan computed from `order` (loaded with a lock in the same transaction); returns the
   * id of the shipment or credit memo it created (null for a cancel).
   */
  async apply(trx: Knex.Transaction, order: OrderSnapshot, plan: OrderPlan): Promise<string | null> {
    const now = this.clock.now();
    const items = order.items.map((i) => ({ ...i }));
    const item = (id: number) => {
      const found = items.find((i) => i.id === id);
      if (!found) throw new Error(`Item ${id} is not part of order ${order.number}`);
      return found;
    };
    let comment: string;
    let documentId: number | null = null;
    if (plan.kind === 'ship') {
      const shipmentId = insertedId(
        await trx('host_shipment').insert({
          order_id: order.id, carrier_code: plan.carrierCode, carrier_title: plan.carrierTitle, tracking_number: plan.trackingNumber, created_at: now,
        }),
      );
      await insertRows(trx, 'host_shipment_item', plan.lines.map((l) => ({ shipment_id: shipmentId, order_item_id: l.itemId, qty: l.qty })));
      for (const line of plan.lines) {
        item(line.itemId).qtyShipped += line.qty;
        await trx('host_order_item').where({ id: line.itemId }).increment('qty_shipped', line.qty);
      }
      comment = `Shipped ${describeLines(plan.lines)} with ${plan.carrierTitle}, tracking number ${plan.trackingNumber}.`;
      documentId = shipmentId;
    } else if (plan.kind === 'cancel') {
      for (const line of plan.lines) {
        item(line.itemId).qtyCanceled += line.qty;
        await trx('host_order_item').where({ id: line.itemId }).increment('qty_canceled', line.qty);
        if (line.returnToStock) await trx('host_product').where({ id: line.productId }).increment('qty', line.qty);
      }
      comment = `Canceled ${describeLines(plan.lines)}. Reason: ${plan.reason}.`;
    } else {
      const memoId = insertedId(
        await trx('host_creditmemo').insert({
          order_id: order.id, reason: plan.reason, currency_code: plan.currencyCode, item_amount: plan.itemAmount,
          shipping_amount: plan.shippingAmount, tax_amount: plan.taxAmount, grand_total: plan.grandTotal, created_at: now,
        }),
      );
      documentId = memoId;
      if (plan.lines.length > 0) {
        await insertRows(trx, 'host_creditmemo_item', plan.lines.map((l) => ({ creditmemo_id: memoId, order_item_id: l.itemId, qty: l.qty })));
      }
      for (const line of plan.lines) {
        const target = item(line.itemId);
        target.qtyRefunded += line.qty;
        target.qtyRefundedUnshipped += line.fromUnshipped;
        await trx('host_order_item')
          .where({ id: line.itemId })
          .update({ qty_refunded: target.qtyRefunded, qty_refunded_unshipped: target.qtyRefundedUnshipped });
        // Units refunded before they shipped will not ship: they go back on the shelf.
        if (line.returnToStock && line.fromUnshipped > 0) {
          await trx('host_product').where({ id: line.productId }).increment('qty', line.fromUnshipped);
        }
      }
      if (plan.refundShipping) await trx('host_order').where({ id: order.id }).update({ shipping_refunded: true });
      const what = [plan.lines.length > 0 ? describeLines(plan.lines) : '', plan.refundShipping ? 'shipping' : ''].filter(Boolean).join(' and ');
      comment = `Refunded ${plan.grandTotal} ${plan.currencyCode} (${what}). Reason: ${plan.reason}.`;
    }
    const state = stateAfter(order.state, items);
    const status = state === order.state ? order.status : await this.defaultStatus(trx, state);
    await trx('host_order').where({ id: order.id }).update({ state, status, updated_at: now });
    await this.insertComment(trx, order.id, status, comment);
    return documentId === null ? null : String(documentId);
  }

  /** The event payload for a committed change: plain JSON values only. */
  eventPayload(order: OrderSnapshot, plan: OrderPlan, origin: ChangeOrigin, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      orderId: String(order.id),
      number: order.number,
      channel: order.channel,
      externalReference: order.externalReference,
      origin,
      items: actionLines(order, plan),
      ...(plan.kind === 'ship' ? { shipment: { carrierCode: plan.carrierCode, carrierTitle: plan.carrierTitle, trackingNumber: plan.trackingNumber } } : {}),
      ...(plan.kind !== 'ship' ? { reason: plan.reason } : {}),
      ...(plan.kind === 'creditmemo' ? { refund: refundOf(plan) } : {}),
      ...extra,
    };
  }

  private async insertOrder(trx: Knex.Transaction, request: CreateOrderRequest): Promise<CreateOrderResult> {
    const existing = await this.findRefByKey(trx, request.idempotencyKey);
    if (existing) return { ok: true, order: existing, created: false };

    const storeView = request.storeView ?? (await trx('host_store_view').where({ is_default: true }).first('code'))?.code;
    if (!storeView || !(await trx('host_store_view').where({ code: storeView }).first('code'))) {
      return rejected({ code: 'validation', field: 'storeView', message: `Store view "${request.storeView}" does not exist` });
    }
    let status: string;
    if (request.status !== null) {
      const row = await trx('host_order_status').where({ code: request.status }).first();
      if (!row || row.state !== request.state) {
        return rejected({ code: 'validation', field: 'status', message: `"${request.status}" is not a status of state ${request.state}` });
      }
      status = row.code;
    } else {
      status = await this.defaultStatus(trx, request.state);
    }
    if (request.orderNumber !== null && (await trx('host_order').where({ number: request.orderNumber }).first('id'))) {
      return rejected({ code: 'validation', field: 'orderNumber', message: `Order number "${request.orderNumber}" is used by another order` });
    }

    // Products are locked in id order, so two orders for the same goods queue instead of deadlocking.
    const ids = request.lines.map((l) => parseId(l.productId));
    const known = ids.filter((id): id is number => id !== null);
    const products = new Map<number, Record<string, unknown>>();
    if (known.length > 0) {
      const rows = await forUpdate(trx('host_product').whereIn('id', [...new Set(known)]).orderBy('id'));
      for (const row of rows) products.set(Number(row.id), row);
    }
    const needed = new Map<number, number>();
    for (const [index, line] of request.lines.entries()) {
      const product = ids[index] === null ? undefined : products.get(ids[index]!);
      if (!product) {
        return rejected({ code: 'product_not_found', field: `lines[${index}].productId`, message: `Product ${line.productId} (SKU ${line.sku}) is not in the catalog` });
      }
      if (!toBool(product.enabled)) {
        return rejected({ code: 'product_disabled', field: `lines[${index}].productId`, message: `Product ${product.sku} is disabled` });
      }
      needed.set(Number(product.id), (needed.get(Number(product.id)) ?? 0) + line.qty);
    }
    if (request.deductStock) {
      for (const [productId, qty] of needed) {
        const product = products.get(productId)!;
        if (!toBool(product.manage_stock)) continue;
        // The reservation this order takes over is already its own: it does not count against it.
        const salable = Number(product.qty) - (await reservedQty(trx, String(product.sku), request.reservationKey));
        if (qty > salable) {
          const index = request.lines.findIndex((l) => parseId(l.productId) === productId);
          return rejected({
            code: 'out_of_stock',
            field: `lines[${index}].qty`,
            message: `Only ${Math.max(salable, 0)} of ${product.sku} can be sold; the order needs ${qty}`,
          });
        }
      }
    }

    const now = this.clock.now();
    const customerId = request.customer.mode === 'account' ? await this.customerFor(trx, request.customer, now) : null;
    const number = request.orderNumber ?? String(insertedId(await trx('host_order_sequence').insert({}))).padStart(NUMBER_WIDTH, '0');
    const orderId = insertedId(
      await trx('host_order').insert({
        number,
        idempotency_key: request.idempotencyKey,
        channel: request.channel,
        external_reference: request.externalReference,
        store_view: storeView,
        state: request.state,
        status,
        customer_mode: request.customer.mode,
        customer_id: customerId,
        customer_email: request.customer.email,
        customer_first_name: request.customer.firstName,
        customer_last_name: request.customer.lastName,
        ship_first_name: request.shippingAddress.firstName,
        ship_last_name: request.shippingAddress.lastName,
        ship_street: JSON.stringify(request.shippingAddress.street),
        ship_city: request.shippingAddress.city,
        ship_region: request.shippingAddress.region,
        ship_postal_code: request.shippingAddress.postalCode,
        ship_country_code: request.shippingAddress.countryCode,
        ship_phone: request.shippingAddress.phone,
        currency_code: request.currencyCode,
        shipping_amount: request.shippingAmount,
        shipping_tax_amount: request.shippingTaxAmount,
        shipping_discount_amount: request.shippingDiscountAmount,
        grand_total: request.grandTotal,
        shipping_method: request.shippingMethod,
        payment_method: request.paymentMethod,
        deduct_stock: request.deductStock,
        shipping_refunded: false,
        created_at: now,
        updated_at: now,
      }),
    );
    await insertRows(
      trx,
      'host_order_item',
      request.lines.map((line, index) => {
        const product = products.get(ids[index]!)!;
        return {
          order_id: orderId,
          product_id: Number(product.id),
          sku: line.sku,
          name: line.name,
          qty_ordered: line.qty,
          unit_price: line.unitPrice,
          tax_amount: line.taxAmount,
          discount_amount: line.discountAmount,
          stock_deducted: request.deductStock && toBool(product.manage_stock),
          external_reference: line.externalReference ?? null,
        };
      }),
    );
    const charges = request.charges ?? [];
    if (charges.length > 0) {
      await trx('host_order_charge').insert(
        charges.map((c) => ({ order_id: orderId, kind: c.kind, label: c.label, amount: c.amount, tax_amount: c.taxAmount, discount_amount: c.discountAmount })),
      );
    }
    if (request.deductStock) {
      for (const [productId, qty] of needed) {
        if (toBool(products.get(productId)!.manage_stock)) await trx('host_product').where({ id: productId }).decrement('qty', qty);
      }
    }
    let takenOver = '';
    if (request.reservationKey !== null) {
      // Deducting stock turns the reservation into the order's own; otherwise it simply ends.
      const updated = await trx('host_stock_reservation')
        .where({ reservation_key: request.reservationKey, state: 'active' })
        .update({ state: request.deductStock ? 'converted' : 'released', order_id: orderId, updated_at: now });
      if (updated > 0) takenOver = ` Took over stock reservation ${request.reservationKey}.`;
    }
    await this.insertComment(trx, orderId, status, `Order created from ${request.channel} order ${request.externalReference}.${takenOver}`);
    return { ok: true, order: { id: String(orderId), number }, created: true };
  }

  private async customerFor(trx: Knex.Transaction, customer: CreateOrderRequest['customer'], now: Date): Promise<number> {
    const email = customer.email.toLowerCase();
    // Insert-or-ignore, then a locking read that sees the row whoever inserted it.
    await trx('host_customer')
      .insert({ email, first_name: customer.firstName, last_name: customer.lastName, created_at: now })
      .onConflict('email')
      .ignore();
    const row = await forUpdate(trx('host_customer').where({ email })).first('id');
    return Number(row.id);
  }

  private async findRefByKey(db: Db, key: string): Promise<HostOrderRef | null> {
    const row = await db('host_order').where({ idempotency_key: key }).first('id', 'number');
    return row ? { id: String(row.id), number: row.number } : null;
  }

  private async defaultStatus(db: Db, state: HostOrder['state']): Promise<string> {
    const row = await db('host_order_status').where({ state, is_default: true }).first('code');
    if (!row) throw new Error(`No default status for state ${state}`);
    return row.code;
  }

  private async insertComment(db: Db, orderId: number, status: string, comment: string): Promise<void> {
    await db('host_order_comment').insert({ order_id: orderId, status, comment, created_at: this.clock.now() });
  }

  private async toHostOrder(row: Record<string, unknown>): Promise<HostOrder> {
    const items = await this.knex('host_order_item').where({ order_id: row.id }).orderBy('id');
    return {
      id: String(row.id),
      number: String(row.number),
      state: row.state as HostOrder['state'],
      status: String(row.status),
      externalReference: (row.external_reference as string | null) ?? null,
      currencyCode: String(row.currency_code),
      grandTotal: String(row.grand_total),
      items: items.map((i) => ({
        id: String(i.id),
        externalReference: i.external_reference ?? null,
        sku: i.sku,
        qty: Number(i.qty_ordered),
        qtyShipped: Number(i.qty_shipped),
        qtyCanceled: Number(i.qty_canceled),
        qtyRefunded: Number(i.qty_refunded),
      })),
    };
  }
}

/** The lines a plan touches, as order action contexts and event payloads name them. */
export function actionLines(order: OrderSnapshot, plan: OrderPlan): OrderActionLine[] {
  return plan.lines.map((line) => {
    const item = order.items.find((i) => i.id === line.itemId);
    return {
      lineId: String(line.itemId),
      externalReference: item?.externalReference ?? null,
      sku: line.sku,
      qty: line.qty,
      ...(plan.kind === 'creditmemo' && 'amount' in line
        ? { refund: { amount: line.amount, taxAmount: line.taxAmount, unshippedQty: line.fromUnshipped } }
        : {}),
    };
  });
}

/** The refunded amounts of a credit memo plan, as contexts and events carry them. */
export function refundOf(plan: CreditMemoPlan): NonNullable<OrderActionContext['refund']> {
  return {
    currencyCode: plan.currencyCode,
    itemAmount: plan.itemAmount,
    shippingAmount: plan.shippingAmount,
    taxAmount: plan.taxAmount,
    shippingTaxAmount: plan.shippingTaxAmount,
  };
}

function describeLines(lines: Array<{ sku: string; qty: number }>): string {
  return lines.map((l) => `${l.qty} x ${l.sku}`).join(', ');
}
