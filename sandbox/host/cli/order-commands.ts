/**
 * `asc host:order:ship|cancel|creditmemo`: the admin's order actions from the console, through the
 * same workflow as the order pages (guards, one transaction with the transaction hooks, after-hooks,
 * events). `--order` is the host order number or id, as `host:orders:list` prints them. A veto or
 * refusal exits 1 with the reason on stderr.
 */
import { CliUsageError, type CliCommandContribution, type CliFlagValue, type CliIO } from '../../../src/host/contributions.ts';
import type { Host } from '../host.ts';
import type { OrderDetails } from '../orders/queries.ts';
import { CANCEL_REASONS, CARRIERS, REFUND_REASONS, type LineRequest } from '../orders/plans.ts';
import type { WorkflowResult } from '../orders/workflow.ts';
import { quoted } from '../../../src/text.ts';

type Line = OrderDetails['lines'][number];

/**
 * `SKU:QTY,...` as line quantities. A SKU on several lines fills them in order, each up to what
 * it has left (`room`); without `--items`, every line gets all it has left.
 */
export function linesFor(order: OrderDetails, items: string | undefined, room: (line: Line) => number): LineRequest[] {
  if (items === undefined) return order.lines.filter((l) => room(l) > 0).map((l) => ({ itemId: Number(l.id), qty: room(l) }));
  const wanted = new Map<string, number>();
  for (const part of items.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(.+):(\d{1,9})$/.exec(part);
    if (!match) throw new CliUsageError(`--items: ${quoted(part)} is not SKU:QTY (e.g. MUG-BLUE:2)`);
    const [, sku, qty] = match;
    if (!order.lines.some((l) => l.sku === sku)) throw new CliUsageError(`--items: order ${order.number} has no line with SKU ${quoted(sku!)}`);
    wanted.set(sku!, (wanted.get(sku!) ?? 0) + Number(qty));
  }
  if (wanted.size === 0) throw new CliUsageError('--items: name at least one SKU:QTY');
  const lines: LineRequest[] = [];
  for (const [sku, total] of wanted) {
    let left = total;
    const ofSku = order.lines.filter((l) => l.sku === sku);
    for (const [index, line] of ofSku.entries()) {
      // The last line takes what is left over, so a quantity too large is refused by the workflow with its own message.
      const qty = index === ofSku.length - 1 ? left : Math.min(left, room(line));
      if (qty > 0) lines.push({ itemId: Number(line.id), qty });
      left -= qty;
    }
  }
  return lines;
}

function report(io: CliIO, name: string, result: WorkflowResult): number {
  if (result.ok) {
    io.stdout.write(`${result.message}\n`);
    return 0;
  }
  io.stderr.write(`asc ${name}: ${result.message}\n`);
  return 1;
}

export function orderCommands(host: Host): CliCommandContribution[] {
  // The id (host:orders:list --json) or the order number (its first column).
  const load = async (flags: Record<string, CliFlagValue | undefined>): Promise<OrderDetails> => {
    const given = String(flags.order);
    const byNumber = await host.knex('host_order').where({ number: given }).first('id');
    const order = await host.services.orderQueries.details(byNumber ? String(byNumber.id) : given);
    if (!order) throw new CliUsageError(`--order: there is no order ${quoted(given)} (host:orders:list shows the numbers, --json the ids)`);
    return order;
  };
  const orderFlag = { name: 'order', type: 'string', required: true, description: 'Host order number or id (as host:orders:list prints them)' } as const;
  return [
    {
      name: 'host:order:ship',
      summary: 'Ship an order (all that is left, or --items) with a carrier and tracking number',
      flags: [
        orderFlag,
        { name: 'carrier', type: 'enum', values: CARRIERS.map((c) => c.code), required: true, description: 'Carrier' },
        { name: 'carrier-title', type: 'string', description: 'Carrier name (required with --carrier other)' },
        { name: 'tracking', type: 'string', required: true, description: 'Tracking number' },
        { name: 'items', type: 'string', description: 'SKU:QTY,... to ship (default: everything left to ship)' },
      ],
      run: async (flags, io) => {
        const order = await load(flags);
        const lines = linesFor(order, flags.items as string | undefined, (l) => l.qtyToShip);
        const result = await host.services.workflow.ship(order.id, {
          lines,
          carrierCode: String(flags.carrier),
          carrierTitle: String(flags['carrier-title'] ?? ''),
          trackingNumber: String(flags.tracking),
        });
        return report(io, 'host:order:ship', result);
      },
    },
    {
      name: 'host:order:cancel',
      summary: 'Cancel what is not shipped of an order',
      flags: [orderFlag, { name: 'reason', type: 'enum', values: CANCEL_REASONS.map((r) => r.code), required: true, description: 'Why' }],
      run: async (flags, io) => report(io, 'host:order:cancel', await host.services.workflow.cancel((await load(flags)).id, String(flags.reason))),
    },
    {
      name: 'host:order:creditmemo',
      summary: 'Refund items (--items) and/or the shipping (--refund-shipping) of an order',
      flags: [
        orderFlag,
        { name: 'reason', type: 'enum', values: REFUND_REASONS.map((r) => r.code), required: true, description: 'Why' },
        { name: 'items', type: 'string', description: 'SKU:QTY,... to refund (default: none, e.g. only the shipping)' },
        { name: 'refund-shipping', type: 'switch', description: 'Refund the shipping too' },
      ],
      run: async (flags, io) => {
        const order = await load(flags);
        const lines = flags.items === undefined ? [] : linesFor(order, flags.items as string, (l) => l.qtyToRefund);
        const result = await host.services.workflow.creditMemo(order.id, { lines, refundShipping: Boolean(flags['refund-shipping']), reason: String(flags.reason) });
        return report(io, 'host:order:creditmemo', result);
      },
    },
  ];
}
