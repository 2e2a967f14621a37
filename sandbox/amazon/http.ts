/**
 * The request and response shapes the sandbox handlers work with, and Amazon's error bodies.
 * Handlers are plain functions from a parsed request to a response; `server.ts` does the I/O.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';

/** The SP-API operations the sandbox serves (names as in the models' operationId). */
export const OPERATIONS = [
  'searchOrders',
  'getOrder',
  'confirmShipment',
  'createFeedDocument',
  'createFeed',
  'getFeed',
  'cancelFeed',
  'getFeedDocument',
  'createDestination',
  'getDestinations',
  'getDestination',
  'deleteDestination',
  'createSubscription',
  'getSubscription',
  'getSubscriptionById',
  'deleteSubscriptionById',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export function isOperation(value: unknown): value is Operation {
  return typeof value === 'string' && (OPERATIONS as readonly string[]).includes(value);
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
  /** Path parameters captured by the route. */
  params: Record<string, string>;
}

/** The seller (and app) an access token belongs to. */
export interface Caller {
  sellerId: string;
  clientId: string;
}

/**
 * The app alone, calling a grantless operation (Notifications API destinations) with a token of
 * LWA's client_credentials grant: no seller, one scope.
 */
export interface GrantlessCaller {
  clientId: string;
  scope: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless `raw` is given. */
  json?: unknown;
  raw?: string | Buffer;
}

export interface ApiError {
  code: string;
  message: string;
  details?: string;
}

export function jsonResponse(status: number, json: unknown, headers?: Record<string, string>): SandboxResponse {
  return headers ? { status, json, headers } : { status, json };
}

export function errorResponse(status: number, errors: ApiError | ApiError[]): SandboxResponse {
  return { status, json: { errors: Array.isArray(errors) ? errors : [errors] } };
}

export function invalidInput(message: string, details = ''): SandboxResponse {
  return errorResponse(400, { code: 'InvalidInput', message, details });
}

export function notFound(message: string, details = ''): SandboxResponse {
  return errorResponse(404, { code: 'NotFound', message, details });
}

/**
 * Parses a JSON request body; a non-JSON content type is 415 (or 400 where the operation's model
 * documents no 415, like v0 confirmShipment), bad JSON is 400.
 */
export function readJsonBody(req: SandboxRequest, { unsupportedMediaStatus = 415 } = {}): { ok: true; value: unknown } | { ok: false; response: SandboxResponse } {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    const details = `Content-Type must be application/json, got "${type}".`;
    return {
      ok: false,
      response:
        unsupportedMediaStatus === 415
          ? errorResponse(415, { code: 'UnsupportedMediaType', message: 'The request payload is in an unsupported format.', details })
          : invalidInput('The request payload is in an unsupported format.', details),
    };
  }
  try {
    return { ok: true, value: JSON.parse(req.body.toString('utf8')) };
  } catch {
    return { ok: false, response: invalidInput('The request body is not valid JSON.') };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Starts `server` on port and host; rejects with the listen error (EADDRINUSE) instead of emitting it. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
