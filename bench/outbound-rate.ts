/**
 * Outbound rate (issue 10, target 6): how close the module's shipment confirmations come to
 * Amazon's confirmShipment limit (2/s, burst 10, the sandbox's default), and that none is throttled
 * or confirmed twice. N merchant-fulfilled Unshipped orders are imported from the sandbox (its
 * searchOrders limit lifted for this setup), each gets a host shipment through the host's Orders
 * workflow (as a merchant ships), then the cron job `amazon_fulfillment_send` sends them.
 *
 *   npx tsx bench/outbound-rate.ts [--shipments 1000] [--database sqlite|mysql] [--smoke]
 *   (mysql uses the database asc_bench_outbound on BENCH_MYSQL_URL's server, dropped and made again)
 *
 * Real time, on purpose (1,000 confirmations take about 8 minutes): the sandbox's buckets refill in
 * sandbox time, the module's limiter reserves tokens in the host clock's time but sleeps with real
 * timers, so on a faster sandbox clock it would wait longer than it needs (in sandbox time) and
 * the ratio would mean nothing. Here the host clock is the sandbox clock at speed 1, moved ahead
 * only before the sending (Amazon's two-minute rule for the import), and every time is the
 * sandbox's. Allowed over the sending's elapsed e: at most burst + rate * e calls (the bucket full
 * at the start), so allowed rate = (10 + 2e) / e and achieved / allowed = N / (10 + 2e).
 * Throttled: the sandbox's 429 count, and the 429s the module logged. Exit 1 when a shipment is
 * not confirmed at Amazon exactly once; times are reported, never checked.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { startAmazonSandbox, SandboxClock } from '../sandbox/amazon/index.ts';
import { linesFor } from '../sandbox/host/cli/order-commands.ts';
import { createHost } from '../sandbox/host/host.ts';
import type { LoggerPort } from '../src/host/ports.ts';
import { OutboxSendCron } from '../src/fulfillment/outbox-cron.ts';
import { Outbox } from '../src/fulfillment/outbox.ts';
import { Stores } from '../src/stores/stores.ts';
import { OrderSync } from '../src/sync/order-sync.ts';
import { databaseKind, emptyMysqlDatabase, machineText, REPO_ROOT, runMain, tempSqliteUrl, tempVarDir } from './support.ts';

const { values } = parseArgs({ options: { shipments: { type: 'string', default: '1000' }, database: { type: 'string', default: 'sqlite' }, smoke: { type: 'boolean', default: false } } });
const count = values.smoke ? 20 : Number(values.shipments);
const LIMIT = { rate: 2, burst: 10 };
const MINUTE = 60_000;
const SKUS = ['MUG-BLUE-12OZ', 'TEE-BLK-M'];

/** Silent, but counts what the module says of confirmShipment: throttled answers and rate-limit waits. */
const moduleSaw = { throttled: 0, waits: 0 };
const countingLogger: LoggerPort = {
  debug() {},
  info(message, context) {
    if (context?.operation === 'confirmShipment' && message === "Waiting for Amazon's rate limit") moduleSaw.waits += 1;
  },
  warn(_message, context) {
    if (context?.operation === 'confirmShipment' && context.status === 429) moduleSaw.throttled += 1;
  },
  error(_message, context) {
    if (context?.operation === 'confirmShipment' && context.status === 429) moduleSaw.throttled += 1;
  },
};

async function main(): Promise<void> {
  const kind = databaseKind(values.database);
  const clock = new SandboxClock({ start: '2026-11-26T10:00:00Z', speed: 1 });
  const amazon = await startAmazonSandbox({ port: 0, clock, rateLimits: { searchOrders: { rate: 1000, burst: 1000 } } });
  const host = await createHost({
    databaseUrl: kind === 'sqlite' ? tempSqliteUrl() : await emptyMysqlDatabase('asc_bench_outbound'),
    clock: { now: () => new Date(clock.now()) },
    logger: countingLogger,
    modules: [{ directory: REPO_ROOT }],
    secretKey: crypto.randomBytes(32),
    varDir: tempVarDir(),
  });
  try {
    await host.migrate();
    for (const sku of SKUS) await host.services.catalog.create({ sku, name: sku, qty: 1_000_000, enabled: true, manageStock: true });
    const app = amazon.demoApp;
    const store = await host.container.get(Stores).add({
      name: 'Bench', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: app.sellerId, clientId: app.clientId, clientSecret: app.clientSecret,
      refreshToken: app.refreshToken, spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl, integratedAt: new Date(clock.now() - MINUTE),
    });
    const orderIds: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const items = i % 3 === 0 ? [{ sku: SKUS[0]!, qty: 1 }, { sku: SKUS[1]!, qty: 2 }] : [{ sku: SKUS[i % 2]!, qty: 1 + (i % 2) }];
      orderIds.push(amazon.placeOrder({ sellerId: app.sellerId, items, status: 'UNSHIPPED' }).orderId);
    }
    clock.advance(5 * MINUTE);
    const [synced] = await host.container.get(OrderSync).run({ storeId: store.id });
    if (synced?.result !== 'ok' || synced.imported !== count) throw new Error(`the sync did not import everything: ${JSON.stringify(synced)}`);

    // Every order shipped in full, as the admin's Ship form does.
    const hostOrders: Array<{ id: unknown; external_reference: string }> = await host.knex('host_order').whereIn('external_reference', orderIds).select('id', 'external_reference');
    for (const row of hostOrders) {
      const order = (await host.services.orderQueries.details(String(row.id)))!;
      const shipped = await host.services.workflow.ship(order.id, { lines: linesFor(order, undefined, (l) => l.qtyToShip), carrierCode: 'ups', carrierTitle: '', trackingNumber: `1Z999AA1${String(row.id).padStart(10, '0')}` });
      if (!shipped.ok) throw new Error(`shipping ${row.external_reference} was refused: ${shipped.message}`);
    }
    const outbox = host.container.get(Outbox);
    if ((await outbox.pendingCount(store.id)) !== count) throw new Error(`expected ${count} pending outbox entries, found ${await outbox.pendingCount(store.id)}`);

    // The cron job's runs, one a minute as the cron starts them, until nothing is pending.
    const cron = host.container.get(OutboxSendCron);
    const signal = new AbortController().signal;
    const started = clock.now();
    let runs = 0;
    for (;;) {
      runs += 1;
      await cron.run({ signal });
      if ((await outbox.pendingCount(store.id)) === 0 || runs >= 30) break;
      await new Promise((resolve) => setTimeout(resolve, MINUTE - (clock.now() % MINUTE)));
    }
    const elapsedS = (clock.now() - started) / 1000;

    // At Amazon: each order shipped, with exactly one package, the one its outbox entry names.
    const entries = new Map((await outbox.list(store.id, count + 1)).map((entry) => [entry.amazonOrderId, entry]));
    const applied = new Map<string, number>();
    for (const request of amazon.requests({ operation: 'confirmShipment' }).filter((r) => r.status === 204)) {
      const id = decodeURIComponent(request.path.split('/')[4]!);
      applied.set(id, (applied.get(id) ?? 0) + 1);
    }
    const wrong = orderIds.filter((id) => {
      const order = amazon.getOrder(id)!;
      return order.status !== 'SHIPPED' || order.packages.length !== 1 || order.packages[0]!.packageReferenceId !== String(entries.get(id)?.id) || applied.get(id) !== 1 || entries.get(id)?.state !== 'done';
    });
    const calls = amazon.requests({ operation: 'confirmShipment' }).length;
    const confirmed = orderIds.length - wrong.length;
    const allowed = (LIMIT.burst + LIMIT.rate * elapsedS) / elapsedS;

    console.log(`machine: ${await machineText(host.knex)}`);
    console.log(`outbound: ${count} host shipments sent with confirmShipment at Amazon's default limit (${LIMIT.rate}/s, burst ${LIMIT.burst}), real time, ${runs} cron run(s)`);
    console.log(`  confirmed at Amazon exactly once: ${confirmed} of ${count} (${calls} confirmShipment calls)`);
    console.log(`  elapsed (sandbox time, the sending):  ${elapsedS.toFixed(1)} s`);
    console.log(`  achieved rate:                        ${(confirmed / elapsedS).toFixed(3)} /s`);
    console.log(`  allowed rate over that time:          ${allowed.toFixed(3)} /s  ((${LIMIT.burst} + ${LIMIT.rate} x elapsed) / elapsed)`);
    console.log(`  achieved / allowed:                   ${(confirmed / elapsedS / allowed).toFixed(3)}`);
    console.log(`  throttled (429): sandbox ${amazon.throttledCounts().confirmShipment ?? 0}, module logged ${moduleSaw.throttled}; the module waited for a token ${moduleSaw.waits} time(s)`);
    if (wrong.length > 0) {
      console.error(`not confirmed exactly once: ${wrong.length}, e.g. ${wrong.slice(0, 5).map((id) => `${id} (${amazon.getOrder(id)!.packages.length} package(s), ${applied.get(id) ?? 0} accepted call(s))`).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await amazon.close();
    await host.close();
  }
}

runMain(main);
