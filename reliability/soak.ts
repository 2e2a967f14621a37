/**
 * The crash and concurrency soak (`npm run soak`; a short version runs in `npm test`).
 *
 * Rounds of 8 real `asc` processes (5 `asc sync`, 3 `asc outbox:send`) on one MariaDB database, three
 * stores of one seller and one Amazon sandbox, most of them SIGKILLed after a random number of their
 * debug log lines or a random time, while
 * the merchant keeps working: orders are placed at Amazon (Pending and Unshipped), buyers cancel,
 * and in the host (this process, same database) orders are shipped in full or in parts, canceled
 * and refunded. Between rounds Amazon's time (and the processes' clock, HOST_CLOCK_OFFSET_MS) moves
 * on by more than a lease's lifetime, so a killed worker's lease has expired when the next round
 * starts; Pending orders get verified and feeds processed meanwhile. Then killing stops, and runs
 * left alone bring everything to rest.
 *
 * What must hold then (every violation is listed in the report):
 * - every Amazon order the store can import has exactly one host order; none has two; no host order
 *   without its Amazon order;
 * - the module's status of every order is Amazon's, of Amazon's last change (no change lost);
 * - every host shipment has one outbox entry, done, confirmed at Amazon exactly once (one package
 *   whose packageReferenceId is the entry's id), and Amazon's shipped units are the host's;
 * - every refund (credit memo) went to Amazon in one feed message and was applied once, never twice;
 *   one whose sender died between createFeed and noting Amazon's answer is failed for the admin to
 *   check in Seller Central, by design (sending it again could pay twice): counted in
 *   `refundsLeftToCheck`, and it went at most once; every cancel in one message (a second one,
 *   harmless, is counted in `cancelsSentTwice`), none when Amazon had canceled the order first;
 * - after each round, no lease of a killed worker outlives the expiry it had when it died, and at
 *   the end no lease is held.
 */
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import { runCli, runCliKilled, type KilledRun } from '../test/support/cli.ts';
import { emptyMysql, type TestDatabase } from '../test/support/databases.ts';
import { openTestHost, REPO_ROOT } from '../test/support/host.ts';
import { seededRandom } from '../test/support/random.ts';
import { startCheckedSandbox } from '../test/support/checked-sandbox.ts';
import { appliedConfirmations } from '../test/support/fulfillment.ts';
import { openDatabase } from '../sandbox/host/database.ts';
import type { RunningAmazonSandbox } from '../sandbox/amazon/index.ts';
import type { Host } from '../sandbox/host/host.ts';
import { linesFor } from '../sandbox/host/cli/order-commands.ts';
import type { OrderDetails } from '../sandbox/host/orders/queries.ts';
import { Stores } from '../src/stores/stores.ts';
import { LEASE_TTL_MS } from '../src/sync/store-lease.ts';
import { fromDbOrNull } from '../src/db/time.ts';

const MINUTE = 60_000;
const SKUS = ['MUG-BLUE-12OZ', 'TEE-BLK-M', 'NOTEBOOK-A5-DOT', 'CANDLE-SOY-8OZ'];
/** The seller's stores: one seller in three marketplaces (so the stores share its rate-limit buckets). */
const STORES = [
  { name: 'Soak US', region: 'na', marketplaceId: 'ATVPDKIKX0DER' },
  { name: 'Soak CA', region: 'na', marketplaceId: 'A2EUQ1WTGCTBG2' },
  { name: 'Soak UK', region: 'eu', marketplaceId: 'A1F83G8C2ARO7P' },
] as const;
/** Of the 8 workers of a round, these run `asc sync`; the rest `asc outbox:send`. */
const SYNC_WORKERS = 5;
/**
 * A worker is killed after 1 to this many of its debug log lines, small numbers more often: a run
 * that finds work writes a dozen or more, one that finds the store held only a few.
 */
const MAX_KILL_LINE = 20;
/** Share of the workers that are left to finish (so some rounds also make uninterrupted progress). */
const SPARED = 0.2;
/**
 * Share of the killed workers killed after a random time (up to KILL_AFTER_MS) rather than a log
 * line: a run that finds every store held, or nothing to send, writes no line at all.
 */
const KILLED_BY_TIME = 0.35;
const KILL_AFTER_MS = 4000;
/**
 * How far Amazon's time moves between rounds: past every lease a killed worker left (10 minutes),
 * and long enough for Amazon's searchOrders bucket (one token per 180 s, burst 20), which the
 * seller's three stores share, to fill again; otherwise workers wait up to a minute for a token.
 */
const ROUND_ADVANCE_MS = 60 * MINUTE;

export interface SoakOptions {
  database: TestDatabase;
  /** Stop killing once this many workers were killed. */
  kills: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  rounds: number;
  workers: number;
  kills: { sync: number; outbox: number };
  /** Distinct last log messages before a kill: how varied the kill points were. */
  killPoints: number;
  ordersPlaced: number;
  hostOrders: number;
  canceledAtAmazon: number;
  shipments: number;
  cancels: number;
  refunds: number;
  /** Host actions the host or the module refused (a ship of an order Amazon had canceled, say). */
  refusedActions: number;
  /** Cancels that went out in two feeds: a sender killed after Amazon took the feed, before it noted so (harmless: a second acknowledgement of a cancel changes nothing). */
  cancelsSentTwice: number;
  /** Refund entries failed because their sender died while submitting (an admin must check Seller Central: sending again could pay twice). */
  refundsLeftToCheck: number;
  settleRuns: number;
  seconds: number;
  violations: string[];
}

interface WorkerRun extends KilledRun {
  kind: 'sync' | 'outbox';
  /** Amazon's time (which the worker's clock follows) when it ended. */
  endedAt: number;
}

/** The processes' environment: the database, the host's key, and the host clock on Amazon's. */
function workerEnv(database: TestDatabase, secretKey: Buffer, amazon: RunningAmazonSandbox): NodeJS.ProcessEnv {
  return { DATABASE_URL: database.url, HOST_SECRET_KEY: secretKey.toString('base64'), AMAZON_SANDBOX: '0', HOST_CLOCK_OFFSET_MS: String(amazon.now().getTime() - Date.now()) };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const seed = options.seed ?? 20261203;
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T | undefined => (list.length === 0 ? undefined : list[Math.floor(next() * list.length)]);
  const log = options.log ?? (() => undefined);
  const knex = options.database.knex;
  const report: SoakReport = {
    seed, rounds: 0, workers: 0, kills: { sync: 0, outbox: 0 }, killPoints: 0, ordersPlaced: 0, hostOrders: 0, canceledAtAmazon: 0, shipments: 0, cancels: 0, refunds: 0,
    refusedActions: 0, cancelsSentTwice: 0, refundsLeftToCheck: 0, settleRuns: 0, seconds: 0, violations: [],
  };
  const killPoints = new Set<string>();

  // Amazon's clock runs in real time; it jumps between rounds. Amazon's default rate limits.
  const amazon = await startCheckedSandbox({ port: 0, clock: { speed: 1 } });
  const secretKey = crypto.randomBytes(32);
  const { host } = await openTestHost(options.database, { modules: [{ directory: REPO_ROOT }], clock: { now: () => amazon.now() }, secretKey });
  try {
    for (const sku of SKUS) {
      const saved = await host.services.catalog.create({ sku, name: sku, qty: 1_000_000, enabled: true, manageStock: true });
      if (!saved.ok) throw new Error(saved.errors.map((e) => e.message).join('; '));
    }
    const app = amazon.demoApp;
    for (const store of STORES) {
      await host.container.get(Stores).add({
        ...store, sellerId: app.sellerId, clientId: app.clientId, clientSecret: app.clientSecret, refreshToken: app.refreshToken,
        spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl, integratedAt: new Date(amazon.now().getTime() - 60 * MINUTE),
      });
    }

    const merchant = new Merchant(host, amazon, next, pick, report);
    while (report.kills.sync + report.kills.outbox < options.kills) {
      report.rounds += 1;
      const env = workerEnv(options.database, secretKey, amazon);
      const workers = Array.from({ length: 8 }, (_, index) => {
        const kind = index < SYNC_WORKERS ? ('sync' as const) : ('outbox' as const);
        const args = kind === 'sync' ? ['sync', '--json'] : ['outbox:send', '--now', '--json'];
        const spawnedAt = Date.now();
        const killAfterMs = KILL_AFTER_MS * next();
        const kill = next() < SPARED ? {} : next() < KILLED_BY_TIME ? { when: () => Date.now() - spawnedAt > killAfterMs } : { afterLines: 1 + Math.floor(next() ** 2 * MAX_KILL_LINE) };
        return runCliKilled(args, { env, ...kill }).then((run): WorkerRun => ({ ...run, kind, endedAt: amazon.now().getTime() }));
      });
      await merchant.work();
      const runs = await Promise.all(workers);
      report.workers += runs.length;
      for (const run of runs) {
        if (run.killed) {
          report.kills[run.kind] += 1;
          killPoints.add(`${run.kind}: ${lastMessage(run.lines)}`);
        } else if (run.code !== 0 && !onlyEntriesFailed(run.code, run.stdout)) {
          report.violations.push(`round ${report.rounds}: an unkilled asc ${run.kind} exited ${run.code}: ${run.stdout.trim()} ${run.lines.filter((l) => /"level":"(warn|error)"/.test(l)).join(' | ')}`);
        }
      }
      await checkDeadLeases(knex, runs.filter((r) => r.killed), report);
      log(`round ${report.rounds}: ${runs.filter((r) => r.killed).length} of 8 killed (${report.kills.sync + report.kills.outbox} in all), ${report.ordersPlaced} orders placed; log lines of the others: ${runs.filter((r) => !r.killed).map((r) => `${r.kind} ${r.lines.length}`).join(', ')}`);
      // Pending orders get verified, feeds processed meanwhile.
      amazon.advanceClock(ROUND_ADVANCE_MS);
    }
    report.killPoints = killPoints.size;

    // Killing stops: runs left alone bring everything to rest.
    for (let run = 0; run < 12; run += 1) {
      const env = workerEnv(options.database, secretKey, amazon);
      for (const args of [['sync', '--json'], ['outbox:send', '--now', '--json']]) {
        const result = await runCli(args, { env });
        report.settleRuns += 1;
        if (result.code !== 0 && !onlyEntriesFailed(result.code, result.stdout)) report.violations.push(`settling: asc ${args[0]} exited ${result.code}: ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      }
      amazon.advanceClock(ROUND_ADVANCE_MS);
      if (run >= 1 && (await atRest(knex))) break;
    }
    if (!(await atRest(knex))) report.violations.push('the outbox did not come to rest: entries are still pending or sent, or feeds submitted');
    await verify(knex, amazon, report);
  } finally {
    await amazon.close().catch((error: unknown) => report.violations.push(`the sandbox saw requests that break Amazon's models: ${String(error)}`));
    await host.close();
    report.seconds = Math.round((Date.now() - started) / 1000);
  }
  return report;
}

/**
 * `asc outbox:send` exits 1 when an entry failed, though the run itself went well: such entries
 * are judged by the checks of the end (a refund whose sender died while submitting it fails, say).
 */
function onlyEntriesFailed(code: number | null, stdout: string): boolean {
  try {
    return code === 1 && (JSON.parse(stdout) as Array<{ result: string; failed?: number }>).every((r) => r.result !== 'failed' && r.failed !== undefined);
  } catch {
    return false;
  }
}

/** The message of a worker's last complete log line. */
function lastMessage(lines: string[]): string {
  for (const line of [...lines].reverse()) {
    try {
      return String((JSON.parse(line) as { message?: unknown }).message);
    } catch {
      // a line cut by the kill
    }
  }
  return '(before its first log line)';
}

/** A killed worker's lease may stay until the expiry it had when it died, never longer (nobody renews it). */
async function checkDeadLeases(knex: Knex, killed: WorkerRun[], report: SoakReport): Promise<void> {
  for (const row of await knex('amazon_sync_state').select('store_id', 'lease_owner', 'lease_expires_at', 'outbox_lease_owner', 'outbox_lease_expires_at')) {
    for (const [owner, expires] of [[row.lease_owner, row.lease_expires_at], [row.outbox_lease_owner, row.outbox_lease_expires_at]] as const) {
      if (typeof owner !== 'string') continue;
      const dead = killed.find((run) => owner.split(':').includes(String(run.pid)));
      const expiresAt = fromDbOrNull(expires)?.getTime() ?? Infinity;
      if (dead && expiresAt > dead.endedAt + LEASE_TTL_MS) {
        report.violations.push(`round ${report.rounds}: store ${row.store_id}: the lease of killed worker ${dead.pid} (${owner}) runs until ${new Date(expiresAt).toISOString()}, past its last possible expiry`);
      }
    }
  }
}

/** Nothing left to send and nothing waiting for Amazon's answer. */
async function atRest(knex: Knex): Promise<boolean> {
  const entries = await knex('amazon_outbox').whereIn('state', ['pending', 'sent']).count({ n: '*' }).first();
  const feeds = await knex('amazon_feed').whereIn('state', ['building', 'submitting', 'submitted']).count({ n: '*' }).first();
  return Number(entries?.n) === 0 && Number(feeds?.n) === 0;
}

/** The merchant, in the host and at Amazon, during a round. */
class Merchant {
  constructor(
    private readonly host: Host,
    private readonly amazon: RunningAmazonSandbox,
    private readonly next: () => number,
    private readonly pick: <T>(list: readonly T[]) => T | undefined,
    private readonly report: SoakReport,
  ) {}

  async work(): Promise<void> {
    const { amazon, next, pick, report } = this;
    for (let i = 0, n = 2 + Math.floor(next() * 3); i < n; i += 1) {
      const items = [{ sku: pick(SKUS)!, qty: 1 + Math.floor(next() * 3) }];
      if (next() < 0.4) items.push({ sku: pick(SKUS.filter((s) => s !== items[0]!.sku))!, qty: 1 + Math.floor(next() * 2) });
      const marketplaceId = pick(STORES)!.marketplaceId;
      amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, marketplaceId, items, fulfilledBy: 'MERCHANT', status: next() < 0.5 ? 'PENDING' : 'UNSHIPPED' });
      report.ordersPlaced += 1;
    }
    // A buyer cancels a Pending order at once; of an Unshipped one, Amazon only passes the request on.
    const open = amazon.listOrders({ sellerId: amazon.demoApp.sellerId }).filter((o) => ['PENDING', 'UNSHIPPED'].includes(o.status));
    if (next() < 0.35) {
      const order = pick(open);
      if (order) amazon.cancelOrder(order.orderId, { by: 'BUYER', reason: 'BUYER_CANCELLED', requestOnly: order.status === 'UNSHIPPED' });
    }
    await pause(next);
    for (let i = 0, n = Math.floor(next() * 3); i < n; i += 1) await this.ship();
    await pause(next);
    if (next() < 0.3) await this.cancel();
    if (next() < 0.4) await this.refund();
  }

  /** The host's orders that `wanted` accepts. */
  private async hostOrders(wanted: (order: OrderDetails) => boolean): Promise<OrderDetails[]> {
    const found: OrderDetails[] = [];
    for (const { id } of await this.host.knex('host_order').orderBy('id').select('id')) {
      const order = await this.host.services.orderQueries.details(String(id));
      if (order && wanted(order)) found.push(order);
    }
    return found;
  }

  /** Everything left, or part of one line. */
  private async ship(): Promise<void> {
    const order = this.pick(await this.hostOrders((o) => o.lines.some((l) => l.qtyToShip > 0)));
    if (!order) return;
    const line = this.pick(order.lines.filter((l) => l.qtyToShip > 0))!;
    const part = this.next() < 0.4 ? `${line.sku}:${1 + Math.floor(this.next() * line.qtyToShip)}` : undefined;
    const tracking = `1Z${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
    this.count(await this.host.services.workflow.ship(order.id, { lines: linesFor(order, part, (l) => l.qtyToShip), carrierCode: 'ups', carrierTitle: '', trackingNumber: tracking }), 'shipments');
  }

  /** An order nothing of which has shipped. */
  private async cancel(): Promise<void> {
    const order = this.pick(await this.hostOrders((o) => o.lines.every((l) => l.qtyShipped === 0 && l.qtyCanceled === 0)));
    if (order) this.count(await this.host.services.workflow.cancel(order.id, 'out_of_stock'), 'cancels');
  }

  /** One shipped unit. */
  private async refund(): Promise<void> {
    const order = this.pick(await this.hostOrders((o) => o.lines.some((l) => l.qtyToRefund > 0)));
    if (!order) return;
    const line = this.pick(order.lines.filter((l) => l.qtyToRefund > 0))!;
    this.count(await this.host.services.workflow.creditMemo(order.id, { lines: [{ itemId: Number(line.id), qty: 1 }], refundShipping: false, reason: 'customer_return' }), 'refunds');
  }

  private count(result: { ok: boolean }, kind: 'shipments' | 'cancels' | 'refunds'): void {
    if (result.ok) this.report[kind] += 1;
    else this.report.refusedActions += 1;
  }
}

/** A short, random pause: the merchant's actions land at different points of the workers' runs. */
const pause = (next: () => number) => new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 400)));

/** The invariants of the module's header, checked against Amazon's and the host's own records. */
async function verify(knex: Knex, amazon: RunningAmazonSandbox, report: SoakReport): Promise<void> {
  const problems = report.violations;
  const atAmazon = amazon.listOrders({ sellerId: amazon.demoApp.sellerId });
  const stored = new Map(
    (await knex('amazon_order').select('amazon_order_id', 'amazon_status', 'amazon_updated_at', 'host_order_id', 'import_state')).map((row) => [
      row.amazon_order_id as string,
      row as { amazon_status: string; amazon_updated_at: unknown; host_order_id: string | null; import_state: string },
    ]),
  );
  const hostOrders: Array<{ id: number; external_reference: string | null; state: string }> = await knex('host_order').select('id', 'external_reference', 'state');
  report.hostOrders = hostOrders.length;
  report.canceledAtAmazon = atAmazon.filter((o) => o.status === 'CANCELLED').length;
  for (const host of hostOrders) {
    if (!host.external_reference || !stored.has(host.external_reference)) problems.push(`host order ${host.id} has no Amazon order (${host.external_reference})`);
  }
  for (const order of atAmazon) {
    const mine = stored.get(order.orderId);
    const hosts = hostOrders.filter((h) => h.external_reference === order.orderId);
    if (hosts.length > 1) problems.push(`Amazon order ${order.orderId} has ${hosts.length} host orders`);
    if (!mine) {
      problems.push(`Amazon order ${order.orderId} (${order.status}) was never stored`);
      continue;
    }
    if (mine.amazon_status !== order.status) problems.push(`Amazon order ${order.orderId} is ${order.status} at Amazon but ${mine.amazon_status} in the module`);
    const updatedAt = fromDbOrNull(mine.amazon_updated_at)?.toISOString();
    if (updatedAt !== new Date(order.lastUpdatedTime).toISOString()) problems.push(`Amazon order ${order.orderId}: the module has the version of ${updatedAt}, Amazon's last change is ${order.lastUpdatedTime}`);
    // Never canceled: it went through Unshipped, so it must have been imported (stock is plenty).
    const importable = !['CANCELLED', 'UNFULFILLABLE', 'PENDING', 'PENDING_AVAILABILITY'].includes(order.status);
    if (importable && hosts.length !== 1) problems.push(`Amazon order ${order.orderId} (${order.status}) has ${hosts.length} host orders, not one`);
    if (hosts.length === 1 && String(hosts[0]!.id) !== String(mine.host_order_id)) problems.push(`Amazon order ${order.orderId}: the module links host order ${mine.host_order_id}, the host has ${hosts[0]!.id}`);
  }

  await verifyShipments(knex, amazon, problems);
  await verifyFeeds(knex, amazon, report);

  for (const leases of await knex('amazon_sync_state').select('store_id', 'lease_owner', 'outbox_lease_owner')) {
    if (leases.lease_owner || leases.outbox_lease_owner) problems.push(`a lease is still held at the end: ${JSON.stringify(leases)}`);
  }
}

/** Each host shipment: one outbox entry, done, one applied confirmation (packageReferenceId = entry id), Amazon's units = the host's. */
async function verifyShipments(knex: Knex, amazon: RunningAmazonSandbox, problems: string[]): Promise<void> {
  const shipments: Array<{ id: number; amazonOrderId: string }> = await knex('host_shipment')
    .join('host_order', 'host_order.id', 'host_shipment.order_id')
    .select('host_shipment.id as id', 'host_order.external_reference as amazonOrderId');
  const entries: Array<{ id: number; amazon_order_id: string; payload: string; state: string; last_error: string | null }> = await knex('amazon_outbox')
    .where({ kind: 'shipment' })
    .select('id', 'amazon_order_id', 'payload', 'state', 'last_error');
  const applied = appliedConfirmations(amazon);
  for (const shipment of shipments) {
    const mine = entries.filter((e) => Number((JSON.parse(e.payload) as { hostShipmentId: string }).hostShipmentId) === Number(shipment.id));
    if (mine.length !== 1) {
      problems.push(`host shipment ${shipment.id} of ${shipment.amazonOrderId} has ${mine.length} outbox entries`);
      continue;
    }
    const entry = mine[0]!;
    if (entry.state !== 'done') problems.push(`outbox entry ${entry.id} (shipment of ${shipment.amazonOrderId}) is ${entry.state}: ${entry.last_error}`);
    const confirmations = applied.filter((a) => a.reference === String(entry.id) && a.orderId === shipment.amazonOrderId).length;
    if (confirmations !== 1) problems.push(`outbox entry ${entry.id} (shipment of ${shipment.amazonOrderId}) was confirmed at Amazon ${confirmations} times`);
  }
  if (entries.length !== shipments.length) problems.push(`${entries.length} shipment entries for ${shipments.length} host shipments`);
  const references = applied.map((a) => `${a.orderId}/${a.reference}`);
  if (new Set(references).size !== references.length) problems.push(`a package was confirmed twice: ${references.filter((r, i) => references.indexOf(r) !== i).join(', ')}`);
  const hostItems: Array<{ order: string; item: string; shipped: number }> = (
    await knex('host_order_item').join('host_order', 'host_order.id', 'host_order_item.order_id').select('host_order.external_reference as order', 'host_order_item.external_reference as item', 'host_order_item.qty_shipped as shipped')
  ).map((row: { order: string; item: string; shipped: unknown }) => ({ ...row, shipped: Number(row.shipped) }));
  for (const order of amazon.listOrders({ sellerId: amazon.demoApp.sellerId })) {
    for (const item of order.items) {
      const host = hostItems.find((h) => h.order === order.orderId && h.item === item.orderItemId);
      if (host && host.shipped !== item.quantityShipped) problems.push(`${order.orderId} item ${item.orderItemId}: ${item.quantityShipped} shipped at Amazon, ${host.shipped} in the host`);
    }
  }
}

/**
 * Each cancel and refund entry: in exactly one feed Amazon accepted. The documents of the feeds
 * Amazon created are read from the sandbox's request record (the upload before each createFeed).
 */
async function verifyFeeds(knex: Knex, amazon: RunningAmazonSandbox, report: SoakReport): Promise<void> {
  const requests = amazon.requests();
  const uploads = new Map(requests.filter((r) => r.method === 'PUT' && r.status === 200 && r.path.startsWith('/s3/')).map((r) => [decodeURIComponent(r.path.split('/').pop()!), r.body]));
  const documents = requests
    .filter((r) => r.operation === 'createFeed' && r.status === 202)
    .map((r) => JSON.parse(r.body) as { feedType: string; inputFeedDocumentId: string })
    .map((feed) => ({ feedType: feed.feedType, xml: uploads.get(feed.inputFeedDocumentId) ?? '' }));
  const messagesFor = (feedType: string, amazonOrderId: string) =>
    documents.filter((d) => d.feedType === feedType).reduce((n, d) => n + d.xml.split(`<AmazonOrderID>${amazonOrderId}</AmazonOrderID>`).length - 1, 0);

  const entries: Array<{ id: number; kind: string; amazon_order_id: string; state: string; last_error: string | null }> = await knex('amazon_outbox')
    .whereIn('kind', ['cancel', 'refund'])
    .select('id', 'kind', 'amazon_order_id', 'state', 'last_error');
  const leftToCheck = (e: (typeof entries)[number]) => e.kind === 'refund' && e.state === 'failed' && /stopped while submitting/.test(e.last_error ?? '');
  for (const entry of entries) {
    if (leftToCheck(entry)) report.refundsLeftToCheck += 1;
    else if (entry.state !== 'done') report.violations.push(`outbox entry ${entry.id} (${entry.kind} of ${entry.amazon_order_id}) is ${entry.state}: ${entry.last_error}`);
  }
  const ordersOf = (kind: string) => [...new Set(entries.filter((e) => e.kind === kind).map((e) => e.amazon_order_id))];
  for (const orderId of ordersOf('cancel')) {
    const sent = messagesFor('POST_ORDER_ACKNOWLEDGEMENT_DATA', orderId);
    // Not sent at all is right when Amazon (or the buyer) had canceled the order first.
    const canceledBefore = amazon.book.get(orderId)?.items.every((item) => item.cancellationExecution && item.cancellationExecution.cancelledBy !== 'MERCHANT');
    if (sent === 0 && canceledBefore) continue;
    if (sent === 2) report.cancelsSentTwice += 1;
    else if (sent !== 1) report.violations.push(`the cancel of ${orderId} went to Amazon in ${sent} feed messages`);
  }
  // Refunds: each done one sent and applied once; one left to check (its sender died between
  // createFeed and noting Amazon's answer) sent at most once; nothing ever sent or applied twice.
  for (const orderId of ordersOf('refund')) {
    const mine = entries.filter((e) => e.kind === 'refund' && e.amazon_order_id === orderId);
    const done = mine.filter((e) => e.state === 'done').length;
    const sent = messagesFor('POST_PAYMENT_ADJUSTMENT_DATA', orderId);
    const applied = new Set((amazon.getOrder(orderId)?.refunds ?? []).map((r) => `${r.feedId}/${r.messageId}`)).size;
    if (sent < done || sent > mine.length || applied !== sent) {
      report.violations.push(`${orderId}: ${mine.length} refunds (${done} done) in the module, ${sent} refund messages sent, ${applied} applied at Amazon`);
    }
  }
}

/** `npm run soak [-- --kills N --seed S]`: on SOAK_DATABASE_URL (default: database asc_soak of the local MariaDB, emptied first). */
async function main(argv: string[]): Promise<number> {
  const flag = (name: string, fallback: number) => {
    const index = argv.indexOf(`--${name}`);
    const value = index === -1 ? fallback : Number(argv[index + 1]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, got ${argv[index + 1]}`);
    return value;
  };
  const kills = flag('kills', 200);
  const seed = flag('seed', Date.now() % 1_000_000);
  const url = process.env.SOAK_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/asc_soak';
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:') throw new Error('SOAK_DATABASE_URL must be a mysql:// URL: the soak runs many processes against one MariaDB');
  const server = knexFactory({ client: 'mysql2', connection: { host: parsed.hostname, port: Number(parsed.port || 3306), user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } });
  await server.raw('create database if not exists ?? character set utf8mb4', [parsed.pathname.slice(1)]);
  await server.destroy();
  const knex = await openDatabase(url);
  await emptyMysql(knex);
  try {
    console.log(`Soak on ${parsed.host}${parsed.pathname}: ${kills} kills, seed ${seed} (replay: npm run soak -- --kills ${kills} --seed ${seed})`);
    const report = await runSoak({ database: { kind: 'mysql', url, knex }, kills, seed, log: (line) => console.log(line) });
    const { violations, ...figures } = report;
    console.log(JSON.stringify(figures, null, 2));
    for (const violation of violations) console.log(`VIOLATION: ${violation}`);
    console.log(violations.length === 0 ? 'Every invariant held.' : `${violations.length} invariant violations.`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await knex.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2));
