/**
 * Amazon's side of a usage plan, for tests: a plain token bucket that starts full and admits a
 * request only when a whole token is there. Independent of the client's implementation on purpose.
 */
export class ReferenceBucket {
  private tokens: number;
  private lastMs: number | null = null;

  constructor(
    readonly rate: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Admits (true) or throttles (false) a request arriving at `nowMs`. */
  take(nowMs: number): boolean {
    if (this.lastMs !== null) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.rate) / 1000);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The times (ms, any order) that the reference bucket would throttle. */
export function throttledTimes(timesMs: number[], rate: number, burst: number): number[] {
  const bucket = new ReferenceBucket(rate, burst);
  return [...timesMs].sort((a, b) => a - b).filter((t) => !bucket.take(t));
}
