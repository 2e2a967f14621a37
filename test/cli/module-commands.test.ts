/**
 * The module's `asc` commands as a merchant types them: store:*, settings:*, sync, orders:*,
 * match:set, with their JSON shapes and exit codes, on both databases and against the sandbox.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { runCliInProcess, type CliResult } from '../support/cli.ts';
import { SandboxClock, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';

const MINUTE = 60_000;

describeEachDatabase('module CLI commands', (db) => {
  let amazon: RunningAmazonSandbox;
  let clock: SandboxClock;
  const secretKey = crypto.randomBytes(32).toString('base64');

  /** Runs asc in-process on the test database, on the sandbox's (frozen) clock. */
  const asc = (...args: string[]): Promise<CliResult> =>
    runCliInProcess(args, {
      env: { DATABASE_URL: db().url, HOST_SECRET_KEY: secretKey, HOST_CLOCK_OFFSET_MS: String(clock.now() - Date.now()), AMAZON_SANDBOX: '0' },
    });
  const json = async (...args: string[]) => {
    const result = await asc(...args, '--json');
    expect(result.code, result.stderr).to.equal(0);
    return JSON.parse(result.stdout);
  };

  before(async () => {
    clock = new SandboxClock({ start: '2026-11-26T10:00:00Z', speed: 0 });
    amazon = await startCheckedSandbox({ port: 0, clock });
    expect((await asc('migrate')).code).to.equal(0);
    for (const [sku, qty] of [['MUG-BLUE-12OZ', '10'], ['HOST-TEE', '10']]) {
      expect((await asc('host:product:set', '--sku', sku, '--name', sku, '--qty', qty)).code).to.equal(0);
    }
  });

  after(async () => {
    await amazon.close();
  });

  it('store:add registers a store and never prints its secrets; store:list lists it', async () => {
    const app = amazon.demoApp;
    const store = await json(
      'store:add', '--name', 'Sandbox US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', app.sellerId,
      '--client-id', app.clientId, '--client-secret', app.clientSecret, '--refresh-token', app.refreshToken,
      '--sp-api-endpoint', amazon.url, '--lwa-endpoint', amazon.lwaUrl, '--integrated-at', '2026-11-26T09:00:00Z',
    );
    // The shape README documents for store:add, store:list and store:status.
    expect(store).to.deep.equal({
      id: 1, name: 'Sandbox US', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: app.sellerId, clientId: app.clientId,
      spApiEndpoint: amazon.url, lwaEndpoint: amazon.lwaUrl, status: 'active', authorization: 'authorized', integratedAt: '2026-11-26T09:00:00.000Z',
      createdAt: store.createdAt, updatedAt: store.createdAt,
    });
    expect(new Date(store.createdAt).toISOString()).to.equal(store.createdAt);
    const listed = await asc('store:list', '--json');
    const table = await asc('store:list');
    const inactive = await json('store:status', '--store', '1', '--status', 'inactive');
    const active = await json('store:status', '--store', '1', '--status', 'active');
    for (const output of [JSON.stringify(store), listed.stdout, table.stdout, JSON.stringify(inactive)]) {
      expect(output).to.not.include(app.clientSecret);
      expect(output).to.not.include(app.refreshToken);
    }
    expect(JSON.parse(listed.stdout)).to.deep.equal([store]);
    expect(inactive).to.deep.equal({ ...store, status: 'inactive', updatedAt: inactive.updatedAt });
    expect(active).to.deep.equal({ ...store, updatedAt: active.updatedAt });
  });

  it('settings:get shows a new store with the default Order Settings', async () => {
    expect(await json('settings:get', '--store', '1')).to.deep.equal({
      storeId: 1, importOrders: 'enabled', storeView: 'default', customerCreation: 'guest', orderNumberSource: 'host',
      reservePending: true, orderStatus: 'default', processingStatus: null, readOnly: false, feedIntervalMinutes: 20,
    });
  });

  it('refuses bad input with exit 2 and a message naming the flag', async () => {
    const wrongRegion = await asc('store:add', '--name', 'X', '--region', 'eu', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', 'A1B2C3D4E5',
      '--client-id', 'c', '--client-secret', 's', '--refresh-token', 'r');
    expect(wrongRegion.code).to.equal(2);
    expect(wrongRegion.stderr).to.include('--marketplace-id ATVPDKIKX0DER (US) is served by region na, not eu');
    const custom = await asc('settings:set', '--store', '1', '--import-orders', 'enabled', '--order-status', 'custom');
    expect(custom.code).to.equal(2);
    expect(custom.stderr).to.include('--processing-status is required when Order Status is Custom');
    const unknownStore = await asc('settings:get', '--store', '99');
    expect(unknownStore.code).to.equal(2);
    expect(unknownStore.stderr).to.include('There is no Amazon store with id 99');
    const badDate = await asc('orders:list', '--store', '1', '--from', '2026-13-40');
    expect(badDate.code).to.equal(2);
    expect(badDate.stderr).to.include('--from: "2026-13-40" is not a date');
    expect((await json('settings:get', '--store', '1')).orderStatus).to.equal('default');
  });

  it('settings:set saves a valid change and settings:get shows it', async () => {
    const saved = await json('settings:set', '--store', '1', '--import-orders', 'enabled', '--order-number-source', 'amazon', '--order-status', 'custom', '--processing-status', 'amazon_processing');
    expect(saved).to.deep.equal({
      storeId: 1, importOrders: 'enabled', storeView: 'default', customerCreation: 'guest', orderNumberSource: 'amazon',
      reservePending: true, orderStatus: 'custom', processingStatus: 'amazon_processing', readOnly: false, feedIntervalMinutes: 20,
    });
    expect(await json('settings:get', '--store', '1')).to.deep.equal(saved);
    // The fulfillment settings alone, also while import is disabled.
    await json('settings:set', '--store', '1', '--import-orders', 'disabled');
    const fulfillment = await json('settings:set', '--store', '1', '--read-only', 'true', '--feed-interval', '0');
    expect(fulfillment).to.deep.include({ importOrders: 'disabled', readOnly: true, feedIntervalMinutes: 0 });
    const nothing = await asc('settings:set', '--store', '1');
    expect(nothing.code).to.equal(2);
    expect(nothing.stderr).to.include('nothing to change');
    const badInterval = await asc('settings:set', '--store', '1', '--feed-interval', '7');
    expect(badInterval.code).to.equal(2);
    expect(badInterval.stderr).to.include('--feed-interval');
    await json('settings:set', '--store', '1', '--import-orders', 'enabled', '--read-only', 'false', '--feed-interval', '20');
  });

  it('sync imports, orders:list filters, match:set and orders:retry unblock an order', async () => {
    const app = amazon.demoApp;
    const mug = amazon.placeOrder({ sellerId: app.sellerId, buyerName: 'Zoe Mug', items: [{ sku: 'MUG-BLUE-12OZ', qty: 2, price: '12.99' }], status: 'UNSHIPPED' }).orderId;
    const tee = amazon.placeOrder({ sellerId: app.sellerId, buyerName: 'Al Tee', items: [{ sku: 'TEE-BLK-M', qty: 1, price: '19.99' }], status: 'UNSHIPPED' }).orderId;
    clock.advance(5 * MINUTE);

    const [result] = await json('sync');
    expect(result).to.include({ storeId: 1, result: 'ok', seen: 2, new: 2, imported: 1, blocked: 1 });
    expect(result).to.have.keys(['storeId', 'storeName', 'result', 'error', 'seen', 'new', 'updated', 'imported', 'blocked', 'invalid', 'apiCalls', 'throttled', 'rateLimitWaitMs', 'durationMs']);

    const rows = await json('orders:list', '--store', '1');
    expect(rows.map((r: { amazonOrderId: string }) => r.amazonOrderId)).to.have.members([mug, tee]);
    const mugRow = rows.find((r: { amazonOrderId: string }) => r.amazonOrderId === mug);
    expect(mugRow).to.include({ status: 'Unshipped', buyerName: 'Zoe Mug', fulfilledBy: 'MERCHANT', hostOrderNumber: mug });
    expect(mugRow.grandTotal).to.deep.equal({ amount: amazon.getOrder(mug)!.grandTotal, currencyCode: 'USD' });
    expect(mugRow.purchaseDate).to.equal('2026-11-26T10:00:00.000Z');
    expect((await json('orders:list', '--store', '1', '--buyer', 'zoe')).map((r: { amazonOrderId: string }) => r.amazonOrderId)).to.deep.equal([mug]);
    expect(await json('orders:list', '--store', '1', '--status', 'Canceled')).to.deep.equal([]);
    expect(await json('orders:list', '--store', '1', '--limit', '1')).to.have.length(1);

    const blocked = rows.find((r: { amazonOrderId: string }) => r.amazonOrderId === tee);
    expect(blocked).to.include({ hostOrderId: null, note: 'Cannot create order: SKU "TEE-BLK-M" is not in the catalog; create the product or match the listing to one' });
    const stillBlocked = await asc('orders:retry', '--store', '1', '--order', tee, '--json');
    expect(stillBlocked.code).to.equal(1);
    expect(JSON.parse(stillBlocked.stdout)).to.deep.equal({ amazonOrderId: tee, outcome: 'blocked', hostOrderId: null, note: blocked.note });
    expect((await asc('match:set', '--store', '1', '--seller-sku', 'TEE-BLK-M', '--product', 'NOPE')).code).to.equal(2);
    const hostTee = (await json('host:product:set', '--sku', 'HOST-TEE')).product;
    expect(await json('match:set', '--store', '1', '--seller-sku', 'TEE-BLK-M', '--product', 'HOST-TEE')).to.deep.equal({
      storeId: 1, sellerSku: 'TEE-BLK-M', productSku: 'HOST-TEE', productId: hostTee.id,
    });
    const retried = await json('orders:retry', '--store', '1', '--order', tee);
    const hostOrders = JSON.parse((await asc('host:orders:list', '--json')).stdout) as Array<{ id: string; externalReference: string; items: Array<{ sku: string }> }>;
    const hostOrder = hostOrders.find((o) => o.externalReference === tee);
    expect(hostOrder?.items).to.deep.equal([{ sku: 'HOST-TEE', qty: 1 }]);
    expect(retried).to.deep.equal({ amazonOrderId: tee, outcome: 'imported', hostOrderId: hostOrder!.id, note: `Imported as order #${tee}` });
  });

  it('refuses oversized filters and listing matches in one line each, storing nothing', async () => {
    const long = 'x'.repeat(50_000);
    const buyer = await asc('orders:list', '--store', '1', '--buyer', long);
    expect([buyer.code, buyer.stderr]).to.deep.equal([2, 'asc orders:list: --buyer: must be at most 255 characters (a buyer name is no longer)\n']);
    const order = await asc('orders:list', '--store', '1', '--order', 'y'.repeat(33));
    expect([order.code, order.stderr]).to.deep.equal([2, 'asc orders:list: --order: must be at most 32 characters (an Amazon order number is no longer)\n']);
    expect((await asc('orders:list', '--store', '1', '--min', '1'.repeat(10_000))).code).to.equal(2);

    const matchesBefore = await db().knex('amazon_listing_match').count({ n: '*' }).first();
    const hugeSku = await asc('match:set', '--store', '1', '--seller-sku', 'S'.repeat(100_000), '--product', 'HOST-TEE');
    expect([hugeSku.code, hugeSku.stderr]).to.deep.equal([2, 'asc match:set: --seller-sku: An Amazon SKU has at most 255 characters\n']);
    const strange = await asc('match:set', '--store', '1', '--seller-sku', 'NO-ORDER-HAS-THIS', '--product', 'HOST-TEE');
    expect([strange.code, strange.stderr]).to.deep.equal([2, 'asc match:set: --seller-sku: No blocked order of this store contains the Amazon SKU "NO-ORDER-HAS-THIS"\n']);
    expect(await db().knex('amazon_listing_match').count({ n: '*' }).first()).to.deep.equal(matchesBefore);
  });

  it('host:order:ship, outbox:list/send/retry and orders:cancel, with their JSON and exit codes', async () => {
    const hostOrders = JSON.parse((await asc('host:orders:list', '--json')).stdout) as Array<{ id: string; externalReference: string }>;
    const [mug, tee] = ['MUG-BLUE-12OZ', 'HOST-TEE'].map((sku) => {
      const order = amazon.listOrders({ sellerId: amazon.demoApp.sellerId }).find((o) => o.items.some((i) => i.sku === (sku === 'HOST-TEE' ? 'TEE-BLK-M' : sku)))!;
      return { amazonOrderId: order.orderId, hostId: hostOrders.find((h) => h.externalReference === order.orderId)!.id };
    });
    const badItems = await asc('host:order:ship', '--order', mug!.hostId, '--carrier', 'ups', '--tracking', '1Z1', '--items', 'NOPE:1');
    expect([badItems.code, badItems.stderr]).to.deep.equal([2, `asc host:order:ship: --items: order ${mug!.amazonOrderId} has no line with SKU "NOPE"\n`]);
    expect((await asc('host:order:ship', '--order', '999', '--carrier', 'ups', '--tracking', '1Z1')).code).to.equal(2);
    const shipped = await asc('host:order:ship', '--order', mug!.hostId, '--carrier', 'ups', '--tracking', '1Z999AA1', '--items', 'MUG-BLUE-12OZ:1');
    expect([shipped.code, shipped.stdout]).to.deep.equal([0, 'Shipment created.\n']);
    // What Amazon cannot take is vetoed: exit 1 and the reason.
    const veto = await asc('host:order:cancel', '--order', mug!.hostId, '--reason', 'out_of_stock');
    expect(veto.code).to.equal(1);
    expect(veto.stderr).to.equal(`asc host:order:cancel: A shipment of order ${mug!.amazonOrderId} was already recorded for Amazon, so it can no longer be canceled. Refund it with a credit memo instead, or cancel it in Seller Central.\n`);

    const [entry, ...none] = await json('outbox:list', '--store', '1');
    expect(none).to.deep.equal([]);
    expect(entry).to.deep.equal({ id: entry.id, kind: 'shipment', amazonOrderId: mug!.amazonOrderId, state: 'pending', attempts: 0, lastError: null, createdAt: entry.createdAt, sentAt: null });
    // Each asc run reads the (frozen) clock afresh: move it on, so what was recorded is due.
    clock.advance(1000);
    const [sent] = await json('outbox:send');
    expect(sent).to.deep.equal({ storeId: 1, storeName: 'Sandbox US', result: 'ok', error: null, done: 1, failed: 0, retrying: 0, feedsSubmitted: 0, pending: 0 });
    expect((await json('outbox:list', '--store', '1'))[0]).to.include({ state: 'done', attempts: 1 });

    const canceled = await json('orders:cancel', '--store', '1', '--order', tee!.amazonOrderId, '--reason', 'customer_request');
    expect(canceled).to.deep.equal({ amazonOrderId: tee!.amazonOrderId, outboxEntryId: canceled.outboxEntryId, hostOrderCanceled: true, note: null });
    expect(await json('orders:cancel', '--store', '1', '--order', tee!.amazonOrderId, '--reason', 'customer_request')).to.include({ outboxEntryId: null, hostOrderCanceled: false });
    const refused = await asc('orders:cancel', '--store', '1', '--order', mug!.amazonOrderId, '--reason', 'other');
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/^asc orders:cancel: A shipment of order /);
    expect((await asc('orders:cancel', '--store', '1', '--order', '111-0000000-0000000', '--reason', 'other')).code).to.equal(2);
    expect((await asc('orders:cancel', '--store', '1', '--order', tee!.amazonOrderId, '--reason', 'because')).code).to.equal(2);
    clock.advance(1000);
    expect((await json('outbox:send'))[0]).to.include({ feedsSubmitted: 1 });
    clock.advance(MINUTE);
    expect((await json('outbox:send'))[0]).to.include({ done: 1, pending: 0 });

    // A refusal: outbox:send exits 1; outbox:retry sends it again and exits 1 while Amazon still refuses.
    const late = amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }], status: 'UNSHIPPED' }).orderId;
    clock.advance(5 * MINUTE);
    await json('sync');
    amazon.cancelOrder(late, { by: 'BUYER' });
    const lateHost = (JSON.parse((await asc('host:orders:list', '--json')).stdout) as Array<{ id: string; externalReference: string }>).find((h) => h.externalReference === late)!;
    expect((await asc('host:order:ship', '--order', lateHost.id, '--carrier', 'other', '--carrier-title', 'Courier X', '--tracking', 'CX1')).code).to.equal(0);
    clock.advance(1000);
    const failing = await asc('outbox:send', '--store', '1');
    expect(failing.code, failing.stdout + failing.stderr).to.equal(1);
    expect(failing.stdout).to.equal('Store 1 (Sandbox US): 0 accepted, 1 refused, 0 to try again, 0 feed(s) submitted, 0 pending\n');
    const failed = (await json('outbox:list', '--store', '1')).find((x: { amazonOrderId: string }) => x.amazonOrderId === late);
    expect(failed.state).to.equal('failed');
    const retried = await asc('outbox:retry', '--id', String(failed.id), '--json');
    expect(retried.code).to.equal(1);
    expect(JSON.parse(retried.stdout)).to.include({ id: failed.id, state: 'failed', attempts: 2 });
    expect((await asc('outbox:retry', '--id', String(entry.id))).stderr).to.include(`outbox entry ${entry.id} is done, not failed`);
    expect((await asc('outbox:retry', '--id', '99999')).code).to.equal(2);

    // Read-Only Mode: nothing is sent, which is not a failure; the list says so.
    await json('settings:set', '--store', '1', '--read-only', 'true');
    const held = await asc('outbox:send', '--json');
    expect(held.code).to.equal(0);
    expect(JSON.parse(held.stdout)[0]).to.include({ result: 'skipped' });
    expect((await asc('outbox:list', '--store', '1')).stdout).to.include('Read-Only Mode is on for this store');
    await json('settings:set', '--store', '1', '--read-only', 'false');
  });

  it('sync exits 1 with one line per failed store', async () => {
    amazon.addFault({ operation: 'searchOrders', kind: 'error500', count: 100 });
    clock.advance(5 * MINUTE);
    const result = await asc('sync');
    amazon.clearFaults();
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('store 1:'))).to.have.length(1);
  });

  it('an Inactive store is not synced, even when asked for by id, and says how to resume it', async () => {
    expect((await asc('store:status', '--store', '1', '--status', 'inactive')).code).to.equal(0);
    const requests = amazon.requests().length;
    const [skipped] = await json('sync', '--store', '1');
    expect(skipped).to.include({ storeId: 1, result: 'skipped', apiCalls: 0 });
    expect(skipped.error).to.include('asc store:status --store 1 --status active');
    expect(await json('sync')).to.deep.equal([]);
    expect(amazon.requests().length).to.equal(requests);
    expect((await asc('store:status', '--store', '1', '--status', 'active')).code).to.equal(0);
    expect((await json('sync', '--store', '1'))[0]).to.include({ result: 'ok' });
  });
});
