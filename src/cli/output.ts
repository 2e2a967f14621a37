/** How the module's commands print: stable JSON for --json, an aligned table for people. */
import type { CliIO } from '../host/contributions.ts';

export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(io: CliIO, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): void {
  const widths = columns.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: ReadonlyArray<string>) => cells.map((cell, i) => (cell ?? '').padEnd(widths[i])).join('  ').trimEnd();
  io.stdout.write(`${[line(columns), ...rows.map(line)].join('\n')}\n`);
}

/** The exit code of a command stopped by SIGINT or SIGTERM after cleaning up (as shells use for SIGINT). */
export const INTERRUPTED = 130;
