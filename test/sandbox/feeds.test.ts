import zlib from 'node:zlib';
import { expect } from 'chai';
import type { OrderDescription, RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';

const US = 'ATVPDKIKX0DER';
const DE = 'A1PA6795UKMFR9';
const XML_TYPE = 'text/xml; charset=UTF-8';

function envelope(messageType: string, messages: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1SANDBOXSELLER</MerchantIdentifier></Header>
  <MessageType>${messageType}</MessageType>
  ${messages.map((m, i) => `<Message><MessageID>${i + 1}</MessageID>${m}</Message>`).join('\n  ')}
</AmazonEnvelope>`;
}

const cancel = (orderId: string, items: Array<[string, string]> = []) =>
  `<OrderAcknowledgement><AmazonOrderID>${orderId}</AmazonOrderID><StatusCode>Failure</StatusCode>${items
    .map(([code, reason]) => `<Item><AmazonOrderItemCode>${code}</AmazonOrderItemCode><CancelReason>${reason}</CancelReason></Item>`)
    .join('')}</OrderAcknowledgement>`;

const refund = (orderId: string, itemCode: string, components: Array<[string, string, string]>) =>
  `<OrderAdjustment><AmazonOrderID>${orderId}</AmazonOrderID><AdjustedItem><AmazonOrderItemCode>${itemCode}</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason><ItemPriceAdjustments>${components
    .map(([type, amount, currency]) => `<Component><Type>${type}</Type><Amount currency="${currency}">${amount}</Amount></Component>`)
    .join('')}</ItemPriceAdjustments></AdjustedItem></OrderAdjustment>`;

interface ReportResult {
  messageId: string;
  code: string;
  description: string;
  orderId?: string;
}

function parseReport(xml: string): { processed: number; successful: number; withError: number; results: ReportResult[] } {
  const num = (tag: string) => Number(new RegExp(`<${tag}>(\\d+)</${tag}>`).exec(xml)![1]);
  const results = [...xml.matchAll(/<Result>([\s\S]*?)<\/Result>/g)].map(([, r]) => ({
    messageId: /<MessageID>(.*?)<\/MessageID>/.exec(r!)![1]!,
    code: /<ResultMessageCode>(.*?)<\/ResultMessageCode>/.exec(r!)![1]!,
    description: /<ResultDescription>([\s\S]*?)<\/ResultDescription>/.exec(r!)![1]!,
    orderId: /<AmazonOrderID>(.*?)<\/AmazonOrderID>/.exec(r!)?.[1],
  }));
  return { processed: num('MessagesProcessed'), successful: num('MessagesSuccessful'), withError: num('MessagesWithError'), results };
}

describe('Amazon sandbox: Feeds API 2021-06-30', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox({ feedTimings: { queueMs: 10_000, processingMs: 20_000 } }));
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  async function upload(content: string, contentType = XML_TYPE): Promise<string> {
    const doc = await api.createFeedDocument({ contentType });
    expect(doc.status).to.equal(201);
    const put = await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': contentType }, body: content });
    expect(put.status, await put.clone().text()).to.equal(200);
    return doc.body.feedDocumentId;
  }

  async function submit(feedType: string, xml: string, marketplaceIds = [US]): Promise<string> {
    const inputFeedDocumentId = await upload(xml);
    const created = await api.createFeed({ feedType, marketplaceIds, inputFeedDocumentId });
    expect(created.status).to.equal(202);
    return created.body.feedId;
  }

  /** Runs the feed to its end and returns the gunzipped processing report. */
  async function finish(feedId: string): Promise<{ feed: any; report: string }> {
    sandbox.advanceClock(30_000);
    const feed = (await api.getFeed(feedId)).body;
    const doc = await api.getFeedDocument(feed.resultFeedDocumentId);
    expect(doc.body.compressionAlgorithm).to.equal('GZIP');
    const download = await fetch(doc.body.url);
    expect(download.status).to.equal(200);
    const report = zlib.gunzipSync(Buffer.from(await download.arrayBuffer())).toString('utf8');
    return { feed, report };
  }

  function shippedOrder(items: Array<{ sku: string; qty: number; price?: string }>, marketplaceId = US): OrderDescription {
    const order = sandbox.placeOrder({ marketplaceId, items, status: 'UNSHIPPED' });
    const book = sandbox.book;
    const state = book.get(order.orderId)!;
    for (const item of state.items) item.quantityShipped = item.quantityOrdered;
    book.touch(state, sandbox.clock.now());
    return sandbox.getOrder(order.orderId)!;
  }

  it('takes a cancellation feed end to end: upload, IN_QUEUE, IN_PROGRESS, DONE, gzipped report with per-message errors', async () => {
    const whole = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
    const partly = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }], status: 'UNSHIPPED' });
    const shipped = shippedOrder([{ sku: 'C', qty: 1 }]);
    const xml = envelope('OrderAcknowledgement', [
      cancel(whole.orderId),
      cancel(partly.orderId, [[partly.items[1]!.orderItemId, 'NoInventory']]),
      cancel(shipped.orderId, [[shipped.items[0]!.orderItemId, 'NoInventory']]),
      cancel('111-0000000-0000000'),
      cancel(partly.orderId, [['00000000000000', 'NoInventory']]),
      '<OrderAcknowledgement><StatusCode>Failure</StatusCode></OrderAcknowledgement>',
    ]);
    const feedId = await submit('POST_ORDER_ACKNOWLEDGEMENT_DATA', xml);
    const queued = (await api.getFeed(feedId)).body;
    expect(queued).to.include({ feedId, feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', processingStatus: 'IN_QUEUE' });
    expect(queued).to.not.have.property('resultFeedDocumentId');
    sandbox.advanceClock(10_000);
    expect((await api.getFeed(feedId)).body.processingStatus).to.equal('IN_PROGRESS');
    expect(sandbox.getOrder(whole.orderId)!.status).to.equal('UNSHIPPED');

    const { feed, report } = await finish(feedId);
    expect(feed.processingStatus).to.equal('DONE');
    expect(feed).to.include.keys('processingStartTime', 'processingEndTime', 'resultFeedDocumentId');
    expect(report).to.include('<MessageType>ProcessingReport</MessageType>').and.include(`<DocumentTransactionID>${feedId}</DocumentTransactionID>`);
    const parsed = parseReport(report);
    expect(parsed).to.deep.include({ processed: 6, successful: 2, withError: 4 });
    expect(parsed.results.map((r) => [r.messageId, r.code, r.orderId ?? null])).to.deep.equal([
      ['3', '18030', shipped.orderId],
      ['4', '18028', '111-0000000-0000000'],
      ['5', '18029', partly.orderId],
      ['6', '5002', null],
    ]);

    const wholeAfter = (await api.getOrder(whole.orderId, { includedData: ['FULFILLMENT', 'CANCELLATION'] })).body.order;
    expect(wholeAfter.fulfillment.fulfillmentStatus).to.equal('CANCELLED');
    expect(wholeAfter.orderItems[0].cancellation.cancellationExecution.cancelledBy).to.equal('MERCHANT');
    const partlyAfter = sandbox.getOrder(partly.orderId)!;
    expect(partlyAfter.status).to.equal('UNSHIPPED');
    expect(partlyAfter.items.map((i) => i.quantityCancelled)).to.deep.equal([0, 2]);
    expect(partlyAfter.items[1]!.cancellationExecution).to.deep.equal({ cancelledBy: 'MERCHANT', cancelReason: 'NoInventory' });
    expect(sandbox.getOrder(shipped.orderId)!.status).to.equal('SHIPPED');
  });

  it('records refunds, rejects over-refunds (also across feeds), wrong currency and unshipped orders', async () => {
    const order = shippedOrder([{ sku: 'A', qty: 2, price: '10.00' }], DE);
    const item = order.items[0]!;
    expect([item.itemTax, item.shipping, item.shippingTax]).to.deep.equal(['3.80', '3.99', '0.76']);
    const open = sandbox.placeOrder({ marketplaceId: DE, items: [{ sku: 'B', qty: 1 }], status: 'UNSHIPPED' });
    const xml = envelope('OrderAdjustment', [
      refund(order.orderId, item.orderItemId, [['Principal', '10.00', 'EUR'], ['Tax', '1.90', 'EUR']]),
      refund(order.orderId, item.orderItemId, [['Shipping', '4.00', 'EUR']]),
      refund(order.orderId, item.orderItemId, [['Principal', '1.00', 'USD']]),
      refund(open.orderId, open.items[0]!.orderItemId, [['Principal', '1.00', 'EUR']]),
      refund(order.orderId, item.orderItemId, [['Principal', '1.001', 'EUR']]),
      refund(order.orderId, item.orderItemId, [['Principal', '5.00', 'EUR'], ['Principal', '5.00', 'EUR']]),
    ]);
    const updatedBefore = { refunded: sandbox.getOrder(order.orderId)!.lastUpdatedTime, refused: sandbox.getOrder(open.orderId)!.lastUpdatedTime };
    const { report } = await finish(await submit('POST_PAYMENT_ADJUSTMENT_DATA', xml, [DE]));
    // A refund is a change a lastUpdatedAfter search must see; a refused one changes nothing.
    expect(Date.parse(sandbox.getOrder(order.orderId)!.lastUpdatedTime)).to.be.greaterThan(Date.parse(updatedBefore.refunded));
    expect(sandbox.getOrder(open.orderId)!.lastUpdatedTime).to.equal(updatedBefore.refused);
    const parsed = parseReport(report);
    expect(parsed).to.deep.include({ processed: 6, successful: 1, withError: 5 });
    expect(parsed.results.map((r) => [r.messageId, r.code])).to.deep.equal([
      ['2', '18031'],
      ['3', '18032'],
      ['4', '18030'],
      ['5', '5002'],
      ['6', '5002'],
    ]);
    expect(parsed.results[0]!.description).to.include('charged 3.99 EUR');
    const refunds = sandbox.getOrder(order.orderId)!.refunds;
    expect(refunds).to.have.length(1);
    expect(refunds[0]).to.deep.include({ orderItemId: item.orderItemId, reason: 'CustomerReturn', messageId: '1' });
    expect(refunds[0]!.components).to.deep.equal({ Principal: '10.00', Shipping: '0.00', Tax: '1.90', ShippingTax: '0.00' });

    // The rest of the principal is refundable exactly once more; one cent more is not.
    const second = parseReport(
      (
        await finish(
          await submit(
            'POST_PAYMENT_ADJUSTMENT_DATA',
            envelope('OrderAdjustment', [refund(order.orderId, item.orderItemId, [['Principal', '10.00', 'EUR']]), refund(order.orderId, item.orderItemId, [['Principal', '0.01', 'EUR']])]),
            [DE],
          ),
        )
      ).report,
    );
    expect(second.results.map((r) => [r.messageId, r.code])).to.deep.equal([['2', '18031']]);
    expect(sandbox.getOrder(order.orderId)!.refunds).to.have.length(2);
  });

  it('ships through POST_ORDER_FULFILLMENT_DATA with carrier and tracking', async () => {
    const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }], status: 'UNSHIPPED' });
    const [a, b] = order.items;
    const fulfil = (items: string, id = '') => `<OrderFulfillment><AmazonOrderID>${order.orderId}</AmazonOrderID>${id}<FulfillmentDate>${new Date(sandbox.clock.now()).toISOString()}</FulfillmentDate>
      <FulfillmentData><CarrierCode>USPS</CarrierCode><ShippingMethod>Priority Mail</ShippingMethod><ShipperTrackingNumber>9400111899223100012345</ShipperTrackingNumber></FulfillmentData>${items}</OrderFulfillment>`;
    const xml = envelope('OrderFulfillment', [
      fulfil(`<Item><AmazonOrderItemCode>${a!.orderItemId}</AmazonOrderItemCode><Quantity>1</Quantity></Item>`, '<MerchantFulfillmentID>7</MerchantFulfillmentID>'),
      fulfil(`<Item><AmazonOrderItemCode>${b!.orderItemId}</AmazonOrderItemCode><Quantity>5</Quantity></Item>`),
      fulfil(''),
    ]);
    const { report } = await finish(await submit('POST_ORDER_FULFILLMENT_DATA', xml));
    expect(parseReport(report).results.map((r) => [r.messageId, r.code])).to.deep.equal([['2', '18033']]);
    const shipped = (await api.getOrder(order.orderId, { includedData: ['FULFILLMENT', 'PACKAGES'] })).body.order;
    expect(shipped.fulfillment.fulfillmentStatus).to.equal('SHIPPED');
    expect(shipped.packages.map((p: any) => [p.packageReferenceId, p.carrier, p.trackingNumber, p.packageItems])).to.deep.equal([
      ['7', 'USPS', '9400111899223100012345', [{ orderItemId: a!.orderItemId, quantity: 1 }]],
      ['8', 'USPS', '9400111899223100012345', [{ orderItemId: a!.orderItemId, quantity: 1 }, { orderItemId: b!.orderItemId, quantity: 1 }]],
    ]);
  });

  it('makes a feed FATAL for a malformed document, a wrong MessageType or no upload', async () => {
    const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
    const broken = await finish(await submit('POST_ORDER_ACKNOWLEDGEMENT_DATA', envelope('OrderAcknowledgement', [cancel(order.orderId)]).replace('</Header>', '</Head>')));
    expect(broken.feed.processingStatus).to.equal('FATAL');
    expect(parseReport(broken.report).results[0]).to.deep.include({ messageId: '0', code: '5000' });
    expect(parseReport(broken.report).results[0]!.description).to.match(/Line \d+, Column \d+/);

    const wrongType = await finish(await submit('POST_ORDER_ACKNOWLEDGEMENT_DATA', envelope('OrderAdjustment', [cancel(order.orderId)])));
    expect(wrongType.feed.processingStatus).to.equal('FATAL');
    expect(parseReport(wrongType.report).results[0]!.description).to.match(/MessageType/);

    const doc = await api.createFeedDocument({ contentType: XML_TYPE });
    const created = await api.createFeed({ feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: [US], inputFeedDocumentId: doc.body.feedDocumentId });
    expect((await finish(created.body.feedId)).feed.processingStatus).to.equal('FATAL');
    expect(sandbox.getOrder(order.orderId)!.status).to.equal('UNSHIPPED');
  });

  it('behaves like S3 for uploads: content type bound to the signature, URLs valid 5 minutes', async () => {
    const doc = await api.createFeedDocument({ contentType: XML_TYPE });
    expect(doc.body.url).to.match(/X-Amz-Expires=300/);
    const wrongType = await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
    expect(wrongType.status).to.equal(403);
    expect(await wrongType.text()).to.include('<Code>SignatureDoesNotMatch</Code>');
    const tampered = await fetch(doc.body.url.replace(/X-Amz-Signature=(.)/, (_m: string, c: string) => `X-Amz-Signature=${c === 'a' ? 'b' : 'a'}`), {
      method: 'PUT',
      headers: { 'content-type': XML_TYPE },
      body: '<a/>',
    });
    expect(tampered.status).to.equal(403);
    sandbox.advanceClock(300_001);
    const late = await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': XML_TYPE }, body: '<a/>' });
    expect(late.status).to.equal(403);
    expect(await late.text()).to.include('Request has expired');

    const input = await upload('<AmazonEnvelope/>');
    const read = await api.getFeedDocument(input);
    expect(read.body).to.not.have.property('compressionAlgorithm');
    expect(await (await fetch(read.body.url)).text()).to.equal('<AmazonEnvelope/>');
  });

  it('validates createFeed, getFeed and getFeedDocument input', async () => {
    const documentId = await upload(envelope('OrderAcknowledgement', []));
    const bad: Array<Record<string, unknown>> = [
      { marketplaceIds: [US], inputFeedDocumentId: documentId },
      { feedType: 'POST_PRODUCT_DATA', marketplaceIds: [US], inputFeedDocumentId: documentId },
      { feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: [], inputFeedDocumentId: documentId },
      { feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: ['NOPE'], inputFeedDocumentId: documentId },
      { feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: [US], inputFeedDocumentId: 'amzn1.tortuga.4.na.unknown' },
    ];
    for (const body of bad) {
      const res = await api.createFeed(body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.errors[0].code).to.equal('InvalidInput');
    }
    expect((await api.createFeedDocument({})).status).to.equal(400);
    expect((await api.createFeedDocument('contentType=text/xml', { headers: { 'content-type': 'text/plain' } })).status).to.equal(415);
    expect((await api.getFeed('12345')).status).to.equal(404);
    expect((await api.getFeed('not-a-feed-id')).status).to.equal(400);
    expect((await api.getFeedDocument('amzn1.tortuga.4.na.unknown')).status).to.equal(404);
    expect((await api.getFeedDocument(documentId, { query: { enableContentEncodingUrlHeader: 'yes' } })).status).to.equal(400);
  });

  it('cancels a feed only while IN_QUEUE; a cancelled feed is never applied', async () => {
    const order = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
    const feedId = await submit('POST_ORDER_ACKNOWLEDGEMENT_DATA', envelope('OrderAcknowledgement', [cancel(order.orderId)]));
    const cancelled = await api.cancelFeed(feedId);
    expect(cancelled.status).to.equal(200);
    expect(cancelled.text).to.equal('');
    sandbox.advanceClock(60_000);
    const feed = (await api.getFeed(feedId)).body;
    expect(feed.processingStatus).to.equal('CANCELLED');
    expect(feed).to.not.have.property('resultFeedDocumentId');
    expect(sandbox.getOrder(order.orderId)!.status).to.equal('UNSHIPPED');
    expect((await api.cancelFeed(feedId)).status).to.equal(400);
  });

  it("keeps feeds and documents to their seller", async () => {
    const other = { clientId: 'amzn1.application-oa2-client.other', clientSecret: 's', refreshToken: 'Atzr|other', sellerId: 'A2OTHER' };
    sandbox.registerApp(other);
    const otherApi = new SpApiTestClient(sandbox, other);
    const feedId = await submit('POST_ORDER_ACKNOWLEDGEMENT_DATA', envelope('OrderAcknowledgement', [cancel('111-0000000-0000000')]));
    expect((await otherApi.getFeed(feedId)).status).to.equal(404);
    const documentId = await upload('<x/>');
    expect((await otherApi.createFeed({ feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: [US], inputFeedDocumentId: documentId })).status).to.equal(400);
  });
});
