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
import type { CatalogPort, ClockPort, HostOrder, HostOrderRef, HostProduct, LoggerPort, OrdersPort, StockPort } from '../host/ports.ts';
import type { AmazonStore } from '../stores/store.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import { snapshotFromAmazon } from './from-amazon.ts';
import { CHANNEL, buildHostOrderRequest, reservationKeyFor } from './host-order-request.ts';
import { errorSummary } from '../error-summary.ts';
import { OrderDataError, type OrderSnapshot } from './order-snapshot.ts';
import { OrderRepository, type StoredOrder } from './order-repository.ts';
import { blockerNote, findBlocker, hasOpenItemWithoutSku, importDecision, quantitiesBySku, resolveLines, shouldReserve, type Blocker, type ResolvedLine } from './rules.ts';

/**
 * Orders imported between two heartbeats, and recorded together: a batch costs one transaction
 * of the module's instead of one per order.
 */
const IMPORT_BATCH = 50;

/** A host order created for a stored order, to be recorded with the others of its batch. */
interface CreatedHostOrder {
  order: StoredOrder;
  hostOrder: HostOrderRef;
  created: boolean;
  shippedOutside: boolean;
}

/** What one batch looks up once: SKU matches, host products and salable quantities by host SKU. */
interface Lookups {
  matches: ReadonlyMap<string, string>;
  products: Map<string, HostProduct | null>;
  salable: Map<string, number | null>;
}
const freshLookups = (matches: ReadonlyMap<string, string>): Lookups => ({ matches, products: new Map(), salable: new Map() });

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
    await heartbeat();
    // Read once per run: every order of the store resolves its SKUs through the same matches.
    const matches = await this.orders.listingMatches(store.id);
    await this.syncReservations(store, settings, matches);
    // Switched off: orders waiting for import keep their place until it is switched on again.
    const awaiting = settings.importEnabled ? await this.orders.awaitingCreationIds(store.id) : [];
    for (let start = 0; start < awaiting.length; start += IMPORT_BATCH) {
      if (start > 0) await heartbeat();
      // Read a batch at a time (a backlog of any size holds one batch in memory), and afresh.
      const lookups = freshLookups(matches);
      const created: CreatedHostOrder[] = [];
      try {
        for (const order of await this.orders.getMany(awaiting.slice(start, start + IMPORT_BATCH))) {
          const outcome = await this.createHostOrder(store, settings, order, lookups);
          if (outcome === 'blocked') stats.blocked += 1;
          else if (outcome !== 'skipped') created.push(outcome);
        }
      } catch (error) {
        // Each one done is a host order that exists: recorded if the database lets it (if not,
        // the next attempt links it), and the failure goes on.
        await this.recordCreated(created).then(() => (stats.imported += created.length), () => undefined);
        throw error;
      }
      await this.recordCreated(created);
      stats.imported += created.length;
    }
    await heartbeat();
    for (const order of await this.orders.awaitingHostAction(store.id)) await this.applyHostAction(order);
    return stats;
  }

  /** Tries to create the host order for one stored order now. */
  async importOrder(store: AmazonStore, settings: OrderSettings, order: StoredOrder): Promise<ImportOutcome> {
    const outcome = await this.createHostOrder(store, settings, order, freshLookups(await this.orders.listingMatches(store.id)));
    if (typeof outcome === 'string') return outcome;
    await this.recordCreated([outcome]);
    return 'imported';
  }

  /**
   * Creates the host order for one stored order, or says why not (blocked and skipped orders are
   * recorded at once). A creation is recorded by recordCreated, with the others of its batch.
   */
  private async createHostOrder(store: AmazonStore, settings: OrderSettings, order: StoredOrder, lookups: Lookups): Promise<'blocked' | 'skipped' | CreatedHostOrder> {
    if (order.importState !== 'ready' && order.importState !== 'blocked') return 'skipped';
    let snapshot: OrderSnapshot;
    try {
      snapshot = snapshotFromAmazon(order.raw, store.marketplaceId);
    } catch (error) {
      return this.block(order, { reason: 'amazon_data', note: blockerNote((error as Error).message) });
    }
    const decision = importDecision(snapshot, settings, store.integratedAt);
    // Import switched off: the order keeps its place and is tried again once it is switched on.
    if (decision === 'disabled') return 'skipped';
    if (decision !== 'import') {
      await this.orders.update(order.id, { import_state: decision === 'hidden' ? 'not_eligible' : decision, block_reason: null });
      return 'skipped';
    }

    const products = new Map<string, HostProduct>();
    for (const sellerSku of quantitiesBySku(snapshot).keys()) {
      const sku = lookups.matches.get(sellerSku) ?? sellerSku;
      if (!lookups.products.has(sku)) lookups.products.set(sku, await this.catalog.findBySku(sku));
      const product = lookups.products.get(sku);
      if (product) products.set(sellerSku, product);
    }
    const lines: ResolvedLine[] = [];
    for (const { sellerSku, product, quantity } of resolveLines(snapshot, products)) {
      let salable = product && product.manageStock ? await this.salableQty(lookups, product.sku) : null;
      // Units this order holds in a reservation are its own to take.
      if (salable !== null && order.stockReserved) salable += quantity;
      lines.push({ sellerSku, product, quantity, salable });
    }
    const blocker = findBlocker(lines, snapshot.fulfilledBy, hasOpenItemWithoutSku(snapshot));
    if (blocker) return this.block(order, blocker);

    let request;
    try {
      request = buildHostOrderRequest({ order: snapshot, settings, products, reserved: order.stockReserved });
    } catch (error) {
      if (error instanceof OrderDataError) return this.block(order, { reason: 'amazon_data', note: blockerNote(error.message) });
      throw error;
    }
    let result;
    try {
      result = await this.hostOrders.create(request);
    } catch (error) {
      // The host failed rather than refused: try again next run (the idempotency key makes a
      // creation that did go through come back as the same order).
      this.logger.error('The host failed to create an Amazon order', { amazonOrderId: order.amazonOrderId, error: errorSummary(error) });
      return this.block(order, { reason: 'host_rejected', note: blockerNote(`the host failed (${errorSummary(error)}); it is tried again on the next sync`) });
    }
    if (!result.ok) {
      const field = result.rejection.field ? ` (${result.rejection.field})` : '';
      return this.block(order, { reason: 'host_rejected', note: blockerNote(`${result.rejection.message}${field}`) });
    }
    if (result.created && request.deductStock && !order.stockReserved) {
      // What it took is no longer salable (units it held in a reservation were not salable already).
      for (const line of lines) {
        const salable = line.product ? lookups.salable.get(line.product.sku) : undefined;
        if (salable !== undefined && salable !== null) lookups.salable.set(line.product!.sku, salable - line.quantity);
      }
    }
    // Shipped in Seller Central before it could import: the host order is complete already.
    return { order, hostOrder: result.order, created: result.created, shippedOutside: snapshot.fulfilledBy === 'MERCHANT' && snapshot.status === 'SHIPPED' };
  }

  /**
   * A SKU's salable quantity, asked of the host once per batch and kept current with what the
   * batch's own orders take. A sale elsewhere in the host meanwhile (a batch lasts well under a
   * second) is what the host's own check at creation is for.
   */
  private async salableQty(lookups: Lookups, sku: string): Promise<number | null> {
    if (!lookups.salable.has(sku)) lookups.salable.set(sku, await this.stock.salableQty(sku));
    return lookups.salable.get(sku)!;
  }

  /**
   * Records host orders created, in one transaction. Until it commits, such an order is one whose
   * creation is not recorded yet, as after a crash: the next attempt's idempotency key links it,
   * and the host's actions on it wait (Fulfillment.checkUnlinked).
   */
  private async recordCreated(created: readonly CreatedHostOrder[]): Promise<void> {
    if (created.length === 0) return;
    const importedAt = this.clock.now();
    await this.orders.recordChanges(
      created.map(({ order, hostOrder, created: isNew, shippedOutside }) => ({
        id: order.id,
        columns: {
          import_state: 'imported',
          block_reason: null,
          note: `Imported as order #${hostOrder.number}`,
          host_order_id: hostOrder.id,
          host_order_number: hostOrder.number,
          imported_at: importedAt,
          stock_reserved: false,
          host_action: shippedOutside ? 'complete' : null,
        },
        log: {
          kind: 'import',
          message: isNew
            ? `Created host order #${hostOrder.number}`
            : `Host order #${hostOrder.number} already existed for this Amazon order (an earlier run was interrupted); linked it`,
        },
      })),
    );
    for (const { order, hostOrder, created: isNew } of created) {
      this.logger.info('Amazon order imported', { amazonOrderId: order.amazonOrderId, hostOrderId: hostOrder.id, created: isNew });
    }
  }

  private async block(order: StoredOrder, blocker: Blocker): Promise<'blocked'> {
    const changed = order.importState !== 'blocked' || order.blockReason !== blocker.reason || order.note !== blocker.note;
    if (changed) {
      await this.orders.update(order.id, { import_state: 'blocked', block_reason: blocker.reason, note: blocker.note });
      await this.orders.log(order.id, { kind: 'import', message: blocker.note });
    }
    return 'blocked';
  }

  /** Reserves stock for Pending merchant-fulfilled orders and releases what is no longer needed. */
  private async syncReservations(store: AmazonStore, settings: OrderSettings, matches: ReadonlyMap<string, string>): Promise<void> {
    const { toReserve, toRelease } = await this.orders.reservationCandidates(store.id, settings.importEnabled && settings.reservePending);
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
      await this.orders.update(order.id, { stock_reserved: false, stock_released_at: this.clock.now() });
      await this.orders.log(order.id, { kind: 'note', message: 'Released the stock reserved for this order' });
    }
  }

  /**
   * Makes the host order follow what Amazon did: canceled, or shipped outside the host. A host
   * that fails is tried again next run; a host order that cannot follow (canceled on Amazon after
   * it shipped in the host, say) is a conflict for the admin: status Error and a note, once.
   * Never stops the run: one order the host refuses must not hold up the others.
   */
  private async applyHostAction(order: StoredOrder): Promise<void> {
    const action = order.hostAction!;
    try {
      const hostOrder = order.hostOrderId ? await this.hostOrders.get(order.hostOrderId) : await this.adoptInterruptedCreation(order);
      if (!hostOrder) {
        await this.orders.update(order.id, { host_action: null });
        return;
      }
      if (action === 'cancel') await this.cancelHostOrder(order, hostOrder);
      else await this.completeHostOrder(order, hostOrder);
    } catch (error) {
      const note = `Could not ${action} host order #${order.hostOrderNumber ?? '?'} (${errorSummary(error)}); it is tried again on the next sync`;
      this.logger.error('The host order could not follow Amazon', { amazonOrderId: order.amazonOrderId, action, error: errorSummary(error) });
      if (order.note !== note) {
        await this.orders.update(order.id, { note });
        await this.orders.log(order.id, { kind: 'import', message: note });
      }
    }
  }

  /**
   * Canceled on Amazon before its creation was recorded: a run that created the host order and
   * died before recording it left one behind, findable by the Amazon order id. Link it, so it
   * can be canceled like any imported order.
   */
  private async adoptInterruptedCreation(order: StoredOrder): Promise<HostOrder | null> {
    const hostOrder = await this.hostOrders.findByExternalReference(CHANNEL, order.amazonOrderId);
    if (!hostOrder) return null;
    await this.orders.update(order.id, { import_state: 'imported', host_order_id: hostOrder.id, host_order_number: hostOrder.number, imported_at: this.clock.now(), stock_reserved: false });
    await this.orders.log(order.id, { kind: 'import', message: `Host order #${hostOrder.number} already existed for this Amazon order (an earlier run was interrupted); linked it` });
    order.hostOrderId = hostOrder.id;
    order.hostOrderNumber = hostOrder.number;
    return hostOrder;
  }

  private async cancelHostOrder(order: StoredOrder, hostOrder: HostOrder): Promise<void> {
    const number = hostOrder.number;
    if (hostOrder.state === 'complete' || hostOrder.state === 'closed') {
      await this.conflict(order, `Amazon canceled this order, but host order #${number} is already ${hostOrder.state} and was not canceled: settle the shipped goods and the refund with the buyer`);
      return;
    }
    if (hostOrder.state !== 'canceled') await this.hostOrders.cancel(hostOrder.id, 'Canceled on Amazon');
    // Amazon's word is final: it replaces the module's own (a cancel on its way, or one that failed).
    await this.orders.update(order.id, { host_action: null, local_status: null, status: 'Canceled', note: `Canceled on Amazon; host order #${number} canceled` });
    await this.orders.log(order.id, { kind: 'import', message: `Canceled host order #${number}: Amazon canceled the order` });
  }

  private async completeHostOrder(order: StoredOrder, hostOrder: HostOrder): Promise<void> {
    const number = hostOrder.number;
    if (hostOrder.state === 'canceled' || hostOrder.state === 'closed') {
      await this.conflict(order, `Amazon reports this order shipped, but host order #${number} is ${hostOrder.state}: check the order in Seller Central`);
      return;
    }
    const shippedInHost = hostOrder.items.every((item) => item.qtyShipped + item.qtyCanceled >= item.qty);
    if (shippedInHost) {
      // Shipped in the host and confirmed to Amazon: done on both sides.
      await this.orders.update(order.id, { host_action: null, local_status: 'Completed', status: 'Completed' });
      if (order.status !== 'Completed') {
        await this.orders.log(order.id, { kind: 'status', fromStatus: order.status, toStatus: 'Completed', message: `Amazon reports the order shipped; host order #${number} is complete` });
      }
      return;
    }
    await this.hostOrders.complete(hostOrder.id, 'Shipped on Amazon');
    await this.orders.update(order.id, { host_action: null, local_status: 'Completed', status: 'Completed', note: `Shipped on Amazon; host order #${number} completed` });
    await this.orders.log(order.id, { kind: 'status', fromStatus: order.status, toStatus: 'Completed', message: 'Amazon reports the order shipped: host order completed' });
  }

  /** Amazon and the host disagree in a way only the admin can settle: Error, with what to do. */
  private async conflict(order: StoredOrder, note: string): Promise<void> {
    await this.orders.update(order.id, { host_action: null, local_status: 'Error', status: 'Error', note });
    await this.orders.log(order.id, { kind: 'status', fromStatus: order.status, toStatus: 'Error', message: note });
  }
}
