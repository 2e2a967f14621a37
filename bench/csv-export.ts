/**
 * Target 2 of issue 10: the CSV export of a whole store over real HTTP, read as a browser would
 * download it. Reports rows/s and the process's RSS (the host serves it in this process; the
 * reading side only counts lines) before the export, when a tenth and half of the rows have
 * arrived, and at its peak: constant memory shows as the same figure at a tenth and at the end.
 */
import { AdminClient } from '../test/support/admin-client.ts';

export interface CsvExportResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** RSS in MiB: before the request, at 10% and 50% of the rows, and the peak during the export. */
  rss: { before: number; atTenth: number; atHalf: number; peak: number };
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function measureCsvExport(baseUrl: string, client: AdminClient, path: string, expectedRows: number): Promise<CsvExportResult> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  let lines = 0;
  let atTenth = 0;
  let atHalf = 0;
  try {
    const response = await fetch(new URL(path, baseUrl), { headers: { cookie: client.cookieHeader() } });
    if (response.status !== 200 || !response.body) throw new Error(`the CSV export answered ${response.status}`);
    let quoted = false;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      // Every line ends in CRLF; a line break inside a quoted cell is not one ("" toggles twice).
      for (const byte of chunk) {
        if (byte === 0x22) quoted = !quoted;
        else if (byte === 0x0a && !quoted) lines += 1;
      }
      if (atTenth === 0 && lines >= expectedRows / 10) atTenth = process.memoryUsage().rss;
      if (atHalf === 0 && lines >= expectedRows / 2) atHalf = process.memoryUsage().rss;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  // The header line is not a row.
  const rows = lines - 1;
  if (rows !== expectedRows) throw new Error(`the CSV export held ${rows} rows, the store ${expectedRows}`);
  return { rows, seconds, rowsPerSecond: Math.round(rows / seconds), rss: { before: mib(before), atTenth: mib(atTenth), atHalf: mib(atHalf), peak: mib(peak) } };
}

export function csvExportText(result: CsvExportResult): string {
  const { rss } = result;
  return [
    `| rows | seconds | rows/s | RSS before MiB | at 10% | at 50% | peak | peak - before |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|`,
    `| ${result.rows.toLocaleString('en-US')} | ${result.seconds.toFixed(1)} | ${result.rowsPerSecond.toLocaleString('en-US')} | ${rss.before} | ${rss.atTenth} | ${rss.atHalf} | ${rss.peak} | ${Math.round((rss.peak - rss.before) * 10) / 10} |`,
  ].join('\n');
}
