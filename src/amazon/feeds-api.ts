/**
 * Feeds API 2021-06-30: how cancels, refunds and bulk shipments reach Amazon.
 *   createFeedDocument (201) -> PUT the content to the presigned URL with exactly the same
 *   Content-Type -> createFeed (202) -> poll getFeed until DONE/CANCELLED/FATAL ->
 *   getFeedDocument(resultFeedDocumentId) -> download (gunzip when GZIP) -> processing report.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { AmazonRequestError, AmazonResponseError } from './errors.ts';
import type { SpApiHttp } from './http.ts';
import { FEED_XML_CONTENT_TYPE } from './feed-xml.ts';
import type { CreateFeedDocumentResponse, CreateFeedSpecification, Feed, FeedDocument } from './models.ts';
import { parseProcessingReport, XmlParseError, type ProcessingReport } from './processing-report.ts';
import {
  parseCreateFeedDocumentResponse,
  parseCreateFeedResponse,
  parseFeed,
  parseFeedDocument,
  isBlank,
  type ResponseContext,
} from './validate.ts';

const gunzipAsync = promisify(gunzip);

/** Amazon's limit for one feed document. */
export const MAX_FEED_BYTES = 10 * 1024 * 1024;

/** Processing statuses after which a feed will not change any more. */
export const FINAL_FEED_STATUSES: ReadonlySet<Feed['processingStatus']> = new Set(['DONE', 'CANCELLED', 'FATAL']);

export interface SubmitFeedInput {
  feedType: string;
  marketplaceIds: string[];
  content: string;
  /** Defaults to "text/xml; charset=UTF-8". */
  contentType?: string;
  feedOptions?: Record<string, string>;
}

export interface SubmittedFeed {
  feedId: string;
  feedDocumentId: string;
}

export class FeedsApi {
  constructor(private readonly http: SpApiHttp) {}

  /** Step 1: a document slot and its presigned upload URL (valid 5 minutes). */
  async createFeedDocument(contentType: string): Promise<CreateFeedDocumentResponse> {
    if (isBlank(contentType)) throw new AmazonRequestError('createFeedDocument: contentType is required', 'createFeedDocument', 'contentType');
    const response = await this.http.send({ operation: 'createFeedDocument', method: 'POST', path: '/feeds/2021-06-30/documents', body: { contentType } });
    return this.http.validated(response, parseCreateFeedDocumentResponse, 'createFeedDocument');
  }

  /** Step 2: the content, to the presigned URL, with exactly the Content-Type given in step 1. */
  async uploadFeedDocument(url: string, content: string, contentType: string): Promise<void> {
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > MAX_FEED_BYTES) {
      throw new AmazonRequestError(`uploadFeedDocument: the feed is ${bytes} bytes, over Amazon's 10 MiB limit; split it`, 'uploadFeedDocument', 'content');
    }
    await this.http.transfer({ operation: 'uploadFeedDocument', method: 'PUT', url, body: content, contentType });
  }

  /** Step 3: asks Amazon to process the uploaded document. */
  async createFeed(specification: CreateFeedSpecification): Promise<{ feedId: string }> {
    const { feedType, marketplaceIds, inputFeedDocumentId, feedOptions } = specification;
    if (isBlank(feedType)) throw new AmazonRequestError('createFeed: feedType is required', 'createFeed', 'feedType');
    if (!Array.isArray(marketplaceIds) || marketplaceIds.length < 1 || marketplaceIds.length > 25 || marketplaceIds.some(isBlank)) {
      throw new AmazonRequestError('createFeed: marketplaceIds needs 1 to 25 non-empty ids', 'createFeed', 'marketplaceIds');
    }
    if (isBlank(inputFeedDocumentId)) throw new AmazonRequestError('createFeed: inputFeedDocumentId is required', 'createFeed', 'inputFeedDocumentId');
    const body: CreateFeedSpecification = { feedType, marketplaceIds: [...marketplaceIds], inputFeedDocumentId, ...(feedOptions ? { feedOptions } : {}) };
    // Not idempotent: a feed created twice is processed twice (a refund would be paid twice).
    const response = await this.http.send({ operation: 'createFeed', method: 'POST', path: '/feeds/2021-06-30/feeds', body, idempotent: false });
    const { feedId } = await this.http.validated(response, parseCreateFeedResponse, 'createFeed');
    return { feedId };
  }

  /** Steps 1-3 in one: returns the feed id to poll. */
  async submitFeed(input: SubmitFeedInput): Promise<SubmittedFeed> {
    const contentType = input.contentType ?? FEED_XML_CONTENT_TYPE;
    const document = await this.createFeedDocument(contentType);
    await this.uploadFeedDocument(document.url, input.content, contentType);
    const { feedId } = await this.createFeed({
      feedType: input.feedType,
      marketplaceIds: input.marketplaceIds,
      inputFeedDocumentId: document.feedDocumentId,
      ...(input.feedOptions ? { feedOptions: input.feedOptions } : {}),
    });
    return { feedId, feedDocumentId: document.feedDocumentId };
  }

  /** Step 4: the feed's processing status (poll until FINAL_FEED_STATUSES has it). */
  async getFeed(feedId: string): Promise<Feed> {
    if (feedId.trim() === '') throw new AmazonRequestError('getFeed: feedId is required', 'getFeed', 'feedId');
    const response = await this.http.send({ operation: 'getFeed', method: 'GET', path: `/feeds/2021-06-30/feeds/${encodeURIComponent(feedId)}` });
    return this.http.validated(response, parseFeed, 'getFeed');
  }

  /** Step 5a: where to download a document (e.g. the result of a processed feed). */
  async getFeedDocument(feedDocumentId: string): Promise<FeedDocument> {
    if (feedDocumentId.trim() === '') throw new AmazonRequestError('getFeedDocument: feedDocumentId is required', 'getFeedDocument', 'feedDocumentId');
    const response = await this.http.send({
      operation: 'getFeedDocument',
      method: 'GET',
      path: `/feeds/2021-06-30/documents/${encodeURIComponent(feedDocumentId)}`,
    });
    return this.http.validated(response, parseFeedDocument, 'getFeedDocument');
  }

  /** Step 5b: the document's text, gunzipped when Amazon compressed it, decoded by its charset. */
  async downloadFeedDocument(document: FeedDocument): Promise<string> {
    const { body, contentType } = await this.http.transfer({ operation: 'downloadFeedDocument', method: 'GET', url: document.url });
    let bytes = body;
    if (document.compressionAlgorithm === 'GZIP') {
      try {
        bytes = await gunzipAsync(body);
      } catch (error) {
        throw new AmazonResponseError(
          `Invalid feed document ${document.feedDocumentId}: marked GZIP but cannot be gunzipped (${error instanceof Error ? error.message : String(error)})`,
          'downloadFeedDocument',
          null,
          null,
          '',
          [{ path: '', message: 'not gzip' }],
        );
      }
    }
    return decode(bytes, contentType);
  }

  /**
   * Step 5 for a finished feed: downloads and parses its processing report. A FATAL feed may have
   * been processed in part (the model says so) and then has a report too: it tells which messages.
   */
  async getProcessingReport(feed: Feed): Promise<ProcessingReport> {
    if ((feed.processingStatus !== 'DONE' && feed.processingStatus !== 'FATAL') || feed.resultFeedDocumentId === undefined) {
      throw new AmazonRequestError(
        `getProcessingReport: feed ${feed.feedId} is ${feed.processingStatus}${feed.resultFeedDocumentId === undefined ? ' without a result document' : ''}; only a DONE or FATAL feed with a result document has a report`,
        'getFeedDocument',
        'resultFeedDocumentId',
      );
    }
    const document = await this.getFeedDocument(feed.resultFeedDocumentId);
    const text = await this.downloadFeedDocument(document);
    try {
      return parseProcessingReport(text);
    } catch (error) {
      if (!(error instanceof XmlParseError)) throw error;
      throw new AmazonResponseError(
        `Invalid processing report for feed ${feed.feedId} (document ${document.feedDocumentId}): ${error.message}`,
        'downloadFeedDocument',
        null,
        null,
        '',
        [{ path: '', message: error.message }],
      );
    }
  }

}

/** Decodes by the charset of the Content-Type (reports are not always UTF-8); UTF-8 otherwise. */
function decode(bytes: Buffer, contentType: string | null): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? '')?.[1];
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown label: fall back to UTF-8 below.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}
