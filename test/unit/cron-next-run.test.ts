import { expect } from 'chai';
import { nextCronRun } from '../../src/admin/cron-next-run.ts';

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => nextCronRun(expression, at(after))?.toISOString() ?? null;

describe('next cron run (UTC)', () => {
  it('finds the next five-minute mark strictly after now', () => {
    expect(next('*/5 * * * *', '2026-11-26T10:02:30Z')).to.equal('2026-11-26T10:05:00.000Z');
    expect(next('*/5 * * * *', '2026-11-26T10:05:00Z')).to.equal('2026-11-26T10:10:00.000Z');
    expect(next('*/5 * * * *', '2026-11-26T23:59:10Z')).to.equal('2026-11-27T00:00:00.000Z');
  });

  it('handles lists, ranges, steps and the day rule', () => {
    expect(next('15,45 9-17 * * *', '2026-11-26T17:50:00Z')).to.equal('2026-11-27T09:15:00.000Z');
    expect(next('0 3 * * 1', '2026-11-26T10:00:00Z')).to.equal('2026-11-30T03:00:00.000Z'); // Monday
    expect(next('0 0 1 * 7', '2026-11-26T10:00:00Z')).to.equal('2026-11-29T00:00:00.000Z'); // Sunday (7) or the 1st
    expect(next('not a cron', '2026-11-26T10:00:00Z')).to.equal(null);
  });
});
