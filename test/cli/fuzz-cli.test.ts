/**
 * Fuzzing every `asc` command (issue 11): seeded arguments built from each command's own flag
 * specs (valid flags with hostile values, unknown flags, missing values, repeated flags, positional
 * junk, very long and unusual unicode values), run in-process on a realistic database (two stores
 * synced from the Amazon sandbox, host orders shipped and canceled, outbox entries done, pending
 * and failed, a blocked order). Every case must: return from main (no crash), exit 0, 1 or 2 (0 or
 * 1 only for input the flag rules accept), show no SQL, database error code or stack trace, stay
 * bounded (a long value is never echoed whole), and leave the stored data exactly as it was when
 * the command is read-only or was refused. Replay a failure with `FUZZ_SEED=<seed>`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase, type TestDatabase } from '../support/databases.ts';
import { runCliInProcess, type CliResult } from '../support/cli.ts';
import { expectNoLeaks, forEachCase, FUZZ_SEED, type Fuzz } from '../support/fuzz.ts';
import { REPO_ROOT } from '../support/host.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import { SandboxClock, startAmazonSandbox, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { allCommands } from '../../sandbox/host/cli/main.ts';
import { createHost } from '../../sandbox/host/host.ts';
import { hostExtensions } from '../../sandbox/host/extensions.ts';
import type { CliCommandContribution, CliFlag } from '../../src/host/contributions.ts';

const MINUTE = 60_000;
/** Cases per database: as many as keep this file near 20 s per database on a 2-core machine. */
const CASES: Record<TestDatabase['kind'], number> = { sqlite: 1000, mysql: 600 };
/** What a refusal may print: one line or a few, never a whole 70,000-character value. */
const STDERR_LIMIT = 4096;
/** What a command that goes through every store may add per store (its error line and log lines). */
const STDERR_PER_STORE = 1536;
/** A value this long never comes back whole in a refusal or on stderr (the CLI shortens what it quotes). */
const LONG_VALUE = 1000;

/**
 * What the fuzz knows about each command. `read`: must never change stored data. `write`: may
 * change it when it succeeds (exit 0); refused (exit 2, or 1 for a refused write) it changes
 * nothing. `sandbox`: talks only to the Amazon sandbox, never to the database. `recordsFailures`:
 * an exit 1 is a run that failed and records why (a sync or a send Amazon refused), not a refusal.
 */
type Kind = 'read' | 'write' | 'sandbox';
interface Known {
  kind: Kind;
  recordsFailures?: true;
  /** Goes through every store, with a line (and log lines) for each one that fails. */
  perStore?: true;
}

const KNOWN: Record<string, Known> = {
  migrate: { kind: 'write' },
  'host:admin:create': { kind: 'write' },
  'host:product:set': { kind: 'write' },
  'host:orders:list': { kind: 'read' },
  'host:order:ship': { kind: 'write' },
  'host:order:cancel': { kind: 'write' },
  'host:order:creditmemo': { kind: 'write' },
  'app:credentials:set': { kind: 'write' },
  'app:credentials:show': { kind: 'read' },
  'store:add': { kind: 'write' },
  'store:list': { kind: 'read' },
  'store:status': { kind: 'write' },
  'store:connect': { kind: 'write', recordsFailures: true },
  'store:disconnect': { kind: 'write' },
  'settings:get': { kind: 'read' },
  'settings:set': { kind: 'write' },
  // Exit 1: a store failed to sync; its sync state records the error for the admin.
  sync: { kind: 'write', recordsFailures: true, perStore: true },
  'orders:list': { kind: 'read' },
  // Exit 1: still blocked; the attempt is recorded on the order (note, history) like every retry.
  'orders:retry': { kind: 'write', recordsFailures: true },
  'match:set': { kind: 'write' },
  'outbox:list': { kind: 'read' },
  // Exit 1: Amazon refused an entry; the entry records it (failed, lastError).
  'outbox:send': { kind: 'write', recordsFailures: true, perStore: true },
  'outbox:retry': { kind: 'write', recordsFailures: true },
  'orders:cancel': { kind: 'write' },
  'notifications:on': { kind: 'write' },
  'notifications:off': { kind: 'write' },
  'notifications:status': { kind: 'read' },
  'sandbox:order:place': { kind: 'sandbox' },
  'sandbox:token:revoke': { kind: 'sandbox' },
  'sandbox:order:cancel': { kind: 'sandbox' },
  'sandbox:order:list': { kind: 'sandbox' },
  'sandbox:clock:advance': { kind: 'sandbox' },
  'sandbox:clock:speed': { kind: 'sandbox' },
  'sandbox:fault:add': { kind: 'sandbox' },
  'sandbox:fault:clear': { kind: 'sandbox' },
  'sandbox:reset': { kind: 'sandbox' },
};

/** Not fuzzed, and why: each would run until a signal instead of answering. */
const NOT_FUZZED: Record<string, string> = {
  start: 'starts the admin, the cron runner and the Amazon sandbox and runs until SIGINT/SIGTERM (test/cli/cli.test.ts covers it as a child process)',
};

/** The commands `asc` offers, from the CLI's own list (a host built as main builds it, never connected). */
async function ascCommands(): Promise<CliCommandContribution[]> {
  const host = await createHost({ databaseUrl: 'sqlite::memory:', connect: false, env: {}, modules: [{ directory: REPO_ROOT }], extensions: hostExtensions });
  try {
    const runtime = { env: {}, cwd: REPO_ROOT, stdout: process.stdout, stderr: process.stderr, waitForShutdown: () => new Promise<string>(() => undefined) };
    return allCommands(host, runtime).map((c) => c.command);
  } finally {
    await host.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The flag rules as README states them, independently of sandbox/host/cli/flags.ts: the verdict
// says whether the host must refuse the arguments (exit 2) before the command runs.

const DAY = /^(\d{4})-(\d{2})-(\d{2})/;

function acceptable(flag: CliFlag, raw: string): boolean {
  switch (flag.type) {
    case 'string':
      // Half of a surrogate pair is no text (the host refuses it, see flags.ts).
      return raw.trim() !== '' && !/\p{Cs}/u.test(raw);
    case 'enum':
      return flag.values.includes(raw);
    case 'int':
      return /^-?\d+$/.test(raw) && (flag.min === undefined || Number(raw) >= flag.min);
    case 'decimal':
      return /^-?\d+(\.\d+)?$/.test(raw);
    case 'boolean':
      return raw === 'true' || raw === 'false';
    case 'date': {
      const day = DAY.exec(raw);
      if (!day || !(raw.length === 10 || raw[10] === 'T')) return false;
      const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
      const check = new Date(Date.UTC(year, month - 1, date));
      return check.getUTCMonth() === month - 1 && check.getUTCDate() === date && !Number.isNaN(Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw));
    }
    case 'switch':
      return false;
  }
}

type Verdict = 'help' | 'refused' | 'runs';

/** `refused`: the host must exit 2 before the command runs; `runs`: the command decides (0, 1 or 2). */
function verdict(command: CliCommandContribution, args: string[]): Verdict {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const flags = new Map(command.flags.map((f) => [f.name, f]));
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') return 'refused';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = flags.get(name);
    if (!flag || given.has(name)) return 'refused';
    given.add(name);
    if (flag.type === 'switch') {
      if (eq !== -1) return 'refused';
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) raw = args[++i];
    if (raw === undefined || !acceptable(flag, raw)) return 'refused';
  }
  for (const flag of command.flags) if (flag.type !== 'switch' && flag.required && !given.has(flag.name)) return 'refused';
  return 'runs';
}

// ---------------------------------------------------------------------------------------------
// Stored data: row counts and a hash of the rows of every table (module, host, bookkeeping).

type Snapshot = Record<string, { rows: number; hash: string }>;

async function tableNames(knex: Knex, kind: TestDatabase['kind']): Promise<string[]> {
  if (kind === 'sqlite') return (await knex('sqlite_master').where({ type: 'table' }).whereNot('name', 'like', 'sqlite_%').pluck('name')).sort();
  const [rows] = (await knex.raw('select table_name as name from information_schema.tables where table_schema = database()')) as [Array<{ name: string }>];
  return rows.map((r) => r.name).sort();
}

async function snapshot(knex: Knex, tables: string[]): Promise<Snapshot> {
  const out: Snapshot = {};
  await Promise.all(
    tables.map(async (table) => {
      const rows = (await knex(table).select('*')) as Array<Record<string, unknown>>;
      // Row order is not data: hash the rows sorted.
      const lines = rows.map((row) => JSON.stringify(row)).sort();
      out[table] = { rows: rows.length, hash: crypto.createHash('sha256').update(lines.join('\n')).digest('hex') };
    }),
  );
  return out;
}

function changedTables(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((t) => before[t]?.rows !== after[t]?.rows || before[t]?.hash !== after[t]?.hash).sort();
}

// ---------------------------------------------------------------------------------------------

/** An SP-API and LWA look-alike that refuses every request at once (a store pointed at a host nobody runs would wait on retries). */
async function startRefusingEndpoint(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_client', errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * How a case's arguments are made: all good values (past the flag checks, into the command), all
 * good but one hostile, hostile values anywhere, or mistakes on top.
 */
type Mode = 'good' | 'one-hostile' | 'hostile' | 'mistakes';
const MODES: readonly Mode[] = ['good', 'one-hostile', 'mistakes', 'hostile', 'one-hostile', 'good', 'mistakes', 'one-hostile', 'hostile', 'mistakes'];

/**
 * The order of the cases: every command in turn, a command with more flags (more to combine) more
 * often, and a command that does not exist (undefined) as often as the simplest one.
 */
function caseSchedule(commands: CliCommandContribution[]): Array<CliCommandContribution | undefined> {
  const weight = (c: CliCommandContribution | undefined) => 2 + (c?.flags.length ?? 0);
  const all = [...commands, undefined];
  // Spread each command's turns evenly over one round: its k-th turn at (k + 0.5) / weight.
  return all
    .flatMap((c, i) => Array.from({ length: weight(c) }, (_, k) => ({ c, at: (k + 0.5) / weight(c), i })))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((turn) => turn.c);
}

/**
 * A hostile value for a flag: Fuzz.text() mostly; for text also a good value made longer, around
 * the sizes columns and checks have (it passes the format checks and meets the length limits); for
 * numbers also the extremes the host's parser takes (15 digits, 4 decimals).
 */
function hostileValue(fuzz: Fuzz, flag: CliFlag, good: string): string {
  if (flag.type === 'string' && fuzz.chance(0.35)) return good + fuzz.pick(['a', 'é', '🦄', '0']).repeat(fuzz.pick([1, 200, 256, 511, 1_000, 2_100, 70_000]));
  if (flag.type === 'int' && fuzz.chance(0.3)) return fuzz.pick(['999999999999999', '-999999999999999', '0', '-0', '00001', '2147483648']);
  if (flag.type === 'decimal' && fuzz.chance(0.3)) return fuzz.pick(['999999999999999.9999', '-999999999999999', '0.0001', '-0', '00.10']);
  return fuzz.text();
}

describeEachDatabase('asc fuzzing, every command', (db) => {
  let amazon: RunningAmazonSandbox;
  /** What the sandbox:* commands drive: a sandbox of their own, so faults, resets and clock jumps stay off the stores' Amazon. */
  let scratch: RunningAmazonSandbox;
  let refusing: { url: string; close(): Promise<void> };
  let commands: CliCommandContribution[];
  const clock = new SandboxClock({ start: '2026-11-26T10:00:00Z', speed: 0 });
  const secretKey = crypto.randomBytes(32).toString('base64');

  /** asc in-process on the test database, on the sandbox's (frozen) clock, never starting a sandbox of its own. */
  const asc = (args: string[]): Promise<CliResult> =>
    runCliInProcess(args, {
      env: {
        DATABASE_URL: db().url,
        HOST_SECRET_KEY: secretKey,
        HOST_CLOCK_OFFSET_MS: String(clock.now() - Date.now()),
        AMAZON_SANDBOX: '0',
        AMAZON_SANDBOX_URL: scratch.url,
      },
    });
  const ok = async (...args: string[]): Promise<CliResult> => {
    const result = await asc(args);
    expect(result.code, `asc ${args.join(' ')}: ${result.stderr}`).to.equal(0);
    return result;
  };
  const json = async (...args: string[]) => JSON.parse((await ok(...args, '--json')).stdout);

  /** Good values per `command:flag`, then per flag name (a list, or made fresh: a seller id not yet taken); anything else from the flag's type. */
  const good: Record<string, readonly string[] | ((fuzz: Fuzz) => string)> = {};
  const goodValue = (fuzz: Fuzz, command: string, flag: CliFlag): string => {
    const known = good[`${command}:${flag.name}`] ?? good[flag.name];
    if (typeof known === 'function') return known(fuzz);
    return fuzz.pick(known ?? byType(flag));
  };
  const byType = (flag: CliFlag): readonly string[] => {
    switch (flag.type) {
      case 'enum':
        return [...flag.values];
      case 'int':
        return [String(flag.min ?? 0), '1', '2', '10'];
      case 'decimal':
        return ['12.50', '1', '0.99'];
      case 'date':
        return ['2026-11-26', '2026-11-26T09:00:00Z', '2026-11-01T00:00:00+02:00'];
      case 'boolean':
        return ['true', 'false'];
      default:
        return ['fuzz'];
    }
  };

  before(async function () {
    this.timeout(120_000);
    commands = await ascCommands();
    amazon = await startCheckedSandbox({ port: 0, clock });
    scratch = await startAmazonSandbox({ port: 0, clock: { start: '2026-11-26T10:00:00Z', speed: 0 }, seed: true });
    refusing = await startRefusingEndpoint();

    await ok('migrate');
    await ok('host:product:set', '--sku', 'MUG-BLUE-12OZ', '--name', 'Blue mug', '--qty', '50');
    await ok('host:product:set', '--sku', 'HOST-TEE', '--name', 'Host tee', '--qty', '10');
    await ok('host:product:set', '--sku', 'CAP-RED', '--name', 'Red cap', '--qty', '5', '--enabled', 'false');
    await ok('host:admin:create', '--username', 'admin', '--password', 'admin-password');
    const app = amazon.demoApp;
    const storeFlags = ['--seller-id', app.sellerId, '--client-id', app.clientId, '--client-secret', app.clientSecret, '--refresh-token', app.refreshToken,
      '--sp-api-endpoint', amazon.url, '--lwa-endpoint', amazon.lwaUrl, '--integrated-at', '2026-11-26T09:00:00Z'];
    await ok('store:add', '--name', 'Sandbox US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', ...storeFlags);
    await ok('store:add', '--name', 'Sandbox CA', '--region', 'na', '--marketplace-id', 'A2EUQ1WTGCTBG2', ...storeFlags);

    const place = (sku: string, extra: Record<string, unknown> = {}) =>
      amazon.placeOrder({ sellerId: app.sellerId, buyerName: 'Zoë Fuzz', items: [{ sku, qty: 1 }], status: 'UNSHIPPED', ...extra }).orderId;
    const [shipped, canceled, open, late] = [place('MUG-BLUE-12OZ'), place('MUG-BLUE-12OZ'), place('MUG-BLUE-12OZ', { items: [{ sku: 'MUG-BLUE-12OZ', qty: 3 }] }), place('MUG-BLUE-12OZ')];
    const blocked = place('TEE-BLK-M');
    place('CAP-RED');
    place('MUG-BLUE-12OZ', { status: 'PENDING' });
    place('MUG-BLUE-12OZ', { marketplaceId: 'A2EUQ1WTGCTBG2' });
    clock.advance(5 * MINUTE);
    await ok('sync');

    const hostOrders = (await json('host:orders:list')) as Array<{ id: string; number: string; externalReference: string }>;
    const hostId = (amazonOrderId: string) => hostOrders.find((o) => o.externalReference === amazonOrderId)!.id;
    await ok('host:order:ship', '--order', hostId(shipped!), '--carrier', 'ups', '--tracking', '1Z999');
    clock.advance(1000);
    await ok('outbox:send');
    await ok('orders:cancel', '--store', '1', '--order', canceled!, '--reason', 'out_of_stock');
    // Amazon cancels an order the host then ships: Amazon refuses the confirmation, the entry fails.
    amazon.cancelOrder(late!, { by: 'BUYER' });
    await ok('host:order:ship', '--order', hostId(late!), '--carrier', 'other', '--carrier-title', 'Courier X', '--tracking', 'CX1');
    clock.advance(1000);
    expect((await asc(['outbox:send', '--store', '1'])).code).to.equal(1);
    const outbox = (await json('outbox:list', '--store', '1')) as Array<{ id: number; state: string }>;
    expect(outbox.map((e) => e.state).sort()).to.deep.equal(['done', 'failed', 'sent']);

    const amazonIds = ((await json('orders:list', '--store', '1', '--limit', '0')) as Array<{ amazonOrderId: string }>).map((r) => r.amazonOrderId);
    expect(amazonIds).to.include.members([shipped, canceled, open, late, blocked]);
    const scratchIds = scratch.listOrders().map((o) => o.orderId);

    Object.assign(good, {
      store: ['1', '2', '3'],
      'host:order:ship:order': [hostId(open!), hostOrders.find((o) => o.externalReference === open)!.number, hostId(shipped!), '999'],
      'host:order:cancel:order': [hostId(open!), hostId(shipped!), hostOrders[0]!.number],
      'host:order:creditmemo:order': [hostId(shipped!), hostId(open!)],
      items: ['MUG-BLUE-12OZ:1', 'MUG-BLUE-12OZ:2,MUG-BLUE-12OZ:1', 'NOPE:1', 'MUG-BLUE-12OZ:99'],
      tracking: ['1Z999AA1', 'CX2'],
      'carrier-title': ['Courier X'],
      'orders:retry:order': [blocked, open, '113-0000000-0000000'],
      'orders:cancel:order': [open, shipped, canceled, blocked],
      'orders:list:order': ['113-', open],
      'outbox:retry:id': outbox.map((e) => String(e.id)).concat(['99']),
      'host:product:set:sku': ['MUG-BLUE-12OZ', 'HOST-TEE', 'CAP-RED', 'FUZZ-NEW'],
      'host:product:set:name': ['Fuzzed product'],
      'host:product:set:qty': ['0', '7', '50'],
      username: ['fuzzer', 'admin'],
      password: ['fuzz-password', 'short'],
      'store:add:name': ['Fuzz store'],
      'store:add:marketplace-id': ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2', 'A1AM78C64UM0Y8', 'A2Q3Y263D00KWC', 'A1PA6795UKMFR9'],
      'seller-id': (fuzz: Fuzz) => (fuzz.chance(0.2) ? app.sellerId : `A${fuzz.int(1e9)}FUZZ`),
      // All in region na but Germany: most new stores pass, and a region mismatch is refused.
      'store:add:region': ['na'],
      'client-id': [app.clientId],
      'client-secret': [app.clientSecret],
      'refresh-token': [app.refreshToken],
      'sp-api-endpoint': [amazon.url, refusing.url],
      'lwa-endpoint': [amazon.lwaUrl, `${refusing.url}/auth/o2/token`],
      'store-view': ['default', 'fr', 'nope'],
      'processing-status': ['amazon_processing', 'processing', 'nope'],
      'orders:list:status': ['Unshipped', 'Shipped,Canceled', 'Error'],
      from: ['2026-11-01', '2026-11-26T09:00:00Z'],
      to: ['2026-11-30', '2026-12-31T00:00:00Z'],
      buyer: ['zoë', 'FUZZ'],
      min: ['10', '0.5'],
      max: ['99.99', '1000'],
      'seller-sku': ['TEE-BLK-M', 'NOT-BLOCKED'],
      product: ['HOST-TEE', 'MUG-BLUE-12OZ', 'CAP-RED', 'NOPE'],
      'sandbox:order:place:sku': ['MUG-BLUE-12OZ', 'TEE-BLK-M'],
      'sandbox:order:cancel:order': [...scratchIds.slice(0, 3), '111-0000000-0000000'],
      'sandbox:order:cancel:reason': ['changed my mind'],
      minutes: ['1', '5', '60'],
      factor: ['0', '1', '60'],
      'delay-ms': ['0', '10'],
      price: ['19.99'],
    });
  });

  after(async () => {
    await refusing?.close();
    await scratch?.close();
    await amazon?.close();
  });

  it('every command is known to the fuzz, and the CLI lists exactly these', async () => {
    const names = commands.map((c) => c.name);
    expect(names.filter((n) => !(n in KNOWN) && !(n in NOT_FUZZED)), 'commands the fuzz does not know: add them to KNOWN').to.deep.equal([]);
    expect(Object.keys(KNOWN).filter((n) => !names.includes(n)), 'KNOWN lists commands asc no longer has').to.deep.equal([]);
    const help = await runCliInProcess(['--help'], { env: { DATABASE_URL: 'garbage' } });
    const listed = [...help.stdout.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]);
    expect(listed).to.deep.equal(names);
  });

  /**
   * One command's arguments from its flag specs. Some cases are well formed (good values, or all
   * but one good: they get past the flag checks and into the command), some have hostile values
   * anywhere, and some add mistakes: unknown, valueless, repeated or empty flags, positional junk,
   * a help request.
   */
  function argumentsFor(fuzz: Fuzz, command: CliCommandContribution, mode: Mode): string[] {
    const args: string[] = [];
    const included = command.flags.filter((flag) => {
      // Without the endpoints a store would point at the real Amazon: store:add always gets them.
      if (command.name === 'store:add' && flag.name.endsWith('-endpoint')) return true;
      const required = flag.type !== 'switch' && flag.required;
      return fuzz.chance(required ? (mode === 'good' || mode === 'one-hostile' ? 1 : 0.92) : 0.35);
    });
    const hostileOne = mode === 'one-hostile' && included.length > 0 ? fuzz.pick(included) : undefined;
    const value = (flag: CliFlag): string => {
      const goodOne = goodValue(fuzz, command.name, flag);
      const hostile = mode === 'good' ? false : mode === 'one-hostile' ? flag === hostileOne : fuzz.chance(0.5);
      let raw = hostile ? hostileValue(fuzz, flag, goodOne) : goodOne;
      // A store pointed at a host nobody runs would make every later sync wait on retries: keep
      // accepted endpoints local, at the endpoint that refuses at once.
      if (command.name === 'store:add' && flag.name.endsWith('-endpoint') && /^https?:/i.test(raw) && !raw.startsWith(amazon.url) && !raw.startsWith(refusing.url)) {
        raw = refusing.url;
      }
      return raw;
    };
    for (const flag of included) {
      if (flag.type === 'switch') {
        args.push(mode === 'mistakes' && fuzz.chance(0.1) ? `--${flag.name}=${fuzz.text()}` : `--${flag.name}`);
        continue;
      }
      const raw = value(flag);
      if (fuzz.chance(0.3)) args.push(`--${flag.name}=${raw}`);
      else args.push(`--${flag.name}`, raw);
    }
    if (mode !== 'mistakes') return args;
    const mistakes = 1 + fuzz.int(2);
    for (let i = 0; i < mistakes; i++) {
      const at = fuzz.int(args.length + 1);
      const flag = command.flags.length > 0 ? fuzz.pick(command.flags) : undefined;
      switch (fuzz.int(7)) {
        case 0: // an unknown flag, maybe with a value
          args.splice(at, 0, ...(fuzz.chance(0.5) ? [`--${fuzz.text()}`] : [`--${fuzz.pick(['jsn', 'store-id', 'STORE', 'help-me', ''])}`, fuzz.text()]));
          break;
        case 1: // a flag without its value, at the end or before another flag
          if (flag && flag.type !== 'switch') {
            if (fuzz.chance(0.5)) args.push(`--${flag.name}`);
            else args.splice(at, 0, `--${flag.name}`, '--json');
          }
          break;
        case 2: // a flag given twice
          if (flag) args.splice(at, 0, flag.type === 'switch' ? `--${flag.name}` : `--${flag.name}=${value(flag)}`);
          break;
        case 3: // positional junk
          args.splice(at, 0, fuzz.text());
          break;
        case 4: // a lone "--" or a single-dash flag
          args.splice(at, 0, fuzz.pick(['--', '-', '-json', '---store', '—json']));
          break;
        case 5: // an empty or whitespace value
          if (flag && flag.type !== 'switch') args.splice(at, 0, `--${flag.name}=${fuzz.pick(['', ' ', '\t'])}`);
          break;
        case 6: // help asked for among the junk
          if (fuzz.chance(0.3)) args.splice(at, 0, fuzz.pick(['--help', '-h']));
          break;
      }
    }
    return args;
  }

  it('survives hostile arguments for every command: bounded, leak-free answers, and refusals change nothing', async function () {
    this.timeout(300_000);
    const fuzzed = commands.filter((c) => !(c.name in NOT_FUZZED));
    const cases = Number(process.env.FUZZ_CLI_CASES ?? CASES[db().kind]);
    const tables = await tableNames(db().knex, db().kind);
    let stored = await snapshot(db().knex, tables);
    const exits = new Map<string, Record<number, number>>();
    const ran = new Set<string>();
    const schedule = caseSchedule(fuzzed);
    const seen = new Map<string, number>();

    await forEachCase(cases, FUZZ_SEED, async (fuzz, n) => {
      // The sandbox's (and so the host's) time moves on between cases, so rate limits refill and due work comes due.
      clock.advance(MINUTE);
      const command = schedule[n % schedule.length];
      // Each command's cases go through the modes in turn, its first one good.
      const index = seen.get(command?.name ?? '') ?? 0;
      seen.set(command?.name ?? '', index + 1);
      let argv: string[];
      let expected: Verdict;
      if (command) {
        const args = argumentsFor(fuzz, command, MODES[index % MODES.length]!);
        argv = [command.name, ...args];
        expected = verdict(command, args);
      } else {
        let name = fuzz.text();
        while (commands.some((c) => c.name === name) || ['--help', '-h', 'help'].includes(name)) name = fuzz.text();
        argv = fuzz.chance(0.2) ? [] : [name, ...(fuzz.chance(0.5) ? [`--${fuzz.text()}`, fuzz.text()] : [])];
        // No command, or one that does not exist, is a usage error whatever follows (--help included).
        expected = 'refused';
      }
      const what = `asc ${argv.map((a) => (a.length > 60 ? `${a.slice(0, 60)}…(${a.length})` : a)).join(' ')}`;

      let result: CliResult;
      try {
        result = await asc(argv);
      } catch (error) {
        throw new Error(`${what} threw out of main: ${(error as Error).stack}`);
      }
      const { code, stdout, stderr } = result;
      const output = `${stdout}\n${stderr}`;
      const key = command?.name ?? '(unknown command)';
      const tally = exits.get(key) ?? {};
      tally[code] = (tally[code] ?? 0) + 1;
      exits.set(key, tally);
      if (command && expected === 'runs') ran.add(command.name);

      expect([0, 1, 2], `${what}: exit code\n${stderr.slice(0, 500)}`).to.include(code);
      if (expected === 'help') {
        expect(code, `${what}: help\n${stderr.slice(0, 300)}`).to.equal(0);
        expect(stdout, what).to.contain(`Usage: asc ${command!.name}`);
      }
      if (expected === 'refused') expect(code, `${what}: the flag rules refuse this, so it must exit 2\n${stdout.slice(0, 300)}${stderr.slice(0, 300)}`).to.equal(2);
      expectNoLeaks(output, what);
      const after = await snapshot(db().knex, tables);
      const known = command ? KNOWN[command.name]! : { kind: 'read' as Kind };
      const stderrLimit = STDERR_LIMIT + (known.perStore ? after.amazon_store!.rows * STDERR_PER_STORE : 0);
      expect(stderr.length, `${what}: stderr is ${stderr.length} characters: ${stderr.slice(0, 300)}…`).to.be.at.most(stderrLimit);
      // What a command stored, it may print when it succeeds (a placed sandbox order shows its buyer);
      // a refusal or failure quotes what was typed only shortened.
      const quoting = code === 0 ? stderr : output;
      for (const arg of argv) {
        for (const value of [arg, arg.slice(arg.indexOf('=') + 1)]) {
          if (value.length > LONG_VALUE) expect(quoting.includes(value), `${what}: exit ${code} echoes a ${value.length}-character value whole`).to.equal(false);
        }
      }

      if (known.kind === 'sandbox') {
        // The sandbox refuses what it cannot do (400) and stays usable: no internal failure, its clock still answers.
        expect(stderr, `${what}: the sandbox failed`).to.not.include('InternalFailure');
        const health = await fetch(`${scratch.url}/_sandbox/clock`);
        const answer = await health.text();
        expect(health.status, `${what} left the sandbox answering ${health.status}: ${answer.slice(0, 300)}`).to.equal(200);
      }
      const refusedWrite = code === 2 || (code === 1 && !known.recordsFailures);
      if (known.kind !== 'write' || refusedWrite) {
        const changed = changedTables(stored, after);
        expect(changed, `${what} (exit ${code}, ${known.kind}) changed stored data\n${stderr.slice(0, 500)}`).to.deep.equal([]);
      }
      stored = after;
    });

    // The fuzz reached past the flag checks: every command ran at least once with arguments it accepted.
    expect(fuzzed.map((c) => c.name).filter((name) => !ran.has(name)), 'commands never run past their flag checks').to.deep.equal([]);
    if (process.env.FUZZ_CLI_REPORT) console.log(Object.fromEntries(exits));
  });
});
