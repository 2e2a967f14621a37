/**
 * Amazon API efficiency (issue 10, target 4): how many calls the sync spends against the Amazon
 * sandbox at Amazon's default usage plans (searchOrders 0.0056/s, burst 20), first draining a
 * backlog of orders a store already has when it is connected, then over a day of steady trickle
 * with the 5-minute cron.
 *
 *   npx tsx bench/api-efficiency.ts [--backlog 10000] [--hours 24] [--database sqlite|mysql] [--smoke]
 *   (mysql uses the database asc_bench_api on the server of BENCH_MYSQL_URL, emptied first)
 *
 * Everything is in the sandbox's time. The clock runs at real speed while a sync runs (the
 * module's rate limiter computes its waits from the host's Clock port but sleeps them in real
 * time, so only at speed 1 does it wait in the time Amazon's bucket counts), and jumps to the
 * next cron tick in between. The sync is run as the cron's amazon_order_sync runs it, every 5
 * minutes; a run the limiter would keep waiting more than 60 s stops 'partial', and the
 * every-minute cron (amazon_first_sync) goes on with it once its next token is due.
 *
 * Reported: drain time against the least time Amazon's bucket allows for the pages; searchOrders
 * calls per run and per 100 new or changed orders; calls beyond what the changes need (what the
 * 5-minute overlap's re-read orders would cost); getOrder calls; throttled (429) answers; and the
 * latency from an order becoming Unshipped at Amazon to its host order. Exits non-zero only when
 * an order is not imported, imported twice, or its last change at Amazon was not stored.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULT_RATE_LIMITS, SandboxClock, startAmazonSandbox } from '../sandbox/amazon/index.ts';
import { orderStatus, unshippedQuantity } from '../sandbox/amazon/order-book.ts';
import { SeededRandom } from '../sandbox/amazon/random.ts';
import { applyShipment } from '../sandbox/amazon/shipments.ts';
import { createHost } from '../sandbox/host/host.ts';
import { fromDb } from '../src/db/time.ts';
import { DEFAULT_MAX_RATE_LIMIT_WAIT_MS } from '../src/stores/amazon-clients.ts';
import { Stores } from '../src/stores/stores.ts';
import { OrderSync, type StoreSyncResult } from '../src/sync/order-sync.ts';
import { databaseKind, emptyMysqlDatabase, machineText, percentile, REPO_ROOT, runMain, silentLogger, tempSqliteUrl, tempVarDir } from './support.ts';

const { values } = parseArgs({
  options: { backlog: { type: 'string', default: '10000' }, hours: { type: 'string', default: '24' }, database: { type: 'string', default: 'sqlite' }, smoke: { type: 'boolean', default: false } },
});
const BACKLOG = values.smoke ? 300 : Number(values.backlog);
const HOURS = values.smoke ? 1 : Number(values.hours);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CRON_MS = 5 * MINUTE;
const ORDERS_PER_DAY = 300;
const SKUS = ['MUG-BLUE-12OZ', 'TEE-BLK-M'];
const SEARCH = DEFAULT_RATE_LIMITS.searchOrders;
const random = new SeededRandom(10);

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const duration = (ms: number) => `${Math.floor(ms / HOUR)} h ${String(Math.round((ms % HOUR) / MINUTE)).padStart(2, '0')} min (${fmt(ms / 1000)} s)`;
const minutes = (ms: number) => `${(ms / MINUTE).toFixed(1)} min`;

async function main(): Promise<void> {
  const clock = new SandboxClock({ start: '2026-11-26T10:00:00Z', speed: 0 });
  const amazon = await startAmazonSandbox({ port: 0, sqsPort: 0, clock });
  const databaseUrl = databaseKind(values.database) === 'sqlite' ? tempSqliteUrl() : await emptyMysqlDatabase('asc_bench_api');
  const host = await createHost({ databaseUrl, clock: { now: () => new Date(clock.now()) }, logger: silentLogger, modules: [{ directory: REPO_ROOT }], secretKey: crypto.randomBytes(32), varDir: tempVarDir() });
  const failures: string[] = [];
  try {
    await host.migrate();
    for (const sku of SKUS) await host.services.catalog.create({ sku, name: sku, qty: 10_000_000, enabled: true, manageStock: true });
    const app = amazon.demoApp;
    const place = (input: { status: 'PENDING' | 'UNSHIPPED'; createdTime?: string }) =>
      amazon.placeOrder({ sellerId: app.sellerId, items: [{ sku: random.pick(SKUS), qty: random.int(1, 3) }], ...input }).orderId;

    // The backlog: orders of the week before the store is connected, importable at once.
    const connectedAt = clock.now();
    const integratedAt = connectedAt - 7 * 24 * HOUR;
    for (let i = 0; i < BACKLOG; i++) {
      place({ status: 'UNSHIPPED', createdTime: new Date(integratedAt + MINUTE + Math.floor(((i + random.next()) / BACKLOG) * (connectedAt - integratedAt - 5 * MINUTE))).toISOString() });
    }
    const store = await host.container.get(Stores).add({
      name: 'Bench', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: app.sellerId, clientId: app.clientId, clientSecret: app.clientSecret,
      refreshToken: app.refreshToken, spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl, integratedAt: new Date(integratedAt),
    });

    const sync = host.container.get(OrderSync);
    let lastSeq = 0;
    let skippedTicks = 0;
    /**
     * One cron run at `tick`, the clock at real speed while it runs: the 5-minute sync, or (`due`)
     * the every-minute cron's, which goes on with a run the rate limit stopped once its token is
     * due. Its calls by operation as Amazon recorded them.
     */
    async function cronRun(tick: number, due = false): Promise<{ result: StoreSyncResult; calls: Map<string, number>; throttled: number; endedAt: number }> {
      if (tick > clock.now()) clock.set(tick);
      clock.setSpeed(1);
      const [result] = await (due ? sync.runDue() : sync.run({})).finally(() => clock.setSpeed(0));
      if (!result) throw new Error(`no store to sync at ${new Date(tick).toISOString()}${due ? ' (the every-minute cron found none due)' : ''}`);
      const recorded = amazon.requests({ sinceSeq: lastSeq });
      lastSeq = recorded.at(-1)?.seq ?? lastSeq;
      const requests = recorded.filter((r) => r.operation !== undefined);
      const calls = new Map<string, number>();
      for (const r of requests) calls.set(r.operation!, (calls.get(r.operation!) ?? 0) + 1);
      if (result.result === 'failed') failures.push(`a sync run failed: ${result.error}`);
      return { result, calls, throttled: requests.filter((r) => r.status === 429).length, endedAt: clock.now() };
    }
    /** The cron's next tick: a tick that comes while the previous run is still going is skipped, as the host's cron runner does. */
    function nextTick(tick: number): number {
      let next = tick + CRON_MS;
      while (next < clock.now()) {
        next += CRON_MS;
        skippedTicks += 1;
      }
      return next;
    }
    const hostOrderCount = async () => Number((await host.knex('host_order').count({ n: '*' }).first())?.n);

    // Phase 1: the first run when the store is connected (the first-sync cron), then every 5 minutes until all is imported.
    const drain = { runs: 0, partial: 0, searchOrders: 0, getOrder: 0, throttled: 0, waits: 0, waitMs: 0, endedAt: 0 };
    const phase1Real = performance.now();
    let tick = connectedAt;
    let resumeAt: number | null = null;
    for (;;) {
      // The every-minute cron's first tick at or after the time the last run's next token is due, if that comes before the 5-minute one.
      const minuteTick = resumeAt === null ? null : Math.ceil(Math.max(resumeAt, clock.now()) / MINUTE) * MINUTE;
      const byMinuteCron = minuteTick !== null && minuteTick < tick;
      const run = await cronRun(byMinuteCron ? minuteTick : tick, byMinuteCron);
      if (!byMinuteCron) tick = nextTick(tick);
      const { resume_at: resume } = await host.knex('amazon_sync_state').where({ store_id: store.id }).first('resume_at');
      resumeAt = resume === null ? null : fromDb(resume).getTime();
      drain.runs += 1;
      if (run.result.result === 'partial') drain.partial += 1;
      drain.searchOrders += run.calls.get('searchOrders') ?? 0;
      drain.getOrder += run.calls.get('getOrder') ?? 0;
      drain.throttled += run.throttled;
      if (run.result.rateLimitWaitMs > 0) drain.waits += 1;
      drain.waitMs += run.result.rateLimitWaitMs;
      drain.endedAt = run.endedAt;
      if ((await hostOrderCount()) >= BACKLOG) break;
      if (drain.runs > 10 * Math.ceil(BACKLOG / 100)) throw new Error(`the backlog is not drained after ${drain.runs} runs; the last: ${JSON.stringify(run.result)}`);
    }
    const phase1RealS = (performance.now() - phase1Real) / 1000;
    const pages = Math.ceil(BACKLOG / 100);
    const boundMs = (Math.max(0, pages - SEARCH.burst) / SEARCH.rate) * 1000;
    const drainMs = drain.endedAt - connectedAt;

    // Phase 2: a day of orders arriving (half Pending first, as Amazon verifies them 5 minutes later), some shipped in Seller Central, some canceled by the buyer.
    const dayStart = tick < clock.now() ? nextTick(tick) : tick;
    const dayEnd = dayStart + HOURS * HOUR;
    const lastEvent = dayEnd - 10 * MINUTE; // so the day's last runs see every change
    type Event = { at: number; kind: 'place' | 'ship' | 'cancel'; index: number };
    const events: Event[] = [];
    const placed: string[] = [];
    const gap = () => -Math.log(1 - random.next()) * ((24 * HOUR) / ORDERS_PER_DAY); // Poisson arrivals
    let arrivals = 0;
    for (let at = dayStart + gap(); at < lastEvent; at += gap()) {
      const index = arrivals++;
      events.push({ at, kind: 'place', index });
      const fate = random.next();
      const cancelAt = at + (10 + random.next() * 80) * MINUTE;
      const shipAt = at + (1 + random.next() * 9) * HOUR;
      if (fate < 0.05 && cancelAt < lastEvent) events.push({ at: cancelAt, kind: 'cancel', index });
      else if (fate < 0.65 && shipAt < lastEvent) events.push({ at: shipAt, kind: 'ship', index });
    }
    events.sort((a, b) => a.at - b.at);
    const changes = { placed: 0, pending: 0, shipped: 0, canceled: 0 };
    const apply = (event: Event) => {
      if (event.at > clock.now()) clock.set(Math.floor(event.at));
      if (event.kind === 'place') {
        const pending = random.next() < 0.5;
        placed[event.index] = place({ status: pending ? 'PENDING' : 'UNSHIPPED' });
        changes.placed += 1;
        if (pending) changes.pending += 1;
        return;
      }
      const id = placed[event.index]!;
      if (event.kind === 'cancel') {
        amazon.cancelOrder(id, { by: 'BUYER' });
        changes.canceled += 1;
        return;
      }
      const order = amazon.book.get(id)!;
      const items = order.items.map((item) => ({ orderItemId: item.orderItemId, quantity: unshippedQuantity(item) })).filter((item) => item.quantity > 0);
      const refusal = applyShipment(amazon.book, order, { packageReferenceId: '1', carrierCode: 'UPS', trackingNumber: `1Z${event.index}`, shipTime: clock.now(), items, via: 'confirmShipment' }, clock.now());
      if (refusal) throw new Error(refusal.message);
      changes.shipped += 1;
    };

    const day = { runs: 0, searchOrders: 0, getOrder: 0, otherCalls: 0, throttled: 0, newOrChanged: 0, unchanged: 0, extraCalls: 0, onlyUnchanged: 0, onlyUnchangedCalls: 0, empty: 0, maxCallsPerRun: 0 };
    let next = 0;
    for (tick = dayStart + CRON_MS; tick <= dayEnd; tick = nextTick(tick)) {
      while (next < events.length && events[next]!.at < tick) apply(events[next++]!);
      const run = await cronRun(tick);
      const searches = run.calls.get('searchOrders') ?? 0;
      const changed = run.result.new + run.result.updated;
      const unchanged = run.result.seen - changed;
      day.runs += 1;
      day.searchOrders += searches;
      day.getOrder += run.calls.get('getOrder') ?? 0;
      day.otherCalls += [...run.calls].filter(([operation]) => operation !== 'searchOrders' && operation !== 'getOrder').reduce((sum, [, n]) => sum + n, 0);
      day.throttled += run.throttled;
      day.newOrChanged += changed;
      day.unchanged += unchanged;
      // A run needs one call to learn what changed, and one page per 100 changes: anything more is the overlap's re-read orders.
      day.extraCalls += Math.max(0, searches - Math.max(1, Math.ceil(changed / 100)));
      day.maxCallsPerRun = Math.max(day.maxCallsPerRun, searches);
      if (changed === 0 && unchanged > 0) {
        day.onlyUnchanged += 1;
        day.onlyUnchangedCalls += searches;
      }
      if (run.result.seen === 0) day.empty += 1;
    }

    // The checks: every order at Amazon stored as it is now, imported once (unless canceled before it was imported).
    const stored = new Map<string, number>();
    for (const row of (await host.knex('amazon_order').where({ store_id: store.id }).select('amazon_order_id', 'amazon_updated_at')) as Array<{ amazon_order_id: string; amazon_updated_at: unknown }>) {
      stored.set(row.amazon_order_id, fromDb(row.amazon_updated_at).getTime());
    }
    const hostOrders = new Map<string, { count: number; createdAt: number }>();
    for (const row of (await host.knex('host_order').select('external_reference', 'created_at')) as Array<{ external_reference: string; created_at: unknown }>) {
      const seen = hostOrders.get(row.external_reference);
      hostOrders.set(row.external_reference, { count: (seen?.count ?? 0) + 1, createdAt: Math.min(seen?.createdAt ?? Infinity, fromDb(row.created_at).getTime()) });
    }
    const latencies: number[] = [];
    const dayIds = new Set(placed);
    for (const order of amazon.book.all()) {
      const status = orderStatus(order);
      const imported = hostOrders.get(order.orderId);
      if (stored.get(order.orderId) !== order.lastUpdatedTime) failures.push(`order ${order.orderId}: its last change at Amazon (${new Date(order.lastUpdatedTime).toISOString()}) is not stored`);
      if ((imported?.count ?? 0) > 1) failures.push(`order ${order.orderId} imported ${imported!.count} times`);
      if (!imported && status !== 'CANCELLED') failures.push(`order ${order.orderId} (${status}) is not imported`);
      if (imported && dayIds.has(order.orderId)) latencies.push(imported.createdAt - order.verifiedAt!);
    }

    const machine = await machineText(host.knex);
    const perHundred = (calls: number, orders: number) => (orders === 0 ? 'n/a' : ((calls / orders) * 100).toFixed(2));
    const callBound = (runs: number, orders: number) => runs + orders / 100;
    const dayBound = callBound(day.runs, day.newOrChanged);
    const ratio = drainMs / boundMs;
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const max = Math.max(...latencies);
    const yes = (met: boolean) => (met ? 'yes' : '**no**');
    console.log(`machine: ${machine}`);
    console.log(`Amazon's default plans (searchOrders ${SEARCH.rate}/s, burst ${SEARCH.burst}; getOrder ${DEFAULT_RATE_LIMITS.getOrder.rate}/s, burst ${DEFAULT_RATE_LIMITS.getOrder.burst}); sync every 5 min of sandbox time, rate-limit waits up to ${DEFAULT_MAX_RATE_LIMIT_WAIT_MS / 1000} s (the module's default)`);
    console.log('');
    console.log(`Phase 1, backlog: ${fmt(BACKLOG)} Unshipped orders of the last 7 days at Amazon when the store is connected`);
    console.log(`  drained (every order stored and imported) in ${duration(drainMs)} of sandbox time: ${drain.runs} cron runs, ${drain.partial} of them stopped 'partial' (the next token more than 60 s away), ${skippedTicks} ticks skipped`);
    console.log(`  searchOrders calls ${drain.searchOrders} (pages: ceil(${fmt(BACKLOG)} / 100) = ${pages}), getOrder ${drain.getOrder}, throttled answers (429) ${drain.throttled}`);
    console.log(`  token-bucket bound: max(0, pages - burst) / rate = max(0, ${pages} - ${SEARCH.burst}) / ${SEARCH.rate} = ${duration(boundMs)}`);
    console.log(`  drain / bound: ${boundMs === 0 ? 'n/a (the burst covers every page)' : ratio.toFixed(3)}`);
    console.log(`  the module waited for a token in ${drain.waits} runs, ${fmt(drain.waitMs / 1000)} s in all; the phase took ${fmt(phase1RealS)} s of real time`);
    console.log('');
    console.log(`Phase 2, ${HOURS} h of trickle: ${changes.placed} orders placed (${changes.pending} Pending first, Unshipped 5 min later), ${changes.shipped} shipped in Seller Central, ${changes.canceled} canceled by the buyer`);
    console.log(`  ${day.runs} cron runs: searchOrders calls ${day.searchOrders} (${(day.searchOrders / day.runs).toFixed(2)} a run, at most ${day.maxCallsPerRun}), getOrder ${day.getOrder}, other calls ${day.otherCalls}, throttled answers (429) ${day.throttled}`);
    console.log(`  new or changed orders the runs stored: ${day.newOrChanged}; searchOrders calls per 100 of them: ${perHundred(day.searchOrders, day.newOrChanged)} (target: 1 per 100 + 1 per run = ${perHundred(dayBound, day.newOrChanged)})`);
    console.log(`  orders the runs read again unchanged (the 5-minute overlap): ${day.unchanged}; runs whose pages carried only such orders: ${day.onlyUnchanged}, their calls ${day.onlyUnchangedCalls} (each the run's one call); runs that found nothing: ${day.empty}`);
    console.log(`  calls beyond one a run or one per 100 new or changed orders: ${day.extraCalls} searchOrders + ${day.getOrder} getOrder`);
    console.log(`  Unshipped at Amazon -> host order created (${latencies.length} orders): p50 ${minutes(p50)}, p95 ${minutes(p95)}, max ${minutes(max)} (cron interval 5 min; searchOrders sees an order once it is 2 min old, the sync asks up to now - 2 min 5 s)`);
    console.log('');
    console.log('| figure | measured | target | met |');
    console.log('|---|---:|---:|---|');
    console.log(`| backlog: searchOrders calls per 100 new orders | ${perHundred(drain.searchOrders, BACKLOG)} | <= ${perHundred(callBound(drain.runs, BACKLOG), BACKLOG)} (1 + 1 per run) | ${yes(drain.searchOrders <= callBound(drain.runs, BACKLOG))} |`);
    console.log(`| backlog: drain time / token-bucket bound | ${boundMs === 0 ? 'n/a' : ratio.toFixed(3)} | <= 1.02 | ${boundMs === 0 ? 'n/a' : yes(ratio <= 1.02)} |`);
    console.log(`| trickle: searchOrders calls per 100 new or changed orders | ${perHundred(day.searchOrders, day.newOrChanged)} | <= ${perHundred(dayBound, day.newOrChanged)} (1 + 1 per run) | ${yes(day.searchOrders <= dayBound)} |`);
    console.log(`| trickle: calls for unchanged orders (extra searchOrders pages + getOrder) | ${day.extraCalls + day.getOrder} | 0 | ${yes(day.extraCalls + day.getOrder === 0)} |`);
    console.log(`| throttled answers (429), both phases | ${drain.throttled + day.throttled} | 0 | ${yes(drain.throttled + day.throttled === 0)} |`);
    console.log(`| trickle: Unshipped -> host order, p50 / p95 / max | ${minutes(p50)} / ${minutes(p95)} / ${minutes(max)} | <= 5 min | ${yes(max <= CRON_MS)} |`);
  } finally {
    await amazon.close();
    await host.close();
  }
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.length} problem(s)\n${failures.slice(0, 20).map((f) => `  ${f}`).join('\n')}`);
    process.exit(1);
  }
}

runMain(main);
