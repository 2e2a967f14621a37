/**
 * The control API under /_sandbox/ (JSON in and out; clearly not Amazon's). It is a thin HTTP
 * binding of the in-process functions of `AmazonSandbox`; errors are `{"error": "..."}`.
 *
 *   GET    /_sandbox                           what is here, the demo app, the sellers, the sandbox time
 *   GET    /_sandbox/clock                     {now, speed}
 *   POST   /_sandbox/clock                     {advanceMs? | advanceMinutes? | set?, speed?}
 *   GET    /_sandbox/orders?sellerId=&status=  {orders}
 *   POST   /_sandbox/orders                    PlaceOrderInput -> 201 {order}
 *   GET    /_sandbox/orders/{orderId}          {order}
 *   POST   /_sandbox/orders/{orderId}/cancel   {by: BUYER|AMAZON, reason?, requestOnly?} -> {order}
 *   GET    /_sandbox/rate-limits               {rateLimits, throttled}
 *   POST   /_sandbox/rate-limits               {operation, rate, burst} -> {rateLimits}
 *   GET    /_sandbox/faults                    {faults}
 *   POST   /_sandbox/faults                    FaultSpec -> 201 {fault}
 *   DELETE /_sandbox/faults[/{id}]             remove all faults, or one
 *   GET    /_sandbox/requests?operation=&sinceSeq=   {requests, throttled}
 *   DELETE /_sandbox/requests                  forget recorded requests
 *   POST   /_sandbox/apps                      {clientId, clientSecret, refreshToken, sellerId, applicationId?, name?, draft?, redirectUris?}
 *                                              -> 201 {registered: {clientId, sellerId, applicationId}}
 *   POST   /_sandbox/apps/{clientId}/redirect-uris   {uri} -> 201 {clientId, redirectUris}
 *   POST   /_sandbox/sellers                   {sellerId} -> 201 {sellers}
 *   POST   /_sandbox/authorizations/revoke     {clientId, sellerId} -> {revoked}
 *   POST   /_sandbox/pagination-tokens/expire  {expired}
 *   POST   /_sandbox/access-tokens/expire      {}
 *   GET    /_sandbox/feeds                     {feeds} with per-message results
 *   GET    /_sandbox/feeds/{feedId}/report     the processing report XML (not gzipped)
 *   GET    /_sandbox/sqs                       {url, region, available, accessKeyIds, queues}
 *   POST   /_sandbox/sqs                       {available: boolean} -> same as GET
 *   POST   /_sandbox/sqs/queues                {name, visibilityTimeoutSeconds?, fifo?, allowAmazonToSend?} -> 201 {url, arn}
 *   GET    /_sandbox/sqs/queues/{name}         {queue} (visible / inFlight / delayed counts)
 *   POST   /_sandbox/sqs/credentials           {accessKeyId, secretAccessKey} -> 201 {accessKeyIds}
 *   GET    /_sandbox/notifications?sellerId=&amazonOrderId=&subscriptionId=&outcome=   {notifications}
 *   GET    /_sandbox/notifications/subscriptions   {destinations, subscriptions}
 *   POST   /_sandbox/notifications/release     {released} (what a reorder fault holds, newest first)
 *   POST   /_sandbox/reset                     {seed?: boolean}
 */
import { ClockError, toMillis } from './clock.ts';
import { FaultError, parseFaultSpec } from './faults.ts';
import { isOperation, isRecord, type SandboxRequest, type SandboxResponse } from './http.ts';
import { LwaError, type SandboxApp } from './lwa.ts';
import type { NotificationOutcome } from './notifications.ts';
import { OrderError, type PlaceOrderInput } from './order-book.ts';
import { RateLimitError } from './rate-limits.ts';
import type { AmazonSandbox } from './sandbox.ts';
import { DEMO_AWS, SqsError, type CreateQueueOptions } from './sqs.ts';

const ok = (json: unknown, status = 200): SandboxResponse => ({ status, json });
const fail = (status: number, error: string): SandboxResponse => ({ status, json: { error } });

function body(req: SandboxRequest): Record<string, unknown> {
  const text = req.body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ControlInputError('the body is not valid JSON');
  }
  if (!isRecord(value)) throw new ControlInputError('the body must be a JSON object');
  return value;
}

class ControlInputError extends Error {}

interface SandboxUrls {
  url: string;
  lwaUrl: string;
  consentUrl: string;
  sqsUrl: string;
}

export function handleControl(sandbox: AmazonSandbox, req: SandboxRequest, info: SandboxUrls): SandboxResponse {
  try {
    return route(sandbox, req, info);
  } catch (error) {
    if (error instanceof OrderError || error instanceof SqsError) return fail(error.status, error.message);
    if (error instanceof ControlInputError || error instanceof ClockError || error instanceof FaultError || error instanceof RateLimitError || error instanceof LwaError) {
      return fail(400, error.message);
    }
    throw error;
  }
}

function clockState(sandbox: AmazonSandbox): Record<string, unknown> {
  return { now: sandbox.now().toISOString(), speed: sandbox.clock.speed };
}

function route(sandbox: AmazonSandbox, req: SandboxRequest, info: SandboxUrls): SandboxResponse {
  const path = req.path.replace(/\/+$/, '');
  const m = req.method;
  const parts = path.split('/').slice(2).map(decodeURIComponent); // after "/_sandbox"

  if (parts.length === 0 && m === 'GET') {
    return ok({
      sandbox: 'Amazon SP-API + LWA sandbox (control API under /_sandbox; not part of Amazon)',
      url: info.url,
      lwaUrl: info.lwaUrl,
      consentUrl: info.consentUrl,
      sqsUrl: info.sqsUrl,
      sqsRegion: sandbox.sqsRegion,
      demoAws: DEMO_AWS,
      demoQueue: sandbox.demoQueue,
      demoApp: sandbox.demoApp,
      sellers: sandbox.lwa.sellers(),
      ...clockState(sandbox),
    });
  }
  const [resource, id, action] = parts;

  switch (resource) {
    case 'clock': {
      if (m === 'GET' && !id) return ok(clockState(sandbox));
      if (m === 'POST' && !id) {
        const b = body(req);
        if (b.speed !== undefined) {
          if (typeof b.speed !== 'number') throw new ControlInputError('speed must be a number');
          sandbox.setClockSpeed(b.speed);
        }
        if (b.advanceMs !== undefined) sandbox.advanceClock(number(b.advanceMs, 'advanceMs'));
        if (b.advanceMinutes !== undefined) sandbox.advanceClock(number(b.advanceMinutes, 'advanceMinutes') * 60_000);
        if (b.set !== undefined) {
          if (typeof b.set !== 'string' && typeof b.set !== 'number') throw new ControlInputError('set must be an ISO 8601 time or epoch milliseconds');
          sandbox.setClock(toMillis(b.set));
        }
        return ok(clockState(sandbox));
      }
      break;
    }
    case 'orders': {
      if (!id && m === 'GET') {
        return ok({ orders: sandbox.listOrders({ sellerId: req.query.get('sellerId') ?? undefined, status: req.query.get('status') ?? undefined }) });
      }
      if (!id && m === 'POST') return ok({ order: sandbox.placeOrder(body(req) as unknown as PlaceOrderInput) }, 201);
      if (id && !action && m === 'GET') {
        const order = sandbox.getOrder(id);
        return order ? ok({ order }) : fail(404, `no order ${id}`);
      }
      if (id && action === 'cancel' && m === 'POST') {
        const b = body(req);
        if (b.by !== 'BUYER' && b.by !== 'AMAZON') throw new ControlInputError('by must be BUYER or AMAZON');
        if (b.reason !== undefined && typeof b.reason !== 'string') throw new ControlInputError('reason must be a string');
        return ok({ order: sandbox.cancelOrder(id, { by: b.by, reason: b.reason as string | undefined, requestOnly: b.requestOnly === true }) });
      }
      break;
    }
    case 'rate-limits': {
      if (m === 'GET' && !id) return ok({ rateLimits: sandbox.limits.all(), throttled: sandbox.throttledCounts() });
      if ((m === 'POST' || m === 'PUT') && !id) {
        const b = body(req);
        if (!isOperation(b.operation)) throw new ControlInputError('operation must be an SP-API operation name, e.g. searchOrders');
        sandbox.setRateLimit(b.operation, { rate: number(b.rate, 'rate'), burst: number(b.burst, 'burst') });
        return ok({ rateLimits: sandbox.limits.all() });
      }
      break;
    }
    case 'faults': {
      if (m === 'GET' && !id) return ok({ faults: sandbox.listFaults() });
      if (m === 'POST' && !id) return ok({ fault: sandbox.addFault(parseFaultSpec(body(req))) }, 201);
      if (m === 'DELETE' && !id) {
        sandbox.clearFaults();
        return ok({ faults: [] });
      }
      if (m === 'DELETE' && id) return sandbox.removeFault(id) ? ok({ removed: id }) : fail(404, `no fault ${id}`);
      break;
    }
    case 'requests': {
      if (m === 'GET' && !id) {
        const since = req.query.get('sinceSeq');
        return ok({
          requests: sandbox.requests({ operation: req.query.get('operation') ?? undefined, sinceSeq: since === null ? undefined : Number(since) }),
          throttled: sandbox.throttledCounts(),
        });
      }
      if (m === 'DELETE' && !id) {
        sandbox.clearRequests();
        return ok({ requests: [] });
      }
      break;
    }
    case 'apps': {
      if (m === 'POST' && !id) {
        const { clientId, clientSecret, refreshToken, sellerId, applicationId, name, draft, redirectUris } = body(req);
        sandbox.registerApp({ clientId, clientSecret, refreshToken, sellerId, applicationId, name, draft, redirectUris } as SandboxApp);
        return ok({ registered: { clientId, sellerId, applicationId: sandbox.lwa.app(clientId as string).applicationId } }, 201);
      }
      if (m === 'POST' && id && action === 'redirect-uris') return ok({ clientId: id, redirectUris: sandbox.addRedirectUri(id, body(req).uri as string) }, 201);
      break;
    }
    case 'sellers':
      if (m === 'POST' && !id) {
        sandbox.addSeller(body(req).sellerId as string);
        return ok({ sellers: sandbox.lwa.sellers() }, 201);
      }
      break;
    case 'authorizations':
      if (m === 'POST' && id === 'revoke') {
        const b = body(req);
        return ok({ revoked: sandbox.revokeAuthorization(b.clientId as string, b.sellerId as string) });
      }
      break;
    case 'pagination-tokens':
      if (m === 'POST' && id === 'expire') return ok({ expired: sandbox.expirePaginationTokens() });
      break;
    case 'access-tokens':
      if (m === 'POST' && id === 'expire') {
        sandbox.expireAccessTokens();
        return ok({});
      }
      break;
    case 'feeds': {
      if (m === 'GET' && !id) return ok({ feeds: sandbox.listFeeds() });
      if (m === 'GET' && id && action === 'report') {
        const report = sandbox.feedReport(id);
        return report === undefined ? fail(404, `feed ${id} has no report (unknown or not finished)`) : { status: 200, headers: { 'content-type': 'text/xml; charset=UTF-8' }, raw: report };
      }
      break;
    }
    case 'sqs': {
      const state = () => ok({ url: info.sqsUrl, region: sandbox.sqsRegion, available: sandbox.sqs.isAvailable, accessKeyIds: sandbox.sqs.accessKeyIds(), queues: sandbox.listQueues() });
      if (m === 'GET' && !id) return state();
      if (m === 'POST' && !id) {
        const b = body(req);
        if (typeof b.available !== 'boolean') throw new ControlInputError('available must be true or false');
        sandbox.setSqsAvailable(b.available);
        return state();
      }
      if (id === 'queues' && m === 'POST' && !action) {
        const { name, visibilityTimeoutSeconds, fifo, allowAmazonToSend } = body(req);
        if (typeof name !== 'string') throw new ControlInputError('name must be a string');
        if (visibilityTimeoutSeconds !== undefined) number(visibilityTimeoutSeconds, 'visibilityTimeoutSeconds');
        for (const [flag, value] of Object.entries({ fifo, allowAmazonToSend })) {
          if (value !== undefined && typeof value !== 'boolean') throw new ControlInputError(`${flag} must be true or false`);
        }
        return ok(sandbox.createQueue(name, { visibilityTimeoutSeconds, fifo, allowAmazonToSend } as CreateQueueOptions), 201);
      }
      if (id === 'queues' && m === 'GET' && action) return ok({ queue: sandbox.describeQueue(action) });
      if (id === 'credentials' && m === 'POST' && !action) {
        const { accessKeyId, secretAccessKey } = body(req);
        sandbox.addAwsCredentials({ accessKeyId, secretAccessKey } as { accessKeyId: string; secretAccessKey: string });
        return ok({ accessKeyIds: sandbox.sqs.accessKeyIds() }, 201);
      }
      break;
    }
    case 'notifications': {
      if (m === 'GET' && !id) {
        const filter = (name: string) => req.query.get(name) ?? undefined;
        return ok({
          notifications: sandbox.notificationsSent({
            sellerId: filter('sellerId'),
            amazonOrderId: filter('amazonOrderId'),
            subscriptionId: filter('subscriptionId'),
            outcome: filter('outcome') as NotificationOutcome | undefined,
          }),
        });
      }
      if (m === 'GET' && id === 'subscriptions') return ok({ destinations: sandbox.listDestinations(), subscriptions: sandbox.listSubscriptions() });
      if (m === 'POST' && id === 'release') return ok({ released: sandbox.releaseHeldNotifications() });
      break;
    }
    case 'reset':
      if (m === 'POST' && !id) {
        sandbox.reset({ seed: body(req).seed === true });
        return ok({ reset: true, ...clockState(sandbox) });
      }
      break;
  }
  return fail(404, `no control endpoint ${m} ${req.path}; GET /_sandbox lists them`);
}

function number(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ControlInputError(`${name} must be a number`);
  return value;
}
