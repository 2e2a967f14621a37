import { expect } from 'chai';
import sinon from 'sinon';
import type { OrderDescription, RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { ago, HOUR, MINUTE, SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';
import { assertContract, ContractError } from '../support/sp-api-contract.ts';

describe('Amazon sandbox: faults on demand', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox());
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const search = (query: Record<string, string | number | undefined> = {}) => api.searchOrders({ createdAfter: ago(sandbox, HOUR), ...query });

  it("answers a bug of its own as Amazon's 500 InternalFailure, with a request id and the cause in details", async () => {
    const search = sinon.stub(sandbox.orders, 'search').throws(new Error('index out of range'));
    try {
      const res = await api.searchOrders({ createdAfter: ago(sandbox, HOUR) });
      expect(res.status).to.equal(500);
      expect(res.body.errors[0]).to.deep.equal({ code: 'InternalFailure', message: 'We encountered an internal error. Please try again.', details: 'sandbox failure: index out of range' });
    } finally {
      search.restore();
    }
  });

  function shipmentBody(order: OrderDescription): Record<string, unknown> {
    return {
      marketplaceId: 'ATVPDKIKX0DER',
      packageDetail: {
        packageReferenceId: '1',
        carrierCode: 'UPS',
        trackingNumber: '1Z1',
        shipDate: new Date(sandbox.clock.now()).toISOString(),
        orderItems: [{ orderItemId: order.items[0]!.orderItemId, quantity: 1 }],
      },
    };
  }

  it('throttles the next N calls of one operation with 429 QuotaExceeded, counted as throttled', async () => {
    sandbox.addFault({ operation: 'searchOrders', kind: 'throttle', count: 2 });
    expect((await search()).status).to.equal(429);
    expect((await api.getOrder('111-0000000-0000000')).status).to.equal(404);
    const second = await search();
    expect(second.status).to.equal(429);
    expect(second.body.errors[0].code).to.equal('QuotaExceeded');
    expect((await search()).status).to.equal(200);
    expect(sandbox.throttledCounts()).to.deep.equal({ searchOrders: 2 });
    expect(sandbox.requests({ operation: 'searchOrders' }).map((r) => [r.status, r.throttled, r.faults])).to.deep.equal([
      [429, true, ['throttle']],
      [429, true, ['throttle']],
      [200, false, []],
    ]);
  });

  it("answers 500 InternalFailure and 503 ServiceUnavailable with Amazon's error bodies", async () => {
    sandbox.addFault({ operation: 'getOrder', kind: 'error500' });
    sandbox.addFault({ operation: 'createFeedDocument', kind: 'error503' });
    const failed = await api.getOrder('111-0000000-0000000');
    expect(failed.status).to.equal(500);
    expect(failed.body.errors[0].code).to.equal('InternalFailure');
    expect(failed.headers.get('x-amzn-RateLimit-Limit')).to.equal(null);
    const unavailable = await api.createFeedDocument({ contentType: 'text/xml' });
    expect(unavailable.status).to.equal(503);
    expect(unavailable.body.errors[0].code).to.equal('ServiceUnavailable');
    expect((await api.createFeedDocument({ contentType: 'text/xml' })).status).to.equal(201);
  });

  it('keeps a fault for a window of sandbox time, for every operation with "*"', async () => {
    sandbox.addFault({ operation: '*', kind: 'error503', durationMs: MINUTE });
    expect((await search()).status).to.equal(503);
    expect((await api.getOrder('111-0000000-0000000')).status).to.equal(503);
    expect((await search()).status).to.equal(503);
    sandbox.advanceClock(MINUTE);
    expect((await search()).status).to.equal(200);
    expect(sandbox.listFaults()).to.deep.equal([]);
  });

  it('delays responses by real milliseconds', async () => {
    sandbox.addFault({ operation: 'searchOrders', kind: 'delay', delayMs: 250 });
    const started = Date.now();
    expect((await search()).status).to.equal(200);
    expect(Date.now() - started).to.be.at.least(240);
    const again = Date.now();
    await search();
    expect(Date.now() - again).to.be.below(200);
  });

  it('resets the connection before processing (nothing applied) or after it (applied, unanswered)', async () => {
    const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 2 }], status: 'UNSHIPPED' });
    await api.token();
    sandbox.addFault({ operation: 'confirmShipment', kind: 'reset' });
    let error: unknown;
    try {
      await api.raw('POST', `/orders/v0/orders/${order.orderId}/shipmentConfirmation`, { body: shipmentBody(order) });
    } catch (e) {
      error = e;
    }
    expect(error, 'the request should fail at the socket').to.be.instanceOf(Error);
    expect(sandbox.getOrder(order.orderId)!.status).to.equal('UNSHIPPED');

    sandbox.addFault({ operation: 'confirmShipment', kind: 'reset', phase: 'after' });
    error = undefined;
    try {
      await api.raw('POST', `/orders/v0/orders/${order.orderId}/shipmentConfirmation`, { body: shipmentBody(order) });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
    expect(sandbox.getOrder(order.orderId)!.status).to.equal('PARTIALLY_SHIPPED');
    expect(sandbox.requests({ operation: 'confirmShipment' }).map((r) => [r.status, r.faults])).to.deep.equal([
      [null, ['reset']],
      [null, ['reset']],
    ]);
  });

  it('sends a malformed JSON body once', async () => {
    sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
    sandbox.advanceClock(3 * MINUTE);
    sandbox.addFault({ operation: 'searchOrders', kind: 'malformedJson' });
    const broken = await api.raw('GET', '/orders/2026-01-01/orders', { query: { createdAfter: ago(sandbox, HOUR) } });
    expect(broken.status).to.equal(200);
    expect(broken.headers.get('content-type')).to.equal('application/json');
    expect(() => JSON.parse(broken.text)).to.throw(SyntaxError);
    expect(broken.text.startsWith('{"orders":[')).to.equal(true);
    expect((await search()).body.orders).to.have.length(1);
  });

  it('puts a schema-invalid order into an otherwise valid page (missing field, wrong type)', async () => {
    const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
    sandbox.placeOrder({ items: [{ sku: 'B', qty: 1 }] });
    sandbox.advanceClock(3 * MINUTE);
    sandbox.addFault({ operation: 'searchOrders', kind: 'invalidOrder' });
    const page = await api.raw('GET', '/orders/2026-01-01/orders', { query: { createdAfter: ago(sandbox, HOUR) } });
    expect(page.status).to.equal(200);
    expect(page.body.orders).to.have.length(2);
    expect(page.body.orders[0]).to.not.have.property('orderItems');
    expect(page.body.orders[1]).to.have.property('orderItems');
    expect(() => assertContract('orders_2026-01-01', 'searchOrders', page)).to.throw(ContractError, /orderItems/);

    sandbox.addFault({ operation: 'getOrder', kind: 'invalidOrder', variant: 'wrongType' });
    const single = await api.raw('GET', `/orders/2026-01-01/orders/${order.orderId}`);
    expect(single.body.order.orderItems[0].quantityOrdered).to.equal('1');
    expect(() => assertContract('orders_2026-01-01', 'getOrder', single)).to.throw(ContractError, /quantityOrdered/);
    expect((await api.getOrder(order.orderId)).status).to.equal(200);
  });

  it('reports the next pagination token as expired', async () => {
    for (const sku of ['A', 'B', 'C']) sandbox.placeOrder({ items: [{ sku, qty: 1 }] });
    sandbox.advanceClock(3 * MINUTE);
    const createdAfter = ago(sandbox, HOUR);
    const first = await api.searchOrders({ createdAfter, maxResultsPerPage: 1 });
    sandbox.addFault({ operation: 'searchOrders', kind: 'expiredToken' });
    expect((await api.searchOrders({ createdAfter })).status, 'a call without token does not use the fault').to.equal(200);
    const expired = await api.searchOrders({ createdAfter, paginationToken: first.body.pagination.nextToken });
    expect(expired.status).to.equal(400);
    expect(expired.body.errors[0].message).to.match(/expired/);
    expect((await api.searchOrders({ createdAfter, paginationToken: first.body.pagination.nextToken })).status).to.equal(200);
  });

  const lwaForm = () => ({ grant_type: 'refresh_token', refresh_token: sandbox.demoApp.refreshToken, client_id: sandbox.demoApp.clientId, client_secret: sandbox.demoApp.clientSecret });
  const tokenRequests = () => sandbox.requests().filter((r) => r.path === '/auth/o2/token').map((r) => [r.status, r.faults]);

  it("fails the LWA token endpoint when named (lwaToken): 500 server_error, 503 temporarily_unavailable, a reset; '*' leaves it alone", async () => {
    sandbox.addFault({ operation: '*', kind: 'error503' });
    sandbox.addFault({ operation: 'lwaToken', kind: 'error500' });
    sandbox.addFault({ operation: 'lwaToken', kind: 'error503' });
    const failed = await api.lwa(lwaForm());
    expect([failed.status, failed.body.error]).to.deep.equal([500, 'server_error']);
    const unavailable = await api.lwa(lwaForm());
    expect([unavailable.status, unavailable.body.error]).to.deep.equal([503, 'temporarily_unavailable']);
    expect(unavailable.headers.get('x-amzn-requestid')).to.be.a('string');
    sandbox.addFault({ operation: 'lwaToken', kind: 'reset' });
    let error: unknown;
    try {
      await api.lwa(lwaForm());
    } catch (e) {
      error = e;
    }
    expect(error, 'the token request should fail at the socket').to.be.instanceOf(Error);
    const recovered = await api.lwa(lwaForm());
    expect(recovered.status).to.equal(200);
    expect(recovered.body.access_token).to.match(/^Atza\|/);
    expect(sandbox.listFaults().map((f) => f.operation), "the '*' fault is for SP-API operations only").to.deep.equal(['*']);
    expect(tokenRequests()).to.deep.equal([[500, ['error500']], [503, ['error503']], [null, ['reset']], [200, []]]);
  });

  it('fails presigned uploads when named (uploadFeedDocument) with S3\'s InternalError and SlowDown, storing nothing; downloads are untouched', async () => {
    const xml = 'text/xml; charset=UTF-8';
    const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
    const doc = (await api.createFeedDocument({ contentType: xml })).body;
    const put = () =>
      fetch(doc.url, {
        method: 'PUT',
        headers: { 'content-type': xml },
        body: `<?xml version="1.0"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1SANDBOXSELLER</MerchantIdentifier></Header><MessageType>OrderAcknowledgement</MessageType><Message><MessageID>1</MessageID><OrderAcknowledgement><AmazonOrderID>${order.orderId}</AmazonOrderID><StatusCode>Failure</StatusCode></OrderAcknowledgement></Message></AmazonEnvelope>`,
      });
    sandbox.addFault({ operation: 'uploadFeedDocument', kind: 'error500' });
    sandbox.addFault({ operation: 'uploadFeedDocument', kind: 'error503', count: 2 });
    const failed = await put();
    expect(failed.status).to.equal(500);
    expect(await failed.text()).to.include('<Code>InternalError</Code>');
    const slow = await put();
    expect(slow.status).to.equal(503);
    expect(await slow.text()).to.include('<Code>SlowDown</Code>');
    // Nothing was stored: a feed of the document now has no content and is FATAL.
    const empty = await api.createFeed({ feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: ['ATVPDKIKX0DER'], inputFeedDocumentId: doc.feedDocumentId });
    sandbox.advanceClock(MINUTE);
    expect((await api.getFeed(empty.body.feedId)).body.processingStatus).to.equal('FATAL');
    // A download is no upload: the fault left is not used by it.
    const report = (await api.getFeedDocument((await api.getFeed(empty.body.feedId)).body.resultFeedDocumentId)).body;
    expect((await fetch(report.url)).status).to.equal(200);
    expect(sandbox.listFaults()).to.have.length(1);
    expect((await put()).status).to.equal(503);
    expect((await put()).status).to.equal(200);
    expect(sandbox.requests().filter((r) => r.method === 'PUT').map((r) => [r.status, r.faults])).to.deep.equal([
      [500, ['error500']],
      [503, ['error503']],
      [503, ['error503']],
      [200, []],
    ]);
    expect(sandbox.getOrder(order.orderId)!.status).to.equal('UNSHIPPED');
  });

  it('processes the feed of a faulted createFeed (messageError) with its first message rejected and not applied, the others applied', async () => {
    const [a, b] = [0, 1].map(() => sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' }).orderId);
    const xml = 'text/xml; charset=UTF-8';
    const doc = (await api.createFeedDocument({ contentType: xml })).body;
    const message = (id: number, orderId: string) =>
      `<Message><MessageID>${id}</MessageID><OrderAcknowledgement><AmazonOrderID>${orderId}</AmazonOrderID><StatusCode>Failure</StatusCode></OrderAcknowledgement></Message>`;
    const body = `<?xml version="1.0"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1SANDBOXSELLER</MerchantIdentifier></Header><MessageType>OrderAcknowledgement</MessageType>${message(1, a!)}${message(2, b!)}</AmazonEnvelope>`;
    expect((await fetch(doc.url, { method: 'PUT', headers: { 'content-type': xml }, body })).status).to.equal(200);
    sandbox.addFault({ operation: 'createFeed', kind: 'messageError' });
    const created = await api.createFeed({ feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: ['ATVPDKIKX0DER'], inputFeedDocumentId: doc.feedDocumentId });
    expect(created.status).to.equal(202);
    sandbox.advanceClock(MINUTE);
    const [feed] = sandbox.listFeeds();
    expect(feed).to.deep.include({ processingStatus: 'DONE', summary: { processed: 2, successful: 1, fatal: false } });
    expect(feed!.results).to.deep.equal([
      { messageId: '1', resultCode: 'Error', resultMessageCode: 18035, description: 'Message 1 could not be processed at this time. Submit it again in a new feed.', amazonOrderId: a },
    ]);
    expect([sandbox.getOrder(a!)!.status, sandbox.getOrder(b!)!.status]).to.deep.equal(['UNSHIPPED', 'CANCELLED']);
    expect(sandbox.requests({ operation: 'createFeed' }).map((r) => r.faults)).to.deep.equal([['messageError']]);
    expect(sandbox.listFaults()).to.deep.equal([]);
  });

  it('takes faults through the control API and validates them', async () => {
    const post = (body: unknown) => fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post({ operation: 'getFeed', kind: 'error500', count: 3 });
    expect(created.status).to.equal(201);
    const { fault } = (await created.json()) as any;
    expect(fault).to.include({ operation: 'getFeed', kind: 'error500', remaining: 3 });
    expect((await post({ operation: 'getOrders', kind: 'error500' })).status).to.equal(400);
    expect((await post({ operation: 'getFeed', kind: 'explode' })).status).to.equal(400);
    expect((await post({ operation: 'getFeed', kind: 'delay' })).status).to.equal(400);
    const listed = (await (await fetch(`${sandbox.url}/_sandbox/faults`)).json()) as any;
    expect(listed.faults.map((f: any) => f.id)).to.deep.equal([fault.id]);
    expect((await fetch(`${sandbox.url}/_sandbox/faults/${fault.id}`, { method: 'DELETE' })).status).to.equal(200);
    expect(sandbox.listFaults()).to.deep.equal([]);
    for (const refused of [
      { operation: 'lwaToken', kind: 'throttle' },
      { operation: 'uploadFeedDocument', kind: 'malformedJson' },
      { operation: 'getFeed', kind: 'messageError' },
      { operation: '*', kind: 'messageError' },
      { operation: 'downloadFeedDocument', kind: 'error500' },
    ]) {
      const answer = await post(refused);
      expect(answer.status, JSON.stringify(refused)).to.equal(400);
      expect(((await answer.json()) as any).error).to.be.a('string');
    }
    const upload = await post({ operation: 'uploadFeedDocument', kind: 'error503', durationMs: MINUTE });
    expect(upload.status).to.equal(201);
    expect(((await upload.json()) as any).fault).to.include({ operation: 'uploadFeedDocument', kind: 'error503' });
    expect(sandbox.listFaults().map((f) => f.operation)).to.deep.equal(['uploadFeedDocument']);
  });
});
