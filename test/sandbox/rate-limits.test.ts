import { expect } from 'chai';
import { DEFAULT_RATE_LIMITS, startAmazonSandbox, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { ago, HOUR, SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';

const QUOTA_EXCEEDED = { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] };

describe('Amazon sandbox: rate limits', () => {
  describe('with a frozen clock', () => {
    let sandbox: RunningAmazonSandbox;
    let api: SpApiTestClient;

    before(async () => {
      ({ sandbox, api } = await startTestSandbox());
    });
    after(() => sandbox.close());
    beforeEach(() => {
      sandbox.reset();
      sandbox.setRateLimit('searchOrders', { rate: 0.5, burst: 3 });
    });

    it('allows the burst, then answers 429 QuotaExceeded without rate header or Retry-After, and refills by the clock', async () => {
      const search = () => api.searchOrders({ createdAfter: ago(sandbox, HOUR) });
      for (let i = 0; i < 3; i++) {
        const ok = await search();
        expect(ok.status).to.equal(200);
        expect(ok.headers.get('x-amzn-RateLimit-Limit')).to.equal('0.5');
      }
      const throttled = await search();
      expect(throttled.status).to.equal(429);
      expect(throttled.body).to.deep.equal(QUOTA_EXCEEDED);
      expect(throttled.headers.get('x-amzn-RateLimit-Limit')).to.equal(null);
      expect(throttled.headers.get('retry-after')).to.equal(null);
      expect(throttled.headers.get('x-amzn-RequestId')).to.not.equal(null);

      sandbox.advanceClock(1999);
      expect((await search()).status).to.equal(429);
      sandbox.advanceClock(1);
      expect((await search()).status).to.equal(200);
      expect((await search()).status).to.equal(429);

      expect(sandbox.throttledCounts()).to.deep.equal({ searchOrders: 3 });
      expect(sandbox.requests({ operation: 'searchOrders' }).filter((r) => r.throttled).map((r) => r.status)).to.deep.equal([429, 429, 429]);
    });

    it('keeps one bucket per seller and per operation', async () => {
      const other = { clientId: 'amzn1.application-oa2-client.other', clientSecret: 's', refreshToken: 'Atzr|other', sellerId: 'A2OTHER' };
      sandbox.registerApp(other);
      const otherApi = new SpApiTestClient(sandbox, other);
      for (let i = 0; i < 3; i++) await api.searchOrders({ createdAfter: ago(sandbox, HOUR) });
      expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(429);
      expect((await otherApi.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(200);
      expect((await api.getOrder('111-0000000-0000000')).status).to.equal(404);
    });

    it('counts 400 answers against the quota (with the header) but not calls refused for their token', async () => {
      for (let i = 0; i < 5; i++) expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) }, { token: null })).status).to.equal(403);
      const invalid = await api.searchOrders({});
      expect(invalid.status).to.equal(400);
      expect(invalid.headers.get('x-amzn-RateLimit-Limit')).to.equal('0.5');
      expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(200);
      expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(200);
      expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(429);
    });

    it('changes a plan through the control API; the bucket starts full', async () => {
      const res = await fetch(`${sandbox.url}/_sandbox/rate-limits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operation: 'getOrder', rate: 2, burst: 1 }),
      });
      expect(res.status).to.equal(200);
      expect(((await res.json()) as any).rateLimits.getOrder).to.deep.equal({ rate: 2, burst: 1 });
      expect((await api.getOrder('111-0000000-0000000')).headers.get('x-amzn-RateLimit-Limit')).to.equal('2');
      expect((await api.getOrder('111-0000000-0000000')).status).to.equal(429);
      const bad = await fetch(`${sandbox.url}/_sandbox/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'getOrder', rate: 0, burst: 1 }) });
      expect(bad.status).to.equal(400);
    });
  });

  it("uses Amazon's default plans unless overridden", async () => {
    const sandbox = await startAmazonSandbox({ port: 0, clock: { speed: 0 } });
    try {
      const api = new SpApiTestClient(sandbox);
      const first = await api.searchOrders({ createdAfter: ago(sandbox, HOUR) });
      expect(first.headers.get('x-amzn-RateLimit-Limit')).to.equal('0.0056');
      for (let i = 1; i < DEFAULT_RATE_LIMITS.searchOrders.burst; i++) expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(200);
      expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(429);
      // One token every 1/0.0056 s = 178.6 s.
      sandbox.advanceClock(178_000);
      expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(429);
      sandbox.advanceClock(1_000);
      expect((await api.searchOrders({ createdAfter: ago(sandbox, HOUR) })).status).to.equal(200);
      expect((await api.getOrder('111-0000000-0000000')).headers.get('x-amzn-RateLimit-Limit')).to.equal('0.5');
      expect(sandbox.limits.all()).to.deep.equal(DEFAULT_RATE_LIMITS);
    } finally {
      await sandbox.close();
    }
  });

  it('refills with a fast clock in real time', async () => {
    // 100 sandbox seconds per real second; one token per 20 sandbox seconds = every 200 real ms.
    const sandbox = await startAmazonSandbox({ port: 0, clock: { speed: 100 }, rateLimits: { searchOrders: { rate: 0.05, burst: 2 } } });
    try {
      const api = new SpApiTestClient(sandbox);
      await api.token();
      const search = () => api.searchOrders({ createdAfter: ago(sandbox, HOUR) });
      expect((await search()).status).to.equal(200);
      expect((await search()).status).to.equal(200);
      expect((await search()).status).to.equal(429);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await search()).status).to.equal(200);
    } finally {
      await sandbox.close();
    }
  });
});
