import { expect } from 'chai';
import { DEFAULT_RATE_LIMITS, OPERATIONS, type RunningAmazonSandbox, type SandboxApp } from '../../sandbox/amazon/index.ts';
import { SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';
import { grantless, grantlessToken } from './notification-support.ts';

const OTHER_APP: SandboxApp = { clientId: 'amzn1.application-oa2-client.notifications-other', clientSecret: 'other-secret', refreshToken: 'Atzr|notifications-other', sellerId: 'A2NOTIFYOTHER' };

describe('Amazon sandbox: Notifications API and grantless tokens', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox({ rateLimits: Object.fromEntries(OPERATIONS.map((op) => [op, { rate: 100, burst: 1000 }])), apps: [OTHER_APP] }));
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    api.forgetToken();
  });

  const app = () => sandbox.demoApp;
  const destinationBody = (arn: string, name = 'orders') => ({ name, resourceSpecification: { sqs: { arn } } });
  const createDestination = (arn: string, token?: string) => grantless(api, 'POST', '/destinations', destinationBody(arn), token);
  const createSubscription = (body: unknown, options: { type?: string; client?: SpApiTestClient } = {}) =>
    (options.client ?? api).raw('POST', `/notifications/v1/subscriptions/${options.type ?? 'ORDER_CHANGE'}`, { body });

  describe('LWA client_credentials grant', () => {
    const form = (overrides: Record<string, string> = {}) => ({ grant_type: 'client_credentials', scope: 'sellingpartnerapi::notifications', client_id: app().clientId, client_secret: app().clientSecret, ...overrides });

    it('gives the app a grantless bearer token for the notifications scope, without a refresh token', async () => {
      const res = await api.lwa(form());
      expect(res.status).to.equal(200);
      expect(res.body).to.have.all.keys('access_token', 'scope', 'token_type', 'expires_in');
      expect(res.body).to.include({ scope: 'sellingpartnerapi::notifications', token_type: 'bearer', expires_in: 3600 });
      expect(res.body.access_token).to.match(/^Atc\|/);
      const recorded = sandbox.requests().at(-1)!;
      expect(recorded.body).to.not.include(app().clientSecret);
    });

    it('answers 401 invalid_client for a wrong client and 400 invalid_scope for a missing or unknown scope', async () => {
      for (const overrides of [{ client_secret: 'wrong' }, { client_id: 'amzn1.application-oa2-client.unknown' }] as Array<Record<string, string>>) {
        const res = await api.lwa(form(overrides));
        expect(res.status).to.equal(401);
        expect(res.body.error).to.equal('invalid_client');
      }
      const { scope: _scope, ...noScope } = form();
      for (const request of [noScope, form({ scope: 'sellingpartnerapi::migration' }), form({ scope: '' })]) {
        const res = await api.lwa(request);
        expect(res.status).to.equal(400);
        expect(res.body.error).to.equal('invalid_scope');
        expect(res.body.error_description).to.match(/scope/);
      }
    });

    it('lets a grantless token call only grantless operations, and a seller token only the others (403 Unauthorized)', async () => {
      const token = await grantlessToken(api);
      for (const [method, path] of [
        ['GET', '/notifications/v1/subscriptions/ORDER_CHANGE'],
        ['POST', '/notifications/v1/subscriptions/ORDER_CHANGE'],
        ['GET', '/orders/2026-01-01/orders/111-0000000-0000000'],
      ] as const) {
        const res = await api.raw(method, path, { token, ...(method === 'POST' ? { body: {} } : {}) });
        expect(res.status, `${method} ${path}`).to.equal(403);
        expect(res.body.errors[0]).to.include({ code: 'Unauthorized', message: 'Access to requested resource is denied.' });
        expect(res.body.errors[0].details).to.match(/selling partner's authorization/);
      }
      for (const [method, path] of [
        ['GET', '/notifications/v1/destinations'],
        ['POST', '/notifications/v1/destinations'],
        ['GET', '/notifications/v1/destinations/some-id'],
        ['DELETE', '/notifications/v1/destinations/some-id'],
        ['GET', '/notifications/v1/subscriptions/ORDER_CHANGE/some-id'],
        ['DELETE', '/notifications/v1/subscriptions/ORDER_CHANGE/some-id'],
      ] as const) {
        const res = await api.raw(method, path, method === 'POST' ? { body: destinationBody(sandbox.demoQueue.arn) } : {});
        expect(res.status, `${method} ${path}`).to.equal(403);
        expect(res.body.errors[0]).to.include({ code: 'Unauthorized', message: 'Access to requested resource is denied.' });
        expect(res.body.errors[0].details).to.match(/grantless/);
      }
      expect(sandbox.listDestinations()).to.deep.equal([]);
      // Expired like the others.
      sandbox.expireAccessTokens();
      expect((await grantless(api, 'GET', '/destinations', undefined, token)).status).to.equal(403);
    });
  });

  describe('destinations', () => {
    it('creates, lists, gets and deletes a destination for an SQS queue of the sandbox', async () => {
      const created = await createDestination(sandbox.demoQueue.arn);
      expect(created.status).to.equal(200);
      expect(created.headers.get('x-amzn-RateLimit-Limit')).to.equal('100');
      const destination = created.body.payload;
      expect(destination).to.deep.equal({ destinationId: destination.destinationId, name: 'orders', resource: { sqs: { arn: sandbox.demoQueue.arn } } });
      expect(destination.destinationId).to.match(/^[0-9a-f-]{36}$/);

      expect((await grantless(api, 'GET', '/destinations')).body).to.deep.equal({ payload: [destination] });
      expect((await grantless(api, 'GET', `/destinations/${destination.destinationId}`)).body).to.deep.equal({ payload: destination });
      expect((await grantless(api, 'DELETE', `/destinations/${destination.destinationId}`)).body).to.deep.equal({});
      const gone = await grantless(api, 'GET', `/destinations/${destination.destinationId}`);
      expect(gone.status).to.equal(404);
      expect(gone.body.errors[0].code).to.equal('NotFound');
      expect((await grantless(api, 'DELETE', `/destinations/${destination.destinationId}`)).status).to.equal(404);
      expect(sandbox.requests({ operation: 'createDestination' })).to.have.length(1);
    });

    it('answers 409 Conflict for a second destination of the app for the same queue; another app has its own', async () => {
      expect((await createDestination(sandbox.demoQueue.arn)).status).to.equal(200);
      const again = await createDestination(sandbox.demoQueue.arn);
      expect(again.status).to.equal(409);
      expect(again.body.errors[0]).to.include({ code: 'Conflict', message: 'A destination with this resource already exists.' });

      const other = new SpApiTestClient(sandbox, { ...OTHER_APP });
      const otherToken = await grantlessToken(other);
      expect((await grantless(other, 'GET', '/destinations', undefined, otherToken)).body).to.deep.equal({ payload: [] });
      expect((await createDestination(sandbox.demoQueue.arn, otherToken)).status).to.equal(200);
      const mine = (await grantless(api, 'GET', '/destinations')).body.payload;
      expect(mine).to.have.length(1);
      expect((await grantless(other, 'GET', `/destinations/${mine[0].destinationId}`, undefined, otherToken)).status).to.equal(404);
    });

    it('refuses (400 InvalidInput) a queue that does not exist, a FIFO queue, and a queue Amazon may not send to', async () => {
      const fifo = sandbox.createQueue('orders.fifo', { fifo: true });
      const closed = sandbox.createQueue('no-policy', { allowAmazonToSend: false });
      const cases: Array<[string, RegExp]> = [
        ['arn:aws:sqs:us-east-1:123456789012:missing', /does not exist/],
        ['arn:aws:sqs:eu-west-1:123456789012:sandbox-order-notifications', /does not exist/],
        [fifo.arn, /FIFO queue: Amazon delivers notifications to standard queues only/],
        [closed.arn, /arn:aws:iam::437568002678:root sqs:SendMessage/],
      ];
      for (const [arn, message] of cases) {
        const res = await createDestination(arn);
        expect(res.status, arn).to.equal(400);
        expect(res.body.errors[0].code).to.equal('InvalidInput');
        expect(res.body.errors[0].message).to.match(message);
      }
      expect(sandbox.listDestinations()).to.deep.equal([]);
    });

    it('refuses (400) a body that is not a CreateDestinationRequest, and 415 for a body that is not JSON', async () => {
      const bodies: unknown[] = [
        [],
        { resourceSpecification: { sqs: { arn: sandbox.demoQueue.arn } } },
        { name: '', resourceSpecification: { sqs: { arn: sandbox.demoQueue.arn } } },
        { name: 'x'.repeat(257), resourceSpecification: { sqs: { arn: sandbox.demoQueue.arn } } },
        { name: 'orders' },
        { name: 'orders', resourceSpecification: {} },
        { name: 'orders', resourceSpecification: { sqs: { arn: 'not-an-arn' } } },
        { name: 'orders', resourceSpecification: { eventBridge: { region: 'us-east-1', accountId: '123456789012' } } },
        { name: 'orders', resourceSpecification: { sqs: { arn: sandbox.demoQueue.arn }, eventBridge: { region: 'us-east-1', accountId: '123456789012' } } },
      ];
      for (const body of bodies) {
        const res = await grantless(api, 'POST', '/destinations', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.errors[0].code).to.equal('InvalidInput');
      }
      const token = await grantlessToken(api);
      const text = await api.raw('POST', '/notifications/v1/destinations', { token, body: 'name=orders', headers: { 'content-type': 'text/plain' } });
      expect(text.status).to.equal(415);
    });
  });

  describe('subscriptions', () => {
    let destinationId: string;
    beforeEach(async () => {
      destinationId = (await createDestination(sandbox.demoQueue.arn)).body.payload.destinationId;
    });

    it("creates the seller's ORDER_CHANGE subscription with an event filter, gets it by type and by id, deletes it by id", async () => {
      const processingDirective = { eventFilter: { eventFilterType: 'ORDER_CHANGE', orderChangeTypes: ['OrderStatusChange', 'BuyerRequestedChange'] } };
      const created = await createSubscription({ payloadVersion: '1.0', destinationId, processingDirective });
      expect(created.status).to.equal(200);
      const subscription = created.body.payload;
      expect(subscription).to.deep.equal({ subscriptionId: subscription.subscriptionId, payloadVersion: '1.0', destinationId, processingDirective });

      expect((await api.raw('GET', '/notifications/v1/subscriptions/ORDER_CHANGE')).body).to.deep.equal({ payload: subscription });
      expect((await grantless(api, 'GET', `/subscriptions/ORDER_CHANGE/${subscription.subscriptionId}`)).body).to.deep.equal({ payload: subscription });
      expect(sandbox.listSubscriptions()).to.deep.equal([
        { subscriptionId: subscription.subscriptionId, clientId: app().clientId, sellerId: app().sellerId, notificationType: 'ORDER_CHANGE', payloadVersion: '1.0', destinationId, processingDirective, orderChangeTypes: ['OrderStatusChange', 'BuyerRequestedChange'] },
      ]);

      // A destination in use stays.
      const inUse = await grantless(api, 'DELETE', `/destinations/${destinationId}`);
      expect(inUse.status).to.equal(409);
      expect(inUse.body.errors[0].code).to.equal('Conflict');

      expect((await grantless(api, 'DELETE', `/subscriptions/ORDER_CHANGE/${subscription.subscriptionId}`)).body).to.deep.equal({});
      expect((await grantless(api, 'DELETE', `/subscriptions/ORDER_CHANGE/${subscription.subscriptionId}`)).status).to.equal(404);
      expect((await grantless(api, 'GET', `/subscriptions/ORDER_CHANGE/${subscription.subscriptionId}`)).status).to.equal(404);
      const none = await api.raw('GET', '/notifications/v1/subscriptions/ORDER_CHANGE');
      expect(none.status).to.equal(404);
      expect(none.body.errors[0].code).to.equal('NotFound');
      expect((await grantless(api, 'DELETE', `/destinations/${destinationId}`)).status).to.equal(200);
    });

    it('subscribes to every change type without a processingDirective', async () => {
      const created = await createSubscription({ payloadVersion: '1.0', destinationId });
      expect(created.body.payload).to.have.all.keys('subscriptionId', 'payloadVersion', 'destinationId');
      expect(sandbox.listSubscriptions()[0]!.orderChangeTypes).to.equal(null);
    });

    it("answers 409 Conflict for the seller's second ORDER_CHANGE subscription of the app; another seller has its own", async () => {
      expect((await createSubscription({ payloadVersion: '1.0', destinationId })).status).to.equal(200);
      const again = await createSubscription({ payloadVersion: '1.0', destinationId });
      expect(again.status).to.equal(409);
      expect(again.body.errors[0].code).to.equal('Conflict');

      // The same app for another seller (a second store): its own subscription to the app's destination.
      sandbox.registerApp({ ...app(), refreshToken: 'Atzr|second-seller', sellerId: 'A3SECONDSELLER' });
      const second = new SpApiTestClient(sandbox, { ...app(), refreshToken: 'Atzr|second-seller', sellerId: 'A3SECONDSELLER' });
      expect((await createSubscription({ payloadVersion: '1.0', destinationId }, { client: second })).status).to.equal(200);
      expect(sandbox.listSubscriptions().map((s) => s.sellerId)).to.deep.equal([app().sellerId, 'A3SECONDSELLER']);
    });

    it("answers 404 for a destination the app does not have, whoever's it is", async () => {
      const unknown = await createSubscription({ payloadVersion: '1.0', destinationId: 'no-such-destination' });
      expect(unknown.status).to.equal(404);
      expect(unknown.body.errors[0].code).to.equal('NotFound');
      const other = new SpApiTestClient(sandbox, { ...OTHER_APP });
      expect((await createSubscription({ payloadVersion: '1.0', destinationId }, { client: other })).status).to.equal(404);
    });

    it('refuses (400) other notification types, a wrong payloadVersion and filters ORDER_CHANGE does not take', async () => {
      const filter = (eventFilter: unknown) => ({ payloadVersion: '1.0', destinationId, processingDirective: { eventFilter } });
      const cases: Array<[unknown, RegExp]> = [
        [{ destinationId }, /payloadVersion is required/],
        [{ payloadVersion: '2.0', destinationId }, /payloadVersion 2.0/],
        [{ payloadVersion: '1.0' }, /destinationId is required/],
        [filter({ eventFilterType: 'ORDER_CHANGE', marketplaceIds: ['ATVPDKIKX0DER'] }), /marketplaceIds/],
        [filter({ eventFilterType: 'ORDER_CHANGE', orderChangeTypes: ['ItemChange'] }), /Invalid orderChangeTypes value "ItemChange"/],
        [filter({ eventFilterType: 'ORDER_CHANGE', orderChangeTypes: [] }), /non-empty/],
        [filter({ eventFilterType: 'ANY_OFFER_CHANGED' }), /eventFilterType must be ORDER_CHANGE/],
        [{ payloadVersion: '1.0', destinationId, processingDirective: { aggregationSettings: { aggregationTimePeriod: 'FiveMinutes' } } }, /aggregationSettings/],
      ];
      for (const [body, message] of cases) {
        const res = await createSubscription(body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.errors[0].code).to.equal('InvalidInput');
        expect(res.body.errors[0].message).to.match(message);
      }
      const offers = await createSubscription({ payloadVersion: '1.0', destinationId }, { type: 'ANY_OFFER_CHANGED' });
      expect(offers.status).to.equal(400);
      expect(offers.body.errors[0].message).to.match(/ORDER_CHANGE only/);
      expect((await api.raw('GET', '/notifications/v1/subscriptions/FEED_PROCESSING_FINISHED')).status).to.equal(400);
      expect(sandbox.listSubscriptions()).to.deep.equal([]);
    });

    it("keeps an app's subscriptions from another app's grantless token", async () => {
      const subscriptionId = (await createSubscription({ payloadVersion: '1.0', destinationId })).body.payload.subscriptionId;
      const other = new SpApiTestClient(sandbox, { ...OTHER_APP });
      const token = await grantlessToken(other);
      expect((await grantless(other, 'GET', `/subscriptions/ORDER_CHANGE/${subscriptionId}`, undefined, token)).status).to.equal(404);
      expect((await grantless(other, 'DELETE', `/subscriptions/ORDER_CHANGE/${subscriptionId}`, undefined, token)).status).to.equal(404);
      expect(sandbox.listSubscriptions()).to.have.length(1);
    });
  });

  describe('rate limits and faults', () => {
    it("limits each operation to Amazon's 1 request/s, burst 5, per application for grantless calls", async () => {
      expect(DEFAULT_RATE_LIMITS.getDestinations).to.deep.equal({ rate: 1, burst: 5 });
      sandbox.setRateLimit('getDestinations', DEFAULT_RATE_LIMITS.getDestinations);
      const token = await grantlessToken(api);
      for (let i = 0; i < 5; i++) {
        const res = await grantless(api, 'GET', '/destinations', undefined, token);
        expect(res.status).to.equal(200);
        expect(res.headers.get('x-amzn-RateLimit-Limit')).to.equal('1');
      }
      const throttled = await grantless(api, 'GET', '/destinations', undefined, token);
      expect(throttled.status).to.equal(429);
      expect(throttled.body.errors[0].code).to.equal('QuotaExceeded');
      // Another app has its own bucket; a second's refill gives one more call.
      const other = new SpApiTestClient(sandbox, { ...OTHER_APP });
      expect((await grantless(other, 'GET', '/destinations')).status).to.equal(200);
      sandbox.advanceClock(1000);
      expect((await grantless(api, 'GET', '/destinations', undefined, token)).status).to.equal(200);
      expect(sandbox.throttledCounts().getDestinations).to.equal(1);
    });

    it('takes the faults of the other operations, and records its requests', async () => {
      sandbox.addFault({ operation: 'createDestination', kind: 'error503' });
      expect((await createDestination(sandbox.demoQueue.arn)).status).to.equal(503);
      expect((await createDestination(sandbox.demoQueue.arn)).status).to.equal(200);
      sandbox.addFault({ operation: '*', kind: 'throttle' });
      expect((await grantless(api, 'GET', '/destinations')).status).to.equal(429);
      const recorded = sandbox.requests({ operation: 'createDestination' });
      expect(recorded.map((r) => [r.status, r.faults])).to.deep.equal([
        [503, ['error503']],
        [200, []],
      ]);
      expect(recorded[0]!.headers['x-amz-access-token']).to.equal('Atc|***');
      expect(recorded[0]).to.not.have.property('sellerId');
    });
  });
});
