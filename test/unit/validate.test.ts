import { expect } from 'chai';
import { AmazonResponseError } from '../../src/amazon/errors.ts';
import { parseGetOrderResponse, parseSearchOrdersPage } from '../../src/amazon/validate.ts';
import { order, orderItem } from '../support/amazon-fixtures.ts';

const context = { operation: 'searchOrders', requestId: 'RID-1' };

function catchError(fn: () => unknown): AmazonResponseError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(AmazonResponseError);
    return error as AmazonResponseError;
  }
  throw new Error('expected an AmazonResponseError');
}

describe('response validation', () => {
  it('keeps the valid orders of a page and reports each bad one with its order id and field path', () => {
    const bad = order('123-4567890-1234567', { orderItems: [{ ...orderItem(), quantityOrdered: '2' as unknown as number }] });
    const body = { orders: [order('111-1'), order('111-2'), order('111-3'), bad, order('111-5')], pagination: { nextToken: 'NEXT' } };
    const page = parseSearchOrdersPage(body, context);
    expect(page.orders.map((o) => o.orderId)).to.deep.equal(['111-1', '111-2', '111-3', '111-5']);
    expect(page.invalidOrders).to.have.length(1);
    const [invalid] = page.invalidOrders;
    expect(invalid.index).to.equal(3);
    expect(invalid.orderId).to.equal('123-4567890-1234567');
    expect(invalid.raw).to.equal(bad);
    expect(invalid.error.message).to.contain('orders[3] (orderId 123-4567890-1234567): orderItems[0].quantityOrdered: expected integer, got "2"');
    expect(invalid.error.message).to.contain('RID-1');
    expect(invalid.error.path).to.equal('orders[3].orderItems[0].quantityOrdered');
    expect(invalid.error.orderId).to.equal('123-4567890-1234567');
    expect(page.pagination?.nextToken).to.equal('NEXT');
  });

  it('names an order without a usable id by its position', () => {
    const { orderId: _omit, ...noId } = order();
    const page = parseSearchOrdersPage({ orders: [noId] }, context);
    expect(page.invalidOrders[0].orderId).to.equal(null);
    expect(page.invalidOrders[0].error.message).to.contain('orders[0]: orderId: required property missing');
  });

  it('rejects money as a float, malformed decimals and currencies', () => {
    const asFloat = order('1', { proceeds: { grandTotal: { amount: 21.52 as unknown as string, currencyCode: 'USD' } } });
    expect(catchError(() => parseGetOrderResponse({ order: asFloat }, context)).message).to.contain('proceeds.grandTotal.amount: expected string, got 21.52');
    const comma = order('1', { proceeds: { grandTotal: { amount: '21,52', currencyCode: 'USD' } } });
    expect(catchError(() => parseGetOrderResponse({ order: comma }, context)).message).to.contain('proceeds.grandTotal.amount: expected a decimal string, got "21,52"');
    const exponent = order('1', { orderItems: [orderItem({ product: { price: { unitPrice: { amount: '1e3', currencyCode: 'USD' } } } })] });
    expect(catchError(() => parseGetOrderResponse({ order: exponent }, context)).path).to.equal('order.orderItems[0].product.price.unitPrice.amount');
    const currency = order('1', { proceeds: { grandTotal: { amount: '1.00', currencyCode: 'usd' } } });
    expect(catchError(() => parseGetOrderResponse({ order: currency }, context)).message).to.contain('expected a 3-letter currency code');
    // Negative amounts (discount breakdowns) and integers (JPY) are fine.
    expect(parseGetOrderResponse({ order: order('1', { proceeds: { grandTotal: { amount: '19940', currencyCode: 'JPY' } } }) }, context).orderId).to.equal('1');
  });

  it('rejects bad dates, unknown statuses and fulfilledBy, missing required parts', () => {
    const cases: Array<[unknown, string]> = [
      [order('1', { lastUpdatedTime: '2026-11-25 09:30' }), 'lastUpdatedTime: expected an ISO 8601 date-time, got "2026-11-25 09:30"'],
      [order('1', { createdTime: '2026-13-45T99:00:00Z' }), 'createdTime: expected an ISO 8601 date-time'],
      [order('1', { fulfillment: { fulfillmentStatus: 'Unshipped' as never } }), 'fulfillment.fulfillmentStatus: expected one of PENDING_AVAILABILITY, PENDING, UNSHIPPED'],
      [order('1', { fulfillment: { fulfillmentStatus: 'SHIPPED', fulfilledBy: 'AFN' as never } }), 'fulfillment.fulfilledBy: expected one of MERCHANT, AMAZON, got "AFN"'],
      [{ ...order('1'), orderItems: undefined }, 'orderItems: required property missing'],
      [order('1', { orderItems: [orderItem({ product: undefined as never })] }), 'orderItems[0].product: required property missing'],
      [order('1', { orderItems: [orderItem({ orderItemId: '' })] }), 'orderItems[0].orderItemId: expected a non-empty string'],
      [order('1', { orderItems: [orderItem({ quantityOrdered: 1.5 })] }), 'orderItems[0].quantityOrdered: expected integer, got 1.5'],
      [order('1', { orderItems: [orderItem({ fulfillment: { quantityFulfilled: -1 } })] }), 'orderItems[0].fulfillment.quantityFulfilled: expected an integer >= 0, got -1'],
      [order('1', { orderItems: [orderItem({ product: { sellerSku: 42 as never } })] }), 'orderItems[0].product.sellerSku: expected string, got number'],
      [order('1', { buyer: { buyerName: null as never } }), 'buyer.buyerName: expected string, got null'],
      [order('1', { recipient: { deliveryAddress: 'Main St' as never } }), 'recipient.deliveryAddress: expected object (CustomerAddress), got string'],
      [order('1', { orderItems: [orderItem({ proceeds: { breakdowns: [{ type: 'TAX' } as never] } })] }), 'orderItems[0].proceeds.breakdowns[0].subtotal: required property missing'],
      [order('1', { orderItems: [orderItem({ cancellation: { cancellationRequest: { cancelReason: 5 as never } } })] }), 'orderItems[0].cancellation.cancellationRequest.cancelReason: expected string, got number'],
      [order('1', { salesChannel: {} as never }), 'salesChannel.channelName: required property missing'],
    ];
    for (const [raw, expected] of cases) {
      expect(catchError(() => parseGetOrderResponse({ order: raw }, { operation: 'getOrder', requestId: null })).message).to.contain(expected);
    }
  });

  it('does not print buyer data: containers and plain-string fields by kind only', () => {
    const error = catchError(() => parseGetOrderResponse({ order: order('1', { buyer: ['Jane Doe', 'jane@example.com'] as never }) }, context));
    expect(error.message).to.contain('buyer: expected object (Buyer), got array');
    expect(error.message).to.not.contain('Jane');
    const address = { ...order('1').recipient!.deliveryAddress, postalCode: 98101 as never, phone: 2065550100 as never };
    const leak = catchError(() => parseGetOrderResponse({ order: order('1', { recipient: { deliveryAddress: address } }) }, context));
    expect(leak.message).to.contain('recipient.deliveryAddress.postalCode: expected string, got number');
    expect(JSON.stringify(leak)).to.not.contain('98101').and.to.not.contain('2065550100');
  });

  it('does not print text or numbers sent where an object or a list belongs (the buyer, the address)', () => {
    for (const [over, expected] of [
      [{ buyer: 'Jane Doe, jane@example.com' }, 'buyer: expected object (Buyer), got string'],
      [{ recipient: { deliveryAddress: 'Main St 1, Seattle' } }, 'recipient.deliveryAddress: expected object (CustomerAddress), got string'],
      [{ recipient: { deliveryAddress: 2065550100 } }, 'recipient.deliveryAddress: expected object (CustomerAddress), got number'],
      [{ orderAliases: 'Jane Doe' }, 'orderAliases: expected array, got string'],
    ] as const) {
      const error = catchError(() => parseGetOrderResponse({ order: order('1', over as never) }, context));
      expect(error.message).to.contain(expected);
      expect(JSON.stringify(error)).to.not.match(/Jane|Main St|2065550100/);
    }
  });

  it('rejects dates the calendar does not have, which Date.parse would roll over', () => {
    for (const createdTime of ['2026-02-30T10:00:00Z', '2026-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2026-11-26T24:00:00Z', '2026-11-26T10:00:00+05:99']) {
      expect(catchError(() => parseGetOrderResponse({ order: order('1', { createdTime }) }, context)).path, createdTime).to.equal('order.createdTime');
    }
    // Leap days and offsets are fine.
    for (const createdTime of ['2028-02-29T10:00:00Z', '2026-12-31T23:59:59.999-14:00', '2026-11-26T10:00+0530']) {
      expect(parseGetOrderResponse({ order: order('1', { createdTime }) }, context).createdTime).to.equal(createdTime);
    }
  });

  it('refuses an order nesting deeper than storing it allows, in properties the model does not have too', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const withDeep = { ...order('1'), orderItems: [{ ...orderItem(), 'x-amzn-new': deep }] };
    // Storing it would overflow the stack (the whole page would fail on every run).
    expect(() => JSON.stringify(withDeep)).to.throw(RangeError);
    const error = catchError(() => parseGetOrderResponse({ order: withDeep }, context));
    expect(error.path).to.equal('order.orderItems[0]');
    expect(error.message).to.contain('orderItems[0]: a property the model does not define nests more than 64 levels deep');
    // What Amazon adds at a reasonable depth is accepted as before.
    const shallow = { ...order('1'), 'x-amzn-new': { a: [{ b: { c: [1, 2, { d: 'e' }] } }] } };
    expect(parseGetOrderResponse({ order: shallow }, context)).to.equal(shallow);
  });

  it('keeps a message short whatever the order id', () => {
    const error = catchError(() => parseGetOrderResponse({ order: order('9'.repeat(70_000), { createdTime: 'now' }) }, context));
    expect(error.orderId).to.have.length(70_000);
    expect(error.message.length).to.be.below(200);
    expect(error.message).to.contain(`(orderId ${'9'.repeat(31)}…)`);
  });

  it('a page without an orders array fails as a whole', () => {
    for (const body of [{ payload: { Orders: [] } }, { orders: 'none' }, null, [order()]]) {
      const error = catchError(() => parseSearchOrdersPage(body, context));
      expect(error.orderId).to.equal(null);
      expect(error.message).to.match(/^Invalid searchOrders response: /);
    }
    expect(catchError(() => parseSearchOrdersPage({ payload: {} }, context)).message).to.contain('orders: required property missing');
    expect(catchError(() => parseSearchOrdersPage({ orders: [], pagination: { nextToken: 5 } }, context)).path).to.equal('pagination.nextToken');
  });

  it('reports every issue of an order, the first in the message', () => {
    const error = catchError(() => parseGetOrderResponse({ order: { orderId: 'X', orderItems: [] } }, context));
    expect(error.issues.map((i) => i.path)).to.deep.equal(['createdTime', 'lastUpdatedTime', 'salesChannel']);
    expect(error.message).to.contain('(and 2 more issues)');
  });
});
