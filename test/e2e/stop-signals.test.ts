/**
 * `asc sync` and `asc outbox:send` asked to stop (SIGINT, SIGTERM) while they wait for Amazon: a
 * retry back-off or an answer that does not come. They stop at once, give their lease back (the
 * next run does not wait for it to expire), keep what they stored, and exit 130.
 */
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { ASC, runCli } from '../support/cli.ts';
import { REPO_ROOT } from '../support/host.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import type { RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';

const MINUTE = 60_000;

describeEachDatabase('stopping asc sync and asc outbox:send with a signal', (db) => {
  let amazon: RunningAmazonSandbox;
  let env: NodeJS.ProcessEnv;
  const asc = async (...args: string[]) => {
    const result = await runCli(args, { env });
    if (result.code !== 0) throw new Error(`asc ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result;
  };
  const settle = () => {
    amazon.advanceClock(3 * MINUTE);
    env.HOST_CLOCK_OFFSET_MS = String(amazon.now().getTime() - Date.now());
  };

  /** Starts `asc ...args`, sends `signal` once `ready()` holds, and resolves with its exit code and how long it took after the signal. */
  function interrupted(args: string[], signal: NodeJS.Signals, ready: () => boolean): Promise<{ code: number | null; afterSignalMs: number; stdout: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [ASC, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let sentAt = 0;
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const poll = setInterval(() => {
        if (sentAt === 0 && ready()) {
          sentAt = Date.now();
          child.kill(signal);
        }
      }, 10);
      child.on('error', reject);
      child.on('close', (code) => {
        clearInterval(poll);
        resolve({ code, afterSignalMs: sentAt === 0 ? -1 : Date.now() - sentAt, stdout });
      });
    });
  }

  const leases = async () => db().knex('amazon_sync_state').first('lease_owner', 'outbox_lease_owner');
  const calls = (operation: string) => amazon.requests({ operation }).length;

  before(async function () {
    this.timeout(60_000);
    amazon = await startCheckedSandbox({ port: 0, clock: { speed: 0 } });
    env = { DATABASE_URL: db().url, HOST_SECRET_KEY: crypto.randomBytes(32).toString('base64'), LOG_LEVEL: 'error', AMAZON_SANDBOX: '0' };
    await asc('migrate');
    await asc('host:product:set', '--sku', 'MUG-BLUE-12OZ', '--name', 'Mug', '--qty', '100');
    const app = amazon.demoApp;
    await asc(
      'store:add', '--name', 'Sandbox US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', app.sellerId,
      '--client-id', app.clientId, '--client-secret', app.clientSecret, '--refresh-token', app.refreshToken,
      '--sp-api-endpoint', amazon.url, '--lwa-endpoint', amazon.lwaUrl, '--integrated-at', new Date(amazon.now().getTime() - 60 * MINUTE).toISOString(),
    );
  });
  after(async () => amazon?.close());

  it('SIGINT during a retry back-off ends asc sync at once, with its lease given back', async function () {
    this.timeout(60_000);
    amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }], status: 'UNSHIPPED' });
    settle();
    // Amazon answers 503 again and again: the client backs off 1, 2, 4, 8 s between tries.
    amazon.addFault({ operation: 'searchOrders', kind: 'error503', count: 5 });
    const before = calls('searchOrders');
    const run = await interrupted(['sync'], 'SIGINT', () => calls('searchOrders') > before);
    expect(run.code).to.equal(130);
    expect(run.afterSignalMs).to.be.within(0, 5000);
    expect(run.stdout).to.match(/stopped before the end .*stopped, as asked; the next run continues from the saved page/);
    expect(calls('searchOrders') - before).to.be.lessThan(5);
    expect(await leases()).to.deep.equal({ lease_owner: null, outbox_lease_owner: null });
    amazon.clearFaults();
    // Nothing lost: the next run imports the order.
    const next = JSON.parse((await asc('sync', '--json')).stdout);
    expect(next[0]).to.include({ result: 'ok', imported: 1 });
  });

  it('SIGTERM while Amazon has not answered ends asc outbox:send at once, with its lease given back, and the shipment is sent later', async function () {
    this.timeout(60_000);
    const [order] = JSON.parse((await asc('host:orders:list', '--json')).stdout) as Array<{ id: string; externalReference: string }>;
    await asc('host:order:ship', '--order', order!.id, '--carrier', 'ups', '--tracking', '1Z999');
    settle();
    amazon.addFault({ operation: 'confirmShipment', kind: 'delay', delayMs: 20_000, count: 1 });
    const before = calls('confirmShipment');
    const since = amazon.requests().length;
    // The answer is held 20 s; the request is on its way once the sandbox saw it arrive (it records on answering, so watch its LWA call).
    const run = await interrupted(['outbox:send'], 'SIGTERM', () => amazon.requests().length > since);
    expect(run.code).to.equal(130);
    expect(run.afterSignalMs).to.be.within(0, 5000);
    expect(await leases()).to.deep.equal({ lease_owner: null, outbox_lease_owner: null });
    amazon.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = JSON.parse((await asc('outbox:send', '--json')).stdout);
    expect(sent[0]).to.include({ result: 'ok', done: 1 });
    expect(calls('confirmShipment') - before).to.be.at.most(2);
    expect(amazon.getOrder(order!.externalReference)!.packages).to.have.length(1);
  });
});
