/**
 * Export CSV of All Orders: the whole filtered set in the grid's sort, streamed from the database
 * in batches through the grid's own query builder (never buffered whole).
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { orderGridRows, type OrderGridFilter, type OrderGridSort } from '../orders/order-grid.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS } from './admin-urls.ts';
import { csvLine } from './csv.ts';
import { readGridState } from './grid-state.ts';
import { ModuleRoute, storeIdParam } from './module-route.ts';
import { AdminViews } from './renderer.ts';

export const CSV_HEADER = ['Purchase Date (UTC)', 'Order Number', 'Status', "Buyer's Name", 'Grand Total', 'Currency', 'Order Notes', 'Host Order Number', 'Fulfilled By'];

/** Rows are written in chunks of this many lines. */
const CHUNK_ROWS = 200;

/** Byte order mark: without it Excel reads the UTF-8 file as a legacy code page and garbles "Zoë". */
export const CSV_BOM = '\uFEFF';

export async function* ordersCsv(db: Knex, filter: OrderGridFilter, sort: OrderGridSort): AsyncGenerator<string> {
  yield CSV_BOM + csvLine(CSV_HEADER);
  let chunk = '';
  let lines = 0;
  for await (const row of orderGridRows(db, filter, sort)) {
    chunk += csvLine([
      row.purchaseDate.toISOString(),
      row.amazonOrderId,
      row.status,
      row.buyerName,
      // The exact decimal Amazon sent, so a spreadsheet sums it without formatting in the way.
      row.grandTotal?.amount ?? null,
      row.grandTotal?.currencyCode ?? null,
      row.note,
      row.hostOrderNumber,
      row.fulfilledBy,
    ]);
    if (++lines === CHUNK_ROWS) {
      yield chunk;
      chunk = '';
      lines = 0;
    }
  }
  if (chunk !== '') yield chunk;
}

@injectable()
export class OrdersCsvExport extends ModuleRoute {
  readonly id = 'amazon_orders_csv';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.ordersCsv;
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Stores) private readonly stores: Stores,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest): Promise<AdminResponse> {
    const store = await this.stores.get(storeIdParam(request));
    // The same reading as the page: refused filters are left out, the accepted ones apply.
    const state = readGridState(store.id, request.query, this.clock.now());
    const stamp = this.clock.now().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    return {
      kind: 'download',
      contentType: 'text/csv; charset=utf-8',
      filename: `amazon-orders-store${store.id}-${stamp}.csv`,
      body: ordersCsv(this.db, state.filter, state.sort),
    };
  }
}
