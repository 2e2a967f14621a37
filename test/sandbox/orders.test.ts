import { expect } from 'chai';
import type { RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { ago, HOUR, MINUTE, SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';

const ALL_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES'];

/** "12.34" -> 1234n with `decimals` places; exact, no floats. */
function minor(amount: string, decimals: number): bigint {
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  expect(fraction.length, `${amount} has ${decimals} decimals`).to.equal(decimals);
  const value = BigInt(whole! + fraction);
  return amount.startsWith('-') ? -value : value;
}

describe('Amazon sandbox: Orders API v2026-01-01', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox({ verificationDelayMs: 5 * MINUTE, fbaShipDelayMs: 30 * MINUTE }));
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  describe('searchOrders', () => {
    it('returns orders only once they are two minutes old, without a payload wrapper, echoing the window end', async () => {
      const placed = sandbox.placeOrder({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }] });
      const early = await api.searchOrders({ lastUpdatedAfter: ago(sandbox, HOUR) });
      expect(early.status).to.equal(200);
      expect(early.body.orders).to.deep.equal([]);
      expect(early.body).to.not.have.property('payload');
      expect(early.body.lastUpdatedBefore).to.equal(new Date(sandbox.clock.now() - 2 * MINUTE).toISOString().replace('.000Z', 'Z'));
      expect(early.headers.get('x-amzn-RateLimit-Limit')).to.equal('100');

      sandbox.advanceClock(2 * MINUTE);
      const later = await api.searchOrders({ lastUpdatedAfter: ago(sandbox, HOUR) });
      expect(later.body.orders.map((o: any) => o.orderId)).to.deep.equal([placed.orderId]);
      expect(later.body).to.not.have.property('pagination');
    });

    const invalid: Array<[string, Record<string, string>]> = [
      ['neither createdAfter nor lastUpdatedAfter', {}],
      ['both createdAfter and lastUpdatedAfter', { createdAfter: '2026-03-01T00:00:00Z', lastUpdatedAfter: '2026-03-01T00:00:00Z' }],
      ['createdAfter with lastUpdatedBefore', { createdAfter: '2026-03-01T00:00:00Z', lastUpdatedBefore: '2026-03-02T00:00:00Z' }],
      ['lastUpdatedAfter with createdBefore', { lastUpdatedAfter: '2026-03-01T00:00:00Z', createdBefore: '2026-03-02T00:00:00Z' }],
      ['a date that is not ISO 8601', { createdAfter: 'yesterday' }],
      ['an impossible date', { createdAfter: '2026-02-30T00:00:00Z' }],
      ['a date without a time zone', { createdAfter: '2026-03-01T00:00:00' }],
      ['before earlier than after', { createdAfter: '2026-03-01T00:00:00Z', createdBefore: '2026-02-28T00:00:00Z' }],
      ['a v0 status spelling', { createdAfter: '2026-03-01T00:00:00Z', fulfillmentStatuses: 'Shipped' }],
      ['an unknown fulfilledBy', { createdAfter: '2026-03-01T00:00:00Z', fulfilledBy: 'MFN' }],
      ['an unknown includedData', { createdAfter: '2026-03-01T00:00:00Z', includedData: 'ITEMS' }],
      ['maxResultsPerPage 0', { createdAfter: '2026-03-01T00:00:00Z', maxResultsPerPage: '0' }],
      ['maxResultsPerPage 101', { createdAfter: '2026-03-01T00:00:00Z', maxResultsPerPage: '101' }],
      ['maxResultsPerPage not a number', { createdAfter: '2026-03-01T00:00:00Z', maxResultsPerPage: 'ten' }],
      ['a v0 parameter name', { CreatedAfter: '2026-03-01T00:00:00Z' }],
      ['an empty list value', { createdAfter: '2026-03-01T00:00:00Z', marketplaceIds: '' }],
    ];
    for (const [what, query] of invalid) {
      it(`answers 400 InvalidInput for ${what}`, async () => {
        const res = await api.searchOrders(query);
        expect(res.status).to.equal(400);
        expect(res.body.errors[0].code).to.equal('InvalidInput');
        expect(res.body.errors[0].message).to.be.a('string').and.not.equal('');
      });
    }

    it('enforces the two-minute rule on ...Before (not ...After, as the model says) against the sandbox clock', async () => {
      const tooLate = await api.searchOrders({ lastUpdatedAfter: ago(sandbox, HOUR), lastUpdatedBefore: ago(sandbox, MINUTE) });
      expect(tooLate.status).to.equal(400);
      expect(tooLate.body.errors[0].message).to.match(/two minutes/);
      const recentAfter = await api.searchOrders({ createdAfter: ago(sandbox, 90_000) });
      expect(recentAfter.status).to.equal(200);
      expect(recentAfter.body.orders).to.deep.equal([]);
      const justRight = await api.searchOrders({ lastUpdatedAfter: ago(sandbox, HOUR), lastUpdatedBefore: ago(sandbox, 2 * MINUTE) });
      expect(justRight.status).to.equal(200);
      sandbox.advanceClock(MINUTE);
      const nowFine = await api.searchOrders({ lastUpdatedAfter: ago(sandbox, HOUR), lastUpdatedBefore: ago(sandbox, 2 * MINUTE) });
      expect(nowFine.status).to.equal(200);
    });

    it('pages stably by lastUpdatedTime then orderId, with tokens bound to the parameters', async () => {
      for (let i = 0; i < 3; i++) {
        sandbox.placeOrder({ items: [{ sku: `SKU-${i}`, qty: 1 }], status: 'UNSHIPPED' });
        sandbox.placeOrder({ items: [{ sku: `SKU-${i}b`, qty: 1 }], status: 'UNSHIPPED', fulfilledBy: 'AMAZON' });
        sandbox.advanceClock(MINUTE);
      }
      sandbox.advanceClock(3 * MINUTE);
      const query = { lastUpdatedAfter: ago(sandbox, HOUR), marketplaceIds: 'ATVPDKIKX0DER' };
      const all = await api.searchOrders(query);
      const expected = all.body.orders.map((o: any) => `${o.lastUpdatedTime}|${o.orderId}`);
      expect(expected).to.have.length(6);
      expect([...expected].sort()).to.deep.equal(expected);

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        // maxResultsPerPage and includedData may change between pages.
        const res = await api.searchOrders({ ...query, maxResultsPerPage: pages === 0 ? 4 : 1, includedData: pages === 1 ? 'FULFILLMENT' : undefined, paginationToken: token });
        expect(res.status).to.equal(200);
        if (pages === 1) expect(res.body.orders[0]).to.have.property('fulfillment');
        seen.push(...res.body.orders.map((o: any) => `${o.lastUpdatedTime}|${o.orderId}`));
        token = res.body.pagination?.nextToken;
        pages++;
      } while (token);
      expect(seen).to.deep.equal(expected);
      expect(pages).to.equal(3);

      const first = await api.searchOrders({ ...query, maxResultsPerPage: 2 });
      const changed = await api.searchOrders({ ...query, fulfilledBy: 'MERCHANT', paginationToken: first.body.pagination.nextToken });
      expect(changed.status).to.equal(400);
      expect(changed.body.errors[0].details).to.equal('paginationToken');
      const bogus = await api.searchOrders({ ...query, paginationToken: 'not-a-token' });
      expect(bogus.status).to.equal(400);
    });

    it('keeps the window of the first page when later pages are fetched', async () => {
      sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
      sandbox.placeOrder({ items: [{ sku: 'B', qty: 1 }] });
      sandbox.advanceClock(3 * MINUTE);
      const query = { createdAfter: ago(sandbox, HOUR) };
      const first = await api.searchOrders({ ...query, maxResultsPerPage: 1 });
      sandbox.placeOrder({ items: [{ sku: 'C', qty: 1 }] });
      sandbox.advanceClock(10 * MINUTE);
      const second = await api.searchOrders({ ...query, paginationToken: first.body.pagination.nextToken });
      expect(second.body.orders).to.have.length(1);
      expect(second.body).to.not.have.property('pagination');
      expect(second.body.createdBefore).to.equal(first.body.createdBefore);
    });

    it('expires pagination tokens after 24 hours of sandbox time, and on demand', async () => {
      sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
      sandbox.placeOrder({ items: [{ sku: 'B', qty: 1 }] });
      sandbox.placeOrder({ items: [{ sku: 'C', qty: 1 }] });
      sandbox.advanceClock(3 * MINUTE);
      const query = { createdAfter: ago(sandbox, HOUR) };
      const first = await api.searchOrders({ ...query, maxResultsPerPage: 1 });
      sandbox.advanceClock(24 * HOUR - 1);
      const stillValid = await api.searchOrders({ ...query, maxResultsPerPage: 1, paginationToken: first.body.pagination.nextToken });
      expect(stillValid.status).to.equal(200);
      sandbox.advanceClock(1);
      const expired = await api.searchOrders({ ...query, paginationToken: first.body.pagination.nextToken });
      expect(expired.status).to.equal(400);
      expect(expired.body.errors[0].message).to.match(/expired/);

      const fresh = await api.searchOrders({ createdAfter: ago(sandbox, 30 * HOUR), maxResultsPerPage: 1 });
      expect(sandbox.expirePaginationTokens()).to.be.greaterThan(0);
      const expiredNow = await api.searchOrders({ createdAfter: ago(sandbox, 30 * HOUR), paginationToken: fresh.body.pagination.nextToken });
      expect(expiredNow.status).to.equal(400);
    });

    it('filters by fulfillment status, marketplace and fulfilledBy', async () => {
      const us = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
      const de = sandbox.placeOrder({ marketplaceId: 'A1PA6795UKMFR9', items: [{ sku: 'A', qty: 1 }] });
      const fba = sandbox.placeOrder({ fulfilledBy: 'AMAZON', items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
      sandbox.advanceClock(3 * MINUTE);
      const ids = async (q: Record<string, string>) => (await api.searchOrders({ createdAfter: ago(sandbox, HOUR), ...q })).body.orders.map((o: any) => o.orderId).sort();
      expect(await ids({ fulfillmentStatuses: 'PENDING' })).to.deep.equal([de.orderId]);
      expect(await ids({ fulfillmentStatuses: 'UNSHIPPED,PENDING' })).to.deep.equal([us.orderId, de.orderId, fba.orderId].sort());
      expect(await ids({ marketplaceIds: 'A1PA6795UKMFR9' })).to.deep.equal([de.orderId]);
      expect(await ids({ fulfilledBy: 'AMAZON' })).to.deep.equal([fba.orderId]);
    });

    it("shows only the token's seller's orders", async () => {
      const other = { clientId: 'amzn1.application-oa2-client.other', clientSecret: 'other-secret', refreshToken: 'Atzr|other-seller', sellerId: 'A2OTHERSELLER' };
      sandbox.registerApp(other);
      const mine = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
      const theirs = sandbox.placeOrder({ sellerId: other.sellerId, items: [{ sku: 'A', qty: 1 }] });
      sandbox.advanceClock(3 * MINUTE);
      const otherApi = new SpApiTestClient(sandbox, other);
      const res = await otherApi.searchOrders({ createdAfter: ago(sandbox, HOUR) });
      expect(res.body.orders.map((o: any) => o.orderId)).to.deep.equal([theirs.orderId]);
      expect((await otherApi.getOrder(mine.orderId)).status).to.equal(404);
      expect((await api.getOrder(mine.orderId)).status).to.equal(200);
    });
  });

  describe('getOrder', () => {
    it('answers 400 for a malformed id, 404 for an unknown one, and validates includedData', async () => {
      expect((await api.getOrder('not-an-id')).status).to.equal(400);
      const missing = await api.getOrder('111-1111111-1111111');
      expect(missing.status).to.equal(404);
      expect(missing.body.errors[0].code).to.equal('NotFound');
      expect(missing.headers.get('x-amzn-RateLimit-Limit')).to.not.equal(null);
      const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
      expect((await api.getOrder(order.orderId, { includedData: 'EVERYTHING' })).status).to.equal(400);
    });

    it('returns only the core fields without includedData, and each dataset when asked', async () => {
      const order = sandbox.placeOrder({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 2, discount: '1.00' }], status: 'UNSHIPPED' });
      const bare = (await api.getOrder(order.orderId)).body.order;
      expect(Object.keys(bare).sort()).to.deep.equal(['createdTime', 'lastUpdatedTime', 'orderId', 'orderItems', 'salesChannel']);
      expect(Object.keys(bare.orderItems[0]).sort()).to.deep.equal(['orderItemId', 'product', 'quantityOrdered']);
      expect(bare.orderItems[0].product).to.include({ sellerSku: 'MUG-BLUE-12OZ', asin: 'B0SANDBX01' });
      expect(bare.salesChannel).to.deep.equal({ channelName: 'AMAZON', marketplaceId: 'ATVPDKIKX0DER', marketplaceName: 'Amazon.com' });

      const full = (await api.getOrder(order.orderId, { includedData: ALL_DATA })).body.order;
      expect(full).to.include.keys('buyer', 'recipient', 'proceeds', 'fulfillment', 'packages');
      expect(full.orderItems[0]).to.include.keys('proceeds', 'promotion', 'fulfillment');
      expect(full.fulfillment).to.include({ fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' });
    });
  });

  describe('order lifecycle by the sandbox clock', () => {
    it('moves PENDING -> UNSHIPPED after the verification delay, moving lastUpdatedTime', async () => {
      const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
      const id = order.orderId;
      const pending = (await api.getOrder(id, { includedData: 'FULFILLMENT' })).body.order;
      expect(pending.fulfillment.fulfillmentStatus).to.equal('PENDING');
      expect(pending.lastUpdatedTime).to.equal(pending.createdTime);
      sandbox.advanceClock(5 * MINUTE - 1000);
      expect((await api.getOrder(id, { includedData: 'FULFILLMENT' })).body.order.fulfillment.fulfillmentStatus).to.equal('PENDING');
      sandbox.advanceClock(1000);
      const unshipped = (await api.getOrder(id, { includedData: 'FULFILLMENT' })).body.order;
      expect(unshipped.fulfillment.fulfillmentStatus).to.equal('UNSHIPPED');
      expect(Date.parse(unshipped.lastUpdatedTime)).to.equal(Date.parse(pending.createdTime) + 5 * MINUTE);
    });

    it('ships AMAZON-fulfilled orders by itself after the FBA delay', async () => {
      const order = sandbox.placeOrder({ fulfilledBy: 'AMAZON', items: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }] });
      const id = order.orderId;
      sandbox.advanceClock(5 * MINUTE);
      const unshipped = (await api.getOrder(id, { includedData: 'FULFILLMENT' })).body.order;
      expect(unshipped.fulfillment.fulfillmentStatus).to.equal('UNSHIPPED');
      sandbox.advanceClock(30 * MINUTE);
      const shipped = (await api.getOrder(id, { includedData: ['FULFILLMENT', 'PACKAGES'] })).body.order;
      expect(shipped.fulfillment.fulfillmentStatus).to.equal('SHIPPED');
      expect(shipped.orderItems.map((i: any) => i.fulfillment)).to.deep.equal([
        { quantityFulfilled: 2, quantityUnfulfilled: 0 },
        { quantityFulfilled: 1, quantityUnfulfilled: 0 },
      ]);
      expect(shipped).to.not.have.property('packages');
      expect(Date.parse(shipped.lastUpdatedTime)).to.be.greaterThan(Date.parse(unshipped.lastUpdatedTime));
    });

    it('releases a pre-order (PENDING_AVAILABILITY -> PENDING -> UNSHIPPED)', async () => {
      const releaseTime = new Date(sandbox.clock.now() + HOUR).toISOString();
      const order = sandbox.placeOrder({ status: 'PENDING_AVAILABILITY', releaseTime, items: [{ sku: 'A', qty: 1 }] });
      const status = async () => (await api.getOrder(order.orderId, { includedData: 'FULFILLMENT' })).body.order.fulfillment.fulfillmentStatus;
      expect(await status()).to.equal('PENDING_AVAILABILITY');
      expect((await api.getOrder(order.orderId)).body.order.programs).to.deep.equal(['PREORDER']);
      sandbox.advanceClock(HOUR);
      expect(await status()).to.equal('PENDING');
      sandbox.advanceClock(5 * MINUTE);
      expect(await status()).to.equal('UNSHIPPED');
    });

    it('moves lastUpdatedTime on every change, even within the same second', async () => {
      const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
      const before = (await api.getOrder(order.orderId)).body.order.lastUpdatedTime;
      sandbox.cancelOrder(order.orderId, { by: 'BUYER', requestOnly: true });
      const after = (await api.getOrder(order.orderId, { includedData: 'CANCELLATION' })).body.order;
      expect(Date.parse(after.lastUpdatedTime)).to.be.greaterThan(Date.parse(before));
      expect(after.orderItems[0].cancellation).to.deep.equal({ cancellationRequest: { requester: 'BUYER', cancelReason: 'Buyer canceled' } });
    });

    it('cancels by buyer or Amazon, and refuses once items shipped', async () => {
      const byAmazon = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
      sandbox.cancelOrder(byAmazon.orderId, { by: 'AMAZON', reason: 'Payment failed' });
      const cancelled = (await api.getOrder(byAmazon.orderId, { includedData: ['FULFILLMENT', 'CANCELLATION'] })).body.order;
      expect(cancelled.fulfillment.fulfillmentStatus).to.equal('CANCELLED');
      expect(cancelled.orderItems[0].cancellation).to.deep.equal({ cancellationExecution: { cancelledBy: 'AMAZON', cancelReason: 'Payment failed' } });
      expect(cancelled.orderItems[0].fulfillment).to.deep.equal({ quantityFulfilled: 0, quantityUnfulfilled: 0 });
      sandbox.advanceClock(10 * MINUTE);
      expect((await api.getOrder(byAmazon.orderId, { includedData: 'FULFILLMENT' })).body.order.fulfillment.fulfillmentStatus).to.equal('CANCELLED');

      const fba = sandbox.placeOrder({ fulfilledBy: 'AMAZON', items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
      sandbox.advanceClock(30 * MINUTE);
      expect(() => sandbox.cancelOrder(fba.orderId, { by: 'BUYER' })).to.throw(/shipped/);
    });
  });

  describe('buyer data', () => {
    it('gives MERCHANT orders buyer name, email and the full address once verified, and none while PENDING', async () => {
      const order = sandbox.placeOrder({ buyerName: 'Jane Doe', items: [{ sku: 'A', qty: 1 }] });
      const id = order.orderId;
      const pending = (await api.getOrder(id, { includedData: ['BUYER', 'RECIPIENT'] })).body.order;
      expect(pending).to.not.have.any.keys('buyer', 'recipient');
      sandbox.advanceClock(5 * MINUTE);
      const verified = (await api.getOrder(id, { includedData: ['BUYER', 'RECIPIENT'] })).body.order;
      expect(verified.buyer.buyerName).to.equal('Jane Doe');
      expect(verified.buyer.buyerEmail).to.match(/@marketplace\.amazon\.com$/);
      expect(verified.recipient.deliveryAddress).to.include.keys('name', 'addressLine1', 'postalCode', 'phone', 'city', 'countryCode');
    });

    it('gives AMAZON-fulfilled orders no buyer name and no address PII', async () => {
      const order = sandbox.placeOrder({ fulfilledBy: 'AMAZON', buyerName: 'Jane Doe', items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
      sandbox.advanceClock(3 * MINUTE);
      const viaGet = (await api.getOrder(order.orderId, { includedData: ALL_DATA })).body.order;
      const viaSearch = (await api.searchOrders({ createdAfter: ago(sandbox, HOUR), includedData: ALL_DATA })).body.orders[0];
      for (const o of [viaGet, viaSearch]) {
        expect(o).to.not.have.property('buyer');
        expect(Object.keys(o.recipient.deliveryAddress).sort()).to.deep.equal(['city', 'countryCode', 'stateOrRegion']);
        expect(JSON.stringify(o)).to.not.include('Jane Doe');
      }
    });

    it('sends the address parts a test gives, as given, and refuses anything else', async () => {
      const address = { addressLine1: '👩‍👩‍👧‍👦 ‏شارع 1', addressLine2: 'e\u0301tage 3', city: '𠜎𠜱 City', postalCode: ' 98 101 ', phone: '+1 (206) <555>' };
      const order = sandbox.placeOrder({ buyerName: 'Zoë', items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED', address });
      sandbox.advanceClock(3 * MINUTE);
      const sent = (await api.getOrder(order.orderId, { includedData: ['RECIPIENT'] })).body.order.recipient.deliveryAddress;
      expect(sent).to.include({ ...address, name: 'Zoë', countryCode: 'US' });
      expect(() => sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], address: { street: 'x' } as never })).to.throw(/address.street must be one of addressLine1/);
      expect(() => sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], address: { city: 5 } as never })).to.throw(/address.city/);
    });
  });

  describe('order size', () => {
    it('takes orders of up to 1,000 items and sends them whole', async () => {
      const items = Array.from({ length: 1_000 }, (_, i) => ({ sku: `BULK-${i}`, qty: 1 + (i % 3), price: `${i}.${String(i % 100).padStart(2, '0')}` }));
      const order = sandbox.placeOrder({ items, status: 'UNSHIPPED' });
      sandbox.advanceClock(3 * MINUTE);
      const sent = (await api.getOrder(order.orderId, { includedData: ['PROCEEDS'] })).body.order;
      expect(sent.orderItems).to.have.length(1_000);
      expect(sent.orderItems.map((i: { product: { sellerSku: string } }) => i.product.sellerSku)).to.deep.equal(items.map((i) => i.sku));
      expect(new Set(sent.orderItems.map((i: { orderItemId: string }) => i.orderItemId)).size).to.equal(1_000);
      expect(() => sandbox.placeOrder({ items: [...items, { sku: 'ONE-MORE', qty: 1 }] })).to.throw('an order has 1 to 1000 items');
    });
  });

  describe('money', () => {
    function checkSums(order: any, decimals: number): void {
      let grand = 0n;
      const byType = new Map<string, bigint>();
      for (const item of order.orderItems) {
        const parts = item.proceeds.breakdowns.map((b: any) => minor(b.subtotal.amount, decimals));
        const total = parts.reduce((a: bigint, b: bigint) => a + b, 0n);
        expect(minor(item.proceeds.proceedsTotal.amount, decimals)).to.equal(total);
        const unit = minor(item.product.price.unitPrice.amount, decimals);
        expect(minor(item.proceeds.breakdowns[0].subtotal.amount, decimals)).to.equal(unit * BigInt(item.quantityOrdered));
        for (const b of item.proceeds.breakdowns) byType.set(b.type, (byType.get(b.type) ?? 0n) + minor(b.subtotal.amount, decimals));
        grand += total;
      }
      expect(minor(order.proceeds.grandTotal.amount, decimals)).to.equal(grand);
      for (const b of order.proceeds.breakdowns) expect(minor(b.subtotal.amount, decimals), b.type).to.equal(byType.get(b.type));
    }

    it('adds up exactly in JPY with no decimals', async () => {
      const order = sandbox.placeOrder({ marketplaceId: 'A1VC38T7YXB528', items: [{ sku: 'X', qty: 3, price: '1333' }, { sku: 'Y', qty: 1, price: '999', discount: '100' }] });
      const o = (await api.getOrder(order.orderId, { includedData: 'PROCEEDS' })).body.order;
      expect(o.proceeds.grandTotal.currencyCode).to.equal('JPY');
      checkSums(o, 0);
      // 3*1333 + 999 - 100 = 4898 items; tax 10 % rounded half up per item (400 + 90); shipping 410 + 41 tax.
      expect(o.proceeds.grandTotal.amount).to.equal(String(3999 + 400 + 410 + 41 + 999 - 100 + 90));
    });

    it('adds up exactly in EUR with tax, shipping and a promotion', async () => {
      const order = sandbox.placeOrder({ marketplaceId: 'A1PA6795UKMFR9', items: [{ sku: 'X', qty: 3, price: '0.10' }, { sku: 'Y', qty: 2, price: '17.95', discount: '0.05' }] });
      const o = (await api.getOrder(order.orderId, { includedData: ['PROCEEDS', 'PROMOTION'] })).body.order;
      checkSums(o, 2);
      const discount = o.proceeds.breakdowns.find((b: any) => b.type === 'DISCOUNT');
      expect(discount.subtotal).to.deep.equal({ amount: '-0.05', currencyCode: 'EUR' });
      expect(o.orderItems[1].promotion.breakdowns).to.have.length(1);
      // 0.30 + 35.90 - 0.05 = 36.15; tax 19 %: 0.06 + 6.81; shipping 3.99 + 0.76.
      expect(o.proceeds.grandTotal.amount).to.equal('47.77');
    });
  });
});
