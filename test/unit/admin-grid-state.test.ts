import { expect } from 'chai';
import { gridQuery, readGridState } from '../../src/admin/grid-state.ts';
import { filterFormView } from '../../src/admin/grid-filters-view.ts';
import { pagerView } from '../../src/admin/pager-view.ts';
import { decodeCursor, encodeCursor } from '../../src/orders/order-grid.ts';
import { gridColumns } from '../../src/admin/order-grid-view.ts';

const q = (text: string) => new URLSearchParams(text);
const path = (query: URLSearchParams) => `/orders${query.size ? `?${query}` : ''}`;

describe('orders grid state in the URL', () => {
  it('keeps every good filter when one is bad, and says which one', () => {
    const state = readGridState(7, q('from=2026-13-40&to=2026-11-30&buyer=jane&min=abc&max=50.5&status=Unshipped&status=Lost&sort=buyerName&dir=desc&page=3&pageSize=50'));
    expect(state.filter).to.deep.equal({ storeId: 7, to: new Date('2026-12-01T00:00:00Z'), buyer: 'jane', max: '50.5', statuses: ['Unshipped'] });
    expect(Object.keys(state.errors)).to.have.members(['from', 'min', 'statuses']);
    expect(state.typed.from).to.equal('2026-13-40');
    expect(state.applied).to.deep.equal({ to: '2026-11-30', buyer: 'jane', max: '50.5', statuses: ['Unshipped'] });
    expect(state).to.include({ page: 3, pageSize: 50 });
    expect(state.sort).to.deep.equal({ column: 'buyerName', direction: 'desc' });
  });

  it('falls back to defaults for unknown sort, page and page size values', () => {
    const state = readGridState(1, q('sort=constructor&dir=sideways&page=-2&pageSize=7'));
    expect(state.sort).to.deep.equal({ column: 'purchaseDate', direction: 'desc' });
    expect(state).to.include({ page: 1, pageSize: 20 });
    expect(readGridState(1, q('sort=grandTotal')).sort).to.deep.equal({ column: 'grandTotal', direction: 'asc' });
  });

  it('builds links from the accepted filters, resetting the page on any other change', () => {
    const state = readGridState(1, q('buyer=jane&min=x&page=4&pageSize=50'));
    expect(gridQuery(state).toString()).to.equal('buyer=jane&pageSize=50&page=4');
    expect(gridQuery(state, { page: 5 }).toString()).to.equal('buyer=jane&pageSize=50&page=5');
    expect(gridQuery(state, { sort: { column: 'status', direction: 'asc' } }).toString()).to.equal('buyer=jane&sort=status&dir=asc&pageSize=50');
    expect(gridQuery(state, { applied: {} }).toString()).to.equal('pageSize=50');
  });

  it('offers one chip per applied filter, each removing only itself', () => {
    const state = readGridState(1, q('from=2026-11-01&to=2026-11-30&buyer=jane&status=Shipped&status=Canceled&orderNumber=113&sort=status&dir=asc'));
    const form = filterFormView(state, { prefix: 't', action: '/orders', pathFor: path, orderNumber: true });
    expect(form.chips.map((c) => c.label)).to.deep.equal([
      'Purchase Date: 2026-11-01 – 2026-11-30',
      'Order Number: 113',
      'Buyer Name: jane',
      'Status: Shipped',
      'Status: Canceled',
    ]);
    expect(form.chips[3].href).to.equal('/orders?from=2026-11-01&to=2026-11-30&orderNumber=113&buyer=jane&status=Canceled&sort=status&dir=asc');
    expect(form.clearHref).to.equal('/orders?sort=status&dir=asc');
    expect(form.hidden).to.deep.equal([{ name: 'sort', value: 'status' }, { name: 'dir', value: 'asc' }]);
  });

  it('reads "needs attention" as blocked-or-Error or blocked only, with canonical links and chips', () => {
    const any = readGridState(1, q('attention=yes'));
    expect(any.filter.attention).to.equal('any');
    expect(gridQuery(any).toString()).to.equal('attention=1');
    const blocked = readGridState(1, q('attention=blocked'));
    expect(blocked.filter.attention).to.equal('blocked');
    const form = filterFormView(blocked, { prefix: 't', action: '/orders', pathFor: path, orderNumber: true });
    expect(form.chips.map((c) => c.label)).to.deep.equal(['Blocked from import']);
    expect(form.attention!.choices.map((c) => [c.value, c.checked])).to.deep.equal([['', false], ['1', false], ['blocked', true], ['error', false], ['ship-by', false]]);
    expect(readGridState(1, q('attention=maybe')).errors.attention).to.equal('"maybe" is not one of yes, no, blocked, error, ship-by');
    // Lookups of what the URL says never reach an object's own machinery.
    expect(readGridState(1, q('attention=toString')).errors.attention).to.equal('"tostring" is not one of yes, no, blocked, error, ship-by');
  });

  it('reads "in Error" and "to ship within 24 h", the latter from the clock it is given', () => {
    const error = readGridState(1, q('attention=error'));
    expect(error.filter).to.deep.include({ attention: 'error' });
    expect(filterFormView(error, { prefix: 't', action: '/orders', pathFor: path, orderNumber: true }).chips.map((c) => c.label)).to.deep.equal(['In Error']);
    const now = new Date('2026-11-26T10:00:00Z');
    const shipBy = readGridState(1, q('attention=ship-by'), now);
    expect(shipBy.filter).to.deep.include({ attention: 'ship-by', shipByBefore: new Date('2026-11-27T10:00:00Z') });
    expect(gridQuery(shipBy).toString()).to.equal('attention=ship-by');
  });

  it('marks the sorted column and links the others', () => {
    const columns = gridColumns(readGridState(1, q('sort=grandTotal&dir=asc')), path);
    const total = columns.find((c) => c.label === 'Grand Total')!;
    expect(total).to.include({ ariaSort: 'ascending', sortHref: '/orders?sort=grandTotal&dir=desc', sortIcon: '▲' });
    expect(columns.filter((c) => c.ariaSort !== null)).to.have.length(1);
    expect(columns.find((c) => c.label === 'Status')!.sortHref).to.equal('/orders?sort=status&dir=asc');
  });

  it('pages with a window of numbers and clamps past the end', () => {
    const pager = pagerView(readGridState(1, q('page=9')), 95, path);
    expect(pager.rangeText).to.equal('Showing 81–95 of 95 orders');
    expect(pager.nextHref).to.equal(null);
    expect(pager.previousHref).to.equal('/orders?page=4');
    expect(pager.pages.map((p) => (p.gap ? '…' : p.number))).to.deep.equal([1, '…', 3, 4, 5]);
    expect(pager.sizes.find((s) => s.current)?.size).to.equal(20);
    expect(pagerView(readGridState(1, q('')), 0, path).rangeText).to.equal('No orders');
  });

  it('beyond a bounded count, offers the pages known to have rows and no last page', () => {
    const pager = pagerView(readGridState(1, q('page=7')), 10_000, path, true);
    expect(pager.rangeText).to.equal('Showing 121–140 of more than 10,000 orders (counted no further, to keep the page fast)');
    expect(pager.pages.map((p) => (p.gap ? '…' : p.number))).to.deep.equal([1, '…', 5, 6, 7, 8, 9, '…']);
    expect(pager.nextHref).to.equal('/orders?page=8');
    // The last counted row's page still has a next page: there are rows past the bound.
    const end = pagerView(readGridState(1, q('page=500')), 10_000, path, true);
    expect(end.rangeText).to.match(/^Showing 9981–10000 of more than 10,000 orders/);
    expect(end.nextHref).to.equal('/orders?page=501');
    // A deep page (counted to two pages past it, as the page does) is never clamped to the count.
    const deep = pagerView(readGridState(1, q('page=600')), 602 * 20, path, true);
    expect(deep.pages.find((p) => p.current)?.number).to.equal(600);
    expect(deep.rangeText).to.match(/^Showing 11981–12000 of more than 12,040 orders/);
  });

  it('links the previous and next pages by the cursors of the page\'s first and last rows', () => {
    const state = readGridState(1, q('page=7&sort=note&dir=asc'));
    const pager = pagerView(state, 500, path, false, { first: 'FIRST', last: 'LAST' });
    expect(pager.nextHref).to.equal('/orders?sort=note&dir=asc&page=8&after=LAST');
    expect(pager.previousHref).to.equal('/orders?sort=note&dir=asc&page=6&before=FIRST');
    expect(pager.pages.find((p) => p.number === 9)?.href).to.equal('/orders?sort=note&dir=asc&page=9');
    // Page 1 needs no cursor.
    expect(pagerView(readGridState(1, q('page=2')), 500, path, false, { first: 'FIRST', last: 'LAST' }).previousHref).to.equal('/orders');
  });

  it('reads a cursor back as the sort column holds it, and pages by number when a cursor does not read', () => {
    const date = new Date('2026-11-26T09:45:13.123Z');
    const round = (column: Parameters<typeof encodeCursor>[0], key: string | Date | null) => decodeCursor(column, encodeCursor(column, { key, id: 42 }));
    expect(round('purchaseDate', date)).to.deep.equal({ key: date, id: 42 });
    expect(round('purchaseDate', date.getTime() as never)).to.deep.equal({ key: date, id: 42 });
    expect(round('note', 'Gift — 🎁 "wrapped"')).to.deep.equal({ key: 'Gift — 🎁 "wrapped"', id: 42 });
    expect(round('buyerName', null)).to.deep.equal({ key: null, id: 42 });
    expect(round('grandTotal', '1234500' as never)).to.deep.equal({ key: '1234500', id: 42 });
    const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of ['', 'not base64 json', token(['x']), token(['x', 0]), token(['x', 1.5]), token([{ a: 1 }, 3]), token(['yesterday', 3]).replace(/./, 'A')]) {
      expect(decodeCursor('purchaseDate', bad), bad).to.equal(null);
    }
    expect(decodeCursor('purchaseDate', token(['yesterday', 3]))).to.equal(null);
    const state = readGridState(1, q(`page=3&after=${encodeCursor('purchaseDate', { key: date, id: 9 })}`));
    expect(state.after).to.deep.equal({ key: date, id: 9 });
    expect(readGridState(1, q('page=3&after=garbage')).after).to.equal(undefined);
    expect(readGridState(1, q(`after=${token([null, 1])}&before=${token([null, 2])}`))).to.not.have.any.keys('after', 'before');
  });
});
