import { expect } from 'chai';
import { LwaError, type RunningAmazonSandbox, type SandboxApp } from '../../sandbox/amazon/index.ts';
import { ago, HOUR, MINUTE, SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';

describe('Amazon sandbox: Login with Amazon', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox({ accessTokenTtlMs: 10 * MINUTE }));
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    api.forgetToken();
  });

  const app = () => sandbox.demoApp;
  const grant = (overrides: Record<string, string> = {}) => ({
    grant_type: 'refresh_token',
    refresh_token: app().refreshToken,
    client_id: app().clientId,
    client_secret: app().clientSecret,
    ...overrides,
  });

  it('exchanges a refresh token for a bearer access token', async () => {
    const res = await api.lwa(grant());
    expect(res.status).to.equal(200);
    expect(res.body).to.have.all.keys('access_token', 'token_type', 'expires_in', 'refresh_token');
    expect(res.body.access_token).to.match(/^Atza\|/);
    expect(res.body).to.include({ token_type: 'bearer', expires_in: 600, refresh_token: app().refreshToken });
    expect(res.headers.get('x-amzn-RequestId')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('answers 401 invalid_client for an unknown client or a wrong secret', async () => {
    for (const overrides of [{ client_secret: 'wrong' }, { client_id: 'amzn1.application-oa2-client.unknown' }] as Array<Record<string, string>>) {
      const res = await api.lwa(grant(overrides));
      expect(res.status).to.equal(401);
      expect(res.body.error).to.equal('invalid_client');
      expect(res.body.error_description).to.be.a('string').and.not.equal('');
    }
  });

  it("answers 400 invalid_grant for an unknown refresh token or another app's", async () => {
    const other = { clientId: 'amzn1.application-oa2-client.other', clientSecret: 'other-secret', refreshToken: 'Atzr|other', sellerId: 'A2OTHER' };
    sandbox.registerApp(other);
    for (const overrides of [{ refresh_token: 'Atzr|nope' }, { refresh_token: other.refreshToken }]) {
      const res = await api.lwa(grant(overrides));
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_grant');
    }
  });

  it("keeps what Seller Central knows of an app (application id, name, Draft state, redirect URIs) and refuses changing it", () => {
    expect(app()).to.include({ applicationId: 'amzn1.sp.solution.00000000-0000-4000-8000-000000004610', name: 'Sandbox demo app', draft: false });
    // A seller's new token for a registered app, as tests register re-authorizations.
    sandbox.registerApp({ ...app(), refreshToken: 'Atzr|demo-second-token' });
    expect(sandbox.lwa.app(app().clientId)).to.include({ applicationId: app().applicationId, name: 'Sandbox demo app' });
    const other = { clientId: 'amzn1.application-oa2-client.details', clientSecret: 'details-secret', refreshToken: 'Atzr|details', sellerId: 'A2DETAILS' };
    const refusals: Array<[SandboxApp, RegExp]> = [
      [{ ...app(), refreshToken: 'Atzr|x1', applicationId: 'amzn1.sp.solution.another' }, /registered with another applicationId/],
      [{ ...app(), refreshToken: 'Atzr|x2', draft: true }, /registered with another draft/],
      [{ ...other, applicationId: app().applicationId }, /belongs to client/],
      [{ ...other, draft: 'yes' as unknown as boolean }, /draft must be true or false/],
      [{ ...other, name: '' }, /name must be a non-empty string/],
      [{ ...other, redirectUris: ['not a url'] }, /absolute http\(s\) URL/],
    ];
    for (const [registration, message] of refusals) expect(() => sandbox.registerApp(registration)).to.throw(LwaError, message);
    expect(() => sandbox.lwa.app(other.clientId)).to.throw(LwaError);
  });

  it('answers 400 for a missing or unsupported grant_type and for a non-form body', async () => {
    const { grant_type: _ignored, ...noGrant } = grant();
    expect((await api.lwa(noGrant)).body.error).to.equal('invalid_request');
    // client_credentials is served (grantless tokens, notifications.test.ts); OAuth's password grant is not.
    expect((await api.lwa(grant({ grant_type: 'password' }))).body.error).to.equal('unsupported_grant_type');
    const json = await fetch(sandbox.lwaUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(grant()) });
    expect(json.status).to.equal(400);
  });

  it('refuses SP-API calls without, with an unknown, and with an expired access token (403 Unauthorized)', async () => {
    const query = { createdAfter: ago(sandbox, HOUR) };
    const missing = await api.searchOrders(query, { token: null });
    expect(missing.status).to.equal(403);
    expect(missing.body.errors[0]).to.deep.equal({ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' });
    const unknown = await api.searchOrders(query, { token: 'Atza|made-up' });
    expect(unknown.body.errors[0].details).to.equal('The access token you provided is revoked, malformed or invalid.');

    const token = await api.token();
    expect((await api.searchOrders(query, { token })).status).to.equal(200);
    sandbox.advanceClock(10 * MINUTE - 1);
    expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) }, { token })).status).to.equal(200);
    sandbox.advanceClock(1);
    const expired = await api.searchOrders({ createdAfter: ago(sandbox, HOUR) }, { token });
    expect(expired.status).to.equal(403);
    expect(expired.body.errors[0]).to.deep.equal({ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The access token you provided has expired.' });
    expect(expired.headers.get('x-amzn-RateLimit-Limit')).to.equal(null);

    const fresh = await api.token();
    expect(fresh).to.not.equal(token);
    expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) }, { token: fresh })).status).to.equal(200);
    sandbox.expireAccessTokens();
    expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) }, { token: fresh })).status).to.equal(403);
  });

  it('records every request with secrets masked', async () => {
    const token = await api.token();
    await api.searchOrders({ createdAfter: ago(sandbox, HOUR) });
    const recorded = sandbox.requests();
    expect(recorded.map((r) => [r.method, r.path, r.status, r.operation ?? null])).to.deep.equal([
      ['POST', '/auth/o2/token', 200, null],
      ['GET', '/orders/2026-01-01/orders', 200, 'searchOrders'],
    ]);
    const [lwa, search] = recorded;
    expect(lwa!.body).to.include('grant_type=refresh_token').and.include(`client_id=${encodeURIComponent(app().clientId)}`);
    expect(new URLSearchParams(lwa!.body).get('client_secret')).to.equal('***');
    expect(new URLSearchParams(lwa!.body).get('refresh_token')).to.equal('Atzr|***');
    expect(search!.headers['x-amz-access-token']).to.equal('Atza|***');
    expect(search!.query.createdAfter).to.have.length(1);
    expect(search!.sellerId).to.equal(app().sellerId);
    const everything = JSON.stringify(recorded);
    expect(everything).to.not.include(token.slice(5));
    expect(everything).to.not.include(app().clientSecret);
    expect(everything).to.not.include(app().refreshToken.slice(5));

    sandbox.clearRequests();
    expect(sandbox.requests()).to.deep.equal([]);
  });
});
