import { expect } from 'chai';
import { isValidRange, satisfies } from '../../sandbox/host/semver.ts';

describe('semver range check', () => {
  it('caret keeps the left-most non-zero part', () => {
    expect(satisfies('1.0.0', '^1.0.0')).to.equal(true);
    expect(satisfies('1.9.3', '^1.2.0')).to.equal(true);
    expect(satisfies('1.1.9', '^1.2.0')).to.equal(false);
    expect(satisfies('2.0.0', '^1.0.0')).to.equal(false);
    expect(satisfies('0.2.9', '^0.2.3')).to.equal(true);
    expect(satisfies('0.3.0', '^0.2.3')).to.equal(false);
    expect(satisfies('0.0.3', '^0.0.3')).to.equal(true);
    expect(satisfies('0.0.4', '^0.0.3')).to.equal(false);
  });

  it('tilde allows patches; exact allows one version', () => {
    expect(satisfies('1.2.9', '~1.2.3')).to.equal(true);
    expect(satisfies('1.3.0', '~1.2.3')).to.equal(false);
    expect(satisfies('1.2.2', '~1.2.3')).to.equal(false);
    expect(satisfies('1.0.0', '1.0.0')).to.equal(true);
    expect(satisfies('1.0.0', '=1.0.0')).to.equal(true);
    expect(satisfies('1.0.1', '1.0.0')).to.equal(false);
  });

  it('refuses ranges it does not understand instead of guessing', () => {
    for (const range of ['>=1.0.0', '1.x', '^1', '*', '', '^01.0.0', '1.0.0 - 2.0.0']) {
      expect(isValidRange(range), range).to.equal(false);
      expect(() => satisfies('1.0.0', range)).to.throw(RangeError);
    }
  });
});
