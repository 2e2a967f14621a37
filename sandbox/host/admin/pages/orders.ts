/**
 * Orders pages: list, view, and the three actions (ship, cancel, credit memo). The actions go
 * through OrderWorkflow, which asks the modules' guards, commits, then runs their after-hooks.
 */
import type { OrderDetails } from '../../orders/queries.ts';
import { CANCEL_REASONS, CARRIERS, REFUND_REASONS, type LineRequest } from '../../orders/plans.ts';
import type { WorkflowResult } from '../../orders/workflow.ts';
import { page, type HostRoute, type Outcome, type RequestContext } from '../context.ts';
import { HttpError } from '../http.ts';
import type { Router } from '../router.ts';

const PAGE_SIZE = 50;

async function loadOrder(context: RequestContext): Promise<OrderDetails> {
  const order = await context.host.services.orderQueries.details(context.params.id!);
  if (!order) throw new HttpError(404, 'This order does not exist.');
  return order;
}

const canShip = (o: OrderDetails) => o.state === 'processing' && o.lines.some((l) => l.qtyToShip > 0);
const canRefund = (o: OrderDetails) =>
  (o.state === 'processing' || o.state === 'complete') && (o.lines.some((l) => l.qtyToRefund > 0) || !o.shippingRefunded);

/** qty_<itemId> fields; an empty field is 0, anything but digits is refused. */
function readQuantities(form: URLSearchParams, order: OrderDetails): { lines: LineRequest[]; error: string | null } {
  const lines: LineRequest[] = [];
  for (const line of order.lines) {
    const raw = (form.get(`qty_${line.id}`) ?? '').trim();
    if (raw === '') continue;
    if (!/^\d{1,9}$/.test(raw)) return { lines, error: `Quantity for ${line.sku} must be a whole number of 0 or more.` };
    lines.push({ itemId: Number(line.id), qty: Number(raw) });
  }
  return { lines, error: null };
}

function afterAction(context: RequestContext, order: OrderDetails, result: WorkflowResult, rerender: (error: string, status: number) => Outcome): Outcome {
  if (result.ok) return { kind: 'redirect', location: `/admin/orders/${order.id}`, flash: result.message };
  return rerender(result.message, result.kind === 'invalid' ? 422 : 409);
}

function shipForm(context: RequestContext, order: OrderDetails, error: string | null = null, status?: number): Outcome {
  const submitted = context.method === 'POST';
  const values = {
    carrierCode: submitted ? context.form.get('carrier_code') ?? '' : 'ups',
    carrierTitle: submitted ? context.form.get('carrier_title') ?? '' : '',
    trackingNumber: submitted ? context.form.get('tracking_number') ?? '' : '',
  };
  return page(context, `Ship order ${order.number}`, 'order-ship', {
    order,
    error,
    values,
    carriers: CARRIERS.map((c) => ({ ...c, selected: c.code === values.carrierCode })),
    lines: order.lines
      .filter((l) => l.qtyToShip > 0)
      .map((l) => ({ ...l, max: l.qtyToShip, value: submitted ? context.form.get(`qty_${l.id}`) ?? '' : String(l.qtyToShip) })),
  }, status);
}

function cancelForm(context: RequestContext, order: OrderDetails, error: string | null = null, status?: number): Outcome {
  const chosen = context.form.get('reason') ?? '';
  return page(context, `Cancel order ${order.number}`, 'order-cancel', {
    order, error, reasons: CANCEL_REASONS.map((r) => ({ ...r, selected: r.code === chosen })),
  }, status);
}

function creditMemoForm(context: RequestContext, order: OrderDetails, error: string | null = null, status?: number): Outcome {
  const submitted = context.method === 'POST';
  const chosen = context.form.get('reason') ?? '';
  return page(context, `Credit memo for order ${order.number}`, 'order-creditmemo', {
    order,
    error,
    canRefundShipping: !order.shippingRefunded,
    values: { refundShipping: submitted ? context.form.get('refund_shipping') === '1' : false },
    reasons: REFUND_REASONS.map((r) => ({ ...r, selected: r.code === chosen })),
    lines: order.lines
      .filter((l) => l.qtyToRefund > 0)
      .map((l) => ({ ...l, max: l.qtyToRefund, value: submitted ? context.form.get(`qty_${l.id}`) ?? '' : '0' })),
  }, status);
}

export function registerOrderPages(router: Router<HostRoute>): void {
  router.add('GET', '/orders', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => {
      const requested = Number(context.query.get('page') ?? '1');
      const current = Number.isSafeInteger(requested) && requested > 0 ? requested : 1;
      const { rows, total } = await context.host.services.orderQueries.list({ limit: PAGE_SIZE, offset: (current - 1) * PAGE_SIZE });
      const pageCount = Math.ceil(total / PAGE_SIZE);
      const pages = pageCount > 1 ? Array.from({ length: pageCount }, (_, i) => ({ number: i + 1, current: i + 1 === current })) : [];
      return page(context, 'Orders', 'orders-list', { orders: rows, total, pages });
    },
  });

  router.add('GET', '/orders/:id', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => {
      const order = await loadOrder(context);
      return page(context, `Order ${order.number}`, 'order-view', {
        order, canShip: canShip(order), canCancel: canShip(order), canRefund: canRefund(order),
      });
    },
  });

  router.add('GET', '/orders/:id/ship', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => shipForm(context, await loadOrder(context)),
  });
  router.add('POST', '/orders/:id/ship', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => {
      const order = await loadOrder(context);
      const { lines, error } = readQuantities(context.form, order);
      if (error) return shipForm(context, order, error, 422);
      const result = await context.host.services.workflow.ship(order.id, {
        lines,
        carrierCode: context.form.get('carrier_code') ?? '',
        carrierTitle: context.form.get('carrier_title') ?? '',
        trackingNumber: context.form.get('tracking_number') ?? '',
      });
      return afterAction(context, order, result, (message, status) => shipForm(context, order, message, status));
    },
  });

  router.add('GET', '/orders/:id/cancel', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => cancelForm(context, await loadOrder(context)),
  });
  router.add('POST', '/orders/:id/cancel', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => {
      const order = await loadOrder(context);
      const reason = context.form.get('reason') ?? '';
      if (!CANCEL_REASONS.some((r) => r.code === reason)) return cancelForm(context, order, 'Choose a reason.', 422);
      const result = await context.host.services.workflow.cancel(order.id, reason);
      return afterAction(context, order, result, (message, status) => cancelForm(context, order, message, status));
    },
  });

  router.add('GET', '/orders/:id/creditmemo', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => creditMemoForm(context, await loadOrder(context)),
  });
  router.add('POST', '/orders/:id/creditmemo', {
    acl: 'Host::orders',
    csrf: 'session',
    handle: async (context) => {
      const order = await loadOrder(context);
      const { lines, error } = readQuantities(context.form, order);
      if (error) return creditMemoForm(context, order, error, 422);
      const reason = context.form.get('reason') ?? '';
      if (!REFUND_REASONS.some((r) => r.code === reason)) return creditMemoForm(context, order, 'Choose a reason.', 422);
      const result = await context.host.services.workflow.creditMemo(order.id, {
        lines, refundShipping: context.form.get('refund_shipping') === '1', reason,
      });
      return afterAction(context, order, result, (message, status) => creditMemoForm(context, order, message, status));
    },
  });
}
