import { expect } from 'chai';
import { fromUnits, isDecimalString, share, toUnits } from '../../sandbox/host/money.ts';

describe('money helpers', () => {
  it('converts decimal strings to ten-thousandths and back without floats', () => {
    expect(toUnits('11.01')).to.equal(110100n);
    expect(toUnits('0.1')).to.equal(1000n);
    expect(toUnits('999999999999999.9999')).to.equal(9999999999999999999n);
    expect(fromUnits(110100n)).to.equal('11.01');
    expect(fromUnits(1000n)).to.equal('0.10');
    expect(fromUnits(12345n)).to.equal('1.2345');
    expect(fromUnits(-500n)).to.equal('-0.05');
    // 0.1 + 0.2 is exactly 0.30 here.
    expect(fromUnits(toUnits('0.1') + toUnits('0.2'))).to.equal('0.30');
  });

  it('accepts only plain non-negative decimals with up to 4 places', () => {
    for (const ok of ['0', '1', '1.5', '1.2345']) expect(isDecimalString(ok), ok).to.equal(true);
    for (const bad of ['', '-1', '1.23456', '1e3', ' 1', '1,5', '.5', '1.']) expect(isDecimalString(bad), bad).to.equal(false);
    expect(() => toUnits('1e3')).to.throw(RangeError);
  });

  it('shares an amount over units so that the parts add up exactly', () => {
    const amount = toUnits('10.00');
    const parts = [share(amount, 1, 3), share(amount, 2, 3) - share(amount, 1, 3), share(amount, 3, 3) - share(amount, 2, 3)];
    expect(parts.map(fromUnits)).to.deep.equal(['3.33', '3.34', '3.33']);
    expect(parts.reduce((a, b) => a + b)).to.equal(amount);
    expect(fromUnits(share(toUnits('0.05'), 1, 2))).to.equal('0.03');
  });
});
