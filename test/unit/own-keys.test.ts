/**
 * Text from outside that is looked up in an object literal finds only the object's own keys:
 * "toString", "__proto__", "constructor" or "valueOf" from Amazon or a URL is just an unknown word.
 */
import { expect } from 'chai';
import { own } from '../../src/own.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { parseXml, XmlError, XmlParseError } from '../../src/amazon/xml.ts';
import { defaultEndpoint, type Region } from '../../src/amazon/config.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';

const HOSTILE = ['toString', '__proto__', 'constructor', 'valueOf', 'hasOwnProperty'];

describe("lookups of outside text use own keys only", () => {
  it('own() finds own keys and nothing of the prototype', () => {
    const record = { a: 1 };
    expect(own(record, 'a')).to.equal(1);
    for (const key of HOSTILE) expect(own(record, key), key).to.equal(undefined);
  });

  it("an Amazon proceeds breakdown typed like Object's members is an unknown breakdown, not a crash", () => {
    for (const type of HOSTILE) {
      const item = amazonItem();
      item.proceeds!.breakdowns!.push(
        { type, subtotal: { amount: '1.00', currencyCode: 'USD' } },
        { type: 'TAX', subtotal: { amount: '0.10', currencyCode: 'USD' }, detailedBreakdowns: [{ subtype: type, value: { amount: '0.10', currencyCode: 'USD' } }] },
      );
      const snapshot = snapshotFromAmazon(amazonOrder({ orderItems: [item] }), 'ATVPDKIKX0DER');
      expect(snapshot.unrecognizedProceeds.map((p) => p.kind), type).to.deep.equal([type, `TAX/${type}`]);
      expect(snapshot.items[0]!.proceeds.item.amount).to.have.length(1);
    }
  });

  it('an entity named like an Object member in a processing report is refused', () => {
    for (const name of HOSTILE.filter((n) => /^[a-zA-Z]+$/.test(n))) {
      expect(() => parseXml(`<r>&${name};</r>`), name).to.throw(XmlParseError, `Unknown XML entity &${name};`);
    }
  });

  it("XML elements and attributes named like Object's members are own keys; the names that would reach the prototype are refused", () => {
    const root = parseXml('<r toString="1" hasOwnProperty="2"><valueOf/><toString>t</toString></r>');
    expect(Object.keys(root.attributes)).to.deep.equal(['toString', 'hasOwnProperty']);
    expect(Object.hasOwn(root.attributes, 'toString')).to.equal(true);
    expect(root.children.map((c) => [c.name, c.text])).to.deep.equal([['valueOf', ''], ['toString', 't']]);
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect(() => parseXml(`<r>\n <${name}/></r>`), name).to.throw(XmlError, `line 2, column 2: the element name ${name} is not accepted`);
      expect(() => parseXml(`<r ${name}="x"/>`), name).to.throw(XmlError, `line 1, column 4: the attribute name ${name} is not accepted`);
    }
    expect(Object.getPrototypeOf(parseXml('<r a="1"/>').attributes)).to.equal(Object.prototype);
  });

  it('a region named like an Object member has no endpoint', () => {
    for (const region of HOSTILE) expect(() => defaultEndpoint(region as Region), region).to.throw(`Unknown Amazon region "${region}"`);
  });
});
