/** A JsonLogger that keeps its lines in memory, so tests stay quiet and can assert on logs. */
import { Writable } from 'node:stream';
import { JsonLogger, type LogLevel } from '../../sandbox/host/logger.ts';

export interface MemoryLog {
  logger: JsonLogger;
  entries: Array<Record<string, unknown> & { level: string; message: string }>;
  text(): string;
}

export function memoryLogger(level: LogLevel = 'debug'): MemoryLog {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = new JsonLogger({ level, stream });
  return {
    logger,
    get entries() {
      return lines.map((l) => JSON.parse(l));
    },
    text: () => lines.join('\n'),
  };
}
