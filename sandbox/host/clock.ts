import type { ClockPort } from '../../src/host/ports.ts';

/** The wall clock. Tests pass their own ClockPort to createHost instead. */
export const systemClock: ClockPort = { now: () => new Date() };
