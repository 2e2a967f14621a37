/**
 * Real-time updates end to end, on both databases: a store turned on against the Amazon sandbox's
 * SQS queue and Notifications API, then the host worker (NotificationConsumer) reading the queue
 * while the sandbox sends ORDER_CHANGE for every order change. Orders arrive without any sync;
 * duplicates, reordering, messages for no store, a malformed body, SQS down, getOrder throttled,
 * a consumer dying between getOrder and the delete, and two consumers on one queue each keep
 * every order imported exactly once and the queue right.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import sinon from 'sinon';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, emptyOrderTables, startE2E, type E2E } from '../support/e2e.ts';
import { DEMO_AWS } from '../../sandbox/amazon/index.ts';
import { NOTIFICATION_CONSUMER_TUNING, NotificationConsumer, type NotificationConsumerTuning } from '../../src/notifications/notification-consumer.ts';
import { RealtimeUpdates, STORE_NOTIFICATIONS_TABLE } from '../../src/notifications/realtime-updates.ts';
import { SqsQueue } from '../../src/notifications/sqs-queue.ts';
import { AdminClient } from '../support/admin-client.ts';
import { OrderSyncCron } from '../../src/sync/sync-cron.ts';

const VERIFIED = 6 * MINUTE;
const TUNING: NotificationConsumerTuning = { refreshMs: 50, errorPauseMs: 50, maxErrorPauseMs: 200 };

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDatabase('real-time updates (ORDER_CHANGE through SQS)', (db) => {
  let e: E2E;
  let realtime: RealtimeUpdates;
  let consumer: NotificationConsumer;
  const running: Array<{ controller: AbortController; done: Promise<void> }> = [];

  beforeEach(async () => {
    e = await startE2E(db(), {
      integratedAt: new Date('2026-11-26T09:00:00Z'),
      // Amazon's clock stands still here: a call that would wait for a rate-limit token is refused at once.
      clientTuning: { maxRateLimitWaitMs: 100 },
      bind: (container) => void container.bind(NOTIFICATION_CONSUMER_TUNING).toConstantValue(TUNING),
    });
    realtime = e.host.container.get(RealtimeUpdates);
    consumer = e.host.container.get(NotificationConsumer);
  });
  afterEach(async () => {
    await stopConsumers();
    sinon.restore();
    await e?.close();
    await emptyOrderTables(db().knex);
  });

  const hostOrders = async (orderId: string) => Number((await db().knex('host_order').where({ external_reference: orderId }).count({ n: '*' }).first())?.n);
  const queueAccess = (url: string) => ({ queueUrl: url, region: e.amazon.sqsRegion, accessKeyId: DEMO_AWS.accessKeyId, secretAccessKey: DEMO_AWS.secretAccessKey });

  function startConsumer(): void {
    const controller = new AbortController();
    running.push({ controller, done: consumer.run({ signal: controller.signal }) });
  }
  async function stopConsumers(): Promise<void> {
    for (const { controller } of running) controller.abort();
    await Promise.all(running.splice(0).map((r) => r.done));
  }
  async function turnOn(queue: { url: string } = e.amazon.demoQueue): Promise<void> {
    const result = await realtime.enable(e.store.id, queueAccess(queue.url));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
  }
  const imported = (orderId: string) => eventually(`order ${orderId} imported`, async () => (await e.orders.find(e.store.id, orderId))?.importState === 'imported' || undefined);
  /** Amazon's Notifications API allows 1 call/s (burst 5), and Amazon's clock stands still here: time to refill between steps. */
  const pause = () => e.advance(10_000);
  const queueCounts = (url: string) => {
    const { visible, inFlight } = e.amazon.describeQueue(url);
    return { visible, inFlight };
  };

  it('turns on: Amazon gets a destination for the queue and the seller\'s subscription, which follows the queue; the secret is kept encrypted', async () => {
    await turnOn();
    const [destination] = e.amazon.listDestinations();
    expect(destination?.arn).to.equal(e.amazon.demoQueue.arn);
    const [subscription] = e.amazon.listSubscriptions();
    expect(subscription).to.deep.include({ sellerId: e.amazon.demoApp.sellerId, destinationId: destination!.destinationId });
    const saved = await realtime.get(e.store.id);
    expect(saved).to.deep.include({ enabled: true, queueArn: e.amazon.demoQueue.arn, subscriptionId: subscription!.subscriptionId, pollIntervalMinutes: 30 });
    const row = await db().knex(STORE_NOTIFICATIONS_TABLE).where({ store_id: e.store.id }).first();
    expect(JSON.stringify(row)).to.not.contain(DEMO_AWS.secretAccessKey);

    // Again (a changed poll interval, the secret left empty): the destination and subscription are reused.
    pause();
    const again = await realtime.enable(e.store.id, { ...queueAccess(e.amazon.demoQueue.url), secretAccessKey: '', pollIntervalMinutes: 60 });
    expect(again.ok && again.notifications.pollIntervalMinutes).to.equal(60);
    expect(e.amazon.listDestinations()).to.have.length(1);
    expect(e.amazon.listSubscriptions()).to.have.length(1);

    // A rotated key: the queue's reader key changes, so the running consumer starts a new reader with it.
    const [before] = await realtime.consumedQueues();
    const rotated = { accessKeyId: 'AKIASANDBOXROTATED01', secretAccessKey: 'rotated-secret-access-key-0000000000001' };
    e.amazon.addAwsCredentials(rotated);
    pause();
    expect((await realtime.enable(e.store.id, { ...queueAccess(e.amazon.demoQueue.url), ...rotated })).ok).to.equal(true);
    const [after] = await realtime.consumedQueues();
    expect(after!.access.accessKeyId).to.equal(rotated.accessKeyId);
    expect(after!.key).to.not.equal(before!.key);
    expect(after!.key).to.not.contain(rotated.secretAccessKey);

    // Another queue for the store: its subscription moves there (Amazon keeps one per seller).
    const other = e.amazon.createQueue('other-orders');
    pause();
    expect((await realtime.enable(e.store.id, { ...queueAccess(other.url), ...rotated })).ok).to.equal(true);
    const [moved] = e.amazon.listSubscriptions();
    expect(e.amazon.listSubscriptions()).to.have.length(1);
    expect(e.amazon.listDestinations().find((d) => d.destinationId === moved!.destinationId)?.arn).to.equal(other.arn);
    expect((await realtime.get(e.store.id))?.subscriptionId).to.equal(moved!.subscriptionId);
    // A second store of the seller cannot send its changes to yet another queue while the first uses the subscription.
    const canada = await e.stores.add({
      name: 'Sandbox CA', region: 'na', marketplaceId: 'A2EUQ1WTGCTBG2', sellerId: e.amazon.demoApp.sellerId, clientId: e.amazon.demoApp.clientId,
      clientSecret: e.amazon.demoApp.clientSecret, refreshToken: e.amazon.demoApp.refreshToken, spApiEndpoint: e.amazon.url, lwaEndpoint: e.amazon.lwaUrl,
    });
    pause();
    const elsewhere = await realtime.enable(canada.id, queueAccess(e.amazon.demoQueue.url));
    expect(elsewhere.ok || elsewhere.errors[0]!.message).to.match(/already sends the order changes of seller .* to another destination/);
    pause();
    expect((await realtime.enable(canada.id, { ...queueAccess(other.url), ...rotated })).ok).to.equal(true);
    // Off for one of them keeps the subscription the other still uses.
    pause();
    await realtime.disable(canada.id);
    expect(e.amazon.listSubscriptions()).to.have.length(1);

    // Off: the subscription is deleted at Amazon; the settings stay for next time.
    pause();
    await realtime.disable(e.store.id);
    expect(e.amazon.listSubscriptions()).to.deep.equal([]);
    expect(await realtime.get(e.store.id)).to.deep.include({ enabled: false, subscriptionId: null, queueUrl: other.url });
  });

  it('refuses, saving nothing: a FIFO queue, a queue Amazon may not send to, a wrong secret, an Inactive store', async () => {
    const fifo = e.amazon.createQueue('orders.fifo', { fifo: true });
    const closed = e.amazon.createQueue('closed-orders', { allowAmazonToSend: false });
    const refusals = [
      await realtime.enable(e.store.id, queueAccess(fifo.url)),
      await realtime.enable(e.store.id, queueAccess(closed.url)),
      await realtime.enable(e.store.id, { ...queueAccess(e.amazon.demoQueue.url), secretAccessKey: 'not-the-secret' }),
      await realtime.enable(e.store.id, { ...queueAccess(e.amazon.demoQueue.url), accessKeyId: 'lowercase' }),
    ];
    expect(refusals.map((r) => (r.ok ? 'saved' : r.errors.map((x) => x.field).join(',')))).to.deep.equal(['queue_url', 'queue_url', 'secret_access_key', 'access_key_id']);
    expect(refusals[0]!.ok || refusals[0]!.errors[0]!.message).to.match(/FIFO/);
    expect(refusals[1]!.ok || refusals[1]!.errors[0]!.message).to.match(/Amazon refused/);
    await e.stores.setStatus(e.store.id, 'inactive');
    const inactive = await realtime.enable(e.store.id, queueAccess(e.amazon.demoQueue.url));
    expect(inactive.ok || inactive.errors).to.deep.equal([{ field: 'store', message: 'the store is Inactive: make it Active first' }]);
    expect(await realtime.get(e.store.id)).to.equal(null);
    expect(e.amazon.listSubscriptions()).to.deep.equal([]);
  });

  it('imports a new order from its notification, without a sync, and counts it in the health', async () => {
    await e.product('MUG-RED', 10);
    await turnOn();
    startConsumer();
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '12.00' }] });
    e.advance(VERIFIED); // Amazon verifies the payment: Unshipped, one more notification
    await imported(orderId);
    expect(await hostOrders(orderId)).to.equal(1);
    expect(e.amazon.requests({ operation: 'searchOrders' })).to.have.length(0);
    const health = await eventually('both messages deleted', async () => {
      const n = await realtime.get(e.store.id);
      return n && n.messagesProcessed >= 2 && queueCounts(e.amazon.demoQueue.url).inFlight === 0 ? n : undefined;
    });
    expect(health.lastReceivedAt).to.not.equal(null);
    expect(health.lastLagMs).to.be.a('number');
    expect(queueCounts(e.amazon.demoQueue.url)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('duplicate and reordered deliveries: one host order, the newest status kept, every message deleted', async () => {
    await e.product('MUG-RED', 10);
    await turnOn();
    e.amazon.addFault({ operation: 'notifications', kind: 'duplicateNotifications', count: 10 });
    e.amazon.addFault({ operation: 'notifications', kind: 'reorderNotifications', count: 2 });
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '12.00' }] });
    e.advance(VERIFIED);
    // Pending then Unshipped, each twice, the newer first.
    expect(e.amazon.notificationsSent({ amazonOrderId: orderId }).map((n) => n.messagesSent)).to.deep.equal([2, 2]);
    startConsumer();
    await imported(orderId);
    await eventually('the queue empty', async () => queueCounts(e.amazon.demoQueue.url).visible + queueCounts(e.amazon.demoQueue.url).inFlight === 0);
    expect(await hostOrders(orderId)).to.equal(1);
    expect((await e.stored(orderId)).status).to.equal('Unshipped');
    expect(e.amazon.requests({ operation: 'getOrder' }).length).to.be.at.most(2);
  });

  it('leaves a message for no store here and a malformed one to the dead-letter policy, logging each', async () => {
    await turnOn();
    const sqs = new SQSClient({ region: e.amazon.sqsRegion, endpoint: e.amazon.sqsUrl, credentials: { ...DEMO_AWS } });
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: e.amazon.demoQueue.url, MessageBody: '{"NotificationType": "ORDER_CHANGE"' }));
    } finally {
      sqs.destroy();
    }
    startConsumer();
    const logged = await eventually('the refusal logged', async () => {
      const rows = await db().knex('amazon_api_error').where({ operation: 'ORDER_CHANGE' });
      return rows.length > 0 ? rows : undefined;
    });
    expect(logged[0]!.message).to.match(/not JSON/);
    await stopConsumers();
    // Never deleted: SQS hands it out again (and, with a redrive policy, moves it to the dead-letter queue).
    await eventually('the message visible again', async () => queueCounts(e.amazon.demoQueue.url).visible + queueCounts(e.amazon.demoQueue.url).inFlight === 1);
  });

  it('SQS down: the store shows the queue error and goes back on the 5-minute poll, which still imports', async () => {
    await e.product('MUG-RED', 10);
    await turnOn();
    await e.sync(); // a first poll: not due again for 30 minutes once a consumer reads the queue
    expect(await realtime.pollNotDue(), 'no process reads the queue yet').to.deep.equal(new Set());
    startConsumer();
    await eventually('the queue read', async () => (await realtime.get(e.store.id))?.lastReadAt ?? undefined);
    expect(await realtime.pollNotDue()).to.deep.equal(new Set([e.store.id]));
    // No reader for over 2 minutes (a crashed worker, no process running it): the 5-minute poll again.
    await stopConsumers();
    e.advance(3 * MINUTE);
    expect(await realtime.pollNotDue()).to.deep.equal(new Set());
    e.amazon.setSqsAvailable(false);
    startConsumer();
    const down = await eventually('the queue error recorded', async () => (await realtime.get(e.store.id))?.lastError ?? undefined);
    expect(down).to.match(/SQS is unavailable/);
    expect(await realtime.pollNotDue()).to.deep.equal(new Set());
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '12.00' }] });
    e.advance(VERIFIED + 3 * MINUTE); // past Amazon's two minutes before searchOrders sees the change
    await e.host.container.get(OrderSyncCron).run({ signal: new AbortController().signal });
    expect((await e.orders.find(e.store.id, orderId))?.importState).to.equal('imported');
    // Back up: the next read clears the error.
    e.amazon.setSqsAvailable(true);
    await eventually('the error cleared', async () => (await realtime.get(e.store.id))?.lastError === null);
  });

  it('getOrder throttled: the message comes back after its visibility timeout and the order arrives then', async () => {
    await e.product('MUG-RED', 10);
    const queue = e.amazon.createQueue('slow-orders', { visibilityTimeoutSeconds: 1 });
    await turnOn(queue);
    e.amazon.addFault({ operation: 'getOrder', kind: 'throttle', count: 20 });
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '12.00' }] });
    startConsumer();
    await eventually('a getOrder refused', async () => e.amazon.requests({ operation: 'getOrder' }).length >= 1);
    expect(await e.orders.find(e.store.id, orderId)).to.equal(null);
    await eventually('stored once the throttling ended', async () => {
      e.advance(5_000); // Amazon's time goes on: its getOrder bucket, emptied by the 429s, fills again
      return (await e.orders.find(e.store.id, orderId)) ?? undefined;
    }, 30_000);
  });

  it('a consumer that dies after getOrder and before the delete: handled again as a duplicate, one host order', async () => {
    await e.product('MUG-RED', 10);
    const queue = e.amazon.createQueue('crashy-orders', { visibilityTimeoutSeconds: 1 });
    await turnOn(queue);
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '12.00' }] });
    e.advance(VERIFIED);
    // The first delete never reaches SQS, as when the process dies right before it.
    const realDelete = SqsQueue.prototype.delete;
    let deletes = 0;
    sinon.stub(SqsQueue.prototype, 'delete').callsFake(async function (this: SqsQueue, handle: string) {
      if (++deletes === 1) throw new Error('killed before the delete');
      return realDelete.call(this, handle);
    });
    startConsumer();
    await imported(orderId);
    await eventually('the queue empty', async () => queueCounts(queue.url).visible + queueCounts(queue.url).inFlight === 0, 30_000);
    expect(deletes).to.be.greaterThan(2);
    expect(await hostOrders(orderId)).to.equal(1);
  });

  it('two consumers on one queue: every order imported exactly once', async () => {
    await e.product('MUG-RED', 100);
    await turnOn();
    startConsumer();
    startConsumer();
    const orderIds = Array.from({ length: 6 }, () => e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '5.00' }] }));
    e.advance(VERIFIED);
    for (const orderId of orderIds) await imported(orderId);
    await eventually('the queue empty', async () => queueCounts(e.amazon.demoQueue.url).visible + queueCounts(e.amazon.demoQueue.url).inFlight === 0);
    for (const orderId of orderIds) expect(await hostOrders(orderId), orderId).to.equal(1);
  });

  it('from the admin: the store\'s Real-time updates page turns them on against Amazon, and an order then arrives with no sync', async () => {
    await e.product('MUG-RED', 10);
    const created = await e.host.services.users.create('admin', 'admin-password', 'admin');
    if (!created.ok && !created.message.includes('already exists')) throw new Error(created.message);
    const running = await e.host.startAdmin({ port: 0 });
    try {
      const admin = new AdminClient(running.url);
      await admin.login('admin', 'admin-password');
      const page = `/admin/amazon/stores/${e.store.id}/realtime`;
      const saved = await admin.submit(page, page, {
        queue_url: e.amazon.demoQueue.url,
        region: e.amazon.sqsRegion,
        access_key_id: DEMO_AWS.accessKeyId,
        secret_access_key: DEMO_AWS.secretAccessKey,
        poll_interval_minutes: '30',
      });
      expect(saved.status, saved.text.slice(0, 500)).to.equal(303);
      const shown = await admin.get(saved.location!);
      expect(shown.text).to.contain('Real-time updates are on');
      expect(shown.text).to.not.contain(DEMO_AWS.secretAccessKey);
      expect(e.amazon.listSubscriptions()).to.have.length(1);
      startConsumer();
      const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1, price: '12.00' }], status: 'UNSHIPPED' });
      await imported(orderId);
      expect(e.amazon.requests({ operation: 'searchOrders' })).to.have.length(0);
      const dashboard = await admin.get(`/admin/amazon/stores/${e.store.id}`);
      expect(dashboard.text).to.match(/Real-time updates/);
    } finally {
      await running.close();
    }
  });
});
