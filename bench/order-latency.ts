/**
 * How soon an Amazon order becomes a host order: with real-time updates (ORDER_CHANGE through the
 * sandbox's SQS queue, read by the module's worker) against polling alone (the cron's sync every
 * 5 minutes, and Amazon's searchOrders seeing a change only once it is 2 minutes old), measured
 * in one run against the Amazon sandbox; and how many searchOrders calls a store makes in a day
 * with notifications on against polling alone.
 *
 *   npx tsx bench/order-latency.ts [--orders 30] [--database sqlite|mysql] [--smoke]
 *   (mysql uses BENCH_MYSQL_URL, default mysql://root@127.0.0.1:3306/test_bench, emptied first)
 *
 * Latency is from the instant Amazon changes the order (placed Unshipped: it can be imported at
 * once) to the host order's creation, both in Amazon's time. The notifications run in real time
 * (SQS and the worker are real); the polling run on a sandbox clock 120 times faster, the cron
 * ticking every 5 minutes of that clock (its syncs take real milliseconds: seconds in that time,
 * so polling is not made to look worse than it is). The day of searchOrders calls runs on a clock
 * moved 5 minutes per cron tick.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Container } from 'inversify';
import { DEMO_AWS, startAmazonSandbox, SandboxClock, type RunningAmazonSandbox } from '../sandbox/amazon/index.ts';
import { createHost, type Host } from '../sandbox/host/host.ts';
import type { ClockPort } from '../src/host/ports.ts';
import { NOTIFICATION_CONSUMER_TUNING, NotificationConsumer } from '../src/notifications/notification-consumer.ts';
import { RealtimeUpdates } from '../src/notifications/realtime-updates.ts';
import { fromDb } from '../src/db/time.ts';
import { Stores } from '../src/stores/stores.ts';
import type { AmazonStore } from '../src/stores/store.ts';
import { OrderSyncCron } from '../src/sync/sync-cron.ts';
import { BENCH_MYSQL_URL, databaseKind, emptyMysqlDatabase, machineText, percentile, REPO_ROOT, runMain, silentLogger, tempSqliteUrl, tempVarDir } from './support.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '30' }, database: { type: 'string', default: 'sqlite' }, smoke: { type: 'boolean', default: false } } });
const count = values.smoke ? 3 : Number(values.orders);
const MINUTE = 60_000;
const CRON_MS = 5 * MINUTE;
const POLLING_SPEED = 120;
const DAY_TICKS = values.smoke ? 12 : 288;
const SKU = 'MUG-BLUE-12OZ';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function openHost(clock: ClockPort | undefined, bind?: (container: Container) => void): Promise<Host> {
  const databaseUrl = databaseKind(values.database) === 'sqlite' ? tempSqliteUrl() : await emptyMysqlDatabase(new URL(BENCH_MYSQL_URL).pathname.slice(1));
  const host = await createHost({ databaseUrl, clock, logger: silentLogger, modules: [{ directory: REPO_ROOT }], secretKey: crypto.randomBytes(32), varDir: tempVarDir(), bind });
  await host.migrate();
  await host.services.catalog.create({ sku: SKU, name: SKU, qty: 1_000_000, enabled: true, manageStock: true });
  return host;
}

function addStore(host: Host, amazon: RunningAmazonSandbox, marketplaceId: string, integratedAt: Date): Promise<AmazonStore> {
  const app = amazon.demoApp;
  return host.container.get(Stores).add({
    name: `Bench ${marketplaceId}`, region: 'na', marketplaceId, sellerId: app.sellerId, clientId: app.clientId, clientSecret: app.clientSecret,
    refreshToken: app.refreshToken, spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl, integratedAt,
  });
}

async function turnOn(host: Host, amazon: RunningAmazonSandbox, store: AmazonStore): Promise<void> {
  const result = await host.container.get(RealtimeUpdates).enable(store.id, { queueUrl: amazon.demoQueue.url, region: amazon.sqsRegion, accessKeyId: DEMO_AWS.accessKeyId, secretAccessKey: DEMO_AWS.secretAccessKey });
  if (!result.ok) throw new Error(`real-time updates refused: ${JSON.stringify(result.errors)}`);
}

/** When each order's host order was created (host clock), once all are. */
async function hostOrderTimes(host: Host, orderIds: string[], tick: () => Promise<void>, what: string): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  const deadline = Date.now() + 5 * MINUTE;
  while (created.size < orderIds.length) {
    if (Date.now() > deadline) throw new Error(`${what}: only ${created.size} of ${orderIds.length} orders reached the host in 5 minutes`);
    const rows: Array<{ external_reference: string; created_at: unknown }> = await host.knex('host_order').whereIn('external_reference', orderIds).select('external_reference', 'created_at');
    for (const row of rows) created.set(row.external_reference, fromDb(row.created_at).getTime());
    await tick();
  }
  return created;
}

function latencyText(latencies: number[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;
  return `p50 ${s(percentile(latencies, 50))}, p95 ${s(percentile(latencies, 95))}, max ${s(Math.max(...latencies))}`;
}

/** Real time: the sandbox's clock and the host's are the machine's. */
async function withNotifications(): Promise<number[]> {
  const amazon = await startAmazonSandbox({ port: 0, sqsPort: 0, clock: { speed: 1 } });
  const host = await openHost(undefined, (container) => void container.bind(NOTIFICATION_CONSUMER_TUNING).toConstantValue({ refreshMs: 200 }));
  const controller = new AbortController();
  let consumer: Promise<void> | undefined;
  try {
    const store = await addStore(host, amazon, 'ATVPDKIKX0DER', new Date(Date.now() - MINUTE));
    await turnOn(host, amazon, store);
    consumer = host.container.get(NotificationConsumer).run({ signal: controller.signal });
    await sleep(500); // the worker finds the queue
    const placed = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const order = amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: SKU, qty: 1 }], status: 'UNSHIPPED' });
      placed.set(order.orderId, amazon.now().getTime());
      await sleep(200 + (i % 5) * 100);
    }
    const created = await hostOrderTimes(host, [...placed.keys()], () => sleep(20), 'notifications');
    return [...placed].map(([id, at]) => created.get(id)! - at);
  } finally {
    controller.abort();
    await consumer;
    await amazon.close();
    await host.close();
  }
}

/** Amazon's and the host's time 120 times faster than real time; the cron every 5 minutes of it. */
async function pollingAlone(): Promise<number[]> {
  const clock = new SandboxClock({ speed: POLLING_SPEED });
  const amazon = await startAmazonSandbox({ port: 0, sqsPort: 0, clock });
  const host = await openHost({ now: () => new Date(clock.now()) });
  try {
    await addStore(host, amazon, 'ATVPDKIKX0DER', new Date(clock.now() - MINUTE));
    const cron = host.container.get(OrderSyncCron);
    const signal = new AbortController().signal;
    let nextTick = clock.now() + CRON_MS;
    const tick = async () => {
      if (clock.now() >= nextTick) {
        nextTick += CRON_MS;
        await cron.run({ signal });
      }
      await sleep(20);
    };
    await cron.run({ signal }); // the store's first sync
    const placed = new Map<string, number>();
    // Spread over 30 minutes of Amazon's time (10 in the smoke run), so every phase of the cron's 5 minutes is hit.
    const spacing = ((values.smoke ? 10 : 30) * MINUTE) / count / POLLING_SPEED;
    for (let i = 0; i < count; i++) {
      const order = amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: SKU, qty: 1 }], status: 'UNSHIPPED' });
      placed.set(order.orderId, amazon.now().getTime());
      const until = Date.now() + spacing;
      while (Date.now() < until) await tick();
    }
    const created = await hostOrderTimes(host, [...placed.keys()], tick, 'polling');
    return [...placed].map(([id, at]) => created.get(id)! - at);
  } finally {
    await amazon.close();
    await host.close();
  }
}

/** One day of cron ticks for two stores of one seller, one with notifications on (and working), one without. */
async function searchOrdersPerDay(): Promise<{ notifications: number; polling: number }> {
  const clock = new SandboxClock({ start: '2026-11-26T00:00:00Z', speed: 0 });
  const amazon = await startAmazonSandbox({ port: 0, sqsPort: 0, clock });
  const host = await openHost({ now: () => new Date(clock.now()) });
  try {
    const realtime = await addStore(host, amazon, 'ATVPDKIKX0DER', new Date(clock.now()));
    await addStore(host, amazon, 'A2EUQ1WTGCTBG2', new Date(clock.now()));
    await turnOn(host, amazon, realtime);
    const cron = host.container.get(OrderSyncCron);
    const updates = host.container.get(RealtimeUpdates);
    const signal = new AbortController().signal;
    for (let i = 0; i < DAY_TICKS; i++) {
      clock.advance(CRON_MS);
      // What a consumer reading the queue records at each long poll (the clock jumps 5 minutes a tick here).
      await updates.recordReading([realtime.id]);
      await cron.run({ signal });
    }
    const calls = (marketplaceId: string) =>
      amazon.requests({ operation: 'searchOrders' }).filter((r) => r.query.marketplaceIds?.join(',') === marketplaceId).length;
    return { notifications: calls('ATVPDKIKX0DER'), polling: calls('A2EUQ1WTGCTBG2') };
  } finally {
    await amazon.close();
    await host.close();
  }
}

async function main(): Promise<void> {
  const machineHost = await openHost(undefined);
  const machine = await machineText(machineHost.knex);
  await machineHost.close();
  const notified = await withNotifications();
  const polled = await pollingAlone();
  const day = await searchOrdersPerDay();
  const hours = (DAY_TICKS * CRON_MS) / (60 * MINUTE);
  console.log(`machine: ${machine}`);
  console.log(`order latency, ${count} orders placed Unshipped, from Amazon's change to the host order (Amazon's time):`);
  console.log(`  with real-time updates (SQS, real time):               ${latencyText(notified)}`);
  console.log(`  polling alone (cron every 5 min, clock x${POLLING_SPEED}):        ${latencyText(polled)}`);
  console.log(`searchOrders calls of one store in ${hours} h: polling alone ${day.polling}, with real-time updates ${day.notifications} (${(day.notifications / day.polling).toFixed(2)} of polling)`);
}

runMain(main);
