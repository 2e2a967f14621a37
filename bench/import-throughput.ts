/**
 * Import throughput (issue 10, target 3): one sync of N Amazon orders of 1 to 5 items, each
 * figure beside its baseline from the same run on the same database:
 *
 *   stored only      the sync with import switched off (fetch + validate + store)
 *     baseline       a plain batched knex insert of the very rows that sync wrote
 *   with host orders the sync with import on, on a fresh database (fetch + store + host orders)
 *     baseline       the host creating the same orders directly (the requests the import made,
 *                    replayed one by one on a fresh database, as the importer calls it)
 *
 * Amazon runs in a process of its own (bench/amazon-process.ts, searchOrders' limit lifted), so
 * the CPU figures are this process's (the module and the host; SQLite runs in it too) and, on
 * MariaDB, the server's (read from /proc). `--profile` profiles the sync with host orders and
 * says where its time goes (it slows the run a little; its rate is not the measured one then).
 *
 *   npx tsx bench/import-throughput.ts [--orders 50000] [--database sqlite|mysql] [--only stored|host] [--profile] [--no-baseline] [--json path]
 *
 * `--no-baseline` measures the syncs alone (bench/sync-memory.ts: nothing kept for a baseline
 * weighs on their memory).
 *
 * MariaDB databases asc_bench_import_{stored,host,baseline} on BENCH_MYSQL_URL's server are made
 * afresh and dropped at the end.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { createHost, type Host } from '../sandbox/host/host.ts';
import { Stores } from '../src/stores/stores.ts';
import { OrderSync, type StoreSyncResult, type SyncOptions } from '../src/sync/order-sync.ts';
import type { CreateOrderRequest } from '../src/host/ports.ts';
import { AMAZON_START, BENCH_SKUS } from './amazon-process.ts';
import { profiled, profileText } from './cpu-profile.ts';
import { databaseKind, dropMysqlDatabase, emptyMysqlDatabase, machineText, REPO_ROOT, runMain, silentLogger, tempSqliteUrl, tempVarDir } from './support.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '50000' },
    database: { type: 'string', default: 'sqlite' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const count = Number(values.orders);
const withBaselines = !values['no-baseline'];
const database = databaseKind(values.database);
if (values.only !== undefined && values.only !== 'stored' && values.only !== 'host') throw new Error(`--only must be stored or host, not ${values.only}`);
const MINUTE = 60_000;
/**
 * A host's time: from Amazon's (frozen) clock five minutes after the orders were placed when the
 * host is made, on in real time. It must move: the module's rate limiter refills its buckets by
 * it, and a frozen host clock leaves the sync waiting for tokens that never come, a few at a time.
 */
function hostClock(): { now(): Date } {
  const start = Date.parse(AMAZON_START) + 5 * MINUTE - performance.now();
  return { now: () => new Date(start + performance.now()) };
}
/** The tables a sync writes a row or more to per order (what the plain-insert baseline writes). */
const ORDER_TABLES = ['amazon_order', 'amazon_order_item', 'amazon_order_search_gram', 'amazon_order_log'] as const;
/** Columns the database derives (the plain insert leaves them to it, as the module's does). */
const GENERATED_COLUMNS = ['needs_attention', 'note_sort'];
const MYSQL_DATABASES: string[] = [];
let machine = '';

interface AmazonProcess {
  url: string;
  lwaUrl: string;
  app: { sellerId: string; clientId: string; clientSecret: string; refreshToken: string };
  close(): void;
}

async function startAmazon(orders: number): Promise<AmazonProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/amazon-process.ts'), '--orders', String(orders)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([
    readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((next) => [next.value as string | undefined]),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`the Amazon sandbox process exited (${code})`)))),
  ])) as [string | undefined];
  return { ...JSON.parse(line!), close: () => child.stdin.end() };
}

async function databaseUrl(name: string): Promise<string> {
  if (database === 'sqlite') return tempSqliteUrl();
  MYSQL_DATABASES.push(name);
  return emptyMysqlDatabase(name);
}

async function newHost(name: string): Promise<Host> {
  const host = await createHost({
    databaseUrl: await databaseUrl(name),
    clock: hostClock(),
    logger: silentLogger,
    modules: [{ directory: REPO_ROOT }],
    secretKey: crypto.randomBytes(32),
    varDir: tempVarDir(),
  });
  await host.migrate();
  machine ||= await machineText(host.knex);
  for (const sku of BENCH_SKUS) await host.services.catalog.create({ sku, name: sku, qty: 100_000_000, enabled: true, manageStock: true });
  return host;
}

async function addStore(host: Host, amazon: AmazonProcess): Promise<number> {
  const store = await host.container.get(Stores).add({
    name: 'Bench', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: amazon.app.sellerId, clientId: amazon.app.clientId, clientSecret: amazon.app.clientSecret,
    refreshToken: amazon.app.refreshToken, spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl, integratedAt: new Date(Date.parse(AMAZON_START) - MINUTE),
  });
  return store.id;
}

/** CPU time of the MariaDB server, from /proc (null where it cannot be read: another machine). */
function databaseServerCpuMs(): number | null {
  if (database !== 'mysql') return null;
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  for (const pid of fs.existsSync('/proc') ? fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)) : []) {
    try {
      if (!['mariadbd', 'mysqld'].includes(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) continue;
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    } catch {
      continue;
    }
  }
  return null;
}

/** Reads InnoDB could not serve from its buffer pool, and its fsyncs (MariaDB only). */
async function innodbCounters(db: Knex): Promise<Record<string, number> | null> {
  if (database !== 'mysql') return null;
  const [rows] = (await db.raw("show global status where variable_name in ('Innodb_buffer_pool_reads', 'Innodb_data_fsyncs')")) as [Array<{ Variable_name: string; Value: string }>];
  return Object.fromEntries(rows.map((row) => [row.Variable_name, Number(row.Value)]));
}

interface Measured {
  label: string;
  ms: number;
  cpuMs: number;
  databaseCpuMs: number | null;
  peakRssMiB: number;
  peakHeapMiB: number;
  rssBeforeMiB: number;
  /** On MariaDB: what InnoDB did meanwhile (server-wide counters). */
  innodb: Record<string, number> | null;
}

/** Runs `work`, measuring its time, this process's CPU and RSS, and the database server's CPU. */
async function measure(label: string, db: Knex, work: () => Promise<void>): Promise<Measured> {
  const innodbBefore = await innodbCounters(db);
  const rssBefore = process.memoryUsage.rss();
  let peakRss = rssBefore;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 20);
  const databaseCpu = databaseServerCpuMs();
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const databaseCpuAfter = databaseServerCpuMs();
  const innodbAfter = await innodbCounters(db);
  return {
    label, ms, cpuMs: (used.user + used.system) / 1000,
    databaseCpuMs: databaseCpu === null || databaseCpuAfter === null ? null : databaseCpuAfter - databaseCpu,
    peakRssMiB: Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20,
    peakHeapMiB: peakHeap / 2 ** 20,
    rssBeforeMiB: rssBefore / 2 ** 20,
    innodb: innodbBefore && innodbAfter ? Object.fromEntries(Object.entries(innodbAfter).map(([name, value]) => [name, value - innodbBefore[name]!])) : null,
  };
}

async function sync(host: Host, storeId: number, progress?: SyncOptions['progress']): Promise<StoreSyncResult> {
  const [result] = await host.container.get(OrderSync).run({ storeId, progress });
  if (result!.result !== 'ok') throw new Error(`the sync did not finish: ${JSON.stringify(result)}`);
  return result!;
}

/** Stored only: the sync with import off, then the plain insert of the rows it wrote. */
async function storedOnly(amazon: AmazonProcess): Promise<Measured[]> {
  const host = await newHost('asc_bench_import_stored');
  try {
    const storeId = await addStore(host, amazon);
    const change = await host.container.get(Stores).updateSettings(storeId, { importEnabled: false });
    if (!change.ok) throw new Error(`could not switch import off: ${JSON.stringify(change)}`);
    let result: StoreSyncResult | undefined;
    const stored = await measure('stored only: sync, import off (fetch + store)', host.knex, async () => {
      result = await sync(host, storeId);
    });
    if (result!.new !== count || result!.imported !== 0) throw new Error(`the sync stored ${result!.new} of ${count} orders and imported ${result!.imported}`);
    if (!withBaselines) return [stored];

    // The very rows the sync wrote, taken out and written again, plainly.
    const rows = new Map<string, Array<Record<string, unknown>>>();
    for (const table of ORDER_TABLES) {
      const selected: Array<Record<string, unknown>> = await host.knex(table).select();
      rows.set(table, selected.map((r) => Object.fromEntries(Object.entries(r).filter(([column]) => !GENERATED_COLUMNS.includes(column)))));
    }
    for (const table of [...ORDER_TABLES].reverse()) await host.knex(table).delete();
    const written = ORDER_TABLES.map((table) => `${rows.get(table)!.length.toLocaleString('en-US')} ${table}`).join(', ');
    const plain = await measure(`baseline: plain batched knex insert (${written} rows)`, host.knex, async () => {
      for (const table of ORDER_TABLES) await host.knex.batchInsert(table, rows.get(table)!, 500);
    });
    const [{ n }] = (await host.knex('amazon_order').count({ n: '*' })) as Array<{ n: number | string }>;
    if (Number(n) !== count) throw new Error(`the plain insert wrote ${n} orders, not ${count}`);
    return [stored, plain];
  } finally {
    await host.close();
  }
}

/** With host orders: the sync with import on, then the host creating the same orders itself. */
async function withHostOrders(amazon: AmazonProcess): Promise<{ measured: Measured[]; profile: string | null; phases: string }> {
  const requests: CreateOrderRequest[] = [];
  const host = await newHost('asc_bench_import_host');
  let imported: Measured;
  let profile: string | null = null;
  let phases = '';
  try {
    const storeId = await addStore(host, amazon);
    const orders = host.services.orders;
    const create = orders.create.bind(orders);
    let createMs = 0;
    orders.create = async (request) => {
      if (withBaselines) requests.push(request);
      const started = performance.now();
      try {
        return await create(request);
      } finally {
        createMs += performance.now() - started;
      }
    };
    let result: StoreSyncResult | undefined;
    let storedAt = 0;
    const run = async () => {
      const started = performance.now();
      result = await sync(host, storeId, (event) => {
        if (event.kind === 'page') storedAt = performance.now();
      });
      const ms = (from: number, to: number) => `${((to - from) / count).toFixed(2)} ms/order`;
      phases = `phases of the sync with host orders: fetch + store ${ms(started, storedAt)}; import ${ms(storedAt, performance.now())}, of which the host's create ${(createMs / count).toFixed(2)} ms/order`;
    };
    imported = await measure('with host orders: sync, import on (fetch + store + create)', host.knex, async () => {
      if (!values.profile) return run();
      const file = path.join(REPO_ROOT, 'bench/results', `import-${database}-${count}.cpuprofile`);
      profile = `${profileText((await profiled(run, file)).summary, count)}\n  (raw profile: ${path.relative(REPO_ROOT, file)}; open it in Chrome DevTools)`;
    });
    if (result!.imported !== count || (withBaselines && requests.length !== count)) throw new Error(`the sync imported ${result!.imported} of ${count} orders with ${requests.length} host calls`);
  } finally {
    await host.close();
  }
  if (!withBaselines) return { measured: [imported], profile, phases };

  const baselineHost = await newHost('asc_bench_import_baseline');
  try {
    const direct = await measure('baseline: the host creating the same orders directly', baselineHost.knex, async () => {
      for (const request of requests) {
        const created = await baselineHost.services.orders.create(request);
        if (!created.ok) throw new Error(created.rejection.message);
      }
    });
    return { measured: [imported, direct], profile, phases };
  } finally {
    await baselineHost.close();
  }
}

function row(m: Measured, baseline?: Measured): string {
  const rate = (count / m.ms) * 1000;
  const cells = [
    m.label,
    (m.ms / 1000).toFixed(1),
    rate.toFixed(0),
    baseline ? `${(rate / ((count / baseline.ms) * 1000)).toFixed(2)}x` : '',
    (m.cpuMs / count).toFixed(2),
    ...(database === 'mysql' ? [m.databaseCpuMs === null ? '?' : (m.databaseCpuMs / count).toFixed(2)] : []),
    m.peakRssMiB.toFixed(0),
    ...(m.innodb ? [(m.innodb.Innodb_buffer_pool_reads! / count).toFixed(1), (m.innodb.Innodb_data_fsyncs! / count).toFixed(2)] : []),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  fs.mkdirSync(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
  const amazon = await startAmazon(count);
  try {
    const stored = values.only === 'host' ? [] : await storedOnly(amazon);
    const host = values.only === 'stored' ? { measured: [], profile: null, phases: '' } : await withHostOrders(amazon);

    const items = Array.from({ length: count }, (_, i) => 1 + (i % 5)).reduce((a, b) => a + b, 0);
    console.log(`machine: ${machine}`);
    console.log(`${count.toLocaleString('en-US')} orders (${items.toLocaleString('en-US')} items) on ${database === 'mysql' ? 'MariaDB' : 'SQLite'}; Amazon in its own process\n`);
    const mysql = database === 'mysql';
    console.log(`| | s | orders/s | of baseline | CPU ms/order (module + host${mysql ? '' : ' + SQLite'}) |${mysql ? ' MariaDB CPU ms/order |' : ''} peak RSS MiB |${mysql ? ' InnoDB reads from disk /order | fsyncs /order |' : ''}`);
    console.log(`|---|---:|---:|---:|---:|---:|${mysql ? '---:|---:|---:|' : ''}`);
    for (const [measured, baseline] of [stored, host.measured]) {
      if (measured) console.log([row(measured, baseline), ...(baseline ? [row(baseline)] : [])].join('\n'));
    }
    const rate = (m: Measured) => (count / m.ms) * 1000;
    if (stored.length > 1) console.log(`\nstored only: ${(rate(stored[0]!) / rate(stored[1]!)).toFixed(2)}x the plain insert (target at least 0.5x)`);
    if (host.measured.length > 1) {
      const [imported, direct] = host.measured as [Measured, Measured];
      const target = database === 'mysql' ? 'target at least 300 orders/s on MariaDB and 0.8x' : 'target at least 0.8x';
      console.log(`with host orders: ${rate(imported).toFixed(0)} orders/s, ${(rate(imported) / rate(direct)).toFixed(2)}x the host's own creation (${target})`);
    }
    if (host.phases) console.log(host.phases);
    if (host.profile) console.log(`\n${host.profile}`);
    const json = values.json ?? path.join(REPO_ROOT, 'bench/results', `import-${database}-${count}.json`);
    fs.writeFileSync(json, JSON.stringify({ machine, database, orders: count, items, measured: [...stored, ...host.measured] }, null, 2));
  } finally {
    amazon.close();
    for (const name of MYSQL_DATABASES) await dropMysqlDatabase(name);
  }
}

runMain(main);
