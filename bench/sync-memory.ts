/**
 * Sync memory (issue 10, target 5): the peak RSS of one sync draining 5,000 and 100,000 orders
 * (fetch, store, host orders), each in a fresh process of its own (bench/import-throughput.ts
 * without its baselines), so the two peaks compare like for like. Flat means the sync holds a
 * page and a batch of orders at a time, never the backlog.
 *
 *   npx tsx bench/sync-memory.ts [--database sqlite|mysql] [--sizes 5000,100000]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { databaseKind, machineText, REPO_ROOT, runMain } from './support.ts';

const { values } = parseArgs({ options: { database: { type: 'string', default: 'sqlite' }, sizes: { type: 'string', default: '5000,100000' } } });
const database = databaseKind(values.database);

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const orders of values.sizes!.split(',').map(Number)) {
    const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asc-bench-memory-')), 'result.json');
    const args = ['--import', 'tsx', path.join(REPO_ROOT, 'bench/import-throughput.ts'), '--database', database, '--orders', String(orders), '--only', 'host', '--no-baseline', '--json', json];
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: REPO_ROOT });
    if (run.status !== 0) throw new Error(`the sync of ${orders} orders failed`);
    const [sync] = JSON.parse(fs.readFileSync(json, 'utf8')).measured as Array<{ ms: number; peakRssMiB: number; peakHeapMiB: number; rssBeforeMiB: number }>;
    rows.push(`| ${orders.toLocaleString('en-US')} | ${(sync!.ms / 1000).toFixed(1)} | ${sync!.rssBeforeMiB.toFixed(0)} | ${sync!.peakRssMiB.toFixed(0)} | ${(sync!.peakRssMiB - sync!.rssBeforeMiB).toFixed(0)} | ${sync!.peakHeapMiB.toFixed(0)} |`);
  }
  console.log(`machine: ${await machineText()}; ${database === 'mysql' ? 'MariaDB' : 'SQLite'}`);
  console.log('one sync draining a backlog (fetch + store + host orders), a fresh process each; RSS sampled every 20 ms\n');
  console.log('| orders | sync s | RSS before MiB | peak RSS MiB | peak - before | peak heap used MiB |\n|---:|---:|---:|---:|---:|---:|');
  console.log(rows.join('\n'));
}

runMain(main);
