import { expect } from 'chai';
import { capturingIo } from '../support/cli.ts';
import { unescapeHtml } from '../support/admin-client.ts';
import { amazonSandboxCommands, LwaError, type RunningAmazonSandbox, type SandboxApp } from '../../sandbox/amazon/index.ts';
import { MINUTE, readResponse, SpApiTestClient, startTestSandbox, type ApiResponse } from '../support/amazon-sandbox-client.ts';

const CALLBACK = 'https://app.example/amazon/callback';
const SECOND_CALLBACK = 'https://app.example/amazon/other?store=7';
const DEMO_SELLER = 'A1SANDBOXSELLER';
const SECOND_SELLER = 'A2SECONDSELLER';
const OTHER_APP: SandboxApp = {
  clientId: 'amzn1.application-oa2-client.otherconsentapp',
  clientSecret: 'other-consent-secret',
  refreshToken: 'Atzr|other-consent-app',
  sellerId: 'A3OTHERSELLER',
  applicationId: 'amzn1.sp.solution.33333333-3333-4333-8333-333333333333',
  name: 'Other app',
  redirectUris: ['https://other.example/cb'],
};
const DRAFT_APP: SandboxApp = {
  clientId: 'amzn1.application-oa2-client.draftconsentapp',
  clientSecret: 'draft-consent-secret',
  refreshToken: 'Atzr|draft-consent-app',
  sellerId: DEMO_SELLER,
  applicationId: 'amzn1.sp.solution.11111111-1111-4111-8111-111111111111',
  name: 'Draft app',
  draft: true,
  redirectUris: [CALLBACK],
};
const INVALID_CODE = { error_description: 'The request has an invalid grant parameter : code', error: 'invalid_grant' };
const INVALID_REFRESH_TOKEN = { error_description: 'The request has an invalid grant parameter : refresh_token', error: 'invalid_grant' };

interface Page {
  status: number;
  headers: Headers;
  text: string;
}

/** The hidden fields and seller choices of a consent page, as a browser reads them. */
function formOf(page: Page): { hidden: Record<string, string>; sellers: string[]; checked: string | undefined } {
  const hidden = Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, unescapeHtml(m[2]!)]));
  const radios = [...page.text.matchAll(/<input type="radio" name="selling_partner_id" value="([^"]+)"( checked)?>/g)];
  return { hidden, sellers: radios.map((m) => unescapeHtml(m[1]!)), checked: radios.find((m) => m[2])?.[1] };
}

describe('Amazon sandbox: Seller Central website authorization (consent)', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox());
    sandbox.addRedirectUri(sandbox.demoApp.clientId, CALLBACK);
    sandbox.addRedirectUri(sandbox.demoApp.clientId, SECOND_CALLBACK);
    sandbox.addSeller(SECOND_SELLER);
    sandbox.registerApp(OTHER_APP);
    sandbox.registerApp(DRAFT_APP);
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    sandbox.clearFaults();
  });

  const demo = () => sandbox.demoApp;

  async function open(params: Record<string, string>, on = sandbox): Promise<Page> {
    const res = await fetch(`${on.consentUrl}?${new URLSearchParams(params)}`, { redirect: 'manual' });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async function answer(form: Record<string, string>, on = sandbox): Promise<Response> {
    return fetch(on.consentUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }

  /** Opens the consent page and submits its form as the seller would; returns where the browser goes. */
  async function consent(options: { app?: SandboxApp; seller?: string; redirectUri?: string; decision?: 'approve' | 'deny'; state?: string; on?: RunningAmazonSandbox } = {}): Promise<URL> {
    const app = options.app ?? demo();
    const page = await open(
      { application_id: app.applicationId!, state: options.state ?? 'state-1', ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}), ...(app.draft ? { version: 'beta' } : {}) },
      options.on,
    );
    expect(page.status, page.text).to.equal(200);
    const { hidden } = formOf(page);
    const res = await answer({ ...hidden, selling_partner_id: options.seller ?? DEMO_SELLER, decision: options.decision ?? 'approve' }, options.on);
    expect(res.status).to.equal(302);
    return new URL(res.headers.get('location')!);
  }

  async function code(options: Parameters<typeof consent>[0] = {}): Promise<string> {
    return (await consent(options)).searchParams.get('spapi_oauth_code')!;
  }

  function exchange(authorizationCode: string, overrides: Record<string, string> = {}, client: SpApiTestClient = api): Promise<ApiResponse> {
    return client.lwa({ grant_type: 'authorization_code', code: authorizationCode, redirect_uri: CALLBACK, client_id: demo().clientId, client_secret: demo().clientSecret, ...overrides });
  }

  function refresh(refreshToken: string, client: SpApiTestClient = api): Promise<ApiResponse> {
    return client.lwa({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: demo().clientId, client_secret: demo().clientSecret });
  }

  /** A seller of their own for a test that revokes, so the others' tokens stay. */
  function freshSeller(name: string): string {
    sandbox.addSeller(name);
    return name;
  }

  describe('the consent page', () => {
    it("shows the app, the sellers to choose from and Confirm/Cancel, escaping the app's state", async () => {
      const state = '<script>alert("x")</script>&\'';
      const page = await open({ application_id: demo().applicationId!, state });
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).to.include("default-src 'none'").and.include(`form-action 'self' https://app.example`);
      expect(page.headers.get('x-amzn-RateLimit-Limit')).to.equal(null);
      expect(page.text).to.include('Amazon sandbox').and.include('Sandbox demo app').and.include(demo().applicationId!);
      expect(page.text).to.not.include('<script>');
      expect(page.text).to.include('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;');
      expect(page.text).to.match(/<form method="post" action="\/apps\/authorize\/consent">/);
      expect(page.text).to.match(/<button type="submit" name="decision" value="approve">Confirm<\/button>/);
      expect(page.text).to.match(/<button type="submit" name="decision" value="deny">Cancel<\/button>/);
      const form = formOf(page);
      // No redirect_uri: Amazon uses the app's first registered one.
      expect(form.hidden).to.deep.equal({ application_id: demo().applicationId, state, redirect_uri: CALLBACK });
      expect(form.sellers.slice(0, 2)).to.deep.equal([DEMO_SELLER, SECOND_SELLER]);
      expect(form.checked).to.equal(DEMO_SELLER);
      expect(sandbox.requests().map((r) => [r.method, r.path, r.status])).to.deep.equal([['GET', '/apps/authorize/consent', 200]]);
    });

    it('names the given redirect URI when it is registered', async () => {
      expect(formOf(await open({ application_id: demo().applicationId!, state: 's', redirect_uri: SECOND_CALLBACK })).hidden.redirect_uri).to.equal(SECOND_CALLBACK);
    });

    it('shows error pages, never redirecting, for an unknown app, a missing state and an unregistered redirect URI (MD5101)', async () => {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ application_id: 'amzn1.sp.solution.unknown', state: 's' }, /No application has the id &#34;amzn1\.sp\.solution\.unknown&#34;/],
        [{ state: 's' }, /No application has the id/],
        [{ application_id: demo().applicationId! }, /missing a required parameter : state/],
        [{ application_id: demo().applicationId!, state: 's', redirect_uri: 'https://evil.example/cb' }, /MD5101/],
        [{ application_id: demo().applicationId!, state: 's', redirect_uri: OTHER_APP.redirectUris![0]! }, /MD5101/],
        [{ application_id: demo().applicationId!, state: 's', redirect_uri: `${CALLBACK}/` }, /MD5101/],
      ];
      for (const [params, text] of cases) {
        const page = await open(params);
        expect(page.status, JSON.stringify(params)).to.equal(400);
        expect(page.headers.get('location')).to.equal(null);
        expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
        expect(page.text).to.match(text);
        expect(page.text).to.not.include('<form');
      }
    });

    it('refuses a Draft app without version=beta (MD1000) and authorizes it with it', async () => {
      const production = await open({ application_id: DRAFT_APP.applicationId!, state: 's' });
      expect(production.status).to.equal(400);
      expect(production.text).to.include('MD1000').and.include('Draft state');
      const beta = await open({ application_id: DRAFT_APP.applicationId!, state: 's', version: 'beta' });
      expect(beta.status).to.equal(200);
      expect(formOf(beta).hidden.version).to.equal('beta');
      const { version: _beta, ...withoutBeta } = formOf(beta).hidden;
      expect((await answer({ ...withoutBeta, selling_partner_id: DEMO_SELLER, decision: 'approve' })).status).to.equal(400);
      const back = await consent({ app: DRAFT_APP });
      expect(back.origin + back.pathname).to.equal(CALLBACK);
      expect(back.searchParams.get('spapi_oauth_code')).to.be.a('string');
    });

    it('an app registered as before (no Seller Central details) gets an application id; without a redirect URI it is MD5101', async () => {
      const bare = { clientId: 'amzn1.application-oa2-client.bareapp', clientSecret: 'bare-secret', refreshToken: 'Atzr|bare', sellerId: 'A5BARESELLER' };
      const registered = await fetch(`${sandbox.url}/_sandbox/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bare) }).then(readResponse);
      expect(registered.status).to.equal(201);
      const { applicationId } = registered.body.registered;
      expect(applicationId).to.match(/^amzn1\.sp\.solution\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(sandbox.lwa.app(bare.clientId)).to.include({ applicationId, name: applicationId, draft: false });
      const none = await open({ application_id: applicationId, state: 's' });
      expect(none.status).to.equal(400);
      expect(none.text).to.include('MD5101').and.include('Listed: none');
      sandbox.addRedirectUri(bare.clientId, 'https://bare.example/cb');
      expect(formOf(await open({ application_id: applicationId, state: 's' })).hidden.redirect_uri).to.equal('https://bare.example/cb');
    });
  });

  describe("the seller's answer", () => {
    it('approve: 302 to the redirect URI with state, selling_partner_id and spapi_oauth_code, keeping its query', async () => {
      const back = await consent({ seller: SECOND_SELLER, redirectUri: SECOND_CALLBACK, state: 'a b&c=d' });
      expect(`${back.origin}${back.pathname}`).to.equal('https://app.example/amazon/other');
      expect([...back.searchParams.keys()]).to.deep.equal(['store', 'state', 'selling_partner_id', 'spapi_oauth_code']);
      expect(back.searchParams.get('store')).to.equal('7');
      expect(back.searchParams.get('state')).to.equal('a b&c=d');
      expect(back.searchParams.get('selling_partner_id')).to.equal(SECOND_SELLER);
      expect(back.searchParams.get('spapi_oauth_code')).to.match(/^[\w-]{20,}$/);
      expect(await code()).to.not.equal(back.searchParams.get('spapi_oauth_code'));
    });

    it('deny: 302 with OAuth access_denied and the state, no code', async () => {
      const back = await consent({ decision: 'deny', state: 'st-9' });
      expect(`${back.origin}${back.pathname}`).to.equal(CALLBACK);
      expect(back.searchParams.get('error')).to.equal('access_denied');
      expect(back.searchParams.get('error_description')).to.be.a('string').and.not.equal('');
      expect(back.searchParams.get('state')).to.equal('st-9');
      expect(back.searchParams.has('spapi_oauth_code')).to.equal(false);
    });

    it('checks the answer again: tampered fields, an unknown seller or no decision are error pages', async () => {
      const { hidden } = formOf(await open({ application_id: demo().applicationId!, state: 's' }));
      const refusals: Array<[Record<string, string>, RegExp]> = [
        [{ ...hidden, redirect_uri: 'https://evil.example/cb', selling_partner_id: DEMO_SELLER, decision: 'approve' }, /MD5101/],
        [{ ...hidden, application_id: 'amzn1.sp.solution.nope', selling_partner_id: DEMO_SELLER, decision: 'approve' }, /No application/],
        [{ ...hidden, state: '', selling_partner_id: DEMO_SELLER, decision: 'approve' }, /state/],
        [{ ...hidden, selling_partner_id: 'A9UNKNOWNSELLER', decision: 'approve' }, /knows no seller/],
        [{ ...hidden, selling_partner_id: DEMO_SELLER }, /Confirm or Cancel/],
      ];
      for (const [form, text] of refusals) {
        const res = await answer(form);
        expect(res.status, JSON.stringify(form)).to.equal(400);
        expect(res.headers.get('location')).to.equal(null);
        expect(await res.text()).to.match(text);
      }
      const json = await fetch(sandbox.consentUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hidden) });
      expect(json.status).to.equal(400);
    });
  });

  describe('the code exchange at LWA (authorization_code grant)', () => {
    it('answers access and refresh tokens once; the second use is invalid_grant', async () => {
      const authorizationCode = await code();
      const first = await exchange(authorizationCode);
      expect(first.status).to.equal(200);
      expect(first.body).to.have.all.keys('access_token', 'refresh_token', 'token_type', 'expires_in');
      expect(first.body).to.include({ token_type: 'bearer', expires_in: 3600 });
      expect(first.body.access_token).to.match(/^Atza\|/);
      expect(first.body.refresh_token).to.match(/^Atzr\|/).and.not.equal(demo().refreshToken);
      const second = await exchange(authorizationCode);
      expect(second.status).to.equal(400);
      expect(second.body).to.deep.equal(INVALID_CODE);
      expect(new URLSearchParams(sandbox.requests().find((r) => r.path === '/auth/o2/token')!.body).get('code')).to.equal('***');
    });

    it('a code expires after 5 sandbox minutes', async () => {
      const early = await code();
      const late = await code();
      sandbox.advanceClock(5 * MINUTE - 1);
      expect((await exchange(early)).status).to.equal(200);
      sandbox.advanceClock(1);
      const expired = await exchange(late);
      expect(expired.status).to.equal(400);
      expect(expired.body).to.deep.equal(INVALID_CODE);
    });

    it("refuses another redirect_uri (using the code up), another client's code and an unknown code", async () => {
      const wrongUri = await code();
      expect((await exchange(wrongUri, { redirect_uri: SECOND_CALLBACK })).body).to.deep.equal(INVALID_CODE);
      expect((await exchange(wrongUri)).body).to.deep.equal(INVALID_CODE);

      const demoCode = await code();
      const other = await exchange(demoCode, { client_id: OTHER_APP.clientId, client_secret: OTHER_APP.clientSecret, redirect_uri: CALLBACK });
      expect(other.status).to.equal(400);
      expect(other.body).to.deep.equal(INVALID_CODE);
      expect((await exchange('made-up-code')).body).to.deep.equal(INVALID_CODE);
    });

    it('answers 401 for a wrong secret without using the code up, and 400 invalid_request without a code or redirect_uri', async () => {
      const authorizationCode = await code();
      const wrong = await exchange(authorizationCode, { client_secret: 'wrong' });
      expect(wrong.status).to.equal(401);
      expect(wrong.body.error).to.equal('invalid_client');
      expect((await exchange(authorizationCode)).status).to.equal(200);
      const { code: _none, ...noCode } = { grant_type: 'authorization_code', code: '', redirect_uri: CALLBACK, client_id: demo().clientId, client_secret: demo().clientSecret };
      const missing = await api.lwa(noCode);
      expect(missing.status).to.equal(400);
      expect(missing.body).to.deep.equal({ error_description: 'The request is missing a required parameter : code', error: 'invalid_request' });
      const { redirect_uri: _uri, ...noRedirectUri } = { grant_type: 'authorization_code', code: await code(), redirect_uri: CALLBACK, client_id: demo().clientId, client_secret: demo().clientSecret };
      expect((await api.lwa(noRedirectUri)).body).to.deep.equal({ error_description: 'The request is missing a required parameter : redirect_uri', error: 'invalid_request' });
    });

    it('goes through the lwaToken faults (the consent pages take none)', async () => {
      const authorizationCode = await code();
      sandbox.addFault({ operation: 'lwaToken', kind: 'error503', count: 1 });
      expect((await open({ application_id: demo().applicationId!, state: 's' })).status).to.equal(200);
      const failed = await exchange(authorizationCode);
      expect(failed.status).to.equal(503);
      expect(failed.body.error).to.equal('temporarily_unavailable');
      expect((await exchange(authorizationCode)).status).to.equal(200);
    });

    it('reset forgets unused codes and keeps redirect URIs and sellers', async () => {
      const authorizationCode = await code();
      sandbox.reset();
      expect((await exchange(authorizationCode)).body).to.deep.equal(INVALID_CODE);
      const form = formOf(await open({ application_id: demo().applicationId!, state: 's' }));
      expect(form.hidden.redirect_uri).to.equal(CALLBACK);
      expect(form.sellers).to.include(SECOND_SELLER);
      expect(sandbox.demoApp.redirectUris).to.deep.equal([CALLBACK, SECOND_CALLBACK]);
    });
  });

  describe('the refresh token a consent issues', () => {
    async function authorize(seller: string, on = sandbox, client = api): Promise<{ refreshToken: string; accessToken: string }> {
      const res = await exchange(await code({ seller, on }), {}, client);
      expect(res.status, res.text).to.equal(200);
      return { refreshToken: res.body.refresh_token as string, accessToken: res.body.access_token as string };
    }

    it('gets access tokens that act for the chosen seller on the SP-API', async () => {
      const mine = sandbox.placeOrder({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }] });
      const theirs = sandbox.placeOrder({ sellerId: SECOND_SELLER, items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }] });
      const { refreshToken, accessToken } = await authorize(SECOND_SELLER);
      const refreshed = await refresh(refreshToken);
      expect(refreshed.status).to.equal(200);
      expect(refreshed.body.refresh_token).to.equal(refreshToken);
      for (const token of [accessToken, refreshed.body.access_token as string]) {
        expect((await api.getOrder(theirs.orderId, {}, { token })).status).to.equal(200);
        expect((await api.getOrder(mine.orderId, {}, { token })).status).to.equal(404);
      }
      expect(sandbox.requests({ operation: 'getOrder' }).map((r) => r.sellerId)).to.deep.equal([SECOND_SELLER, SECOND_SELLER, SECOND_SELLER, SECOND_SELLER]);
    });

    it("is the app's own: another client, a forged seller or signature is invalid_grant", async () => {
      const { refreshToken } = await authorize(SECOND_SELLER);
      const other = await api.lwa({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: OTHER_APP.clientId, client_secret: OTHER_APP.clientSecret });
      expect(other.body).to.deep.equal(INVALID_REFRESH_TOKEN);
      const [payload, signature] = refreshToken.slice('Atzr|'.length).split('.') as [string, string];
      const grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const forgedSeller = `Atzr|${Buffer.from(JSON.stringify({ ...grant, sellerId: DEMO_SELLER })).toString('base64url')}.${signature}`;
      const forgedSignature = `Atzr|${payload}.${signature.slice(0, -2)}AA`;
      for (const forged of [forgedSeller, forgedSignature]) expect((await refresh(forged)).body).to.deep.equal(INVALID_REFRESH_TOKEN);
    });

    it('still works in a restarted sandbox with the same app, until revoked there', async () => {
      const { refreshToken } = await authorize(SECOND_SELLER);
      // Time goes on across a restart: the new sandbox starts at the old one's now.
      const { sandbox: restarted, api: restartedApi } = await startTestSandbox({ clock: { start: sandbox.now(), speed: 0 } });
      try {
        const order = restarted.placeOrder({ sellerId: SECOND_SELLER, items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }] });
        const res = await refresh(refreshToken, restartedApi);
        expect(res.status, res.text).to.equal(200);
        expect((await restartedApi.getOrder(order.orderId, {}, { token: res.body.access_token as string })).status).to.equal(200);
        // It knew none of the seller's tokens, and the one issued before the restart stops all the same.
        expect(restarted.revokeAuthorization(restarted.demoApp.clientId, SECOND_SELLER)).to.equal(0);
        expect((await refresh(refreshToken, restartedApi)).body).to.deep.equal(INVALID_REFRESH_TOKEN);
        expect((await restartedApi.getOrder(order.orderId, {}, { token: res.body.access_token as string })).status).to.equal(403);
      } finally {
        await restarted.close();
      }
      expect((await refresh(refreshToken)).status).to.equal(200);
    });

    it('revokeAuthorization stops every refresh token of that app and seller and its access tokens; a new consent works', async () => {
      const seller = freshSeller('A4REVOKEDSELLER');
      const first = await authorize(seller);
      const second = await authorize(seller);
      const registered = { ...demo(), refreshToken: 'Atzr|registered-for-revoked-seller', sellerId: seller };
      sandbox.registerApp(registered);
      const bystander = await authorize(SECOND_SELLER);
      const order = sandbox.placeOrder({ sellerId: seller, items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }] });

      expect(sandbox.revokeAuthorization(demo().clientId, seller)).to.equal(3);
      for (const token of [first.refreshToken, second.refreshToken, registered.refreshToken]) {
        const res = await refresh(token);
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal(INVALID_REFRESH_TOKEN);
      }
      const stale = await api.getOrder(order.orderId, {}, { token: first.accessToken });
      expect(stale.status).to.equal(403);
      expect(stale.body.errors[0].details).to.equal('The access token you provided is revoked, malformed or invalid.');
      expect((await refresh(bystander.refreshToken)).status).to.equal(200);
      expect((await refresh(demo().refreshToken)).status).to.equal(200);

      // The clock is frozen: the new authorization is at the instant of the revocation.
      const again = await authorize(seller);
      expect(again.refreshToken).to.not.be.oneOf([first.refreshToken, second.refreshToken]);
      const res = await refresh(again.refreshToken);
      expect(res.status).to.equal(200);
      expect((await api.getOrder(order.orderId, {}, { token: res.body.access_token as string })).status).to.equal(200);
      expect((await refresh(first.refreshToken)).body).to.deep.equal(INVALID_REFRESH_TOKEN);
      expect(sandbox.revokeAuthorization(demo().clientId, seller)).to.equal(1);
    });

    it('Lwa.revoke of a consent-issued token revokes its authorization', async () => {
      const seller = freshSeller('A6REVOKEONESELLER');
      const { refreshToken } = await authorize(seller);
      expect(sandbox.lwa.revoke(refreshToken)).to.equal(true);
      expect((await refresh(refreshToken)).body).to.deep.equal(INVALID_REFRESH_TOKEN);
      expect(sandbox.lwa.revoke('Atzr|never-issued')).to.equal(false);
    });
  });

  describe('control API and CLI', () => {
    async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
      const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return readResponse(res);
    }

    it('lists the demo app with its application id, the sellers and the consent URL', async () => {
      const index = await control('GET', '');
      expect(index.body.demoApp).to.include({ applicationId: 'amzn1.sp.solution.00000000-0000-4000-8000-000000004610', name: 'Sandbox demo app', draft: false });
      expect(index.body.demoApp.redirectUris).to.deep.equal([CALLBACK, SECOND_CALLBACK]);
      expect(index.body.sellers.slice(0, 2)).to.deep.equal([DEMO_SELLER, SECOND_SELLER]);
      expect(index.body.consentUrl).to.equal(`${sandbox.url}/apps/authorize/consent`);
    });

    it('registers redirect URIs and sellers, refusing bad ones', async () => {
      const path = `/apps/${encodeURIComponent(OTHER_APP.clientId)}/redirect-uris`;
      const added = await control('POST', path, { uri: 'http://127.0.0.1:8080/cb' });
      expect(added.status).to.equal(201);
      expect(added.body).to.deep.equal({ clientId: OTHER_APP.clientId, redirectUris: ['https://other.example/cb', 'http://127.0.0.1:8080/cb'] });
      expect(formOf(await open({ application_id: OTHER_APP.applicationId!, state: 's', redirect_uri: 'http://127.0.0.1:8080/cb' })).hidden.redirect_uri).to.equal('http://127.0.0.1:8080/cb');
      for (const uri of ['/cb', 'ftp://app.example/cb', 'https://app.example/cb#top', 42]) {
        const refused = await control('POST', path, { uri });
        expect(refused.status, String(uri)).to.equal(400);
        expect(refused.body.error).to.match(/redirect URI/);
      }
      expect((await control('POST', '/apps/amzn1.application-oa2-client.nobody/redirect-uris', { uri: CALLBACK })).body.error).to.match(/no app has the client id/);
      expect(() => sandbox.addRedirectUri(demo().clientId, 'https://app.example/x#y')).to.throw(LwaError);
      expect(() => sandbox.addRedirectUri('amzn1.application-oa2-client.nobody', CALLBACK)).to.throw(LwaError);

      const seller = await control('POST', '/sellers', { sellerId: 'A7CONTROLSELLER' });
      expect(seller.status).to.equal(201);
      expect(seller.body.sellers).to.include('A7CONTROLSELLER');
      expect(formOf(await open({ application_id: demo().applicationId!, state: 's' })).sellers).to.include('A7CONTROLSELLER');
      for (const sellerId of ['a7lower', 'A7', 'A'.repeat(33), 'A7-DASH', undefined]) expect((await control('POST', '/sellers', { sellerId })).status, String(sellerId)).to.equal(400);
      expect(() => sandbox.addSeller('bad')).to.throw(LwaError);
    });

    it('POST /_sandbox/authorizations/revoke answers {revoked} and the token stops', async () => {
      const seller = freshSeller('A8CONTROLREVOKED');
      const res = await exchange(await code({ seller }));
      const revoked = await control('POST', '/authorizations/revoke', { clientId: demo().clientId, sellerId: seller });
      expect(revoked).to.deep.include({ status: 200, body: { revoked: 1 } });
      expect((await refresh(res.body.refresh_token as string)).body).to.deep.equal(INVALID_REFRESH_TOKEN);
      expect((await control('POST', '/authorizations/revoke', { clientId: 'amzn1.application-oa2-client.nobody', sellerId: seller })).status).to.equal(400);
    });

    it('asc sandbox:token:revoke --seller [--client-id] revokes, printing one line', async () => {
      const commands = new Map(amazonSandboxCommands({ AMAZON_SANDBOX_URL: sandbox.url }).map((c) => [c.name, c]));
      const revoke = commands.get('sandbox:token:revoke')!;
      expect(revoke.flags.find((f) => f.name === 'seller')).to.include({ type: 'string', required: true });
      expect(revoke.flags.find((f) => f.name === 'client-id')).to.include({ type: 'string' }).and.not.have.property('required');

      const seller = freshSeller('A9CLIREVOKED');
      const res = await exchange(await code({ seller }));
      const io = capturingIo();
      expect(await revoke.run({ seller }, io)).to.equal(0);
      expect(io.out()).to.equal(`Revoked the authorization of seller ${seller} for ${demo().clientId} (1 refresh token(s) stopped).\n`);
      expect((await refresh(res.body.refresh_token as string)).body).to.deep.equal(INVALID_REFRESH_TOKEN);

      const other = capturingIo();
      expect(await revoke.run({ seller: OTHER_APP.sellerId, 'client-id': OTHER_APP.clientId }, other)).to.equal(0);
      expect(other.out()).to.match(/^Revoked the authorization of seller A3OTHERSELLER for amzn1\.application-oa2-client\.otherconsentapp \(1 refresh token\(s\) stopped\)\.\n$/);
      const otherApi = new SpApiTestClient(sandbox, OTHER_APP);
      const refused = await otherApi.lwa({ grant_type: 'refresh_token', refresh_token: OTHER_APP.refreshToken, client_id: OTHER_APP.clientId, client_secret: OTHER_APP.clientSecret });
      expect(refused.body).to.deep.equal(INVALID_REFRESH_TOKEN);

      const unknown = capturingIo();
      expect(await revoke.run({ seller, 'client-id': 'amzn1.application-oa2-client.nobody' }, unknown)).to.equal(1);
      expect(unknown.err()).to.match(/^The sandbox refused: no app has the client id amzn1\.application-oa2-client\.nobody\n$/);
    });
  });
});
