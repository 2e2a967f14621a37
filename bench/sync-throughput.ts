/**
 * Import throughput: how long one `sync` takes to fetch, store and import N Amazon orders from the
 * sandbox, against a baseline measured in the same run on the same database: the host creating
 * the same N orders directly through its OrdersPort (what any import must pay at least).
 *
 *   npx tsx bench/sync-throughput.ts [--orders 500] [--database sqlite|mysql]
 *   (mysql uses BENCH_MYSQL_URL, default mysql://root@127.0.0.1:3306/test_bench, emptied first)
 *
 * Prints the machine, both timings, orders per second, the module's overhead factor and the peak
 * heap. Amazon's own rate limit is lifted in the sandbox: this measures the module, not the plan
 * (at Amazon's default plan a backlog drains at 100 orders per 180 s whatever the module does).
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { startAmazonSandbox, SandboxClock } from '../sandbox/amazon/index.ts';
import { createHost } from '../sandbox/host/host.ts';
import { Stores } from '../src/stores/stores.ts';
import { OrderSync } from '../src/sync/order-sync.ts';
import type { CreateOrderRequest } from '../src/host/ports.ts';
import { BENCH_MYSQL_URL, databaseKind, emptyMysqlDatabase, machineText, REPO_ROOT, runMain, silentLogger, tempSqliteUrl, tempVarDir } from './support.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '500' }, database: { type: 'string', default: 'sqlite' } } });
const count = Number(values.orders);
const MINUTE = 60_000;

async function freshDatabaseUrl(kind: string): Promise<string> {
  return databaseKind(kind) === 'sqlite' ? tempSqliteUrl() : emptyMysqlDatabase(new URL(BENCH_MYSQL_URL).pathname.slice(1));
}

async function main(): Promise<void> {
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  const clock = new SandboxClock({ start: '2026-11-26T10:00:00Z', speed: 0 });
  const amazon = await startAmazonSandbox({ port: 0, clock, rateLimits: { searchOrders: { rate: 1000, burst: 1000 } } });
  const host = await createHost({
    databaseUrl: await freshDatabaseUrl(values.database!),
    clock: { now: () => new Date(clock.now()) },
    logger: silentLogger,
    modules: [{ directory: REPO_ROOT }],
    secretKey: crypto.randomBytes(32),
    varDir: tempVarDir(),
  });
  await host.migrate();
  for (const sku of ['MUG-BLUE-12OZ', 'TEE-BLK-M']) {
    await host.services.catalog.create({ sku, name: sku, qty: 1_000_000, enabled: true, manageStock: true });
  }
  const app = amazon.demoApp;
  const store = await host.container.get(Stores).add({
    name: 'Bench', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: app.sellerId, clientId: app.clientId, clientSecret: app.clientSecret,
    refreshToken: app.refreshToken, spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl, integratedAt: new Date(clock.now() - MINUTE),
  });
  for (let i = 0; i < count; i += 1) {
    amazon.placeOrder({ sellerId: app.sellerId, items: [{ sku: i % 2 ? 'MUG-BLUE-12OZ' : 'TEE-BLK-M', qty: 1 + (i % 3) }], status: 'UNSHIPPED' });
  }
  clock.advance(5 * MINUTE);

  const syncStart = performance.now();
  const [result] = await host.container.get(OrderSync).run({ storeId: store.id });
  const syncMs = performance.now() - syncStart;
  if (result.result !== 'ok' || result.imported !== count) throw new Error(`sync did not import everything: ${JSON.stringify(result)}`);

  // Baseline: the host creating the same orders itself, one by one, as the importer does.
  const baselineStart = performance.now();
  for (let i = 0; i < count; i += 1) {
    const product = (await host.services.catalog.findBySku('TEE-BLK-M'))!;
    const request: CreateOrderRequest = {
      idempotencyKey: `bench-${i}`, externalReference: `bench-${i}`, channel: 'bench', storeView: null, orderNumber: null, state: 'processing', status: null,
      customer: { mode: 'guest', email: 'bench@example.com', firstName: 'Bench', lastName: 'Buyer' },
      shippingAddress: { firstName: 'Bench', lastName: 'Buyer', street: ['1 Main St'], city: 'Seattle', region: 'WA', postalCode: '98101', countryCode: 'US', phone: '555' },
      currencyCode: 'USD', lines: [{ productId: product.id, sku: product.sku, name: product.name, qty: 1, unitPrice: '19.99', taxAmount: '1.60', discountAmount: '0' }],
      shippingAmount: '4.99', shippingTaxAmount: '0', shippingDiscountAmount: '0', grandTotal: '26.58', shippingMethod: 'x', paymentMethod: 'x',
      deductStock: true, reservationKey: null, notifyCustomer: false,
    };
    const created = await host.services.orders.create(request);
    if (!created.ok) throw new Error(created.rejection.message);
  }
  const baselineMs = performance.now() - baselineStart;
  clearInterval(sampler);

  console.log(`machine: ${await machineText(host.knex)}`);
  console.log(`sync of ${count} orders (fetch + store + import): ${syncMs.toFixed(0)} ms, ${((count / syncMs) * 1000).toFixed(0)} orders/s, ${result.apiCalls} API calls`);
  console.log(`baseline, host creating ${count} orders directly:  ${baselineMs.toFixed(0)} ms, ${((count / baselineMs) * 1000).toFixed(0)} orders/s`);
  console.log(`module overhead: ${(syncMs / baselineMs).toFixed(2)}x the host's own order creation; peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
  await amazon.close();
  await host.close();
}

runMain(main);
