/**
 * The module's copy of Amazon orders: the grid columns exactly as Amazon sent them, the items, the
 * import state and the append-only order log. Every write that belongs together takes a
 * transaction from the caller, so a page of orders and the cursor move as one.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { Order } from '../amazon/models.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { fromDb, fromDbOrNull } from '../db/time.ts';
import { forUpdate, insertMany } from '../db/schema.ts';
import { toE4 } from '../money.ts';
import { searchText } from './search-text.ts';
import { writeNewOrdersSearchGrams, writeSearchGrams } from './search-grams.ts';
import { shorten } from '../text.ts';
import type { AmazonOrderStatus, FulfilledBy, OrderSnapshot } from './order-snapshot.ts';
import { gridStatusOf, type BlockReason, type GridStatus, type ImportDecision } from './rules.ts';
import { transaction } from '../db/transaction.ts';
import { DAILY_KEY_COLUMNS, dailyPlaceOf, moveInDailyTotals, touchesDailyTotals } from './daily-totals.ts';

/**
 * - waiting: not eligible yet (Pending; Amazon-fulfilled and not shipped)
 * - disabled: import was off when Amazon last changed it; view-only (an order already waiting
 *   for its host order, ready or blocked, keeps that state while import is off)
 * - not_eligible: canceled before it could import
 * - ready: eligible, no host order yet
 * - blocked: eligible, the host order cannot be created yet (block_reason, note)
 * - imported: has its host order
 */
export type ImportState = 'waiting' | 'disabled' | 'not_eligible' | 'ready' | 'blocked' | 'imported';
export type HostAction = 'cancel' | 'complete';
export type LogKind = 'status' | 'import' | 'outbound' | 'note';

export interface StoredOrder {
  id: number;
  storeId: number;
  amazonOrderId: string;
  marketplaceId: string;
  purchaseDate: Date;
  amazonUpdatedAt: Date;
  amazonStatus: AmazonOrderStatus;
  status: GridStatus;
  localStatus: GridStatus | null;
  fulfilledBy: FulfilledBy;
  buyerName: string | null;
  grandTotalAmount: string | null;
  currencyCode: string | null;
  importState: ImportState;
  blockReason: BlockReason | null;
  note: string | null;
  hostOrderId: string | null;
  hostOrderNumber: string | null;
  hostAction: HostAction | null;
  stockReserved: boolean;
  importedAt: Date | null;
  raw: Order;
}

export interface StoredOrderItem {
  orderItemId: string;
  sellerSku: string | null;
  asin: string | null;
  title: string | null;
  quantityOrdered: number;
  quantityShipped: number;
  quantityCanceled: number;
  unitPriceAmount: string | null;
  currencyCode: string | null;
}

export interface OrderLogEntry {
  kind: LogKind;
  fromStatus: string | null;
  toStatus: string | null;
  message: string;
  createdAt: Date;
}

type Row = Record<string, unknown>;

/** What an order's log is told. */
export interface LogEntry {
  kind: LogKind;
  message: string;
  fromStatus?: string | null;
  toStatus?: string | null;
}

/** One Amazon version of an order to store, with the import rules' word on it. */
export interface AmazonVersion {
  order: Order;
  snapshot: OrderSnapshot;
  decision: Exclude<ImportDecision, 'hidden'>;
}

/** An order's item rows as Amazon sent them (without order_id). */
function itemRows(order: Order, snapshot: OrderSnapshot) {
  const rawItems = new Map(order.orderItems.map((item) => [item.orderItemId, item]));
  return snapshot.items.map((item) => ({
    order_item_id: item.orderItemId,
    seller_sku: item.sellerSku,
    asin: item.asin,
    title: item.title === null ? null : shorten(item.title, TEXT_COLUMN_CHARS.title),
    quantity_ordered: item.quantityOrdered,
    quantity_shipped: item.quantityShipped,
    quantity_canceled: item.quantityCanceled,
    unit_price_amount: item.unitPrice?.amount ?? null,
    currency_code: item.unitPrice?.currencyCode ?? null,
    raw: JSON.stringify(rawItems.get(item.orderItemId) ?? {}),
  }));
}

/** Sizes of the free-text columns (see the migrations). */
const TEXT_COLUMN_CHARS = { buyerName: 255, title: 1024 };

function toStoredOrder(row: Row): StoredOrder {
  return {
    id: Number(row.id),
    storeId: Number(row.store_id),
    amazonOrderId: row.amazon_order_id as string,
    marketplaceId: row.marketplace_id as string,
    purchaseDate: fromDb(row.purchase_date),
    amazonUpdatedAt: fromDb(row.amazon_updated_at),
    amazonStatus: row.amazon_status as AmazonOrderStatus,
    status: row.status as GridStatus,
    localStatus: (row.local_status as GridStatus | null) ?? null,
    fulfilledBy: row.fulfilled_by as FulfilledBy,
    buyerName: (row.buyer_name as string | null) ?? null,
    grandTotalAmount: (row.grand_total_amount as string | null) ?? null,
    currencyCode: (row.currency_code as string | null) ?? null,
    importState: row.import_state as ImportState,
    blockReason: (row.block_reason as BlockReason | null) ?? null,
    note: (row.note as string | null) ?? null,
    hostOrderId: (row.host_order_id as string | null) ?? null,
    hostOrderNumber: (row.host_order_number as string | null) ?? null,
    hostAction: (row.host_action as HostAction | null) ?? null,
    stockReserved: Boolean(Number(row.stock_reserved)),
    importedAt: fromDbOrNull(row.imported_at),
    raw: JSON.parse(row.raw as string) as Order,
  };
}

/** The import state a fresh Amazon version leads to, given what the module already did. */
export function nextImportState(current: ImportState | null, decision: Exclude<ImportDecision, 'hidden'>): ImportState {
  if (current === 'imported') return 'imported';
  switch (decision) {
    case 'import':
      return current === 'blocked' ? 'blocked' : 'ready';
    case 'disabled':
      return current === 'ready' || current === 'blocked' ? current : 'disabled';
    case 'waiting':
    case 'not_eligible':
      return decision;
  }
}

/** What an imported order's host order must do after Amazon changed it. */
export function hostActionFor(previous: AmazonOrderStatus, next: AmazonOrderStatus): HostAction | null {
  if (previous === next) return null;
  if (next === 'CANCELLED' || next === 'UNFULFILLABLE') return 'cancel';
  if (next === 'SHIPPED') return 'complete';
  return null;
}

/**
 * The host action a fresh Amazon version leaves pending. An order canceled while it was waiting
 * for its host order may still have one: a run that created it and died before recording it.
 * The importer looks it up by the idempotency key and cancels it.
 */
function pendingHostAction(
  previous: { importState: ImportState; amazonStatus: AmazonOrderStatus; hostAction: HostAction | null } | null,
  nextState: ImportState,
  nextStatus: AmazonOrderStatus,
): HostAction | null {
  if (previous === null) return null;
  if (nextState === 'imported') return hostActionFor(previous.amazonStatus, nextStatus) ?? previous.hostAction;
  const wasAwaitingHostOrder = previous.importState === 'ready' || previous.importState === 'blocked';
  if (nextState === 'not_eligible' && (wasAwaitingHostOrder || previous.hostAction === 'cancel')) return 'cancel';
  return null;
}

export type UpsertOutcome = 'new' | 'updated' | 'stale' | 'unchanged';

@injectable()
export class OrderRepository {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {}

  /** Stores one Amazon version of an order (see upsertManyFromAmazon). */
  async upsertFromAmazon(
    trx: Knex.Transaction,
    storeId: number,
    order: Order,
    snapshot: OrderSnapshot,
    decision: Exclude<ImportDecision, 'hidden'>,
  ): Promise<UpsertOutcome> {
    return (await this.upsertManyFromAmazon(trx, storeId, [{ order, snapshot, decision }]))[0]!;
  }

  /**
   * Stores Amazon versions of orders (a page of the sync), answering what happened to each. An
   * older version than the stored one is ignored (Amazon's lastUpdatedTime decides); a status
   * change is appended to the order log. Orders new to the module are written set-based: their
   * rows, items, n-grams and log entries each in one insert.
   */
  async upsertManyFromAmazon(trx: Knex.Transaction, storeId: number, versions: readonly AmazonVersion[]): Promise<UpsertOutcome[]> {
    const now = this.clock.now();
    // An order named twice (a page that repeats one) is stored once, in its newest version.
    const newest = new Map<string, AmazonVersion>();
    for (const version of versions) {
      const kept = newest.get(version.snapshot.amazonOrderId);
      if (!kept || version.snapshot.lastUpdated.getTime() > kept.snapshot.lastUpdated.getTime()) newest.set(version.snapshot.amazonOrderId, version);
    }
    const found: Array<{ id: unknown }> = await trx('amazon_order').where({ store_id: storeId }).whereIn('amazon_order_id', [...newest.keys()]).select('id');
    // Locked by their ids (record locks, no gap lock a new order's insert could deadlock on): the
    // status fulfillment may have written beside the sync is read exactly, and so is the place
    // each order counts in the daily totals.
    const existingRows: Row[] =
      found.length === 0
        ? []
        : await forUpdate(trx('amazon_order').whereIn('id', found.map((row) => row.id as number))).select(
            'id', 'amazon_order_id', 'amazon_updated_at', 'amazon_status', 'local_status', 'import_state', 'host_action', 'buyer_search', ...DAILY_KEY_COLUMNS,
          );
    const existingById = new Map(existingRows.map((row) => [row.amazon_order_id as string, row]));

    const outcomes = new Map<string, UpsertOutcome>();
    const created: Array<{ version: AmazonVersion; columns: Record<string, unknown> }> = [];
    const logs: Array<{ orderId: number; entry: LogEntry }> = [];
    for (const [amazonOrderId, version] of newest) {
      const { order, snapshot, decision } = version;
      const existingRow = existingById.get(amazonOrderId);
      const existingUpdated = existingRow ? fromDb(existingRow.amazon_updated_at).getTime() : null;
      if (existingUpdated !== null && existingUpdated > snapshot.lastUpdated.getTime()) {
        outcomes.set(amazonOrderId, 'stale');
        continue;
      }
      if (existingUpdated !== null && existingUpdated === snapshot.lastUpdated.getTime()) {
        outcomes.set(amazonOrderId, 'unchanged');
        continue;
      }
      const columns = this.amazonColumns(order, snapshot, decision, existingRow ?? null, now);
      if (!existingRow) {
        created.push({ version, columns: { ...columns, store_id: storeId, amazon_order_id: amazonOrderId, created_at: now } });
        outcomes.set(amazonOrderId, 'new');
        continue;
      }
      const orderId = Number(existingRow.id);
      await trx('amazon_order').where({ id: orderId }).update(columns);
      if (existingRow.buyer_search !== columns.buyer_search) await writeSearchGrams(trx, storeId, orderId, { buyer: { before: existingRow.buyer_search as string | null, after: columns.buyer_search } });
      await this.replaceItems(trx, orderId, order, snapshot);
      await moveInDailyTotals(trx, dailyPlaceOf(existingRow), dailyPlaceOf({ ...columns, store_id: storeId }));
      const previousStatus = existingRow.status as string;
      if (previousStatus !== columns.status) {
        logs.push({ orderId, entry: { kind: 'status', fromStatus: previousStatus, toStatus: columns.status, message: `Amazon changed the status from ${previousStatus} to ${columns.status}` } });
      }
      outcomes.set(amazonOrderId, 'updated');
    }

    if (created.length > 0) {
      await insertMany(trx, 'amazon_order', created.map((c) => c.columns));
      const ids: Array<{ id: unknown; amazon_order_id: string }> = await trx('amazon_order')
        .where({ store_id: storeId })
        .whereIn('amazon_order_id', created.map((c) => c.columns.amazon_order_id as string))
        .select('id', 'amazon_order_id');
      const idOf = new Map(ids.map((row) => [row.amazon_order_id, Number(row.id)]));
      const items: Array<Record<string, unknown>> = [];
      for (const { version, columns } of created) {
        const orderId = idOf.get(version.snapshot.amazonOrderId)!;
        items.push(...itemRows(version.order, version.snapshot).map((item) => ({ ...item, order_id: orderId })));
        await moveInDailyTotals(trx, null, dailyPlaceOf(columns));
        logs.push({ orderId, entry: { kind: 'status', fromStatus: null, toStatus: columns.status as string, message: `Received from Amazon as ${columns.status as string}` } });
      }
      await insertMany(trx, 'amazon_order_item', items);
      await writeNewOrdersSearchGrams(
        trx,
        created.map(({ columns }) => ({ storeId, orderId: idOf.get(columns.amazon_order_id as string)!, amazonOrderId: columns.amazon_order_id as string, buyerSearch: columns.buyer_search as string | null })),
      );
    }
    await this.logMany(logs, trx);
    return versions.map((version) => {
      const outcome = outcomes.get(version.snapshot.amazonOrderId)!;
      // The older repeats of an order named twice.
      if (version !== newest.get(version.snapshot.amazonOrderId)) return version.snapshot.lastUpdated.getTime() < newest.get(version.snapshot.amazonOrderId)!.snapshot.lastUpdated.getTime() ? 'stale' : 'unchanged';
      return outcome;
    });
  }

  /** The order's columns for a fresh Amazon version, given its stored row (null: new). */
  private amazonColumns(order: Order, snapshot: OrderSnapshot, decision: Exclude<ImportDecision, 'hidden'>, existingRow: Row | null, now: Date) {
    const previous = existingRow
      ? { importState: existingRow.import_state as ImportState, amazonStatus: existingRow.amazon_status as AmazonOrderStatus, hostAction: (existingRow.host_action as HostAction | null) ?? null }
      : null;
    const importState = nextImportState(previous?.importState ?? null, decision);
    const hostAction = pendingHostAction(previous, importState, snapshot.status);
    // A blocker's note would go on asking the admin to fix an order nobody can import any more.
    const canceledWhileWaiting = importState === 'not_eligible' && (previous?.importState === 'ready' || previous?.importState === 'blocked');
    const localStatus = (existingRow?.local_status as GridStatus | null) ?? null;
    return {
      marketplace_id: snapshot.marketplaceId,
      purchase_date: snapshot.purchaseDate,
      amazon_updated_at: snapshot.lastUpdated,
      amazon_status: snapshot.status,
      status: localStatus ?? gridStatusOf(snapshot.status),
      latest_ship_date: snapshot.latestShipDate,
      fulfilled_by: snapshot.fulfilledBy,
      // Cut to the columns (the full text stays in raw): an odd name must not keep the order out.
      buyer_name: snapshot.buyerName === null ? null : shorten(snapshot.buyerName, TEXT_COLUMN_CHARS.buyerName),
      buyer_search: snapshot.buyerName === null ? null : shorten(searchText(snapshot.buyerName), TEXT_COLUMN_CHARS.buyerName),
      grand_total_amount: snapshot.grandTotal?.amount ?? null,
      grand_total_e4: snapshot.grandTotal ? toE4(snapshot.grandTotal.amount).toString() : null,
      currency_code: snapshot.grandTotal?.currencyCode ?? null,
      raw: JSON.stringify(order),
      // A newer version carries buyer data again: the purge job looks at it anew.
      pii_purged_at: null,
      import_state: importState,
      host_action: hostAction,
      ...(canceledWhileWaiting ? { block_reason: null, note: 'Canceled on Amazon before it was imported' } : {}),
      updated_at: now,
    };
  }

  private async replaceItems(trx: Knex.Transaction, orderId: number, order: Order, snapshot: OrderSnapshot): Promise<void> {
    const existing: Array<{ id: number; order_item_id: string }> = await trx('amazon_order_item').where({ order_id: orderId }).select('id', 'order_item_id');
    const existingIds = new Map(existing.map((row) => [row.order_item_id, Number(row.id)]));
    for (const item of itemRows(order, snapshot)) {
      const id = existingIds.get(item.order_item_id);
      if (id === undefined) await trx('amazon_order_item').insert({ ...item, order_id: orderId });
      else await trx('amazon_order_item').where({ id }).update(item);
      existingIds.delete(item.order_item_id);
    }
    // Items Amazon no longer lists are gone from the order.
    if (existingIds.size > 0) await trx('amazon_order_item').whereIn('id', [...existingIds.values()]).delete();
  }

  async log(orderId: number, entry: LogEntry, db: Knex | Knex.Transaction = this.db): Promise<void> {
    await this.logMany([{ orderId, entry }], db);
  }

  /** Appends entries to orders' logs, in one insert. */
  async logMany(entries: ReadonlyArray<{ orderId: number; entry: LogEntry }>, db: Knex | Knex.Transaction = this.db): Promise<void> {
    const createdAt = this.clock.now();
    await insertMany(
      db,
      'amazon_order_log',
      entries.map(({ orderId, entry }) => ({
        order_id: orderId,
        kind: entry.kind,
        from_status: entry.fromStatus ?? null,
        to_status: entry.toStatus ?? null,
        message: entry.message,
        created_at: createdAt,
      })),
    );
  }

  async history(orderId: number): Promise<OrderLogEntry[]> {
    const rows: Row[] = await this.db('amazon_order_log').where({ order_id: orderId }).orderBy('id');
    return rows.map((row) => ({
      kind: row.kind as LogKind,
      fromStatus: (row.from_status as string | null) ?? null,
      toStatus: (row.to_status as string | null) ?? null,
      message: row.message as string,
      createdAt: fromDb(row.created_at),
    }));
  }

  async items(orderId: number): Promise<StoredOrderItem[]> {
    const rows: Row[] = await this.db('amazon_order_item').where({ order_id: orderId }).orderBy('id');
    return rows.map((row) => ({
      orderItemId: row.order_item_id as string,
      sellerSku: (row.seller_sku as string | null) ?? null,
      asin: (row.asin as string | null) ?? null,
      title: (row.title as string | null) ?? null,
      quantityOrdered: Number(row.quantity_ordered),
      quantityShipped: Number(row.quantity_shipped),
      quantityCanceled: Number(row.quantity_canceled),
      unitPriceAmount: (row.unit_price_amount as string | null) ?? null,
      currencyCode: (row.currency_code as string | null) ?? null,
    }));
  }

  async find(storeId: number, amazonOrderId: string, db: Knex | Knex.Transaction = this.db, lock = false): Promise<StoredOrder | null> {
    const row: Row | undefined = await forUpdate(db('amazon_order').where({ store_id: storeId, amazon_order_id: amazonOrderId }), lock).first();
    return row ? toStoredOrder(row) : null;
  }

  async get(id: number, db: Knex | Knex.Transaction = this.db, lock = false): Promise<StoredOrder | null> {
    const row: Row | undefined = await forUpdate(db('amazon_order').where({ id }), lock).first();
    return row ? toStoredOrder(row) : null;
  }

  /** The Amazon order a host order was created for (`lock`: row lock for a change in the same transaction). */
  async findByHostOrder(hostOrderId: string, db: Knex | Knex.Transaction = this.db, lock = false): Promise<StoredOrder | null> {
    const row: Row | undefined = await forUpdate(db('amazon_order').where({ host_order_id: hostOrderId }), lock).orderBy('id').first();
    return row ? toStoredOrder(row) : null;
  }

  /** Whether an import of this Amazon order (in any store) has not recorded its host order yet. */
  async awaitsHostOrder(amazonOrderId: string): Promise<boolean> {
    return (await this.db('amazon_order').where({ amazon_order_id: amazonOrderId }).whereNull('host_order_id').first('id')) !== undefined;
  }

  /** The ids of the orders that should have a host order and do not yet, oldest first (ids: a backlog of any size is small). */
  async awaitingCreationIds(storeId: number): Promise<number[]> {
    const ids: unknown[] = await this.db('amazon_order')
      .where({ store_id: storeId })
      .whereIn('import_state', ['ready', 'blocked'])
      .orderBy([{ column: 'purchase_date' }, { column: 'id' }])
      .pluck('id');
    return ids.map(Number);
  }

  /** The orders of these ids, in the order given (an id no longer found is left out). */
  async getMany(ids: readonly number[]): Promise<StoredOrder[]> {
    const rows: Row[] = ids.length === 0 ? [] : await this.db('amazon_order').whereIn('id', ids);
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    return ids.flatMap((id) => (byId.has(id) ? [toStoredOrder(byId.get(id)!)] : []));
  }

  /** Orders whose host order must still follow an Amazon change (see pendingHostAction). */
  async awaitingHostAction(storeId: number): Promise<StoredOrder[]> {
    const rows: Row[] = await this.db('amazon_order').where({ store_id: storeId }).whereNotNull('host_action').orderBy('id');
    return rows.map(toStoredOrder);
  }

  /**
   * Pending merchant-fulfilled orders without a reservation, and reservations no longer needed:
   * canceled before import, import switched off, or (`holdPending` false) reserving switched off.
   */
  async reservationCandidates(storeId: number, holdPending: boolean): Promise<{ toReserve: StoredOrder[]; toRelease: StoredOrder[] }> {
    const toReserve: Row[] = holdPending
      ? await this.db('amazon_order')
          .where({ store_id: storeId, import_state: 'waiting', fulfilled_by: 'MERCHANT', stock_reserved: false })
          .whereNull('stock_released_at')
          .whereIn('amazon_status', ['PENDING', 'PENDING_AVAILABILITY'])
      : [];
    const toRelease: Row[] = await this.db('amazon_order')
      .where({ store_id: storeId, stock_reserved: true })
      .whereIn('import_state', holdPending ? ['not_eligible', 'disabled'] : ['not_eligible', 'disabled', 'waiting']);
    return { toReserve: toReserve.map(toStoredOrder), toRelease: toRelease.map(toStoredOrder) };
  }

  async update(id: number, columns: Record<string, unknown>, db: Knex | Knex.Transaction = this.db): Promise<void> {
    // The PII purge clears the name: it must no longer find the order either.
    const searched: { store_id: unknown; buyer_search: string | null } | undefined = Object.hasOwn(columns, 'buyer_search')
      ? await db('amazon_order').where({ id }).first('store_id', 'buyer_search')
      : undefined;
    if (touchesDailyTotals(columns)) {
      // The order moves in the daily totals: from where it counted (locked, so read exactly) to where it counts now.
      const move = async (trx: Knex.Transaction) => {
        const before: Row | undefined = await forUpdate(trx('amazon_order').where({ id })).first(...DAILY_KEY_COLUMNS);
        await trx('amazon_order').where({ id }).update({ ...columns, updated_at: this.clock.now() });
        const after: Row | undefined = await trx('amazon_order').where({ id }).first(...DAILY_KEY_COLUMNS);
        if (before && after) await moveInDailyTotals(trx, dailyPlaceOf(before), dailyPlaceOf(after));
      };
      await ((db as Knex.Transaction).isTransaction ? move(db as Knex.Transaction) : transaction(this.db, move));
    } else {
      await db('amazon_order').where({ id }).update({ ...columns, updated_at: this.clock.now() });
    }
    if (searched) await writeSearchGrams(db, Number(searched.store_id), id, { buyer: { before: searched.buyer_search, after: columns.buyer_search as string | null } });
  }

  /** Changes to orders (see update) and what their logs are told, in one transaction. */
  async recordChanges(changes: ReadonlyArray<{ id: number; columns: Record<string, unknown>; log?: LogEntry }>): Promise<void> {
    await transaction(this.db, async (trx) => {
      for (const { id, columns } of changes) await this.update(id, columns, trx);
      await this.logMany(changes.flatMap(({ id, log }) => (log ? [{ orderId: id, entry: log }] : [])), trx);
    });
  }

  /** Seller SKU -> host SKU matches an admin set for the store. */
  async listingMatches(storeId: number, db: Knex | Knex.Transaction = this.db): Promise<Map<string, string>> {
    const rows: Array<{ seller_sku: string; host_sku: string }> = await db('amazon_listing_match').where({ store_id: storeId });
    return new Map(rows.map((row) => [row.seller_sku, row.host_sku]));
  }

  async setListingMatch(storeId: number, sellerSku: string, hostSku: string): Promise<void> {
    const now = this.clock.now();
    await transaction(this.db, async (trx) => {
      const updated = await trx('amazon_listing_match').where({ store_id: storeId, seller_sku: sellerSku }).update({ host_sku: hostSku, updated_at: now });
      if (updated === 0) {
        await trx('amazon_listing_match').insert({ store_id: storeId, seller_sku: sellerSku, host_sku: hostSku, created_at: now, updated_at: now });
      }
    });
  }
}
