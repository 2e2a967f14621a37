/**
 * Runs the modules' cron observers on their manifest schedules. Once a minute (UTC, on the minute)
 * every due job starts, unless its previous run is still going: then this run is skipped and logged,
 * so a slow job never runs twice at once in this process. Shutdown aborts the shared AbortSignal
 * and waits (up to a grace period) for running jobs to stop.
 */
import type { CronObserverContribution } from '../../src/host/contributions.ts';
import type { ClockPort, LoggerPort } from '../../src/host/ports.ts';
import { cronMatches, parseCron, type CronSchedule } from './cron-schedule.ts';

export interface CronJob {
  module: string;
  schedule: string;
  observer: CronObserverContribution;
}

const MINUTE = 60_000;

export class CronRunner {
  private readonly jobs: Array<CronJob & { parsed: CronSchedule }>;
  private readonly running = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private lastMinute = -1;
  private stopped = false;

  constructor(
    jobs: CronJob[],
    private readonly clock: ClockPort,
    private readonly logger: LoggerPort,
    private readonly graceMs = 30_000,
  ) {
    this.jobs = jobs.map((job) => ({ ...job, parsed: parseCron(job.schedule) }));
  }

  start(): void {
    if (this.stopped) throw new Error('A stopped cron runner cannot start again');
    this.logger.info('Cron runner started', { jobs: this.jobs.map((j) => `${j.observer.id} (${j.schedule})`) });
    this.scheduleNext();
  }

  /** Ids of the jobs running now. */
  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  /**
   * Starts the jobs due in the minute of `at` and returns the ids it started. A minute is handled
   * once, however often this is called for it.
   */
  tick(at: Date = this.clock.now()): string[] {
    const minute = Math.floor(at.getTime() / MINUTE);
    if (this.stopped || minute <= this.lastMinute) return [];
    this.lastMinute = minute;
    const started: string[] = [];
    for (const job of this.jobs) {
      if (!cronMatches(job.parsed, at)) continue;
      const id = job.observer.id;
      if (this.running.has(id)) {
        this.logger.warn('Cron job skipped: its previous run is still running', { job: id, module: job.module });
        continue;
      }
      started.push(id);
      const run = this.runJob(job).finally(() => this.running.delete(id));
      this.running.set(id, run);
    }
    return started;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.controller.abort();
    const pending = [...this.running.values()];
    if (pending.length === 0) return;
    let graceTimer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), this.graceMs);
    });
    const outcome = await Promise.race([Promise.allSettled(pending).then(() => 'done' as const), timeout]);
    clearTimeout(graceTimer);
    if (outcome === 'timeout') this.logger.warn('Cron jobs still running at shutdown', { jobs: this.runningJobs() });
  }

  private async runJob(job: CronJob): Promise<void> {
    const startedAt = Date.now();
    this.logger.info('Cron job started', { job: job.observer.id, module: job.module });
    try {
      await job.observer.run({ signal: this.controller.signal });
      this.logger.info('Cron job finished', { job: job.observer.id, ms: Date.now() - startedAt });
    } catch (error) {
      this.logger.error('Cron job failed', { job: job.observer.id, module: job.module, error });
    }
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const now = this.clock.now().getTime();
    const delay = MINUTE - (now % MINUTE);
    this.timer = setTimeout(() => {
      this.tick();
      this.scheduleNext();
    }, delay);
    // The admin server keeps the process alive; the cron timer alone should not.
    this.timer.unref?.();
  }
}
