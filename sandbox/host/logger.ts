/**
 * The host's logger: one JSON object per line on stderr. Context keys that look like secrets are
 * redacted, so a careless call cannot leak a password or key into the logs, and database errors
 * are logged as their summary, without the SQL and its values.
 */
import type { ClockPort, LoggerPort } from '../../src/host/ports.ts';
import { loggableError } from '../../src/error-summary.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|private[-_]?key|^key$|authorization|cookie|credential/i;

export function parseLogLevel(value: string | undefined): LogLevel {
  const level = (value ?? '').trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'info';
}

function clean(value: unknown, depth: number): unknown {
  if (value instanceof Error) {
    // A database error's message and stack carry its SQL with the values (buyer data): its summary only.
    const safe = loggableError(value);
    return safe === value ? { name: value.name, message: value.message, stack: value.stack } : safe;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth > 5) return '[nested]';
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? '[redacted]' : clean(v, depth + 1);
  return out;
}

export class JsonLogger implements LoggerPort {
  private readonly threshold: number;

  constructor(
    private readonly options: { level: LogLevel; stream?: NodeJS.WritableStream; clock?: ClockPort },
  ) {
    this.threshold = LOG_LEVELS.indexOf(options.level);
  }

  debug(message: string, context?: Record<string, unknown>): void {
    this.write('debug', message, context);
  }
  info(message: string, context?: Record<string, unknown>): void {
    this.write('info', message, context);
  }
  warn(message: string, context?: Record<string, unknown>): void {
    this.write('warn', message, context);
  }
  error(message: string, context?: Record<string, unknown>): void {
    this.write('error', message, context);
  }

  private write(level: LogLevel, message: string, context?: Record<string, unknown>): void {
    if (LOG_LEVELS.indexOf(level) < this.threshold) return;
    const time = (this.options.clock?.now() ?? new Date()).toISOString();
    const entry = { time, level, message, ...(clean(context ?? {}, 0) as object) };
    (this.options.stream ?? process.stderr).write(`${JSON.stringify(entry)}\n`);
  }
}
