import { expect } from 'chai';
import { divideAmount, formatMoney, fromE4, isDecimalAmount, MoneyFormatError, sumAmounts, toE4 } from '../../src/money.ts';

describe('money', () => {
  it('parses decimal strings exactly into ten-thousandths', () => {
    expect(toE4('11.01')).to.equal(110100n);
    expect(toE4('0.1')).to.equal(1000n);
    expect(toE4('1200')).to.equal(12000000n);
    expect(toE4('-3.125')).to.equal(-31250n);
    expect(toE4('90071992547409.99')).to.equal(900719925474099900n);
  });

  it('refuses what is not a plain decimal', () => {
    for (const bad of ['', 'abc', '1e3', '1,5', '1.23456', '--1', '1.']) {
      expect(() => toE4(bad), bad).to.throw(MoneyFormatError);
      expect(isDecimalAmount(bad), bad).to.equal(false);
    }
  });

  it('adds where floats would not: 0.1 + 0.2 = 0.30', () => {
    expect(sumAmounts(['0.1', '0.2'])).to.equal('0.30');
    expect(sumAmounts(['19.99', '5.01', null, '-2.50'])).to.equal('22.50');
    expect(sumAmounts(['1200', '300'], 0)).to.equal('1500');
  });

  it('formats back with the requested minimum of decimals', () => {
    expect(fromE4(110100n)).to.equal('11.01');
    expect(fromE4(12000000n, 0)).to.equal('1200');
    expect(fromE4(31250n)).to.equal('3.125');
    expect(fromE4(-5000n)).to.equal('-0.50');
  });

  it('divides only when the result is exact', () => {
    expect(divideAmount('39.98', 2)).to.equal('19.99');
    expect(() => divideAmount('10.00', 3)).to.throw(MoneyFormatError, /evenly/);
  });

  it('formats in the order currency', () => {
    expect(formatMoney('1234.5', 'USD')).to.equal('$1,234.50');
    expect(formatMoney('1200', 'JPY')).to.equal('¥1,200');
    expect(formatMoney('9007199254740993.01', 'EUR')).to.equal('€9,007,199,254,740,993.01');
  });
});
