import { expect } from 'chai';
import { capturingIo } from '../support/cli.ts';
import { amazonSandboxCommands, describeSandbox, startAmazonSandbox, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import type { CliCommandContribution, CliFlagValue } from '../../src/host/contributions.ts';
import { ago, HOUR, MINUTE, SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';

async function control(sandbox: RunningAmazonSandbox, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('Amazon sandbox: control API, CLI commands and demo seed', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox());
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('places, lists, shows and cancels orders and moves the clock over HTTP', async () => {
    const index = await control(sandbox, 'GET', '');
    expect(index.body).to.include({ url: sandbox.url, lwaUrl: sandbox.lwaUrl });
    expect(index.body.demoApp.sellerId).to.equal('A1SANDBOXSELLER');

    const placed = await control(sandbox, 'POST', '/orders', { marketplaceId: 'A1PA6795UKMFR9', buyerName: 'Erika Mustermann', items: [{ sku: 'MUG-BLUE-12OZ', qty: 2, price: '9.95' }] });
    expect(placed.status).to.equal(201);
    const order = placed.body.order;
    expect(order).to.include({ status: 'PENDING', currency: 'EUR', buyerName: 'Erika Mustermann', fulfilledBy: 'MERCHANT' });
    expect(order.items[0]).to.include({ sku: 'MUG-BLUE-12OZ', quantityOrdered: 2, unitPrice: '9.95' });
    expect(order.orderId).to.match(/^\d{3}-\d{7}-\d{7}$/);

    expect((await control(sandbox, 'POST', '/orders', { items: [{ sku: 'A', qty: 0 }] })).status).to.equal(400);
    expect((await control(sandbox, 'POST', '/orders', { items: [{ sku: 'A', qty: 1, price: '1.999' }] })).body.error).to.match(/decimal/);
    expect((await control(sandbox, 'POST', '/orders', { marketplaceId: 'NOPE', items: [{ sku: 'A', qty: 1 }] })).status).to.equal(400);
    expect((await control(sandbox, 'POST', '/orders', 'not json')).status).to.equal(400);

    const clock = await control(sandbox, 'POST', '/clock', { advanceMinutes: 5 });
    expect(clock.body.speed).to.equal(0);
    expect((await control(sandbox, 'GET', `/orders/${order.orderId}`)).body.order.status).to.equal('UNSHIPPED');
    expect((await control(sandbox, 'GET', '/orders?status=UNSHIPPED')).body.orders).to.have.length(1);
    expect((await control(sandbox, 'GET', '/orders?status=PENDING')).body.orders).to.have.length(0);

    const cancelled = await control(sandbox, 'POST', `/orders/${order.orderId}/cancel`, { by: 'BUYER', reason: 'Changed my mind' });
    expect(cancelled.body.order.status).to.equal('CANCELLED');
    expect((await control(sandbox, 'POST', `/orders/${order.orderId}/cancel`, { by: 'AMAZON' })).status).to.equal(409);
    expect((await control(sandbox, 'POST', '/orders/111-0000000-0000000/cancel', { by: 'AMAZON' })).status).to.equal(404);
    expect((await control(sandbox, 'POST', '/clock', { set: '2000-01-01T00:00:00Z' })).status).to.equal(400);
    expect((await control(sandbox, 'GET', '/nothing-here')).status).to.equal(404);
  });

  it('lists recorded requests (with query, masked headers and statuses) and forgets them', async () => {
    await api.searchOrders({ createdAfter: ago(sandbox, HOUR), includedData: ['BUYER', 'PROCEEDS'] });
    await api.getOrder('111-0000000-0000000');
    const listed = await control(sandbox, 'GET', '/requests');
    const requests = listed.body.requests;
    expect(requests.map((r: any) => [r.operation ?? null, r.status])).to.deep.equal([
      [null, 200],
      ['searchOrders', 200],
      ['getOrder', 404],
    ]);
    expect(requests[1].query.includedData).to.deep.equal(['BUYER,PROCEEDS']);
    expect(requests[1].headers['x-amz-access-token']).to.equal('Atza|***');
    expect(requests[1].headers['user-agent']).to.match(/Language=TypeScript/);
    expect((await control(sandbox, 'GET', '/requests?operation=getOrder')).body.requests).to.have.length(1);
    expect((await control(sandbox, 'GET', `/requests?sinceSeq=${requests[1].seq}`)).body.requests).to.have.length(1);
    await control(sandbox, 'DELETE', '/requests');
    expect((await control(sandbox, 'GET', '/requests')).body.requests).to.deep.equal([]);
  });

  it('shows feed results and reports, and resets (optionally with the seed)', async () => {
    const reset = await control(sandbox, 'POST', '/reset', { seed: true });
    expect(reset.status).to.equal(200);
    expect(sandbox.listOrders()).to.have.length(14);
    expect((await control(sandbox, 'GET', '/feeds')).body.feeds).to.deep.equal([]);
    expect((await control(sandbox, 'GET', '/feeds/123/report')).status).to.equal(404);
    await control(sandbox, 'POST', '/reset');
    expect(sandbox.listOrders()).to.deep.equal([]);
  });

  describe('CLI commands', () => {
    let commands: Map<string, CliCommandContribution>;
    const run = async (name: string, flags: Record<string, CliFlagValue | undefined>) => {
      const stream = capturingIo();
      const code = await commands.get(name)!.run(flags, stream);
      return { code, out: stream.out(), err: stream.err() };
    };

    before(() => {
      commands = new Map(amazonSandboxCommands({ AMAZON_SANDBOX_URL: sandbox.url }).map((c) => [c.name, c]));
    });

    it('declares typed flags for the host to parse', () => {
      expect([...commands.keys()]).to.include.members(['sandbox:order:place', 'sandbox:order:cancel', 'sandbox:order:list', 'sandbox:clock:advance', 'sandbox:fault:add', 'sandbox:reset']);
      const place = commands.get('sandbox:order:place')!;
      expect(place.flags.find((f) => f.name === 'sku')).to.include({ type: 'string', required: true });
      expect(place.flags.find((f) => f.name === 'fba')).to.include({ type: 'switch' });
      expect(place.flags.find((f) => f.name === 'marketplace-id')).to.include({ type: 'enum' });
    });

    it('places an FBA order, cancels one, advances the clock and lists orders', async () => {
      const placed = await run('sandbox:order:place', { sku: 'LAMP-DESK-LED', qty: 2, fba: true, buyer: 'Jane Doe', price: '39.95', json: true });
      expect(placed.code).to.equal(0);
      const order = JSON.parse(placed.out);
      expect(order).to.include({ fulfilledBy: 'AMAZON', buyerName: 'Jane Doe', status: 'PENDING' });
      expect(order.items[0]).to.include({ sku: 'LAMP-DESK-LED', quantityOrdered: 2, unitPrice: '39.95' });

      const second = await run('sandbox:order:place', { sku: 'MUG-BLUE-12OZ', 'marketplace-id': 'A1VC38T7YXB528' });
      expect(second.out).to.match(/^Placed \d{3}-\d{7}-\d{7}\s+PENDING\s+MERCHANT\s+A1VC38T7YXB528\s+\d+ JPY/);
      const secondId = /\d{3}-\d{7}-\d{7}/.exec(second.out)![0];
      const cancelled = await run('sandbox:order:cancel', { order: secondId, by: 'amazon', reason: 'Out of stock' });
      expect(cancelled.code).to.equal(0);
      expect(sandbox.getOrder(secondId)!.items[0]!.cancellationExecution).to.deep.equal({ cancelledBy: 'AMAZON', cancelReason: 'Out of stock' });

      const advanced = await run('sandbox:clock:advance', { minutes: 35 });
      expect(advanced.out).to.match(/^Sandbox time is now /);
      expect(sandbox.getOrder(order.orderId)!.status).to.equal('SHIPPED');
      const list = await run('sandbox:order:list', { status: 'SHIPPED' });
      expect(list.out.trim().split('\n')).to.have.length(1);
      expect(list.out).to.include(order.orderId);
    });

    it('adds and clears faults and resets', async () => {
      expect((await run('sandbox:fault:add', { operation: 'searchOrders', kind: 'throttle', count: 2 })).out).to.match(/^Added fault-\d+: throttle on searchOrders/);
      expect(sandbox.listFaults()).to.have.length(1);
      await run('sandbox:fault:add', { operation: 'searchOrders', kind: 'invalidOrder', variant: 'wrongType' });
      await run('sandbox:fault:add', { operation: 'confirmShipment', kind: 'reset', phase: 'after' });
      expect(sandbox.listFaults().map((f) => [f.kind, f.variant, f.phase])).to.deep.equal([
        ['throttle', undefined, undefined],
        ['invalidOrder', 'wrongType', undefined],
        ['reset', undefined, 'after'],
      ]);
      await run('sandbox:fault:clear', {});
      expect(sandbox.listFaults()).to.deep.equal([]);
      sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
      expect((await run('sandbox:reset', {})).code).to.equal(0);
      expect(sandbox.listOrders()).to.deep.equal([]);
    });

    it('exits 1 with a message when the sandbox refuses or is unreachable', async () => {
      const refused = await run('sandbox:order:cancel', { order: '111-0000000-0000000' });
      expect(refused.code).to.equal(1);
      expect(refused.err).to.match(/no order 111-0000000-0000000/);
      // The sandbox quotes the id back: the line keeps 200 characters of its answer, cut between code points.
      const huge = await run('sandbox:order:cancel', { order: '🦄'.repeat(300) });
      expect(huge.code).to.equal(1);
      expect(huge.err).to.equal(`The sandbox refused: no order ${'🦄'.repeat(190)}…\n`);
      const offline = amazonSandboxCommands({ AMAZON_SANDBOX_URL: 'http://127.0.0.1:9' }).find((c) => c.name === 'sandbox:order:list')!;
      const stream = capturingIo();
      expect(await offline.run({}, stream)).to.equal(1);
      expect(stream.err()).to.match(/not reachable at http:\/\/127\.0\.0\.1:9/);
    });
  });
});

describe('Amazon sandbox: demo seed', () => {
  let sandbox: RunningAmazonSandbox;

  before(async () => {
    sandbox = await startAmazonSandbox({ port: 0, seed: true, clock: { start: '2026-03-02T12:00:00Z', speed: 0 } });
  });
  after(() => sandbox.close());

  it('places realistic orders over the last days in several marketplaces, states and fulfilment channels', async () => {
    const orders = sandbox.listOrders();
    expect(orders).to.have.length(14);
    expect(new Set(orders.map((o) => o.marketplaceId)).size).to.equal(5);
    expect(new Set(orders.map((o) => o.status))).to.deep.equal(new Set(['PENDING', 'PENDING_AVAILABILITY', 'UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED']));
    expect(new Set(orders.map((o) => o.fulfilledBy))).to.deep.equal(new Set(['MERCHANT', 'AMAZON']));
    for (const o of orders) {
      expect(o.sellerId).to.equal(sandbox.demoApp.sellerId);
      expect(Date.parse(o.lastUpdatedTime)).to.be.at.least(Date.parse(o.createdTime));
      expect(Date.parse(o.lastUpdatedTime)).to.be.at.most(sandbox.clock.now());
    }
    expect(describeSandbox(sandbox)).to.include(sandbox.demoApp.refreshToken).and.include(sandbox.lwaUrl);
  });

  it('serves the seed through searchOrders in pages that match the model', async () => {
    sandbox.setRateLimit('searchOrders', { rate: 10, burst: 100 });
    const api = new SpApiTestClient(sandbox);
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const res = await api.searchOrders({
        lastUpdatedAfter: ago(sandbox, 7 * 24 * HOUR),
        maxResultsPerPage: 5,
        includedData: ['BUYER', 'RECIPIENT', 'PROCEEDS', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES', 'TAX'],
        paginationToken: token,
      });
      expect(res.status).to.equal(200);
      ids.push(...res.body.orders.map((o: any) => o.orderId));
      token = res.body.pagination?.nextToken;
    } while (token);
    // The newest seed order is one minute old: inside the two-minute window, not returned yet.
    expect(ids).to.have.length(13);
    sandbox.advanceClock(MINUTE);
    const all = await api.searchOrders({ lastUpdatedAfter: ago(sandbox, 7 * 24 * HOUR) });
    expect(all.body.orders.length).to.be.greaterThan(13);
  });
});
