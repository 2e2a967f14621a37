/**
 * Connecting a store from the admin, through the reference host's HTTP admin and the sandbox's
 * Seller Central and Login with Amazon: the whole consent round trip, and every way it is refused
 * (forged, replayed, expired or foreign state, consent denied, the code used elsewhere first, LWA
 * down, a seller and marketplace already connected) leaving the stores as they were; and managing
 * it: a revoked authorization stopping its sync until it is reconnected, disconnect, rename, status.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../support/databases.ts';
import { emptyOrderTables, MINUTE, START } from '../support/e2e.ts';
import { AdminClient, csrfToken, unescapeHtml } from '../support/admin-client.ts';
import { openTestHost, REPO_ROOT } from '../support/host.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import { consentOnSandbox, type SandboxConsent } from '../support/seller-central.ts';
import { SandboxClock, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import type { Host } from '../../sandbox/host/host.ts';
import { AmazonAppSettings, APP_CONFIG_PATH, CONNECT_CALLBACK_PATH } from '../../src/stores/amazon-app.ts';
import { sandboxApplication } from '../../sandbox/amazon/extension.ts';
import { Contributions, Ports } from '../../src/host/tokens.ts';
import { CliUsageError, type CliCommandContribution } from '../../src/host/contributions.ts';
import { capturingIo } from '../support/cli.ts';
import type { ConfigPort } from '../../src/host/ports.ts';
import { Stores } from '../../src/stores/stores.ts';
import { OrderSync } from '../../src/sync/order-sync.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';
import { OutboxSender } from '../../src/fulfillment/outbox-sender.ts';

const PASSWORD = 'admin-password';

describeEachDatabase('connecting and managing a store from the admin', (db) => {
  let amazon: RunningAmazonSandbox;
  let clock: SandboxClock;
  let host: Host;
  let admin: AdminClient;
  let adminUrl: string;
  let closeAdmin: () => Promise<void>;
  let knex: Knex;

  beforeEach(async () => {
    clock = new SandboxClock({ start: START, speed: 0 });
    amazon = await startCheckedSandbox({ port: 0, clock, verificationDelayMs: 5 * MINUTE });
    ({ host } = await openTestHost(db(), { modules: [{ directory: REPO_ROOT }], clock: { now: () => new Date(clock.now()) } }));
    knex = db().knex;
    const created = await host.services.users.create('admin', PASSWORD, 'admin');
    if (!created.ok && !created.message.includes('already exists')) throw new Error(created.message);
    const running = await host.startAdmin({ port: 0 });
    closeAdmin = () => running.close();
    adminUrl = running.url;
    admin = new AdminClient(adminUrl);
    await admin.login('admin', PASSWORD);
    // The developer's one-time setup: the sandbox's demo app, registered with this admin's callback.
    await host.container.get(AmazonAppSettings).save(sandboxApplication(amazon, adminUrl));
  });

  afterEach(async () => {
    await closeAdmin();
    await amazon.close();
    await host.close();
    await emptyOrderTables(knex);
  });

  const stores = () => host.container.get(Stores).list();

  /** Fills in the Connect form and answers the Seller Central URL the next page links to. */
  async function startConnect(client: AdminClient, name = 'My US store', importDays = '0'): Promise<string> {
    const page = await client.submit('/admin/amazon/connect', '/admin/amazon/connect', { name, marketplace_id: 'ATVPDKIKX0DER', import_days: importDays });
    expect(page.status, page.text).to.equal(200);
    const link = /<a class="asc-button asc-button--primary" href="([^"]+)"[^>]*>Continue to Seller Central<\/a>/.exec(page.text);
    expect(link, page.text).to.not.equal(null);
    return unescapeHtml(link![1]!);
  }

  /** The admin's browser arriving back from Amazon. */
  const callback = (client: AdminClient, location: string) => client.get(location.slice(adminUrl.length));

  async function approved(client = admin, name?: string): Promise<SandboxConsent> {
    const consent = await consentOnSandbox(await startConnect(client, name), 'approve');
    expect(consent.location.startsWith(`${adminUrl}/admin${CONNECT_CALLBACK_PATH}?`), consent.location).to.equal(true);
    return consent;
  }

  it('connects a store: empty Stores page, Connect, approve at Seller Central, back on the new dashboard with its first sync', async () => {
    const before = amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: 'MUG', qty: 1, price: '9.99' }], status: 'UNSHIPPED' }).orderId;
    clock.advance(MINUTE);
    const empty = await admin.get('/admin/amazon/stores');
    expect(empty.text).to.include('No Amazon store is connected yet');
    expect(empty.text).to.include('href="/admin/amazon/connect"');

    const consentUrl = await startConnect(admin);
    const url = new URL(consentUrl);
    expect(`${url.origin}${url.pathname}`).to.equal(`${amazon.url}/apps/authorize/consent`);
    expect(url.searchParams.get('application_id')).to.equal(amazon.demoApp.applicationId);
    expect(url.searchParams.get('redirect_uri')).to.equal(`${adminUrl}/admin${CONNECT_CALLBACK_PATH}`);
    expect(url.searchParams.get('state')).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.has('version')).to.equal(false);
    // Only the state's hash is kept.
    expect(JSON.stringify(await knex('amazon_store_authorization').select())).to.not.include(url.searchParams.get('state'));

    const consent = await consentOnSandbox(consentUrl, 'approve');
    const landed = await callback(admin, consent.location);
    const [store] = await stores();
    expect(landed.status, landed.text).to.equal(302);
    expect(landed.location).to.equal(`/admin/amazon/stores/${store!.id}?store=connected`);
    expect(store).to.include({ name: 'My US store', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: amazon.demoApp.sellerId, clientId: amazon.demoApp.clientId, status: 'active', spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl });
    expect(store!.integratedAt.toISOString()).to.equal(new Date(clock.now()).toISOString());
    // The store keeps its refresh token only; the client secret is the application's.
    const row = await knex('amazon_store').where({ id: store!.id }).first();
    const kept = JSON.parse(await host.services.secrets.decrypt(row.credentials_encrypted));
    expect(Object.keys(kept)).to.deep.equal(['refreshToken']);
    expect(kept.refreshToken).to.match(/^Atzr\|/);

    const dashboard = await admin.get(landed.location!);
    expect(dashboard.text).to.include('The store is connected. Its first sync starts within a minute');
    await firstSyncFinished(store!.id);
    const state = await knex('amazon_sync_state').where({ store_id: store!.id }).first();
    expect(state.last_result).to.equal('ok');

    // Orders from before the connection never import; a new one does, with the new refresh token.
    const after = amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: 'MUG', qty: 1, price: '9.99' }], status: 'UNSHIPPED' }).orderId;
    clock.advance(5 * MINUTE);
    const [result] = await host.container.get(OrderSync).run({ storeId: store!.id });
    expect(result!.result, result!.error ?? '').to.equal('ok');
    const repository = host.container.get(OrderRepository);
    expect(await repository.find(store!.id, after)).to.not.equal(null);
    expect(await repository.find(store!.id, before)).to.equal(null);
  });

  /** The first-sync cron job (every minute in a host) syncs the store connected just now, and only it. */
  async function firstSyncFinished(storeId: number): Promise<void> {
    const results = await host.container.get(OrderSync).runDue();
    expect(results.map((r) => [r.storeId, r.result])).to.deep.equal([[storeId, 'ok']]);
  }

  it('imports the orders of the last days too when the admin chooses so', async () => {
    const earlier = amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: 'MUG', qty: 1, price: '9.99' }], status: 'UNSHIPPED' }).orderId;
    clock.advance(5 * MINUTE);
    const consent = await consentOnSandbox(await startConnect(admin, 'With yesterday', '1'), 'approve');
    expect((await callback(admin, consent.location)).status).to.equal(302);
    const [store] = await stores();
    expect(store!.integratedAt.toISOString()).to.equal(new Date(clock.now() - 24 * 60 * MINUTE).toISOString());
    await firstSyncFinished(store!.id);
    expect(await host.container.get(OrderRepository).find(store!.id, earlier)).to.not.equal(null);
  });

  it('refuses a forged state, a missing one, and an answer replayed after the store was connected', async () => {
    const consent = await approved();
    const forged = new URL(consent.location);
    forged.searchParams.set('state', 'x'.repeat(43));
    const refusedForged = await callback(admin, forged.href);
    expect(refusedForged.status).to.equal(400);
    expect(refusedForged.text).to.include('does not belong to a store connection started in this admin');
    const none = await admin.get(`/admin${CONNECT_CALLBACK_PATH}`);
    expect(none.status).to.equal(400);
    expect(await stores()).to.have.length(0);

    expect((await callback(admin, consent.location)).status).to.equal(302);
    await firstSyncFinished((await stores())[0]!.id);
    const replayed = await callback(admin, consent.location);
    expect(replayed.status).to.equal(409);
    expect(replayed.text).to.include('was already used; it works once');
    expect(await stores()).to.have.length(1);
  });

  it("refuses an answer in another admin session, which the session that started it can still finish", async () => {
    const consent = await approved();
    const other = new AdminClient(adminUrl);
    await other.login('admin', PASSWORD);
    const elsewhere = await callback(other, consent.location);
    expect(elsewhere.status).to.equal(403);
    expect(elsewhere.text).to.include('started in another admin session');
    expect(await stores()).to.have.length(0);

    const again = await approved(other);
    expect((await callback(other, again.location)).status).to.equal(302);
    await firstSyncFinished((await stores())[0]!.id);
  });

  it('refuses an answer that comes back after 10 minutes', async () => {
    const consentUrl = await startConnect(admin);
    clock.advance(10 * MINUTE + 1);
    const consent = await consentOnSandbox(consentUrl, 'approve');
    const late = await callback(admin, consent.location);
    expect(late.status).to.equal(400);
    expect(late.text).to.include('more than 10 minutes after the connection started');
    expect(await stores()).to.have.length(0);
  });

  it('says so when the seller denies the consent, and connects nothing', async () => {
    const consent = await consentOnSandbox(await startConnect(admin), 'deny');
    expect(new URL(consent.location).searchParams.get('error')).to.equal('access_denied');
    const denied = await callback(admin, consent.location);
    expect(denied.status).to.equal(400);
    expect(denied.text).to.include('The application was not authorized in Seller Central');
    expect(await stores()).to.have.length(0);
  });

  it('refuses a code LWA does not accept (used elsewhere first) and says to start again', async () => {
    const consent = await approved();
    const params = new URL(consent.location).searchParams;
    // Someone else exchanged the code first: codes are single-use.
    const stolen = await fetch(amazon.lwaUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('spapi_oauth_code')!, redirect_uri: params.get('redirect_uri') ?? `${adminUrl}/admin${CONNECT_CALLBACK_PATH}`, client_id: amazon.demoApp.clientId, client_secret: amazon.demoApp.clientSecret }),
    });
    expect(stolen.status).to.equal(200);
    const refused = await callback(admin, consent.location);
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('did not accept the authorization code');
    expect(refused.text).to.match(/request id [0-9a-f-]{36}/);
    expect(await stores()).to.have.length(0);
  });

  it('answers 502 when Login with Amazon is down, and connects nothing', async () => {
    const consent = await approved();
    amazon.addFault({ operation: 'lwaToken', kind: 'error503', count: 1 });
    const down = await callback(admin, consent.location);
    expect(down.status).to.equal(502);
    expect(down.text).to.include('Login with Amazon could not be reached or failed');
    expect(await stores()).to.have.length(0);
  });

  it('refuses a seller and marketplace that are already connected', async () => {
    const first = await approved(admin, 'First');
    expect((await callback(admin, first.location)).status).to.equal(302);
    await firstSyncFinished((await stores())[0]!.id);
    const second = await approved(admin, 'Second');
    const refused = await callback(admin, second.location);
    expect(refused.status).to.equal(409);
    expect(refused.text).to.include('is already connected as store &quot;First&quot;');
    expect((await stores()).map((s) => s.name)).to.deep.equal(['First']);
  });

  it('shows the form errors, sends an admin without the application to App credentials, and keeps staff out', async () => {
    const refused = await admin.submit('/admin/amazon/connect', '/admin/amazon/connect', { name: '  ', marketplace_id: 'toString', import_days: '365' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('must be one of 0, 1, 7, 30 days');
    expect(refused.text).to.include('is required');
    expect(refused.text).to.include('&quot;toString&quot; is not an Amazon marketplace');
    expect(await knex('amazon_store_authorization').select('id')).to.deep.equal([]);

    await host.container.get<ConfigPort>(Ports.Config).set(APP_CONFIG_PATH, null);
    const unconfigured = await admin.get('/admin/amazon/connect');
    expect(unconfigured.text).to.include('The SP-API application is not set up yet');
    expect(unconfigured.text).to.include('href="/admin/amazon/app"');
    expect(unconfigured.text).to.not.include('Continue to Amazon');

    const created = await host.services.users.create('staff', PASSWORD, 'staff');
    if (!created.ok && !created.message.includes('already exists')) throw new Error(created.message);
    const staff = new AdminClient(adminUrl);
    await staff.login('staff', PASSWORD);
    for (const path of ['/admin/amazon/connect', `/admin${CONNECT_CALLBACK_PATH}`, '/admin/amazon/app']) {
      expect((await staff.get(path)).status, path).to.equal(403);
    }
  });

  it('App credentials: shows the saved application without its secret, refuses bad input whole, keeps the secret when left empty', async () => {
    const page = await admin.get('/admin/amazon/app');
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`value="${amazon.demoApp.clientId}"`);
    expect(page.text).to.include('Saved. Leave empty to keep it');
    expect(page.text).to.not.include(amazon.demoApp.clientSecret);
    const app = host.container.get(AmazonAppSettings);
    const before = await app.get();

    const refused = await admin.submit('/admin/amazon/app', '/admin/amazon/app', {
      client_id: amazon.demoApp.clientId, client_secret: 'typed-secret', application_id: 'nope', redirect_uri: 'https://shop.example/elsewhere',
    });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('must be the app&#x27;s application id');
    expect(refused.text).to.include('/amazon/connect/callback');
    expect(refused.text).to.not.include('typed-secret');
    expect(await app.get()).to.deep.equal(before);

    const saved = await admin.submit('/admin/amazon/app', '/admin/amazon/app', {
      client_id: amazon.demoApp.clientId, client_secret: '', application_id: amazon.demoApp.applicationId!, redirect_uri: before!.redirectUri, draft: '1',
      seller_central_url: amazon.url, lwa_endpoint: amazon.lwaUrl, sp_api_endpoint: amazon.url,
    });
    expect(saved.status).to.equal(303);
    expect(saved.location).to.equal('/admin/amazon/app?saved=1');
    expect((await app.get())!.draft).to.equal(true);
    expect(await app.clientSecret()).to.equal(amazon.demoApp.clientSecret);
    // A Draft application's consent carries version=beta.
    expect(new URL(await startConnect(admin)).searchParams.get('version')).to.equal('beta');
  });
  /** Connects the demo seller's US store through the whole flow and waits for its first sync. */
  async function connected(name = 'My US store') {
    const consent = await approved(admin, name);
    expect((await callback(admin, consent.location)).status).to.equal(302);
    const store = (await stores()).find((s) => s.name === name)!;
    await firstSyncFinished(store.id);
    return store;
  }

  const place = () => amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: 'MUG', qty: 1, price: '9.99' }], status: 'UNSHIPPED' }).orderId;
  const sync = async (storeId: number) => (await host.container.get(OrderSync).run({ storeId }))[0]!;
  const storedIds = async (storeId: number) => (await knex('amazon_order').where({ store_id: storeId }).orderBy('id').select('id', 'amazon_order_id')).map((r) => `${r.id}:${r.amazon_order_id}`);
  const lwaCalls = () => amazon.requests().filter((r) => r.path === '/auth/o2/token').length;

  /** Posts one of the dashboard's Store card forms, with the page's CSRF token. */
  const manage = (storeId: number, action: string, fields: Record<string, string> = {}) => admin.submit(`/admin/amazon/stores/${storeId}`, `/admin/amazon/stores/${storeId}/${action}`, fields);

  async function reconnect(storeId: number, sellerId?: string) {
    const page = await manage(storeId, 'reconnect');
    expect(page.status, page.text).to.equal(200);
    const link = unescapeHtml(/href="([^"]+)"[^>]*>Continue to Seller Central/.exec(page.text)![1]!);
    return callback(admin, (await consentOnSandbox(link, 'approve', sellerId)).location);
  }

  it('stops a store whose authorization Amazon revoked, says to reconnect, and reconnecting goes on without importing anything twice', async () => {
    const store = await connected();
    const first = place();
    clock.advance(5 * MINUTE);
    expect((await sync(store.id)).result).to.equal('ok');
    const before = await storedIds(store.id);
    expect(before.some((id) => id.endsWith(first))).to.equal(true);

    // The seller removes the application in Seller Central.
    amazon.revokeAuthorization(amazon.demoApp.clientId, amazon.demoApp.sellerId);
    const second = place();
    clock.advance(5 * MINUTE);
    const refused = await sync(store.id);
    expect(refused.result).to.equal('failed');
    const rejected = (await stores())[0]!;
    expect(rejected.authorization).to.equal('rejected');
    expect(rejected.authorizationNote).to.match(/^Amazon no longer accepts this store's authorization \(Login with Amazon: invalid_grant\) \[request id [0-9a-f-]{36}\]: reconnect the store$/);
    const logged = await knex('amazon_api_error').where({ store_id: store.id, code: 'invalid_grant' }).first();
    expect(logged.request_id).to.match(/^[0-9a-f-]{36}$/);

    // Its sync stops: no more calls to LWA or Amazon until it is reconnected.
    const calls = lwaCalls();
    const skipped = await sync(store.id);
    expect(skipped).to.include({ result: 'skipped', error: rejected.authorizationNote });
    expect(lwaCalls()).to.equal(calls);
    expect((await admin.get('/admin')).text).to.include('Amazon no longer accepts the authorization of:');
    const dashboard = await admin.get(`/admin/amazon/stores/${store.id}`);
    expect(dashboard.text).to.include('Reconnect needed');
    expect((await admin.get('/admin/amazon/stores')).text).to.include('Reconnect needed');

    const back = await reconnect(store.id);
    expect(back.status, back.text).to.equal(302);
    expect(back.location).to.equal(`/admin/amazon/stores/${store.id}?store=reconnected`);
    const restored = (await stores())[0]!;
    expect(restored).to.include({ id: store.id, authorization: 'authorized', authorizationNote: null });
    expect(restored.integratedAt.getTime()).to.equal(store.integratedAt.getTime());
    expect((await admin.get('/admin')).text).to.not.include('Amazon no longer accepts the authorization of:');
    // The next sync picks up where the store stopped; nothing is stored twice.
    expect(await host.container.get(OrderSync).runDue()).to.deep.equal([]);
    expect((await sync(store.id)).result).to.equal('ok');
    const after = await storedIds(store.id);
    expect(after.slice(0, before.length)).to.deep.equal(before);
    expect(after).to.have.length(before.length + 1);
    expect(after.at(-1)!.endsWith(second)).to.equal(true);
  });

  it("refuses a reconnection that another seller authorized, and keeps the store's authorization", async () => {
    const store = await connected();
    const row = await knex('amazon_store').where({ id: store.id }).first();
    amazon.addSeller('A2OTHERSELLER');
    const refused = await reconnect(store.id, 'A2OTHERSELLER');
    expect(refused.status).to.equal(409);
    expect(refused.text).to.include('but store &quot;My US store&quot; is seller A1SANDBOXSELLER&#x27;s');
    expect((await sync(store.id)).result).to.equal('ok');
    expect((await knex('amazon_store').where({ id: store.id }).first()).credentials_encrypted).to.equal(row.credentials_encrypted);
  });

  it('disconnects a store only after the confirmation, deletes its credentials, keeps its orders view-only, and reconnects it', async () => {
    const store = await connected();
    const order = place();
    clock.advance(5 * MINUTE);
    expect((await sync(store.id)).result).to.equal('ok');

    const confirm = await admin.get(`/admin/amazon/stores/${store.id}/disconnect`);
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.include('Disconnecting deletes this store');
    const unconfirmed = await admin.post(`/admin/amazon/stores/${store.id}/disconnect`, { csrf_token: csrfToken(confirm.text) });
    expect(unconfirmed.location).to.equal(`/admin/amazon/stores/${store.id}/disconnect`);
    expect((await stores())[0]!.authorization).to.equal('authorized');

    const done = await admin.post(`/admin/amazon/stores/${store.id}/disconnect`, { csrf_token: csrfToken(confirm.text), confirm: 'disconnect' });
    expect(done.location).to.equal(`/admin/amazon/stores/${store.id}?store=disconnected`);
    const row = await knex('amazon_store').where({ id: store.id }).first();
    expect(row).to.include({ authorization: 'disconnected', credentials_encrypted: '' });
    expect((await sync(store.id))).to.include({ result: 'skipped', error: 'the store is disconnected from Amazon: reconnect it to sync and send to Amazon again' });
    const [send] = await host.container.get(OutboxSender).run({ storeId: store.id });
    expect(send).to.include({ result: 'skipped', error: 'the store is disconnected from Amazon: reconnect it to sync and send to Amazon again; what waits is sent once it is' });
    const orderPage = await admin.get(`/admin/amazon/stores/${store.id}/orders/${order}`);
    expect(orderPage.status).to.equal(200);
    const dashboard = await admin.get(done.location!);
    expect(dashboard.text).to.include('The store is disconnected: its credentials are deleted');
    expect(dashboard.text).to.not.include('Disconnect…');

    expect((await reconnect(store.id)).location).to.equal(`/admin/amazon/stores/${store.id}?store=reconnected`);
    expect((await stores())[0]!.authorization).to.equal('authorized');
  });

  it('renames a store and makes it Inactive and Active from its Store card', async () => {
    const store = await connected();
    const refused = await manage(store.id, 'rename', { name: ' ' });
    expect(refused.status).to.equal(422);
    expect(refused.text).to.include('The name is required; nothing was changed');
    expect((await manage(store.id, 'rename', { name: 'US main' })).location).to.equal(`/admin/amazon/stores/${store.id}?store=renamed`);
    expect((await manage(store.id, 'status', { status: 'inactive' })).location).to.equal(`/admin/amazon/stores/${store.id}?store=inactive`);
    expect((await stores())[0]).to.include({ name: 'US main', status: 'inactive' });
    expect((await sync(store.id)).result).to.equal('skipped');
    expect((await manage(store.id, 'status', { status: 'toString' })).status).to.equal(422);
    await manage(store.id, 'status', { status: 'active' });
    expect((await stores())[0]!.status).to.equal('active');
  });
  it("connects a second marketplace of an authorized seller without asking Amazon again; the two share the seller's authorization", async () => {
    const us = await connected();
    const form = await admin.get('/admin/amazon/connect');
    expect(form.text).to.include(`<option value="${us.id}">Seller ${amazon.demoApp.sellerId}, already authorized (North America: My US store)</option>`);
    const otherRegion = await admin.submit('/admin/amazon/connect', '/admin/amazon/connect', { name: 'My UK store', marketplace_id: 'A1F83G8C2ARO7P', import_days: '0', seller: String(us.id) });
    expect(otherRegion.status).to.equal(422);
    expect(otherRegion.text).to.include('is authorized in region na; A1F83G8C2ARO7P is served by eu');

    const attempts = (await knex('amazon_store_authorization').select('id')).length;
    const added = await admin.submit('/admin/amazon/connect', '/admin/amazon/connect', { name: 'My CA store', marketplace_id: 'A2EUQ1WTGCTBG2', import_days: '0', seller: String(us.id) });
    const ca = (await stores()).find((s) => s.name === 'My CA store')!;
    expect(added.status, added.text).to.equal(303);
    expect(added.location).to.equal(`/admin/amazon/stores/${ca.id}?store=connected`);
    expect(ca).to.include({ sellerId: us.sellerId, region: 'na', marketplaceId: 'A2EUQ1WTGCTBG2', authorization: 'authorized' });
    expect((await knex('amazon_store_authorization').select('id')).length).to.equal(attempts);
    const storeService = host.container.get(Stores);
    expect(await storeService.credentials(ca.id)).to.deep.equal(await storeService.credentials(us.id));
    await firstSyncFinished(ca.id);
    const again = await admin.submit('/admin/amazon/connect', '/admin/amazon/connect', { name: 'CA twice', marketplace_id: 'A2EUQ1WTGCTBG2', import_days: '0', seller: String(us.id) });
    expect(again.status).to.equal(409);

    // One revocation stops both; one reconnection restores both.
    amazon.revokeAuthorization(amazon.demoApp.clientId, amazon.demoApp.sellerId);
    clock.advance(5 * MINUTE);
    expect((await sync(us.id)).result).to.equal('failed');
    expect((await stores()).map((s) => s.authorization)).to.deep.equal(['rejected', 'rejected']);
    expect((await reconnect(us.id)).status).to.equal(302);
    expect((await stores()).map((s) => s.authorization)).to.deep.equal(['authorized', 'authorized']);
    expect(await storeService.credentials(ca.id)).to.deep.equal(await storeService.credentials(us.id));
  });
  it('asc store:connect prints the consent URL, waits, and reports the store an admin connected in the browser; asc store:disconnect wants --confirm', async () => {
    const commands = host.container.getAll<CliCommandContribution>(Contributions.CliCommand);
    const command = (name: string) => commands.find((c) => c.name === name)!;
    const io = capturingIo();
    const running = command('store:connect').run({ region: 'na', 'marketplace-id': 'ATVPDKIKX0DER', name: 'From the console' }, io);
    for (let i = 0; i < 200 && !io.out().includes('Waiting'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const consentUrl = /^(http\S+)$/m.exec(io.out())![1]!;
    // Any admin's browser finishes a console connection.
    const consent = await consentOnSandbox(consentUrl, 'approve');
    expect((await callback(admin, consent.location)).status).to.equal(302);
    expect(await running).to.equal(0);
    expect(io.out()).to.match(/Connected Amazon store \d+ "From the console" \(ATVPDKIKX0DER, seller A1SANDBOXSELLER\)/);
    await firstSyncFinished((await stores())[0]!.id);

    const wrongRegion = command('store:connect').run({ region: 'eu', 'marketplace-id': 'ATVPDKIKX0DER', name: 'X' }, capturingIo());
    await expectUsageError(wrongRegion, '--marketplace-id ATVPDKIKX0DER is served by region na, not eu');
    await expectUsageError(command('store:disconnect').run({ store: (await stores())[0]!.id }, capturingIo()), '--confirm is required');
    const out = capturingIo();
    expect(await command('store:disconnect').run({ store: (await stores())[0]!.id, confirm: true }, out)).to.equal(0);
    expect((await stores())[0]!.authorization).to.equal('disconnected');
  });

  async function expectUsageError(run: Promise<number>, message: string): Promise<void> {
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(CliUsageError);
    expect((error as Error).message).to.include(message);
  }
  it('connects a self-authorized store with its refresh token, tried at Login with Amazon before anything is saved', async () => {
    const fields = (overrides: Record<string, string>) => ({ name: 'Self US', marketplace_id: 'ATVPDKIKX0DER', import_days: '0', seller_id: amazon.demoApp.sellerId, refresh_token: amazon.demoApp.refreshToken, ...overrides });
    const post = (overrides: Record<string, string> = {}) => admin.submit('/admin/amazon/connect', '/admin/amazon/connect/token', fields(overrides));

    const invalid = await post({ seller_id: 'lower', refresh_token: 'Atzr|typed-secret-token', name: '' });
    expect(invalid.status).to.equal(422);
    expect(invalid.text).to.include('Not connected: Store name is required.');
    expect(invalid.text).to.include('must be the merchant token from Seller Central');
    expect(invalid.text).to.not.include('typed-secret-token');
    const foreign = await post({ refresh_token: 'Atzr|not-a-token-of-this-app' });
    expect(foreign.status).to.equal(400);
    expect(foreign.text).to.include('Login with Amazon did not accept this refresh token');
    amazon.addFault({ operation: 'lwaToken', kind: 'error503', count: 1 });
    const down = await post();
    expect(down.status).to.equal(502);
    expect(await stores()).to.have.length(0);

    const added = await post();
    const [store] = await stores();
    expect(added.status, added.text).to.equal(303);
    expect(added.location).to.equal(`/admin/amazon/stores/${store!.id}?store=connected`);
    expect(store).to.include({ name: 'Self US', sellerId: amazon.demoApp.sellerId, clientId: amazon.demoApp.clientId, authorization: 'authorized' });
    await firstSyncFinished(store!.id);
    expect((await knex('amazon_sync_state').where({ store_id: store!.id }).first()).last_result).to.equal('ok');
  });
});
