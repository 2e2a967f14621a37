/**
 * A tiny SP-API client for the sandbox tests: gets an LWA token for the demo app and calls the
 * operations over HTTP. Every typed call checks the answer against Amazon's model
 * (`assertContract`), so each test also proves the wire shape.
 */
import { startAmazonSandbox, type RunningAmazonSandbox, type StartAmazonSandboxOptions } from '../../sandbox/amazon/index.ts';
import { assertContract, type ModelName } from './sp-api-contract.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: T;
  text: string;
}

export interface CallOptions {
  query?: Record<string, string | string[] | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Override the access token (null sends none). */
  token?: string | null;
}

export function queryString(query: CallOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export async function readResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, headers: response.headers, body, text };
}

export class SpApiTestClient {
  private accessToken?: string;
  private expiresAt = 0;

  constructor(
    readonly sandbox: RunningAmazonSandbox,
    readonly credentials = sandbox.demoApp,
  ) {}

  async lwa(form: Record<string, string>): Promise<ApiResponse> {
    const response = await fetch(this.sandbox.lwaUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams(form).toString(),
    });
    return readResponse(response);
  }

  async token(): Promise<string> {
    if (!this.accessToken || this.sandbox.clock.now() >= this.expiresAt) {
      const res = await this.lwa({
        grant_type: 'refresh_token',
        refresh_token: this.credentials.refreshToken,
        client_id: this.credentials.clientId,
        client_secret: this.credentials.clientSecret,
      });
      if (res.status !== 200) throw new Error(`LWA refused the test credentials: ${res.text}`);
      this.accessToken = res.body.access_token as string;
      this.expiresAt = this.sandbox.clock.now() + Number(res.body.expires_in) * 1000;
    }
    return this.accessToken;
  }

  forgetToken(): void {
    this.accessToken = undefined;
  }

  /** Any request, no contract check. */
  async raw(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const token = options.token === undefined ? await this.token() : options.token;
    const headers: Record<string, string> = { 'user-agent': 'asc-sandbox-tests/1.0 (Language=TypeScript)', ...options.headers };
    if (token !== null) headers['x-amz-access-token'] = token;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.sandbox.url}${path}${queryString(options.query)}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    return readResponse(response);
  }

  private async checked(model: ModelName, operationId: string, method: string, path: string, options: CallOptions): Promise<ApiResponse> {
    const res = await this.raw(method, path, options);
    assertContract(model, operationId, { status: res.status, headers: res.headers, body: res.body });
    return res;
  }

  searchOrders(query: CallOptions['query'], options: Omit<CallOptions, 'query'> = {}): Promise<ApiResponse> {
    return this.checked('orders_2026-01-01', 'searchOrders', 'GET', '/orders/2026-01-01/orders', { ...options, query });
  }

  getOrder(orderId: string, query: CallOptions['query'] = {}, options: Omit<CallOptions, 'query'> = {}): Promise<ApiResponse> {
    return this.checked('orders_2026-01-01', 'getOrder', 'GET', `/orders/2026-01-01/orders/${encodeURIComponent(orderId)}`, { ...options, query });
  }

  confirmShipment(orderId: string, body: unknown, options: Omit<CallOptions, 'body'> = {}): Promise<ApiResponse> {
    return this.checked('ordersV0', 'confirmShipment', 'POST', `/orders/v0/orders/${encodeURIComponent(orderId)}/shipmentConfirmation`, { ...options, body });
  }

  createFeedDocument(body: unknown, options: Omit<CallOptions, 'body'> = {}): Promise<ApiResponse> {
    return this.checked('feeds_2021-06-30', 'createFeedDocument', 'POST', '/feeds/2021-06-30/documents', { ...options, body });
  }

  createFeed(body: unknown, options: Omit<CallOptions, 'body'> = {}): Promise<ApiResponse> {
    return this.checked('feeds_2021-06-30', 'createFeed', 'POST', '/feeds/2021-06-30/feeds', { ...options, body });
  }

  getFeed(feedId: string, options: CallOptions = {}): Promise<ApiResponse> {
    return this.checked('feeds_2021-06-30', 'getFeed', 'GET', `/feeds/2021-06-30/feeds/${encodeURIComponent(feedId)}`, options);
  }

  cancelFeed(feedId: string, options: CallOptions = {}): Promise<ApiResponse> {
    return this.checked('feeds_2021-06-30', 'cancelFeed', 'DELETE', `/feeds/2021-06-30/feeds/${encodeURIComponent(feedId)}`, options);
  }

  getFeedDocument(feedDocumentId: string, options: CallOptions = {}): Promise<ApiResponse> {
    return this.checked('feeds_2021-06-30', 'getFeedDocument', 'GET', `/feeds/2021-06-30/documents/${encodeURIComponent(feedDocumentId)}`, options);
  }
}

/** A sandbox on a free port with a frozen clock (tests move it), generous rate limits unless given. */
export async function startTestSandbox(options: StartAmazonSandboxOptions = {}): Promise<{ sandbox: RunningAmazonSandbox; api: SpApiTestClient }> {
  const sandbox = await startAmazonSandbox({
    port: 0,
    clock: { start: '2026-03-02T12:00:00Z', speed: 0 },
    rateLimits: {
      searchOrders: { rate: 100, burst: 1000 },
      getOrder: { rate: 100, burst: 1000 },
      confirmShipment: { rate: 100, burst: 1000 },
      createFeedDocument: { rate: 100, burst: 1000 },
      createFeed: { rate: 100, burst: 1000 },
      getFeed: { rate: 100, burst: 1000 },
      cancelFeed: { rate: 100, burst: 1000 },
      getFeedDocument: { rate: 100, burst: 1000 },
    },
    ...options,
  });
  return { sandbox, api: new SpApiTestClient(sandbox) };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** An ISO time `ms` before the sandbox's now. */
export function ago(sandbox: RunningAmazonSandbox, ms: number): string {
  return new Date(sandbox.clock.now() - ms).toISOString();
}
