import { expect } from 'chai';
import sinon from 'sinon';
import { ClockError, parseIsoDateTime, SandboxClock } from '../../sandbox/amazon/clock.ts';
import { formatMoney, MoneyFormatError, parseMoney, percentOf } from '../../sandbox/amazon/money.ts';
import { child, childText, el, elWithAttributes, parseXml, renderXml, XmlError } from '../../src/amazon/xml.ts';
import { assertContract, ContractError, toJsonSchema } from '../support/sp-api-contract.ts';

describe('Amazon sandbox building blocks', () => {
  describe('SandboxClock', () => {
    it('runs at a speed factor of real time and can be frozen', () => {
      const real = sinon.stub<[], number>().returns(1_000);
      const clock = new SandboxClock({ start: '2026-01-01T00:00:00Z', speed: 60 }, real);
      const start = Date.parse('2026-01-01T00:00:00Z');
      real.returns(2_000);
      expect(clock.now()).to.equal(start + 60_000);
      clock.setSpeed(0);
      real.returns(10_000);
      expect(clock.now()).to.equal(start + 60_000);
      clock.advance(5_000);
      expect(clock.now()).to.equal(start + 65_000);
      expect(() => clock.setSpeed(-1)).to.throw(ClockError);
    });

    it('runs due tasks in time order with their due time, including tasks scheduled by tasks', () => {
      const clock = new SandboxClock({ start: 0, speed: 0 });
      const ran: Array<[string, number]> = [];
      clock.schedule(300, (at) => ran.push(['c', at]));
      clock.schedule(100, (at) => {
        ran.push(['a', at]);
        clock.schedule(at + 50, (when) => ran.push(['a+50', when]));
      });
      clock.schedule(100, (at) => ran.push(['b', at]));
      const cancel = clock.schedule(200, () => ran.push(['cancelled', 0]));
      cancel();
      clock.advance(299);
      expect(ran).to.deep.equal([
        ['a', 100],
        ['b', 100],
        ['a+50', 150],
      ]);
      clock.advance(1);
      expect(ran.at(-1)).to.deep.equal(['c', 300]);
      expect(clock.pendingTasks()).to.equal(0);
    });

    it('never goes back', () => {
      const clock = new SandboxClock({ start: 1_000_000, speed: 0 });
      clock.set(2_000_000);
      expect(() => clock.set(1_500_000)).to.throw(ClockError, /back/);
      expect(() => clock.advance(-1)).to.throw(ClockError);
    });

    it('never leaves the years ISO 8601 writes with four digits, nor runs so fast it would soon', () => {
      // Found by the CLI fuzz: `asc sandbox:clock:advance --minutes 999999999999999` moved the clock past what a Date
      // holds, and every later request (reset included) answered 500 "Invalid time value".
      const clock = new SandboxClock({ start: '2026-01-01T00:00:00Z', speed: 0 });
      expect(() => clock.advance(999_999_999_999_999 * 60_000)).to.throw(ClockError, /ends at 9999-12-31T23:59:59.999Z/);
      expect(() => clock.set('+010000-01-01T00:00:00Z')).to.throw(ClockError);
      expect(new Date(clock.now()).toISOString()).to.equal('2026-01-01T00:00:00.000Z');
      clock.set('9999-12-31T23:59:59.999Z');
      expect(() => clock.advance(1)).to.throw(ClockError);
      expect(() => clock.setSpeed(1e15)).to.throw(ClockError, /from 0 to 1000000/);
      clock.setSpeed(1_000_000);
    });

    it('parses strict ISO 8601 date-times only', () => {
      expect(parseIsoDateTime('2026-03-02T12:00:00Z')).to.equal(Date.UTC(2026, 2, 2, 12));
      expect(parseIsoDateTime('2026-03-02T12:00:00.123+01:00')).to.equal(Date.UTC(2026, 2, 2, 11, 0, 0, 123));
      expect(parseIsoDateTime('2026-03-02T12:00:00+0100')).to.equal(Date.UTC(2026, 2, 2, 11));
      for (const bad of ['2026-03-02', '2026-03-02T12:00Z', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-03-02 12:00:00Z', '1709380800']) {
        expect(parseIsoDateTime(bad), bad).to.equal(null);
      }
    });
  });

  describe('money', () => {
    it('parses and formats decimal strings by currency without floats', () => {
      expect(parseMoney('19.99', 'USD')).to.equal(1999n);
      expect(parseMoney('19.9', 'EUR')).to.equal(1990n);
      expect(parseMoney('1980', 'JPY')).to.equal(1980n);
      expect(parseMoney('0.1', 'USD') + parseMoney('0.2', 'USD')).to.equal(parseMoney('0.30', 'USD'));
      expect(formatMoney(1999n, 'USD')).to.equal('19.99');
      expect(formatMoney(5n, 'EUR')).to.equal('0.05');
      expect(formatMoney(-5n, 'EUR')).to.equal('-0.05');
      expect(formatMoney(1980n, 'JPY')).to.equal('1980');
      expect(formatMoney(12345678901234567890n, 'USD')).to.equal('123456789012345678.90');
      for (const [text, currency] of [['1.999', 'USD'], ['1980.5', 'JPY'], ['1,99', 'EUR'], ['-1.00', 'USD'], ['1e3', 'USD'], ['', 'USD']]) {
        expect(() => parseMoney(text!, currency!), `${text} ${currency}`).to.throw(MoneyFormatError);
      }
      expect(() => parseMoney('1', 'XXX')).to.throw(MoneyFormatError);
    });

    it('rounds percentages half up in integers', () => {
      expect(percentOf(1000n, 825)).to.equal(83n); // 82.5 -> 83
      expect(percentOf(999n, 1000)).to.equal(100n); // 99.9
      expect(percentOf(4n, 1000)).to.equal(0n); // 0.4
    });
  });

  describe('XML reader', () => {
    it('reads elements, attributes, text, entities, CDATA and comments', () => {
      const doc = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<!-- a feed -->
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation='amzn-envelope.xsd'>
  <Header><MerchantIdentifier>A&amp;B &lt;shop&gt; &#233;&#x4E2D;</MerchantIdentifier></Header>
  <Amount currency="EUR">12.50</Amount>
  <Note><![CDATA[<not a tag> & fine]]></Note>
  <Empty/>
</AmazonEnvelope>`);
      expect(doc.name).to.equal('AmazonEnvelope');
      expect(doc.attributes['xsi:noNamespaceSchemaLocation']).to.equal('amzn-envelope.xsd');
      expect(childText(child(doc, 'Header')!, 'MerchantIdentifier')).to.equal('A&B <shop> é中');
      expect(child(doc, 'Amount')).to.deep.include({ attributes: { currency: 'EUR' }, text: '12.50' });
      expect(childText(doc, 'Note')).to.equal('<not a tag> & fine');
      expect(child(doc, 'Empty')).to.deep.equal({ name: 'Empty', attributes: {}, children: [], text: '' });
    });

    const broken: Array<[string, string]> = [
      ['mismatched tags', '<a><b></a></b>'],
      ['an unclosed element', '<a><b></b>'],
      ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'],
      ['an unknown entity', '<a>&nbsp;</a>'],
      ['a bare ampersand', '<a>fish & chips</a>'],
      ['two roots', '<a/><b/>'],
      ['text outside the root', 'hello <a/>'],
      ['an unquoted attribute', '<a x=1/>'],
      ['a duplicate attribute', '<a x="1" x="2"/>'],
      ['"<" in an attribute', '<a x="<"/>'],
      ['an invalid character reference', '<a>&#0;</a>'],
      ['another encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><a/>'],
      ['nothing', ''],
    ];
    for (const [what, xml] of broken) {
      it(`rejects ${what}`, () => {
        expect(() => parseXml(xml)).to.throw(XmlError, /line \d+, column \d+/);
      });
    }

    it('writes escaped XML that it reads back', () => {
      const xml = renderXml(elWithAttributes('Root', { note: 'a "quote" & <tag>' }, el('Text', 'x < y & z'), el('Skipped', undefined), undefined, el('N', 3)));
      const doc = parseXml(xml);
      expect(doc.attributes.note).to.equal('a "quote" & <tag>');
      expect(childText(doc, 'Text')).to.equal('x < y & z');
      expect(childText(doc, 'N')).to.equal('3');
      expect(child(doc, 'Skipped')!.children).to.deep.equal([]);
    });
  });

  describe('contract helper', () => {
    const headers = { 'x-amzn-RequestId': 'id', 'x-amzn-RateLimit-Limit': '0.5' };
    const order = { orderId: '111-1111111-1111111', createdTime: '2026-01-01T00:00:00Z', lastUpdatedTime: '2026-01-01T00:00:00Z', salesChannel: { channelName: 'AMAZON' }, orderItems: [] };

    it('accepts a response that matches the model', () => {
      assertContract('orders_2026-01-01', 'getOrder', { status: 200, headers, body: { order } });
      assertContract('ordersV0', 'confirmShipment', { status: 204, headers, body: undefined });
    });

    it('rejects missing required fields, unknown fields, wrong types, undocumented statuses and wrong headers', () => {
      const { orderItems: _o, ...noItems } = order;
      expect(() => assertContract('orders_2026-01-01', 'getOrder', { status: 200, headers, body: { order: noItems } })).to.throw(ContractError, /orderItems/);
      expect(() => assertContract('orders_2026-01-01', 'getOrder', { status: 200, headers, body: { order: { ...order, payload: {} } } })).to.throw(ContractError, /additional/);
      expect(() => assertContract('orders_2026-01-01', 'getOrder', { status: 200, headers, body: { order: { ...order, createdTime: 'yesterday' } } })).to.throw(ContractError, /date-time/);
      expect(() => assertContract('orders_2026-01-01', 'getOrder', { status: 418, headers, body: {} })).to.throw(/does not document status 418/);
      expect(() => assertContract('orders_2026-01-01', 'getOrder', { status: 200, headers: { 'x-amzn-RequestId': 'id' }, body: { order } })).to.throw(ContractError, /RateLimit/);
      expect(() => assertContract('orders_2026-01-01', 'getOrder', { status: 429, headers, body: { errors: [] } })).to.throw(ContractError, /RateLimit/);
      expect(() => assertContract('orders_2026-01-01', 'getOrder', { status: 200, headers: {}, body: { order } })).to.throw(ContractError, /RequestId/);
      expect(() => assertContract('ordersV0', 'confirmShipment', { status: 204, headers, body: {} })).to.throw(ContractError, /no body/);
    });

    it('rewrites definition refs to absolute ones and drops swagger-only keys', () => {
      expect(toJsonSchema({ $ref: '#/definitions/Money', 'x-docgen': 1, example: 2 }, 'f.json', true)).to.deep.equal({ $ref: 'f.json#/definitions/Money' });
      expect(toJsonSchema({ type: 'object', properties: { a: { type: 'string' } } }, 'f.json', true)).to.deep.equal({
        type: 'object',
        properties: { a: { type: 'string' } },
        additionalProperties: false,
      });
    });
  });
});
