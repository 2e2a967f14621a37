/** asc sync — the same code the cron observer runs, on demand, with progress on a terminal. */
import { inject, injectable } from 'inversify';
import type { CliCommandContribution, CliFlagValue, CliIO } from '../host/contributions.ts';
import { OrderSync, type StoreSyncResult } from '../sync/order-sync.ts';
import type { SyncProgress } from '../sync/amazon-order-reader.ts';
import { withUsageErrors } from './errors.ts';
import { INTERRUPTED, printJson } from './output.ts';

function describeProgress(event: SyncProgress): string {
  switch (event.kind) {
    case 'page':
      return `store ${event.storeId}: page of ${event.orders} orders (${event.seen} so far)`;
    case 'rate-wait':
      return `store ${event.storeId}: waiting ${Math.ceil(event.waitMs / 1000)} s for Amazon's rate limit (${event.operation})`;
  }
}

function summary(r: StoreSyncResult): string {
  const counts = `${r.seen} seen, ${r.new} new, ${r.updated} updated, ${r.imported} imported, ${r.blocked} blocked, ${r.invalid} invalid, ${r.apiCalls} API calls, ${r.throttled} throttled, ${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.result === 'ok') return `Store ${r.storeId} "${r.storeName}": synced (${counts})`;
  if (r.result === 'skipped') return `Store ${r.storeId} "${r.storeName}": skipped, ${r.error}`;
  if (r.result === 'partial') return `Store ${r.storeId} "${r.storeName}": stopped before the end (${counts}): ${r.error}`;
  return `Store ${r.storeId} "${r.storeName}": FAILED: ${r.error}`;
}

@injectable()
export class SyncCommand implements CliCommandContribution {
  readonly name = 'sync';
  readonly summary = 'Import Amazon orders now for every Active store (or one)';
  readonly flags = [
    { name: 'store', type: 'int', min: 1, description: 'Only this store (an Inactive store is skipped)' },
    { name: 'json', type: 'switch', description: 'Print per-store results as JSON' },
  ] as const;

  constructor(@inject(OrderSync) private readonly sync: OrderSync) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const progress = io.interactive ? (event: SyncProgress) => io.stderr.write(`${describeProgress(event)}\n`) : undefined;
    const results = await withUsageErrors(() => this.sync.run({ storeId: flags.store as number | undefined, progress, signal: io.signal }));
    if (flags.json) printJson(io, results);
    else if (results.length === 0) io.stdout.write('No Active Amazon stores to sync.\n');
    else for (const result of results) io.stdout.write(`${summary(result)}\n`);
    const failed = results.filter((r) => r.result === 'failed');
    // Blocked orders are not a failure; a store that could not sync is, with its reason on stderr.
    for (const r of failed) io.stderr.write(`store ${r.storeId}: ${r.error}\n`);
    // Interrupted (SIGINT/SIGTERM): what was stored stays, the lease is given back, 130 as shells expect.
    if (io.signal.aborted) return INTERRUPTED;
    return failed.length === 0 ? 0 : 1;
  }
}
