import { expect } from 'chai';
import { buildHostOrderRequest, splitName, WITHHELD } from '../../src/orders/host-order-request.ts';
import { shorten } from '../../src/text.ts';
import { OrderDataError, type OrderSnapshot } from '../../src/orders/order-snapshot.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { DEFAULT_ORDER_SETTINGS } from '../../src/stores/order-settings.ts';
import { fromE4, toE4 } from '../../src/money.ts';
import type { ItemProceedsBreakdown, Money, Order } from '../../src/amazon/models.ts';
import type { CreateOrderRequest, HostProduct } from '../../src/host/ports.ts';
import { amazonItem, amazonOrder } from '../support/amazon-orders.ts';
import { category, proceeds, snapshot, snapshotItem } from '../support/snapshots.ts';

/** What the host's parts add up to: lines, shipping and charges, each plus tax minus discount. */
function hostTotal(request: CreateOrderRequest): string {
  const net = (amount: string, tax: string, discount: string) => toE4(amount) + toE4(tax) - toE4(discount);
  let total = net(request.shippingAmount, request.shippingTaxAmount, request.shippingDiscountAmount);
  for (const l of request.lines) total += net(l.unitPrice, '0', '0') * BigInt(l.qty) + net('0', l.taxAmount, l.discountAmount);
  for (const c of request.charges ?? []) total += net(c.amount, c.taxAmount, c.discountAmount);
  return fromE4(total);
}

const products = new Map<string, HostProduct>([
  ['MUG-RED', { id: '7', sku: 'MUG-RED', name: 'Red mug', enabled: true, manageStock: true }],
  ['TEA', { id: '8', sku: 'TEA-HOST', name: 'Tea', enabled: true, manageStock: true }],
]);

describe('host order request', () => {
  it('carries Amazon prices, tax, shipping, discounts and total exactly', () => {
    const order = snapshot({
      items: [
        snapshotItem(),
        snapshotItem({
          orderItemId: '10002', sellerSku: 'TEA', title: 'Tea', quantityOrdered: 1, unitPrice: { amount: '0.10', currencyCode: 'USD' },
          proceeds: proceeds({ item: category({ amount: '0.10', tax: '0.01', discount: '0.05' }), shipping: category({ amount: '0.20', tax: '0.02', discount: '0.10' }) }),
        }),
      ],
      grandTotal: { amount: '48.75', currencyCode: 'USD' },
    });
    const request = buildHostOrderRequest({ order, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false });
    expect(request.lines).to.deep.equal([
      // Each line carries its Amazon order item id, so fulfillment can tell lines of one SKU apart.
      { productId: '7', sku: 'MUG-RED', name: 'Red mug', qty: 2, unitPrice: '19.99', taxAmount: '3.20', discountAmount: '0.00', externalReference: '10001' },
      { productId: '8', sku: 'TEA-HOST', name: 'Tea', qty: 1, unitPrice: '0.10', taxAmount: '0.01', discountAmount: '0.05', externalReference: '10002' },
    ]);
    expect(request).to.include({
      shippingAmount: '5.19', shippingTaxAmount: '0.42', shippingDiscountAmount: '0.10', grandTotal: '48.75', currencyCode: 'USD',
      idempotencyKey: 'amazon-order:113-0000001-0000001', externalReference: '113-0000001-0000001', channel: 'amazon',
      state: 'processing', status: null, orderNumber: null, deductStock: true, reservationKey: null, notifyCustomer: false,
      paymentMethod: 'Amazon payment', shippingMethod: 'Amazon shipping (Standard)',
    });
    expect(request.customer).to.deep.equal({ mode: 'guest', email: 'jane@marketplace.amazon.example', firstName: 'Jane', lastName: 'Q. Buyer' });
    expect(request.shippingAddress).to.deep.include({ street: ['1 Main St', 'Apt 2'], city: 'Seattle', postalCode: '98101', countryCode: 'US' });
  });

  it('follows the settings: Amazon order number, new account, custom status, store view, reservation', () => {
    const settings = { ...DEFAULT_ORDER_SETTINGS, orderNumberSource: 'amazon' as const, customerCreation: 'account' as const, orderStatus: 'custom' as const, processingStatus: 'amazon_processing', hostStoreView: 'outlet' };
    const request = buildHostOrderRequest({ order: snapshot(), settings, products, reserved: true });
    expect(request).to.include({ orderNumber: '113-0000001-0000001', status: 'amazon_processing', storeView: 'outlet', reservationKey: 'amazon-pending:113-0000001-0000001' });
    expect(request.customer.mode).to.equal('account');
    // Without the buyer's e-mail an account would be a placeholder customer per order: a guest order instead.
    const withheld = buildHostOrderRequest({ order: snapshot({ buyerEmail: null }), settings, products, reserved: true });
    expect(withheld.customer).to.include({ mode: 'guest', email: '113-0000001-0000001@buyer-email-withheld.amazon.invalid' });
  });

  it('imports Amazon-fulfilled orders complete, without stock and with marked placeholders instead of withheld PII', () => {
    const order = snapshot({ fulfilledBy: 'AMAZON', status: 'SHIPPED', buyerName: null, buyerEmail: null, address: null });
    const request = buildHostOrderRequest({ order, settings: { ...DEFAULT_ORDER_SETTINGS, orderStatus: 'custom', processingStatus: 'x' }, products, reserved: true });
    expect(request).to.include({ state: 'complete', status: null, deductStock: false, reservationKey: null });
    expect(request.shippingAddress).to.deep.equal({
      firstName: WITHHELD, lastName: WITHHELD, street: [WITHHELD], city: WITHHELD, region: null, postalCode: WITHHELD, countryCode: 'US', phone: WITHHELD,
    });
    expect(request.customer.email).to.equal('113-0000001-0000001@buyer-email-withheld.amazon.invalid');
  });

  it('leaves canceled units out and refuses data it cannot use', () => {
    const order = snapshot({ items: [snapshotItem(), snapshotItem({ orderItemId: '2', sellerSku: 'TEA', quantityOrdered: 1, quantityCanceled: 1 })] });
    expect(buildHostOrderRequest({ order, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false }).lines).to.have.length(1);
    expect(() => buildHostOrderRequest({ order: snapshot({ grandTotal: null }), settings: DEFAULT_ORDER_SETTINGS, products, reserved: false })).to.throw(OrderDataError);
    const noUnitPrice = snapshot({ items: [snapshotItem({ unitPrice: null, quantityOrdered: 3, proceeds: proceeds({ item: category({ amount: '10.00' }) }) })] });
    expect(() => buildHostOrderRequest({ order: noUnitPrice, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false })).to.throw(OrderDataError, /does not divide/);
  });

  it('splits names on the first space', () => {
    expect(splitName('Jane Q. Buyer')).to.deep.equal({ firstName: 'Jane', lastName: 'Q. Buyer' });
    expect(splitName('Cher')).to.deep.equal({ firstName: 'Cher', lastName: 'Cher' });
    expect(splitName(null)).to.deep.equal({ firstName: WITHHELD, lastName: WITHHELD });
  });

  describe('from an Amazon order document', () => {
    const money = (amount: string, currencyCode = 'USD'): Money => ({ amount, currencyCode });
    /** One item (2 x 19.99 unless the price is overridden) with these proceeds breakdowns. */
    function order(breakdowns: ItemProceedsBreakdown[], grandTotal: Money, unitPrice: Money | null = money('19.99')): Order {
      const item = amazonItem();
      return amazonOrder({
        proceeds: { grandTotal },
        orderItems: [{ ...item, product: { ...item.product, price: unitPrice ? { unitPrice } : undefined }, proceeds: { breakdowns } }],
      });
    }
    const request = (document: Order) =>
      buildHostOrderRequest({ order: snapshotFromAmazon(document, 'ATVPDKIKX0DER'), settings: DEFAULT_ORDER_SETTINGS, products, reserved: false });
    const tax = (details: Array<[string, Money]>): ItemProceedsBreakdown => ({
      type: 'TAX', subtotal: money('0'), detailedBreakdowns: details.map(([subtype, value]) => ({ subtype, value })),
    });
    const discount = (details: Array<[string, Money]>): ItemProceedsBreakdown => ({ ...tax(details), type: 'DISCOUNT' });
    const ITEM = { type: 'ITEM', subtotal: money('39.98') };

    it('keeps every part with its currency: all in the order currency, they carry over exactly', () => {
      const document = order(
        [ITEM, { type: 'SHIPPING', subtotal: money('4.99') }, tax([['ITEM', money('3.20')], ['SHIPPING', money('0.40')]]), discount([['ITEM', money('-1.00')], ['SHIPPING', money('-0.99')]])],
        money('46.58'),
      );
      const built = request(document);
      expect(built.lines[0]).to.include({ unitPrice: '19.99', taxAmount: '3.20', discountAmount: '1.00' });
      expect(built).to.include({ shippingAmount: '4.99', shippingTaxAmount: '0.40', shippingDiscountAmount: '0.99', grandTotal: '46.58', currencyCode: 'USD' });
    });

    it('refuses every money part that is not in the order currency, naming the item and the part', () => {
      const cases: Array<[string, ItemProceedsBreakdown[], Money | null]> = [
        ["item 10001's unit price is in GBP, the order in USD", [ITEM], money('19.99', 'GBP')],
        ["item 10001's item amount is in EUR, the order in USD", [{ type: 'ITEM', subtotal: money('39.98', 'EUR') }], null],
        ["item 10001's item tax is in GBP, the order in USD", [ITEM, tax([['ITEM', money('3.20', 'GBP')]])], money('19.99')],
        ["item 10001's item tax is in GBP, the order in USD", [ITEM, { type: 'TAX', subtotal: money('3.20', 'GBP') }], money('19.99')],
        ["item 10001's item discount is in EUR, the order in USD", [ITEM, discount([['ITEM', money('-1.00', 'EUR')]])], money('19.99')],
        ["item 10001's shipping is in EUR, the order in USD", [ITEM, { type: 'SHIPPING', subtotal: money('4.99', 'EUR') }], money('19.99')],
        ["item 10001's shipping tax is in GBP, the order in USD", [ITEM, tax([['ITEM', money('3.20')], ['SHIPPING', money('0.40', 'GBP')]])], money('19.99')],
        ["item 10001's shipping discount is in EUR, the order in USD", [ITEM, discount([['SHIPPING', money('-0.99', 'EUR')]])], money('19.99')],
      ];
      for (const [message, breakdowns, unitPrice] of cases) {
        expect(() => request(order(breakdowns, money('48.57'), unitPrice)), message).to.throw(OrderDataError, message);
      }
    });

    it('refuses the audit case: shipping in EUR and tax in GBP are never summed into a USD order', () => {
      const document = order([ITEM, { type: 'SHIPPING', subtotal: money('4.99', 'EUR') }, { type: 'TAX', subtotal: money('3.20', 'GBP') }], money('48.17'));
      expect(() => request(document)).to.throw(OrderDataError, /is in (EUR|GBP), the order in USD/);
    });

    it('writes amounts with the currency decimals, exactly (JPY has none)', () => {
      const yen = (amount: string) => money(amount, 'JPY');
      const document = order([{ type: 'ITEM', subtotal: yen('2398') }, { type: 'SHIPPING', subtotal: yen('410') }, tax([['ITEM', yen('240')], ['SHIPPING', yen('41')]])], yen('3089'), yen('1199'));
      const built = request(document);
      expect(built.lines[0]).to.include({ unitPrice: '1199', taxAmount: '240', discountAmount: '0' });
      expect(built).to.include({ shippingAmount: '410', shippingTaxAmount: '41', shippingDiscountAmount: '0', grandTotal: '3089', currencyCode: 'JPY' });
    });
  
    it('passes gift wrap, cash-on-delivery fees, other charges and delivery tips as charges, so the parts add up', () => {
      // The audit's order: 10.00 of goods and 3.99 of gift wrap; the host got 10.00 of parts for a 13.99 total.
      const wrapped = order([{ type: 'ITEM', subtotal: money('10.00') }, { type: 'GIFT_WRAP', subtotal: money('3.99') }], money('13.99'), money('5.00'));
      const audit = request(wrapped);
      expect(audit.charges).to.deep.equal([{ kind: 'gift_wrap', label: 'Gift wrap', amount: '3.99', taxAmount: '0.00', discountAmount: '0.00' }]);
      expect(hostTotal(audit)).to.equal('13.99');

      const everything = order(
        [
          ITEM,
          { type: 'SHIPPING', subtotal: money('4.99') },
          { type: 'GIFT_WRAP', subtotal: money('3.99') },
          { type: 'COD_FEE', subtotal: money('2.00') },
          { type: 'OTHER', subtotal: money('0.50') },
          tax([['ITEM', money('3.20')], ['SHIPPING', money('0.40')], ['GIFT_WRAP', money('0.32')], ['COD_FEE', money('0.16')], ['OTHER', money('0.04')], ['DISCOUNT', money('-0.08')]]),
          discount([['ITEM', money('-1.00')], ['GIFT_WRAP', money('-3.99')], ['COD_FEE', money('-0.50')]]),
        ],
        money('55.01'),
      );
      const document = { ...everything, proceeds: { ...everything.proceeds, breakdowns: [{ type: 'DELIVERY_TIP', status: 'FINALIZED', subtotal: money('5.00') }] } };
      const built = request(document);
      // Tax on the discount lowers the item's tax: 3.20 - 0.08.
      expect(built.lines[0]).to.include({ unitPrice: '19.99', taxAmount: '3.12', discountAmount: '1.00' });
      expect(built.charges).to.deep.equal([
        { kind: 'gift_wrap', label: 'Gift wrap', amount: '3.99', taxAmount: '0.32', discountAmount: '3.99' },
        { kind: 'cod_fee', label: 'Cash on delivery fee', amount: '2.00', taxAmount: '0.16', discountAmount: '0.50' },
        { kind: 'other', label: 'Other charges', amount: '0.50', taxAmount: '0.04', discountAmount: '0.00' },
        { kind: 'delivery_tip', label: 'Delivery tip', amount: '5.00', taxAmount: '0.00', discountAmount: '0.00' },
      ]);
      expect(hostTotal(built)).to.equal('55.01');
    });

    it('marks a delivery tip Amazon has not finalized, and adds no charge for a zero tip', () => {
      const base = order([ITEM], money('44.98'));
      const pending = request({ ...base, proceeds: { grandTotal: money('44.98'), breakdowns: [{ type: 'ITEM', subtotal: money('39.98') }, { type: 'DELIVERY_TIP', status: 'PENDING', subtotal: money('5.00') }] } });
      expect(pending.charges).to.deep.equal([{ kind: 'delivery_tip', label: 'Delivery tip (pending)', amount: '5.00', taxAmount: '0.00', discountAmount: '0.00' }]);
      const zero = request({ ...base, proceeds: { grandTotal: money('39.98'), breakdowns: [{ type: 'DELIVERY_TIP', subtotal: money('0.00') }] } });
      expect(zero.charges).to.deep.equal([]);
    });

    it('refuses a charge part or a tip in another currency, naming the item and the part', () => {
      const cases: Array<[string, ItemProceedsBreakdown[]]> = [
        ["item 10001's gift wrap is in EUR, the order in USD", [ITEM, { type: 'GIFT_WRAP', subtotal: money('3.99', 'EUR') }]],
        ["item 10001's gift wrap tax is in GBP, the order in USD", [ITEM, tax([['GIFT_WRAP', money('0.32', 'GBP')]])]],
        ["item 10001's gift wrap discount is in EUR, the order in USD", [ITEM, discount([['GIFT_WRAP', money('-1.00', 'EUR')]])]],
        ["item 10001's cash on delivery fee is in EUR, the order in USD", [ITEM, { type: 'COD_FEE', subtotal: money('2.00', 'EUR') }]],
        ["item 10001's other charge tax is in EUR, the order in USD", [ITEM, tax([['OTHER', money('0.04', 'EUR')]])]],
        ["item 10001's item tax is in EUR, the order in USD", [ITEM, tax([['DISCOUNT', money('-0.08', 'EUR')]])]],
      ];
      for (const [message, breakdowns] of cases) expect(() => request(order(breakdowns, money('48.57'))), message).to.throw(OrderDataError, message);
      const tip = order([ITEM], money('44.98'));
      tip.proceeds!.breakdowns = [{ type: 'DELIVERY_TIP', subtotal: money('5.00', 'EUR') }];
      expect(() => request(tip)).to.throw(OrderDataError, "the order's delivery tip is in EUR, the order in USD");
    });

    it('refuses a part that comes to less than zero, naming it', () => {
      const document = order([ITEM, { type: 'OTHER', subtotal: money('-2.00') }], money('37.98'));
      expect(() => request(document)).to.throw(OrderDataError, "the order's other charge comes to -2.00 USD; the host takes no negative amounts");
    });

    it("creates no order whose parts do not add up to Amazon's grand total, and names both sums and what it did not know", () => {
      const short = order([{ type: 'ITEM', subtotal: money('10.00') }], money('13.99'), money('5.00'));
      expect(() => request(short)).to.throw(OrderDataError, "its items, shipping, charges, tax and discounts add up to 10.00 USD, but Amazon's grand total is 13.99 USD");

      const unknown = order([{ type: 'ITEM', subtotal: money('10.00') }, { type: 'SURCHARGE', subtotal: money('3.99') }, tax([['ITEM', money('0.80')], ['FUEL', money('0.10')]])], money('14.89'), money('5.00'));
      unknown.proceeds!.breakdowns = [{ type: 'BAG_FEE', subtotal: money('0.05') }];
      expect(() => request(unknown)).to.throw(
        OrderDataError,
        "add up to 10.80 USD, but Amazon's grand total is 14.89 USD; Amazon also sent proceeds the module does not know: SURCHARGE 3.99 USD on item 10001, TAX/FUEL 0.10 USD on item 10001, BAG_FEE 0.05 USD on order",
      );

      const yen = (amount: string) => money(amount, 'JPY');
      expect(() => request(order([{ type: 'ITEM', subtotal: yen('2398') }], yen('2400'), yen('1199')))).to.throw(OrderDataError, "add up to 2398 JPY, but Amazon's grand total is 2400 JPY");
    });

    it('keeps the note short whatever Amazon sent: the first unknown proceeds only, no amount longer than the columns', () => {
      // The note goes into a text column: one too long for it failed the import of the whole store on every run.
      const many = order([{ type: 'ITEM', subtotal: money('39.98') }, ...Array.from({ length: 2_000 }, (_, i) => ({ type: `NEW_FEE_${i}`, subtotal: money('0.01') }))], money('59.98'));
      many.proceeds!.breakdowns = [{ type: 'X'.repeat(70_000), subtotal: money('1'.repeat(20_000)) }];
      const note = (() => {
        try {
          request(many);
        } catch (error) {
          return (error as Error).message;
        }
        throw new Error('not refused');
      })();
      expect(note).to.equal(
        "its items, shipping, charges, tax and discounts add up to 39.98 USD, but Amazon's grand total is 59.98 USD; Amazon also sent proceeds the module does not know: " +
          'NEW_FEE_0 0.01 USD on item 10001, NEW_FEE_1 0.01 USD on item 10001, NEW_FEE_2 0.01 USD on item 10001, NEW_FEE_3 0.01 USD on item 10001, NEW_FEE_4 0.01 USD on item 10001 and 1996 more',
      );
      const huge = order([{ type: 'ITEM', subtotal: money('39.98') }, { type: 'SHIPPING', subtotal: money('9'.repeat(33)) }], money('39.98'));
      expect(() => request(huge)).to.throw(OrderDataError, /^item 10001's shipping is 33 characters long; at most 32 are expected$/);
    });
  });

  describe('text the host limits', () => {
    const build = (order = snapshot()) => buildHostOrderRequest({ order, settings: DEFAULT_ORDER_SETTINGS, products, reserved: false });
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

    it('shortens on a character boundary with an ellipsis, and leaves text that fits alone', () => {
      expect(shorten('x'.repeat(255), 255)).to.equal('x'.repeat(255));
      expect(shorten(`${'a'.repeat(250)} word and more`, 255)).to.equal(`${'a'.repeat(250)} wor…`);
      // An emoji (a surrogate pair) and an accent (e + combining acute) are never split.
      const emoji = shorten(`${'a'.repeat(253)}😀tail`, 255);
      expect(emoji).to.equal(`${'a'.repeat(253)}…`);
      expect(emoji).not.to.match(loneSurrogate);
      expect(shorten(`${'a'.repeat(253)}e\u0301tail`, 255)).to.equal(`${'a'.repeat(253)}…`);
      expect(shorten('Tea   with spaces', 6)).to.equal('Tea…');
    });

    it('shortens an Amazon title over 255 characters for the line name instead of blocking the order', () => {
      const title = `Premium stoneware mug 😀 ${'with a very long marketing description '.repeat(10)}`;
      const line = build(snapshot({ items: [snapshotItem({ title })] })).lines[0]!;
      expect(line.name.length).to.be.at.most(255);
      expect(line.name.endsWith('…')).to.equal(true);
      expect(title.startsWith(line.name.slice(0, -1))).to.equal(true);
      expect(line.name).not.to.match(loneSurrogate);
      expect(build(snapshot({ items: [snapshotItem({ title: '   ' })] })).lines[0]!.name).to.equal('Red mug');
    });

    it('shortens buyer and recipient names that are too long', () => {
      const long = `Jane ${'Q'.repeat(300)}`;
      const request = build(snapshot({ buyerName: long, address: { ...snapshot().address!, name: long } }));
      for (const name of [request.customer.lastName, request.shippingAddress.lastName]) {
        expect(name.length).to.equal(255);
        expect(name.endsWith('…')).to.equal(true);
      }
      expect(request.customer.firstName).to.equal('Jane');
    });

    it('treats blank buyer text from Amazon as not sent: marked withheld or left out, never a reason to block', () => {
      // Amazon sends withheld parts as "" or spaces too; the host refuses a blank city, postal code, country or e-mail.
      const blank = snapshot({
        buyerEmail: '  ',
        address: { name: 'Jane Q. Buyer', addressLines: ['1 Main St', ' '], city: '', stateOrRegion: ' ', postalCode: '\t', countryCode: '', phone: ' ' },
      });
      const request = buildHostOrderRequest({ order: blank, settings: { ...DEFAULT_ORDER_SETTINGS, customerCreation: 'account' }, products, reserved: false });
      expect(request.customer).to.include({ mode: 'guest', email: '113-0000001-0000001@buyer-email-withheld.amazon.invalid' });
      expect(request.shippingAddress).to.deep.include({ street: ['1 Main St'], city: WITHHELD, region: null, postalCode: WITHHELD, countryCode: 'US', phone: WITHHELD });
    });

    it('refuses address, phone and e-mail text it must not shorten, saying exactly what is too long', () => {
      const address = snapshot().address!;
      const cases: Array<[Partial<OrderSnapshot>, string]> = [
        [{ address: { ...address, addressLines: ['1 Main St', 'x'.repeat(995)] } }, 'the shipping street (all lines) from Amazon is 1005 characters long; the host takes at most 1000'],
        [{ address: { ...address, city: 'C'.repeat(256) } }, 'the shipping city from Amazon is 256 characters long; the host takes at most 255'],
        [{ address: { ...address, stateOrRegion: 'R'.repeat(300) } }, 'the shipping region from Amazon is 300 characters long; the host takes at most 255'],
        [{ address: { ...address, postalCode: '9'.repeat(33) } }, 'the shipping postal code from Amazon is 33 characters long; the host takes at most 32'],
        [{ address: { ...address, phone: '+1 206 555 0100 ext. '.repeat(4) } }, 'the shipping phone number from Amazon is 84 characters long; the host takes at most 64'],
        [{ buyerEmail: `${'b'.repeat(250)}@marketplace.amazon.com` }, "the buyer's e-mail address from Amazon is 273 characters long; the host takes at most 255"],
      ];
      for (const [overrides, message] of cases) expect(() => build(snapshot(overrides)), message).to.throw(OrderDataError, message);
    });
  });
});
