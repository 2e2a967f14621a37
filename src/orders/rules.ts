/**
 * The import rules, pure: which Amazon orders become host orders and when, what the grid shows,
 * and what blocks a creation. Matches the original (ASC) except where it was known to fail.
 */
import type { HostProduct } from '../host/ports.ts';
import type { OrderSettings } from '../stores/order-settings.ts';
import type { AmazonOrderStatus, FulfilledBy, OrderSnapshot } from './order-snapshot.ts';

/** The words the admin grid shows (the original UI's v0-style words, plus our own two). */
export const GRID_STATUSES = [
  'Pending',
  'Pending Availability',
  'Unshipped',
  'Partially Shipped',
  'Shipped',
  'Canceled',
  'Completed',
  'Error',
] as const;
export type GridStatus = (typeof GRID_STATUSES)[number];

const AMAZON_TO_GRID: Record<AmazonOrderStatus, GridStatus> = {
  PENDING_AVAILABILITY: 'Pending Availability',
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'Partially Shipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
  // Amazon could not fulfil it: for the merchant it is as good as canceled.
  UNFULFILLABLE: 'Canceled',
};

export function gridStatusOf(amazonStatus: AmazonOrderStatus): GridStatus {
  return AMAZON_TO_GRID[amazonStatus];
}

/**
 * What the module does with an order now:
 * - `hidden`: created before the store's integration; never stored, shown or imported;
 * - `disabled`: import is off; stored and shown, view-only;
 * - `waiting`: not eligible yet (Pending, or an Amazon-fulfilled order not shipped yet);
 * - `not_eligible`: will never be eligible (canceled before import);
 * - `import`: should have a host order.
 */
export type ImportDecision = 'hidden' | 'disabled' | 'waiting' | 'not_eligible' | 'import';

export function importDecision(
  order: Pick<OrderSnapshot, 'purchaseDate' | 'status' | 'fulfilledBy'>,
  settings: Pick<OrderSettings, 'importEnabled'>,
  integratedAt: Date,
): ImportDecision {
  if (order.purchaseDate.getTime() < integratedAt.getTime()) return 'hidden';
  if (!settings.importEnabled) return 'disabled';
  switch (order.status) {
    case 'CANCELLED':
    case 'UNFULFILLABLE':
      return 'not_eligible';
    case 'PENDING':
    case 'PENDING_AVAILABILITY':
      return 'waiting';
    case 'SHIPPED':
      return 'import';
    case 'UNSHIPPED':
    case 'PARTIALLY_SHIPPED':
      // Amazon-fulfilled orders are imported only once Amazon has shipped them.
      return order.fulfilledBy === 'MERCHANT' ? 'import' : 'waiting';
  }
}

/** Stock for a Pending merchant-fulfilled order is held while "Reserve pending" is on. */
export function shouldReserve(
  order: Pick<OrderSnapshot, 'status' | 'fulfilledBy'>,
  settings: Pick<OrderSettings, 'importEnabled' | 'reservePending'>,
): boolean {
  return (
    settings.importEnabled &&
    settings.reservePending &&
    order.fulfilledBy === 'MERCHANT' &&
    (order.status === 'PENDING' || order.status === 'PENDING_AVAILABILITY')
  );
}

export type BlockReason =
  | 'sku_missing'
  | 'sku_unmatched'
  | 'product_disabled'
  | 'out_of_stock'
  /** The host refused the order (e.g. an address it does not accept). */
  | 'host_rejected'
  /** Amazon's data cannot be turned into a host order as it stands (e.g. no grand total). */
  | 'amazon_data';

export interface Blocker {
  reason: BlockReason;
  /** The order note, e.g. `Cannot create order: SKU "ABC-1" is disabled in the catalog`. */
  note: string;
}

export function blockerNote(detail: string): string {
  return `Cannot create order: ${detail}`;
}

/** One line the host order needs: a catalog product for a seller SKU and the quantity ordered. */
export interface ResolvedLine {
  sellerSku: string;
  product: HostProduct | null;
  quantity: number;
  /** Salable quantity in the host (null = not managed), counting any reservation this order holds. */
  salable: number | null;
}

/**
 * The first reason the order cannot become a host order, or null. Amazon-fulfilled orders take no
 * stock, so only merchant-fulfilled orders are checked for quantity.
 */
export function findBlocker(lines: ResolvedLine[], fulfilledBy: FulfilledBy, hasItemWithoutSku: boolean): Blocker | null {
  if (hasItemWithoutSku) return { reason: 'sku_missing', note: blockerNote('an ordered item has no seller SKU') };
  for (const line of lines) {
    if (!line.product) {
      return {
        reason: 'sku_unmatched',
        note: blockerNote(`SKU "${line.sellerSku}" is not in the catalog; create the product or match the listing to one`),
      };
    }
    if (!line.product.enabled) {
      return { reason: 'product_disabled', note: blockerNote(`SKU "${line.product.sku}" is disabled in the catalog`) };
    }
    if (fulfilledBy === 'MERCHANT' && line.salable !== null && line.salable < line.quantity) {
      return {
        reason: 'out_of_stock',
        note: blockerNote(`SKU "${line.product.sku}" is out of stock (${line.quantity} ordered, ${Math.max(line.salable, 0)} salable)`),
      };
    }
  }
  return null;
}

/** Quantities per seller SKU (an order may list the same SKU twice). */
export function quantitiesBySku(order: Pick<OrderSnapshot, 'items'>): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const item of order.items) {
    if (item.sellerSku === null) continue;
    const open = item.quantityOrdered - item.quantityCanceled;
    if (open > 0) quantities.set(item.sellerSku, (quantities.get(item.sellerSku) ?? 0) + open);
  }
  return quantities;
}

/** An item still to deliver that Amazon sent without a seller SKU (a canceled one does not matter). */
export function hasOpenItemWithoutSku(order: Pick<OrderSnapshot, 'items'>): boolean {
  return order.items.some((item) => item.sellerSku === null && item.quantityOrdered - item.quantityCanceled > 0);
}

/**
 * The order's seller SKUs with their catalog products and the quantity to check against stock:
 * two listings matched to one product draw on the same stock, so each counts the product's total.
 */
export function resolveLines(
  order: Pick<OrderSnapshot, 'items'>,
  products: ReadonlyMap<string, HostProduct>,
): Array<{ sellerSku: string; product: HostProduct | null; quantity: number }> {
  const bySku = quantitiesBySku(order);
  const perProduct = new Map<string, number>();
  for (const [sellerSku, quantity] of bySku) {
    const product = products.get(sellerSku);
    if (product) perProduct.set(product.id, (perProduct.get(product.id) ?? 0) + quantity);
  }
  return [...bySku].map(([sellerSku, quantity]) => {
    const product = products.get(sellerSku) ?? null;
    return { sellerSku, product, quantity: product ? perProduct.get(product.id)! : quantity };
  });
}
