/**
 * The sandbox HTTP server (node:http, no framework). One request goes:
 *   read body -> run due clock tasks -> control API (/_sandbox/..., not recorded)
 *   or Amazon's side: Seller Central consent page | LWA token | presigned document URL | SP-API route:
 *   authenticate (403; a grantless operation takes only a grantless token, the others only a
 *   seller's) -> faults (reset/429/500/503) -> rate limit (429) -> handler ->
 *   x-amzn-RateLimit-Limit on 20x/400/404 -> response faults (invalid order, malformed JSON,
 *   reset after processing, delay) -> record -> answer with x-amzn-RequestId.
 * The LWA token endpoint and document uploads take the faults named for them (lwaToken,
 * uploadFeedDocument): reset/500/503 before the handler, reset after and delay after it. The
 * consent pages take no access token, rate limit or fault. SQS (AWS, not Amazon) has a listener of
 * its own (sqs.ts), started and closed with this one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONSENT_PATH, handleConsent } from './consent.ts';
import { handleControl } from './control.ts';
import { corruptOrders, internalFailure, serviceUnavailable, truncateJson, type Fault, type FaultKind, type FaultTarget, type WireTarget } from './faults.ts';
import { s3ServerFailure } from './feeds.ts';
import { lwaServerFailure } from './lwa.ts';
import { errorResponse, listen, type Caller, type GrantlessCaller, type Operation, type SandboxRequest, type SandboxResponse } from './http.ts';
import { quotaExceeded } from './rate-limits.ts';
import { maskBody, maskHeaders, type RecordedRequest } from './recorder.ts';
import { randomUuid } from './random.ts';
import { paginationTokenExpired } from './orders.ts';
import { AmazonSandbox, type AmazonSandboxOptions } from './sandbox.ts';
import { confirmShipment } from './shipments.ts';
import { DEFAULT_SQS_PORT, DEMO_AWS } from './sqs.ts';

export const DEFAULT_AMAZON_SANDBOX_PORT = 4610;
/** Bigger than Amazon's 10 MiB feed limit, so oversized feeds reach the handler. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

export interface StartAmazonSandboxOptions extends AmazonSandboxOptions {
  /** Default 4610; 0 picks a free port (tests). */
  port?: number;
  /** The SQS endpoint's port: default 4611, or 0 (a free port) when `port` is 0. */
  sqsPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Called with each request to Amazon's side (LWA, SP-API, uploads) as recorded and the answer
   * about to be sent (null for a reset connection): tests hold the wire to Amazon's models with it.
   */
  onExchange?: (exchange: SandboxExchange) => void;
}

export interface SandboxExchange {
  request: RecordedRequest;
  /** The answer with its headers as sent; `raw` holds the body of a malformed-JSON fault. */
  response: SandboxResponse | null;
}

interface RouteBase {
  method: string;
  pattern: RegExp;
  operation: Operation;
}

/** Called with a seller's access token (refresh token or consent). */
interface SellerRoute extends RouteBase {
  grantless?: false;
  handle: (sandbox: AmazonSandbox, req: SandboxRequest, caller: Caller) => SandboxResponse;
}

/** Called with the app's grantless token (client_credentials). */
interface GrantlessRoute extends RouteBase {
  grantless: true;
  handle: (sandbox: AmazonSandbox, req: SandboxRequest, app: GrantlessCaller) => SandboxResponse;
}

type SpApiRoute = SellerRoute | GrantlessRoute;

const DESTINATIONS = '/notifications/v1/destinations';
const SUBSCRIPTION = '/notifications/v1/subscriptions/(?<notificationType>[^/]+)';

const SP_API_ROUTES: SpApiRoute[] = [
  { method: 'GET', pattern: /^\/orders\/2026-01-01\/orders$/, operation: 'searchOrders', handle: (s, r, c) => s.orders.search(r, c) },
  { method: 'GET', pattern: /^\/orders\/2026-01-01\/orders\/(?<orderId>[^/]+)$/, operation: 'getOrder', handle: (s, r, c) => s.orders.getOrder(r, c) },
  {
    method: 'POST',
    pattern: /^\/orders\/v0\/orders\/(?<orderId>[^/]+)\/shipmentConfirmation$/,
    operation: 'confirmShipment',
    handle: (s, r, c) => confirmShipment(r, c, s.book, s.clock),
  },
  { method: 'POST', pattern: /^\/feeds\/2021-06-30\/documents$/, operation: 'createFeedDocument', handle: (s, r, c) => s.feeds.createFeedDocument(r, c) },
  { method: 'GET', pattern: /^\/feeds\/2021-06-30\/documents\/(?<feedDocumentId>[^/]+)$/, operation: 'getFeedDocument', handle: (s, r, c) => s.feeds.getFeedDocument(r, c) },
  { method: 'POST', pattern: /^\/feeds\/2021-06-30\/feeds$/, operation: 'createFeed', handle: (s, r, c) => s.feeds.createFeed(r, c) },
  { method: 'GET', pattern: /^\/feeds\/2021-06-30\/feeds\/(?<feedId>[^/]+)$/, operation: 'getFeed', handle: (s, r, c) => s.feeds.getFeed(r, c) },
  { method: 'DELETE', pattern: /^\/feeds\/2021-06-30\/feeds\/(?<feedId>[^/]+)$/, operation: 'cancelFeed', handle: (s, r, c) => s.feeds.cancelFeed(r, c) },
  { method: 'POST', pattern: new RegExp(`^${DESTINATIONS}$`), operation: 'createDestination', grantless: true, handle: (s, r, a) => s.notifications.createDestination(r, a) },
  { method: 'GET', pattern: new RegExp(`^${DESTINATIONS}$`), operation: 'getDestinations', grantless: true, handle: (s, r, a) => s.notifications.getDestinations(r, a) },
  { method: 'GET', pattern: new RegExp(`^${DESTINATIONS}/(?<destinationId>[^/]+)$`), operation: 'getDestination', grantless: true, handle: (s, r, a) => s.notifications.getDestination(r, a) },
  { method: 'DELETE', pattern: new RegExp(`^${DESTINATIONS}/(?<destinationId>[^/]+)$`), operation: 'deleteDestination', grantless: true, handle: (s, r, a) => s.notifications.deleteDestination(r, a) },
  { method: 'POST', pattern: new RegExp(`^${SUBSCRIPTION}$`), operation: 'createSubscription', handle: (s, r, c) => s.notifications.createSubscription(r, c) },
  { method: 'GET', pattern: new RegExp(`^${SUBSCRIPTION}$`), operation: 'getSubscription', handle: (s, r, c) => s.notifications.getSubscription(r, c) },
  {
    method: 'GET',
    pattern: new RegExp(`^${SUBSCRIPTION}/(?<subscriptionId>[^/]+)$`),
    operation: 'getSubscriptionById',
    grantless: true,
    handle: (s, r, a) => s.notifications.getSubscriptionById(r, a),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${SUBSCRIPTION}/(?<subscriptionId>[^/]+)$`),
    operation: 'deleteSubscriptionById',
    grantless: true,
    handle: (s, r, a) => s.notifications.deleteSubscriptionById(r, a),
  },
];

const S3_ROUTE = /^\/s3\/[^/]+\/(?<key>[^/]+)$/;

/** What the pipeline decided for one Amazon-side request. */
interface Outcome {
  response?: SandboxResponse;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  delayMs?: number;
  operation?: Operation;
  caller?: Caller;
  throttled: boolean;
  faults: FaultKind[];
  /** Send this text as the body (malformed JSON fault). */
  rawOverride?: string;
}

export class RunningAmazonSandbox extends AmazonSandbox {
  declare readonly options: StartAmazonSandboxOptions;
  url = '';
  lwaUrl = '';
  /** Seller Central's OAuth authorization URI (`?application_id=&state=[&redirect_uri=][&version=beta]`). */
  consentUrl = '';
  port = 0;
  private server?: http.Server;

  /** The SQS endpoint's base URL (AWS's side: `new SQSClient({ region: sqsRegion, endpoint: sqsUrl, credentials: DEMO_AWS })`). */
  get sqsUrl(): string {
    return this.sqs.url;
  }

  /** Stops listening (SP-API and SQS) and drops open connections. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.clock.clearTasks();
    await Promise.all([
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
      this.sqs.close(),
    ]);
  }

  /** @internal Listens for Amazon's side, then SQS's (closing the first when the second cannot). */
  async listen(port: number, host: string, sqsPort: number): Promise<void> {
    await this.listenAmazon(port, host);
    try {
      await this.sqs.listen(sqsPort, host);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async listenAmazon(port: number, host: string): Promise<void> {
    const server = http.createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        // A bug of the sandbox: answered as Amazon answers its own internal errors, with the cause in details.
        if (!res.headersSent) send(res, randomUuid(), internalFailure(`sandbox failure: ${error instanceof Error ? error.message : String(error)}`));
        else res.destroy();
      });
    });
    await listen(server, port, host);
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shownHost}:${this.port}`;
    this.lwaUrl = `${this.url}/auth/o2/token`;
    this.consentUrl = `${this.url}${CONSENT_PATH}`;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUuid();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        send(res, requestId, errorResponse(413, { code: 'RequestEntityTooLarge', message: 'The request size exceeded the maximum accepted size.', details: '' }));
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
      requestId,
      params: {},
    };
    this.clock.runDue();

    if (request.path === '/_sandbox' || request.path.startsWith('/_sandbox/')) {
      send(res, requestId, handleControl(this, request, { url: this.url, lwaUrl: this.lwaUrl, consentUrl: this.consentUrl, sqsUrl: this.sqsUrl }));
      return;
    }

    const receivedAt = new Date(this.clock.now()).toISOString();
    const outcome = this.amazon(request);
    if (outcome.delayMs) await new Promise((resolve) => setTimeout(resolve, outcome.delayMs));
    const recorded = this.recorder.add({
      requestId,
      time: receivedAt,
      method: request.method,
      path: request.path,
      query: queryRecord(request.query),
      headers: maskHeaders(request.headers),
      body: maskBody(request.body, request.headers['content-type']),
      status: outcome.reset ? null : outcome.response!.status,
      ...(outcome.operation ? { operation: outcome.operation } : {}),
      ...(outcome.caller ? { sellerId: outcome.caller.sellerId } : {}),
      throttled: outcome.throttled,
      faults: outcome.faults,
    });
    const response = outcome.reset ? null : { ...outcome.response!, headers: { 'x-amzn-RequestId': requestId, ...outcome.response!.headers } };
    this.options.onExchange?.({
      request: recorded,
      response: response && outcome.rawOverride !== undefined ? { status: response.status, headers: response.headers, raw: outcome.rawOverride } : response,
    });
    if (outcome.reset) {
      req.socket.destroy();
      return;
    }
    send(res, requestId, outcome.response!, outcome.rawOverride);
  }

  private amazon(req: SandboxRequest): Outcome {
    const outcome: Outcome = { throttled: false, faults: [] };
    if (req.path === CONSENT_PATH) {
      outcome.response = handleConsent(this.lwa, req);
      return outcome;
    }
    if (req.path === '/auth/o2/token') {
      const token = () => (req.method === 'POST' ? this.lwa.token(req) : { status: 405, json: { error: 'invalid_request', error_description: 'Use POST' } });
      return this.wireFaults('lwaToken', outcome, token, lwaServerFailure);
    }
    const s3 = S3_ROUTE.exec(req.path);
    if (s3) {
      req.params = { key: decodeURIComponent(s3.groups!.key!) };
      // Uploads take faults; downloads of processing reports are not a fault target.
      if (req.method === 'PUT') return this.wireFaults('uploadFeedDocument', outcome, () => this.feeds.s3(req), (status) => s3ServerFailure(status, req.requestId));
      outcome.response = this.feeds.s3(req);
      return outcome;
    }
    const candidates = SP_API_ROUTES.map((route) => ({ route, match: route.pattern.exec(req.path) })).filter((c) => c.match !== null);
    if (candidates.length === 0) {
      outcome.response = errorResponse(404, { code: 'NotFound', message: 'Resource not found.', details: `The sandbox serves no ${req.path}.` });
      return outcome;
    }
    const found = candidates.find((c) => c.route.method === req.method);
    if (!found) {
      outcome.response = errorResponse(405, { code: 'MethodNotAllowed', message: `Method ${req.method} is not allowed on ${req.path}.`, details: '' });
      return outcome;
    }
    const { route, match } = found;
    const operation = route.operation;
    outcome.operation = operation;
    req.params = Object.fromEntries(Object.entries(match!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));

    const auth = this.lwa.authenticate(req);
    if (!auth.ok) {
      outcome.response = auth.response;
      return outcome;
    }
    const principal = route.grantless ? auth.grantless : auth.caller;
    if (!principal) {
      outcome.response = errorResponse(403, {
        code: 'Unauthorized',
        message: 'Access to requested resource is denied.',
        details: route.grantless
          ? `${operation} is a grantless operation: call it with a token of LWA's client_credentials grant (scope sellingpartnerapi::notifications).`
          : `${operation} needs a selling partner's authorization: call it with a token of the refresh_token grant, not a grantless one.`,
      });
      return outcome;
    }
    if (auth.caller) outcome.caller = auth.caller;
    const now = this.clock.now();
    const take = this.faultTaker(operation, outcome, now);

    const reset = this.faults.peek(operation, 'reset', now);
    if (reset && reset.phase !== 'after') {
      take('reset');
      outcome.reset = true;
      return outcome;
    }
    if (take('throttle')) {
      this.limits.countThrottled(operation);
      outcome.throttled = true;
      outcome.response = quotaExceeded();
      return outcome;
    }
    if (take('error500')) {
      outcome.response = internalFailure();
      return outcome;
    }
    if (take('error503')) {
      outcome.response = serviceUnavailable();
      return outcome;
    }
    if (!this.limits.take(principal, operation)) {
      outcome.throttled = true;
      outcome.response = quotaExceeded();
      return outcome;
    }

    const response =
      operation === 'searchOrders' && req.query.has('paginationToken') && take('expiredToken')
        ? paginationTokenExpired()
        : route.grantless
          ? route.handle(this, req, auth.grantless!)
          : route.handle(this, req, auth.caller!);
    if (response.status < 300 || response.status === 400 || response.status === 404) {
      response.headers = { ...response.headers, 'x-amzn-RateLimit-Limit': this.limits.header(operation) };
    }
    outcome.response = response;

    if ((operation === 'searchOrders' || operation === 'getOrder') && response.status === 200) {
      const fault = this.faults.peek(operation, 'invalidOrder', now);
      if (fault && corruptOrders(response.json, fault.variant)) take('invalidOrder');
    }
    if (operation === 'createFeed' && response.status === 202 && this.faults.peek(operation, 'messageError', now)) {
      if (this.feeds.rejectFirstMessage((response.json as { feedId: string }).feedId)) take('messageError');
    }
    if (take('malformedJson')) {
      outcome.rawOverride = truncateJson(response.json === undefined ? '' : JSON.stringify(response.json));
      if (response.status === 204) response.status = 200;
    }
    if (reset && reset.phase === 'after') {
      take('reset');
      outcome.reset = true;
    }
    const delay = take('delay');
    if (delay) outcome.delayMs = delay.delayMs;
    return outcome;
  }

  /** Uses one hit of a fault of `kind` for `target`, noting it on the outcome. */
  private faultTaker(target: FaultTarget, outcome: Outcome, now: number): (kind: FaultKind) => Fault | undefined {
    return (kind) => {
      const fault = this.faults.take(target, kind, now);
      if (fault) outcome.faults.push(kind);
      return fault;
    };
  }

  /** An endpoint without access token or rate limit (LWA, document uploads) under its faults. */
  private wireFaults(target: WireTarget, outcome: Outcome, handle: () => SandboxResponse, failure: (status: 500 | 503) => SandboxResponse): Outcome {
    const now = this.clock.now();
    const take = this.faultTaker(target, outcome, now);
    const reset = this.faults.peek(target, 'reset', now);
    if (reset && reset.phase !== 'after') {
      take('reset');
      outcome.reset = true;
      return outcome;
    }
    if (take('error500')) outcome.response = failure(500);
    else if (take('error503')) outcome.response = failure(503);
    else {
      outcome.response = handle();
      if (reset && reset.phase === 'after') {
        take('reset');
        outcome.reset = true;
      }
    }
    const delay = take('delay');
    if (delay) outcome.delayMs = delay.delayMs;
    return outcome;
  }
}

function queryRecord(query: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of query) (out[k] ??= []).push(v);
  return out;
}

function send(res: http.ServerResponse, requestId: string, response: SandboxResponse, rawOverride?: string): void {
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId, ...response.headers };
  let payload: string | Buffer | undefined;
  if (rawOverride !== undefined) {
    payload = rawOverride;
    headers['content-type'] = 'application/json';
  } else if (response.raw !== undefined) {
    payload = response.raw;
  } else if (response.json !== undefined) {
    payload = JSON.stringify(response.json);
    headers['content-type'] ??= 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

/**
 * Starts the sandbox: `{ url, lwaUrl, consentUrl, sqsUrl, port, demoApp, close(), ...control functions }`.
 * SP-API base URL = `url`; LWA token URL = `lwaUrl`; Seller Central's consent page = `consentUrl`;
 * SQS endpoint = `sqsUrl` (region `sqsRegion`, credentials DEMO_AWS).
 */
export async function startAmazonSandbox(options: StartAmazonSandboxOptions = {}): Promise<RunningAmazonSandbox> {
  let base = '';
  const sandbox = new RunningAmazonSandbox(options, () => base);
  const port = options.port ?? DEFAULT_AMAZON_SANDBOX_PORT;
  await sandbox.listen(port, options.host ?? '127.0.0.1', options.sqsPort ?? (port === 0 ? 0 : DEFAULT_SQS_PORT));
  base = sandbox.url;
  return sandbox;
}

/** The lines to print at start so an admin can add a store pointing at the sandbox. */
export function describeSandbox(sandbox: RunningAmazonSandbox): string {
  const app = sandbox.demoApp;
  return [
    `Amazon sandbox listening on ${sandbox.url}`,
    `  SP-API endpoint : ${sandbox.url}`,
    `  LWA token URL   : ${sandbox.lwaUrl}`,
    `  client id       : ${app.clientId}`,
    `  client secret   : ${app.clientSecret}`,
    `  refresh token   : ${app.refreshToken}`,
    `  seller id       : ${app.sellerId}`,
    `  application id  : ${app.applicationId}`,
    `  consent page    : ${sandbox.consentUrl}`,
    `  control API     : ${sandbox.url}/_sandbox`,
    `  SQS endpoint    : ${sandbox.sqsUrl} (region ${sandbox.sqsRegion})`,
    `  AWS access key  : ${DEMO_AWS.accessKeyId}`,
    `  AWS secret key  : ${DEMO_AWS.secretAccessKey}`,
    `  demo queue      : ${sandbox.demoQueue.url} (${sandbox.demoQueue.arn})`,
  ].join('\n');
}
