/** View model of the orders table (All Orders and Recent Orders): columns, sort links and rows. */
import type { HostAdminLinks } from '../host/contributions.ts';
import type { OrderGridRow, SortColumn } from '../orders/order-grid.ts';
import type { AdminUrls } from './admin-urls.ts';
import { moneyText, statusSlug, timeText, type TimeText } from './format.ts';
import { gridQuery, hasFilters, type GridState } from './grid-state.ts';
import { orderNumberLink, type OrderNumberLink } from './order-links.ts';

export const GRID_COLUMNS: Array<{ key: SortColumn; label: string }> = [
  { key: 'purchaseDate', label: 'Purchase Date' },
  { key: 'orderNumber', label: 'Order Number' },
  { key: 'status', label: 'Status' },
  { key: 'buyerName', label: "Buyer's Name" },
  { key: 'grandTotal', label: 'Grand Total' },
  { key: 'note', label: 'Order Notes' },
];

export interface ColumnView {
  label: string;
  numeric: boolean;
  /** Sort link, or null when the table is not sortable (Recent Orders). */
  sortHref: string | null;
  /** aria-sort value on the active column only. */
  ariaSort: 'ascending' | 'descending' | null;
  /** Said to screen readers on the link: what a click does. */
  sortHint: string;
  /** ▲ / ▼ on the active column, ↕ on the others (decorative). */
  sortIcon: string;
}

export interface OrderRowView {
  purchaseDate: TimeText;
  orderNumber: string;
  link: OrderNumberLink;
  status: string;
  statusSlug: string;
  buyerName: string;
  grandTotal: string;
  note: string;
  /** Blocked from import or in Error: the row is marked for the admin. */
  attention: boolean;
}

export function gridColumns(state: GridState | null, pathFor: (query: URLSearchParams) => string): ColumnView[] {
  return GRID_COLUMNS.map(({ key, label }) => {
    const numeric = key === 'grandTotal';
    if (!state) return { label, numeric, sortHref: null, ariaSort: null, sortHint: '', sortIcon: '' };
    const active = state.sort.column === key;
    const next = active && state.sort.direction === 'asc' ? 'desc' : 'asc';
    return {
      label,
      numeric,
      sortHref: pathFor(gridQuery(state, { sort: { column: key, direction: next } })),
      ariaSort: active ? (state.sort.direction === 'asc' ? 'ascending' : 'descending') : null,
      sortHint: `sort ${next === 'asc' ? 'ascending' : 'descending'}`,
      sortIcon: active ? (state.sort.direction === 'asc' ? '▲' : '▼') : '↕',
    };
  });
}

/** What an empty table says: a filter that matches nothing is not a store without orders. */
export function emptyGridText(state: GridState): string {
  return hasFilters(state.applied) ? 'No orders match these filters.' : 'No orders yet.';
}

export function gridRows(rows: OrderGridRow[], storeId: number, importEnabled: boolean, urls: AdminUrls, links: HostAdminLinks): OrderRowView[] {
  return rows.map((row) => ({
    purchaseDate: timeText(row.purchaseDate),
    orderNumber: row.amazonOrderId,
    link: orderNumberLink({ ...row, storeId }, importEnabled, urls, links),
    status: row.status,
    statusSlug: statusSlug(row.status),
    buyerName: row.buyerName ?? '',
    grandTotal: row.grandTotal ? moneyText(row.grandTotal.amount, row.grandTotal.currencyCode) : '',
    note: row.note ?? '',
    attention: row.importState === 'blocked' || row.status === 'Error',
  }));
}
