/**
 * Seller SKUs of blocked orders that the catalog does not know, directly or through a manual
 * match. Every SKU of every blocked order is checked (an order's note names only its first
 * problem, and another of its SKUs may be unmatched too).
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { CatalogPort, HostProduct } from '../host/ports.ts';
import { OrderRepository } from './order-repository.ts';
import { quoted } from '../text.ts';

export interface UnmatchedListing {
  sellerSku: string;
  title: string | null;
  asin: string | null;
  /** Blocked orders containing the SKU. */
  orderCount: number;
  /** A manual match whose host SKU is no longer in the catalog, if any. */
  staleMatch: string | null;
}

/** At most this many SKUs are listed at once; fixing them brings the next ones up. */
export const UNMATCHED_LIMIT = 200;

/** The longest seller SKU (amazon_listing_match.seller_sku, as Amazon's own limit is below it). */
export const SELLER_SKU_CHARS = 255;

export type MatchCheck =
  | { ok: true; product: HostProduct; orderIds: number[] }
  | { ok: false; field: 'sellerSku' | 'productSku'; message: string };

@injectable()
export class UnmatchedListings {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Catalog) private readonly catalog: CatalogPort,
    @inject(OrderRepository) private readonly orders: OrderRepository,
  ) {}

  async list(storeId: number): Promise<UnmatchedListing[]> {
    const rows: Array<{ seller_sku: string; title: string | null; asin: string | null; n: unknown }> = await this.db('amazon_order_item as i')
      .join('amazon_order as o', 'o.id', 'i.order_id')
      .where({ 'o.store_id': storeId, 'o.import_state': 'blocked' })
      .whereNotNull('i.seller_sku')
      .groupBy('i.seller_sku')
      .orderBy('i.seller_sku')
      .select('i.seller_sku', this.db.raw('max(i.title) as title'), this.db.raw('max(i.asin) as asin'), this.db.raw('count(distinct o.id) as n'));
    const matches = await this.orders.listingMatches(storeId);
    const unmatched: UnmatchedListing[] = [];
    for (const row of rows) {
      const match = matches.get(row.seller_sku) ?? null;
      if (await this.catalog.findBySku(match ?? row.seller_sku)) continue;
      unmatched.push({ sellerSku: row.seller_sku, title: row.title, asin: row.asin, orderCount: Number(row.n), staleMatch: match });
      if (unmatched.length >= UNMATCHED_LIMIT) break;
    }
    return unmatched;
  }

  /**
   * Whether a listing match may be made, the one rule for the admin form and `asc match:set`: a
   * seller SKU some blocked order of the store has (so no stray or oversized SKU is stored), and a
   * catalog product. Returns the product and the blocked orders the match can unblock.
   */
  async checkMatch(storeId: number, sellerSku: string, productSku: string): Promise<MatchCheck> {
    if (sellerSku === '') return { ok: false, field: 'sellerSku', message: 'Enter the Amazon SKU of the listing' };
    if (sellerSku.length > SELLER_SKU_CHARS) return { ok: false, field: 'sellerSku', message: `An Amazon SKU has at most ${SELLER_SKU_CHARS} characters` };
    const orderIds = await this.blockedOrderIds(storeId, sellerSku);
    if (orderIds.length === 0) return { ok: false, field: 'sellerSku', message: `No blocked order of this store contains the Amazon SKU ${quoted(sellerSku)}` };
    if (productSku === '') return { ok: false, field: 'productSku', message: 'Enter the SKU of a catalog product' };
    const product = productSku.length > SELLER_SKU_CHARS ? null : await this.catalog.findBySku(productSku);
    if (!product) return { ok: false, field: 'productSku', message: `The catalog has no product with SKU ${quoted(productSku)}` };
    return { ok: true, product, orderIds };
  }

  /** Row ids of the store's blocked orders that contain the seller SKU, oldest first. */
  async blockedOrderIds(storeId: number, sellerSku: string): Promise<number[]> {
    const rows: Array<{ id: unknown }> = await this.db('amazon_order as o')
      .where({ 'o.store_id': storeId, 'o.import_state': 'blocked' })
      .whereExists((q) => q.select(this.db.raw('1')).from('amazon_order_item as i').whereRaw('i.order_id = o.id').where('i.seller_sku', sellerSku))
      .orderBy([{ column: 'o.purchase_date' }, { column: 'o.id' }])
      .select('o.id');
    return rows.map((row) => Number(row.id));
  }
}
