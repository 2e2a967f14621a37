/**
 * The whole chain in one process: the reference host with this module loaded, on a test database,
 * and the Amazon sandbox on a loopback port, sharing one frozen clock that tests move by hand.
 */
import type { Knex } from 'knex';
import sinon from 'sinon';
import type { Container } from 'inversify';
import type { ClockPort } from '../../src/host/ports.ts';
import { Stores } from '../../src/stores/stores.ts';
import { AMAZON_CLIENT_TUNING, type AmazonClientTuning } from '../../src/stores/amazon-clients.ts';
import type { AmazonStore } from '../../src/stores/store.ts';
import { OrderSync, type StoreSyncResult } from '../../src/sync/order-sync.ts';
import { OrderRepository, type StoredOrder } from '../../src/orders/order-repository.ts';
import { SandboxClock, type RunningAmazonSandbox, type PlaceOrderInput } from '../../sandbox/amazon/index.ts';
import { applyShipment } from '../../sandbox/amazon/shipments.ts';
import { unshippedQuantity } from '../../sandbox/amazon/order-book.ts';
import type { Host } from '../../sandbox/host/host.ts';
import type { HostOrder } from '../../src/host/ports.ts';
import type { TestDatabase } from './databases.ts';
import { openTestHost, REPO_ROOT } from './host.ts';
import { startCheckedSandbox } from './checked-sandbox.ts';

export const START = '2026-11-26T10:00:00.000Z';

/** The module's and the host's order data, children first: each test starts from empty tables. */
const ORDER_DATA_TABLES = [
  'amazon_order_refetch', 'amazon_order_log', 'amazon_order_item', 'amazon_outbox', 'amazon_order', 'amazon_listing_match', 'amazon_sync_state',
  'amazon_order_settings', 'amazon_api_error', 'amazon_rate_bucket', 'amazon_store_authorization', 'amazon_notification', 'amazon_store_notifications', 'amazon_store',
  'host_order_comment', 'host_shipment_item', 'host_shipment', 'host_creditmemo_item', 'host_creditmemo', 'host_order_item', 'host_order',
  'host_customer', 'host_stock_reservation_item', 'host_stock_reservation', 'host_product',
];

export async function emptyOrderTables(knex: Knex): Promise<void> {
  for (const table of ORDER_DATA_TABLES) await knex(table).del();
}

/**
 * A fresh E2E for each test of the enclosing describe (integrated at 09:00, before START), handed
 * to `use`; after each test the sinon fakes are restored, the E2E closed and the tables emptied.
 */
export function eachTestE2E(db: () => TestDatabase, use: (e: E2E) => void | Promise<void>): void {
  let current: E2E | undefined;
  beforeEach(async () => {
    current = await startE2E(db(), { integratedAt: new Date('2026-11-26T09:00:00Z') });
    await use(current);
  });
  afterEach(async () => {
    sinon.restore();
    await current?.close();
    await emptyOrderTables(db().knex);
  });
}
export const MINUTE = 60_000;

export interface E2E {
  host: Host;
  amazon: RunningAmazonSandbox;
  clock: ClockPort;
  store: AmazonStore;
  stores: Stores;
  orders: OrderRepository;
  sync(): Promise<StoreSyncResult>;
  /** Moves the shared clock (Amazon's lifecycle runs with it). */
  advance(ms: number): void;
  place(input: Omit<PlaceOrderInput, 'sellerId'>): string;
  /** The seller ships every open unit in Seller Central (outside the host). */
  shipOnAmazon(amazonOrderId: string): void;
  product(sku: string, qty: number, options?: { enabled?: boolean; manageStock?: boolean; name?: string }): Promise<string>;
  stored(amazonOrderId: string): Promise<StoredOrder>;
  hostOrder(amazonOrderId: string): Promise<HostOrder | null>;
  close(): Promise<void>;
}

export async function startE2E(
  db: TestDatabase,
  /** `clientTuning` adds to (or replaces) the tuning below, e.g. a short `timeoutMs` for tests of timeouts. */
  options: { integratedAt?: Date; verificationDelayMs?: number; fbaShipDelayMs?: number; clientTuning?: AmazonClientTuning; bind?: (container: Container) => void } = {},
): Promise<E2E> {
  const sandboxClock = new SandboxClock({ start: START, speed: 0 });
  const amazon = await startCheckedSandbox({
    port: 0,
    clock: sandboxClock,
    verificationDelayMs: options.verificationDelayMs ?? 5 * MINUTE,
    fbaShipDelayMs: options.fbaShipDelayMs ?? 30 * MINUTE,
  });
  const clock: ClockPort = { now: () => new Date(sandboxClock.now()) };
  const { host } = await openTestHost(db, {
    modules: [{ directory: REPO_ROOT }],
    clock,
    // Amazon's faults are retried as in production, only without the seconds of back-off in between.
    bind: (container) => {
      container.bind<AmazonClientTuning>(AMAZON_CLIENT_TUNING).toConstantValue({ retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options.clientTuning });
      options.bind?.(container);
    },
  });
  const stores = host.container.get(Stores);
  const store = await stores.add({
    name: 'Sandbox US',
    region: 'na',
    marketplaceId: 'ATVPDKIKX0DER',
    sellerId: amazon.demoApp.sellerId,
    clientId: amazon.demoApp.clientId,
    clientSecret: amazon.demoApp.clientSecret,
    refreshToken: amazon.demoApp.refreshToken,
    spApiEndpoint: amazon.url,
    lwaEndpoint: amazon.lwaUrl,
    integratedAt: options.integratedAt ?? clock.now(),
  });
  const orders = host.container.get(OrderRepository);
  const sync = host.container.get(OrderSync);
  return {
    host,
    amazon,
    clock,
    store,
    stores,
    orders,
    async sync() {
      const [result] = await sync.run({ storeId: store.id });
      return result;
    },
    advance: (ms) => sandboxClock.advance(ms),
    place: (input) => amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, marketplaceId: 'ATVPDKIKX0DER', ...input }).orderId,
    shipOnAmazon(amazonOrderId) {
      const order = amazon.book.get(amazonOrderId);
      if (!order) throw new Error(`the sandbox has no order ${amazonOrderId}`);
      const items = order.items.map((i) => ({ orderItemId: i.orderItemId, quantity: unshippedQuantity(i) })).filter((i) => i.quantity > 0);
      const refusal = applyShipment(amazon.book, order, { packageReferenceId: '1', carrierCode: 'UPS', trackingNumber: '1Z999', shipTime: sandboxClock.now(), items, via: 'confirmShipment' }, sandboxClock.now());
      if (refusal) throw new Error(refusal.message);
    },
    async product(sku, qty, productOptions = {}) {
      const saved = await host.services.catalog.create({
        sku,
        name: productOptions.name ?? `Product ${sku}`,
        qty,
        enabled: productOptions.enabled ?? true,
        manageStock: productOptions.manageStock ?? true,
      });
      if (!saved.ok) throw new Error(saved.errors.map((e) => e.message).join('; '));
      return saved.id;
    },
    async stored(amazonOrderId) {
      const found = await orders.find(store.id, amazonOrderId);
      if (!found) throw new Error(`order ${amazonOrderId} is not stored`);
      return found;
    },
    hostOrder: (amazonOrderId) => host.services.orders.findByExternalReference('amazon', amazonOrderId),
    async close() {
      try {
        await amazon.close();
      } finally {
        await host.close();
      }
    },
  };
}
