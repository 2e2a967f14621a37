/**
 * A store's Real-time updates page and the dashboard's Real-time updates block, through their
 * routes as the host calls them, on both databases: the Order Settings right, CSRF, a refused form
 * (each field's message, the values typed back, nothing stored), the AWS secret in no answer, and
 * the health of a row stored directly. Turning on and off for real needs an SQS queue and Amazon's
 * Notifications API (the e2e tests'); here RealtimeUpdates.enable/disable, resolved from the
 * module's container, are sinon stubs for the accepted posts: this tests the page, not the service.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { describeEachDatabase } from '../support/databases.ts';
import { ALL_RIGHTS, BASE, call, createAdminHarness, getPage, hrefs, type AdminHarness } from '../support/admin-harness.ts';
import { Acl } from '../../src/admin/acl.ts';
import { Ports } from '../../src/host/tokens.ts';
import type { SecretsPort } from '../../src/host/ports.ts';
import { AmazonApiError } from '../../src/amazon/errors.ts';
import { RealtimeUpdates, STORE_NOTIFICATIONS_TABLE, type RealtimeUpdatesInput } from '../../src/notifications/realtime-updates.ts';
import type { AmazonStore } from '../../src/stores/store.ts';
import type { AdminResponse } from '../../src/host/contributions.ts';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/amazon-orders';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:amazon-orders';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
/** What an admin types into the secret field; no answer may carry it, nor its ciphertext. */
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const WITHOUT_SETTINGS = ALL_RIGHTS.filter((id) => id !== Acl.orderSettings);

describeEachDatabase('admin: real-time updates', (db) => {
  let h: AdminHarness;
  let realtime: RealtimeUpdates;
  let us: AmazonStore;
  /** The same seller in another marketplace: Amazon's one subscription, so one queue. */
  let ca: AmazonStore;
  let other: AmazonStore;
  /** Every answer's text, checked for the secret after each test. */
  let answers: string[] = [];
  let ciphertexts: string[] = [];

  const pageUrl = (store: AmazonStore, query = '') => `${BASE}/amazon/stores/${store.id}/realtime${query}`;
  const offUrl = (store: AmazonStore) => `${BASE}/amazon/stores/${store.id}/realtime/off`;
  const dashboardUrl = (store: AmazonStore) => `${BASE}/amazon/stores/${store.id}`;

  async function get(url: string, rights?: string[]) {
    const page = await getPage(h, url, { rights });
    answers.push(page.title, page.html);
    return page;
  }

  async function post(url: string, form: Record<string, string>, options: { rights?: string[]; withCsrf?: boolean } = {}): Promise<AdminResponse> {
    const response = await call(h, 'POST', url, { form, ...options });
    answers.push(JSON.stringify(response));
    return response;
  }

  /** A row as RealtimeUpdates.enable saves it, the secret encrypted through the host's secrets port. */
  async function putNotifications(store: AmazonStore, change: Record<string, unknown> = {}): Promise<void> {
    const encrypted = await h.container.get<SecretsPort>(Ports.Secrets).encrypt(SECRET);
    ciphertexts.push(encrypted);
    await db().knex(STORE_NOTIFICATIONS_TABLE).where({ store_id: store.id }).delete();
    await db().knex(STORE_NOTIFICATIONS_TABLE).insert({
      store_id: store.id,
      enabled: true,
      queue_url: QUEUE_URL,
      queue_arn: QUEUE_ARN,
      aws_region: 'us-east-1',
      aws_access_key_id: KEY_ID,
      aws_secret_encrypted: encrypted,
      destination_id: 'amzn1.dest-1',
      subscription_id: 'amzn1.sub-1',
      poll_interval_minutes: 30,
      // A consumer is reading the queue (its last long poll started a moment ago).
      last_read_at: new Date(h.clock.now().getTime() - 10_000),
      last_received_at: null,
      last_lag_ms: null,
      messages_processed: 0,
      last_error: null,
      last_error_at: null,
      updated_at: h.clock.now(),
      ...change,
    });
  }

  const rows = () => db().knex(STORE_NOTIFICATIONS_TABLE).orderBy('store_id');

  const validForm = (change: Record<string, string> = {}) => ({
    queue_url: QUEUE_URL,
    region: '',
    access_key_id: KEY_ID,
    secret_access_key: SECRET,
    poll_interval_minutes: '15',
    ...change,
  });

  before(async () => {
    h = await createAdminHarness(db().knex);
    realtime = h.container.get(RealtimeUpdates);
    const add = (name: string, marketplaceId: string, sellerId: string) =>
      h.stores.add({ name, region: 'na', marketplaceId, sellerId, clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
    us = await add('US Store', 'ATVPDKIKX0DER', 'A2SELLER0001');
    ca = await add('CA <b>Store</b>', 'A2EUQ1WTGCTBG2', 'A2SELLER0001');
    other = await add('Other Seller', 'ATVPDKIKX0DER', 'A2SELLER0002');
  });

  afterEach(async () => {
    sinon.restore();
    for (const text of answers) {
      expect(text).not.to.include(SECRET);
      // Nor a part of it long enough to matter, nor what is stored for it.
      expect(text).not.to.include(SECRET.slice(0, 12)).and.not.include(SECRET.slice(-12));
      for (const ciphertext of ciphertexts) expect(text).not.to.include(ciphertext);
    }
    answers = [];
    await db().knex(STORE_NOTIFICATIONS_TABLE).delete();
  });

  describe('the page', () => {
    it('explains what real-time updates do and what Amazon needs, with the form, to an admin with the Order Settings right', async () => {
      const page = await get(pageUrl(us));
      expect(page.status).to.equal(200);
      expect(page.title).to.equal('Real-time updates · US Store');
      const text = page.html;
      expect(text).to.include('<span class="asc-badge">Off</span>');
      expect(text).to.include('within seconds').and.include('safety net, every 30 minutes');
      // A standard queue, Amazon's account with its two permissions as a policy statement, the key's three.
      expect(text).to.include('<strong>standard</strong> SQS queue').and.include('Amazon sends nothing to FIFO queues');
      expect(text).to.include('437568002678');
      const policy = /<pre class="asc-code"><code>([\s\S]*?)<\/code><\/pre>/.exec(text)?.[1];
      expect(policy, 'policy statement').to.be.a('string');
      expect(JSON.parse(policy!.replace(/&quot;/g, '"').replace(/&#x3D;/g, '='))).to.deep.equal({
        Sid: 'AllowSellingPartnerApiNotifications',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::437568002678:root' },
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        Resource: 'arn:aws:sqs:REGION:ACCOUNT_ID:QUEUE_NAME',
      });
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) expect(text).to.include(`<code>${action}</code>`);
      expect(text).to.include('one subscription per seller');
      // The form: the five fields, the secret a password field rendered empty, the default poll.
      for (const name of ['queue_url', 'region', 'access_key_id', 'secret_access_key', 'poll_interval_minutes']) expect(text).to.include(`name="${name}"`);
      expect(text).to.match(/<input id="asc-rt-secret_access_key" name="secret_access_key" type="password"[^>]* value=""/);
      expect(text).to.match(/name="poll_interval_minutes" type="number"[^>]* value="30"/);
      expect(text).to.include(`action="${pageUrl(us)}"`).and.include('>Turn on</button>').and.not.include('Turn off');
      expect(text).to.include('name="csrf_token" value="csrf-token-of-this-session"');
      expect(text).to.include('Stored encrypted and never shown again.');
      // In the store's navigation, as the current page.
      expect(text).to.include(`<a href="${pageUrl(us)}" aria-current="page">Real-time updates</a>`);
    });

    it('answers 403 without the Order Settings right, on the page and both forms, and runs nothing', async () => {
      await putNotifications(us);
      const enable = sinon.spy(realtime, 'enable');
      const disable = sinon.spy(realtime, 'disable');
      expect(await get(pageUrl(us), WITHOUT_SETTINGS)).to.include({ status: 403 });
      expect(await post(pageUrl(us), validForm(), { rights: WITHOUT_SETTINGS })).to.include({ kind: 'page', status: 403 });
      expect(await post(offUrl(us), {}, { rights: WITHOUT_SETTINGS })).to.include({ kind: 'page', status: 403 });
      expect(enable.called || disable.called).to.equal(false);
      expect((await rows())[0]).to.include({ poll_interval_minutes: 30 });
      // Nor does the store navigation or the dashboard offer the page.
      const dashboard = await get(dashboardUrl(us), WITHOUT_SETTINGS);
      expect(hrefs(dashboard.html)).not.to.include(pageUrl(us));
      expect(h.routes.filter((r) => r.path.includes('/realtime')).map((r) => [r.id, r.method, r.acl])).to.deep.equal([
        ['amazon_store_realtime', 'GET', Acl.orderSettings],
        ['amazon_store_realtime_save', 'POST', Acl.orderSettings],
        ['amazon_store_realtime_off', 'POST', Acl.orderSettings],
      ]);
    });

    it('answers 404 for a store that does not exist', async () => {
      expect((await get(`${BASE}/amazon/stores/999/realtime`)).status).to.equal(404);
      expect(await post(`${BASE}/amazon/stores/abc/realtime/off`, {})).to.include({ kind: 'page', status: 404 });
    });

    it('refuses a form without a valid CSRF token: nothing runs, nothing changes', async () => {
      await putNotifications(us);
      const enable = sinon.spy(realtime, 'enable');
      const disable = sinon.spy(realtime, 'disable');
      for (const [url, form] of [[pageUrl(us), validForm()], [offUrl(us), {}]] as const) {
        const missing = await post(url, form, { withCsrf: false });
        expect(missing, url).to.include({ kind: 'page', status: 403 });
        expect((missing as { html: string }).html).to.include('Form expired');
        expect(await post(url, { ...form, csrf_token: 'forged' }), url).to.include({ kind: 'page', status: 403 });
      }
      expect(enable.called || disable.called).to.equal(false);
      expect((await rows()).map((r) => Boolean(r.enabled))).to.deep.equal([true]);
    });
  });

  describe('turning on', () => {
    it('refuses bad input with each field\'s message next to it and the values typed back, never the secret; nothing is stored', async () => {
      const response = await post(pageUrl(us), {
        queue_url: 'https://sqs.us-east-1.amazonaws.com/amazon-orders',
        region: 'eu-west-1',
        access_key_id: 'akia-lower',
        secret_access_key: SECRET,
        poll_interval_minutes: 'soon',
      });
      expect(response).to.include({ kind: 'page', status: 422 });
      const html = (response as { html: string }).html;
      expect(html).to.include('Real-time updates were not turned on: correct the fields marked below.');
      const errorOf = (name: string) => new RegExp(`<p class="asc-field-error" id="asc-rt-${name}-error">([^<]*)</p>`).exec(html)?.[1] ?? null;
      expect(errorOf('queue_url')).to.include('must end with the AWS account (12 digits) and the queue name');
      expect(errorOf('access_key_id')).to.include('must be an AWS access key id');
      expect(errorOf('poll_interval_minutes')).to.equal('must be a whole number of minutes from 5 to 1440');
      expect(errorOf('secret_access_key'), 'a secret was typed').to.equal(null);
      expect(html).to.match(/id="asc-rt-queue_url"[^>]*aria-invalid="true" aria-describedby="asc-rt-queue_url-error"/);
      // What was typed is shown again, except the secret.
      expect(html).to.include('value="https://sqs.us-east-1.amazonaws.com/amazon-orders"').and.include('value="eu-west-1"').and.include('value="akia-lower"').and.include('value="soon"');
      expect(html).to.match(/name="secret_access_key" type="password"[^>]* value=""/);
      expect(await rows()).to.deep.equal([]);

      // A secret is required the first time; a queue URL that does not name its region needs one;
      // a FIFO queue is refused; markup typed into a field comes back as text.
      const second = (await post(pageUrl(us), validForm({ queue_url: 'http://127.0.0.1:9324/123456789012/orders', secret_access_key: '', poll_interval_minutes: '2' }))) as { status: number; html: string };
      expect(second.status).to.equal(422);
      expect(second.html).to.include('<p class="asc-field-error" id="asc-rt-secret_access_key-error">is required</p>');
      expect(second.html).to.include('<p class="asc-field-error" id="asc-rt-region-error">is required for a queue URL that does not name its region</p>');
      expect(second.html).to.include('<p class="asc-field-error" id="asc-rt-poll_interval_minutes-error">must be a whole number of minutes from 5 to 1440</p>');
      const fifo = (await post(pageUrl(us), validForm({ queue_url: `${QUEUE_URL}.fifo` }))) as { html: string };
      expect(fifo.html).to.include('names a FIFO queue: Amazon sends notifications only to standard queues');
      const markup = (await post(pageUrl(us), validForm({ queue_url: '"><img src=x onerror=alert(1)>' }))) as { html: string };
      expect(markup.html).not.to.include('<img');
      expect(markup.html).to.include('value="&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"');
      expect(await rows()).to.deep.equal([]);
    });

    it('refuses an Inactive store, or one whose authorization Amazon refused, before reaching AWS or Amazon, and says so on the page', async () => {
      await h.stores.setStatus(us.id, 'inactive');
      try {
        expect((await get(pageUrl(us))).html).to.include('The store is Inactive: make it Active before turning real-time updates on.');
        const response = (await post(pageUrl(us), validForm())) as { status: number; html: string };
        expect(response.status).to.equal(422);
        expect(response.html).to.include('Real-time updates were not turned on: the store is Inactive: make it Active first.');
        expect(response.html).to.include(`value="${QUEUE_URL}"`);
        expect(await rows()).to.deep.equal([]);
      } finally {
        await h.stores.setStatus(us.id, 'active');
      }
      // A store Amazon no longer accepts the authorization of: the same, with what to do.
      await db().knex('amazon_store').where({ id: other.id }).update({ authorization: 'rejected' });
      try {
        expect((await get(pageUrl(other))).html).to.include('Amazon no longer accepts this store&#x27;s authorization: reconnect the store. Amazon&#x27;s notifications need a connected store.');
        const response = (await post(pageUrl(other), validForm())) as { status: number; html: string };
        expect(response.status).to.equal(422);
        expect(response.html).to.include('Real-time updates were not turned on: Amazon no longer accepts this store&#x27;s authorization: reconnect the store.');
        expect(await rows()).to.deep.equal([]);
      } finally {
        await db().knex('amazon_store').where({ id: other.id }).update({ authorization: 'authorized' });
      }
    });

    it('turns on with what was typed (RealtimeUpdates.enable stubbed) and lands on the page, which shows the queue but never the secret', async () => {
      const enable = sinon.stub(realtime, 'enable').callsFake(async (storeId: number) => {
        // What the service saves once the queue and Amazon said yes.
        await putNotifications(storeId === us.id ? us : ca, { poll_interval_minutes: 15 });
        return { ok: true, notifications: (await realtime.get(storeId))! };
      });
      const response = await post(pageUrl(us), validForm({ queue_url: ` ${QUEUE_URL} ` }));
      expect(response).to.deep.equal({ kind: 'redirect', location: pageUrl(us, '?realtime=on') });
      expect(enable.calledOnce).to.equal(true);
      const [storeId, input] = enable.firstCall.args as [number, RealtimeUpdatesInput];
      expect(storeId).to.equal(us.id);
      expect(input).to.deep.equal({ queueUrl: ` ${QUEUE_URL} `, region: '', accessKeyId: KEY_ID, secretAccessKey: SECRET, pollIntervalMinutes: 15 });

      const page = await get(pageUrl(us, '?realtime=on'));
      expect(page.html).to.include('Real-time updates are on: Amazon sends this store&#x27;s order changes to the queue');
      expect(page.html).to.include('<span class="asc-badge asc-badge--ok">On</span>');
      expect(page.html).to.include(`<dd>${QUEUE_URL}</dd>`).and.include(`${KEY_ID} <span class="asc-muted">(its secret is saved and never shown)</span>`);
      expect(page.html).to.include('safety net, every 15 minutes');
      // The policy names the queue's own ARN now.
      expect(page.html).to.include(`&quot;Resource&quot;: &quot;${QUEUE_ARN}&quot;`);
      // The form holds the saved settings, the secret field stays empty and says an empty one keeps it.
      expect(page.html).to.include(`value="${QUEUE_URL}"`).and.include(`value="${KEY_ID}"`).and.match(/name="poll_interval_minutes" type="number"[^>]* value="15"/);
      expect(page.html).to.match(/name="secret_access_key" type="password"[^>]* value=""/);
      expect(page.html).to.include(`Saved for access key ${KEY_ID}, and never shown. Leave empty to keep it (for the same access key ID)`);
      expect(page.html).to.include('>Save</button>').and.include(`action="${offUrl(us)}"`).and.include('>Turn off</button>');

      // Saving again with the secret left empty hands the service an empty secret (it keeps the saved one).
      const again = await post(pageUrl(us), validForm({ secret_access_key: '' }));
      expect(again).to.deep.equal({ kind: 'redirect', location: pageUrl(us, '?realtime=saved') });
      expect((enable.secondCall.args[1] as RealtimeUpdatesInput).secretAccessKey).to.equal('');
      expect((await get(pageUrl(us, '?realtime=saved'))).html).to.include('The real-time updates settings were saved.');

      // The seller's other store is told it shares the queue, and its form starts with it.
      const sibling = await get(pageUrl(ca));
      expect(sibling.html).to.include("Seller A2SELLER0001's other stores with real-time updates on:");
      expect(sibling.html).to.include(`<li><a href="${pageUrl(us)}">US Store</a>: ${QUEUE_URL}</li>`);
      expect(sibling.html).to.include(`id="asc-rt-queue_url" name="queue_url" type="text" inputmode="url" class="asc-url" value="${QUEUE_URL}"`);
      expect(sibling.html).to.include('CA &lt;b&gt;Store&lt;/b&gt;').and.not.include('<b>Store');
      expect((await get(pageUrl(other))).html).not.to.include('other stores with real-time updates on');
    });

    it('shows a refusal by the queue or Amazon (RealtimeUpdates.enable stubbed) at its field, and keeps what was saved', async () => {
      await putNotifications(us);
      sinon.stub(realtime, 'enable').resolves({ ok: false, errors: [{ field: 'secret_access_key', message: `AWS does not accept the access key ${KEY_ID} and its secret (InvalidClientTokenId)` }] });
      const response = (await post(pageUrl(us), validForm({ poll_interval_minutes: '60' }))) as { status: number; html: string };
      expect(response.status).to.equal(422);
      expect(response.html).to.include('Nothing was changed: correct the fields marked below.');
      expect(response.html).to.include(`<p class="asc-field-error" id="asc-rt-secret_access_key-error">AWS does not accept the access key ${KEY_ID} and its secret (InvalidClientTokenId)</p>`);
      expect(response.html).to.match(/name="poll_interval_minutes" type="number"[^>]* value="60"/);
      expect((await rows())[0]).to.include({ poll_interval_minutes: 30 });
    });
  });

  describe('turning off', () => {
    it('turns off (RealtimeUpdates.disable stubbed) and lands on the page, which keeps the queue for turning on again', async () => {
      await putNotifications(us);
      const disable = sinon.stub(realtime, 'disable').callsFake(async (storeId: number) => {
        await db().knex(STORE_NOTIFICATIONS_TABLE).where({ store_id: storeId }).update({ enabled: false, subscription_id: null });
        return realtime.get(storeId);
      });
      const response = await post(offUrl(us), {});
      expect(response).to.deep.equal({ kind: 'redirect', location: pageUrl(us, '?realtime=off') });
      expect(disable.calledOnceWith(us.id)).to.equal(true);
      const page = await get(pageUrl(us, '?realtime=off'));
      expect(page.html).to.include('Real-time updates are off: this store&#x27;s orders come with the sync every 5 minutes again.');
      expect(page.html).to.include('<span class="asc-badge">Off</span>').and.include('>Turn on</button>').and.not.include('>Turn off</button>');
      expect(page.html).to.include(`The queue ${QUEUE_URL} and its key stay saved`);
      expect(page.html).to.include(`Saved for access key ${KEY_ID}`);
    });

    it('turns off with the service itself where Amazon has nothing to delete, and an Amazon failure (stubbed) changes nothing', async () => {
      // No row, or a row without Amazon's subscription id: RealtimeUpdates.disable asks Amazon nothing.
      expect(await post(offUrl(other), {})).to.deep.equal({ kind: 'redirect', location: pageUrl(other, '?realtime=off') });
      expect(await rows()).to.deep.equal([]);
      await putNotifications(us, { subscription_id: null });
      expect(await post(offUrl(us), {})).to.deep.equal({ kind: 'redirect', location: pageUrl(us, '?realtime=off') });
      expect((await rows()).map((r) => [Boolean(r.enabled), r.queue_url])).to.deep.equal([[false, QUEUE_URL]]);
      expect((await get(dashboardUrl(us))).html).to.include('<span class="asc-badge">Off</span>');

      await putNotifications(us);
      sinon.stub(realtime, 'disable').rejects(new AmazonApiError('Amazon answered 503 to deleteSubscriptionById', 'deleteSubscriptionById', 503, 'ServiceUnavailable', null, 'req-1'));
      const failed = (await post(offUrl(us), {})) as { status: number; html: string };
      expect(failed.status).to.equal(502);
      expect(failed.html).to.include('Real-time updates not turned off').and.include('nothing was changed');
      expect((await rows()).map((r) => Boolean(r.enabled))).to.deep.equal([true]);
    });
  });

  it('the Amazon Stores cards say On, On but not arriving, or Off', async () => {
    await putNotifications(us);
    await putNotifications(ca, { last_read_at: new Date(h.clock.now().getTime() - 10 * 60_000) });
    const cards = (await get(`${BASE}/amazon/stores`)).html;
    const card = (name: string) => cards.slice(cards.indexOf(`<h2>${name}</h2>`), cards.indexOf('</li>', cards.indexOf(`<h2>${name}</h2>`)));
    expect(card('US Store')).to.include('<dt>Real-time updates</dt><dd><span class="asc-badge asc-badge--ok">On</span></dd>');
    expect(card('CA &lt;b&gt;Store&lt;/b&gt;')).to.include('<dt>Real-time updates</dt><dd><span class="asc-badge asc-badge--warn">On, not arriving</span></dd>');
    expect(card('Other Seller')).to.include('<dt>Real-time updates</dt><dd><span class="asc-muted">Off</span></dd>');
  });

  describe('the dashboard', () => {
    it('shows Real-time updates Off in Sync health, linking the page for who holds the Order Settings right', async () => {
      const page = await get(dashboardUrl(us));
      const block = page.html.slice(page.html.indexOf('<h3 id="asc-realtime-heading"'), page.html.indexOf('</section>', page.html.indexOf('asc-realtime-heading')));
      expect(block).to.include('Real-time updates').and.include('<span class="asc-badge">Off</span>').and.include('orders come with the sync every 5 minutes');
      expect(hrefs(block)).to.deep.equal([pageUrl(us)]);
      expect(block).to.include('Turn on real-time updates');
      // The store navigation links it too.
      expect(page.html).to.include(`<li><a href="${pageUrl(us)}">Real-time updates</a></li>`);

      const viewer = await get(dashboardUrl(us), [Acl.ordersView]);
      expect(viewer.html).to.include('<span class="asc-badge">Off</span>');
      expect(hrefs(viewer.html)).not.to.include(pageUrl(us));
    });

    it('shows On with the last notification, queue lag, messages processed, queue error and safety-net poll of a stored row', async () => {
      await db().knex('amazon_sync_state').where({ store_id: us.id }).update({
        last_started_at: new Date('2026-11-26T09:55:00Z'),
        last_finished_at: new Date('2026-11-26T09:55:04Z'),
        last_success_at: new Date('2026-11-26T09:55:04Z'),
        last_result: 'success',
      });
      await putNotifications(us);
      const fresh = await get(dashboardUrl(us));
      expect(fresh.html).to.include('<span class="asc-badge asc-badge--ok">On</span>');
      expect(fresh.html).to.include('<dt>Last notification</dt><dd><span class="asc-muted">None yet</span></dd>');
      expect(fresh.html).to.include('<dt>Messages processed</dt><dd>0</dd>').and.include('<dt>Safety-net poll</dt><dd>every 30 minutes</dd>');
      expect(fresh.html).not.to.include('Last queue error');
      // The 5-minute sync leaves the store out until 30 minutes after its last success (10:25:04): its next run is 10:30.
      expect(fresh.html).to.include('<time datetime="2026-11-26T10:30:00.000Z">2026-11-26 10:30 UTC</time>');
      expect(hrefs(fresh.html)).to.include(pageUrl(us));
      expect(fresh.html).to.include('Real-time updates settings');

      await putNotifications(us, {
        last_received_at: new Date('2026-11-26T09:59:30.250Z'),
        last_lag_ms: 1234,
        messages_processed: 1042,
        last_error: 'SQS cannot be reached for <b>queue</b> (ECONNREFUSED)',
        last_error_at: new Date('2026-11-26T09:59:45Z'),
      });
      const page = await get(dashboardUrl(us));
      expect(page.html).to.include('<dt>Last notification</dt><dd><time datetime="2026-11-26T09:59:30.250Z">2026-11-26 09:59 UTC</time></dd>');
      expect(page.html).to.include('<dt>Queue lag</dt><dd>1.2 s <span class="asc-muted">(last message, from the queue to this admin)</span></dd>');
      expect(page.html).to.include('<dt>Messages processed</dt><dd>1,042</dd>');
      expect(page.html).to.include('SQS cannot be reached for &lt;b&gt;queue&lt;/b&gt; (ECONNREFUSED)</span> <span class="asc-muted">(<time datetime="2026-11-26T09:59:45.000Z">2026-11-26 09:59 UTC</time>)</span>');
      expect(page.html).to.include('<dt>Safety-net poll</dt><dd>every 5 minutes while the queue cannot be read (every 30 minutes otherwise)</dd>');
      // A queue that cannot be read puts the store back on the 5-minute sync.
      expect(page.html).to.include('<time datetime="2026-11-26T10:05:00.000Z">2026-11-26 10:05 UTC</time>');
      // The page shows the same health.
      const realtimePage = await get(pageUrl(us));
      expect(realtimePage.html).to.include('<dt>Messages processed</dt><dd>1,042</dd>').and.include('(ECONNREFUSED)');

      await putNotifications(us, { enabled: false, messages_processed: 7 });
      expect((await get(dashboardUrl(us))).html).to.include('<span class="asc-badge">Off</span>').and.not.include('Messages processed');
    });
  });
});
