import { expect } from 'chai';
import type { WorkerContribution } from '../../src/host/contributions.ts';
import { WorkerRunner } from '../../sandbox/host/worker-runner.ts';
import { memoryLogger } from '../support/logs.ts';

const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await tick();
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('worker runner', () => {
  it('runs each worker once, and stop aborts the signal and waits for every worker to return', async () => {
    const log = memoryLogger();
    const seen: string[] = [];
    const worker = (id: string): WorkerContribution => ({
      id,
      run: async ({ signal }) => {
        seen.push(`${id} started`);
        await untilAborted(signal);
        await tick(20); // cleaning up after the abort
        seen.push(`${id} stopped`);
      },
    });
    const runner = new WorkerRunner([{ module: 'm', worker: worker('a') }, { module: 'm', worker: worker('b') }], log.logger);
    runner.start();
    await eventually(() => seen.length === 2, 'both workers');
    expect(seen).to.have.members(['a started', 'b started']);
    await runner.stop();
    expect(seen.slice(2)).to.have.members(['a stopped', 'b stopped']);
    expect([...runner.starts.values()]).to.deep.equal([1, 1]);
    expect(log.entries.filter((e) => e.level === 'error')).to.deep.equal([]);
  });

  it('starts a crashed worker again after a pause that doubles, and logs each crash', async () => {
    const log = memoryLogger();
    let runs = 0;
    const flaky: WorkerContribution = {
      id: 'flaky',
      run: async ({ signal }) => {
        runs++;
        if (runs === 1) throw new Error('queue unreachable');
        if (runs === 2) return; // returning before shutdown is a crash too
        await untilAborted(signal);
      },
    };
    const runner = new WorkerRunner([{ module: 'm', worker: flaky }], log.logger, { restartMs: 10, maxRestartMs: 1_000 });
    runner.start();
    await eventually(() => runs === 3, 'the third run');
    const crashes = log.entries.filter((e) => e.message === 'Worker crashed; starting it again');
    expect(crashes.map((e) => [e.error, e.restartInMs])).to.deep.equal([
      ['queue unreachable', 10],
      ['it returned before shutdown', 20],
    ]);
    await runner.stop();
    expect(runs).to.equal(3);
  });

  it('stops waiting after the grace period for a worker that ignores its signal', async () => {
    const log = memoryLogger();
    const stuck: WorkerContribution = { id: 'stuck', run: () => new Promise(() => undefined) };
    const runner = new WorkerRunner([{ module: 'm', worker: stuck }], log.logger, { graceMs: 30 });
    runner.start();
    await runner.stop();
    expect(log.entries.map((e) => e.message)).to.include('Workers still running after the shutdown grace period');
  });
});
