import { expect } from 'chai';
import { parseDateInput, parseGridFilter } from '../../src/orders/grid-filter-input.ts';

describe('grid filter input', () => {
  it('parses days and instants, refusing dates not on the calendar', () => {
    expect(parseDateInput('2026-11-26')).to.deep.equal({ start: new Date('2026-11-26T00:00:00Z'), wholeDay: true });
    expect(parseDateInput('2026-11-26T10:00:00Z')?.start.toISOString()).to.equal('2026-11-26T10:00:00.000Z');
    for (const bad of ['2026-13-40', '2026-02-30', '26-11-2026', 'yesterday', '2026-02-30T10:00:00Z', '2026-11-26T10:00']) {
      expect(parseDateInput(bad), bad).to.equal(null);
    }
  });

  it('includes the whole "to" day and keeps good filters when one is bad', () => {
    const { filter, errors } = parseGridFilter(1, { from: '2026-11-01', to: '2026-13-40', buyer: ' jane ', min: '10.5', max: 'ten', statuses: ['Unshipped', 'Lost'] });
    expect(filter).to.deep.equal({ storeId: 1, from: new Date('2026-11-01T00:00:00Z'), buyer: 'jane', min: '10.5', statuses: ['Unshipped'] });
    expect(errors.map((e) => e.field)).to.deep.equal(['statuses', 'to', 'max']);
    expect(errors[1].message).to.equal('"2026-13-40" is not a date (use YYYY-MM-DD)');
    expect(parseGridFilter(1, { to: '2026-11-26' }).filter.to).to.deep.equal(new Date('2026-11-27T00:00:00Z'));
  });

  it('refuses min above max and a start after the end', () => {
    const { filter, errors } = parseGridFilter(1, { min: '20', max: '19.99', from: '2026-11-10', to: '2026-11-01' });
    expect(errors.map((e) => e.message)).to.deep.equal(['must not be before the start date', 'must not be less than the minimum total']);
    expect(filter).to.deep.equal({ storeId: 1, min: '20', from: new Date('2026-11-10T00:00:00Z') });
  });
});
