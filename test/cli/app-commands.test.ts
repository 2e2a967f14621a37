/**
 * asc app:credentials:set / app:credentials:show on both databases: the secret read from a file
 * (never a flag), never printed, kept encrypted; stores added afterwards keep only their refresh
 * token and sync with the application's secret.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { runCliInProcess, type CliResult } from '../support/cli.ts';
import { SandboxClock, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import { APP_CONFIG_PATH } from '../../src/stores/amazon-app.ts';
import { AesGcmSecrets } from '../../sandbox/host/secrets.ts';

const REDIRECT = 'https://shop.example/admin/amazon/connect/callback';

describeEachDatabase('asc app:credentials', (db) => {
  let amazon: RunningAmazonSandbox;
  let clock: SandboxClock;
  let secretFile: string;
  const secretKey = crypto.randomBytes(32).toString('base64');

  const asc = (...args: string[]): Promise<CliResult> =>
    runCliInProcess(args, {
      env: { DATABASE_URL: db().url, HOST_SECRET_KEY: secretKey, HOST_CLOCK_OFFSET_MS: String(clock.now() - Date.now()), AMAZON_SANDBOX: '0' },
    });

  before(async () => {
    clock = new SandboxClock({ start: '2026-11-26T10:00:00Z', speed: 0 });
    amazon = await startCheckedSandbox({ port: 0, clock });
    expect((await asc('migrate')).code).to.equal(0);
    secretFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'asc-app-')), 'secret');
    fs.writeFileSync(secretFile, `${amazon.demoApp.clientSecret}\n`, { mode: 0o600 });
  });
  after(() => amazon.close());

  it('says the application is not configured yet, and refuses an incomplete one naming each flag', async () => {
    const shown = await asc('app:credentials:show');
    expect(shown.code).to.equal(0);
    expect(shown.stdout).to.include('The SP-API application is not configured');
    expect(JSON.parse((await asc('app:credentials:show', '--json')).stdout)).to.equal(null);

    const incomplete = await asc('app:credentials:set', '--client-id', 'nope', '--redirect-uri', 'http://shop.example/cb');
    expect(incomplete.code).to.equal(2);
    expect(incomplete.stderr).to.include('--client-id must be the LWA client identifier');
    expect(incomplete.stderr).to.include('--client-secret-file is required');
    expect(incomplete.stderr).to.include('--application-id is required');
    expect(incomplete.stderr).to.include('--redirect-uri must use https');
    const unreadable = await asc('app:credentials:set', '--client-secret-file', '/nonexistent/secret');
    expect(unreadable.code).to.equal(2);
    expect(unreadable.stderr).to.include('--client-secret-file: cannot read /nonexistent/secret (ENOENT)');
    expect(await db().knex('host_config').where({ path: APP_CONFIG_PATH }).first()).to.equal(undefined);
  });

  it('saves the application with the secret from a file, encrypted, and never prints the secret', async () => {
    const app = amazon.demoApp;
    const saved = await asc(
      'app:credentials:set', '--client-id', app.clientId, '--client-secret-file', secretFile, '--application-id', app.applicationId!,
      '--redirect-uri', REDIRECT, '--seller-central-url', amazon.url, '--lwa-endpoint', amazon.lwaUrl, '--sp-api-endpoint', amazon.url, '--json',
    );
    expect(saved.code, saved.stderr).to.equal(0);
    expect(JSON.parse(saved.stdout)).to.deep.include({ clientId: app.clientId, clientSecret: 'saved (never shown)', applicationId: app.applicationId, redirectUri: REDIRECT, draft: false, lwaEndpoint: amazon.lwaUrl });
    const row = await db().knex('host_config').where({ path: APP_CONFIG_PATH }).first();
    expect(row.value).to.not.include(app.clientSecret);

    // A later change keeps what it does not name, the secret included.
    const draft = await asc('app:credentials:set', '--draft', 'true', '--json');
    expect(draft.code, draft.stderr).to.equal(0);
    expect(JSON.parse(draft.stdout)).to.deep.include({ clientId: app.clientId, draft: true, redirectUri: REDIRECT });
    // A new client id needs its own secret.
    const otherClient = await asc('app:credentials:set', '--client-id', 'amzn1.application-oa2-client.other');
    expect(otherClient.code).to.equal(2);
    expect(otherClient.stderr).to.include('--client-secret-file is required');

    const shown = await asc('app:credentials:show');
    for (const output of [saved.stdout, draft.stdout, shown.stdout, shown.stderr]) expect(output).to.not.include(app.clientSecret);
    expect(shown.stdout).to.include(app.applicationId!);
  });

  it("adds a store that keeps only its refresh token and syncs with the application's secret", async () => {
    const app = amazon.demoApp;
    const added = await asc('store:add', '--name', 'Sandbox US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', app.sellerId, '--refresh-token', app.refreshToken, '--json');
    expect(added.code, added.stderr).to.equal(0);
    const store = JSON.parse(added.stdout);
    // The application's client and endpoints are the store's defaults.
    expect(store).to.include({ clientId: app.clientId, spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl });
    const row = await db().knex('amazon_store').where({ id: store.id }).first();
    expect(JSON.parse(await new AesGcmSecrets(Buffer.from(secretKey, 'base64')).decrypt(row.credentials_encrypted))).to.deep.equal({ refreshToken: app.refreshToken });
    const synced = await asc('sync', '--store', String(store.id), '--json');
    expect(synced.code, synced.stderr).to.equal(0);
    expect(JSON.parse(synced.stdout)[0]).to.include({ result: 'ok' });

    // Another client's store must bring its own secret.
    const foreign = await asc('store:add', '--name', 'Other', '--region', 'na', '--marketplace-id', 'A2EUQ1WTGCTBG2', '--seller-id', app.sellerId, '--client-id', 'amzn1.application-oa2-client.other', '--refresh-token', 'Atzr|x');
    expect(foreign.code).to.equal(2);
    expect(foreign.stderr).to.include(`--client-secret is required for a client other than the module's application (${app.clientId})`);
  });
});
