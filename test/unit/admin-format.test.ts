import { expect } from 'chai';
import { addressLines } from '../../src/admin/format.ts';

describe('admin formatting', () => {
  it('prints an address as street lines, "City, STATE POSTAL" and the country name', () => {
    expect(addressLines({ name: 'Jane', addressLine1: '1 Main St', addressLine2: 'Apt 2', city: 'Seattle', stateOrRegion: 'WA', postalCode: '98101', countryCode: 'US' })).to.deep.equal([
      '1 Main St',
      'Apt 2',
      'Seattle, WA 98101',
      'United States',
    ]);
    // The same layout where there is no state, and with a district; parts not sent are left out.
    expect(addressLines({ addressLine1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', countryCode: 'DE' })).to.deep.equal(['Unter den Linden 1', 'Berlin, 10117', 'Germany']);
    expect(addressLines({ addressLine1: ' 5 Rue X ', districtOrCounty: 'Marais', municipality: 'Paris', postalCode: '75004', countryCode: 'fr' })).to.deep.equal(['5 Rue X', 'Marais', 'Paris, 75004', 'France']);
    expect(addressLines({ stateOrRegion: 'WA', countryCode: 'US' })).to.deep.equal(['WA', 'United States']);
    expect(addressLines({ city: 'Somewhere', countryCode: '1' })).to.deep.equal(['Somewhere', '1']);
    expect(addressLines({})).to.deep.equal([]);
  });
});
