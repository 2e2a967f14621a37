/**
 * The sync's health for one store, from `amazon_sync_state` (written by the sync) and the cron
 * schedule in module.json: last run, result, next run, how far the cursor lags, last error.
 */
import type { Knex } from 'knex';
import { fromDbOrNull } from '../db/time.ts';
import manifest from '../../module.json' with { type: 'json' };
import { authorizationProblem, type AmazonStore } from '../stores/store.ts';
import { nextCronRun } from './cron-next-run.ts';
import { durationText, timeText, timeTextOrNull, type TimeText } from './format.ts';

export const SYNC_JOB_ID = 'amazon_order_sync';
/** The job that syncs a store no run has started on yet (module.json). */
export const FIRST_SYNC_JOB_ID = 'amazon_first_sync';

export interface SyncState {
  cursor: Date | null;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastSuccessAt: Date | null;
  lastResult: string | null;
  lastError: string | null;
  lastStats: string | null;
}

export async function readSyncState(db: Knex, storeId: number): Promise<SyncState> {
  const row = await db('amazon_sync_state').where({ store_id: storeId }).first();
  return {
    cursor: fromDbOrNull(row?.cursor),
    lastStartedAt: fromDbOrNull(row?.last_started_at),
    lastFinishedAt: fromDbOrNull(row?.last_finished_at),
    lastSuccessAt: fromDbOrNull(row?.last_success_at),
    lastResult: row?.last_result ?? null,
    lastError: row?.last_error ?? null,
    lastStats: row?.last_stats ?? null,
  };
}

/** Last successful sync of every store and whether the last run failed, for the store cards. */
export async function syncSummaryByStore(db: Knex): Promise<Map<number, { lastSuccessAt: Date | null; lastRunFailed: boolean }>> {
  const rows: Array<{ store_id: unknown; last_success_at: unknown; last_result: string | null }> = await db('amazon_sync_state').select('store_id', 'last_success_at', 'last_result');
  return new Map(rows.map((row) => [Number(row.store_id), { lastSuccessAt: fromDbOrNull(row.last_success_at), lastRunFailed: resultTone(row.last_result ?? null) === 'bad' }]));
}

export interface SyncSchedules {
  sync: string | null;
  firstSync: string | null;
}

/** The schedules of the sync jobs in module.json (null: not scheduled). */
export function syncSchedules(): SyncSchedules {
  const schedule = (id: string) => (manifest.cron as Array<{ id: string; schedule: string }>).find((job) => job.id === id)?.schedule ?? null;
  return { sync: schedule(SYNC_JOB_ID), firstSync: schedule(FIRST_SYNC_JOB_ID) };
}

export interface SyncHealthView {
  running: boolean;
  lastRun: TimeText | null;
  lastRunDuration: string | null;
  /** "success", "failed", ... as the sync recorded it; tone picks the colour. */
  result: string | null;
  resultTone: 'ok' | 'bad' | 'neutral';
  lastSuccess: TimeText | null;
  nextRun: TimeText | null;
  nextRunNote: string | null;
  cursor: TimeText | null;
  cursorLag: string | null;
  lastError: string | null;
  stats: Array<{ label: string; value: string }>;
}

function resultTone(result: string | null): SyncHealthView['resultTone'] {
  if (result === null) return 'neutral';
  if (/^(ok|success|succeeded|completed?)$/i.test(result)) return 'ok';
  if (/fail|error|abort/i.test(result)) return 'bad';
  return 'neutral';
}

/**
 * The run's counts from its JSON stats, e.g. {"seen": 12, "imported": 3, "apiCalls": 2}: numbers
 * only (ids and texts are shown elsewhere), labelled in words, durations as durations. The run's
 * own duration is left out: the Last run line already shows it.
 */
function statsList(json: string | null): SyncHealthView['stats'] {
  if (json === null || json.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [{ label: 'Counts', value: json }];
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.entries(parsed as Record<string, unknown>)
    .filter(([key, value]) => typeof value === 'number' && !/Id$/.test(key) && key !== 'durationMs')
    .map(([key, value]) => {
      const duration = key.endsWith('Ms');
      const words = key.replace(/Ms$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
      const label = words.replace(/^./, (c) => c.toUpperCase()).replace(/\bapi\b/gi, 'API');
      return { label, value: duration ? durationText(value as number) : String(value) };
    });
}

/**
 * `skippedUntil`: the sync leaves the store out until then (its real-time updates keep it current,
 * realtime-health.ts pollSkippedUntil), so its next run is the schedule's first run from then on.
 */
export function syncHealthView(store: AmazonStore, state: SyncState, now: Date, schedules: SyncSchedules = syncSchedules(), skippedUntil: Date | null = null): SyncHealthView {
  const running = state.lastStartedAt !== null && (state.lastFinishedAt === null || state.lastFinishedAt < state.lastStartedAt);
  // A store no run has started on yet is the first-sync job's.
  const schedule = state.lastStartedAt === null ? schedules.firstSync : schedules.sync;
  let nextRunNote: string | null = null;
  if (store.status !== 'active') nextRunNote = 'Store is inactive: orders are not synced';
  else if (authorizationProblem(store) !== null) nextRunNote = 'Not synced until the store is reconnected';
  else if (!schedule) nextRunNote = 'Not scheduled';
  // A run at skippedUntil itself takes the store: the first minute from then, not after it.
  const from = state.lastStartedAt !== null && skippedUntil !== null && skippedUntil > now ? new Date(skippedUntil.getTime() - 1) : now;
  const next = nextRunNote === null && schedule ? nextCronRun(schedule, from) : null;
  return {
    running,
    lastRun: timeTextOrNull(state.lastStartedAt),
    lastRunDuration:
      !running && state.lastStartedAt && state.lastFinishedAt ? durationText(state.lastFinishedAt.getTime() - state.lastStartedAt.getTime()) : null,
    result: running ? 'running' : state.lastResult,
    resultTone: running ? 'neutral' : resultTone(state.lastResult),
    lastSuccess: timeTextOrNull(state.lastSuccessAt),
    nextRun: next ? timeText(next) : null,
    nextRunNote,
    cursor: timeTextOrNull(state.cursor),
    cursorLag: state.cursor ? durationText(now.getTime() - state.cursor.getTime()) : null,
    lastError: state.lastError,
    stats: statsList(state.lastStats),
  };
}
