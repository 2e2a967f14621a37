/**
 * Fulfillment helpers for end-to-end tests: the admin's order actions through the reference
 * host's workflow (as its pages and `asc host:order:*` run them), the module's sender, and what
 * the Amazon sandbox received.
 */
import { linesFor } from '../../sandbox/host/cli/order-commands.ts';
import type { WorkflowResult } from '../../sandbox/host/orders/workflow.ts';
import { Outbox, type OutboxEntry } from '../../src/fulfillment/outbox.ts';
import { OutboxSender, type OutboxRunResult } from '../../src/fulfillment/outbox-sender.ts';
import type { E2E } from './e2e.ts';
import type { RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';

/** The confirmShipment calls the sandbox applied (204): the order and the packageReferenceId (the module's outbox entry id) of each. */
export function appliedConfirmations(amazon: RunningAmazonSandbox): Array<{ orderId: string; reference: string }> {
  return amazon
    .requests({ operation: 'confirmShipment' })
    .filter((r) => r.status === 204)
    .map((r) => ({ orderId: decodeURIComponent(r.path.split('/')[4]!), reference: (JSON.parse(r.body) as { packageDetail: { packageReferenceId: string } }).packageDetail.packageReferenceId }));
}

export interface Fulfil {
  /** `items` as the CLI takes them ("SKU:QTY,..."); none: everything left. */
  ship(amazonOrderId: string, options?: { items?: string; carrier?: string; title?: string; tracking?: string }): Promise<WorkflowResult>;
  /** Ships exactly these host lines (by position in the order, from 0), for lines of one SKU. */
  shipLines(amazonOrderId: string, lines: Array<{ index: number; qty: number }>, tracking?: string): Promise<WorkflowResult>;
  cancel(amazonOrderId: string, reason?: string): Promise<WorkflowResult>;
  creditMemo(amazonOrderId: string, options: { items?: string; refundShipping?: boolean; reason?: string }): Promise<WorkflowResult>;
  send(options?: { now?: boolean }): Promise<OutboxRunResult>;
  entries(): Promise<OutboxEntry[]>;
  /** SP-API requests the sandbox received for an operation (faulted ones included). */
  requests(operation: string): ReturnType<E2E['amazon']['requests']>;
  /** The XML of every feed document uploaded, in order. */
  uploadedFeeds(): string[];
}

export function fulfil(e: E2E): Fulfil {
  const hostOrderId = async (amazonOrderId: string) => {
    const stored = await e.stored(amazonOrderId);
    if (!stored.hostOrderId) throw new Error(`order ${amazonOrderId} has no host order`);
    return stored.hostOrderId;
  };
  const details = async (amazonOrderId: string) => {
    const order = await e.host.services.orderQueries.details(await hostOrderId(amazonOrderId));
    if (!order) throw new Error(`host order of ${amazonOrderId} is gone`);
    return order;
  };
  const workflow = e.host.services.workflow;
  return {
    async ship(amazonOrderId, options = {}) {
      const order = await details(amazonOrderId);
      return workflow.ship(order.id, {
        lines: linesFor(order, options.items, (l) => l.qtyToShip),
        carrierCode: options.carrier ?? 'ups',
        carrierTitle: options.title ?? '',
        trackingNumber: options.tracking ?? '1Z999AA10123456784',
      });
    },
    async shipLines(amazonOrderId, lines, tracking = '1Z999AA10123456784') {
      const order = await details(amazonOrderId);
      return workflow.ship(order.id, {
        lines: lines.map(({ index, qty }) => ({ itemId: Number(order.lines[index]!.id), qty })),
        carrierCode: 'ups',
        carrierTitle: '',
        trackingNumber: tracking,
      });
    },
    async cancel(amazonOrderId, reason = 'out_of_stock') {
      return workflow.cancel((await details(amazonOrderId)).id, reason);
    },
    async creditMemo(amazonOrderId, options) {
      const order = await details(amazonOrderId);
      return workflow.creditMemo(order.id, {
        lines: options.items === undefined ? [] : linesFor(order, options.items, (l) => l.qtyToRefund),
        refundShipping: options.refundShipping ?? false,
        reason: options.reason ?? 'customer_return',
      });
    },
    async send(options = {}) {
      const [result] = await e.host.container.get(OutboxSender).run({ storeId: e.store.id, now: options.now });
      return result!;
    },
    entries: async () => (await e.host.container.get(Outbox).list(e.store.id)).reverse(),
    requests: (operation) => e.amazon.requests({ operation }),
    uploadedFeeds: () => e.amazon.requests().filter((r) => r.method === 'PUT' && r.path.startsWith('/s3/')).map((r) => r.body),
  };
}
