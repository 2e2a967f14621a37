/**
 * Database faults during `asc sync` and `asc outbox:send`: the MariaDB connection killed (KILL
 * CONNECTION from a second connection) while a page is saved, between a host order's creation and
 * its recording, and after Amazon accepted a shipment but before its outbox entry is marked; and
 * the database turning read-only, or full, while a sync runs. Each time the run ends as a failure
 * that says what happened (no SQL, no stack), keeps nothing half-written, and the next run
 * completes: every order one host order, every shipment one confirmation, no gap in the cursor.
 *
 * The points are chosen by the database, not by timing: for a kill the test holds a row lock the
 * worker's next statement needs, waits until information_schema.processlist shows the worker
 * running exactly that statement, and kills that connection; the database turns read-only or
 * full right after Amazon answered the page (a stub around the page read). Only connections to
 * the test's own database are ever looked at or killed: other suites share the server.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import type { Knex } from 'knex';
import { describeOnDatabase, type TestDatabase } from '../support/databases.ts';
import { openDatabase } from '../../sandbox/host/database.ts';
import { fromDb } from '../../src/db/time.ts';
import { runCli, runCliInProcess, type CliResult } from '../support/cli.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import { appliedConfirmations } from '../support/fulfillment.ts';
import { emptyOrderTables } from '../support/e2e.ts';
import type { RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { Host } from '../../sandbox/host/host.ts';
import { AmazonOrderReader } from '../../src/sync/amazon-order-reader.ts';
import { Fulfillment } from '../../src/fulfillment/fulfillment.ts';
import { LEASE_TTL_MS } from '../../src/sync/store-lease.ts';
import type { StoreSyncResult } from '../../src/sync/order-sync.ts';
import type { OutboxRunResult } from '../../src/fulfillment/outbox-sender.ts';

const MINUTE = 60_000;
const MUG = 'MUG-BLUE-12OZ';
const TEE = 'TEE-BLK-M';

/**
 * A connection killed under a statement. (The code depends on whether the server's goodbye arrived
 * first; inside a transaction it is the ROLLBACK on the dead connection that fails, without one.)
 */
const CONNECTION_LOST = /^database error( PROTOCOL_CONNECTION_LOST| ER_CONNECTION_KILLED)?: the connection to the database was lost$/;

/** What no output of a faulted run may show: SQL (with its values) or a stack trace. */
const SQL_OR_STACK = /\b(select|insert into|update|delete from)\b.*`|\bROLLBACK\b|\n\s+at .+:\d+:\d+/i;

/** The MySQL database of TEST_MYSQL_URL: the only one whose connections and grants this file touches. */
const databaseName = () => decodeURIComponent(new URL(process.env.TEST_MYSQL_URL!).pathname.slice(1));

/** The mysql2 connections of a knex pool, idle or lent (tarn keeps them in `free` and `used`). */
function pooled(knex: Knex): Array<{ threadId: number }> {
  const pool = knex.client.pool as unknown as { free: Array<{ resource: { threadId: number } }>; used: Array<{ resource: { threadId: number } }> };
  return [...pool.free, ...pool.used].map((r) => r.resource);
}

/**
 * `asc ...args` in this process (so that a stub can strike at the worker's connection), failing
 * the test if any promise rejection went unhandled meanwhile.
 */
async function ascWatched(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', listener);
  try {
    const run = await runCliInProcess(args, { env });
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled, 'unhandled rejections').to.deep.equal([]);
    return run;
  } finally {
    process.off('unhandledRejection', listener);
  }
}

/**
 * A store on the Amazon sandbox (fresh for each test) and the test database
 * emptied of orders, driven with `asc`; `workerUrl` is the DATABASE_URL the runs use.
 */
function useWorld(db: () => TestDatabase, workerUrl: () => string = () => db().url) {
  let amazon: RunningAmazonSandbox;
  let secretKey: string;
  let offset = 0;
  const w = {
    storeId: 0,
    get amazon() {
      return amazon;
    },
    env: (): NodeJS.ProcessEnv => ({ DATABASE_URL: workerUrl(), HOST_SECRET_KEY: secretKey, LOG_LEVEL: 'warn', AMAZON_SANDBOX: '0', HOST_CLOCK_OFFSET_MS: String(offset) }),
    /** `asc ...` in this process (quick): everything but the runs a fault hits from outside. */
    async asc(...args: string[]): Promise<CliResult> {
      const result = await runCliInProcess(args, { env: w.env() });
      if (result.code !== 0) throw new Error(`asc ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
      return result;
    },
    async syncJson(): Promise<StoreSyncResult> {
      return (JSON.parse((await w.asc('sync', '--json')).stdout) as StoreSyncResult[])[0]!;
    },
    /** Amazon's orders are seen by a search two minutes after their last change; `asc` shares Amazon's clock. */
    settle(ms = 3 * MINUTE) {
      amazon.advanceClock(ms);
      offset = amazon.now().getTime() - Date.now();
    },
    place: (sku: string, qty = 1) =>
      amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, marketplaceId: 'ATVPDKIKX0DER', items: [{ sku, qty }], fulfilledBy: 'MERCHANT', status: 'UNSHIPPED' }).orderId,
    syncState: () => db().knex('amazon_sync_state').where({ store_id: w.storeId }).first(),
    async hostOrderCounts(): Promise<Map<string, number>> {
      const rows: Array<{ external_reference: string; n: number | string }> = await db().knex('host_order').select('external_reference').count({ n: '*' }).groupBy('external_reference');
      return new Map(rows.map((row) => [row.external_reference, Number(row.n)]));
    },
    /** Three stored orders the next run imports: they waited for a product the catalog did not have. */
    async ordersReadyToImport(): Promise<{ ids: string[]; rows: Array<{ id: number }> }> {
      const ids = [w.place(TEE), w.place(TEE), w.place(TEE)];
      w.settle();
      expect(await w.syncJson()).to.include({ result: 'ok', imported: 0, blocked: 3 });
      await w.asc('host:product:set', '--sku', TEE, '--name', 'Tee', '--qty', '100');
      return { ids, rows: await db().knex('amazon_order').whereIn('amazon_order_id', ids).select('id') };
    },
    logLines: (run: CliResult) =>
      run.stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: string; message: string; error?: string }),
    /**
     * The run ended as a failure and said so, and nothing else: no SQL or stack in its output, and
     * on stderr only JSON log lines and the one line per failed store.
     */
    expectCleanRun(run: CliResult): void {
      expect(run.stdout, 'stdout').to.not.match(SQL_OR_STACK);
      expect(run.stderr, 'stderr').to.not.match(SQL_OR_STACK);
      for (const line of run.stderr.split('\n').filter(Boolean)) {
        if (line.startsWith(`store ${w.storeId}: `)) continue;
        expect(() => JSON.parse(line), `a stderr line that is not a log line: ${line}`).to.not.throw();
      }
    },
    /** Nothing half-written: every host order has its items, every stored Amazon order its items. */
    async expectNoHalfWrites(): Promise<void> {
      const knex = db().knex;
      expect(await knex('host_order').whereNotExists(knex('host_order_item').whereRaw('host_order_item.order_id = host_order.id')).pluck('id'), 'host orders without items').to.deep.equal([]);
      expect(await knex('amazon_order').whereNotExists(knex('amazon_order_item').whereRaw('amazon_order_item.order_id = amazon_order.id')).pluck('amazon_order_id'), 'Amazon orders without items').to.deep.equal([]);
    },
  };

  before(async function () {
    this.timeout(60_000);
    secretKey = crypto.randomBytes(32).toString('base64');
    const migrated = await runCliInProcess(['migrate'], { env: { DATABASE_URL: db().url, HOST_SECRET_KEY: secretKey, LOG_LEVEL: 'warn' } });
    if (migrated.code !== 0) throw new Error(migrated.stderr);
  });
  beforeEach(async function () {
    await emptyOrderTables(db().knex);
    // Amazon's clock runs with the wall clock, as the host's does (shifted by HOST_CLOCK_OFFSET_MS):
    // however slow the machine, the window's end the host asks for stays two minutes behind Amazon's now.
    amazon = await startCheckedSandbox({ port: 0, clock: { speed: 1 } });
    offset = amazon.now().getTime() - Date.now();
    await w.asc('host:product:set', '--sku', MUG, '--name', 'Mug', '--qty', '1000');
    const app = amazon.demoApp;
    await w.asc(
      'store:add', '--name', 'Sandbox US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', app.sellerId,
      '--client-id', app.clientId, '--client-secret', app.clientSecret, '--refresh-token', app.refreshToken,
      '--sp-api-endpoint', amazon.url, '--lwa-endpoint', amazon.lwaUrl, '--integrated-at', new Date(amazon.now().getTime() - 60 * MINUTE).toISOString(),
    );
    w.storeId = Number((await db().knex('amazon_store').first('id')).id);
  });
  afterEach(async () => {
    sinon.restore();
    await amazon?.close();
  });
  return w;
}

describeOnDatabase('mysql', 'database connection killed in the middle of a run', (db) => {
  const w = useWorld(db);
  const { place, settle, asc, syncJson, syncState, hostOrderCounts, expectCleanRun } = w;
  /** `asc ...` as a process of its own: the run a fault hits. */
  const ascProcess = (...args: string[]) => runCli(args, { env: w.env() });

  /** A transaction of the test's holding these rows locked: whoever wants them next waits. */
  async function lock(rows: (trx: Knex.Transaction) => Knex.QueryBuilder): Promise<Knex.Transaction> {
    const trx = await db().knex.transaction();
    try {
      await rows(trx).forUpdate();
    } catch (error) {
      await trx.rollback();
      throw error;
    }
    return trx;
  }
  const lockOrders = (ids: number[]) => lock((trx) => trx('amazon_order').whereIn('id', ids).select('id'));
  const lockSyncState = () => lock((trx) => trx('amazon_sync_state').where({ store_id: w.storeId }).select('store_id'));

  /**
   * Waits until a connection to the test's database runs a statement matching `statement` (held
   * by one of the test's locks); fails if `worker` ends first.
   */
  async function running(statement: RegExp, worker: Promise<unknown>): Promise<{ id: number; info: string }> {
    let ended = false;
    void worker.finally(() => (ended = true));
    for (;;) {
      const [rows] = (await db().knex.raw(
        "select id, info from information_schema.processlist where db = ? and command = 'Query' and id <> connection_id()",
        [databaseName()],
      )) as [Array<{ id: number | string; info: string | null }>];
      const found = rows.find((row) => statement.test(row.info ?? ''));
      if (found) return { id: Number(found.id), info: found.info! };
      if (ended) throw new Error(`the run ended without running ${statement}: ${JSON.stringify(await worker)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const kill = (connection: { id: number }) => db().knex.raw('kill connection ?', [connection.id]);

  /** KILLs the connection that runs `statement`, as soon as it does; returns the statement. */
  async function killWhenRunning(statement: RegExp, worker: Promise<unknown>): Promise<string> {
    const connection = await running(statement, worker);
    await kill(connection);
    return connection.info;
  }

  it('while Amazon answers a page: the idle connections killed are replaced, and the run completes as if nothing happened', async function () {
    this.timeout(60_000);
    const ids = [place(MUG), place(MUG), place(MUG, 2)];
    settle();
    // In this process, to reach the connections of the host `asc` built (every command asks it for pending migrations).
    const hosts = sinon.spy(Host.prototype, 'pendingMigrations');
    const searchPage = AmazonOrderReader.prototype.searchPage;
    let killed = 0;
    sinon.stub(AmazonOrderReader.prototype, 'searchPage').callsFake(async function (this: AmazonOrderReader, ...args) {
      const page = await searchPage.apply(this, args);
      const worker = (hosts.lastCall.thisValue as Host).knex;
      const connections = pooled(worker);
      for (const connection of connections) await kill({ id: connection.threadId });
      killed += connections.length;
      // Until the worker's side has seen each connection close (what its pool checks before lending one).
      while (connections.some((c) => worker.client.validateConnection(c))) await new Promise((resolve) => setTimeout(resolve, 5));
      return page;
    });
    const warnings = sinon.stub(console, 'warn');
    const run = await ascWatched(['sync', '--json'], w.env()).finally(() => warnings.restore());
    expect(killed, 'connections killed').to.be.at.least(1);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)[0]).to.include({ result: 'ok', new: 3, imported: 3 });
    expect(run.stderr).to.equal('');
    // The pool drops a dead connection quietly: it is no news to anyone, the next statement has a new one.
    expect(warnings.args.map((a) => String(a[0]))).to.deep.equal([]);
    expect(await hostOrderCounts()).to.deep.equal(new Map(ids.map((id) => [id, 1])));
    expect(await syncState()).to.include({ next_token: null, last_result: 'ok', lease_owner: null });
  });

  it('while a page is saved: none of the page is stored, the run fails cleanly, the next run goes on from that page', async function () {
    this.timeout(60_000);
    const first = place(MUG);
    settle();
    expect(await syncJson()).to.include({ result: 'ok', imported: 1 });
    const { cursor } = await syncState();
    // 101 new orders, then the first one canceled by the buyer: page 1 holds 100 new orders, page 2
    // the last new one and, last of all, the canceled order, whose row the test holds.
    const fresh = Array.from({ length: 101 }, () => place(MUG));
    w.amazon.advanceClock(1000);
    w.amazon.cancelOrder(first, { by: 'BUYER' });
    settle();
    const firstRow = await db().knex('amazon_order').where({ amazon_order_id: first }).first('id');
    const held = await lockOrders([firstRow.id]);
    const run = ascProcess('sync', '--json');
    let killed: string;
    try {
      // The sync reads a stored order under its row lock before it writes the newer version.
      killed = await killWhenRunning(/^select `id`, `amazon_order_id`, `amazon_updated_at`, .* from `amazon_order` where `id` in \(\d+\) for update$/, run);
    } finally {
      await held.rollback();
    }
    const run1 = await run;
    expect(killed).to.match(new RegExp(`where \`id\` in \\(${firstRow.id}\\) for update$`));
    expect(run1.code, run1.stderr).to.equal(1);
    expectCleanRun(run1);
    const [failed] = JSON.parse(run1.stdout) as StoreSyncResult[];
    // Page 1 was stored and its orders imported (the import goes on from stored data); page 2 was not stored at all.
    expect(failed).to.include({ result: 'failed', seen: 100, new: 100, imported: 100 });
    expect(failed!.error, failed!.error!).to.match(CONNECTION_LOST);
    const stored = new Set((await db().knex('amazon_order').pluck('amazon_order_id')) as string[]);
    expect(stored.size).to.equal(101);
    // (Amazon pages by last update, then id.)
    const key = (id: string) => `${w.amazon.getOrder(id)!.lastUpdatedTime} ${id}`;
    const onPage2 = fresh.reduce((last, id) => (key(id) > key(last) ? id : last));
    expect(stored.has(onPage2), 'the order of page 2 stored before the kill').to.equal(false);
    const state = await syncState();
    expect(state).to.deep.include({ cursor, last_result: 'failed', last_error: failed!.error, lease_owner: null });
    expect(state.next_token, 'the token of page 2').to.be.a('string');
    expect((await db().knex('amazon_order').where({ amazon_order_id: first }).first('amazon_status')).amazon_status).to.equal('UNSHIPPED');

    // The next run reads page 2 again: the last order imported, the canceled one's host order canceled.
    expect(await syncJson()).to.include({ result: 'ok', seen: 2, new: 1, updated: 1, imported: 1 });
    expect(await hostOrderCounts()).to.deep.equal(new Map([first, ...fresh].map((id) => [id, 1])));
    expect((await db().knex('host_order').where({ external_reference: first }).first('state')).state).to.equal('canceled');
    const after = await syncState();
    expect(after).to.deep.include({ next_token: null, window_after: null, window_before: null, last_result: 'ok' });
    expect(after.cursor.getTime()).to.be.greaterThan(cursor.getTime());
  });

  it('between the host order\'s creation and its recording: the run fails cleanly, the next one links the host order, none twice', async function () {
    this.timeout(60_000);
    const { ids, rows } = await w.ordersReadyToImport();

    // The run creates the batch's host orders, then waits for their Amazon orders' rows to record them: killed there.
    const lock = await lockOrders(rows.map((r) => r.id));
    const run = ascProcess('sync', '--json');
    let killed: string;
    try {
      killed = await killWhenRunning(/^update `amazon_order` set `import_state` = 'imported'/, run);
    } finally {
      await lock.rollback();
    }
    const run1 = await run;
    expect(killed).to.match(/where `id` = \d+$/);
    expect(run1.code, run1.stderr).to.equal(1);
    expectCleanRun(run1);
    const [failed] = JSON.parse(run1.stdout) as StoreSyncResult[];
    expect(failed).to.include({ result: 'failed', imported: 0 });
    expect(failed!.error, failed!.error!).to.match(CONNECTION_LOST);
    expect(w.logLines(run1).map((l) => [l.message, l.error])).to.deep.equal([['Amazon order sync failed', failed!.error]]);
    expect(await syncState()).to.include({ last_result: 'failed', last_error: failed!.error, lease_owner: null });

    // The batch's host orders were created, once each, and none recorded.
    expect(await hostOrderCounts()).to.deep.equal(new Map(ids.map((id) => [id, 1])));
    for (const id of ids) {
      expect(await db().knex('amazon_order').where({ amazon_order_id: id }).first('import_state', 'host_order_id')).to.deep.equal({ import_state: 'blocked', host_order_id: null });
    }
    const interrupted = ids[0]!;

    // Shipping that host order now would never reach Amazon (found by the crash soak): refused, nothing shipped.
    const hostOrderId = String((await db().knex('host_order').where({ external_reference: interrupted }).first('id')).id);
    const ship = () => runCliInProcess(['host:order:ship', '--order', hostOrderId, '--carrier', 'ups', '--tracking', '1Z999AA10123456784'], { env: w.env() });
    const early = await ship();
    expect(early.code, early.stdout).to.equal(1);
    expect(early.stderr).to.match(new RegExp(`Amazon order ${interrupted} is still being imported: .* the next sync finishes it`));
    expect(Number((await db().knex('host_shipment').count({ n: '*' }).first())?.n)).to.equal(0);

    // The next run imports all three: each is linked to the host order it has.
    expect(await syncJson()).to.include({ result: 'ok', imported: 3, blocked: 0 });
    const later = await ship();
    expect(later.code, later.stderr).to.equal(0);
    expect(await db().knex('amazon_outbox').where({ amazon_order_id: interrupted, kind: 'shipment' }).pluck('state')).to.deep.equal(['pending']);
    expect(await hostOrderCounts()).to.deep.equal(new Map(ids.map((id) => [id, 1])));
    for (const id of ids) {
      const row = await db().knex('amazon_order').where({ amazon_order_id: id }).first('id', 'import_state');
      expect(row.import_state).to.equal('imported');
      const history = (await db().knex('amazon_order_log').where({ order_id: row.id }).pluck('message')) as string[];
      expect(history.filter((m) => /already existed for this Amazon order \(an earlier run was interrupted\); linked it$/.test(m))).to.have.length(1);
    }
  });

  it('killed again while it records its failure: the lease is given back all the same, and the next run imports all', async function () {
    this.timeout(60_000);
    const { ids, rows } = await w.ordersReadyToImport();
    const before = await syncState();
    const orderLock = await lockOrders(rows.map((r) => r.id));
    const run = ascProcess('sync', '--json');
    let stateLock: Knex.Transaction | undefined;
    try {
      const importing = await running(/^update `amazon_order` set `import_state` = 'imported'/, run);
      // The run's last word (its result, then the lease) needs the sync state's row: hold it too, then kill both statements.
      stateLock = await lockSyncState();
      await kill(importing);
      await killWhenRunning(/^update `amazon_sync_state` set `last_finished_at`/, run);
    } finally {
      await orderLock.rollback();
      await stateLock?.rollback();
    }
    const run1 = await run;
    // The result could not be recorded (the sync health still shows the run before); the lease was given back.
    expect(await syncState()).to.deep.include({ last_result: 'ok', last_finished_at: before.last_finished_at, lease_owner: null, lease_expires_at: null });
    expect(run1.code, run1.stderr).to.equal(1);
    expectCleanRun(run1);
    const [failed] = JSON.parse(run1.stdout) as StoreSyncResult[];
    expect(failed).to.include({ result: 'failed', imported: 0 });
    expect(failed!.error, failed!.error!).to.match(CONNECTION_LOST);
    expect(w.logLines(run1).map((l) => l.message)).to.deep.equal(['Amazon order sync failed', 'Could not record the result of the Amazon order sync']);

    expect(await syncJson()).to.include({ result: 'ok', imported: 3 });
    expect(await hostOrderCounts()).to.deep.equal(new Map(ids.map((id) => [id, 1])));
  });

  it('after Amazon accepted a shipment, before its entry is marked: the sender fails cleanly, the next one finds it at Amazon, confirmed once', async function () {
    this.timeout(60_000);
    const ids = [place(MUG), place(MUG, 2)];
    settle();
    expect(await syncJson()).to.include({ result: 'ok', imported: 2 });
    const hostOrders = JSON.parse((await asc('host:orders:list', '--json')).stdout) as Array<{ id: string; externalReference: string }>;
    for (const [i, id] of ids.entries()) {
      await asc('host:order:ship', '--order', hostOrders.find((o) => o.externalReference === id)!.id, '--carrier', 'ups', '--tracking', `1Z99900000000000${i}`);
    }
    const entries: Array<{ id: number; order_id: number; amazon_order_id: string }> = await db().knex('amazon_outbox').orderBy('id').select('id', 'order_id', 'amazon_order_id');
    expect(entries.map((e) => e.amazon_order_id)).to.deep.equal(ids);
    const packages = (amazonOrderId: string) => w.amazon.getOrder(amazonOrderId)!.packages.map((p) => p.packageReferenceId);

    // Amazon applies the first confirmation; marking its entry done needs the order's row: killed there.
    const held = await lockOrders(entries.map((e) => e.order_id));
    const run = ascProcess('outbox:send', '--json');
    let killed: string;
    let acceptedBeforeTheKill: string[];
    try {
      const marking = await running(/^select .* from `amazon_order` where `id` = \d+ .*for update$/, run);
      acceptedBeforeTheKill = packages(ids[0]!);
      await kill(marking);
      killed = marking.info;
    } finally {
      await held.rollback();
    }
    const run1 = await run;
    expect(killed).to.match(new RegExp(`where \`id\` = ${entries[0]!.order_id} `));
    expect(acceptedBeforeTheKill).to.deep.equal([String(entries[0]!.id)]);
    expect(run1.code, run1.stderr).to.equal(1);
    expectCleanRun(run1);
    const [failed] = JSON.parse(run1.stdout) as OutboxRunResult[];
    expect(failed).to.include({ result: 'failed', done: 1, pending: 2 });
    expect(failed!.error, failed!.error!).to.match(CONNECTION_LOST);
    expect(await db().knex('amazon_outbox').orderBy('id').select('state', 'attempts')).to.deep.equal([
      { state: 'pending', attempts: 1 },
      { state: 'pending', attempts: 0 },
    ]);
    expect(await syncState()).to.include({ outbox_lease_owner: null, outbox_lease_expires_at: null });

    // The next sender confirms the first again: Amazon refuses the known package, the sender finds it on the order.
    const [sent] = JSON.parse((await asc('outbox:send', '--json')).stdout) as OutboxRunResult[];
    expect(sent).to.include({ result: 'ok', done: 2, failed: 0, retrying: 0, pending: 0 });
    for (const [i, id] of ids.entries()) expect(packages(id), `packages of ${id}`).to.deep.equal([String(entries[i]!.id)]);
    expect(appliedConfirmations(w.amazon).map((a) => a.reference)).to.deep.equal(entries.map((e) => String(e.id)));
    expect(await db().knex('amazon_outbox').orderBy('id').pluck('state')).to.deep.equal(['done', 'done']);
    const history = (await db().knex('amazon_order_log').where({ order_id: entries[0]!.order_id }).pluck('message')) as string[];
    expect(history.filter((m) => m.startsWith(`Amazon already had this shipment (package ${entries[0]!.id})`))).to.have.length(1);
  });
});

/** How a database refuses the worker's writes from a given moment on, and how it takes them again. */
interface WriteFaults {
  /** The worker's DATABASE_URL. */
  url(): string;
  readOnly: { strike(): Promise<void>; error: RegExp };
  full?: { strike(): Promise<void>; error: RegExp };
  /** Writable again (and with room again). */
  restore(): Promise<void>;
}

/**
 * SQLite: the worker's own connection (that of the host `asc` built) is made read-only
 * (`query_only`), or full: packed (no free page left) and held to its size (`max_page_count`), so
 * that whatever needs a new page fails as on a full disk. A file made read-only would not do:
 * chmod stops neither root (these tests may run as root) nor a connection already open; the
 * immutable attribute (chattr +i) does fail the open connection, with a disk I/O error, but needs
 * root and ext4; a real full disk (a tiny tmpfs) needs mount rights. The fault lives and ends with
 * that connection: the next `asc` opens the database as writable, and as roomy, as it is.
 */
function sqliteFaults(db: () => TestDatabase): WriteFaults {
  let hosts: sinon.SinonSpy<[], Promise<string[]>>;
  beforeEach(() => {
    // Every `asc` command that uses the database asks its host for pending migrations first.
    hosts = sinon.spy(Host.prototype, 'pendingMigrations');
  });
  const worker = () => (hosts.lastCall.thisValue as Host).knex;
  return {
    url: () => db().url,
    readOnly: { strike: async () => void (await worker().raw('pragma query_only = ON')), error: /^database error SQLITE_READONLY: the database is read-only$/ },
    full: {
      async strike() {
        await worker().raw('vacuum');
        const [{ page_count: pages }] = (await worker().raw('pragma page_count')) as Array<{ page_count: number }>;
        await worker().raw(`pragma max_page_count = ${pages}`);
      },
      error: /^database error SQLITE_FULL: the database or its disk is full$/,
    },
    restore: async () => undefined,
  };
}

/**
 * MariaDB: the worker connects as a user of its own with SELECT, INSERT, UPDATE and DELETE on each
 * table of the test database; read-only is INSERT, UPDATE and DELETE revoked (table privileges
 * change for connections already open, at their next statement). Not `SET GLOBAL read_only`: it
 * changes the server every other suite shares (and does not stop root). A full disk cannot be
 * had: InnoDB is full only when the server's disk (shared) or its data file limit (a setting of
 * the server) is.
 */
function mysqlFaults(): WriteFaults {
  const user = `asc_${databaseName()}_writer`;
  const password = crypto.randomBytes(12).toString('hex');
  // A connection of its own: the suite's database is closed before these hooks' `after` runs.
  let admin: Knex;
  const tables = async () =>
    ((await admin.raw('select table_name as name from information_schema.tables where table_schema = ?', [databaseName()])) as [Array<{ name: string }>])[0].map((t) => t.name);
  const privileges = async (verb: 'grant' | 'revoke', which: string) => {
    for (const table of await tables()) await admin.raw(`${verb} ${which} on ??.?? ${verb === 'grant' ? 'to' : 'from'} ?@'%'`, [databaseName(), table, user]);
  };
  before(async () => {
    admin = await openDatabase(process.env.TEST_MYSQL_URL);
    await admin.raw("drop user if exists ?@'%'", [user]);
    await admin.raw("create user ?@'%' identified by ?", [user, password]);
  });
  beforeEach(() => privileges('grant', 'select, insert, update, delete'));
  after(async () => {
    await admin?.raw("drop user if exists ?@'%'", [user]);
    await admin?.destroy();
  });
  return {
    url() {
      const url = new URL(process.env.TEST_MYSQL_URL!);
      url.username = user;
      url.password = password;
      return url.toString();
    },
    readOnly: { strike: () => privileges('revoke', 'insert, update, delete'), error: /^database error ER_TABLEACCESS_DENIED_ERROR: the database user lacks the privilege for this statement$/ },
    restore: () => privileges('grant', 'insert, update, delete'),
  };
}

for (const kind of ['sqlite', 'mysql'] as const) {
  describeOnDatabase(kind, 'the database turning read-only or full under a run', (db) => {
    const faults = kind === 'sqlite' ? sqliteFaults(db) : mysqlFaults();
    const w = useWorld(db, () => faults.url());

    /**
     * Three stored orders ready to import and ten new at Amazon; then `asc sync`, the fault
     * striking once Amazon answered the page, before the page is stored. The run must fail
     * cleanly, with nothing of the page stored.
     */
    async function faultedSync(strike: () => Promise<void>) {
      const { ids: waiting } = await w.ordersReadyToImport();
      const fresh = Array.from({ length: 10 }, (_, i) => w.place(MUG, 1 + (i % 3)));
      w.settle();
      const before = await w.syncState();
      const searchPage = AmazonOrderReader.prototype.searchPage;
      const stub = sinon.stub(AmazonOrderReader.prototype, 'searchPage').callsFake(async function (this: AmazonOrderReader, ...args) {
        const page = await searchPage.apply(this, args);
        await strike();
        return page;
      });
      const run = await ascWatched(['sync', '--json'], w.env()).finally(() => stub.restore());
      expect(run.code, run.stderr).to.equal(1);
      w.expectCleanRun(run);
      const [failed] = JSON.parse(run.stdout) as StoreSyncResult[];
      // The page was not stored, so nothing of it was counted either.
      expect(failed).to.include({ result: 'failed', seen: 0, new: 0, updated: 0 });
      const stored = (await db().knex('amazon_order').pluck('amazon_order_id')) as string[];
      expect(stored.sort(), 'stored Amazon orders').to.deep.equal([...waiting].sort());
      await w.expectNoHalfWrites();
      return { run, failed: failed!, waiting, fresh, before };
    }

    /** What the sync must end with: every order one host order, the window done, the cursor on. */
    async function expectAllImportedOnce(ids: string[], before: { cursor: unknown }): Promise<void> {
      expect(await w.hostOrderCounts()).to.deep.equal(new Map(ids.map((id) => [id, 1])));
      await w.expectNoHalfWrites();
      const state = await w.syncState();
      expect(state).to.deep.include({ next_token: null, window_after: null, window_before: null, last_result: 'ok', lease_owner: null });
      expect(fromDb(state.cursor).getTime()).to.be.greaterThan(fromDb(before.cursor).getTime());
    }

    it('read-only: the sync fails saying so, stores nothing, its lease expires; writable again, the next sync completes', async function () {
      this.timeout(60_000);
      const { run, failed, waiting, fresh, before } = await faultedSync(faults.readOnly.strike);
      expect(failed.error, failed.error!).to.match(faults.readOnly.error);
      expect(failed.imported).to.equal(0);
      expect(await w.hostOrderCounts()).to.deep.equal(new Map());
      // Nothing could be written, not the result, not the lease given back: that is said in the log, and the lease expires.
      expect(w.logLines(run).map((l) => [l.message, l.error])).to.deep.equal([
        ['Amazon order sync failed', failed.error],
        ['Could not record the result of the Amazon order sync', failed.error],
        ['Could not give the store lease back; it expires on its own', failed.error],
      ]);
      const state = await w.syncState();
      expect(state).to.deep.include({ cursor: before.cursor, last_result: 'ok', last_finished_at: before.last_finished_at });
      expect(state.lease_owner).to.be.a('string');
      // (Taken a moment before the run noted its start.)
      expect(fromDb(state.lease_expires_at).getTime() - fromDb(state.last_started_at).getTime()).to.be.within(LEASE_TTL_MS - 1000, LEASE_TTL_MS);

      await faults.restore();
      const held = await w.syncJson();
      expect(held.result).to.equal('skipped');
      expect(held.error).to.equal(`another sync (${state.lease_owner}) holds this store until ${fromDb(state.lease_expires_at).toISOString()}`);
      w.settle(LEASE_TTL_MS + MINUTE);
      expect(await w.syncJson()).to.include({ result: 'ok', new: 10, imported: 13 });
      await expectAllImportedOnce([...waiting, ...fresh], before);
    });

    it('read-only after Amazon accepted a shipment: the sender fails saying so, its lease expires; writable again, the shipment is confirmed once', async function () {
      this.timeout(60_000);
      const id = w.place(MUG, 2);
      w.settle();
      expect(await w.syncJson()).to.include({ result: 'ok', imported: 1 });
      const [hostOrder] = JSON.parse((await w.asc('host:orders:list', '--json')).stdout) as Array<{ id: string }>;
      await w.asc('host:order:ship', '--order', hostOrder!.id, '--carrier', 'ups', '--tracking', '1Z9990000000000001');
      const entry = await db().knex('amazon_outbox').first('id', 'order_id');

      // Amazon applied the confirmation; the database turns read-only before the entry is marked done.
      const settle = Fulfillment.prototype.settle;
      const stub = sinon.stub(Fulfillment.prototype, 'settle').callsFake(async function (this: Fulfillment, ...args) {
        await faults.readOnly.strike();
        return settle.apply(this, args);
      });
      const run = await ascWatched(['outbox:send', '--json'], w.env()).finally(() => stub.restore());
      expect(run.code, run.stderr).to.equal(1);
      w.expectCleanRun(run);
      const [failed] = JSON.parse(run.stdout) as OutboxRunResult[];
      expect(failed).to.include({ result: 'failed', done: 1, pending: 1 });
      expect(failed!.error, failed!.error!).to.match(faults.readOnly.error);
      expect(w.logLines(run).map((l) => [l.message, l.error])).to.deep.equal([
        ['Sending fulfillment to Amazon failed', failed!.error],
        ["Could not give the store's outbox lease back; it expires on its own", failed!.error],
      ]);
      expect(w.amazon.getOrder(id)!.packages.map((p) => p.packageReferenceId)).to.deep.equal([String(entry.id)]);
      expect(await db().knex('amazon_outbox').first('state', 'attempts')).to.deep.equal({ state: 'pending', attempts: 1 });
      const state = await w.syncState();
      expect(state.outbox_lease_owner).to.be.a('string');

      await faults.restore();
      const [held] = JSON.parse((await w.asc('outbox:send', '--json')).stdout) as OutboxRunResult[];
      expect(held).to.include({ result: 'skipped', done: 0 });
      expect(held!.error).to.equal(`another sender (${state.outbox_lease_owner}) holds this store's outbox until ${fromDb(state.outbox_lease_expires_at).toISOString()}`);
      w.settle(LEASE_TTL_MS + MINUTE);
      const [sent] = JSON.parse((await w.asc('outbox:send', '--json')).stdout) as OutboxRunResult[];
      expect(sent).to.include({ result: 'ok', done: 1, failed: 0, retrying: 0, pending: 0 });
      const applied = w.amazon.requests({ operation: 'confirmShipment' }).filter((r) => r.status === 204);
      expect(applied, 'confirmations Amazon applied').to.have.length(1);
      expect(w.amazon.getOrder(id)!.packages).to.have.length(1);
      expect(await db().knex('amazon_outbox').first('state', 'attempts')).to.deep.equal({ state: 'done', attempts: 2 });
      expect(await db().knex('amazon_sync_state').where({ store_id: w.storeId }).first('outbox_lease_owner')).to.deep.equal({ outbox_lease_owner: null });
    });

    if (faults.full) {
      const full = faults.full;
      it('full: the sync fails saying so, the page is not stored, and with room again the next sync completes', async function () {
        this.timeout(60_000);
        const { run, failed, waiting, fresh, before } = await faultedSync(full.strike);
        expect(failed.error, failed.error!).to.match(full.error);
        // What fits in the pages there are may still be written (a host order, a shorter row): each whole, never half.
        expect(failed.imported).to.be.within(0, 3);
        for (const count of (await w.hostOrderCounts()).values()) expect(count).to.equal(1);
        // The lease is given back (that takes no room); the result is recorded, or the log says it could not be.
        const state = await w.syncState();
        expect(state).to.deep.include({ cursor: before.cursor, lease_owner: null, lease_expires_at: null });
        if (state.last_result !== 'failed') expect(w.logLines(run).map((l) => l.message)).to.include('Could not record the result of the Amazon order sync');
        else expect(state.last_error).to.equal(failed.error);

        await faults.restore();
        expect(await w.syncJson()).to.include({ result: 'ok', new: 10, imported: 13 - failed.imported });
        await expectAllImportedOnce([...waiting, ...fresh], before);
      });
    }
  });
}
