import { expect } from 'chai';
import sinon from 'sinon';
import type { CronObserverContribution } from '../../src/host/contributions.ts';
import { systemClock } from '../../sandbox/host/clock.ts';
import { CronRunner } from '../../sandbox/host/cron-runner.ts';
import { CronSyntaxError, cronMatches, parseCron } from '../../sandbox/host/cron-schedule.ts';
import { memoryLogger } from '../support/logs.ts';

const at = (iso: string) => new Date(iso);

describe('cron schedule', () => {
  it('matches *, numbers, lists, ranges and steps in UTC', () => {
    const every5 = parseCron('*/5 * * * *');
    expect(cronMatches(every5, at('2026-11-26T10:05:00Z'))).to.equal(true);
    expect(cronMatches(every5, at('2026-11-26T10:06:00Z'))).to.equal(false);
    const office = parseCron('0,30 9-17 * * 1-5');
    expect(cronMatches(office, at('2026-11-26T09:30:00Z'))).to.equal(true); // Thursday
    expect(cronMatches(office, at('2026-11-26T18:00:00Z'))).to.equal(false);
    expect(cronMatches(office, at('2026-11-28T10:00:00Z'))).to.equal(false); // Saturday
    const odd = parseCron('1-10/3 * * * *');
    expect([...odd.minutes]).to.deep.equal([1, 4, 7, 10]);
    expect([...parseCron('50/5 * * * *').minutes]).to.deep.equal([50, 55]);
    // 10:00 UTC is 11:00 in Paris: the schedule is UTC, not local time.
    expect(cronMatches(parseCron('0 10 * * *'), at('2026-11-26T11:00:00+01:00'))).to.equal(true);
  });

  it('treats day-of-week 7 as Sunday and ORs restricted day fields', () => {
    expect(cronMatches(parseCron('0 0 * * 7'), at('2026-11-29T00:00:00Z'))).to.equal(true); // Sunday
    const either = parseCron('0 0 1 * 1'); // the 1st, or any Monday
    expect(cronMatches(either, at('2026-12-01T00:00:00Z'))).to.equal(true); // Tuesday the 1st
    expect(cronMatches(either, at('2026-11-30T00:00:00Z'))).to.equal(true); // Monday
    expect(cronMatches(either, at('2026-11-26T00:00:00Z'))).to.equal(false);
  });

  it('refuses out-of-range or malformed expressions', () => {
    for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '5-1 * * * *', '*/0 * * * *', 'a * * * *']) {
      expect(() => parseCron(bad), bad).to.throw(CronSyntaxError);
    }
  });
});

describe('cron runner', () => {
  let clock: sinon.SinonFakeTimers;
  afterEach(() => clock?.restore());

  function job(id: string, run: CronObserverContribution['run'], schedule = '* * * * *') {
    return { module: 'test', schedule, observer: { id, run } };
  }

  it('runs due jobs on each minute and skips a job whose previous run is still going', async () => {
    clock = sinon.useFakeTimers({ now: Date.parse('2026-11-26T10:00:30Z'), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const log = memoryLogger();
    let release!: () => void;
    let slowRuns = 0;
    let fastRuns = 0;
    const runner = new CronRunner(
      [
        job('slow', async () => {
          slowRuns++;
          await new Promise<void>((resolve) => (release = resolve));
        }),
        job('fast', async () => void fastRuns++),
        job('hourly', async () => undefined, '0 * * * *'),
      ],
      systemClock,
      log.logger,
    );
    runner.start();
    await clock.tickAsync(30_000); // 10:01:00
    expect([slowRuns, fastRuns]).to.deep.equal([1, 1]);
    await clock.tickAsync(60_000); // 10:02:00, slow still running
    expect([slowRuns, fastRuns]).to.deep.equal([1, 2]);
    expect(log.entries.some((e) => e.message.includes('skipped') && e.job === 'slow')).to.equal(true);
    release();
    await clock.tickAsync(60_000); // 10:03:00
    expect([slowRuns, fastRuns]).to.deep.equal([2, 3]);
    expect(runner.runningJobs()).to.deep.equal(['slow']);
    release();
    await runner.stop();
  });

  it('evaluates a minute once, and aborts running jobs on stop', async () => {
    const log = memoryLogger();
    let signal: AbortSignal | undefined;
    const runner = new CronRunner(
      [job('waits', ({ signal: s }) => new Promise<void>((resolve) => { signal = s; s.addEventListener('abort', () => resolve()); }))],
      systemClock,
      log.logger,
    );
    expect(runner.tick(at('2026-11-26T10:00:00Z'))).to.deep.equal(['waits']);
    expect(runner.tick(at('2026-11-26T10:00:59Z'))).to.deep.equal([]);
    expect(signal?.aborted).to.equal(false);
    await runner.stop();
    expect(signal?.aborted).to.equal(true);
    expect(runner.runningJobs()).to.deep.equal([]);
    expect(runner.tick(at('2026-11-26T10:01:00Z'))).to.deep.equal([]);
  });

  it('logs a failing job and keeps running the others', async () => {
    const log = memoryLogger();
    const runner = new CronRunner([job('boom', async () => { throw new Error('kaput'); })], systemClock, log.logger);
    runner.tick(at('2026-11-26T10:00:00Z'));
    await runner.stop();
    await new Promise((r) => setImmediate(r));
    expect(log.entries.find((e) => e.message === 'Cron job failed')).to.deep.include({ job: 'boom' });
  });
});
