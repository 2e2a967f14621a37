import { expect } from 'chai';
import { LwaTokenProvider, REFRESH_MARGIN_MS } from '../../src/amazon/lwa.ts';
import { AmazonApiError, AmazonAuthError } from '../../src/amazon/errors.ts';
import { useFakeAmazon, type Reply } from '../support/fake-amazon.ts';
import { FakeClock, fakeSleep } from '../support/fake-time.ts';
import { CapturingLogger, REFRESH_TOKEN, SECRET, order, testClient } from '../support/amazon-fixtures.ts';

const TOKEN_PATH = '/auth/o2/token';
const tokenReply = (token: string, expiresIn = 3600): Reply => ({
  status: 200,
  json: { access_token: token, token_type: 'bearer', expires_in: expiresIn, refresh_token: REFRESH_TOKEN },
});

describe('Login with Amazon', () => {
  const amazon = useFakeAmazon();

  function provider(clock = new FakeClock(), logger = new CapturingLogger()) {
    return new LwaTokenProvider({
      storeName: 'Test US store',
      credentials: { clientId: 'client-1', clientSecret: SECRET, refreshToken: REFRESH_TOKEN },
      clock,
      logger,
      tokenUrl: `${amazon.url}${TOKEN_PATH}`,
      sleep: fakeSleep(),
      random: () => 0,
    });
  }

  it('posts the refresh-token grant form-encoded and caches the token', async () => {
    let issued = 0;
    amazon.on('POST', TOKEN_PATH, () => tokenReply(`token-${++issued}`));
    const lwa = provider();
    expect(await lwa.getAccessToken()).to.equal('token-1');
    expect(await lwa.getAccessToken()).to.equal('token-1');
    const [request] = amazon.requestsTo(TOKEN_PATH);
    expect(amazon.requestsTo(TOKEN_PATH)).to.have.length(1);
    expect(request.headers['content-type']).to.match(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request.body);
    expect(Object.fromEntries(form)).to.deep.equal({
      grant_type: 'refresh_token',
      refresh_token: REFRESH_TOKEN,
      client_id: 'client-1',
      client_secret: SECRET,
    });
  });

  it('refreshes 60 s before expiry, by the injected clock', async () => {
    let issued = 0;
    amazon.on('POST', TOKEN_PATH, () => tokenReply(`token-${++issued}`, 3600));
    const clock = new FakeClock();
    const lwa = provider(clock);
    await lwa.getAccessToken();
    clock.advance(3600_000 - REFRESH_MARGIN_MS - 1);
    expect(await lwa.getAccessToken()).to.equal('token-1');
    clock.advance(2);
    expect(await lwa.getAccessToken()).to.equal('token-2');
    expect(amazon.requestsTo(TOKEN_PATH)).to.have.length(2);
  });

  it('makes one refresh for many concurrent callers', async () => {
    let issued = 0;
    amazon.on('POST', TOKEN_PATH, () => ({ ...tokenReply(`token-${++issued}`), delayMs: 50 }));
    const lwa = provider();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => lwa.getAccessToken()));
    expect(new Set(tokens)).to.deep.equal(new Set(['token-1']));
    expect(amazon.requestsTo(TOKEN_PATH)).to.have.length(1);
  });

  it('invalidate() forgets only the rejected token', async () => {
    let issued = 0;
    amazon.on('POST', TOKEN_PATH, () => tokenReply(`token-${++issued}`));
    const lwa = provider();
    await lwa.getAccessToken();
    lwa.invalidate('some-older-token');
    expect(await lwa.getAccessToken()).to.equal('token-1');
    lwa.invalidate('token-1');
    expect(await lwa.getAccessToken()).to.equal('token-2');
  });

  it('retries a transient LWA failure', async () => {
    amazon.sequence('POST', TOKEN_PATH, [{ status: 503, raw: 'busy' }, tokenReply('token-1')]);
    const logger = new CapturingLogger();
    expect(await provider(new FakeClock(), logger).getAccessToken()).to.equal('token-1');
    expect(logger.text()).to.match(/refresh failed, retrying.*"requestId":"req-1"/);
  });

  for (const [status, code] of [
    [401, 'invalid_client'],
    [400, 'invalid_grant'],
  ] as const) {
    it(`bad credentials (${status} ${code}) give AmazonAuthError naming the store, without any secret`, async () => {
      // A hostile or buggy server echoing the request must not leak it either.
      amazon.on('POST', TOKEN_PATH, (request) => ({
        status,
        json: { error: code, error_description: `Rejected request: ${request.body}` },
      }));
      const logger = new CapturingLogger();
      const lwa = provider(new FakeClock(), logger);
      const error = await lwa.getAccessToken().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(AmazonAuthError);
      const auth = error as AmazonAuthError;
      expect(auth.storeName).to.equal('Test US store');
      expect(auth.code).to.equal(code);
      expect(auth.message).to.contain('"Test US store"');
      expect(auth.message).to.contain(code);
      // Amazon's request id is what its support asks for.
      expect(auth.requestId).to.match(/^req-\d+$/);
      expect(auth.message).to.contain(`[request id ${auth.requestId}]`);
      for (const text of [auth.message, JSON.stringify(auth), String(auth.stack), logger.text()]) {
        expect(text).to.not.contain(SECRET);
        expect(text).to.not.contain(REFRESH_TOKEN);
        expect(text).to.not.contain(encodeURIComponent(REFRESH_TOKEN));
        expect(text).to.not.contain(encodeURIComponent(SECRET));
      }
      expect(amazon.requestsTo(TOKEN_PATH)).to.have.length(1); // credentials errors are not retried
    });
  }

  describe('through the SP-API client', () => {
    const ORDER_PATH = '/orders/2026-01-01/orders/111-0000001-0000001';

    it('an expired-token 403 invalidates the token, refreshes once and retries once', async () => {
      let issued = 0;
      amazon.on('POST', TOKEN_PATH, () => tokenReply(`token-${++issued}`));
      amazon.on('GET', ORDER_PATH, (request) =>
        request.headers['x-amz-access-token'] === 'token-1'
          ? { status: 403, json: { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The access token you provided has expired.' }] } }
          : { status: 200, json: { order: order() } },
      );
      const { client } = testClient(amazon.url, { tokens: undefined });
      const { order: got } = await client.orders.getOrder('111-0000001-0000001');
      expect(got.orderId).to.equal('111-0000001-0000001');
      expect(amazon.requestsTo(TOKEN_PATH)).to.have.length(2);
      expect(amazon.requestsTo(ORDER_PATH).map((r) => r.headers['x-amz-access-token'])).to.deep.equal(['token-1', 'token-2']);
    });

    it('a second rejection is final: one refresh, two calls, a recorded error', async () => {
      let issued = 0;
      amazon.on('POST', TOKEN_PATH, () => tokenReply(`token-${++issued}`));
      amazon.on('GET', ORDER_PATH, () => ({ status: 401, json: { errors: [{ code: 'Unauthorized', message: 'The access token you provided is revoked, malformed or invalid.' }] } }));
      const { client, recorder } = testClient(amazon.url, { tokens: undefined });
      const error = await client.orders.getOrder('111-0000001-0000001').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(AmazonApiError);
      expect((error as AmazonApiError).status).to.equal(401);
      expect(amazon.requestsTo(TOKEN_PATH)).to.have.length(2);
      expect(amazon.requestsTo(ORDER_PATH)).to.have.length(2);
      expect(recorder.entries).to.have.length(1);
    });

    // The store's name is in our error message; only Amazon's words may decide a refresh.
    for (const storeName of ['Test US store', 'Expired-Goods Outlet (access token shop)']) {
      it(`a 403 for a missing role does not refresh the token (store "${storeName}")`, async () => {
        amazon.on('POST', TOKEN_PATH, () => tokenReply('token-1'));
        amazon.on('GET', ORDER_PATH, () => ({ status: 403, json: { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }] } }));
        const { client } = testClient(amazon.url, { tokens: undefined }, { name: storeName });
        await client.orders.getOrder('111-0000001-0000001').catch(() => undefined);
        expect(amazon.requestsTo(TOKEN_PATH)).to.have.length(1);
        expect(amazon.requestsTo(ORDER_PATH)).to.have.length(1);
      });
    }

    it('refused credentials reach the communication errors log without secrets', async () => {
      amazon.on('POST', TOKEN_PATH, () => ({ status: 400, json: { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' } }));
      const { client, recorder, logger } = testClient(amazon.url, { tokens: undefined });
      const error = await client.orders.getOrder('111-0000001-0000001').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(AmazonAuthError);
      expect(amazon.requestsTo(ORDER_PATH)).to.have.length(0);
      expect(recorder.entries).to.have.length(1);
      expect(recorder.entries[0]).to.include({ storeId: 7, operation: 'lwaRefreshToken', httpStatus: 400, code: 'invalid_grant' });
      const everything = `${JSON.stringify(recorder.entries)}\n${logger.text()}`;
      expect(everything).to.not.contain(SECRET);
      expect(everything).to.not.contain(REFRESH_TOKEN);
    });
  });
});
