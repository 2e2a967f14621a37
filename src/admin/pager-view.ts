/** View model of the pager: position, previous/next, a window of page numbers and the page size. */
import { gridQuery, PAGE_SIZES, type GridState } from './grid-state.ts';

export interface PagerView {
  rangeText: string;
  previousHref: string | null;
  nextHref: string | null;
  /** Page links; `gap` marks an ellipsis between non-adjacent numbers. */
  pages: Array<{ gap: boolean; number: number; href: string; current: boolean }>;
  sizes: Array<{ size: number; href: string; current: boolean }>;
}

/** The last page that has rows (1 when there are none): a page past the end shows the last one. */
export function lastPage(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** The encoded cursors of the page's first and last rows: its previous and next pages start there. */
export interface PageCursors {
  first: string | null;
  last: string | null;
}

/**
 * `more`: there are more than `total` orders, counted no further (see COUNT_BOUND); the pager then
 * offers the pages it knows have rows, and no last page. With `cursors`, the previous and next
 * pages are linked by keyset (read from the index however deep), the others by number.
 */
export function pagerView(state: GridState, total: number, pathFor: (query: URLSearchParams) => string, more = false, cursors?: PageCursors): PagerView {
  // Beyond a bounded count, rows exist at least one past it.
  const last = more ? Math.floor(total / state.pageSize) + 1 : lastPage(total, state.pageSize);
  const page = Math.min(state.page, last);
  const href = (number: number) => {
    const after = number === page + 1 && cursors?.last ? { after: cursors.last } : {};
    const before = number === page - 1 && number > 1 && cursors?.first ? { before: cursors.first } : {};
    return pathFor(gridQuery(state, { page: number, ...after, ...before }));
  };
  const first = total === 0 ? 0 : (page - 1) * state.pageSize + 1;
  const end = Math.min(total, page * state.pageSize);
  const window = [1, page - 2, page - 1, page, page + 1, page + 2, ...(more ? [] : [last])];
  const numbers = [...new Set(window)].filter((n) => n >= 1 && n <= last).sort((a, b) => a - b);
  const pages: PagerView['pages'] = [];
  numbers.forEach((number, index) => {
    if (index > 0 && number - numbers[index - 1] > 1) pages.push({ gap: true, number: 0, href: '', current: false });
    pages.push({ gap: false, number, href: href(number), current: number === page });
  });
  if (more) pages.push({ gap: true, number: 0, href: '', current: false });
  const noun = total === 1 && !more ? 'order' : 'orders';
  return {
    rangeText:
      total === 0
        ? 'No orders'
        : more
          ? `Showing ${first}–${end} of more than ${total.toLocaleString('en-US')} ${noun} (counted no further, to keep the page fast)`
          : `Showing ${first}–${end} of ${total} ${noun}`,
    previousHref: page > 1 ? href(page - 1) : null,
    nextHref: page < last ? href(page + 1) : null,
    pages,
    sizes: PAGE_SIZES.map((size) => ({ size, href: pathFor(gridQuery(state, { pageSize: size })), current: size === state.pageSize })),
  };
}
