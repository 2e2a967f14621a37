/**
 * The sample the grid benchmark copies: a few hundred Amazon orders placed in the sandbox and
 * taken through the module's own write path (sync, import, host shipments and cancels, the outbox
 * sender, Amazon's own changes), so every column of amazon_order and amazon_order_item is exactly
 * what the module writes. Each order follows a recipe; the bulk copies the recipes in realistic
 * proportions (RECIPES' `perMille`).
 */
import { applyShipment } from '../sandbox/amazon/shipments.ts';
import { unshippedQuantity } from '../sandbox/amazon/order-book.ts';
import { DEMO_CATALOG, type PlaceOrderInput, type RunningAmazonSandbox, type SandboxClock } from '../sandbox/amazon/index.ts';
import type { Host } from '../sandbox/host/host.ts';
import { OutboxSender } from '../src/fulfillment/outbox-sender.ts';
import type { AmazonStore } from '../src/stores/store.ts';
import { OrderSync } from '../src/sync/order-sync.ts';
import { BUYER_NAMES } from './grid-pools.ts';

export const MINUTE = 60_000;

export type Recipe =
  | 'shipped in host'
  | 'shipped on Amazon'
  | 'FBA'
  | 'unshipped'
  | 'partially shipped'
  | 'pending'
  | 'pre-order'
  | 'canceled before import'
  | 'canceled after import'
  | 'blocked'
  | 'error';

/**
 * Share of the bulk per recipe (per mille, 1000 in all): most orders are done, a few percent are
 * still to ship, about 1% blocked and 0.5% in Error. `recent` orders are placed in the last three
 * days (an order is not Pending for a year); the others spread over two years.
 */
export const RECIPES: ReadonlyArray<{ recipe: Recipe; perMille: number; recent: boolean }> = [
  { recipe: 'shipped in host', perMille: 705, recent: false },
  { recipe: 'shipped on Amazon', perMille: 80, recent: false },
  { recipe: 'FBA', perMille: 120, recent: false },
  { recipe: 'unshipped', perMille: 30, recent: true },
  { recipe: 'partially shipped', perMille: 5, recent: true },
  { recipe: 'pending', perMille: 15, recent: true },
  { recipe: 'pre-order', perMille: 3, recent: true },
  { recipe: 'canceled before import', perMille: 20, recent: false },
  { recipe: 'canceled after import', perMille: 7, recent: false },
  { recipe: 'blocked', perMille: 10, recent: false },
  { recipe: 'error', perMille: 5, recent: false },
];

export interface SampleOrder {
  amazonOrderId: string;
  recipe: Recipe;
}

const PLACED_FIRST = new Set<Recipe>(['shipped in host', 'shipped on Amazon', 'FBA', 'unshipped', 'partially shipped', 'canceled after import', 'blocked', 'error']);
const SERVICE_LEVELS = ['STANDARD', 'STANDARD', 'EXPEDITED', 'NEXT_DAY', 'SECOND_DAY', 'FREE_ECONOMY'] as const;

/** The host products the sample sells (a blocked order asks for a SKU the catalog lacks). */
export async function createCatalog(host: Host): Promise<void> {
  for (const listing of DEMO_CATALOG) {
    const saved = await host.services.catalog.create({ sku: listing.sku, name: listing.title, qty: 10_000_000, enabled: true, manageStock: true });
    if (!saved.ok) throw new Error(saved.errors.map((e) => e.message).join('; '));
  }
}

function orderInput(recipe: Recipe, i: number, sellerId: string, now: number): PlaceOrderInput {
  // 1-5 lines of 1-3 units; a partial shipment needs two lines at least.
  const lineCount = recipe === 'partially shipped' ? 2 + (i % 4) : 1 + (i % 5);
  const items = Array.from({ length: lineCount }, (_, line) => {
    const listing = DEMO_CATALOG[(i + line) % DEMO_CATALOG.length]!;
    return { sku: listing.sku, qty: 1 + ((i + line) % 3), ...(line === 0 && i % 7 === 0 ? { discount: '2.00' } : {}), ...(line === 1 && i % 11 === 0 ? { giftWrap: '3.99' } : {}) };
  });
  if (recipe === 'blocked') items[0] = { sku: `UNLISTED-${i % 13}`, qty: 1 };
  const status = recipe === 'pending' || recipe === 'canceled before import' ? 'PENDING' : recipe === 'pre-order' ? 'PENDING_AVAILABILITY' : 'UNSHIPPED';
  return {
    sellerId,
    marketplaceId: 'ATVPDKIKX0DER',
    items,
    fulfilledBy: recipe === 'FBA' ? 'AMAZON' : 'MERCHANT',
    buyerName: BUYER_NAMES[(i * 37) % BUYER_NAMES.length]!,
    status,
    createdTime: new Date(now - (i % 60) * 1000).toISOString(),
    serviceLevel: SERVICE_LEVELS[i % SERVICE_LEVELS.length],
    prime: i % 4 === 0,
  };
}

/**
 * Places `size` orders (the recipes in turn) and takes them where their recipe says, syncing as
 * the cron would. Leaves the clock a little later than it found it.
 */
export async function writeSample(host: Host, amazon: RunningAmazonSandbox, clock: SandboxClock, store: AmazonStore, size: number): Promise<SampleOrder[]> {
  // The sync asks Amazon for changes up to a little over 2 minutes ago: moving on 3 minutes lets it see them.
  const sync = async () => {
    clock.advance(3 * MINUTE);
    const [result] = await host.container.get(OrderSync).run({ storeId: store.id });
    if (result?.result !== 'ok') throw new Error(`the sample's sync failed: ${JSON.stringify(result)}`);
  };
  const hostOrder = async (amazonOrderId: string) => {
    const order = await host.services.orders.findByExternalReference('amazon', amazonOrderId);
    if (!order) throw new Error(`sample order ${amazonOrderId} (${recipeOf.get(amazonOrderId)}) has no host order`);
    const details = await host.services.orderQueries.details(order.id);
    if (!details) throw new Error(`host order ${order.id} is gone`);
    return details;
  };
  const shipInHost = async (amazonOrderId: string, onlyFirstLine: boolean) => {
    const order = await hostOrder(amazonOrderId);
    const lines = order.lines.filter((l) => l.qtyToShip > 0).slice(0, onlyFirstLine ? 1 : undefined);
    const shipped = await host.services.workflow.ship(order.id, {
      lines: lines.map((l) => ({ itemId: Number(l.id), qty: l.qtyToShip })),
      carrierCode: 'ups',
      carrierTitle: '',
      trackingNumber: `1Z999AA1${String(order.id).padStart(10, '0')}`,
    });
    if (!shipped.ok) throw new Error(`shipping ${amazonOrderId}: ${JSON.stringify(shipped)}`);
  };
  // What the seller does in Seller Central, outside the host.
  const shipOnAmazon = (amazonOrderId: string) => {
    const order = amazon.book.get(amazonOrderId)!;
    const items = order.items.map((item) => ({ orderItemId: item.orderItemId, quantity: unshippedQuantity(item) })).filter((item) => item.quantity > 0);
    const refusal = applyShipment(amazon.book, order, { packageReferenceId: '1', carrierCode: 'UPS', trackingNumber: '1Z999', shipTime: clock.now(), items, via: 'confirmShipment' }, clock.now());
    if (refusal) throw new Error(refusal.message);
  };

  const recipes = Array.from({ length: size }, (_, i) => RECIPES[i % RECIPES.length]!.recipe);
  const recipeOf = new Map<string, Recipe>();
  const place = (recipe: Recipe, i: number) => recipeOf.set(amazon.placeOrder(orderInput(recipe, i, store.sellerId, clock.now())).orderId, recipe);
  const ordersOf = (...wanted: Recipe[]) => [...recipeOf].filter(([, recipe]) => wanted.includes(recipe)).map(([id]) => id);

  recipes.forEach((recipe, i) => PLACED_FIRST.has(recipe) && place(recipe, i));
  await sync();
  for (const id of ordersOf('shipped in host', 'error')) await shipInHost(id, false);
  for (const id of ordersOf('partially shipped')) await shipInHost(id, true);
  // Amazon cancels an order the host already shipped (its confirmation not sent yet): the module cannot follow, the order goes to Error.
  for (const id of ordersOf('error', 'canceled after import')) amazon.cancelOrder(id, { by: 'BUYER' });
  for (const id of ordersOf('shipped on Amazon')) shipOnAmazon(id);
  await host.container.get(OutboxSender).run({ storeId: store.id, now: true });
  // Amazon ships its own (FBA) orders half an hour after they became Unshipped.
  clock.advance(31 * MINUTE);
  await sync();

  recipes.forEach((recipe, i) => !PLACED_FIRST.has(recipe) && place(recipe, i));
  for (const id of ordersOf('canceled before import')) amazon.cancelOrder(id, { by: 'BUYER' });
  // Synced before Amazon verifies them (5 minutes after they were placed): they stay Pending.
  await sync();
  return [...recipeOf].map(([amazonOrderId, recipe]) => ({ amazonOrderId, recipe }));
}
