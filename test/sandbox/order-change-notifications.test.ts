import { DeleteQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { OPERATIONS, type NotificationRecord, type OrderDescription, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { MINUTE, SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';
import { control, drain, orderChangeErrors, sqsClient, subscribe } from './notification-support.ts';

const US = 'ATVPDKIKX0DER';

/** The ORDER_CHANGE documents in the demo queue now, oldest first, each checked against Amazon's model. */
async function received(sqs: SQSClient, queueUrl: string): Promise<Array<Record<string, any>>> {
  const messages = await drain(sqs, queueUrl);
  return messages.map((m) => {
    expect(orderChangeErrors(m.Body!), m.Body).to.deep.equal([]);
    return JSON.parse(m.Body!) as Record<string, any>;
  });
}

const change = (document: Record<string, any>) => document.Payload.OrderChangeNotification;

describe('Amazon sandbox: ORDER_CHANGE notifications to SQS', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;
  let sqs: SQSClient;
  let subscriptionId: string;
  let queueUrl: string;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox({ rateLimits: Object.fromEntries(OPERATIONS.map((op) => [op, { rate: 100, burst: 1000 }])) }));
    sqs = sqsClient(sandbox);
  });
  after(async () => {
    sqs.destroy();
    await sandbox.close();
  });
  beforeEach(async () => {
    sandbox.reset();
    api.forgetToken();
    queueUrl = sandbox.demoQueue.url;
    ({ subscriptionId } = await subscribe(api, sandbox.demoQueue.arn));
  });

  const place = (overrides: Record<string, unknown> = {}): OrderDescription => sandbox.placeOrder({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 2 }, { sku: 'TEE-BLK-M', qty: 1 }], ...overrides });

  it('sends one model-valid notification when an order is placed, and one when Amazon verifies it', async () => {
    const order = place();
    const [placed, ...rest] = await received(sqs, queueUrl);
    expect(rest).to.deep.equal([]);
    const now = sandbox.now().toISOString();
    expect(placed).to.include({ NotificationVersion: '1.0', NotificationType: 'ORDER_CHANGE', PayloadVersion: '1.0', EventTime: now });
    expect(change(placed)).to.deep.include({
      NotificationLevel: 'OrderLevel',
      SellerId: 'A1SANDBOXSELLER',
      AmazonOrderId: order.orderId,
      OrderChangeType: 'OrderStatusChange',
      OrderChangeTrigger: { TimeOfOrderChange: now, ChangeReason: 'Order Placed' },
    });
    expect(change(placed).Summary).to.deep.include({
      MarketplaceId: US,
      OrderStatus: 'Pending',
      PurchaseDate: now,
      DestinationPostalCode: null,
      FulfillmentType: 'MFN',
      OrderType: 'StandardOrder',
      NumberOfItemsShipped: 0,
      NumberOfItemsUnshipped: 3,
    });
    expect(change(placed).Summary.OrderItems).to.deep.equal([
      { OrderItemId: order.items[0]!.orderItemId, SellerSKU: 'MUG-BLUE-12OZ', SupplySourceId: null, Quantity: 2, QuantityShipped: 0, IsBuyerRequestedCancel: false },
      { OrderItemId: order.items[1]!.orderItemId, SellerSKU: 'TEE-BLK-M', SupplySourceId: null, Quantity: 1, QuantityShipped: 0, IsBuyerRequestedCancel: false },
    ]);
    expect(placed.NotificationMetadata).to.deep.include({ ApplicationId: sandbox.demoApp.applicationId, SubscriptionId: subscriptionId, PublishTime: now });
    expect(placed.NotificationMetadata.NotificationId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    sandbox.advanceClock(5 * MINUTE);
    const [verified, ...more] = await received(sqs, queueUrl);
    expect(more).to.deep.equal([]);
    expect(change(verified)).to.deep.include({ OrderChangeType: 'OrderStatusChange', OrderChangeTrigger: { TimeOfOrderChange: sandbox.now().toISOString(), ChangeReason: 'Payment Verified' } });
    expect(change(verified).Summary.OrderStatus).to.equal('Unshipped');
    // The address exists once Amazon verified the order.
    expect(change(verified).Summary.DestinationPostalCode).to.be.a('string').and.not.equal('');
    expect(change(verified).Summary).to.have.property('LatestShipDate');
    expect(verified.NotificationMetadata.NotificationId).to.not.equal(placed.NotificationMetadata.NotificationId);

    expect(sandbox.notificationsSent().map((n) => [n.amazonOrderId, n.orderChangeType, n.orderStatus, n.outcome, n.messagesSent])).to.deep.equal([
      [order.orderId, 'OrderStatusChange', 'Pending', 'sent', 1],
      [order.orderId, 'OrderStatusChange', 'Unshipped', 'sent', 1],
    ]);
  });

  it("sends a BuyerRequestedChange for a buyer's cancellation request, then the status changes of shipping and cancelling", async () => {
    const order = place({ status: 'UNSHIPPED' });
    await received(sqs, queueUrl);
    sandbox.cancelOrder(order.orderId, { by: 'BUYER', requestOnly: true, reason: 'Ordered by mistake' });
    const [requested] = await received(sqs, queueUrl);
    expect(change(requested)).to.deep.include({ OrderChangeType: 'BuyerRequestedChange', OrderChangeTrigger: { TimeOfOrderChange: sandbox.now().toISOString(), ChangeReason: 'Buyer Requested Cancel' } });
    expect(change(requested).Summary.OrderStatus).to.equal('Unshipped');
    expect(change(requested).Summary.OrderItems.map((i: { IsBuyerRequestedCancel: boolean }) => i.IsBuyerRequestedCancel)).to.deep.equal([true, true]);

    const shipped = place({ status: 'UNSHIPPED' });
    const res = await api.confirmShipment(shipped.orderId, {
      marketplaceId: US,
      packageDetail: { packageReferenceId: '1', carrierCode: 'UPS', trackingNumber: '1Z1', shipDate: sandbox.now().toISOString(), orderItems: [{ orderItemId: shipped.items[0]!.orderItemId, quantity: 2 }] },
    });
    expect(res.status).to.equal(204);
    const [, partly] = await received(sqs, queueUrl);
    expect(change(partly).OrderChangeTrigger.ChangeReason).to.equal('Shipment Confirmed');
    expect(change(partly).Summary).to.include({ OrderStatus: 'PartiallyShipped', NumberOfItemsShipped: 2, NumberOfItemsUnshipped: 1 });
    expect(change(partly).Summary.OrderItems.map((i: { OrderItemStatus: string }) => i.OrderItemStatus)).to.deep.equal(['Shipped', 'Unshipped']);

    sandbox.cancelOrder(order.orderId, { by: 'AMAZON' });
    const [cancelled] = await received(sqs, queueUrl);
    expect(change(cancelled)).to.deep.include({ AmazonOrderId: order.orderId, OrderChangeType: 'OrderStatusChange' });
    expect(change(cancelled).OrderChangeTrigger.ChangeReason).to.equal('Canceled by Amazon');
    expect(change(cancelled).Summary).to.include({ OrderStatus: 'Canceled', NumberOfItemsUnshipped: 0 });
    expect(change(cancelled).Summary).to.not.have.property('LatestDeliveryDate');
  });

  it('sends the seller\'s cancellation by feed, FBA shipping and a pre-order\'s release', async () => {
    const order = place({ status: 'UNSHIPPED' });
    const doc = await api.createFeedDocument({ contentType: 'text/xml; charset=UTF-8' });
    const xml = `<?xml version="1.0" encoding="UTF-8"?><AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1SANDBOXSELLER</MerchantIdentifier></Header><MessageType>OrderAcknowledgement</MessageType><Message><MessageID>1</MessageID><OrderAcknowledgement><AmazonOrderID>${order.orderId}</AmazonOrderID><StatusCode>Failure</StatusCode></OrderAcknowledgement></Message></AmazonEnvelope>`;
    expect((await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'text/xml; charset=UTF-8' }, body: xml })).status).to.equal(200);
    expect((await api.createFeed({ feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: [US], inputFeedDocumentId: doc.body.feedDocumentId })).status).to.equal(202);
    await received(sqs, queueUrl);
    sandbox.advanceClock(MINUTE);
    const [cancelled] = await received(sqs, queueUrl);
    expect(change(cancelled).OrderChangeTrigger.ChangeReason).to.equal('Canceled by Seller');
    expect(change(cancelled).Summary.OrderStatus).to.equal('Canceled');

    const fba = place({ fulfilledBy: 'AMAZON', status: 'UNSHIPPED', prime: true });
    const [fbaPlaced] = await received(sqs, queueUrl);
    expect(change(fbaPlaced).Summary).to.include({ FulfillmentType: 'AFN', OrderStatus: 'Unshipped', DestinationPostalCode: null });
    expect(change(fbaPlaced).Summary).to.not.have.any.keys('EarliestShipDate', 'LatestShipDate', 'EarliestDeliveryDate');
    expect(change(fbaPlaced).Summary.OrderPrograms).to.deep.equal(['Prime']);
    sandbox.advanceClock(30 * MINUTE);
    const [fbaShipped] = await received(sqs, queueUrl);
    expect(change(fbaShipped)).to.deep.include({ AmazonOrderId: fba.orderId });
    expect(change(fbaShipped).OrderChangeTrigger.ChangeReason).to.equal('Shipped by Amazon');
    expect(change(fbaShipped).Summary.OrderStatus).to.equal('Shipped');

    const preorder = place({ status: 'PENDING_AVAILABILITY', releaseTime: new Date(sandbox.clock.now() + 10 * MINUTE).toISOString() });
    const [announced] = await received(sqs, queueUrl);
    expect(change(announced).Summary).to.include({ OrderStatus: 'PendingAvailability', OrderType: 'Preorder' });
    sandbox.advanceClock(10 * MINUTE);
    const [released] = await received(sqs, queueUrl);
    expect(change(released)).to.deep.include({ AmazonOrderId: preorder.orderId });
    expect(change(released).OrderChangeTrigger.ChangeReason).to.equal('Preorder Released');
    expect(change(released).Summary).to.include({ OrderStatus: 'Pending', OrderType: 'Preorder' });
  });

  it("sends only the change types a subscription filters on, only for its seller's orders", async () => {
    const second = { ...sandbox.demoApp, refreshToken: 'Atzr|filtered-seller', sellerId: 'A4FILTERED' };
    sandbox.registerApp(second);
    const filteredQueue = sandbox.createQueue('filtered');
    const other = new SpApiTestClient(sandbox, second);
    const { subscriptionId: filtered } = await subscribe(other, filteredQueue.arn, ['BuyerRequestedChange']);

    const order = place({ sellerId: 'A4FILTERED', status: 'UNSHIPPED' });
    expect(await received(sqs, filteredQueue.url)).to.deep.equal([]);
    expect(await received(sqs, queueUrl)).to.deep.equal([]);
    sandbox.cancelOrder(order.orderId, { by: 'BUYER', requestOnly: true });
    const [requested, ...rest] = await received(sqs, filteredQueue.url);
    expect(rest).to.deep.equal([]);
    expect(change(requested)).to.include({ SellerId: 'A4FILTERED', OrderChangeType: 'BuyerRequestedChange' });
    expect(requested.NotificationMetadata.SubscriptionId).to.equal(filtered);
    expect(sandbox.notificationsSent({ sellerId: 'A4FILTERED' })).to.have.length(1);
    expect(sandbox.notificationsSent({ sellerId: sandbox.demoApp.sellerId })).to.deep.equal([]);
  });

  it('delivers while SQS is unavailable to its readers, and not to a queue deleted or closed to Amazon since', async () => {
    sandbox.setSqsAvailable(false);
    place();
    expect(sandbox.describeQueue(queueUrl).visible).to.equal(1);
    sandbox.setSqsAvailable(true);
    expect(await received(sqs, queueUrl)).to.have.length(1);

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: '' } }));
    const closed = place();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const gone = place();
    const outcomes = sandbox.notificationsSent({ outcome: 'undeliverable' }).map((n) => [n.amazonOrderId, n.problem]);
    expect(outcomes).to.deep.equal([
      [closed.orderId, `the policy of ${sandbox.listDestinations()[0]!.arn} does not let Amazon send`],
      [gone.orderId, `the queue ${sandbox.listDestinations()[0]!.arn} does not exist`],
    ]);
  });

  describe('faults', () => {
    const ids = (records: NotificationRecord[]) => records.map((r) => r.amazonOrderId);

    it('duplicateNotifications: two SQS messages with the same body and NotificationId', async () => {
      sandbox.addFault({ operation: 'notifications', kind: 'duplicateNotifications' });
      const order = place();
      const messages = await drain(sqs, queueUrl);
      expect(messages).to.have.length(2);
      expect(messages[0]!.Body).to.equal(messages[1]!.Body);
      expect(messages[0]!.MessageId).to.not.equal(messages[1]!.MessageId);
      expect(JSON.parse(messages[0]!.Body!).Payload.OrderChangeNotification.AmazonOrderId).to.equal(order.orderId);
      expect(sandbox.notificationsSent()[0]).to.include({ outcome: 'sent', messagesSent: 2 });
      expect(sandbox.notificationsSent()[0]!.faults).to.deep.equal(['duplicateNotifications']);
      // Used up: the next change is sent once.
      sandbox.advanceClock(5 * MINUTE);
      expect(await drain(sqs, queueUrl)).to.have.length(1);
    });

    it('dropNotifications: the notification is never sent; later ones are', async () => {
      sandbox.addFault({ operation: 'notifications', kind: 'dropNotifications', count: 1 });
      const order = place();
      expect(await drain(sqs, queueUrl)).to.deep.equal([]);
      expect(sandbox.notificationsSent()[0]).to.include({ amazonOrderId: order.orderId, outcome: 'dropped', messagesSent: 0 });
      sandbox.advanceClock(5 * MINUTE);
      const [verified] = await received(sqs, queueUrl);
      expect(change(verified).Summary.OrderStatus).to.equal('Unshipped');
    });

    it('reorderNotifications (count): holds the next notifications and sends them newest first when the last is held', async () => {
      sandbox.addFault({ operation: 'notifications', kind: 'reorderNotifications' });
      const first = place();
      expect(await drain(sqs, queueUrl)).to.deep.equal([]);
      expect(sandbox.notificationsSent({ outcome: 'held' })).to.have.length(1);
      const second = place();
      // Default count 2: the second one releases both, newest first; one message per receive shows the order.
      const order: string[] = [];
      for (let i = 0; i < 2; i++) {
        const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }));
        order.push(JSON.parse(answer.Messages![0]!.Body!).Payload.OrderChangeNotification.AmazonOrderId);
      }
      expect(order).to.deep.equal([second.orderId, first.orderId]);
      expect(ids(sandbox.notificationsSent({ outcome: 'sent' }))).to.deep.equal([first.orderId, second.orderId]);
      // The fault is used up.
      const third = place();
      expect(JSON.parse((await drain(sqs, queueUrl))[0]!.Body!).Payload.OrderChangeNotification.AmazonOrderId).to.equal(third.orderId);
    });

    it('reorderNotifications (durationMs): holds every notification of the window and sends them newest first when it ends', async () => {
      sandbox.addFault({ operation: 'notifications', kind: 'reorderNotifications', durationMs: MINUTE });
      const placed = [place(), place(), place()];
      expect(await drain(sqs, queueUrl)).to.deep.equal([]);
      sandbox.advanceClock(MINUTE);
      const documents = await received(sqs, queueUrl);
      expect(documents.map((d) => change(d).AmazonOrderId)).to.deep.equal(placed.map((o) => o.orderId).reverse());
      expect(sandbox.notificationsSent({ outcome: 'held' })).to.deep.equal([]);
    });

    it('releases held notifications on request and when faults are cleared, over HTTP too', async () => {
      const fault = await control(sandbox, 'POST', '/faults', { operation: 'notifications', kind: 'reorderNotifications', count: 10 });
      expect(fault.status).to.equal(201);
      const [a, b] = [place(), place()];
      expect((await control(sandbox, 'GET', '/notifications?outcome=held')).body.notifications).to.have.length(2);
      expect((await control(sandbox, 'POST', '/notifications/release')).body).to.deep.equal({ released: 2 });
      expect((await received(sqs, queueUrl)).map((d) => change(d).AmazonOrderId)).to.deep.equal([b.orderId, a.orderId]);

      const c = place();
      expect(await drain(sqs, queueUrl)).to.deep.equal([]);
      expect((await control(sandbox, 'DELETE', `/faults/${fault.body.fault.id}`)).status).to.equal(200);
      expect((await received(sqs, queueUrl)).map((d) => change(d).AmazonOrderId)).to.deep.equal([c.orderId]);

      sandbox.addFault({ operation: 'notifications', kind: 'reorderNotifications', count: 5 });
      const d = place();
      sandbox.clearFaults();
      expect((await received(sqs, queueUrl)).map((x) => change(x).AmazonOrderId)).to.deep.equal([d.orderId]);
    });

    it('takes notification faults only for the notifications target', async () => {
      expect(() => sandbox.addFault({ operation: 'getOrder', kind: 'dropNotifications' })).to.throw(/notifications/);
      expect(() => sandbox.addFault({ operation: 'notifications', kind: 'error500' })).to.throw(/notifications/);
      expect((await control(sandbox, 'POST', '/faults', { operation: '*', kind: 'duplicateNotifications' })).status).to.equal(400);
    });
  });

  it('shows notifications, destinations and subscriptions on the control API', async () => {
    const order = place();
    const listed = (await control(sandbox, 'GET', `/notifications?amazonOrderId=${order.orderId}`)).body.notifications;
    expect(listed).to.have.length(1);
    expect(listed[0]).to.include({ amazonOrderId: order.orderId, subscriptionId, outcome: 'sent', queueArn: sandbox.demoQueue.arn, orderStatus: 'Pending' });
    expect(orderChangeErrors(listed[0].body)).to.deep.equal([]);
    const subscriptions = (await control(sandbox, 'GET', '/notifications/subscriptions')).body;
    expect(subscriptions.destinations.map((d: { arn: string }) => d.arn)).to.deep.equal([sandbox.demoQueue.arn]);
    expect(subscriptions.subscriptions.map((s: { subscriptionId: string }) => s.subscriptionId)).to.deep.equal([subscriptionId]);
    const index = (await control(sandbox, 'GET', '')).body;
    expect(index).to.include({ sqsUrl: sandbox.sqsUrl, sqsRegion: 'us-east-1' });
    expect(index.demoAws.accessKeyId).to.equal('AKIASANDBOXDEMO00001');
    expect(index.demoQueue).to.deep.equal(sandbox.demoQueue);
    sandbox.reset();
    expect(sandbox.notificationsSent()).to.deep.equal([]);
    expect(sandbox.listSubscriptions()).to.deep.equal([]);
  });
});
