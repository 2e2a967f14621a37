/**
 * ORDER_CHANGE notifications, one message at a time, on both databases: the order a notification
 * names is fetched from the Amazon sandbox with getOrder, stored by the sync's path and imported;
 * duplicates, reordering, a consumer that died before recording, Amazon throttling, a busy store
 * and messages that can never be handled each get the answer that keeps the queue right.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, emptyOrderTables, startE2E, type E2E } from '../support/e2e.ts';
import { NOTIFICATION_TABLE, OrderChangeHandler } from '../../src/notifications/order-change-handler.ts';
import { StoreLease } from '../../src/sync/store-lease.ts';
import { NotificationPurge } from '../../src/notifications/notification-purge.ts';

/** Past Amazon's verification delay: Pending orders are Unshipped by then. */
const VERIFIED = 6 * MINUTE;

/** An SQS message body as Amazon sends it for `orderId` (the model's shape, fields the module does not read included). */
function notification(e: E2E, orderId: string, overrides: { sellerId?: string; notificationId?: string; marketplaceId?: string } = {}): string {
  const now = e.amazon.now().toISOString();
  return JSON.stringify({
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: now,
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: overrides.sellerId ?? e.amazon.demoApp.sellerId,
        AmazonOrderId: orderId,
        OrderChangeType: 'OrderStatusChange',
        OrderChangeTrigger: { TimeOfOrderChange: now, ChangeReason: 'Order status changed' },
        Summary: {
          MarketplaceId: overrides.marketplaceId ?? 'ATVPDKIKX0DER',
          OrderStatus: 'Unshipped',
          PurchaseDate: now,
          DestinationPostalCode: '98101',
          FulfillmentType: 'MFN',
          OrderType: 'StandardOrder',
          OrderItems: [{ OrderItemId: '1', SellerSKU: 'MUG-RED', SupplySourceId: null, Quantity: 1 }],
        },
      },
    },
    NotificationMetadata: {
      ApplicationId: 'amzn1.sp.solution.sandbox',
      SubscriptionId: 'subscription-1',
      PublishTime: now,
      NotificationId: overrides.notificationId ?? crypto.randomUUID(),
    },
  });
}

describeEachDatabase('ORDER_CHANGE notifications', (db) => {
  let e: E2E;
  let handler: OrderChangeHandler;
  eachTestE2E(db, (started) => {
    e = started;
    handler = e.host.container.get(OrderChangeHandler);
  });
  const hostOrders = async (orderId: string) => Number((await db().knex('host_order').where({ external_reference: orderId }).count({ n: '*' }).first())?.n);
  const getOrderCalls = () => e.amazon.requests({ operation: 'getOrder' }).length;
  const handledRows = async () => Number((await db().knex(NOTIFICATION_TABLE).count({ n: '*' }).first())?.n);

  it('stores and imports the order a notification names, and deletes a duplicate delivery without asking Amazon again', async () => {
    await e.product('MUG-RED', 10);
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 2, price: '19.99' }], buyerName: 'Jane Buyer' });
    e.advance(VERIFIED);
    const message = notification(e, orderId);

    const first = await handler.handle(message);
    expect(first).to.deep.include({ result: 'handled', delete: true, stored: 'new' });
    expect(await e.stored(orderId)).to.include({ status: 'Unshipped', importState: 'imported' });
    expect(await hostOrders(orderId)).to.equal(1);
    expect(getOrderCalls()).to.equal(1);

    // At least once: the same message again.
    expect(await handler.handle(message)).to.deep.include({ result: 'duplicate', delete: true });
    expect(getOrderCalls()).to.equal(1);
    expect(await hostOrders(orderId)).to.equal(1);
    expect(await handledRows()).to.equal(1);
  });

  it('fetches the order as it is now whatever order the notifications come in: an older one changes nothing', async () => {
    await e.product('MUG-RED', 10);
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    e.advance(MINUTE);
    const older = notification(e, orderId);
    e.shipOnAmazon(orderId);
    e.advance(MINUTE);
    const newer = notification(e, orderId);

    expect(await handler.handle(newer)).to.deep.include({ result: 'handled', stored: 'new' });
    expect((await e.stored(orderId)).status).to.be.oneOf(['Shipped', 'Completed']);
    expect(await handler.handle(older)).to.deep.include({ result: 'handled', stored: 'unchanged' });
    expect((await e.stored(orderId)).status).to.be.oneOf(['Shipped', 'Completed']);
    expect(await hostOrders(orderId)).to.equal(1);
  });

  it('a consumer that died after storing, before it recorded the message: handled again, still one host order', async () => {
    await e.product('MUG-RED', 10);
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    const message = notification(e, orderId);
    expect(await handler.handle(message)).to.deep.include({ result: 'handled', stored: 'new' });
    // What a crash between storing and recording leaves: the order stored and imported, the message not recorded.
    await db().knex(NOTIFICATION_TABLE).delete();
    expect(await handler.handle(message)).to.deep.include({ result: 'handled', delete: true, stored: 'unchanged' });
    expect(await hostOrders(orderId)).to.equal(1);
    expect(await handledRows()).to.equal(1);
  });

  it('forgets handled notifications once SQS can no longer deliver them again (14 days)', async () => {
    const now = e.clock.now().getTime();
    const row = (id: string, daysAgo: number) => ({
      notification_id: id, store_id: e.store.id, amazon_order_id: '111-0000000-0000000', change_type: 'OrderStatusChange',
      published_at: new Date(now - daysAgo * 86_400_000), handled_at: new Date(now - daysAgo * 86_400_000),
    });
    await db().knex(NOTIFICATION_TABLE).insert([row('old', 14.01), row('recent', 13.99), row('today', 0)]);
    expect(await e.host.container.get(NotificationPurge).purge()).to.equal(1);
    expect((await db().knex(NOTIFICATION_TABLE).pluck('notification_id')).sort()).to.deep.equal(['recent', 'today']);
  });

  it('leaves the message while the sync holds the store, without asking Amazon', async () => {
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    const lease = e.host.container.get(StoreLease);
    expect(await lease.acquire(e.store.id, 'a running sync')).to.equal(true);
    expect(await handler.handle(notification(e, orderId))).to.deep.include({ result: 'retry', delete: false });
    expect(getOrderCalls()).to.equal(0);
    // Waiting for it: asked again while the wait lasts; the store's next message then leaves at once.
    const asked = sinon.spy(lease, 'acquire');
    expect(await handler.handle(notification(e, orderId), { leaseWaitMs: 300 })).to.deep.include({ result: 'retry', delete: false });
    expect(asked.callCount).to.be.greaterThan(1);
    asked.resetHistory();
    expect(await handler.handle(notification(e, orderId), { leaseWaitMs: 300 })).to.deep.include({ result: 'retry', delete: false });
    expect(asked.callCount).to.equal(1);
    await lease.giveBack(e.store.id, 'a running sync');
    // Free again: handled.
    expect(await handler.handle(notification(e, orderId), { leaseWaitMs: 300 })).to.deep.include({ result: 'handled', delete: true });
  });

  it('deletes a notification for an Inactive store: its sync reads the change when it is Active again', async () => {
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    await e.stores.setStatus(e.store.id, 'inactive');
    expect(await handler.handle(notification(e, orderId))).to.deep.include({ result: 'ignored', delete: true, reason: 'the store is Inactive' });
    expect(getOrderCalls()).to.equal(0);
  });

  it('never deletes what it cannot handle: malformed messages and sellers it has no store for go to the error log', async () => {
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    const valid = JSON.parse(notification(e, orderId));
    const without = (path: string[]) => {
      const copy = structuredClone(valid);
      let at = copy;
      for (const key of path.slice(0, -1)) at = at[key];
      delete at[path[path.length - 1]!];
      return JSON.stringify(copy);
    };
    const cases: Array<[string, string]> = [
      ['{"NotificationType": "ORDER_CHA', 'the message is not JSON'],
      [JSON.stringify({ ...valid, NotificationType: 'ANY_OFFER_CHANGED' }), 'NotificationType'],
      [without(['Payload', 'OrderChangeNotification', 'AmazonOrderId']), 'Payload.OrderChangeNotification.AmazonOrderId: required property missing'],
      [without(['NotificationMetadata', 'NotificationId']), 'NotificationMetadata.NotificationId: required property missing'],
      [JSON.stringify({ ...valid, EventTime: 'yesterday' }), 'EventTime'],
      [notification(e, `${orderId}${'9'.repeat(40)}`), 'longer than an Amazon order id'],
      [notification(e, orderId, { sellerId: 'A0UNKNOWNSELLER' }), 'no store here sells as A0UNKNOWNSELLER'],
    ];
    for (const [body, expected] of cases) {
      const outcome = await handler.handle(body);
      expect(outcome, expected).to.deep.include({ result: 'rejected', delete: false });
      expect(outcome.result === 'rejected' && outcome.reason, expected).to.include(expected);
    }
    const logged = await db().knex('amazon_api_error').where({ code: 'InvalidNotification' }).select('message');
    expect(logged).to.have.length(cases.length);
    // The queue hands it out again until its dead-letter policy moves it: the errors log has it once.
    expect(await handler.handle(cases[0]![0], { firstDelivery: false })).to.deep.include({ result: 'rejected', delete: false });
    expect(await db().knex('amazon_api_error').where({ code: 'InvalidNotification' }).select('message')).to.have.length(cases.length);
    // The seller's other marketplaces come too (Amazon's subscription covers them all): deleted, nothing logged.
    expect(await handler.handle(notification(e, orderId, { marketplaceId: 'A1PA6795UKMFR9' }))).to.deep.include({
      result: 'ignored', delete: true, storeId: null, reason: 'no store here sells in marketplace A1PA6795UKMFR9',
    });
    expect(await db().knex('amazon_api_error').where({ code: 'InvalidNotification' })).to.have.length(cases.length);
    expect(getOrderCalls()).to.equal(0);
    expect(await e.orders.find(e.store.id, orderId)).to.equal(null);
    expect(await handledRows()).to.equal(0);
  });
});

describeEachDatabase('ORDER_CHANGE notifications while Amazon throttles getOrder', (db) => {
  let e: E2E;
  // Waits for Amazon's rate limit bounded below getOrder's 2 s a token: a throttled call is refused at once.
  beforeEach(async () => {
    e = await startE2E(db(), { integratedAt: new Date('2026-11-26T09:00:00Z'), clientTuning: { maxRateLimitWaitMs: 1000 } });
  });
  afterEach(async () => {
    await e.close();
    await emptyOrderTables(db().knex);
  });

  it('leaves the message for the queue, and handles it when it comes back', async () => {
    const handler = e.host.container.get(OrderChangeHandler);
    await e.product('MUG-RED', 10);
    const orderId = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED' });
    const message = notification(e, orderId);
    e.amazon.addFault({ operation: 'getOrder', kind: 'throttle', count: 1 });
    const throttled = await handler.handle(message);
    expect(throttled).to.deep.include({ result: 'retry', delete: false });
    expect(throttled.result === 'retry' && throttled.reason).to.match(/rate limit for sp-api:\w+:getOrder would need a wait/);
    expect(await e.orders.find(e.store.id, orderId)).to.equal(null);
    expect(Number((await db().knex(NOTIFICATION_TABLE).count({ n: '*' }).first())?.n)).to.equal(0);

    // The queue delivers it again after its visibility timeout, when a token is back.
    e.advance(MINUTE);
    expect(await handler.handle(message)).to.deep.include({ result: 'handled', delete: true, stored: 'new' });
    expect((await e.hostOrder(orderId))?.externalReference).to.equal(orderId);
  });
});
