import { expect } from 'chai';
import { syncHealthView, type SyncState } from '../../src/admin/sync-health.ts';
import type { AmazonStore } from '../../src/stores/store.ts';

const store = { id: 1, name: 'US', status: 'active', authorization: 'authorized', authorizationNote: null } as AmazonStore;
const SCHEDULES = { sync: '*/5 * * * *', firstSync: '* * * * *' };
const now = new Date('2026-11-26T10:07:30Z');
const state = (change: Partial<SyncState> = {}): SyncState => ({
  cursor: new Date('2026-11-26T10:03:00Z'),
  lastStartedAt: new Date('2026-11-26T10:05:00Z'),
  lastFinishedAt: new Date('2026-11-26T10:05:02Z'),
  lastSuccessAt: new Date('2026-11-26T10:05:02Z'),
  lastResult: 'ok',
  lastError: null,
  lastStats: JSON.stringify({ storeId: 1, storeName: 'US', result: 'ok', error: null, seen: 12, imported: 3, apiCalls: 2, throttled: 0, waitedMs: 61000, durationMs: 2100 }),
  ...change,
});

describe('sync health view', () => {
  it('shows the last run, its counts, the cursor lag and the next run from the schedule', () => {
    const view = syncHealthView(store, state(), now, SCHEDULES);
    expect(view).to.include({ running: false, result: 'ok', resultTone: 'ok', lastRunDuration: '2 s', cursorLag: '4 min', lastError: null });
    expect(view.nextRun?.text).to.equal('2026-11-26 10:10 UTC');
    expect(view.stats).to.deep.equal([
      { label: 'Seen', value: '12' },
      { label: 'Imported', value: '3' },
      { label: 'API calls', value: '2' },
      { label: 'Throttled', value: '0' },
      // Other durations stay; the run's own is the "(2 s)" of the last run, not repeated.
      { label: 'Waited', value: '1 min' },
    ]);
  });

  it('says when a run is going on, failed, or the store is inactive', () => {
    expect(syncHealthView(store, state({ lastStartedAt: new Date('2026-11-26T10:07:00Z') }), now, SCHEDULES)).to.include({ running: true, result: 'running' });
    expect(syncHealthView(store, state({ lastResult: 'failed', lastError: 'QuotaExceeded' }), now, SCHEDULES)).to.include({ resultTone: 'bad', lastError: 'QuotaExceeded' });
    const inactive = syncHealthView({ ...store, status: 'inactive' }, state(), now, SCHEDULES);
    expect(inactive).to.include({ nextRun: null, nextRunNote: 'Store is inactive: orders are not synced' });
    expect(syncHealthView(store, state(), now, { sync: null, firstSync: null }).nextRunNote).to.equal('Not scheduled');
    const rejected = syncHealthView({ ...store, authorization: 'rejected' }, state(), now, SCHEDULES);
    expect(rejected).to.include({ nextRun: null, nextRunNote: 'Not synced until the store is reconnected' });
  });

  it("gives a store never synced the first-sync job's next minute", () => {
    const never = syncHealthView(store, state({ lastStartedAt: null, lastFinishedAt: null, lastSuccessAt: null, lastResult: null, cursor: null }), now, SCHEDULES);
    expect(never.nextRun?.text).to.equal('2026-11-26 10:08 UTC');
  });
});
