/**
 * The sandbox clock: virtual time that runs at `speed` times real time (0 = frozen, only
 * `advance`/`set` move it), plus a timeline of tasks due at virtual times. Everything that happens
 * "later" in the sandbox (order verification, FBA shipping, feed processing) is a task; tasks run
 * in time order whenever the clock is read through `runDue()` (every request does that) or moved.
 * A task receives the virtual time it was due at, so timestamps are exact whatever the speed.
 */

export interface ClockOptions {
  /** Virtual time at start; default the real time. */
  start?: Date | number | string;
  /** Virtual milliseconds per real millisecond; default 1. 0 freezes the clock. */
  speed?: number;
}

interface Task {
  at: number;
  seq: number;
  run: (at: number) => void;
}

export class ClockError extends Error {
  override name = 'ClockError';
}

/**
 * The last instant the sandbox can be at: the last one ISO 8601 writes with a four-digit year, as
 * Amazon does. A clock moved past it (or past what a Date holds) answered every later request 500.
 */
export const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The fastest clock: even at this speed it runs for years of real time before reaching LATEST_TIME. */
export const MAX_SPEED = 1_000_000;

export class SandboxClock {
  private anchorVirtual: number;
  private anchorReal: number;
  private factor: number;
  private tasks: Task[] = [];
  private seq = 0;
  private running = false;

  constructor(options: ClockOptions = {}, private readonly realNow: () => number = Date.now) {
    this.anchorReal = realNow();
    this.anchorVirtual = options.start === undefined ? this.anchorReal : toMillis(options.start);
    this.factor = checkSpeed(options.speed ?? 1);
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    return Math.floor(this.anchorVirtual + (this.realNow() - this.anchorReal) * this.factor);
  }

  get speed(): number {
    return this.factor;
  }

  setSpeed(speed: number): void {
    const now = this.now();
    this.anchorVirtual = now;
    this.anchorReal = this.realNow();
    this.factor = checkSpeed(speed);
  }

  /** Moves virtual time forward by `ms` and runs every task that became due. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new ClockError(`cannot advance the clock by ${ms} ms: give a positive number`);
    if (this.now() + ms > LATEST_TIME) throw new ClockError(`cannot advance the clock by ${ms} ms: the sandbox's time ends at ${new Date(LATEST_TIME).toISOString()}`);
    this.anchorVirtual += ms;
    this.runDue();
  }

  /** Jumps to a later virtual time. The clock never goes back: tasks already ran. */
  set(time: Date | number | string): void {
    const target = toMillis(time);
    const now = this.now();
    if (target < now) throw new ClockError(`cannot set the clock back from ${new Date(now).toISOString()} to ${new Date(target).toISOString()}`);
    this.advance(target - now);
  }

  /** Schedules `run` at virtual time `at` (immediately due if in the past). Returns a cancel function. */
  schedule(at: number, run: (at: number) => void): () => void {
    const task: Task = { at, seq: this.seq++, run };
    this.tasks.push(task);
    this.tasks.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }

  /** Runs due tasks in (time, scheduling order); tasks scheduled by tasks run too when due. */
  runDue(): void {
    if (this.running) return;
    this.running = true;
    try {
      const now = this.now();
      while (this.tasks.length > 0 && this.tasks[0]!.at <= now) {
        const task = this.tasks.shift()!;
        task.run(task.at);
      }
    } finally {
      this.running = false;
    }
  }

  /** Drops every pending task (used by reset). */
  clearTasks(): void {
    this.tasks = [];
  }

  pendingTasks(): number {
    return this.tasks.length;
  }
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < 0 || speed > MAX_SPEED) throw new ClockError(`clock speed must be a number from 0 to ${MAX_SPEED}, got ${speed}`);
  return speed;
}

export function toMillis(time: Date | number | string): number {
  const ms = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) throw new ClockError(`not a time: ${String(time)}`);
  return ms;
}

/** ISO 8601 with whole seconds, as the Orders API writes times ("2025-01-01T10:30:00Z"). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** ISO 8601 with milliseconds, as the Feeds API writes times ("2024-03-11T13:16:24.630Z"). */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses a strict ISO 8601 date-time (seconds and a zone required); null when it is not one. */
export function parseIsoDateTime(text: string): number | null {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : null;
}
