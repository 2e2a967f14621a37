import { expect } from 'chai';
import { searchText } from '../../src/orders/search-text.ts';

describe('search text folding', () => {
  it('folds case and accents the same way for stored names and typed filters', () => {
    expect(searchText('Zoë ÄRNE Ångström')).to.equal('zoe arne angstrom');
    expect(searchText('O\'Brien 100%')).to.equal("o'brien 100%");
    expect(searchText('ＺＯＥ')).to.equal('zoe');
    expect(searchText(null)).to.equal(null);
  });
});
