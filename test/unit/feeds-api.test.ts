import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { AmazonApiError, AmazonNetworkError, AmazonRequestError, AmazonResponseError } from '../../src/amazon/errors.ts';
import { buildOrderAcknowledgementFeed, FEED_XML_CONTENT_TYPE } from '../../src/amazon/feed-xml.ts';
import { MAX_FEED_BYTES } from '../../src/amazon/feeds-api.ts';
import type { Feed } from '../../src/amazon/models.ts';
import { useFakeAmazon } from '../support/fake-amazon.ts';
import { SAMPLE_REPORT, testClient } from '../support/amazon-fixtures.ts';

const SIGNATURE = 'X-Amz-Signature=deadbeefSIGNATURE';

describe('Feeds API 2021-06-30', () => {
  const amazon = useFakeAmazon();

  const doneFeed = (over: Partial<Feed> = {}): Feed => ({
    feedId: 'FEED-1',
    feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA',
    marketplaceIds: ['ATVPDKIKX0DER'],
    createdTime: '2026-11-26T09:00:00Z',
    processingStatus: 'DONE',
    processingStartTime: '2026-11-26T09:01:00Z',
    processingEndTime: '2026-11-26T09:05:00Z',
    resultFeedDocumentId: 'RESULT-DOC',
    ...over,
  });

  it('submits a feed: document, upload with the same Content-Type and no token, then createFeed', async () => {
    amazon.on('POST', '/feeds/2021-06-30/documents', () => ({ status: 201, json: { feedDocumentId: 'DOC-1', url: `${amazon.url}/upload/DOC-1?${SIGNATURE}` } }));
    amazon.on('PUT', '/upload/DOC-1', () => ({ status: 200, raw: '' }));
    amazon.on('POST', '/feeds/2021-06-30/feeds', () => ({ status: 202, json: { feedId: 'FEED-1' } }));
    const { client, logger } = testClient(amazon.url);
    const feed = buildOrderAcknowledgementFeed('A1SELLER', [{ amazonOrderId: '111-1', items: [{ amazonOrderItemCode: 'I1', cancelReason: 'NoInventory' }] }]);

    const submitted = await client.feeds.submitFeed({ feedType: feed.feedType, marketplaceIds: ['ATVPDKIKX0DER'], content: feed.xml });
    expect(submitted).to.deep.equal({ feedId: 'FEED-1', feedDocumentId: 'DOC-1' });

    const [create, upload, createFeed] = amazon.requests;
    expect(JSON.parse(create.body)).to.deep.equal({ contentType: 'text/xml; charset=UTF-8' });
    expect(upload.method).to.equal('PUT');
    expect(upload.headers['content-type']).to.equal(FEED_XML_CONTENT_TYPE);
    expect(upload.headers['x-amz-access-token']).to.equal(undefined);
    expect(upload.rawQuery).to.equal(SIGNATURE);
    expect(upload.body).to.equal(feed.xml);
    expect(JSON.parse(createFeed.body)).to.deep.equal({ feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: ['ATVPDKIKX0DER'], inputFeedDocumentId: 'DOC-1' });
    expect(logger.text()).to.not.contain('deadbeef');
  });

  it('a refused upload is a typed error without the URL signature', async () => {
    amazon.on('PUT', '/upload/DOC-1', () => ({
      status: 403,
      raw: `<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><SignatureProvided>deadbeefSIGNATURE</SignatureProvided></Error>`,
    }));
    const { client, recorder, logger } = testClient(amazon.url);
    const error = await client.feeds.uploadFeedDocument(`${amazon.url}/upload/DOC-1?${SIGNATURE}`, '<x/>', FEED_XML_CONTENT_TYPE).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonApiError);
    expect(error).to.include({ status: 403, code: 'SignatureDoesNotMatch', operation: 'uploadFeedDocument' });
    expect(amazon.requests).to.have.length(1); // 4xx is not retried
    const everything = `${(error as Error).message} ${JSON.stringify(error)} ${JSON.stringify(recorder.entries)} ${logger.text()}`;
    expect(everything).to.not.contain('deadbeef');
  });

  it('refuses a feed over 10 MiB before anything is sent', async () => {
    const { client } = testClient(amazon.url);
    const error = await client.feeds.uploadFeedDocument(`${amazon.url}/upload/X`, 'x'.repeat(MAX_FEED_BYTES + 1), FEED_XML_CONTENT_TYPE).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonRequestError);
    expect(amazon.requests).to.have.length(0);
  });

  // A FATAL feed can have been processed in part; its report says which messages failed.
  for (const processingStatus of ['DONE', 'FATAL'] as const) {
    it(`gets a ${processingStatus} feed and downloads its gzipped processing report`, async () => {
      amazon.on('GET', '/feeds/2021-06-30/feeds/FEED-1', () => ({ status: 200, json: doneFeed({ processingStatus }) }));
      amazon.on('GET', '/feeds/2021-06-30/documents/RESULT-DOC', () => ({
        status: 200,
        json: { feedDocumentId: 'RESULT-DOC', url: `${amazon.url}/download/RESULT-DOC?${SIGNATURE}`, compressionAlgorithm: 'GZIP' },
      }));
      amazon.on('GET', '/download/RESULT-DOC', () => ({ status: 200, raw: gzipSync(Buffer.from(SAMPLE_REPORT)), headers: { 'content-type': 'text/xml' } }));
      const { client } = testClient(amazon.url);
      const feed = await client.feeds.getFeed('FEED-1');
      expect(feed.processingStatus).to.equal(processingStatus);
      const report = await client.feeds.getProcessingReport(feed);
      expect(report.summary.messagesWithError).to.equal(2);
      expect(report.results.map((r) => [r.messageId, r.resultMessageCode])).to.deep.equal([
        [2, '18028'],
        [3, '25'],
      ]);
      expect(amazon.requestsTo('/download/RESULT-DOC')[0].headers['x-amz-access-token']).to.equal(undefined);
    });
  }

  it('decodes a document by the charset of its Content-Type', async () => {
    const latin1 = Buffer.from('<r>Müller &amp; Søn</r>', 'latin1');
    amazon.on('GET', '/download/DOC', () => ({ status: 200, raw: latin1, headers: { 'content-type': 'text/xml; charset=ISO-8859-1' } }));
    const { client } = testClient(amazon.url);
    expect(await client.feeds.downloadFeedDocument({ feedDocumentId: 'DOC', url: `${amazon.url}/download/DOC` })).to.equal('<r>Müller &amp; Søn</r>');
  });

  it('a document marked GZIP that is not gzip is a typed error', async () => {
    amazon.on('GET', '/download/DOC', () => ({ status: 200, raw: 'plain text' }));
    const { client } = testClient(amazon.url);
    const error = await client.feeds.downloadFeedDocument({ feedDocumentId: 'DOC', url: `${amazon.url}/download/DOC`, compressionAlgorithm: 'GZIP' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonResponseError);
    expect((error as Error).message).to.contain('cannot be gunzipped');
  });

  it('a report that is not a processing report is a typed error', async () => {
    amazon.on('GET', '/feeds/2021-06-30/documents/RESULT-DOC', () => ({ status: 200, json: { feedDocumentId: 'RESULT-DOC', url: `${amazon.url}/download/RESULT-DOC` } }));
    amazon.on('GET', '/download/RESULT-DOC', () => ({ status: 200, raw: '<html>oops</html>' }));
    const { client } = testClient(amazon.url);
    const error = await client.feeds.getProcessingReport(doneFeed()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonResponseError);
  });

  it('only a DONE or FATAL feed with a result document has a report', async () => {
    const { client } = testClient(amazon.url);
    for (const feed of [doneFeed({ processingStatus: 'IN_PROGRESS' }), doneFeed({ processingStatus: 'CANCELLED' }), doneFeed({ resultFeedDocumentId: undefined })]) {
      expect(await client.feeds.getProcessingReport(feed).catch((e: unknown) => e)).to.be.instanceOf(AmazonRequestError);
    }
    expect(amazon.requests).to.have.length(0);
  });

  it('validates feed responses and createFeed input', async () => {
    amazon.on('GET', '/feeds/2021-06-30/feeds/FEED-2', () => ({ status: 200, json: { feedId: 'FEED-2', processingStatus: 'WAITING' }, offContract: true }));
    const { client } = testClient(amazon.url);
    const error = await client.feeds.getFeed('FEED-2').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonResponseError);
    expect((error as AmazonResponseError).issues.map((i) => i.path)).to.deep.equal(['createdTime', 'feedType', 'processingStatus']);
    for (const spec of [
      { feedType: '', marketplaceIds: ['M'], inputFeedDocumentId: 'D' },
      { feedType: 'T', marketplaceIds: [], inputFeedDocumentId: 'D' },
      { feedType: 'T', marketplaceIds: Array.from({ length: 26 }, () => 'M'), inputFeedDocumentId: 'D' },
      { feedType: 'T', marketplaceIds: ['M'], inputFeedDocumentId: '' },
    ]) {
      expect(await client.feeds.createFeed(spec).catch((e: unknown) => e)).to.be.instanceOf(AmazonRequestError);
    }
  });
});

describe('createFeed is never sent twice when Amazon may have processed it', () => {
  const amazon = useFakeAmazon();
  const spec = { feedType: 'POST_PAYMENT_ADJUSTMENT_DATA', marketplaceIds: ['ATVPDKIKX0DER'], inputFeedDocumentId: 'DOC-1' };
  const accepted = { status: 202, json: { feedId: 'FEED-1' } };

  it('a 429 is retried: the throttled request was not processed', async () => {
    amazon.sequence('POST', '/feeds/2021-06-30/feeds', [{ status: 429, json: { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' }] } }, accepted]);
    const { client } = testClient(amazon.url);
    expect(await client.feeds.createFeed(spec)).to.deep.equal({ feedId: 'FEED-1' });
    expect(amazon.requests).to.have.length(2);
  });

  it('a 5xx is not retried and is reported as outcome unknown', async () => {
    amazon.sequence('POST', '/feeds/2021-06-30/feeds', [{ status: 500, json: { errors: [{ code: 'InternalFailure', message: 'We encountered an internal error.' }] } }, accepted]);
    const { client, recorder } = testClient(amazon.url);
    const error = (await client.feeds.createFeed(spec).catch((e: unknown) => e)) as AmazonApiError;
    expect(error).to.be.instanceOf(AmazonApiError);
    expect(error.outcomeUnknown).to.equal(true);
    expect(error.message).to.contain('may have been processed');
    expect(amazon.requests).to.have.length(1);
    expect(recorder.entries).to.have.length(1);
  });

  it('a reset connection is not retried; a refused connection is', async () => {
    amazon.sequence('POST', '/feeds/2021-06-30/feeds', [{ status: 202, destroy: true }, accepted]);
    const reset = testClient(amazon.url);
    const error = await reset.client.feeds.createFeed(spec).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonNetworkError);
    expect((error as AmazonNetworkError).outcomeUnknown).to.equal(true);
    expect(amazon.requests).to.have.length(1);

    let calls = 0;
    const refusedOnce: typeof fetch = async (input, init) => {
      if (calls++ === 0) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
      return fetch(input, init);
    };
    const refused = testClient(amazon.url, { fetch: refusedOnce });
    expect(await refused.client.feeds.createFeed(spec)).to.deep.equal({ feedId: 'FEED-1' });
    expect(calls).to.equal(2);
  });

  it('idempotent reads are still retried on 5xx', async () => {
    amazon.sequence('GET', '/feeds/2021-06-30/feeds/FEED-1', [
      { status: 500, json: { errors: [{ code: 'InternalFailure', message: 'We encountered an internal error.' }] } },
      { status: 200, json: { feedId: 'FEED-1', feedType: 'T', createdTime: '2026-11-26T09:00:00Z', processingStatus: 'IN_QUEUE' } },
    ]);
    const { client } = testClient(amazon.url);
    expect((await client.feeds.getFeed('FEED-1')).processingStatus).to.equal('IN_QUEUE');
  });
});
