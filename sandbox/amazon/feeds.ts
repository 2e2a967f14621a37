/**
 * Feeds API 2021-06-30 and the S3-like document store behind it.
 * - createFeedDocument -> 201 {feedDocumentId, url}: a presigned PUT URL valid 5 minutes (sandbox
 *   clock) and bound to the content type; a PUT with another Content-Type is S3's 403
 *   SignatureDoesNotMatch, an expired URL 403 AccessDenied.
 * - createFeed -> 202 {feedId}; the feed is IN_QUEUE, then IN_PROGRESS, then DONE (or FATAL) by the
 *   clock; it is applied to the orders when it completes and gets a resultFeedDocumentId.
 * - getFeedDocument -> {feedDocumentId, url, compressionAlgorithm: "GZIP"} for processing reports;
 *   the URL serves the gzipped report.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { isoMillis, type SandboxClock } from './clock.ts';
import { FEED_MESSAGE_TYPES, isFeedType, processFeed, renderProcessingReport, type FeedOutcome, type FeedType } from './feed-processing.ts';
import { invalidInput, isRecord, jsonResponse, notFound, readJsonBody, type Caller, type SandboxRequest, type SandboxResponse } from './http.ts';
import { findMarketplace } from './marketplaces.ts';
import type { OrderBook } from './order-book.ts';
import type { SeededRandom } from './random.ts';
import { el, renderXml } from '../../src/amazon/xml.ts';

export const PRESIGNED_URL_TTL_SECONDS = 300;
export const DOCUMENT_BUCKET = 'sandbox-feed-documents';

export interface FeedTimings {
  /** Time a feed waits IN_QUEUE. */
  queueMs: number;
  /** Time a feed spends IN_PROGRESS before DONE/FATAL. */
  processingMs: number;
}

export const DEFAULT_FEED_TIMINGS: Readonly<FeedTimings> = Object.freeze({ queueMs: 15_000, processingMs: 30_000 });

type ProcessingStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'FATAL' | 'CANCELLED';

interface FeedDocumentState {
  id: string;
  sellerId: string;
  kind: 'input' | 'result';
  contentType: string;
  content?: Buffer;
  compressed: boolean;
  createdAt: number;
}

export interface FeedState {
  feedId: string;
  sellerId: string;
  feedType: FeedType;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  createdTime: number;
  processingStatus: ProcessingStatus;
  processingStartTime?: number;
  processingEndTime?: number;
  resultFeedDocumentId?: string;
  outcome?: FeedOutcome;
  report?: string;
  /** A messageError fault hit its createFeed: the first message is rejected when it is processed. */
  rejectFirstMessage?: boolean;
  cancelTasks: Array<() => void>;
}

export class FeedsApi {
  private documents = new Map<string, FeedDocumentState>();
  private feeds = new Map<string, FeedState>();
  private readonly secret = crypto.randomBytes(32);

  constructor(
    private readonly clock: SandboxClock,
    private readonly book: OrderBook,
    private readonly rng: SeededRandom,
    private readonly baseUrl: () => string,
    public timings: FeedTimings = { ...DEFAULT_FEED_TIMINGS },
  ) {}

  reset(): void {
    for (const feed of this.feeds.values()) for (const cancel of feed.cancelTasks) cancel();
    this.documents.clear();
    this.feeds.clear();
  }

  list(): FeedState[] {
    return [...this.feeds.values()];
  }

  get(feedId: string): FeedState | undefined {
    return this.feeds.get(feedId);
  }

  /** A messageError fault: the feed's first message will be rejected (not applied). False for a feed that is gone or done. */
  rejectFirstMessage(feedId: string): boolean {
    const feed = this.feeds.get(feedId);
    if (!feed || feed.processingStatus !== 'IN_QUEUE') return false;
    feed.rejectFirstMessage = true;
    return true;
  }

  /** `POST /feeds/2021-06-30/documents` */
  createFeedDocument(req: SandboxRequest, caller: Caller): SandboxResponse {
    const parsed = readJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
    if (!isRecord(body) || typeof body.contentType !== 'string' || body.contentType.trim() === '') {
      return invalidInput('contentType is required.', 'contentType');
    }
    const id = `amzn1.tortuga.4.na.${crypto.randomUUID()}.T${this.rng.alphanumeric(14)}`;
    this.documents.set(id, { id, sellerId: caller.sellerId, kind: 'input', contentType: body.contentType, compressed: false, createdAt: this.clock.now() });
    return jsonResponse(201, { feedDocumentId: id, url: this.presign('PUT', id, body.contentType) });
  }

  /** `POST /feeds/2021-06-30/feeds` */
  createFeed(req: SandboxRequest, caller: Caller): SandboxResponse {
    const parsed = readJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
    if (!isRecord(body)) return invalidInput('The request body must be a CreateFeedSpecification object.');
    const { feedType, marketplaceIds, inputFeedDocumentId, feedOptions } = body;
    if (typeof feedType !== 'string' || feedType === '') return invalidInput('feedType is required.', 'feedType');
    if (!isFeedType(feedType)) {
      return invalidInput(`Unsupported feedType ${feedType}. The sandbox processes ${Object.keys(FEED_MESSAGE_TYPES).join(', ')}.`, 'feedType');
    }
    if (!Array.isArray(marketplaceIds) || marketplaceIds.length < 1 || marketplaceIds.length > 25 || marketplaceIds.some((m) => typeof m !== 'string')) {
      return invalidInput('marketplaceIds must list 1 to 25 marketplace ids.', 'marketplaceIds');
    }
    const unknown = (marketplaceIds as string[]).find((m) => !findMarketplace(m));
    if (unknown !== undefined) return invalidInput(`Invalid marketplaceId ${unknown}.`, 'marketplaceIds');
    if (typeof inputFeedDocumentId !== 'string' || inputFeedDocumentId === '') return invalidInput('inputFeedDocumentId is required.', 'inputFeedDocumentId');
    const document = this.documents.get(inputFeedDocumentId);
    if (!document || document.sellerId !== caller.sellerId || document.kind !== 'input') {
      return invalidInput(`Invalid inputFeedDocumentId ${inputFeedDocumentId}.`, 'inputFeedDocumentId');
    }
    if (feedOptions !== undefined && (!isRecord(feedOptions) || Object.values(feedOptions).some((v) => typeof v !== 'string'))) {
      return invalidInput('feedOptions must be an object of string values.', 'feedOptions');
    }
    let feedId: string;
    do feedId = `5${this.rng.digits(10)}`;
    while (this.feeds.has(feedId));
    const createdTime = this.clock.now();
    const feed: FeedState = {
      feedId,
      sellerId: caller.sellerId,
      feedType,
      marketplaceIds: [...(marketplaceIds as string[])],
      inputFeedDocumentId,
      createdTime,
      processingStatus: 'IN_QUEUE',
      cancelTasks: [],
    };
    this.feeds.set(feedId, feed);
    const startAt = createdTime + this.timings.queueMs;
    feed.cancelTasks.push(this.clock.schedule(startAt, (at) => this.start(feed, at)));
    feed.cancelTasks.push(this.clock.schedule(startAt + this.timings.processingMs, (at) => this.finish(feed, at)));
    return jsonResponse(202, { feedId });
  }

  /** `GET /feeds/2021-06-30/feeds/{feedId}` */
  getFeed(req: SandboxRequest, caller: Caller): SandboxResponse {
    const feed = this.findFeed(req, caller);
    if ('status' in feed) return feed;
    return jsonResponse(200, {
      feedId: feed.feedId,
      feedType: feed.feedType,
      marketplaceIds: [...feed.marketplaceIds],
      createdTime: isoMillis(feed.createdTime),
      processingStatus: feed.processingStatus,
      ...(feed.processingStartTime !== undefined ? { processingStartTime: isoMillis(feed.processingStartTime) } : {}),
      ...(feed.processingEndTime !== undefined ? { processingEndTime: isoMillis(feed.processingEndTime) } : {}),
      ...(feed.resultFeedDocumentId !== undefined ? { resultFeedDocumentId: feed.resultFeedDocumentId } : {}),
    });
  }

  /** `DELETE /feeds/2021-06-30/feeds/{feedId}`: only IN_QUEUE feeds can be cancelled. */
  cancelFeed(req: SandboxRequest, caller: Caller): SandboxResponse {
    const feed = this.findFeed(req, caller);
    if ('status' in feed) return feed;
    if (feed.processingStatus !== 'IN_QUEUE') return invalidInput(`Feed ${feed.feedId} is ${feed.processingStatus}; only IN_QUEUE feeds can be cancelled.`, feed.feedId);
    for (const cancel of feed.cancelTasks) cancel();
    feed.processingStatus = 'CANCELLED';
    feed.processingEndTime = this.clock.now();
    return { status: 200 };
  }

  /** `GET /feeds/2021-06-30/documents/{feedDocumentId}` */
  getFeedDocument(req: SandboxRequest, caller: Caller): SandboxResponse {
    for (const name of new Set(req.query.keys())) {
      if (name !== 'enableContentEncodingUrlHeader') return invalidInput(`Unknown query parameter: ${name}.`, name);
      const value = req.query.getAll(name);
      if (value.length !== 1 || (value[0] !== 'true' && value[0] !== 'false')) return invalidInput('enableContentEncodingUrlHeader must be true or false.', name);
    }
    const id = req.params.feedDocumentId!;
    const document = this.documents.get(id);
    if (!document || document.sellerId !== caller.sellerId) return notFound(`Feed document ${id} was not found.`, id);
    return jsonResponse(200, {
      feedDocumentId: document.id,
      url: this.presign('GET', document.id),
      ...(document.compressed ? { compressionAlgorithm: 'GZIP' } : {}),
    });
  }

  /** The presigned URLs: `PUT` uploads an input document, `GET` downloads any document. */
  s3(req: SandboxRequest): SandboxResponse {
    const id = req.params.key!;
    const q = req.query;
    const amzDate = q.get('X-Amz-Date');
    const expires = q.get('X-Amz-Expires');
    const signature = q.get('X-Amz-Signature');
    if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !amzDate || !expires || !signature) {
      return s3Error(403, 'AccessDenied', 'Query-string authentication requires the X-Amz-Algorithm, X-Amz-Date, X-Amz-Expires and X-Amz-Signature parameters.', req.requestId);
    }
    if (req.method !== 'PUT' && req.method !== 'GET') return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', req.requestId);
    const contentType = req.method === 'PUT' ? String(req.headers['content-type'] ?? '') : undefined;
    const expected = this.sign(req.method, id, amzDate, expires, contentType);
    if (!timingSafeEqual(expected, signature)) {
      return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', req.requestId);
    }
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === null || this.clock.now() > signedAt + Number(expires) * 1000) return s3Error(403, 'AccessDenied', 'Request has expired', req.requestId);
    const document = this.documents.get(id);
    if (!document) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', req.requestId);
    if (req.method === 'PUT') {
      if (document.kind !== 'input') return s3Error(403, 'AccessDenied', 'Access Denied', req.requestId);
      document.content = Buffer.from(req.body);
      return { status: 200, headers: { etag: `"${crypto.createHash('md5').update(req.body).digest('hex')}"` } };
    }
    if (document.content === undefined) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', req.requestId);
    return { status: 200, headers: { 'content-type': document.compressed ? 'binary/octet-stream' : document.contentType }, raw: document.content };
  }

  private findFeed(req: SandboxRequest, caller: Caller): FeedState | SandboxResponse {
    const feedId = req.params.feedId!;
    if (!/^\d+$/.test(feedId)) return invalidInput(`Invalid feedId ${feedId}.`, 'feedId');
    const feed = this.feeds.get(feedId);
    if (!feed || feed.sellerId !== caller.sellerId) return notFound(`Feed ${feedId} was not found.`, feedId);
    return feed;
  }

  private start(feed: FeedState, at: number): void {
    if (feed.processingStatus !== 'IN_QUEUE') return;
    feed.processingStatus = 'IN_PROGRESS';
    feed.processingStartTime = at;
  }

  private finish(feed: FeedState, at: number): void {
    if (feed.processingStatus !== 'IN_PROGRESS') return;
    const input = this.documents.get(feed.inputFeedDocumentId);
    const outcome = processFeed(
      { book: this.book, feedId: feed.feedId, sellerId: feed.sellerId, marketplaceIds: feed.marketplaceIds, at, rejectFirstMessage: feed.rejectFirstMessage === true },
      feed.feedType,
      input?.content,
    );
    const report = renderProcessingReport(feed.sellerId, feed.feedId, outcome);
    const resultId = `amzn1.tortuga.4.na.${crypto.randomUUID()}.T${this.rng.alphanumeric(14)}`;
    this.documents.set(resultId, {
      id: resultId,
      sellerId: feed.sellerId,
      kind: 'result',
      contentType: 'text/xml; charset=UTF-8',
      content: zlib.gzipSync(Buffer.from(report, 'utf8')),
      compressed: true,
      createdAt: at,
    });
    feed.outcome = outcome;
    feed.report = report;
    feed.resultFeedDocumentId = resultId;
    feed.processingStatus = outcome.fatal ? 'FATAL' : 'DONE';
    feed.processingEndTime = at;
  }

  private presign(method: 'PUT' | 'GET', id: string, contentType?: string): string {
    const amzDate = formatAmzDate(this.clock.now());
    const expires = String(PRESIGNED_URL_TTL_SECONDS);
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `SANDBOXAKID/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': expires,
      'X-Amz-SignedHeaders': method === 'PUT' ? 'content-type;host' : 'host',
      'X-Amz-Signature': this.sign(method, id, amzDate, expires, contentType),
    });
    return `${this.baseUrl()}/s3/${DOCUMENT_BUCKET}/${encodeURIComponent(id)}?${query}`;
  }

  private sign(method: string, id: string, amzDate: string, expires: string, contentType?: string): string {
    return crypto.createHmac('sha256', this.secret).update([method, id, amzDate, expires, contentType ?? ''].join('\n')).digest('hex');
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(ms) ? ms : null;
}

/** S3 failing on its side (an 'uploadFeedDocument' fault): 500 InternalError or 503 SlowDown. */
export function s3ServerFailure(status: 500 | 503, requestId: string): SandboxResponse {
  return status === 500
    ? s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.', requestId)
    : s3Error(503, 'SlowDown', 'Please reduce your request rate.', requestId);
}

function s3Error(status: number, code: string, message: string, requestId: string): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    raw: renderXml(el('Error', el('Code', code), el('Message', message), el('RequestId', requestId)), 'compact'),
  };
}
