/**
 * A whole merchant session, and everything it leaves behind read for secrets and buyer data:
 * connect a store, sync, ship, refund and cancel from the console, enter the application's
 * credentials and connect a second store through Amazon's consent, open every admin page and the
 * CSV, all at LOG_LEVEL=debug. The client secret, the refresh token and every access token appear
 * nowhere: not in a log line, a page, a CLI output, a URL, nor a stored message. A buyer's e-mail
 * address, phone number and street appear only where the admin is shown the order (its Amazon
 * order page, and the host's own order pages and list), never in the module's other pages, logs,
 * URLs, other console output or stored messages; the buyer's name not in logs either.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { runCliInProcess, type CliResult } from '../support/cli.ts';
import { openTestHost, REPO_ROOT } from '../support/host.ts';
import { AdminClient, unescapeHtml } from '../support/admin-client.ts';
import { consentOnSandbox } from '../support/seller-central.ts';
import { hrefs } from '../support/admin-harness.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import { SandboxClock, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import type { ClockPort } from '../../src/host/ports.ts';

const MINUTE = 60_000;
const ACCESS_TOKEN = /Atza\|[\w-]{8,}/;

describeEachDatabase('secrets and buyer data stay where they belong', (db) => {
  let amazon: RunningAmazonSandbox;
  const clock = new SandboxClock({ start: '2026-11-26T10:00:00Z', speed: 0 });
  const hostClock: ClockPort = { now: () => new Date(clock.now()) };
  const secretKey = crypto.randomBytes(32);
  const outputs: string[] = [];
  /** The host's own order list: like its order pages, it shows the admin the customer (PII checks skip it). */
  const hostOrderViews: string[] = [];
  const logs: string[] = [];

  const asc = async (...args: string[]): Promise<CliResult> => {
    const result = await runCliInProcess(args, {
      env: { DATABASE_URL: db().url, HOST_SECRET_KEY: secretKey.toString('base64'), HOST_CLOCK_OFFSET_MS: String(clock.now() - Date.now()), AMAZON_SANDBOX: '0', LOG_LEVEL: 'debug' },
    });
    (args[0] === 'host:orders:list' ? hostOrderViews : outputs).push(result.stdout);
    // At debug level the CLI's log lines go to stderr too: both are read below.
    logs.push(result.stderr);
    return result;
  };
  const ok = async (...args: string[]) => {
    const result = await asc(...args);
    expect(result.code, `asc ${args.join(' ')}: ${result.stderr.slice(-500)}`).to.equal(0);
    return result;
  };

  before(async () => {
    amazon = await startCheckedSandbox({ port: 0, clock });
  });
  after(async () => amazon?.close());

  it('never shows, logs or stores a secret, and shows buyer data only on the order pages', async function () {
    this.timeout(120_000);
    await ok('migrate');
    for (const sku of ['MUG-BLUE-12OZ', 'TEE-BLK-M']) await ok('host:product:set', '--sku', sku, '--name', sku, '--qty', '50');
    const app = amazon.demoApp;
    await ok(
      'store:add', '--name', 'Scan US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', app.sellerId, '--client-id', app.clientId,
      '--client-secret', app.clientSecret, '--refresh-token', app.refreshToken, '--sp-api-endpoint', amazon.url, '--lwa-endpoint', amazon.lwaUrl,
      '--integrated-at', '2026-11-26T09:00:00Z', '--json',
    );
    await ok('store:list');
    const ids = ['Ada Shipped', 'Bob Refunded', 'Cy Canceled'].map((buyerName, i) =>
      amazon.placeOrder({ sellerId: app.sellerId, buyerName, items: [{ sku: i === 1 ? 'TEE-BLK-M' : 'MUG-BLUE-12OZ', qty: 2 }], status: 'UNSHIPPED' }).orderId,
    );
    clock.advance(5 * MINUTE);
    await ok('sync', '--json');
    await ok('orders:list', '--store', '1', '--json');
    const hostOrders = JSON.parse((await ok('host:orders:list', '--json')).stdout) as Array<{ id: string; externalReference: string }>;
    const hostId = (amazonOrderId: string) => hostOrders.find((o) => o.externalReference === amazonOrderId)!.id;
    await ok('host:order:ship', '--order', hostId(ids[0]!), '--carrier', 'ups', '--tracking', '1Z999');
    await ok('host:order:ship', '--order', hostId(ids[1]!), '--carrier', 'usps', '--tracking', '9400');
    clock.advance(1000);
    await ok('outbox:send');
    await ok('host:order:creditmemo', '--order', hostId(ids[1]!), '--reason', 'damaged', '--items', 'TEE-BLK-M:1', '--refund-shipping');
    await ok('orders:cancel', '--store', '1', '--order', ids[2]!, '--reason', 'out_of_stock');
    clock.advance(1000);
    await ok('outbox:send', '--now');
    clock.advance(MINUTE);
    await ok('outbox:send');
    await ok('outbox:list', '--store', '1', '--json');
    clock.advance(5 * MINUTE);
    await ok('sync');
    // A failure on the way: Amazon refuses the credentials (the message must not carry them).
    amazon.addFault({ operation: 'searchOrders', kind: 'error500', count: 1 });
    await asc('sync');

    // The admin, in the browser's place: every page the navigation and the pages link to.
    const { host, log } = await openTestHost(db(), { modules: [{ directory: REPO_ROOT }], clock: hostClock, secretKey });
    const created = await host.services.users.create('scanner', 'scanner-password', 'admin');
    if (!created.ok) throw new Error(created.message);
    const running = await host.startAdmin({ port: 0 });
    const pages = new Map<string, string>();
    let consentToken = '';
    let authorizationCode = '';
    try {
      const admin = new AdminClient(running.url);
      await admin.login('scanner', 'scanner-password');
      // The application once (its secret from a file), then a second store through Amazon's consent.
      const redirectUri = `${running.url}/admin/amazon/connect/callback`;
      amazon.addRedirectUri(app.clientId, redirectUri);
      const secretFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asc-scan-')), 'secret');
      fs.writeFileSync(secretFile, app.clientSecret, { mode: 0o600 });
      await ok('app:credentials:set', '--client-id', app.clientId, '--client-secret-file', secretFile, '--application-id', app.applicationId!, '--redirect-uri', redirectUri,
        '--seller-central-url', amazon.url, '--lwa-endpoint', amazon.lwaUrl, '--sp-api-endpoint', amazon.url);
      await ok('app:credentials:show', '--json');
      const form = await admin.submit('/admin/amazon/connect', '/admin/amazon/connect', { name: 'Scan CA', marketplace_id: 'A2EUQ1WTGCTBG2', import_days: '0', seller: 'new' });
      pages.set('POST /admin/amazon/connect', form.text);
      const consentUrl = unescapeHtml(/href="([^"]+)"[^>]*>Continue to Seller Central/.exec(form.text)![1]!);
      const { location } = await consentOnSandbox(consentUrl, 'approve');
      authorizationCode = new URL(location).searchParams.get('spapi_oauth_code')!;
      const landed = await admin.get(location.slice(running.url.length));
      expect(landed.location).to.match(/\?store=connected$/);
      pages.set(landed.location!, (await admin.get(landed.location!)).text);
      const row = await db().knex('amazon_store').where({ name: 'Scan CA' }).first();
      consentToken = JSON.parse(await host.services.secrets.decrypt(row.credentials_encrypted)).refreshToken;
      expect(consentToken).to.match(/^Atzr\|/);
      const queue = ['/admin', '/admin/amazon/stores', '/admin/orders'];
      while (queue.length > 0 && pages.size < 200) {
        const path = queue.shift()!;
        if (pages.has(path) || /\/logout$/.test(path)) continue;
        const page = await admin.get(path);
        pages.set(path, page.text);
        for (const href of hrefs(page.text)) {
          if (href.startsWith('/admin') && !pages.has(href) && !queue.includes(href)) queue.push(href);
        }
      }
    } finally {
      await running.close();
      await host.close();
    }
    logs.push(log.text());
    expect([...pages.keys()].some((p) => p.endsWith('.csv') || p.includes('.csv?'))).to.equal(true);
    expect([...pages.keys()].some((p) => p.includes(`/orders/${ids[0]}`))).to.equal(true);

    // What is stored as text the admin or a log may show.
    const stored = [
      ...(await db().knex('amazon_api_error').pluck('message')),
      ...(await db().knex('amazon_sync_state').select('last_error', 'last_stats')).flatMap((r: Record<string, unknown>) => [r.last_error, r.last_stats]),
      ...(await db().knex('amazon_outbox').select('payload', 'last_error')).flatMap((r: Record<string, unknown>) => [r.payload, r.last_error]),
      ...(await db().knex('amazon_order_log').pluck('message')),
      ...(await db().knex('amazon_order').pluck('note')),
      ...(await db().knex('amazon_feed').pluck('result')),
    ].filter((v): v is string => typeof v === 'string');

    const urls = [...pages.keys(), ...amazon.requests().map((r) => `${r.path}?${JSON.stringify(r.query)}`)];
    const secrets = [app.clientSecret, app.refreshToken, consentToken];
    const everything: Array<[string, string[]]> = [['a log line', logs], ['a CLI output', [...outputs, ...hostOrderViews]], ['a page', [...pages.values()]], ['a URL', urls], ['a stored message', stored]];
    for (const [where, texts] of everything) {
      for (const text of texts) {
        for (const secret of secrets) expect(text.includes(secret), `a secret in ${where}`).to.equal(false);
        expect(ACCESS_TOKEN.test(text), `an access token in ${where}: ${ACCESS_TOKEN.exec(text)?.[0]}`).to.equal(false);
      }
    }
    expect(logs.join('\n')).to.include('Amazon call'); // the debug lines were there to read
    // The consent's code is single-use, but no log or stored message needs it either.
    for (const text of [...logs, ...stored]) expect(text.includes(authorizationCode), 'the authorization code in a log or stored message').to.equal(false);

    const buyers = ids.map((id) => amazon.book.get(id)!).map((o) => ({ id: o.orderId, name: o.buyer.name, email: o.buyer.email, phone: o.address.phone, street: o.address.addressLine1 }));
    for (const buyer of buyers) {
      const personal = [buyer.email, buyer.phone, buyer.street].filter((v): v is string => Boolean(v));
      for (const [where, texts] of [['a log line', logs], ['a CLI output', outputs], ['a URL', urls], ['a stored message', stored]] as Array<[string, string[]]>) {
        for (const text of texts) for (const value of personal) expect(text.includes(value), `${value} of ${buyer.id} in ${where}`).to.equal(false);
      }
      for (const text of logs) expect(text.includes(buyer.name), `${buyer.name} in a log line`).to.equal(false);
      // The module's pages: only the order's own Amazon order page, nowhere in its lists, dashboards
      // or exports. (The host's order pages, /admin/orders..., are the host's view of its customers.)
      for (const [path, html] of pages) {
        for (const value of personal) {
          // The sandbox's fake addresses repeat: a value is the order's own on the page of any order that has it.
          const owners = buyers.filter((b) => [b.email, b.phone, b.street].includes(value)).map((b) => b.id);
          const own = owners.some((id) => path.includes(`/orders/${id}`)) || path.startsWith('/admin/orders');
          if (!own) expect(html.includes(value), `${value} of ${buyer.id} on ${path}`).to.equal(false);
        }
      }
    }
  });
});
