import type { ClockPort } from '../../src/host/ports.ts';

/** A clock tests move by hand. */
export class FakeClock implements ClockPort {
  constructor(private current = new Date('2026-11-26T09:00:00.000Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
