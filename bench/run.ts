/**
 * `npm run bench`: every benchmark at full size, each in a process of its own (so one's heap and
 * caches do not weigh on the next). `npm run bench -- --smoke` runs them all at tiny sizes in
 * seconds, on SQLite and, when it answers, on MariaDB, so CI keeps the benchmark code working; its
 * figures mean nothing. Nothing here checks a time: the benchmarks report, people judge.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mariadbAnswers, REPO_ROOT, runMain } from './support.ts';

function readSmoke(): boolean {
  try {
    return parseArgs({ options: { smoke: { type: 'boolean', default: false } } }).values.smoke!;
  } catch (error) {
    console.error(`${(error as Error).message}\nnpm run bench takes only --smoke; run one benchmark with its options as npx tsx bench/import-throughput.ts --orders 500 or npx tsx bench/grid.ts --database sqlite`);
    process.exit(2);
  }
}
const smoke = readSmoke();

interface Run {
  script: string;
  args: string[];
  mysql: boolean;
}

const FULL: Run[] = [
  { script: 'import-throughput.ts', args: ['--database', 'sqlite'], mysql: false },
  { script: 'import-throughput.ts', args: ['--database', 'mysql'], mysql: true },
  { script: 'sync-memory.ts', args: ['--database', 'mysql'], mysql: true },
  { script: 'grid.ts', args: ['--database', 'mysql', '--stores', '1', '--orders', '1000000'], mysql: true },
  { script: 'grid.ts', args: ['--database', 'mysql', '--stores', '10', '--orders', '1000000'], mysql: true },
  { script: 'grid.ts', args: ['--database', 'sqlite', '--stores', '1', '--orders', '200000'], mysql: false },
  { script: 'order-latency.ts', args: ['--database', 'mysql'], mysql: true },
  { script: 'api-efficiency.ts', args: ['--database', 'mysql'], mysql: true },
  { script: 'outbound-rate.ts', args: ['--database', 'mysql'], mysql: true },
];

const SMOKE_GRID = ['--orders', '2000', '--runs', '2', '--sample', '40', '--temporary'];
const SMOKE: Run[] = [
  { script: 'import-throughput.ts', args: ['--database', 'sqlite', '--orders', '20'], mysql: false },
  { script: 'import-throughput.ts', args: ['--database', 'mysql', '--orders', '20', '--profile'], mysql: true },
  { script: 'sync-memory.ts', args: ['--database', 'sqlite', '--sizes', '20,40'], mysql: false },
  { script: 'grid.ts', args: ['--database', 'sqlite', ...SMOKE_GRID], mysql: false },
  // Two stores, so the per-store code paths run too.
  { script: 'grid.ts', args: ['--database', 'mysql', '--stores', '2', ...SMOKE_GRID], mysql: true },
  { script: 'order-latency.ts', args: ['--database', 'sqlite', '--smoke'], mysql: false },
  { script: 'api-efficiency.ts', args: ['--database', 'sqlite', '--smoke'], mysql: false },
  { script: 'outbound-rate.ts', args: ['--database', 'sqlite', '--smoke'], mysql: false },
];

async function main(): Promise<void> {
  const withMysql = await mariadbAnswers();
  if (!withMysql) console.log('MariaDB does not answer at BENCH_MYSQL_URL: the MariaDB benchmarks are skipped');
  const failed: string[] = [];
  const started = performance.now();
  for (const run of smoke ? SMOKE : FULL) {
    if (run.mysql && !withMysql) continue;
    const name = `${run.script} ${run.args.join(' ')}`;
    console.log(`\n=== ${name}`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench', run.script), ...run.args], { stdio: 'inherit', cwd: REPO_ROOT });
    if (result.status !== 0) failed.push(name);
  }
  console.log(`\n${smoke ? 'smoke run' : 'benchmarks'} finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failed.length > 0) {
    console.error(`failed:\n${failed.map((name) => `  ${name}`).join('\n')}`);
    process.exit(1);
  }
}

runMain(main);
