/**
 * The Amazon sandbox in a process of its own, holding `--orders N` Unshipped orders of 1 to 5
 * items (SKUs BENCH-SKU-00..19) with searchOrders' limit lifted: a benchmark that measures the
 * module's CPU must not count Amazon's. Prints one JSON line (the URLs and the demo app), then
 * serves until its parent closes stdin.
 *
 *   npx tsx bench/amazon-process.ts --orders 50000
 */
import { parseArgs } from 'node:util';
import { startAmazonSandbox, SandboxClock } from '../sandbox/amazon/index.ts';

export const BENCH_SKUS = Array.from({ length: 20 }, (_, i) => `BENCH-SKU-${String(i).padStart(2, '0')}`);
/** The sandbox's time when it starts (its clock is frozen: only the five minutes below pass). */
export const AMAZON_START = '2026-11-26T10:00:00Z';

/** The items of order `i`: 1 to 5 lines, the same for every run. */
export function benchItems(i: number): Array<{ sku: string; qty: number }> {
  return Array.from({ length: 1 + (i % 5) }, (_, line) => ({ sku: BENCH_SKUS[(i * 7 + line * 3) % BENCH_SKUS.length]!, qty: 1 + ((i + line) % 3) }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { orders: { type: 'string', default: '500' } } });
  const clock = new SandboxClock({ start: AMAZON_START, speed: 0 });
  const amazon = await startAmazonSandbox({ port: 0, clock, seed: false, rateLimits: { searchOrders: { rate: 1000, burst: 1000 } } });
  const app = amazon.demoApp;
  for (let i = 0; i < Number(values.orders); i += 1) {
    amazon.placeOrder({ sellerId: app.sellerId, items: benchItems(i), status: 'UNSHIPPED', buyerName: `Buyer ${i}` });
  }
  // Amazon answers a window only once it ended two minutes ago.
  clock.advance(5 * 60_000);
  process.stdout.write(`${JSON.stringify({ url: amazon.url, lwaUrl: amazon.lwaUrl, app })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void amazon.close().then(() => process.exit(0)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
