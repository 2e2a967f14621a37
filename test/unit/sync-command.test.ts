/** `asc sync` output: progress on a terminal only, one summary line per store, exit codes. */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { SyncCommand } from '../../src/cli/sync-command.ts';
import type { OrderSync, StoreSyncResult, SyncOptions } from '../../src/sync/order-sync.ts';

const result = (over: Partial<StoreSyncResult> = {}): StoreSyncResult => ({
  storeId: 1, storeName: 'US', result: 'ok', error: null, seen: 120, new: 100, updated: 20, imported: 99, blocked: 1, invalid: 0, apiCalls: 2, throttled: 0, rateLimitWaitMs: 0, durationMs: 1500, ...over,
});

function io(interactive: boolean) {
  const text = { out: '', err: '' };
  const stream = (key: 'out' | 'err') => new Writable({ write: (chunk, _encoding, done) => ((text[key] += String(chunk)), done()) });
  return { io: { stdout: stream('out'), stderr: stream('err'), interactive, signal: new AbortController().signal }, text };
}

function command(results: StoreSyncResult[]): SyncCommand {
  const sync = {
    async run(options: SyncOptions) {
      options.progress?.({ kind: 'page', storeId: 1, orders: 100, seen: 100 });
      options.progress?.({ kind: 'rate-wait', storeId: 1, operation: 'searchOrders', waitMs: 179_500 });
      return results;
    },
  };
  return new SyncCommand(sync as unknown as OrderSync);
}

describe('asc sync output', () => {
  it('shows pages and rate-limit waits on a terminal, and nothing of them otherwise', async () => {
    const terminal = io(true);
    expect(await command([result()]).run({}, terminal.io)).to.equal(0);
    expect(terminal.text.err).to.equal("store 1: page of 100 orders (100 so far)\nstore 1: waiting 180 s for Amazon's rate limit (searchOrders)\n");
    expect(terminal.text.out).to.equal('Store 1 "US": synced (120 seen, 100 new, 20 updated, 99 imported, 1 blocked, 0 invalid, 2 API calls, 0 throttled, 1.5 s)\n');
    const piped = io(false);
    await command([result()]).run({}, piped.io);
    expect(piped.text.err).to.equal('');
  });

  it('exits 1 with one line per failed store; a skipped store is not a failure', async () => {
    const out = io(false);
    const code = await command([result({ storeId: 1, result: 'failed', error: 'searchOrders failed: HTTP 503' }), result({ storeId: 2, result: 'skipped', error: 'another sync holds this store' })]).run({}, out.io);
    expect(code).to.equal(1);
    expect(out.text.err).to.equal('store 1: searchOrders failed: HTTP 503\n');
    expect(out.text.out).to.include('Store 2 "US": skipped, another sync holds this store');
  });
});
