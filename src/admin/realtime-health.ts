/**
 * A store's real-time updates as its dashboard's Sync health and the Real-time updates page show
 * them (from `amazon_store_notifications` through RealtimeUpdates, never its secret): on or off,
 * the last notification received, the queue lag of the last message, the messages processed, the
 * last queue error and when, and the safety-net poll.
 */
import { notificationsArrive, type StoreNotifications } from '../notifications/realtime-updates.ts';
import { durationText, timeTextOrNull, type TimeText } from './format.ts';

/** The sync's pace for a store without real-time updates, or whose queue cannot be read (module.json's amazon_order_sync). */
export const NORMAL_POLL_MINUTES = 5;

export interface RealtimeHealthView {
  on: boolean;
  lastReceived: TimeText | null;
  /** From SQS receiving the last message to the module reading it. */
  lastLag: string | null;
  processed: string;
  lastError: string | null;
  lastErrorAt: TimeText | null;
  /** "every 30 minutes", or the 5-minute pace while the queue cannot be read. */
  poll: string;
}

/** "350 ms", "2.4 s", then as durations: "3 min". */
export function lagText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return durationText(ms);
}

const minutes = (n: number) => `${n} ${n === 1 ? 'minute' : 'minutes'}`;

export function realtimeHealthView(notifications: StoreNotifications | null, now: Date): RealtimeHealthView {
  if (!notifications?.enabled) {
    return { on: false, lastReceived: null, lastLag: null, processed: '0', lastError: null, lastErrorAt: null, poll: `every ${minutes(NORMAL_POLL_MINUTES)}` };
  }
  const n = notifications;
  return {
    on: true,
    lastReceived: timeTextOrNull(n.lastReceivedAt),
    lastLag: n.lastLagMs === null ? null : lagText(n.lastLagMs),
    processed: n.messagesProcessed.toLocaleString('en-US'),
    lastError: n.lastError,
    lastErrorAt: timeTextOrNull(n.lastErrorAt),
    // RealtimeUpdates.pollNotDue: a queue that cannot be read, or that no process reads, puts its stores back on the normal sync.
    poll: notificationsArrive(n, now)
      ? `every ${minutes(n.pollIntervalMinutes)}`
      : n.lastError !== null
        ? `every ${minutes(NORMAL_POLL_MINUTES)} while the queue cannot be read (every ${minutes(n.pollIntervalMinutes)} otherwise)`
        : `every ${minutes(NORMAL_POLL_MINUTES)} until a process runs the notifications worker (asc start) and reads the queue (every ${minutes(n.pollIntervalMinutes)} then)`,
  };
}

/**
 * Until when the 5-minute sync leaves the store out (RealtimeUpdates.pollNotDue): its
 * notifications arrive, and the last successful sync less than the poll interval ago. Null: the
 * store is synced at the sync's own pace.
 */
export function pollSkippedUntil(notifications: StoreNotifications | null, lastSuccessAt: Date | null, now: Date): Date | null {
  if (!notifications || !notificationsArrive(notifications, now) || lastSuccessAt === null) return null;
  return new Date(lastSuccessAt.getTime() + notifications.pollIntervalMinutes * 60_000);
}
