/** asc orders:list, orders:retry, match:set — Amazon orders from the console. */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { CliUsageError, type CliCommandContribution, type CliFlagValue, type CliIO } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import { GRID_STATUSES } from '../orders/rules.ts';
import { orderGridPage, type OrderGridRow } from '../orders/order-grid.ts';
import { parseGridFilter } from '../orders/grid-filter-input.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { Stores } from '../stores/stores.ts';
import { ImportRetry } from '../sync/import-retry.ts';
import { UnmatchedListings } from '../orders/unmatched-listings.ts';
import { withUsageErrors } from './errors.ts';
import { quoted } from '../text.ts';
import { printJson, printTable } from './output.ts';

const FILTER_FLAGS: Record<string, string> = { statuses: '--status', from: '--from', to: '--to', buyer: '--buyer', orderNumber: '--order', min: '--min', max: '--max' };

/** The JSON shape of an order row in `orders:list --json`. */
export function orderRowJson(row: OrderGridRow) {
  return {
    amazonOrderId: row.amazonOrderId,
    marketplaceId: row.marketplaceId,
    purchaseDate: row.purchaseDate.toISOString(),
    status: row.status,
    buyerName: row.buyerName,
    grandTotal: row.grandTotal,
    fulfilledBy: row.fulfilledBy,
    importState: row.importState,
    hostOrderId: row.hostOrderId,
    hostOrderNumber: row.hostOrderNumber,
    note: row.note,
  };
}

@injectable()
export class OrdersListCommand implements CliCommandContribution {
  readonly name = 'orders:list';
  readonly summary = "List a store's Amazon orders, newest first, as Amazon sent them";
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'status', type: 'string', description: `Status, or several separated by commas (${GRID_STATUSES.join(', ')})` },
    { name: 'from', type: 'string', description: 'Purchased on or after this day (YYYY-MM-DD) or instant (ISO-8601)' },
    { name: 'to', type: 'string', description: 'Purchased up to this day, inclusive (YYYY-MM-DD), or before this instant' },
    { name: 'buyer', type: 'string', description: "Part of the buyer's name (any case)" },
    { name: 'min', type: 'string', description: 'Lowest grand total, e.g. 10 or 9.99' },
    { name: 'max', type: 'string', description: 'Highest grand total' },
    { name: 'order', type: 'string', description: 'Part of the Amazon order number' },
    { name: 'limit', type: 'int', min: 0, description: 'At most this many rows (default 100; 0 = all)' },
    { name: 'json', type: 'switch', description: 'Print a JSON array' },
  ] as const;

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Stores) private readonly stores: Stores,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const store = await withUsageErrors(() => this.stores.get(flags.store as number));
    const { filter, errors } = parseGridFilter(store.id, {
      statuses: typeof flags.status === 'string' ? flags.status.split(',') : undefined,
      from: flags.from as string | undefined,
      to: flags.to as string | undefined,
      buyer: flags.buyer as string | undefined,
      orderNumber: flags.order as string | undefined,
      min: flags.min as string | undefined,
      max: flags.max as string | undefined,
    });
    if (errors.length > 0) throw new CliUsageError(errors.map((e) => `${FILTER_FLAGS[e.field]}: ${e.message}`).join('; '));
    const limit = (flags.limit as number | undefined) ?? 100;
    const rows = await orderGridPage(this.db, filter, undefined, limit === 0 ? null : { limit, offset: 0 });
    if (flags.json) printJson(io, rows.map(orderRowJson));
    else if (rows.length === 0) io.stdout.write('No orders match.\n');
    else {
      printTable(
        io,
        ['PURCHASE DATE', 'ORDER NUMBER', 'STATUS', "BUYER'S NAME", 'GRAND TOTAL', 'HOST ORDER', 'NOTE'],
        rows.map((r) => [
          r.purchaseDate.toISOString(),
          r.amazonOrderId,
          r.status,
          r.buyerName ?? '',
          r.grandTotal ? `${r.grandTotal.amount} ${r.grandTotal.currencyCode}` : '',
          r.hostOrderNumber ?? '',
          r.note ?? '',
        ]),
      );
    }
    return 0;
  }
}

@injectable()
export class OrdersRetryCommand implements CliCommandContribution {
  readonly name = 'orders:retry';
  readonly summary = 'Try to create the host order for one blocked Amazon order now';
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'order', type: 'string', required: true, description: 'Amazon order id' },
    { name: 'json', type: 'switch', description: 'Print the outcome as JSON' },
  ] as const;

  constructor(
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(ImportRetry) private readonly retry: ImportRetry,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const store = await withUsageErrors(() => this.stores.get(flags.store as number));
    const order = await this.orders.find(store.id, flags.order as string);
    if (!order) throw new CliUsageError(`--order: store ${store.id} has no Amazon order ${quoted(flags.order as string)}`);
    if (order.importState !== 'blocked' && order.importState !== 'ready') {
      throw new CliUsageError(`--order: order ${order.amazonOrderId} is not waiting for import (it is ${order.importState})`);
    }
    const retried = await this.retry.retry(store.id, [order.id]);
    if (retried.busy) {
      io.stderr.write(`A sync is running for store ${store.id}; it retries this order itself. Try again when it is done.\n`);
      return 1;
    }
    const outcome = retried.outcomes[0]?.outcome ?? 'skipped';
    const after = (await this.orders.get(order.id))!;
    if (flags.json) printJson(io, { amazonOrderId: after.amazonOrderId, outcome, hostOrderId: after.hostOrderId, note: after.note });
    else io.stdout.write(`${after.amazonOrderId}: ${outcome}${after.note ? ` - ${after.note}` : ''}\n`);
    return outcome === 'imported' ? 0 : 1;
  }
}

@injectable()
export class MatchSetCommand implements CliCommandContribution {
  readonly name = 'match:set';
  readonly summary = 'Match an Amazon seller SKU to a host catalog product (blocked orders retry on the next sync)';
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'seller-sku', type: 'string', required: true, description: 'The SKU of the Amazon listing' },
    { name: 'product', type: 'string', required: true, description: 'SKU of the host catalog product' },
    { name: 'json', type: 'switch', description: 'Print the match as JSON' },
  ] as const;

  constructor(
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(UnmatchedListings) private readonly listings: UnmatchedListings,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const store = await withUsageErrors(() => this.stores.get(flags.store as number));
    const sellerSku = (flags['seller-sku'] as string).trim();
    // The admin form's rule: a SKU of a blocked order, and a catalog product.
    const checked = await this.listings.checkMatch(store.id, sellerSku, (flags.product as string).trim());
    if (!checked.ok) throw new CliUsageError(`${checked.field === 'sellerSku' ? '--seller-sku' : '--product'}: ${checked.message}`);
    const { product } = checked;
    await this.orders.setListingMatch(store.id, sellerSku, product.sku);
    if (flags.json) printJson(io, { storeId: store.id, sellerSku, productSku: product.sku, productId: product.id });
    else io.stdout.write(`Amazon SKU "${sellerSku}" of store ${store.id} now matches host product "${product.sku}" (${product.name})\n`);
    return 0;
  }
}
