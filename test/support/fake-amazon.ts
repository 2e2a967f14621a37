/**
 * A small local HTTP server standing in for Amazon in the client's tests (not the sandbox): routes
 * are scripted per test, every request is recorded, and every SP-API request is checked against the
 * official model (sp-api-contract.ts). So is every 2xx JSON answer a test scripts, unless the test
 * sends an invalid answer on purpose.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { validateRequest, validateResponse, type ModelName } from './sp-api-contract.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string exactly as sent (without "?"). */
  rawQuery: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body bytes. */
  raw: Buffer;
  /** The body as text. */
  body: string;
}

export interface Reply {
  status: number;
  /** JSON body (serialized for you). */
  json?: unknown;
  /** A raw body instead (e.g. malformed JSON, XML, gzip bytes). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** Answer after this long (for timeout tests). */
  delayMs?: number;
  /** Close the connection without answering (connection reset). */
  destroy?: boolean;
  /** The scripted answer is deliberately outside the model: skip the response contract check. */
  offContract?: boolean;
}

export type Handler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

/** Which model an SP-API path belongs to; null for other paths (LWA, presigned URLs). */
export function modelForPath(path: string): ModelName | null {
  if (path.startsWith('/orders/2026-01-01/')) return 'orders_2026-01-01';
  if (path.startsWith('/orders/v0/')) return 'ordersV0';
  if (path.startsWith('/feeds/2021-06-30/')) return 'feeds_2021-06-30';
  return null;
}

export class FakeAmazon {
  readonly requests: RecordedRequest[] = [];
  /** Contract violations seen so far; tests assert it stays empty. */
  readonly violations: string[] = [];
  private readonly routes: Array<{ method: string; path: string | RegExp; handler: Handler; calls: number }> = [];
  private requestCounter = 0;

  private readonly server = http.createServer((req, res) => {
    void this.handle(req, res);
  });
  private baseUrl: string | undefined;

  /** Starts a fake Amazon on a free local port. */
  static async start(): Promise<FakeAmazon> {
    const amazon = new FakeAmazon();
    await amazon.listen();
    return amazon;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  get url(): string {
    if (this.baseUrl === undefined) throw new Error('FakeAmazon is not listening yet');
    return this.baseUrl;
  }

  /** Adds a route; the handler gets the request and how many times this route was called before. */
  on(method: string, path: string | RegExp, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), path, handler, calls: 0 });
    return this;
  }

  /** Answers a route with these replies in order (the last one repeats). */
  sequence(method: string, path: string | RegExp, replies: Reply[]): this {
    return this.on(method, path, (_request, index) => replies[Math.min(index, replies.length - 1)]);
  }

  requestsTo(path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  reset(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.routes.length = 0;
    this.requestCounter = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const raw = Buffer.concat(chunks);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      rawQuery: url.search.replace(/^\?/, ''),
      headers: req.headers,
      raw,
      body: raw.toString('utf8'),
    };
    this.requests.push(request);
    const requestId = `req-${++this.requestCounter}`;
    try {
      await this.answer(request, requestId, req, res);
    } catch (error) {
      // A throwing handler or check is a test bug: answer (a request left hanging ends in a
      // 30 s timeout) and record it, so the test fails with the cause.
      const message = error instanceof Error ? error.message : String(error);
      this.violations.push(`${request.method} ${request.path}: the fake failed: ${message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-RequestId': requestId });
      res.end(JSON.stringify({ errors: [{ code: 'InternalFailure', message: `FakeAmazon failed: ${message}` }] }));
    }
  }

  private async answer(request: RecordedRequest, requestId: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {

    const model = modelForPath(request.path);
    let json: unknown;
    if (model !== null) {
      if (request.body !== '') {
        try {
          json = JSON.parse(request.body);
        } catch {
          this.violations.push(`${request.method} ${request.path}: body is not JSON`);
        }
      }
      const result = validateRequest(model, request.method, request.path, request.query, json);
      for (const error of result.errors) this.violations.push(`${request.method} ${request.path}: ${error}`);
    }

    const route = this.routes.find((r) => r.method === request.method && (typeof r.path === 'string' ? r.path === request.path : r.path.test(request.path)));
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-RequestId': requestId });
      res.end(JSON.stringify({ errors: [{ code: 'NotFound', message: `No test route for ${request.method} ${request.path}` }] }));
      return;
    }
    const reply = await route.handler(request, route.calls++);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (reply.destroy) {
      req.socket.destroy();
      return;
    }
    if (model !== null && !reply.offContract && reply.status < 300) {
      const result = validateResponse(model, request.method, request.path, reply.status, reply.json);
      for (const error of result.errors) this.violations.push(`answer to ${request.method} ${request.path}: ${error}`);
    }
    const headers: Record<string, string> = { 'x-amzn-RequestId': requestId, ...reply.headers };
    if (reply.json !== undefined) headers['content-type'] ??= 'application/json';
    res.writeHead(reply.status, headers);
    if (res.destroyed) return;
    res.end(reply.json !== undefined ? JSON.stringify(reply.json) : reply.raw);
  }
}

/**
 * One FakeAmazon for the enclosing describe block: listening before its tests, closed after them,
 * and after each test the contract violations must be empty and the routes and records are reset.
 */
export function useFakeAmazon(): FakeAmazon {
  const amazon = new FakeAmazon();
  before(async () => amazon.listen());
  after(async () => amazon.close());
  afterEach(() => {
    expect(amazon.violations).to.deep.equal([]);
    amazon.reset();
  });
  return amazon;
}
