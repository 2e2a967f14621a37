/**
 * Runs the modules' long-lived workers (contract 1.3.0) for as long as the process serves. Each
 * worker runs once; one that returns or throws before shutdown crashed: it is logged and started
 * again after a pause that doubles up to a minute (reset once a run lasted a minute), so a broken
 * worker never spins. Shutdown aborts the shared signal and waits, up to a grace period, for every
 * worker to return.
 */
import type { WorkerContribution } from '../../src/host/contributions.ts';
import type { LoggerPort } from '../../src/host/ports.ts';
import { errorSummary } from '../../src/error-summary.ts';
import { realSleep } from '../../src/amazon/retry.ts';

export interface Worker {
  module: string;
  worker: WorkerContribution;
}

export interface WorkerRunnerTimings {
  /** First pause after a crash; default 1 s. */
  restartMs: number;
  /** Longest pause; default 60 s. */
  maxRestartMs: number;
  /** How long shutdown waits for the workers; default 30 s. */
  graceMs: number;
}

const DEFAULT_TIMINGS: WorkerRunnerTimings = { restartMs: 1_000, maxRestartMs: 60_000, graceMs: 30_000 };

export class WorkerRunner {
  private readonly controller = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly timings: WorkerRunnerTimings;
  private started = false;
  /** How many times each worker was started (tests and the log read it). */
  readonly starts = new Map<string, number>();

  constructor(
    private readonly workers: Worker[],
    private readonly logger: LoggerPort,
    timings: Partial<WorkerRunnerTimings> = {},
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
  }

  start(): void {
    if (this.started) throw new Error('The worker runner is started already');
    this.started = true;
    if (this.workers.length > 0) this.logger.info('Workers started', { workers: this.workers.map((w) => w.worker.id) });
    for (const worker of this.workers) this.loops.push(this.keepRunning(worker));
  }

  async stop(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    let graceTimer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), this.timings.graceMs);
    });
    const outcome = await Promise.race([Promise.all(this.loops).then(() => 'stopped' as const), timeout]);
    clearTimeout(graceTimer);
    if (outcome === 'timeout') this.logger.warn('Workers still running after the shutdown grace period', { graceMs: this.timings.graceMs });
  }

  private async keepRunning({ module, worker }: Worker): Promise<void> {
    const signal = this.controller.signal;
    let pause = this.timings.restartMs;
    while (!signal.aborted) {
      this.starts.set(worker.id, (this.starts.get(worker.id) ?? 0) + 1);
      const startedAt = Date.now();
      let failure: string;
      try {
        await worker.run({ signal });
        if (signal.aborted) return;
        failure = 'it returned before shutdown';
      } catch (error) {
        if (signal.aborted) return;
        failure = errorSummary(error);
      }
      if (Date.now() - startedAt >= this.timings.maxRestartMs) pause = this.timings.restartMs;
      this.logger.error('Worker crashed; starting it again', { worker: worker.id, module, error: failure, restartInMs: pause });
      await realSleep(pause, signal);
      pause = Math.min(pause * 2, this.timings.maxRestartMs);
    }
  }
}
