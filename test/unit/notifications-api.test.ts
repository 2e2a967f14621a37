import { expect } from 'chai';
import { LwaTokenProvider } from '../../src/amazon/lwa.ts';
import { useFakeAmazon } from '../support/fake-amazon.ts';
import { FakeClock, fakeSleep } from '../support/fake-time.ts';
import { CapturingLogger, REFRESH_TOKEN, SECRET, StaticTokens, testClient } from '../support/amazon-fixtures.ts';

const DESTINATIONS = '/notifications/v1/destinations';
const SUBSCRIPTION = '/notifications/v1/subscriptions/ORDER_CHANGE';
const notFound = { status: 404, json: { errors: [{ code: 'NotFound', message: 'The resource specified does not exist.' }] } };

describe('Notifications API', () => {
  const amazon = useFakeAmazon();

  it('asks Login with Amazon for a grantless token: client credentials and the scope, never the refresh token', async () => {
    amazon.on('POST', '/auth/o2/token', () => ({ status: 200, json: { access_token: 'grantless-1', token_type: 'bearer', expires_in: 3600 } }));
    const lwa = new LwaTokenProvider({
      storeName: 'Test US store',
      credentials: { clientId: 'client-1', clientSecret: SECRET, refreshToken: REFRESH_TOKEN },
      grantlessScope: 'sellingpartnerapi::notifications',
      clock: new FakeClock(),
      logger: new CapturingLogger(),
      tokenUrl: `${amazon.url}/auth/o2/token`,
      sleep: fakeSleep(),
    });
    expect(await lwa.getAccessToken()).to.equal('grantless-1');
    expect(Object.fromEntries(new URLSearchParams(amazon.requestsTo('/auth/o2/token')[0]!.body))).to.deep.equal({
      grant_type: 'client_credentials',
      scope: 'sellingpartnerapi::notifications',
      client_id: 'client-1',
      client_secret: SECRET,
    });
  });

  it("sends destinations with the grantless token and subscriptions with the seller's", async () => {
    amazon.on('GET', DESTINATIONS, () => ({ status: 200, json: { payload: [] } }));
    amazon.on('POST', DESTINATIONS, () => ({ status: 200, json: { payload: { destinationId: 'd-1', name: 'n', resource: { sqs: { arn: 'arn:aws:sqs:us-east-1:123456789012:q' } } } } }));
    amazon.on('POST', SUBSCRIPTION, () => ({ status: 200, json: { payload: { subscriptionId: 's-1', payloadVersion: '1.0', destinationId: 'd-1' } } }));
    const { client, tokens } = testClient(amazon.url, { grantlessTokens: new StaticTokens('grantless-token') });
    expect(await client.notifications.getDestinations()).to.deep.equal([]);
    expect((await client.notifications.createDestination('orders', 'arn:aws:sqs:us-east-1:123456789012:q')).destinationId).to.equal('d-1');
    expect((await client.notifications.createOrderChangeSubscription('d-1')).subscriptionId).to.equal('s-1');
    expect(amazon.requests.map((r) => r.headers['x-amz-access-token'])).to.deep.equal(['grantless-token', 'grantless-token', tokens.token]);
    expect(JSON.parse(amazon.requests[2]!.body)).to.deep.equal({
      payloadVersion: '1.0',
      destinationId: 'd-1',
      processingDirective: { eventFilter: { eventFilterType: 'ORDER_CHANGE', orderChangeTypes: ['OrderStatusChange', 'BuyerRequestedChange'] } },
    });
  });

  it('a 404 is an answer (no subscription, already deleted): neither retried nor logged as a failure', async () => {
    amazon.on('GET', SUBSCRIPTION, () => notFound);
    amazon.on('DELETE', `${SUBSCRIPTION}/s-9`, () => notFound);
    const { client, recorder, logger } = testClient(amazon.url, { grantlessTokens: new StaticTokens() });
    expect(await client.notifications.getOrderChangeSubscription()).to.equal(null);
    expect(await client.notifications.deleteOrderChangeSubscription('s-9')).to.equal(false);
    expect(amazon.requests).to.have.length(2);
    expect(recorder.entries).to.deep.equal([]);
    expect(logger.lines.filter((l) => l.message === 'Amazon call failed')).to.deep.equal([]);
  });

  it('refuses a destination that is not an SQS queue ARN before calling Amazon', async () => {
    const { client } = testClient(amazon.url, { grantlessTokens: new StaticTokens() });
    let refused: unknown;
    await client.notifications.createDestination('orders', 'https://sqs.us-east-1.amazonaws.com/123456789012/q').catch((error: unknown) => (refused = error));
    expect(String(refused)).to.match(/not an SQS queue ARN/);
    expect(amazon.requests).to.have.length(0);
  });
});
