import { expect } from 'chai';
import { lagText, pollSkippedUntil, realtimeHealthView } from '../../src/admin/realtime-health.ts';
import { syncHealthView, type SyncState } from '../../src/admin/sync-health.ts';
import type { StoreNotifications } from '../../src/notifications/realtime-updates.ts';
import type { AmazonStore } from '../../src/stores/store.ts';

const notifications = (change: Partial<StoreNotifications> = {}): StoreNotifications => ({
  storeId: 1,
  enabled: true,
  queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/amazon-orders',
  queueArn: 'arn:aws:sqs:us-east-1:123456789012:amazon-orders',
  region: 'us-east-1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  destinationId: 'd',
  subscriptionId: 's',
  pollIntervalMinutes: 30,
  lastReadAt: new Date('2026-11-26T10:07:10Z'),
  lastReceivedAt: new Date('2026-11-26T10:06:00Z'),
  lastLagMs: 420,
  messagesProcessed: 12345,
  lastError: null,
  lastErrorAt: null,
  updatedAt: new Date('2026-11-26T09:00:00Z'),
  ...change,
});

describe('real-time updates health view', () => {
  it('shows lags under a second in ms, then in seconds, then as durations', () => {
    expect([0, 420, 999, 1000, 1234, 59_949, 60_000, 185_000].map(lagText)).to.deep.equal(['0 ms', '420 ms', '999 ms', '1.0 s', '1.2 s', '59.9 s', '1 min', '3 min']);
  });

  const at = new Date('2026-11-26T10:07:30Z');

  it('is Off without a row or with one turned off, and On with the health of the row', () => {
    expect(realtimeHealthView(null, at)).to.include({ on: false, poll: 'every 5 minutes' });
    expect(realtimeHealthView(notifications({ enabled: false }), at)).to.include({ on: false });
    const view = realtimeHealthView(notifications(), at);
    expect(view).to.include({ on: true, lastLag: '420 ms', processed: '12,345', lastError: null, lastErrorAt: null, poll: 'every 30 minutes' });
    expect(view.lastReceived?.text).to.equal('2026-11-26 10:06 UTC');
    const failing = realtimeHealthView(notifications({ lastError: 'SQS cannot be reached', lastErrorAt: new Date('2026-11-26T10:07:00Z'), lastLagMs: null, lastReceivedAt: null }), at);
    expect(failing).to.include({ lastError: 'SQS cannot be reached', lastLag: null, lastReceived: null, poll: 'every 5 minutes while the queue cannot be read (every 30 minutes otherwise)' });
    expect(failing.lastErrorAt?.iso).to.equal('2026-11-26T10:07:00.000Z');
    // No process has read the queue for more than 2 minutes (none runs the worker): the normal pace, saying why.
    expect(realtimeHealthView(notifications({ lastReadAt: new Date('2026-11-26T10:05:00Z') }), at).poll).to.equal(
      'every 5 minutes until a process runs the notifications worker (asc start) and reads the queue (every 30 minutes then)',
    );
    expect(realtimeHealthView(notifications({ lastReadAt: null }), at).poll).to.match(/^every 5 minutes until a process runs/);
  });

  it("moves the sync's next run to the first one the safety-net poll takes the store on", () => {
    const store = { id: 1, name: 'US', status: 'active', authorization: 'authorized', authorizationNote: null } as AmazonStore;
    const schedules = { sync: '*/5 * * * *', firstSync: '* * * * *' };
    const now = new Date('2026-11-26T10:07:30Z');
    const lastSuccessAt = new Date('2026-11-26T10:05:00Z');
    const state: SyncState = { cursor: null, lastStartedAt: new Date('2026-11-26T10:04:58Z'), lastFinishedAt: lastSuccessAt, lastSuccessAt, lastResult: 'ok', lastError: null, lastStats: null };
    const next = (n: StoreNotifications | null, last: Date | null = lastSuccessAt) => syncHealthView(store, state, now, schedules, pollSkippedUntil(n, last, now)).nextRun?.text;
    expect(next(null)).to.equal('2026-11-26 10:10 UTC');
    // Skipped while its last success is less than 30 minutes old: the 10:35 run takes it (10:05 + 30 min, not after).
    expect(next(notifications())).to.equal('2026-11-26 10:35 UTC');
    expect(pollSkippedUntil(notifications(), lastSuccessAt, now)?.toISOString()).to.equal('2026-11-26T10:35:00.000Z');
    // A queue error, no process reading the queue, notifications off, or no successful sync yet: the sync's own pace.
    expect(next(notifications({ lastError: 'x' }))).to.equal('2026-11-26 10:10 UTC');
    expect(next(notifications({ lastReadAt: null }))).to.equal('2026-11-26 10:10 UTC');
    expect(next(notifications({ enabled: false }))).to.equal('2026-11-26 10:10 UTC');
    expect(pollSkippedUntil(notifications(), null, now)).to.equal(null);
    // A poll already due: the next run of the schedule.
    expect(next(notifications({ pollIntervalMinutes: 5 }), new Date('2026-11-26T09:00:00Z'))).to.equal('2026-11-26 10:10 UTC');
  });
});
