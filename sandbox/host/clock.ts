import type { ClockPort } from '../../src/host/ports.ts';

/** The wall clock. Tests pass their own ClockPort to createHost instead. */
export const systemClock: ClockPort = { now: () => new Date() };

/**
 * The host's clock for a process: the wall clock, shifted by HOST_CLOCK_OFFSET_MS when set. The
 * shift lets `asc` processes share the Amazon sandbox's moved clock in tests and demos.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv): ClockPort {
  const raw = env.HOST_CLOCK_OFFSET_MS;
  if (raw === undefined || raw === '') return systemClock;
  const offset = Number(raw);
  if (!Number.isSafeInteger(offset)) throw new Error(`HOST_CLOCK_OFFSET_MS must be a whole number of milliseconds, not "${raw}"`);
  return { now: () => new Date(Date.now() + offset) };
}
