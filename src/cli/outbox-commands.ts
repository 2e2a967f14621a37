/** asc outbox:list, outbox:send, outbox:retry, orders:cancel — fulfillment to Amazon from the console. */
import { inject, injectable } from 'inversify';
import { CliUsageError, type CliCommandContribution, type CliFlagValue, type CliIO } from '../host/contributions.ts';
import { Fulfillment } from '../fulfillment/fulfillment.ts';
import { OrderCancellation } from '../fulfillment/order-cancellation.ts';
import { Outbox, type OutboxEntry } from '../fulfillment/outbox.ts';
import { OutboxSender, type OutboxRunResult } from '../fulfillment/outbox-sender.ts';
import { CANCEL_REASON_CHOICES } from '../fulfillment/rules.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { Stores } from '../stores/stores.ts';
import { withUsageErrors } from './errors.ts';
import { quoted } from '../text.ts';
import { INTERRUPTED, printJson, printTable } from './output.ts';

/** The JSON shape of an outbox entry in `outbox:list --json`. */
export function outboxEntryJson(entry: OutboxEntry) {
  return {
    id: entry.id,
    kind: entry.kind,
    amazonOrderId: entry.amazonOrderId,
    state: entry.state,
    attempts: entry.attempts,
    lastError: entry.lastError,
    createdAt: entry.createdAt.toISOString(),
    sentAt: entry.sentAt?.toISOString() ?? null,
  };
}

function printRun(io: CliIO, results: OutboxRunResult[], json: boolean): void {
  if (json) return printJson(io, results);
  for (const r of results) {
    const line =
      r.result === 'ok'
        ? `${r.done} accepted, ${r.failed} refused, ${r.retrying} to try again, ${r.feedsSubmitted} feed(s) submitted, ${r.pending} pending`
        : `${r.result}: ${r.error}${r.pending > 0 ? ` (${r.pending} pending)` : ''}`;
    io.stdout.write(`Store ${r.storeId} (${r.storeName}): ${line}\n`);
  }
}

const sentOk = (results: OutboxRunResult[]) => results.every((r) => r.result !== 'failed' && r.failed === 0);

@injectable()
export class OutboxListCommand implements CliCommandContribution {
  readonly name = 'outbox:list';
  readonly summary = "List a store's fulfillment outbox (shipments, cancels, refunds for Amazon), newest first";
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'json', type: 'switch', description: 'Print a JSON array' },
  ] as const;

  constructor(
    @inject(Stores) private readonly stores: Stores,
    @inject(Outbox) private readonly outbox: Outbox,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const store = await withUsageErrors(() => this.stores.get(flags.store as number));
    const entries = (await this.outbox.list(store.id)).map(outboxEntryJson);
    if (flags.json) printJson(io, entries);
    else if (entries.length === 0) io.stdout.write('Nothing recorded for Amazon yet.\n');
    else {
      printTable(
        io,
        ['ID', 'KIND', 'AMAZON ORDER', 'STATE', 'ATTEMPTS', 'CREATED', 'SENT', 'LAST ERROR'],
        entries.map((e) => [String(e.id), e.kind, e.amazonOrderId, e.state, String(e.attempts), e.createdAt, e.sentAt ?? '', e.lastError ?? '']),
      );
      if ((await this.stores.settings(store.id)).readOnly) io.stdout.write('Read-Only Mode is on for this store: pending entries are held, nothing is sent to Amazon.\n');
    }
    return 0;
  }
}

@injectable()
export class OutboxSendCommand implements CliCommandContribution {
  readonly name = 'outbox:send';
  readonly summary = 'Send what is due in the fulfillment outbox to Amazon (every store, or one)';
  readonly flags = [
    { name: 'store', type: 'int', min: 1, description: 'Only this store' },
    { name: 'now', type: 'switch', description: 'Send due cancels and refunds now, without waiting for the feed interval' },
    { name: 'json', type: 'switch', description: 'Print the result per store as JSON' },
  ] as const;

  constructor(@inject(OutboxSender) private readonly sender: OutboxSender) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const results = await withUsageErrors(() => this.sender.run({ storeId: flags.store as number | undefined, now: Boolean(flags.now), signal: io.signal }));
    printRun(io, results, Boolean(flags.json));
    if (io.signal.aborted) return INTERRUPTED;
    return sentOk(results) ? 0 : 1;
  }
}

@injectable()
export class OutboxRetryCommand implements CliCommandContribution {
  readonly name = 'outbox:retry';
  readonly summary = 'Send a failed outbox entry to Amazon again, now';
  readonly flags = [
    { name: 'id', type: 'int', min: 1, required: true, description: 'Outbox entry id (outbox:list)' },
    { name: 'json', type: 'switch', description: 'Print the entry as JSON afterwards' },
  ] as const;

  constructor(
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(Fulfillment) private readonly fulfillment: Fulfillment,
    @inject(OutboxSender) private readonly sender: OutboxSender,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const id = flags.id as number;
    const existing = await this.outbox.get(id);
    if (!existing) throw new CliUsageError(`--id: there is no outbox entry ${id}`);
    if (existing.state !== 'failed') throw new CliUsageError(`--id: outbox entry ${id} is ${existing.state}, not failed; only a failed entry is sent again`);
    await this.fulfillment.reopen(id, 'from the console');
    const [result] = await this.sender.run({ storeId: existing.storeId, now: true });
    const entry = (await this.outbox.get(id))!;
    if (flags.json) printJson(io, outboxEntryJson(entry));
    else io.stdout.write(`Outbox entry ${id} (${entry.kind} of ${entry.amazonOrderId}): ${entry.state}${entry.lastError ? ` - ${entry.lastError}` : ''}\n`);
    if (result && result.result !== 'ok') io.stderr.write(`Not sent now: ${result.error}\n`);
    return entry.state === 'failed' ? 1 : 0;
  }
}

@injectable()
export class OrdersCancelCommand implements CliCommandContribution {
  readonly name = 'orders:cancel';
  readonly summary = 'Cancel an Unshipped Amazon order (and its host order), as Cancel order on the Amazon order page does';
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'order', type: 'string', required: true, description: 'Amazon order id' },
    { name: 'reason', type: 'enum', values: CANCEL_REASON_CHOICES.map((c) => c.code), required: true, description: 'Why the order is canceled' },
    { name: 'json', type: 'switch', description: 'Print the outcome as JSON' },
  ] as const;

  constructor(
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(OrderCancellation) private readonly cancellation: OrderCancellation,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const store = await withUsageErrors(() => this.stores.get(flags.store as number));
    const amazonOrderId = flags.order as string;
    if (!(await this.orders.find(store.id, amazonOrderId))) throw new CliUsageError(`--order: store ${store.id} has no Amazon order ${quoted(amazonOrderId)}`);
    const result = await this.cancellation.cancel(store.id, amazonOrderId, flags.reason as string, 'from the console');
    if (!result.ok) {
      io.stderr.write(`asc orders:cancel: ${result.reason}\n`);
      return 1;
    }
    const outcome = { amazonOrderId, outboxEntryId: result.entry?.id ?? null, hostOrderCanceled: result.hostOrderCanceled, note: result.note };
    if (flags.json) printJson(io, outcome);
    else if (result.entry === null) io.stdout.write(`${amazonOrderId}: nothing to send, Amazon canceled it already or the cancel was recorded before\n`);
    else io.stdout.write(`${amazonOrderId}: cancel recorded for Amazon (outbox entry ${result.entry.id})${result.hostOrderCanceled ? '; host order canceled' : ''}${result.note ? `; ${result.note}` : ''}\n`);
    return 0;
  }
}
