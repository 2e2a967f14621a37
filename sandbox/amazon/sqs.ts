/**
 * The AWS side of notifications: an SQS-compatible endpoint on a node:http listener of its own,
 * where Amazon's notifications land and a consumer reads them with AWS's own client
 * (@aws-sdk/client-sqs: SigV4, the JSON protocol). The queues are the npm package local-aws-sqs;
 * this module wraps it where it parts from real SQS:
 *
 * - Credentials: SQS checks SigV4. A request must be signed (Authorization AWS4-HMAC-SHA256) with
 *   a key the sandbox knows (DEMO_AWS, or one a test added) for us-east-1/sqs, within 15 minutes of
 *   the real time, and its signature must verify; otherwise SQS's JSON error (403
 *   UnrecognizedClientException for an unknown key, InvalidSignatureException for a bad signature).
 * - Long polling: local-aws-sqs waits until it has MaxNumberOfMessages or the whole WaitTimeSeconds
 *   passed, and hands a message whose visibility timeout ran out during the wait out again in the
 *   same answer. Real SQS answers as soon as one message is there: every queue's `receive` polls the
 *   library without waiting (about every 60 ms, real time) until something is there or the wait is
 *   over, and never returns one message twice. A long poll whose client hung up stops polling.
 * - ApproximateNumberOfMessages: the library counts in-flight messages in it; SQS counts the
 *   visible ones only (in-flight ones are ApproximateNumberOfMessagesNotVisible).
 * - ReceiveMessage's MessageSystemAttributeNames (what the current SDK sends; AttributeNames is
 *   deprecated) is ignored by the library: it is passed on as AttributeNames.
 * - Unavailable (`setAvailable(false)`): every request is answered 503 with SQS's JSON
 *   ServiceUnavailable error (the SDK retries, then fails). Amazon still delivers to the queues.
 *
 * Time here is real time, not the sandbox clock: SQS is AWS's, not part of Amazon's sandbox.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createRequestHandler } from 'local-aws-sqs';
import { isRecord, listen } from './http.ts';

type SqsService = ReturnType<typeof createRequestHandler>['service'];
type Queue = SqsService['Queues'][number];

export const DEFAULT_SQS_PORT = 4611;
export const SQS_REGION = 'us-east-1';
export const SQS_ACCOUNT_ID = '123456789012';
/** Amazon's SP-API notifications account: a destination queue must let it SendMessage. */
export const AMAZON_NOTIFICATIONS_PRINCIPAL = 'arn:aws:iam::437568002678:root';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The AWS identity every sandbox knows, owner of its queues (account 123456789012). Not frozen:
 * the SDK marks the credentials object it is given (`credentials: DEMO_AWS` works as is).
 */
export const DEMO_AWS: Readonly<AwsCredentials & { accountId: string }> = {
  accessKeyId: 'AKIASANDBOXDEMO00001',
  secretAccessKey: 'sandboxDemoSecretAccessKeyNotReal0000001',
  accountId: SQS_ACCOUNT_ID,
};

/** The queue every sandbox starts with (and gets again at reset), Amazon allowed to send. */
export const DEMO_QUEUE_NAME = 'sandbox-order-notifications';

export interface CreateQueueOptions {
  /** Default 30 s, as SQS. */
  visibilityTimeoutSeconds?: number;
  /** A FIFO queue (its name must end with .fifo). Amazon does not deliver to these. */
  fifo?: boolean;
  /** Add the policy statement that lets Amazon's notifications account send (default true). */
  allowAmazonToSend?: boolean;
}

/** A queue as tests see it: where it is and what is in it. */
export interface QueueDescription {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  /** Messages a ReceiveMessage would get now. */
  visible: number;
  /** Received and not deleted, their visibility timeout running. */
  inFlight: number;
  delayed: number;
  /** Whether the queue policy lets Amazon's notifications account SendMessage. */
  amazonMaySend: boolean;
}

export class SqsError extends Error {
  override name = 'SqsError';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** SQS's answer to a request it refuses before any queue sees it (JSON protocol). */
interface SqsFailure {
  status: number;
  type: string;
  /** x-amzn-query-error: the query-protocol code the SDK reports as the error's name. */
  queryError: string;
  message: string;
}

const UNAVAILABLE: SqsFailure = { status: 503, type: 'com.amazonaws.sqs#ServiceUnavailable', queryError: 'ServiceUnavailable;Receiver', message: 'Service is unavailable. Try again later.' };
const UNKNOWN_KEY: SqsFailure = {
  status: 403,
  type: 'com.amazon.coral.service#UnrecognizedClientException',
  queryError: 'InvalidClientTokenId;Sender',
  message: 'The security token included in the request is invalid.',
};
const MISSING_TOKEN: SqsFailure = {
  status: 403,
  type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
  queryError: 'MissingAuthenticationToken;Sender',
  message: 'Request is missing Authentication Token',
};
const badSignature = (message: string): SqsFailure => ({ status: 403, type: 'com.amazon.coral.service#InvalidSignatureException', queryError: 'SignatureDoesNotMatch;Sender', message });
const SIGNATURE_MISMATCH = badSignature(
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
);
const incompleteSignature = (message: string): SqsFailure => ({ status: 400, type: 'com.amazon.coral.service#IncompleteSignatureException', queryError: 'IncompleteSignature;Sender', message });

/** How far a request's x-amz-date may be from the real time, as AWS allows. */
const MAX_SKEW_MS = 15 * 60_000;
/** The pause between two polls of a long ReceiveMessage (each poll itself takes the library ~40 ms). */
const POLL_INTERVAL_MS = 60;

/** The request a queue's `receive` runs for: a long poll stops when its client is gone. */
const currentRequest = new AsyncLocalStorage<{ gone: boolean }>();

export class SandboxSqs {
  readonly region = SQS_REGION;
  readonly accountId = SQS_ACCOUNT_ID;
  /** Endpoint base URL, e.g. http://127.0.0.1:4611 (set by listen). */
  url = '';
  private readonly service: SqsService;
  private readonly handle: ReturnType<typeof createRequestHandler>['requestHandler'];
  private readonly secrets = new Map<string, string>([[DEMO_AWS.accessKeyId, DEMO_AWS.secretAccessKey]]);
  /** The queues `adapt` fixed, with the library's own getAttributes (the counts are made from it). */
  private readonly libraryAttributes = new WeakMap<Queue, Queue['getAttributes']>();
  private available = true;
  private closed = false;
  private server?: http.Server;

  constructor() {
    ({ service: this.service, requestHandler: this.handle } = createRequestHandler({ port: 0, region: this.region, accountId: this.accountId }));
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** Adds an access key that may call SQS (same account as DEMO_AWS). */
  addCredentials(credentials: AwsCredentials): void {
    const { accessKeyId, secretAccessKey } = credentials ?? {};
    if (typeof accessKeyId !== 'string' || !/^[A-Z0-9]{16,128}$/.test(accessKeyId)) throw new SqsError('accessKeyId must be 16 to 128 capital letters and digits, e.g. AKIA...');
    if (typeof secretAccessKey !== 'string' || secretAccessKey === '') throw new SqsError('secretAccessKey must be a non-empty string');
    const known = this.secrets.get(accessKeyId);
    if (known !== undefined && known !== secretAccessKey) throw new SqsError(`access key ${accessKeyId} is known with another secret`, 409);
    this.secrets.set(accessKeyId, secretAccessKey);
  }

  accessKeyIds(): string[] {
    return [...this.secrets.keys()];
  }

  get isAvailable(): boolean {
    return this.available;
  }

  setAvailable(available: boolean): void {
    if (typeof available !== 'boolean') throw new SqsError('available must be true or false');
    this.available = available;
  }

  /**
   * Creates a queue as CreateQueue does (the same name with the same settings returns the queue
   * there is; other settings are QueueAlreadyExists, 409). Returns its URL and ARN.
   */
  createQueue(name: string, options: CreateQueueOptions = {}): { url: string; arn: string } {
    if (typeof name !== 'string' || name === '') throw new SqsError('a queue needs a name');
    const attributes: Record<string, string> = {};
    if (options.visibilityTimeoutSeconds !== undefined) attributes.VisibilityTimeout = String(options.visibilityTimeoutSeconds);
    if (options.fifo) attributes.FifoQueue = 'true';
    if (options.allowAmazonToSend ?? true) attributes.Policy = JSON.stringify(amazonMaySendPolicy(this.arnOf(name)));
    if (this.service.deletingQueues.has(name)) throw new SqsError(`queue ${name} was deleted less than 60 seconds ago`, 409);
    // The library makes queues only in its request handler or from its `queues` option: a service made
    // for this one queue runs the library's own checks (names, attributes, policy), then it moves here.
    let made: Queue;
    try {
      made = createRequestHandler({ port: 0, region: this.region, accountId: this.accountId, queues: [{ QueueName: name, Attributes: attributes }] }).service.Queues[0]!;
    } catch (error) {
      throw new SqsError(`SQS refuses queue ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const existing = this.findByName(name);
    if (existing) {
      const same = existing.FifoQueue === made.FifoQueue && existing.VisibilityTimeout === made.VisibilityTimeout && JSON.stringify(existing.Policy) === JSON.stringify(made.Policy);
      if (!same) throw new SqsError(`a queue ${name} already exists with other attributes`, 409);
      return { url: existing.QueueUrl, arn: this.arnOf(name) };
    }
    made.service = this.service;
    this.service.Queues.push(made);
    this.adapt(made);
    return { url: made.QueueUrl, arn: this.arnOf(name) };
  }

  /** A queue by name, URL or ARN. */
  describe(queue: string): QueueDescription {
    const found = this.find(queue);
    if (!found) throw new SqsError(`no queue ${queue}`, 404);
    return this.description(found);
  }

  list(): QueueDescription[] {
    return this.live().map((q) => this.description(q));
  }

  /** The queue named by an ARN of this account and region, if there is one. */
  findByArn(arn: string): Queue | undefined {
    return this.live().find((q) => this.arnOf(q.QueueName) === arn);
  }

  /** Whether the queue policy lets Amazon's notifications account SendMessage to the queue. */
  amazonMaySend(queue: Queue): boolean {
    return policyAllowsSend(queue.Policy, this.arnOf(queue.QueueName));
  }

  /** Puts a message in a queue as SendMessage does (Amazon's notifications come this way, not over HTTP). */
  send(queue: Queue, body: string): void {
    this.adapt(queue);
    queue.setRecord({ MessageBody: body });
  }

  /** Deletes every queue and its messages (the demo queue is made again by the sandbox); keys stay. */
  reset(): void {
    this.service.resetAll();
    this.available = true;
  }

  async listen(port: number, host: string): Promise<void> {
    const server = http.createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        // A bug of the sandbox: answered as SQS answers its own internal errors.
        if (!res.headersSent) fail(res, { status: 500, type: 'com.amazonaws.sqs#InternalError', queryError: 'InternalError;Receiver', message: `sandbox failure: ${error instanceof Error ? error.message : String(error)}` });
        else res.destroy();
      });
    });
    await listen(server, port, host);
    this.server = server;
    this.closed = false;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    this.service.HOSTNAME = shownHost;
    this.service.PORT = (server.address() as AddressInfo).port;
    this.url = `http://${shownHost}:${this.service.PORT}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.closed = true;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Buffer = Buffer.concat(chunks);
    if (!this.available) return fail(res, UNAVAILABLE);
    const refused = authenticate(req, body, this.secrets, Date.now());
    if (refused) return fail(res, refused);
    // Queues made by a CreateQueue request get the same fixes before anything reads them.
    for (const queue of this.service.Queues) this.adapt(queue);
    if (String(req.headers['x-amz-target']).endsWith('.ReceiveMessage')) body = withSystemAttributeNames(body);
    // The body was read for the signature: the library reads it again from a copy with the same headers.
    const replay = Object.assign(Readable.from(body.length > 0 ? [body] : []), { headers: req.headers, method: req.method, url: req.url });
    const request = { gone: false };
    res.on('close', () => {
      if (!res.writableFinished) request.gone = true;
    });
    await currentRequest.run(request, () => this.handle(replay as unknown as http.IncomingMessage, res));
  }

  /** Puts the fixes for real SQS's behaviour on a queue of the library (once). */
  private adapt(queue: Queue): void {
    if (this.libraryAttributes.has(queue)) return;
    const attributes = queue.getAttributes.bind(queue);
    this.libraryAttributes.set(queue, attributes);
    const receive = queue.receive.bind(queue);
    queue.receive = async ({ VisibilityTimeout, WaitTimeSeconds, MaxNumberOfMessages }: { VisibilityTimeout?: unknown; WaitTimeSeconds?: unknown; MaxNumberOfMessages?: unknown }) => {
      const deadline = Date.now() + Number(WaitTimeSeconds ?? queue.ReceiveMessageWaitTimeSeconds) * 1000;
      const request = currentRequest.getStore();
      for (;;) {
        if (this.closed || request?.gone) return [];
        const messages = await receive({ VisibilityTimeout, WaitTimeSeconds: 0, MaxNumberOfMessages });
        if (messages.length > 0) return latestPerMessage(messages);
        const left = deadline - Date.now();
        if (left <= 0) return [];
        await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, left)).unref());
      }
    };
    queue.getAttributes = (names?: string[]) => {
      const out = attributes(names) as Record<string, string> | undefined;
      const counts = this.counts(queue);
      if (out?.ApproximateNumberOfMessages !== undefined) out.ApproximateNumberOfMessages = String(counts.visible);
      if (out?.ApproximateNumberOfMessagesDelayed !== undefined) out.ApproximateNumberOfMessagesDelayed = String(counts.delayed);
      return out;
    };
  }

  private counts(queue: Queue): { visible: number; inFlight: number; delayed: number } {
    this.adapt(queue);
    const raw = this.libraryAttributes.get(queue)!(['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']) as Record<string, string>;
    // The library's ApproximateNumberOfMessages is every message past its delay, in flight or not;
    // and a message sent without delay counts as delayed until its 0 ms timer fires (SQS shows it at once).
    const inFlight = Number(raw.ApproximateNumberOfMessagesNotVisible);
    const delayed = queue.DelaySeconds > 0 ? Number(raw.ApproximateNumberOfMessagesDelayed) : 0;
    const pastDelay = Number(raw.ApproximateNumberOfMessages) + Number(raw.ApproximateNumberOfMessagesDelayed) - delayed;
    return { visible: pastDelay - inFlight, inFlight, delayed };
  }

  private description(queue: Queue): QueueDescription {
    this.adapt(queue);
    return {
      name: queue.QueueName,
      url: queue.QueueUrl,
      arn: this.arnOf(queue.QueueName),
      fifo: queue.FifoQueue,
      visibilityTimeoutSeconds: queue.VisibilityTimeout,
      ...this.counts(queue),
      amazonMaySend: this.amazonMaySend(queue),
    };
  }

  /** The queues there are: a deleted queue stays in the library's list for 60 s, as SQS keeps its name. */
  private live(): Queue[] {
    return this.service.Queues.filter((q) => !this.service.deletingQueues.has(q.QueueName));
  }

  private findByName(name: string): Queue | undefined {
    return this.live().find((q) => q.QueueName === name);
  }

  private find(queue: string): Queue | undefined {
    if (typeof queue !== 'string') return undefined;
    if (queue.startsWith('arn:')) return this.findByArn(queue);
    return this.findByName(queue.includes('/') ? queue.slice(queue.lastIndexOf('/') + 1) : queue);
  }
}

/** The policy Amazon's guide has sellers' developers put on a destination queue. */
function amazonMaySendPolicy(arn: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Id: `${arn}/SQSDefaultPolicy`,
    Statement: [{ Sid: 'AllowSellingPartnerApiNotifications', Effect: 'Allow', Principal: { AWS: AMAZON_NOTIFICATIONS_PRINCIPAL }, Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], Resource: arn }],
  };
}

/** Whether an Allow statement (without a matching Deny) grants Amazon's account sqs:SendMessage on `arn`. */
function policyAllowsSend(policy: unknown, arn: string): boolean {
  if (!isRecord(policy)) return false;
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement === undefined ? [] : [policy.Statement];
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  const matches = (statement: unknown): boolean => {
    if (!isRecord(statement)) return false;
    const principal = statement.Principal;
    const principals = principal === '*' ? ['*'] : isRecord(principal) ? list(principal.AWS) : [];
    const forAmazon = principals.some((p) => p === '*' || p === AMAZON_NOTIFICATIONS_PRINCIPAL || p === '437568002678');
    const sends = list(statement.Action).some((a) => typeof a === 'string' && ['sqs:sendmessage', 'sqs:*', '*'].includes(a.toLowerCase()));
    const onQueue = list(statement.Resource).some((r) => r === arn || r === '*');
    return forAmazon && sends && onQueue;
  };
  const effect = (s: unknown) => (isRecord(s) ? s.Effect : undefined);
  return statements.some((s) => effect(s) === 'Allow' && matches(s)) && !statements.some((s) => effect(s) === 'Deny' && matches(s));
}

/** One entry per message, the last (its receipt handle is the one that works). */
function latestPerMessage<T extends { MessageId: string }>(messages: T[]): T[] {
  return [...new Map(messages.map((m) => [m.MessageId, m])).values()];
}

/** ReceiveMessage with MessageSystemAttributeNames: the library reads only AttributeNames. */
function withSystemAttributeNames(body: Buffer): Buffer {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (!isRecord(request) || !Array.isArray(request.MessageSystemAttributeNames)) return body;
  const names = new Set([...(Array.isArray(request.AttributeNames) ? request.AttributeNames : []), ...request.MessageSystemAttributeNames]);
  return Buffer.from(JSON.stringify({ ...request, AttributeNames: [...names] }));
}

function fail(res: http.ServerResponse, failure: SqsFailure): void {
  const payload = JSON.stringify({ __type: failure.type, message: failure.message });
  res.writeHead(failure.status, {
    'x-amzn-RequestId': crypto.randomUUID(),
    'x-amzn-query-error': failure.queryError,
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}

/** RFC 3986 percent-encoding, as SigV4 wants it. */
function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Checks a request's SigV4 signature (header form); null when it is signed right by a known key. */
function authenticate(req: http.IncomingMessage, body: Buffer, secrets: ReadonlyMap<string, string>, now: number): SqsFailure | null {
  const authorization = req.headers.authorization;
  if (authorization === undefined || authorization === '') return MISSING_TOKEN;
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) return incompleteSignature(`Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of AWS4-HMAC-SHA256. Authorization=${authorization.split(' ')[0]}`);
  const [, accessKeyId, day, region, service, signedHeaders, signature] = parts as unknown as [string, string, string, string, string, string, string];
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return UNKNOWN_KEY;
  if (region !== SQS_REGION || service !== 'sqs') return badSignature(`Credential should be scoped to a valid region and service (${SQS_REGION}/sqs), not ${region}/${service}.`);
  const amzDate = header(req, 'x-amz-date');
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? '');
  if (!stamp || !amzDate!.startsWith(day)) return incompleteSignature('The request must carry an x-amz-date header (yyyyMMddTHHmmssZ) of the credential scope date.');
  const signedAt = Date.UTC(Number(stamp[1]), Number(stamp[2]) - 1, Number(stamp[3]), Number(stamp[4]), Number(stamp[5]), Number(stamp[6]));
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return badSignature(`Signature expired: ${amzDate} is now earlier than ${compactTime(now - MAX_SKEW_MS)} (${compactTime(now)} - 15 min.)`);
  }
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return badSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  const bodyHash = sha256Hex(body);
  const declared = header(req, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== bodyHash) return badSignature('The provided x-amz-content-sha256 header does not match what was computed.');
  const url = new URL(req.url ?? '/', 'http://sqs.invalid');
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [uriEscape(k), uriEscape(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = names.map((name) => `${name}:${(header(req, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method ?? 'GET', uriEscape(url.pathname).replace(/%2F/g, '/'), canonicalQuery, canonicalHeaders, signedHeaders, declared ?? bodyHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  return crypto.timingSafeEqual(expected, Buffer.from(signature)) ? null : SIGNATURE_MISMATCH;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}
