/**
 * Why an Amazon order has no host order (yet), and what the admin can do about it: the text of the
 * Amazon order details page, from the order's import state and block reason.
 */
import type { StoredOrder } from '../orders/order-repository.ts';
import type { BlockReason } from '../orders/rules.ts';

export interface ImportExplanation {
  tone: 'ok' | 'warn' | 'error' | 'info';
  headline: string;
  detail: string | null;
  /** What fixes it, when the admin can. */
  fix: string | null;
  /** Offer "Unmatched Listings" (a SKU without a catalog product). */
  offerMatching: boolean;
  /** Retry import makes sense now (it also needs the manage right and import enabled). */
  retryable: boolean;
}

const FIXES: Record<BlockReason, string> = {
  sku_missing: 'An ordered item has no seller SKU. Correct the listing in Seller Central; the order is retried on every sync.',
  sku_unmatched: 'Create the product in the catalog, or match the Amazon listing to an existing product under Unmatched Listings. Matching retries the order at once.',
  product_disabled: 'Enable the product in the catalog, then retry the import (or wait for the next sync).',
  out_of_stock: "Raise the product's salable quantity, then retry the import (or wait for the next sync).",
  host_rejected: 'The store refused the order for the reason in the note. Correct it, then retry the import.',
  amazon_data: 'Amazon sent incomplete data for this order. It is retried when Amazon updates the order; contact Amazon seller support if it stays this way.',
};

export function importExplanation(order: StoredOrder, importEnabled: boolean): ImportExplanation {
  const none = { fix: null, offerMatching: false, retryable: false };
  if (order.importState === 'imported') {
    return { ...none, tone: 'ok', headline: `Imported as host order #${order.hostOrderNumber ?? order.hostOrderId ?? ''}`, detail: null };
  }
  if (!importEnabled) {
    return { ...none, tone: 'info', headline: 'Order import is disabled for this store', detail: 'This order is view-only here; manage it in Amazon Seller Central.' };
  }
  switch (order.importState) {
    case 'blocked':
      return {
        tone: 'error',
        headline: 'The host order cannot be created yet',
        detail: order.note,
        fix: order.blockReason ? FIXES[order.blockReason] : null,
        offerMatching: order.blockReason === 'sku_unmatched',
        retryable: true,
      };
    case 'ready':
      return { ...none, tone: 'info', headline: 'Waiting for the next sync', detail: 'The order is eligible; its host order is created on the next sync.', retryable: true };
    case 'waiting':
      return {
        ...none,
        tone: 'info',
        headline: 'Not eligible for import yet',
        detail:
          order.fulfilledBy === 'AMAZON'
            ? 'Fulfilled by Amazon: the order is imported once Amazon has shipped it.'
            : 'Amazon has not verified the payment yet (Pending). The order is imported when Amazon marks it Unshipped.',
      };
    case 'not_eligible':
      return { ...none, tone: 'info', headline: 'Will not be imported', detail: 'The order was canceled before it could be imported.' };
    case 'disabled':
      return {
        ...none,
        tone: 'info',
        headline: 'Received while order import was disabled',
        detail: 'It stays view-only unless Amazon updates it while import is enabled.',
      };
  }
}
