/**
 * Amazon's bad days end to end, as one matrix (issue 11): each fault pattern runs against the
 * reference host with this module and the Amazon sandbox, on both databases, and the same checks
 * hold after every one of them:
 *
 * (a) the faulted run ends as the pattern implies (ok, partial or failed); the fault is in the
 *     store's communication errors log (amazon_api_error: operation, status, code, message, no
 *     secret) and where the admin sees it: the sync health (amazon_sync_state and the store
 *     dashboard) for the sync, the outbox entry and the Amazon order page for fulfillment;
 * (b) nothing is half-written: every stored Amazon order has all its items, every host order its
 *     amazon_order link (and only one), no outbox entry is done that Amazon did not get, nothing is
 *     confirmed twice, and the cursor never passes an order it neither stored nor queued;
 * (c) once the fault is over, the next run(s) complete: every order placed is stored and imported
 *     exactly once (the sync patterns page through two pages, so a skipped page would show), every
 *     shipment confirmed once, every cancel and refund in exactly one accepted feed message, and
 *     the window closed (no saved page) with last_result ok.
 *
 * Sync patterns meet their fault on page 2 of 2: it is armed as soon as Amazon's answer with
 * page 1 arrives (the sync asks for page 2 while it stores page 1). Fulfillment patterns meet theirs in one sender run over four orders
 * (shipments first, then a cancel feed and a refund feed).
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, emptyOrderTables, startE2E, type E2E } from '../support/e2e.ts';
import { fulfil, type Fulfil } from '../support/fulfillment.ts';
import { adminContext } from '../support/admin-harness.ts';
import type { Knex } from 'knex';
import { Contributions, Ports } from '../../src/host/tokens.ts';
import type { AdminRouteContribution, DashboardWidgetContribution } from '../../src/host/contributions.ts';
import type { AmazonClientTuning } from '../../src/stores/amazon-clients.ts';
import { OrderSync, type StoreSyncResult } from '../../src/sync/order-sync.ts';
import { AmazonOrderReader } from '../../src/sync/amazon-order-reader.ts';
import type { OutboxRunResult } from '../../src/fulfillment/outbox-sender.ts';
import type { OutboxEntry, OutboxKind, OutboxState } from '../../src/fulfillment/outbox.ts';
import { fromDbOrNull } from '../../src/db/time.ts';
import { DEFAULT_FEED_TIMINGS } from '../../sandbox/amazon/feeds.ts';

const HOUR = 60 * MINUTE;
/** searchOrders pages of 100: the sync patterns' orders fill page 1 and spill onto page 2. */
const PAGE = 100;
const SYNC_ORDERS = PAGE + 5;
const STORE = 'Sandbox US';
/** The refresh token the seller hands over when re-authorizing after a revoke. */
const REAUTHORIZED_TOKEN = 'Atzr|sandbox-reauthorized-refresh-token-0002';

type RunResult = 'ok' | 'partial' | 'failed';

/** What the communication errors log must hold for the fault. */
interface LoggedFault {
  operation: string;
  httpStatus: number | null;
  code: string;
  message: RegExp;
}

interface SyncPattern {
  lane: 'sync';
  name: string;
  tuning?: AmazonClientTuning;
  /** Injects the fault; called once page 1 of 2 is stored, so page 2 meets it. */
  arm(e: E2E): void;
  faulted: {
    result: RunResult;
    /** last_error of the run, as the sync health shows it; null when the run healed itself. */
    error: RegExp | null;
    /** What the faulted run stored: page 1 only (its place saved), or everything (one order possibly queued to fetch again). */
    stored: 'page 1' | 'all' | 'all but one queued';
    /** A count the sync health shows for the run, e.g. "Invalid 1". */
    stat?: string;
  };
  logged: LoggedFault;
  /** Before each recovery run: the fault ends (clock, faults cleared, the seller re-authorizes). */
  recover(e: E2E, run: number): Promise<void> | void;
  /** How each run after the fault ends; the last one completes the window. */
  recovery: RunResult[];
}

/** The fulfillment scenario: S is shipped, X1 and X2 canceled, R shipped and refunded in part. */
interface Scenario {
  S: string;
  X1: string;
  X2: string;
  R: string;
}

interface FulfillmentPattern {
  lane: 'fulfillment';
  name: string;
  /** Runs the sender into the fault; returns the run that met (or reported) it. */
  fault(t: Test, s: Scenario): Promise<OutboxRunResult>;
  faulted: {
    result: RunResult;
    /** The entries the fault is on, by kind and order, their state, and their last_error. */
    entries: (s: Scenario) => Array<[OutboxKind, string]>;
    state: OutboxState;
    lastError: RegExp;
    /** Whether the fault makes the order an Error (a refusal), shown in the system message. */
    orderError: boolean;
  };
  logged: LoggedFault;
  /** Ends the fault and runs the sender until what waited went out; returns those runs. */
  recover(t: Test, s: Scenario): Promise<OutboxRunResult[]>;
}

type Pattern = SyncPattern | FulfillmentPattern;

interface Test {
  e: E2E;
  f: Fulfil;
  /** Every order placed on Amazon in this test. */
  placed: string[];
  /** amazon_api_error ids up to here were written before the fault. */
  errorLogMark: number;
}

const syncFailed = (what: string) => new RegExp(`^searchOrders failed for store "${STORE}": ${what}`);

/** searchOrders answering `status` for 10 minutes: the sync fails after page 1, and succeeds once it is over. */
function syncServerError(status: 500 | 503, code: string, message: string): SyncPattern {
  const answer = `HTTP ${status} ${code}`;
  return {
    lane: 'sync',
    name: `${status} ${code} for 10 minutes`,
    arm: (e) => void e.amazon.addFault({ operation: 'searchOrders', kind: status === 500 ? 'error500' : 'error503', durationMs: 10 * MINUTE }),
    faulted: { result: 'failed', error: syncFailed(`${answer}: ${message}`), stored: 'page 1' },
    logged: { operation: 'searchOrders', httpStatus: status, code, message: syncFailed(answer) },
    recover: (e) => e.advance(10 * MINUTE),
    recovery: ['ok'],
  };
}

const PATTERNS: Pattern[] = [
  {
    lane: 'sync',
    name: '429 burst (QuotaExceeded three times in a row)',
    arm: (e) => void e.amazon.addFault({ operation: 'searchOrders', kind: 'throttle', count: 3 }),
    faulted: {
      result: 'partial',
      error: /^Amazon's rate limit for sp-api:\w+:searchOrders would need a wait of 1\d\d s, more than the allowed 60 s; the next run continues from the saved page$/,
      stored: 'page 1',
      stat: 'Throttled 1',
    },
    logged: {
      operation: 'searchOrders',
      httpStatus: 429,
      code: 'QuotaExceeded',
      message: syncFailed("HTTP 429 QuotaExceeded: .*; not retried: Amazon's rate limit for sp-api:\\w+:searchOrders would need a wait of 1\\d\\d s"),
    },
    // A throttled call empties the bucket: a token of searchOrders takes 3 minutes to come back.
    recover: (e) => e.advance(3 * MINUTE),
    recovery: ['partial', 'partial', 'ok'],
  },
  syncServerError(500, 'InternalFailure', 'We encountered an internal error'),
  syncServerError(503, 'ServiceUnavailable', 'Service is temporarily unavailable'),
  {
    lane: 'sync',
    name: 'timeouts (every attempt answered after the client gave up)',
    tuning: { timeoutMs: 400 },
    arm: (e) => void e.amazon.addFault({ operation: 'searchOrders', kind: 'delay', delayMs: 1000, count: 5 }),
    faulted: { result: 'failed', error: syncFailed(String.raw`no answer from Amazon \(timed out after 400 ms\) after 5 attempt\(s\)$`), stored: 'page 1' },
    logged: { operation: 'searchOrders', httpStatus: null, code: 'Timeout', message: /timed out after 400 ms/ },
    recover: (e) => e.amazon.clearFaults(),
    recovery: ['ok'],
  },
  {
    lane: 'sync',
    name: 'connection resets for 10 minutes',
    arm: (e) => void e.amazon.addFault({ operation: 'searchOrders', kind: 'reset', durationMs: 10 * MINUTE }),
    faulted: { result: 'failed', error: syncFailed(String.raw`no answer from Amazon \([^)]+\) after 5 attempt\(s\)$`), stored: 'page 1' },
    logged: { operation: 'searchOrders', httpStatus: null, code: 'NetworkError', message: /no answer from Amazon/ },
    recover: (e) => e.advance(10 * MINUTE),
    recovery: ['ok'],
  },
  {
    lane: 'sync',
    name: 'malformed JSON (page 2 cut in half)',
    arm: (e) => void e.amazon.addFault({ operation: 'searchOrders', kind: 'malformedJson' }),
    faulted: { result: 'failed', error: /^Invalid searchOrders response: the body is not JSON \[request id [\w-]+\]$/, stored: 'page 1' },
    logged: { operation: 'searchOrders', httpStatus: 200, code: 'InvalidResponse', message: /^Invalid searchOrders response: the body is not JSON/ },
    recover: (e) => e.amazon.clearFaults(),
    recovery: ['ok'],
  },
  {
    lane: 'sync',
    name: 'a schema-invalid order in page 2 (also when fetched again in the same run)',
    // The page and the getOrder the sync sends for the broken order right after it.
    arm: (e) => void e.amazon.addFault({ operation: '*', kind: 'invalidOrder', variant: 'wrongType', count: 2 }),
    faulted: { result: 'ok', error: null, stored: 'all but one queued', stat: 'Invalid 1' },
    logged: { operation: 'searchOrders', httpStatus: null, code: 'InvalidOrder', message: /^Order \d{3}-\d{7}-\d{7}: .*quantityOrdered/ },
    recover: (e) => e.advance(5 * MINUTE),
    recovery: ['ok'],
  },
  {
    lane: 'sync',
    name: 'an expired pagination token on page 2',
    arm: (e) => void e.amazon.addFault({ operation: 'searchOrders', kind: 'expiredToken' }),
    // The sync starts the window again at once and completes it: nothing for the admin to do.
    faulted: { result: 'ok', error: null, stored: 'all' },
    logged: { operation: 'searchOrders', httpStatus: 400, code: 'InvalidInput', message: /paginationToken has expired/ },
    recover: (e) => e.advance(5 * MINUTE),
    recovery: ['ok'],
  },
  {
    lane: 'sync',
    name: 'LWA failing (503) for 10 minutes, then recovering',
    arm: (e) => {
      // The access token the client holds expires, and Login with Amazon cannot give a new one.
      e.amazon.expireAccessTokens();
      e.amazon.addFault({ operation: 'lwaToken', kind: 'error503', durationMs: 10 * MINUTE });
    },
    faulted: { result: 'failed', error: new RegExp(`^Login with Amazon failed for store "${STORE}": HTTP 503 temporarily_unavailable: `), stored: 'page 1' },
    logged: { operation: 'lwaRefreshToken', httpStatus: 503, code: 'temporarily_unavailable', message: /^Login with Amazon failed for store "Sandbox US": HTTP 503/ },
    recover: (e) => e.advance(10 * MINUTE),
    recovery: ['ok'],
  },
  {
    lane: 'sync',
    name: 'a revoked refresh token (the seller re-authorizes)',
    arm: (e) => void e.amazon.lwa.revoke(e.amazon.demoApp.refreshToken),
    faulted: {
      result: 'failed',
      error: new RegExp(String.raw`^Amazon refused the credentials of store "${STORE}" \(invalid_grant: [^)]*\)\. Re-authorize the store or correct its client id and secret\.`),
      stored: 'page 1',
    },
    logged: { operation: 'lwaRefreshToken', httpStatus: 400, code: 'invalid_grant', message: /^Amazon refused the credentials of store "Sandbox US" \(invalid_grant/ },
    recover: (e) => reauthorize(e),
    recovery: ['ok'],
  },
  {
    lane: 'fulfillment',
    name: '503 ServiceUnavailable on confirmShipment for 10 minutes (the refund of a shipment not confirmed yet waits for it)',
    async fault(t, s) {
      t.e.amazon.addFault({ operation: 'confirmShipment', kind: 'error503', durationMs: 10 * MINUTE });
      const run = await t.f.send();
      expect(run).to.include({ done: 0, retrying: 2, feedsSubmitted: 1 });
      // Amazon refunds only what it knows shipped: the refund of R goes after R's confirmation.
      expect((await entriesOf(t, [['refund', s.R]]))[0]).to.include({ state: 'pending', feedId: null });
      return run;
    },
    faulted: {
      result: 'ok',
      entries: (s) => [['shipment', s.S], ['shipment', s.R]],
      state: 'pending',
      lastError: new RegExp(String.raw`^confirmShipment failed for store "${STORE}": HTTP 503 ServiceUnavailable: Service is temporarily unavailable\. Please try again later\. \[request id [\w-]+\]$`),
      orderError: false,
    },
    logged: { operation: 'confirmShipment', httpStatus: 503, code: 'ServiceUnavailable', message: /^confirmShipment failed for store "Sandbox US": HTTP 503 ServiceUnavailable/ },
    async recover(t) {
      t.e.advance(10 * MINUTE);
      const runs = [await t.f.send()];
      t.e.advance(MINUTE);
      runs.push(await t.f.send());
      return runs;
    },
  },
  {
    lane: 'fulfillment',
    name: 'a feed processed with errors (its first message rejected)',
    async fault(t) {
      t.e.amazon.addFault({ operation: 'createFeed', kind: 'messageError' });
      expect(await t.f.send()).to.include({ result: 'ok', done: 2, feedsSubmitted: 2 });
      t.e.advance(MINUTE);
      return t.f.send();
    },
    faulted: {
      result: 'ok',
      entries: (s) => [['cancel', s.X1]],
      state: 'failed',
      lastError: /^Message 1 could not be processed at this time\. Submit it again in a new feed\. \(code 18035\)$/,
      orderError: true,
    },
    logged: { operation: 'processingReport', httpStatus: null, code: '18035', message: /^Feed \d+ \(POST_ORDER_ACKNOWLEDGEMENT_DATA\) message 1, order \d{3}-\d{7}-\d{7}: Message 1 could not be processed/ },
    async recover(t, s) {
      t.e.amazon.clearFaults();
      // The admin sends it again from the order page, once Amazon can take it.
      const [entry] = await entriesOf(t, [['cancel', s.X1]]);
      const answer = await route(t, 'amazon_outbox_retry').handle({
        ...adminContext(), method: 'POST', params: { storeId: String(t.e.store.id), amazonOrderId: s.X1, entryId: String(entry!.id) }, query: new URLSearchParams(), form: new URLSearchParams({ csrf_token: adminContext().csrfToken }),
      });
      expect(answer).to.include({ kind: 'redirect' });
      expect((answer as { location: string }).location).to.include('outbox=retried');
      // The next cancel feed waits for the feed interval (20 minutes after the last).
      const runs = [await t.f.send()];
      t.e.advance(20 * MINUTE);
      runs.push(await t.f.send());
      t.e.advance(MINUTE);
      runs.push(await t.f.send());
      return runs;
    },
  },
  {
    lane: 'fulfillment',
    name: 'feeds stuck IN_PROGRESS for 6 hours',
    async fault(t) {
      t.e.amazon.feeds.timings.processingMs = 6 * HOUR;
      expect(await t.f.send()).to.include({ result: 'ok', done: 2, feedsSubmitted: 2 });
      t.e.amazon.feeds.timings.processingMs = DEFAULT_FEED_TIMINGS.processingMs;
      t.e.advance(MINUTE);
      expect(await t.f.send()).to.include({ result: 'ok', done: 0, failed: 0 });
      expect((await t.f.entries()).filter((x) => x.kind !== 'shipment').map((x) => [x.state, x.lastError])).to.deep.equal([['sent', null], ['sent', null], ['sent', null]]);
      // Hours go by, the sender running every 5 minutes as the cron would (every minute) without the noise.
      let run: OutboxRunResult | undefined;
      for (let at = 5; at <= 150; at += 5) {
        t.e.advance(5 * MINUTE);
        run = await t.f.send();
        expect(run).to.include({ result: 'ok', done: 0, failed: 0 });
      }
      return run!;
    },
    faulted: {
      result: 'ok',
      entries: (s) => [['cancel', s.X1], ['cancel', s.X2], ['refund', s.R]],
      state: 'sent',
      lastError: /^Amazon has not finished processing feed \d+ after 2 hours \(submitted 2026-11-26T10:0\d:\d\d\.\d{3}Z\); it is not sent again, since Amazon may still apply it, and its report is read once Amazon has it \(checked every 15 minutes\)\. If it stays so, look at the feed in Seller Central\.$/,
      orderError: false,
    },
    logged: { operation: 'getFeed', httpStatus: null, code: 'FeedOverdue', message: /^Feed \d+ \((POST_ORDER_ACKNOWLEDGEMENT_DATA, 2 messages|POST_PAYMENT_ADJUSTMENT_DATA, 1 message)\) is still IN_PROGRESS at Amazon 2 hours after it was submitted \(2026-11-26T10:0\d:\d\d\.\d{3}Z\); it is polled every 15 minutes and never sent again$/ },
    async recover(t) {
      // Still processing: polled every 15 minutes (not on every run), reported once.
      const before = t.f.requests('getFeed').length;
      const logged = await errorLog(t);
      for (let at = 0; at < 3 * HOUR; at += 5 * MINUTE) {
        t.e.advance(5 * MINUTE);
        expect(await t.f.send()).to.include({ done: 0, failed: 0 });
      }
      // Two feeds, 3 hours, a poll each every 15 minutes.
      expect(t.f.requests('getFeed').length - before).to.equal(2 * 12);
      expect(await errorLog(t), 'the overdue feeds are logged once').to.have.length(logged.length);
      // Amazon finishes them at 6 hours; the next poll reads their reports.
      const runs: OutboxRunResult[] = [];
      for (let at = 0; at < 60 && runs.every((r) => r.done === 0); at += 5) {
        t.e.advance(5 * MINUTE);
        runs.push(await t.f.send());
      }
      return runs;
    },
  },
  {
    lane: 'fulfillment',
    name: 'the presigned upload failing (S3 500) for 10 minutes',
    async fault(t) {
      t.e.amazon.addFault({ operation: 'uploadFeedDocument', kind: 'error500', durationMs: 10 * MINUTE });
      return t.f.send();
    },
    faulted: {
      result: 'ok',
      entries: (s) => [['cancel', s.X1], ['cancel', s.X2], ['refund', s.R]],
      state: 'pending',
      lastError: new RegExp(String.raw`^uploadFeedDocument failed for store "${STORE}": HTTP 500 InternalError: We encountered an internal error\. Please try again\. \(http://127\.0\.0\.1:\d+/s3/sandbox-feed-documents/[^?&)]+\)$`),
      orderError: false,
    },
    logged: { operation: 'uploadFeedDocument', httpStatus: 500, code: 'InternalError', message: /^uploadFeedDocument failed for store "Sandbox US": HTTP 500 InternalError/ },
    async recover(t) {
      t.e.advance(10 * MINUTE);
      const runs = [await t.f.send()];
      t.e.advance(MINUTE);
      runs.push(await t.f.send());
      return runs;
    },
  },
];

const FEED_TYPES: Record<Exclude<OutboxKind, 'shipment'>, string> = { cancel: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', refund: 'POST_PAYMENT_ADJUSTMENT_DATA' };

/** The seller authorizes the app again: a new refresh token, saved on the store as an admin would. */
async function reauthorize(e: E2E): Promise<void> {
  const app = e.amazon.demoApp;
  e.amazon.registerApp({ ...app, refreshToken: REAUTHORIZED_TOKEN });
  // The store keeps its own client and secret, with the new token; LWA's refusal had marked it rejected.
  await database(e)('amazon_store')
    .where({ id: e.store.id })
    .update({
      credentials_encrypted: await e.host.services.secrets.encrypt(JSON.stringify({ clientSecret: app.clientSecret, refreshToken: REAUTHORIZED_TOKEN })),
      authorization: 'authorized',
      authorization_note: null,
      updated_at: e.clock.now(),
    });
}

const database = (e: E2E) => e.host.container.get<Knex>(Ports.Database);

function route(t: Test, id: string): AdminRouteContribution {
  const found = t.e.host.container.getAll<AdminRouteContribution>(Contributions.AdminRoute).find((r) => r.id === id);
  if (!found) throw new Error(`no admin route ${id}`);
  return found;
}

/** Handlebars' escaping, to find a text in a rendered page. */
function html(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return text.replace(/[&<>"'`=]/g, (c) => entities[c]!);
}

async function errorLog(t: Test): Promise<Array<Record<string, any>>> {
  return database(t.e)('amazon_api_error').where('id', '>', t.errorLogMark).orderBy('id');
}

async function entriesOf(t: Test, which: Array<[OutboxKind, string]>): Promise<OutboxEntry[]> {
  const entries = await t.f.entries();
  return which.map(([kind, id]) => {
    const entry = entries.find((x) => x.kind === kind && x.amazonOrderId === id);
    if (!entry) throw new Error(`no ${kind} entry for ${id}`);
    return entry;
  });
}

describeEachDatabase('Amazon faults end to end, one matrix', (db) => {
  let t: Test;
  const knex = () => db().knex;

  afterEach(async () => {
    try {
      await t?.e.close();
    } finally {
      await emptyOrderTables(knex());
    }
  });

  async function start(pattern: Pattern): Promise<void> {
    const e = await startE2E(db(), { integratedAt: new Date('2026-11-26T09:00:00Z'), ...(pattern.lane === 'sync' && pattern.tuning ? { clientTuning: pattern.tuning } : {}) });
    t = { e, f: fulfil(e), placed: [], errorLogMark: 0 };
  }

  const log = () => errorLog(t);
  const syncState = async () => (await knex()('amazon_sync_state').where({ store_id: t.e.store.id }).first()) as Record<string, any>;
  const markErrorLog = async () => {
    const row = await knex()('amazon_api_error').max({ id: 'id' }).first();
    t.errorLogMark = Number(row?.id ?? 0);
  };

  async function page(id: string, params: Record<string, string>): Promise<string> {
    const response = await route(t, id).handle({ ...adminContext(), method: 'GET', params, query: new URLSearchParams(), form: new URLSearchParams() });
    if (response.kind !== 'page') throw new Error(`${id} answered ${response.kind}`);
    expect(response.status ?? 200).to.equal(200);
    return response.html;
  }

  // ---- (a) the fault is recorded, and shown -------------------------------------------------

  /** Everything the admin and the logs can see holds no credential, token or URL signature. */
  async function checkNoSecrets(...shown: string[]): Promise<void> {
    const stored = JSON.stringify([
      await knex()('amazon_api_error').select(),
      await knex()('amazon_sync_state').select(),
      await knex()('amazon_outbox').select('last_error'),
      await knex()('amazon_feed').select('result'),
      await knex()('amazon_order').select('note'),
      await knex()('amazon_order_log').select('message'),
    ]);
    const app = t.e.amazon.demoApp;
    for (const text of [stored, ...shown]) {
      for (const secret of [app.clientSecret, app.refreshToken, REAUTHORIZED_TOKEN]) expect(text).to.not.include(secret);
      expect(text).to.not.match(/Atza\|[\w-]/);
      expect(text).to.not.match(/X-Amz-Signature|X-Amz-Credential/i);
    }
  }

  async function checkFaultLogged(logged: LoggedFault): Promise<void> {
    const rows = await log();
    const described = JSON.stringify(rows.map((r) => [r.operation, r.http_status, r.code, r.message]));
    const hits = rows.filter((r) => r.operation === logged.operation && r.code === logged.code);
    expect(hits, `a ${logged.operation} ${logged.code} line in the communication errors log; it holds ${described}`).to.not.have.length(0);
    for (const hit of hits) {
      expect(Number(hit.store_id), 'logged for the store').to.equal(t.e.store.id);
      expect(hit.http_status === null ? null : Number(hit.http_status)).to.equal(logged.httpStatus);
      expect(hit.message).to.match(logged.message);
    }
  }

  async function checkSyncHealth(expected: { result: RunResult; error: RegExp | null; stat?: string }): Promise<void> {
    const state = await syncState();
    expect(state.last_result).to.equal(expected.result);
    if (expected.error === null) expect(state.last_error).to.equal(null);
    else expect(state.last_error).to.match(expected.error);
    const dashboard = await page('amazon_store_dashboard', { storeId: String(t.e.store.id) });
    const health = /<section class="asc-panel" aria-labelledby="asc-sync-heading">([\s\S]*?)<\/section>/.exec(dashboard)![1]!;
    expect(health).to.include(`>${expected.result}</span>`);
    if (state.last_error !== null) expect(health, 'the sync health shows the error').to.include(html(state.last_error));
    else expect(health).to.match(/Last error<\/dt>\s*<dd><span class="asc-muted">None<\/span>/);
    if (expected.stat) expect(health).to.include(`<span class="asc-stat">${expected.stat}</span>`);
    await checkNoSecrets(dashboard);
  }

  async function checkFulfillmentFaultShown(p: FulfillmentPattern, s: Scenario): Promise<void> {
    for (const entry of await entriesOf(t, p.faulted.entries(s))) {
      expect(entry.state, `${entry.kind} of ${entry.amazonOrderId}`).to.equal(p.faulted.state);
      expect(entry.lastError, `${entry.kind} of ${entry.amazonOrderId}`).to.match(p.faulted.lastError);
      const order = await page('amazon_order_details', { storeId: String(t.e.store.id), amazonOrderId: entry.amazonOrderId });
      const section = /<section class="asc-panel" aria-labelledby="asc-fulfillment-heading">([\s\S]*?)<\/section>/.exec(order)![1]!;
      expect(section, 'the order page shows what went wrong').to.include(html(entry.lastError!));
      const status = (await t.e.stored(entry.amazonOrderId)).status;
      if (p.faulted.orderError) expect(status, 'a refusal is an Error for the admin').to.equal('Error');
      else expect(status, 'not refused, so no Error').to.not.equal('Error');
      await checkNoSecrets(order);
    }
    const widget = t.e.host.container.getAll<DashboardWidgetContribution>(Contributions.DashboardWidget).find((w) => w.id === 'amazon_import_problems')!;
    const message = await widget.render(adminContext());
    if (p.faulted.orderError) expect(message, 'the system message names the store').to.include(`in Error in ${STORE}`);
    else expect(message ?? '').to.not.include('in Error');
  }

  // ---- (b) nothing half-written -------------------------------------------------------------

  /** Every message of every feed Amazon received, and whether Amazon accepted it. */
  function feedMessages(): Array<{ feedType: string; amazonOrderId: string; accepted: boolean; processing: boolean }> {
    const uploaded = new Map<string, string>();
    for (const r of t.e.amazon.requests()) {
      if (r.method === 'PUT' && r.path.startsWith('/s3/') && r.status === 200) uploaded.set(decodeURIComponent(r.path.split('/').pop()!), r.body);
    }
    t.e.amazon.listFeeds(); // runs what became due
    return t.e.amazon.feeds.list().flatMap((feed) => {
      const rejected = new Set((feed.outcome?.results ?? []).map((r) => r.messageId));
      return [...(uploaded.get(feed.inputFeedDocumentId) ?? '').matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map(([, message]) => ({
        feedType: feed.feedType,
        amazonOrderId: /<AmazonOrderID>([^<]+)<\/AmazonOrderID>/.exec(message!)![1]!,
        accepted: feed.processingStatus === 'DONE' && feed.outcome?.fatal === false && !rejected.has(/<MessageID>(\d+)<\/MessageID>/.exec(message!)![1]!),
        processing: feed.processingStatus === 'IN_QUEUE' || feed.processingStatus === 'IN_PROGRESS',
      }));
    });
  }

  async function checkNothingHalfWritten(): Promise<void> {
    const storeId = t.e.store.id;
    const orders: Array<Record<string, any>> = await knex()('amazon_order').where({ store_id: storeId }).select('id', 'amazon_order_id', 'raw', 'host_order_id', 'import_state');
    for (const row of orders) {
      const amazonItems = t.e.amazon.getOrder(row.amazon_order_id)!.items.map((i) => i.orderItemId).sort();
      const items: string[] = await knex()('amazon_order_item').where({ order_id: row.id }).pluck('order_item_id');
      expect(items.sort(), `the items of ${row.amazon_order_id}`).to.deep.equal(amazonItems);
      expect(JSON.parse(row.raw).orderItems.map((i: { orderItemId: string }) => i.orderItemId).sort()).to.deep.equal(amazonItems);
    }
    expect(new Set(orders.map((o) => o.amazon_order_id)).size, 'each Amazon order stored once').to.equal(orders.length);

    const hostOrders: Array<Record<string, any>> = await knex()('host_order').where({ channel: 'amazon' }).select('id', 'external_reference');
    const linked = new Map(orders.filter((o) => o.host_order_id !== null).map((o) => [String(o.host_order_id), o]));
    for (const host of hostOrders) {
      const link = linked.get(String(host.id));
      expect(link, `host order ${host.id} (${host.external_reference}) has its amazon_order link`).to.not.equal(undefined);
      expect([link!.amazon_order_id, link!.import_state]).to.deep.equal([host.external_reference, 'imported']);
    }
    expect(linked.size, 'no link to a host order that is not there').to.equal(hostOrders.length);
    expect(new Set(hostOrders.map((h) => h.external_reference)).size, 'no Amazon order imported twice').to.equal(hostOrders.length);

    const messages = feedMessages();
    const amazonFeeds = new Set(t.e.amazon.feeds.list().map((feed) => feed.feedId));
    const feedRows = new Map(((await knex()('amazon_feed').where({ store_id: storeId }).select('id', 'amazon_feed_id')) as Array<Record<string, any>>).map((r) => [Number(r.id), r.amazon_feed_id]));
    for (const entry of await t.f.entries()) {
      const amazon = t.e.amazon.getOrder(entry.amazonOrderId)!;
      const what = `${entry.kind} entry ${entry.id} of ${entry.amazonOrderId} (${entry.state})`;
      if (entry.kind === 'shipment') {
        const packages = amazon.packages.filter((p) => p.packageReferenceId === String(entry.id));
        expect(packages.length, `${what}: confirmed at most once`).to.be.at.most(1);
        if (entry.state === 'done') expect(packages, `${what}: Amazon has it`).to.have.length(1);
        continue;
      }
      const mine = messages.filter((m) => m.feedType === FEED_TYPES[entry.kind as 'cancel' | 'refund'] && m.amazonOrderId === entry.amazonOrderId);
      expect(mine.filter((m) => m.accepted).length, `${what}: accepted at most once`).to.be.at.most(1);
      if (entry.state === 'done') expect(mine.filter((m) => m.accepted), `${what}: Amazon accepted it`).to.have.length(1);
      if (entry.state === 'sent') expect(amazonFeeds.has(feedRows.get(entry.feedId!)), `${what}: Amazon has its feed`).to.equal(true);
      if (entry.kind === 'refund') expect(new Set(amazon.refunds.map((r) => `${r.feedId}/${r.messageId}`)).size, `${what}: refunded at most once`).to.be.at.most(1);
    }
    for (const order of t.placed.map((id) => t.e.amazon.getOrder(id)!)) {
      const references = order.packages.map((p) => p.packageReferenceId);
      expect(new Set(references).size, `no package of ${order.orderId} confirmed twice`).to.equal(references.length);
    }
  }

  /** The cursor (what the sync says it has) never passes an order that is neither stored nor queued to fetch again. */
  async function checkCursorNeverSkips(): Promise<void> {
    const state = await syncState();
    const cursor = fromDbOrNull(state.cursor);
    const stored = new Set<string>(await knex()('amazon_order').where({ store_id: t.e.store.id }).pluck('amazon_order_id'));
    const queued = new Set<string>(await knex()('amazon_order_refetch').where({ store_id: t.e.store.id }).pluck('amazon_order_id'));
    for (const id of t.placed) {
      const updated = Date.parse(t.e.amazon.getOrder(id)!.lastUpdatedTime);
      if (cursor !== null && updated <= cursor.getTime()) {
        expect(stored.has(id) || queued.has(id), `the cursor (${cursor.toISOString()}) passed order ${id} without storing it`).to.equal(true);
      }
    }
    // In the middle of the window: the page before the saved token is stored.
    if (state.next_token !== null) expect(stored.size + queued.size, 'page 1 is stored with its token').to.be.at.least(PAGE);
  }

  async function checkInvariants(): Promise<void> {
    await checkNothingHalfWritten();
    await checkCursorNeverSkips();
  }

  // ---- (c) the next runs complete ----------------------------------------------------------

  async function checkCompleted(): Promise<void> {
    const storeId = t.e.store.id;
    for (const id of t.placed) {
      const rows = await knex()('amazon_order').where({ store_id: storeId, amazon_order_id: id }).select('import_state', 'host_order_id');
      expect(rows.map((r: Record<string, any>) => r.import_state), `order ${id} stored and imported once`).to.deep.equal(['imported']);
      expect(await knex()('host_order').where({ channel: 'amazon', external_reference: id }).pluck('id'), `order ${id} has one host order`).to.deep.equal([Number(rows[0].host_order_id)]);
    }
    expect(Number((await knex()('host_order').count({ n: '*' }).first())?.n)).to.equal(t.placed.length);
    expect(await knex()('amazon_order_refetch').where({ store_id: storeId }).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
    const state = await syncState();
    expect([state.next_token, state.window_after, state.window_before, state.last_result, state.last_error, state.lease_owner]).to.deep.equal([null, null, null, 'ok', null, null]);
    expect(fromDbOrNull(state.cursor)).to.not.equal(null);

    const messages = feedMessages();
    expect(messages.filter((m) => m.processing), 'no feed left processing').to.deep.equal([]);
    for (const entry of await t.f.entries()) {
      const what = `${entry.kind} entry ${entry.id} of ${entry.amazonOrderId}`;
      expect([entry.state, entry.lastError], what).to.deep.equal(['done', null]);
      if (entry.kind === 'shipment') {
        expect(t.e.amazon.getOrder(entry.amazonOrderId)!.packages.filter((p) => p.packageReferenceId === String(entry.id)), `${what}: confirmed exactly once`).to.have.length(1);
      } else {
        const accepted = messages.filter((m) => m.accepted && m.feedType === FEED_TYPES[entry.kind as 'cancel' | 'refund'] && m.amazonOrderId === entry.amazonOrderId);
        expect(accepted, `${what}: in exactly one accepted feed message`).to.have.length(1);
      }
    }
    expect(await knex()('amazon_feed').where({ store_id: storeId }).whereIn('state', ['building', 'submitting', 'submitted']).count({ n: '*' }).first().then((r) => Number(r?.n))).to.equal(0);
    await checkNoSecrets();
  }

  // ---- the matrix ----------------------------------------------------------------------------

  async function runSync(afterFirstPage?: () => void): Promise<StoreSyncResult> {
    const reader = t.e.host.container.get(AmazonOrderReader);
    const searchPage = reader.searchPage.bind(reader);
    let pages = 0;
    const stub = sinon.stub(reader, 'searchPage').callsFake(async (...args) => {
      const page = await searchPage(...args);
      if (++pages === 1) afterFirstPage?.();
      return page;
    });
    try {
      const [result] = await t.e.host.container.get(OrderSync).run({ storeId: t.e.store.id });
      return result!;
    } finally {
      stub.restore();
    }
  }

  async function syncPattern(p: SyncPattern): Promise<void> {
    await t.e.product('MUG-RED', 1000);
    for (let i = 0; i < SYNC_ORDERS; i += 1) t.placed.push(t.e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' }));
    // Older than the sync's overlap (it reads again from 5 minutes before its cursor) by the end of
    // the window: a page the cursor skipped would never be read again.
    t.e.advance(15 * MINUTE);
    await markErrorLog();

    // (a) the faulted run: page 1 is stored, then page 2 meets the fault.
    let armed = false;
    const faulted = await runSync(() => {
      armed = true;
      p.arm(t.e);
    });
    expect(armed, 'page 1 came before the fault').to.equal(true);
    expect(faulted.result, `the faulted run: ${faulted.error}`).to.equal(p.faulted.result);
    await checkSyncHealth(p.faulted);
    await checkFaultLogged(p.logged);
    // (b)
    await checkInvariants();
    const stored = Number((await knex()('amazon_order').where({ store_id: t.e.store.id }).count({ n: '*' }).first())?.n);
    const state = await syncState();
    if (p.faulted.stored === 'page 1') {
      expect(stored, 'page 1 stored').to.equal(PAGE);
      expect(state.next_token, 'its place (page 2) saved').to.be.a('string');
      expect(state.cursor, 'the cursor waits for the window to end').to.equal(null);
    } else {
      expect(stored).to.equal(p.faulted.stored === 'all' ? SYNC_ORDERS : SYNC_ORDERS - 1);
      expect(state.next_token).to.equal(null);
    }
    const savedToken = state.next_token;

    // (c) the next runs, each as the pattern says; none skips the saved page.
    for (const [run, expected] of p.recovery.entries()) {
      await p.recover(t.e, run);
      const result = await runSync();
      expect(result.result, `recovery run ${run + 1}: ${result.error}`).to.equal(expected);
      await checkInvariants();
      if (expected !== 'ok') expect((await syncState()).next_token, 'still at the saved page').to.equal(savedToken);
    }
    await checkCompleted();
  }

  async function fulfillmentPattern(p: FulfillmentPattern): Promise<void> {
    await t.e.product('MUG-RED', 100);
    const [S, X1, X2, R] = [1, 1, 1, 2].map((qty) => t.e.place({ items: [{ sku: 'MUG-RED', qty }], status: 'UNSHIPPED' })) as [string, string, string, string];
    const s: Scenario = { S, X1, X2, R };
    t.placed.push(S, X1, X2, R);
    t.e.advance(3 * MINUTE);
    expect(await t.e.sync()).to.include({ result: 'ok', imported: 4 });
    for (const done of [t.f.ship(S), t.f.ship(R)]) expect(await done).to.include({ ok: true });
    expect(await t.f.creditMemo(R, { items: 'MUG-RED:1' })).to.include({ ok: true });
    for (const id of [X1, X2]) expect(await t.f.cancel(id, 'out_of_stock')).to.include({ ok: true });
    await markErrorLog();

    // (a) the sender meets the fault, after confirming the shipments of the same run.
    const faulted = await p.fault(t, s);
    expect(faulted.result, `the faulted run: ${faulted.error}`).to.equal(p.faulted.result);
    await checkFulfillmentFaultShown(p, s);
    await checkFaultLogged(p.logged);
    // (b)
    await checkInvariants();

    // (c) the fault ends; the next runs send what waited, once.
    const runs = await p.recover(t, s);
    for (const run of runs) expect(run.result, `recovery run: ${run.error}`).to.equal('ok');
    expect(runs.at(-1)).to.include({ failed: 0, retrying: 0, pending: 0 });
    await checkInvariants();
    t.e.advance(3 * MINUTE);
    expect(await t.e.sync()).to.include({ result: 'ok' });
    await checkInvariants();
    await checkCompleted();
  }

  for (const p of PATTERNS) {
    it(`${p.lane}: ${p.name}`, async function () {
      await start(p);
      if (p.lane === 'sync') await syncPattern(p);
      else await fulfillmentPattern(p);
    });
  }
});
