import { expect } from 'chai';
import { AmazonApiError, AmazonNetworkError, AmazonResponseError, isExpiredPaginationToken } from '../../src/amazon/errors.ts';
import { USER_AGENT, SP_API_ENDPOINTS } from '../../src/amazon/config.ts';
import { useFakeAmazon } from '../support/fake-amazon.ts';
import { order, testClient } from '../support/amazon-fixtures.ts';
import pkg from '../../package.json' with { type: 'json' };

const ORDER_ID = '111-0000001-0000001';
const ORDER_PATH = `/orders/2026-01-01/orders/${ORDER_ID}`;
const ok = () => ({ status: 200, json: { order: order(ORDER_ID) } });
const quota = { status: 429, json: { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] } };
const unavailable = { status: 503, json: { errors: [{ code: 'ServiceUnavailable', message: 'Service temporarily unavailable.' }] } };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('SP-API HTTP layer', () => {
  const amazon = useFakeAmazon();

  it('sends the access token, user agent and accept headers, and never logs the token', async () => {
    amazon.on('GET', ORDER_PATH, ok);
    const { client, logger, tokens } = testClient(amazon.url);
    await client.orders.getOrder(ORDER_ID);
    const [request] = amazon.requests;
    expect(request.headers['x-amz-access-token']).to.equal(tokens.token);
    expect(request.headers['user-agent']).to.equal(USER_AGENT);
    expect(request.headers.accept).to.equal('application/json');
    expect(request.headers.authorization).to.equal(undefined);
    expect(logger.text()).to.not.contain(tokens.token);
    expect(logger.lines.find((l) => l.message === 'Amazon call')?.context).to.include({ requestId: 'req-1', status: 200, operation: 'getOrder' });
  });

  it('the user agent names this package and version', () => {
    expect(USER_AGENT).to.equal(`${pkg.name}/${pkg.version} (Language=TypeScript)`);
  });

  it('uses the region endpoint unless the store overrides it', async () => {
    const urls: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ order: order(ORDER_ID) }), { status: 200 });
    };
    await testClient(amazon.url, { fetch: fetchStub }, { endpoint: undefined, region: 'eu' }).client.orders.getOrder(ORDER_ID);
    await testClient(amazon.url, { fetch: fetchStub }, { endpoint: undefined, region: 'fe' }).client.orders.getOrder(ORDER_ID);
    await testClient(amazon.url, { fetch: fetchStub }, { endpoint: 'http://127.0.0.1:1/sandbox/' }).client.orders.getOrder(ORDER_ID);
    expect(urls).to.deep.equal([
      `${SP_API_ENDPOINTS.eu}${ORDER_PATH}`,
      `${SP_API_ENDPOINTS.fe}${ORDER_PATH}`,
      `http://127.0.0.1:1/sandbox${ORDER_PATH}`,
    ]);
    expect(SP_API_ENDPOINTS).to.deep.equal({
      na: 'https://sellingpartnerapi-na.amazon.com',
      eu: 'https://sellingpartnerapi-eu.amazon.com',
      fe: 'https://sellingpartnerapi-fe.amazon.com',
    });
  });

  it('429 then success: retried after back-off, and the shared bucket is drained', async () => {
    amazon.sequence('GET', ORDER_PATH, [quota, ok()]);
    const { client, limiter, sleep, recorder } = testClient(amazon.url);
    await client.orders.getOrder(ORDER_ID);
    expect(amazon.requests).to.have.length(2);
    expect(limiter.drained).to.deep.equal(['sp-api:A1SELLER:getOrder']);
    expect(limiter.acquired).to.have.length(2); // each attempt takes its own token
    expect(sleep.calls).to.deep.equal([500]); // random 0.5 * base 1000
    expect(recorder.entries).to.deep.equal([]);
  });

  it('503 twice then success: exponential back-off with jitter', async () => {
    amazon.sequence('GET', ORDER_PATH, [unavailable, unavailable, ok()]);
    const { client, sleep, logger } = testClient(amazon.url);
    await client.orders.getOrder(ORDER_ID);
    expect(amazon.requests).to.have.length(3);
    expect(sleep.calls).to.deep.equal([500, 1000]);
    const retries = logger.lines.filter((l) => l.message === 'Amazon call failed, retrying');
    expect(retries.map((l) => l.context?.requestId)).to.deep.equal(['req-1', 'req-2']);
  });

  it('back-off is capped at maxDelayMs and gives up after maxAttempts, recording the error once', async () => {
    amazon.sequence('GET', ORDER_PATH, [unavailable]);
    const { client, sleep, recorder } = testClient(amazon.url, { retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 1500 }, random: () => 0.999 });
    const error = (await failure(client.orders.getOrder(ORDER_ID))) as AmazonApiError;
    expect(error).to.be.instanceOf(AmazonApiError);
    expect(amazon.requests).to.have.length(4);
    expect(sleep.calls).to.deep.equal([999, 1498, 1498]);
    expect(recorder.entries).to.have.length(1);
    expect(recorder.entries[0]).to.deep.include({ storeId: 7, operation: 'getOrder', httpStatus: 503, code: 'ServiceUnavailable', requestId: 'req-4' });
  });

  it('400 is not retried and becomes a typed AmazonApiError with the request id', async () => {
    amazon.on('GET', ORDER_PATH, () => ({ status: 400, json: { errors: [{ code: 'InvalidInput', message: 'Invalid Input', details: 'orderId is malformed' }] } }));
    const { client, sleep, recorder } = testClient(amazon.url);
    const error = (await failure(client.orders.getOrder(ORDER_ID))) as AmazonApiError;
    expect(error).to.be.instanceOf(AmazonApiError);
    expect(error).to.include({ status: 400, code: 'InvalidInput', details: 'orderId is malformed', requestId: 'req-1', operation: 'getOrder' });
    expect(error.errors).to.deep.equal([{ code: 'InvalidInput', message: 'Invalid Input', details: 'orderId is malformed' }]);
    expect(error.message).to.contain('Invalid Input').and.to.contain('req-1').and.to.contain('Test US store');
    expect(amazon.requests).to.have.length(1);
    expect(sleep.calls).to.deep.equal([]);
    expect(recorder.entries).to.deep.equal([
      { storeId: 7, operation: 'getOrder', httpStatus: 400, code: 'InvalidInput', message: error.message, requestId: 'req-1' },
    ]);
  });

  it('404 is not retried', async () => {
    amazon.on('GET', ORDER_PATH, () => ({ status: 404, json: { errors: [{ code: 'NotFound', message: 'Order not found' }] } }));
    const { client } = testClient(amazon.url);
    expect(((await failure(client.orders.getOrder(ORDER_ID))) as AmazonApiError).status).to.equal(404);
    expect(amazon.requests).to.have.length(1);
  });

  it('a connection reset is retried', async () => {
    amazon.sequence('GET', ORDER_PATH, [{ status: 200, destroy: true }, ok()]);
    const { client, logger } = testClient(amazon.url);
    await client.orders.getOrder(ORDER_ID);
    expect(amazon.requests).to.have.length(2);
    expect(logger.lines.some((l) => l.message === 'Amazon call failed without an answer, retrying')).to.equal(true);
  });

  it('connection resets until the last attempt give a recorded AmazonNetworkError', async () => {
    amazon.sequence('GET', ORDER_PATH, [{ status: 200, destroy: true }]);
    const { client, recorder } = testClient(amazon.url, { retry: { maxAttempts: 3 } });
    const error = (await failure(client.orders.getOrder(ORDER_ID))) as AmazonNetworkError;
    expect(error).to.be.instanceOf(AmazonNetworkError);
    expect(error.timedOut).to.equal(false);
    expect(amazon.requests).to.have.length(3);
    expect(recorder.entries).to.have.length(1);
    expect(recorder.entries[0]).to.include({ operation: 'getOrder', httpStatus: null, code: 'NetworkError' });
  });

  it('a call that times out is retried, and repeated timeouts fail as a timeout', async () => {
    amazon.sequence('GET', ORDER_PATH, [{ ...ok(), delayMs: 1000 }, ok()]);
    const first = testClient(amazon.url, { timeoutMs: 150 });
    await first.client.orders.getOrder(ORDER_ID);
    expect(amazon.requests).to.have.length(2);

    amazon.reset();
    amazon.sequence('GET', ORDER_PATH, [{ ...ok(), delayMs: 1000 }]);
    const second = testClient(amazon.url, { timeoutMs: 150, retry: { maxAttempts: 2 } });
    const error = (await failure(second.client.orders.getOrder(ORDER_ID))) as AmazonNetworkError;
    expect(error).to.be.instanceOf(AmazonNetworkError);
    expect(error.timedOut).to.equal(true);
    expect(error.message).to.contain('timed out after 150 ms');
    expect(second.recorder.entries[0]).to.include({ code: 'Timeout' });
  });

  it('malformed JSON in a 200 is a typed error with the request id, not retried', async () => {
    amazon.on('GET', ORDER_PATH, () => ({ status: 200, raw: '{"order": {"orderId": "111-', headers: { 'content-type': 'application/json' }, offContract: true }));
    const { client, recorder } = testClient(amazon.url);
    const error = (await failure(client.orders.getOrder(ORDER_ID))) as AmazonResponseError;
    expect(error).to.be.instanceOf(AmazonResponseError);
    expect(error.requestId).to.equal('req-1');
    expect(error.message).to.contain('not JSON').and.to.contain('req-1');
    expect(amazon.requests).to.have.length(1);
    expect(recorder.entries[0]).to.include({ httpStatus: 200, code: 'InvalidResponse', requestId: 'req-1' });
  });

  it('a non-JSON error page (502 from a proxy) is retried, then reported without a code', async () => {
    amazon.sequence('GET', ORDER_PATH, [{ status: 502, raw: '<html>Bad Gateway</html>' }]);
    const { client } = testClient(amazon.url, { retry: { maxAttempts: 2 } });
    const error = (await failure(client.orders.getOrder(ORDER_ID))) as AmazonApiError;
    expect(error).to.include({ status: 502, code: null, requestId: 'req-2' });
    expect(error.message).to.contain('non-JSON body');
    expect(amazon.requests).to.have.length(2);
  });

  it('adopts x-amzn-RateLimit-Limit, unless the store fixed the plan', async () => {
    amazon.on('GET', ORDER_PATH, () => ({ ...ok(), headers: { 'x-amzn-RateLimit-Limit': '0.75' } }));
    const free = testClient(amazon.url);
    await free.client.orders.getOrder(ORDER_ID);
    expect(free.limiter.observed).to.deep.equal([{ key: 'sp-api:A1SELLER:getOrder', rate: 0.75 }]);
    const fixed = testClient(amazon.url, {}, { ratePlans: { getOrder: { rate: 5, burst: 15 } } });
    await fixed.client.orders.getOrder(ORDER_ID);
    expect(fixed.limiter.observed).to.deep.equal([]);
  });

  it('tells an expired pagination token by what Amazon said, not by the store name in the message', async () => {
    let amazonSays = 'Invalid paginationToken: it has expired.';
    amazon.on('GET', '/orders/2026-01-01/orders', () => ({ status: 400, json: { errors: [{ code: 'InvalidInput', message: amazonSays, details: '' }] } }));
    const search = (name: string) =>
      failure(testClient(amazon.url, {}, { name }).client.orders.searchOrders({ lastUpdatedAfter: new Date('2026-11-01T00:00:00Z'), marketplaceIds: ['ATVPDKIKX0DER'] }));
    expect(isExpiredPaginationToken(await search('My US store'))).to.equal(true);
    amazonSays = 'Invalid marketplaceIds.';
    const unrelated = await search('Token Shop');
    expect((unrelated as AmazonApiError).message).to.contain('Token Shop');
    expect(isExpiredPaginationToken(unrelated)).to.equal(false);
  });
});
