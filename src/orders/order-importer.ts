/**
 * Turns stored Amazon orders into host orders, exactly once, from stored data only (no Amazon
 * calls): creations for ready and blocked orders, stock reservations for Pending orders, and the
 * host side of later Amazon changes (canceled, shipped outside the host).
 *
 * Exactly once rests on two things: the store lease (one runner per store at a time) and the
 * host's idempotency key. A crash after the host created the order but before it was recorded
 * here is repaired on the next attempt: the host answers with the order it already has.
 */
import { inject, injectable } from 'inversify';
import { Ports } from '../host/tokens.ts';
import type { CatalogPort, ClockPort, HostProduct, LoggerPort, OrdersPort, StockPort } from '../host/ports.ts';
import type { AmazonStore } from '../stores/store.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import { snapshotFromAmazon } from './from-amazon.ts';
import { buildHostOrderRequest, reservationKeyFor } from './host-order-request.ts';
import { OrderDataError, type OrderSnapshot } from './order-snapshot.ts';
import { OrderRepository, type StoredOrder } from './order-repository.ts';
import { blockerNote, findBlocker, importDecision, quantitiesBySku, shouldReserve, type Blocker, type ResolvedLine } from './rules.ts';

const HEARTBEAT_EVERY = 25;

export type ImportOutcome = 'imported' | 'blocked' | 'skipped';

export interface ImportRunStats {
  imported: number;
  blocked: number;
}

@injectable()
export class OrderImporter {
  constructor(
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Ports.Catalog) private readonly catalog: CatalogPort,
    @inject(Ports.Stock) private readonly stock: StockPort,
    @inject(Ports.Orders) private readonly hostOrders: OrdersPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {}

  /**
   * Everything the store's stored orders still need from the host, in a safe order, counted into
   * `stats` as it goes (so a run stopped halfway still reports what it did). `heartbeat` is called
   * every few orders so a long backlog keeps the caller's lease alive (it throws to stop).
   */
  async processStore(
    store: AmazonStore,
    settings: OrderSettings,
    stats: ImportRunStats = { imported: 0, blocked: 0 },
    heartbeat: () => Promise<void> = async () => undefined,
  ): Promise<ImportRunStats> {
    // Read once per run: every order of the store resolves its SKUs through the same matches.
    const matches = await this.orders.listingMatches(store.id);
    await this.syncReservations(store, settings, matches);
    const awaiting = await this.orders.awaitingCreation(store.id);
    for (const [index, order] of awaiting.entries()) {
      if (index > 0 && index % HEARTBEAT_EVERY === 0) await heartbeat();
      const outcome = await this.importOrder(store, settings, order, matches);
      if (outcome === 'imported') stats.imported += 1;
      if (outcome === 'blocked') stats.blocked += 1;
    }
    for (const order of await this.orders.awaitingHostAction(store.id)) await this.applyHostAction(order);
    return stats;
  }

  /** Tries to create the host order for one stored order now. */
  async importOrder(store: AmazonStore, settings: OrderSettings, order: StoredOrder, matches?: ReadonlyMap<string, string>): Promise<ImportOutcome> {
    if (order.importState !== 'ready' && order.importState !== 'blocked') return 'skipped';
    let snapshot: OrderSnapshot;
    try {
      snapshot = snapshotFromAmazon(order.raw, store.marketplaceId);
    } catch (error) {
      return this.block(order, { reason: 'amazon_data', note: blockerNote((error as Error).message) });
    }
    const decision = importDecision(snapshot, settings, store.integratedAt);
    if (decision !== 'import') {
      // Settings changed since the order was stored (e.g. import switched off): stop trying.
      const state = decision === 'hidden' ? 'not_eligible' : decision;
      await this.orders.update(order.id, { import_state: state, block_reason: null });
      return 'skipped';
    }

    const skuMatches = matches ?? (await this.orders.listingMatches(store.id));
    const products = new Map<string, HostProduct>();
    const lines: ResolvedLine[] = [];
    for (const [sellerSku, quantity] of quantitiesBySku(snapshot)) {
      const product = await this.catalog.findBySku(skuMatches.get(sellerSku) ?? sellerSku);
      if (product) products.set(sellerSku, product);
      let salable = product && product.manageStock ? await this.stock.salableQty(product.sku) : null;
      // Units this order holds in a reservation are its own to take.
      if (salable !== null && order.stockReserved) salable += quantity;
      lines.push({ sellerSku, product, quantity, salable });
    }
    const blocker = findBlocker(lines, snapshot.fulfilledBy, snapshot.items.some((item) => item.sellerSku === null));
    if (blocker) return this.block(order, blocker);

    let request;
    try {
      request = buildHostOrderRequest({ order: snapshot, settings, products, reserved: order.stockReserved });
    } catch (error) {
      if (error instanceof OrderDataError) return this.block(order, { reason: 'amazon_data', note: blockerNote(error.message) });
      throw error;
    }
    const result = await this.hostOrders.create(request);
    if (!result.ok) {
      const field = result.rejection.field ? ` (${result.rejection.field})` : '';
      return this.block(order, { reason: 'host_rejected', note: blockerNote(`${result.rejection.message}${field}`) });
    }

    const { order: hostOrder, created } = result;
    // Shipped in Seller Central before it could import: the host order is complete already.
    const shippedOutside = snapshot.fulfilledBy === 'MERCHANT' && snapshot.status === 'SHIPPED';
    await this.orders.update(order.id, {
      import_state: 'imported',
      block_reason: null,
      note: `Imported as order #${hostOrder.number}`,
      host_order_id: hostOrder.id,
      host_order_number: hostOrder.number,
      imported_at: this.clock.now(),
      stock_reserved: false,
      host_action: shippedOutside ? 'complete' : null,
    });
    await this.orders.log(order.id, {
      kind: 'import',
      message: created
        ? `Created host order #${hostOrder.number}`
        : `Host order #${hostOrder.number} already existed for this Amazon order (an earlier run was interrupted); linked it`,
    });
    this.logger.info('Amazon order imported', { amazonOrderId: order.amazonOrderId, hostOrderId: hostOrder.id, created });
    return 'imported';
  }

  private async block(order: StoredOrder, blocker: Blocker): Promise<ImportOutcome> {
    const changed = order.importState !== 'blocked' || order.blockReason !== blocker.reason || order.note !== blocker.note;
    if (changed) {
      await this.orders.update(order.id, { import_state: 'blocked', block_reason: blocker.reason, note: blocker.note });
      await this.orders.log(order.id, { kind: 'import', message: blocker.note });
    }
    return 'blocked';
  }

  /** Reserves stock for Pending merchant-fulfilled orders and releases what is no longer needed. */
  private async syncReservations(store: AmazonStore, settings: OrderSettings, matches: ReadonlyMap<string, string>): Promise<void> {
    const { toReserve, toRelease } = await this.orders.reservationCandidates(store.id);
    for (const order of toReserve) {
      const snapshot = snapshotFromAmazon(order.raw, store.marketplaceId);
      if (!shouldReserve(snapshot, settings)) continue;
      const lines = [];
      for (const [sellerSku, qty] of quantitiesBySku(snapshot)) {
        const product = await this.catalog.findBySku(matches.get(sellerSku) ?? sellerSku);
        if (product?.manageStock) lines.push({ sku: product.sku, qty });
      }
      if (lines.length === 0) continue;
      await this.stock.reserve(reservationKeyFor(order.amazonOrderId), lines);
      await this.orders.update(order.id, { stock_reserved: true });
      await this.orders.log(order.id, { kind: 'note', message: `Reserved stock while Amazon verifies the order: ${lines.map((l) => `${l.qty} x ${l.sku}`).join(', ')}` });
    }
    for (const order of toRelease) {
      await this.stock.release(reservationKeyFor(order.amazonOrderId));
      await this.orders.update(order.id, { stock_reserved: false });
      await this.orders.log(order.id, { kind: 'note', message: 'Released the stock reserved for this order' });
    }
  }

  /** Makes an imported host order follow what Amazon did: canceled, or shipped outside the host. */
  private async applyHostAction(order: StoredOrder): Promise<void> {
    if (!order.hostOrderId || !order.hostAction) return;
    if (order.hostAction === 'cancel') {
      await this.hostOrders.cancel(order.hostOrderId, 'Canceled on Amazon');
      await this.orders.update(order.id, { host_action: null, note: `Canceled on Amazon; host order #${order.hostOrderNumber} canceled` });
      await this.orders.log(order.id, { kind: 'import', message: `Canceled host order #${order.hostOrderNumber}: Amazon canceled the order` });
      return;
    }
    const hostOrder = await this.hostOrders.get(order.hostOrderId);
    const shippedInHost = hostOrder !== null && hostOrder.items.every((item) => item.qtyShipped + item.qtyCanceled >= item.qty);
    if (shippedInHost) {
      await this.orders.update(order.id, { host_action: null });
      return;
    }
    await this.hostOrders.complete(order.hostOrderId, 'Shipped on Amazon');
    await this.orders.update(order.id, { host_action: null, local_status: 'Completed', status: 'Completed', note: `Shipped on Amazon; host order #${order.hostOrderNumber} completed` });
    await this.orders.log(order.id, { kind: 'status', fromStatus: order.status, toStatus: 'Completed', message: 'Amazon reports the order shipped: host order completed' });
  }
}
