import { expect } from 'chai';
import { AmazonRequestError, AmazonResponseError } from '../../src/amazon/errors.ts';
import type { SearchOrdersPage, SearchOrdersParams } from '../../src/amazon/orders-api.ts';
import { useFakeAmazon } from '../support/fake-amazon.ts';
import { order, orderItem, testClient } from '../support/amazon-fixtures.ts';

const SEARCH = '/orders/2026-01-01/orders';

async function requestError(promise: Promise<unknown>): Promise<AmazonRequestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(AmazonRequestError);
  return error as AmazonRequestError;
}

describe('Orders API v2026-01-01', () => {
  const amazon = useFakeAmazon();

  it('sends every searchOrders parameter, arrays comma-separated', async () => {
    amazon.on('GET', SEARCH, () => ({ status: 200, json: { orders: [] } }));
    const { client, clock } = testClient(amazon.url);
    await client.orders.searchOrders({
      lastUpdatedAfter: new Date(clock.ms - 86_400_000),
      lastUpdatedBefore: '2026-11-26T09:55:00Z',
      fulfillmentStatuses: ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'],
      marketplaceIds: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'],
      fulfilledBy: ['MERCHANT', 'AMAZON'],
      maxResultsPerPage: 100,
      includedData: ['BUYER', 'RECIPIENT', 'PROCEEDS', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'TAX'],
    });
    const [request] = amazon.requests;
    expect(Object.fromEntries(request.query)).to.deep.equal({
      lastUpdatedAfter: '2026-11-25T10:00:00.000Z',
      lastUpdatedBefore: '2026-11-26T09:55:00Z',
      fulfillmentStatuses: 'UNSHIPPED,PARTIALLY_SHIPPED,SHIPPED,CANCELLED',
      marketplaceIds: 'ATVPDKIKX0DER,A2EUQ1WTGCTBG2',
      fulfilledBy: 'MERCHANT,AMAZON',
      maxResultsPerPage: '100',
      includedData: 'BUYER,RECIPIENT,PROCEEDS,PROMOTION,CANCELLATION,FULFILLMENT,TAX',
    });
    expect(request.rawQuery).to.contain('fulfilledBy=MERCHANT,AMAZON');
    expect(request.rawQuery).to.contain('lastUpdatedAfter=2026-11-25T10%3A00%3A00.000Z');
  });

  it('pages with paginationToken = previous nextToken, repeating every other parameter', async () => {
    const pages = [
      { orders: [order('111-1'), order('111-2')], pagination: { nextToken: 'TOKEN/1+=' } },
      { orders: [order('111-3')], pagination: { nextToken: 'TOKEN-2' } },
      { orders: [order('111-4')], lastUpdatedBefore: '2026-11-26T09:58:00Z' },
    ];
    amazon.on('GET', SEARCH, (_request, index) => ({ status: 200, json: pages[index] }));
    const { client } = testClient(amazon.url);
    const params: SearchOrdersParams = {
      createdAfter: new Date('2026-11-20T00:00:00.123Z'),
      createdBefore: new Date('2026-11-26T09:00:00Z'),
      fulfillmentStatuses: ['UNSHIPPED'],
      marketplaceIds: ['ATVPDKIKX0DER'],
      fulfilledBy: ['MERCHANT'],
      maxResultsPerPage: 2,
      includedData: ['BUYER', 'PROCEEDS'],
    };
    const seen: SearchOrdersPage[] = [];
    for await (const page of client.orders.searchOrderPages(params)) seen.push(page);

    expect(seen.map((p) => p.orders.map((o) => o.orderId))).to.deep.equal([['111-1', '111-2'], ['111-3'], ['111-4']]);
    expect(seen.map((p) => p.nextToken)).to.deep.equal(['TOKEN/1+=', 'TOKEN-2', null]);
    expect(seen[2].lastUpdatedBefore).to.equal('2026-11-26T09:58:00Z');
    const queries = amazon.requests.map((r) => Object.fromEntries(r.query));
    expect(queries).to.have.length(3);
    expect(queries[0].paginationToken).to.equal(undefined);
    expect(queries[1].paginationToken).to.equal('TOKEN/1+=');
    expect(queries[2].paginationToken).to.equal('TOKEN-2');
    const { paginationToken: _a, ...first } = queries[0];
    for (const query of queries.slice(1)) {
      const { paginationToken: _t, ...rest } = query;
      expect(rest).to.deep.equal(first);
    }
    expect(first.createdAfter).to.equal('2026-11-20T00:00:00.123Z');
  });

  it('stops instead of looping when Amazon repeats a token', async () => {
    amazon.on('GET', SEARCH, () => ({ status: 200, json: { orders: [], pagination: { nextToken: 'SAME' } } }));
    const { client } = testClient(amazon.url);
    const pages: SearchOrdersPage[] = [];
    const error = await (async () => {
      for await (const page of client.orders.searchOrderPages({ lastUpdatedAfter: '2026-11-20T00:00:00Z' })) pages.push(page);
    })().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonResponseError);
    expect(amazon.requests).to.have.length(2);
  });

  it('rejects a ...Before less than two minutes before now (injected clock), before sending', async () => {
    amazon.on('GET', SEARCH, () => ({ status: 200, json: { orders: [] } }));
    const { client, clock } = testClient(amazon.url);
    const tooLate = new Date(clock.ms - 119_999);
    let error = await requestError(client.orders.searchOrders({ lastUpdatedAfter: '2026-11-20T00:00:00Z', lastUpdatedBefore: tooLate }));
    expect(error.field).to.equal('lastUpdatedBefore');
    expect(error.message).to.contain('at least two minutes before now');
    error = await requestError(client.orders.searchOrders({ createdAfter: '2026-11-20T00:00:00Z', createdBefore: tooLate }));
    expect(error.field).to.equal('createdBefore');
    expect(amazon.requests).to.have.length(0);

    await client.orders.searchOrders({ lastUpdatedAfter: '2026-11-20T00:00:00Z', lastUpdatedBefore: new Date(clock.ms - 120_000) });
    expect(amazon.requests).to.have.length(1);
  });

  it('enforces exactly one of createdAfter/lastUpdatedAfter and the other documented rules', async () => {
    const { client } = testClient(amazon.url);
    const at = '2026-11-20T00:00:00Z';
    const invalid: SearchOrdersParams[] = [
      {},
      { createdAfter: at, lastUpdatedAfter: at },
      { createdAfter: at, lastUpdatedBefore: '2026-11-21T00:00:00Z' },
      { lastUpdatedAfter: at, createdBefore: '2026-11-21T00:00:00Z' },
      { lastUpdatedAfter: at, lastUpdatedBefore: '2026-11-19T00:00:00Z' },
      { lastUpdatedAfter: 'yesterday' },
      { lastUpdatedAfter: new Date(Number.NaN) },
      { lastUpdatedAfter: at, maxResultsPerPage: 0 },
      { lastUpdatedAfter: at, maxResultsPerPage: 101 },
      { lastUpdatedAfter: at, maxResultsPerPage: 2.5 },
      { lastUpdatedAfter: at, marketplaceIds: Array.from({ length: 51 }, (_, i) => `M${i}`) },
      { lastUpdatedAfter: at, fulfillmentStatuses: ['Unshipped' as never] },
      { lastUpdatedAfter: at, includedData: ['ITEMS' as never] },
    ];
    for (const params of invalid) await requestError(client.orders.searchOrders(params));
    expect(amazon.requests).to.have.length(0);
  });

  it('returns the valid orders of a page with the invalid ones listed apart', async () => {
    const bad = order('222-2', { orderItems: [orderItem({ quantityOrdered: '1' as never })] });
    amazon.on('GET', SEARCH, () => ({ status: 200, json: { orders: [order('111-1'), bad] }, offContract: true }));
    const { client, logger, recorder } = testClient(amazon.url);
    const page = await client.orders.searchOrders({ lastUpdatedAfter: '2026-11-20T00:00:00Z' });
    expect(page.orders.map((o) => o.orderId)).to.deep.equal(['111-1']);
    expect(page.invalidOrders.map((i) => [i.index, i.orderId])).to.deep.equal([[1, '222-2']]);
    expect(page.invalidOrders[0].error.message).to.contain('orders[1] (orderId 222-2): orderItems[0].quantityOrdered: expected integer, got "1"');
    expect(page.requestId).to.equal('req-1');
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.context?.orderId)).to.deep.equal(['222-2']);
    expect(recorder.entries).to.deep.equal([]); // the caller records the bad order on the order itself
  });

  it('a page without an orders array is an error for the whole page, recorded', async () => {
    amazon.on('GET', SEARCH, () => ({ status: 200, json: { payload: { Orders: [] } }, offContract: true }));
    const { client, recorder } = testClient(amazon.url);
    const error = await client.orders.searchOrders({ lastUpdatedAfter: '2026-11-20T00:00:00Z' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonResponseError);
    expect((error as AmazonResponseError).message).to.contain('orders: required property missing');
    expect(recorder.entries[0]).to.include({ operation: 'searchOrders', code: 'InvalidResponse', requestId: 'req-1' });
  });

  it('getOrder asks for the order with includedData and checks it got that order', async () => {
    amazon.on('GET', '/orders/2026-01-01/orders/111-1', () => ({ status: 200, json: { order: order('111-1') } }));
    amazon.on('GET', '/orders/2026-01-01/orders/111-2', () => ({ status: 200, json: { order: order('999-9') } }));
    const { client } = testClient(amazon.url);
    const result = await client.orders.getOrder('111-1', ['BUYER', 'RECIPIENT']);
    expect(result.order.orderItems[0].product.sellerSku).to.equal('SKU-1');
    expect(result.order.proceeds?.grandTotal?.amount).to.equal('21.52');
    expect(amazon.requests[0].rawQuery).to.equal('includedData=BUYER,RECIPIENT');
    const error = await client.orders.getOrder('111-2').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonResponseError);
    expect((error as AmazonResponseError).message).to.contain('asked for order 111-2, got 999-9');
    await requestError(client.orders.getOrder(' '));
  });
});
