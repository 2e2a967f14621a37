/**
 * A clock tests control, and a sleep that advances it instead of waiting, so rate-limit and
 * back-off tests run in milliseconds while the code under test sees time pass.
 */
import type { ClockPort } from '../../src/host/ports.ts';

/** The one fake clock of the tests: starts where told (default 2026-11-26T10:00Z), moves by hand. */
export class FakeClock implements ClockPort {
  ms: number;

  constructor(start: Date | number = Date.parse('2026-11-26T10:00:00.000Z')) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface RecordingSleep {
  (ms: number): Promise<void>;
  /** Every requested sleep, in order. */
  calls: number[];
}

/** A sleep that advances `clock` by the requested time and resolves on the next turn. */
export function fakeSleep(clock?: FakeClock): RecordingSleep {
  const sleep = (async (ms: number) => {
    sleep.calls.push(ms);
    clock?.advance(ms);
    await new Promise((resolve) => setImmediate(resolve));
  }) as RecordingSleep;
  sleep.calls = [];
  return sleep;
}
