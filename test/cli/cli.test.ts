/**
 * The `asc` CLI. Most cases run in-process (fast); the ones about the real executable (bin/asc.js,
 * exit codes, `start`) run it as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { ASC, runCli, runCliInProcess } from '../support/cli.ts';
import { AdminClient, unescapeHtml } from '../support/admin-client.ts';
import { consentOnSandbox } from '../support/seller-central.ts';
import { FIXTURE_MODULE, openTestHost } from '../support/host.ts';
import { line, orderRequest } from '../support/orders.ts';
import type { OrderListJson } from '../../sandbox/host/cli/host-commands.ts';
import { startAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { openDatabase } from '../../sandbox/host/database.ts';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'asc-cli-'));

describe('asc without a database', () => {
  it('--help lists the commands (exit 0); no command or an unknown one exits 2', async () => {
    const env = { DATABASE_URL: `sqlite:${tempDir()}/never-created.sqlite` };
    const help = await runCli(['--help'], { env });
    expect(help.code).to.equal(0);
    for (const name of ['migrate', 'start', 'host:admin:create', 'host:product:set', 'host:orders:list']) expect(help.stdout).to.contain(name);
    const none = await runCliInProcess([], { env });
    expect(none.code).to.equal(2);
    const unknown = await runCliInProcess(['frobnicate'], { env });
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/^asc: unknown command "frobnicate"\. Commands: migrate, start, host:admin:create, host:product:set, host:orders:list, .*\n$/);
    for (const name of ['store:add', 'sync', 'orders:list', 'sandbox:order:place']) expect(unknown.stderr).to.contain(name);
  });

  it('the sandbox commands talk to the sandbox only: they run on a database that is not migrated (or not there)', async () => {
    const amazon = await startAmazonSandbox({ port: 0, clock: { speed: 0 } });
    try {
      const env = { DATABASE_URL: `sqlite:${tempDir()}/never-migrated.sqlite`, AMAZON_SANDBOX_URL: amazon.url };
      const placed = await runCliInProcess(['sandbox:order:place', '--sku', 'MUG-BLUE-12OZ', '--json'], { env });
      expect(placed.code, placed.stderr).to.equal(0);
      expect(amazon.listOrders()).to.have.length(1);
      // A command of the module still refuses the unmigrated database.
      expect((await runCliInProcess(['store:list'], { env })).code).to.equal(1);
    } finally {
      await amazon.close();
    }
  });

  it('a bad or unreachable DATABASE_URL is one masked line and exit 2, no stack trace', async () => {
    const unreachable = await runCli(['migrate'], { env: { DATABASE_URL: 'mysql://app:hunter2@127.0.0.1:1/shop' } });
    expect(unreachable.code).to.equal(2);
    expect(unreachable.stderr.trim().split('\n')).to.have.length(1);
    expect(unreachable.stderr).to.contain('Cannot connect to DATABASE_URL "mysql://app:***@127.0.0.1:1/shop"');
    expect(unreachable.stderr).to.not.contain('hunter2');
    expect(unreachable.stderr).to.not.match(/\n\s+at /);
    const malformed = await runCliInProcess(['migrate'], { env: { DATABASE_URL: 'postgres://u:p@h/db' } });
    expect(malformed.code).to.equal(2);
    expect(malformed.stderr).to.match(/^asc migrate: DATABASE_URL "postgres:\/\/u:\*\*\*@h\/db" has unsupported scheme "postgres"/);
  });

  it('a SQLite path whose folder cannot be created is one line naming the URL and exit 2', async () => {
    const unusable = await runCli(['migrate'], { env: { DATABASE_URL: 'sqlite:/dev/null/x.sqlite' } });
    expect(unusable).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: `asc migrate: Cannot use DATABASE_URL "sqlite:/dev/null/x.sqlite": cannot create the folder /dev/null: /dev/null is not a folder\n`,
    });
    // Under /proc, Node's recursive mkdir never returned: the command hung instead of exiting.
    const proc = await runCli(['store:list'], { env: { DATABASE_URL: 'sqlite:/proc/nope/x.sqlite' } });
    expect(proc).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: `asc store:list: Cannot use DATABASE_URL "sqlite:/proc/nope/x.sqlite": cannot create the folder /proc/nope: ENOENT: no such file or directory, mkdir '/proc/nope'\n`,
    });
  });

  it('keeps the SQLite database, its WAL and the folders it creates for its owner only (buyer data)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asc-mode-'));
    const file = path.join(dir, 'new', 'shop.sqlite');
    const knex = await openDatabase(`sqlite:${file}`);
    try {
      await knex.raw('create table t (x integer)');
      await knex('t').insert({ x: 1 });
      const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
      expect([mode(path.dirname(file)), mode(file), mode(`${file}-wal`)]).to.deep.equal(['700', '600', '600']);
    } finally {
      await knex.destroy();
    }
    // A file that was readable by others is tightened when it is opened.
    fs.chmodSync(file, 0o644);
    await (await openDatabase(`sqlite:${file}`)).destroy();
    expect((fs.statSync(file).mode & 0o777).toString(8)).to.equal('600');
  });

  it('--help works whatever DATABASE_URL says; a command with a garbage URL still exits 2', async () => {
    const env = { DATABASE_URL: 'garbage' };
    const help = await runCli(['host:product:set', '--help'], { env });
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/--sku <text>\s+SKU of the product \(required\)/);
    const general = await runCliInProcess(['--help'], { env });
    expect(general.code).to.equal(0);
    expect(general.stdout).to.contain('host:product:set');
    const moduleHelp = await runCliInProcess(['store:add', '-h'], { env });
    expect(moduleHelp.code).to.equal(0);
    expect(moduleHelp.stdout).to.contain('--refresh-token');
    const run = await runCliInProcess(['host:product:set', '--sku', 'A'], { env });
    expect(run).to.deep.equal({ code: 2, stdout: '', stderr: 'asc host:product:set: DATABASE_URL "garbage" is not a URL: use mysql://user:pass@host:port/db or sqlite:path\n' });
  });

  it('flag errors exit 2 before touching the database', async () => {
    const env = { DATABASE_URL: 'mysql://u:p@127.0.0.1:1/db' };
    const result = await runCliInProcess(['host:product:set', '--sku', 'A', '--enabled', 'yes'], { env });
    expect(result).to.deep.equal({ code: 2, stdout: '', stderr: 'asc host:product:set: --enabled must be true or false (got "yes")\n' });
    const help = await runCliInProcess(['host:product:set', '--help'], { env });
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/--manage-stock <true\|false>\s+Whether the host tracks its quantity/);
  });
});

describeEachDatabase('asc with a database', (db) => {
  const env = () => ({ DATABASE_URL: db().url, HOST_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') });

  it('refuses to run a command before migrating, then migrates once: the second run changes nothing', async () => {
    const early = await runCliInProcess(['host:orders:list'], { env: env() });
    expect(early.code).to.equal(1);
    expect(early.stderr).to.match(/pending migration\(s\); run "asc migrate" first/);
    const first = await runCli(['migrate'], { env: env() });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('Applied host: 20261126000000_create_host_tables');
    expect(first.stdout).to.contain('Applied amazon-sales-channel: 20261126000100_create_amazon_tables');
    const second = await runCli(['migrate'], { env: env() });
    expect(second).to.deep.include({ code: 0, stdout: 'Nothing to migrate\n' });
    expect(JSON.parse((await runCliInProcess(['migrate', '--json'], { env: env() })).stdout)).to.deep.equal({ applied: [] });
  });

  it('host:product:set creates then updates; host:orders:list --json shows orders', async () => {
    const created = await runCli(['host:product:set', '--sku', 'CLI-1', '--name', 'CLI product', '--qty', '5', '--json'], { env: env() });
    expect(created.code, created.stderr).to.equal(0);
    const json = JSON.parse(created.stdout);
    expect(json).to.deep.equal({ action: 'created', product: { id: json.product.id, sku: 'CLI-1', name: 'CLI product', enabled: true, qty: 5, manageStock: true } });
    const updated = await runCliInProcess(['host:product:set', '--sku', 'CLI-1', '--qty', '3', '--enabled', 'false'], { env: env() });
    expect(updated.stdout).to.equal('Updated product CLI-1: "CLI product", qty 3, disabled, stock managed\n');
    const missingName = await runCliInProcess(['host:product:set', '--sku', 'CLI-2'], { env: env() });
    expect(missingName).to.deep.include({ code: 2, stderr: 'asc host:product:set: --name is required to create product "CLI-2"\n' });
    await runCliInProcess(['host:product:set', '--sku', 'CLI-1', '--enabled', 'true'], { env: env() });

    const { host } = await openTestHost(db());
    const order = await host.services.orders.create(
      orderRequest([line(json.product.id, 'CLI-1', 2, '19.99')], { externalReference: '111-CLI', grandTotal: '44.98' }),
    );
    expect(order.ok).to.equal(true);
    const list = await runCli(['host:orders:list', '--json'], { env: env() });
    expect(list.code, list.stderr).to.equal(0);
    const orders = JSON.parse(list.stdout) as OrderListJson[];
    expect(orders).to.have.length(1);
    expect(orders[0]).to.deep.include({
      id: order.ok ? order.order.id : '', number: order.ok ? order.order.number : '', status: 'processing', state: 'processing',
      channel: 'amazon', externalReference: '111-CLI', currencyCode: 'USD', total: '44.98', items: [{ sku: 'CLI-1', qty: 2 }],
    });
    expect(Date.parse(orders[0]!.createdAt)).to.not.be.NaN;
    const text = await runCliInProcess(['host:orders:list'], { env: env() });
    expect(text.stdout).to.contain('111-CLI  44.98 USD  2 x CLI-1');
  });

  it('host:admin:create validates, creates, and refuses a duplicate', async () => {
    const short = await runCliInProcess(['host:admin:create', '--username', 'kim', '--password', 'short'], { env: env() });
    expect(short).to.deep.include({ code: 2, stderr: 'asc host:admin:create: --password must be 8..1024 characters\n' });
    const ok = await runCliInProcess(['host:admin:create', '--username', 'kim', '--password', 'long-enough', '--role', 'staff'], { env: env() });
    expect(ok).to.deep.include({ code: 0, stdout: 'Created admin user "kim" (role staff)\n' });
    const again = await runCliInProcess(['host:admin:create', '--username', 'kim', '--password', 'long-enough'], { env: env() });
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('user "kim" already exists');
  });

  it('runs module commands with host-validated flags; CliUsageError exits 2, a crash exits 1', async () => {
    const modules = [{ directory: FIXTURE_MODULE }];
    await runCliInProcess(['migrate'], { env: env(), modules });
    const help = await runCliInProcess(['--help'], { env: env(), modules });
    expect(help.stdout).to.match(/fixture:echo\s+Echoes its flags/);
    const ok = await runCliInProcess(['fixture:echo', '--text', 'hi', '--times', '2', '--amount', '0.10', '--since', '2026-11-26', '--loud', 'true'], { env: env(), modules });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.deep.equal({ text: 'hi', times: 2, amount: '0.10', since: '2026-11-26T00:00:00.000Z', loud: true, json: false });
    const bad = await runCliInProcess(['fixture:echo', '--text', 'hi', '--color', 'green'], { env: env(), modules });
    expect(bad).to.deep.include({ code: 2, stderr: 'asc fixture:echo: --color must be one of red, blue (got "green")\n' });
    const usage = await runCliInProcess(['fixture:echo', '--text', 'usage'], { env: env(), modules });
    expect(usage).to.deep.include({ code: 2, stderr: 'asc fixture:echo: --text must not be "usage" (fixture rule)\n' });
    const crash = await runCliInProcess(['fixture:echo', '--text', 'fail'], { env: env(), modules });
    expect(crash.code).to.equal(1);
    expect(crash.stderr).to.contain('asc fixture:echo: failed: fixture command crashed');
  });
});

const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

describeEachDatabase('asc start', (db) => {
  let child: ChildProcess | undefined;
  // A failed or timed-out test must not leave a server running.
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('migrates, seeds demo data, prints a working admin login, serves the admin and stops on SIGTERM', async function () {
    // A fresh database is migrated and the demo store's first sync runs in the started process: on
    // MariaDB under a loaded CI machine that takes many seconds.
    this.timeout(90_000);
    child = spawn(process.execPath, [ASC, 'start', '--port', '0'], {
      cwd: tempDir(),
      // Free ports only: a demo running on 8080 and 4610 does not get in the way.
      env: { ...process.env, DATABASE_URL: db().url, HOST_SECRET_KEY: SECRET_KEY, LOG_LEVEL: 'warn', AMAZON_SANDBOX_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = child;
    let stdout = '';
    let stderr = '';
    running.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => running.on('close', resolve));
    const [url, password] = await new Promise<[string, string]>((resolve, reject) => {
      running.stdout!.on('data', (d) => {
        stdout += d;
        const match = /Admin login: (http:\/\/127\.0\.0\.1:\d+)\/admin {2}user: admin {2}password: (\S+)/.exec(stdout);
        if (match) resolve([match[1]!, match[2]!]);
      });
      running.on('close', () => reject(new Error(`start exited early: ${stdout} ${stderr}`)));
    });
    expect(stdout).to.contain('Applied host: 20261126000000_create_host_tables');
    const client = new AdminClient(url);
    const signIn = await client.login('admin', password);
    expect(signIn.status).to.equal(303);
    const catalog = await client.get('/admin/catalog');
    expect(catalog.status).to.equal(200);
    expect(catalog.text).to.contain('MUG-BLUE-12OZ');
    expect((await db().knex('host_store_view').pluck('code')).sort()).to.deep.equal(['default', 'fr']);
    expect(stdout).to.match(/Amazon sandbox listening on http:\/\/127\.0\.0\.1:\d+/).and.not.contain(':4610');

    // A new user's path: connect the demo store through the sandbox's Seller Central.
    expect(stdout).to.contain('Connect the demo Amazon store in the admin');
    expect((await client.get('/admin/amazon/stores')).text).to.contain('No Amazon store is connected yet');
    const form = await client.submit('/admin/amazon/connect', '/admin/amazon/connect', { name: 'Demo US', marketplace_id: 'ATVPDKIKX0DER', import_days: '7' });
    const consentUrl = unescapeHtml(/href="([^"]+)"[^>]*>Continue to Seller Central/.exec(form.text)![1]!);
    const { location } = await consentOnSandbox(consentUrl, 'approve');
    const landed = await client.get(location.slice(url.length));
    expect(landed.status, landed.text).to.equal(302);
    expect(landed.location).to.equal('/admin/amazon/stores/1?store=connected');
    // The started cron's first sync comes within a minute; the console's runs the same sync now
    // (whichever takes the store's lease first imports, the other is skipped).
    const synced = await runCliInProcess(['sync', '--store', '1', '--json'], { env: { DATABASE_URL: db().url, HOST_SECRET_KEY: SECRET_KEY, AMAZON_SANDBOX: '0' } });
    expect(synced.code, synced.stderr).to.equal(0);
    expect(['ok', 'skipped']).to.include(JSON.parse(synced.stdout)[0].result);
    for (let i = 0; i < 1200 && !(await db().knex('amazon_sync_state').where({ store_id: 1 }).first())?.last_finished_at; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await db().knex('amazon_order').select('id')).length).to.be.greaterThan(5);

    // The demo turns real-time updates on for the connected store: an order placed at Amazon now
    // reaches the module through the sandbox's queue and the started worker, with no sync.
    for (let i = 0; i < 400 && !(await db().knex('amazon_store_notifications').where({ store_id: 1, enabled: true }).first()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stdout).to.contain('Real-time updates: on for every demo store once connected');
    const sandboxUrl = /Amazon sandbox listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
    const placed = await runCliInProcess(['sandbox:order:place', '--sku', 'MUG-BLUE-12OZ', '--json'], { env: { DATABASE_URL: db().url, AMAZON_SANDBOX_URL: sandboxUrl } });
    expect(placed.code, placed.stderr).to.equal(0);
    const placedId = (JSON.parse(placed.stdout) as { orderId: string }).orderId;
    for (let i = 0; i < 400 && !(await db().knex('amazon_order').where({ amazon_order_id: placedId }).first()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await db().knex('amazon_order').where({ amazon_order_id: placedId }).first('status')).to.deep.equal({ status: 'Pending' });
    running.kill('SIGTERM');
    expect(await exited).to.equal(0);
    expect(stdout).to.contain('Stopped.');
  });

  it("says which variable moves the sandbox when its port is taken, and exits 2 instead of running half-started", async function () {
    this.timeout(20000);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const result = await runCli(['start', '--port', '0'], {
        cwd: tempDir(),
        env: { DATABASE_URL: db().url, HOST_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), AMAZON_SANDBOX_PORT: String(port) },
      });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.equal(
        `asc start: the Amazon sandbox cannot listen on port ${port}, which is in use: set AMAZON_SANDBOX_PORT to another port (0 picks a free one), or AMAZON_SANDBOX=0 to start without it\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
