/**
 * Faults on demand, scoped to an operation (or '*'), for the next `count` matching requests and/or
 * for `durationMs` of sandbox time:
 * - throttle: 429 QuotaExceeded (counted as throttled) without touching the bucket
 * - error500 / error503: Amazon's InternalFailure / ServiceUnavailable bodies
 * - delay: the response is held `delayMs` real milliseconds after processing
 * - reset: the connection is destroyed, before processing (phase 'before', default) or after the
 *   request was applied (phase 'after': the change happened, the client never hears of it)
 * - malformedJson: the real response, cut in half
 * - invalidOrder: one order in an otherwise valid searchOrders/getOrder answer breaks the model
 *   (variant 'missingField' drops a required field, 'wrongType' sends quantityOrdered as a string)
 * - expiredToken: the next searchOrders call carrying a paginationToken is told it expired
 * - messageError (createFeed only): the feed that createFeed accepts is processed with its first
 *   message rejected (ResultMessageCode 18035, "submit it again") and not applied; the others apply
 *
 * Besides the SP-API operations, two endpoints without an access token or a rate limit take the
 * connection and server faults (reset, delay, error500, error503), and only when named ('*' is
 * SP-API only): 'lwaToken' (POST /auth/o2/token, answered with LWA's server_error /
 * temporarily_unavailable) and 'uploadFeedDocument' (the PUT to a presigned document URL, answered
 * with S3's InternalError / SlowDown).
 *
 * The target 'notifications' (Amazon delivering notifications to SQS, not a request) takes only the
 * three notification kinds, and they only it; `count` counts notifications, `durationMs` is sandbox
 * time (see notifications.ts for what each does to a notification):
 * - dropNotifications: the notification is never sent (the consumer's poll safety net must find the change)
 * - duplicateNotifications: it is sent as two SQS messages with the same body (same NotificationId)
 * - reorderNotifications: it is held back; held notifications go out newest first (default count 2)
 */
import { errorResponse, isOperation, isRecord, OPERATIONS, type Operation, type SandboxResponse } from './http.ts';

export const NOTIFICATION_FAULT_KINDS = ['dropNotifications', 'duplicateNotifications', 'reorderNotifications'] as const;
export const FAULT_KINDS = ['throttle', 'error500', 'error503', 'delay', 'reset', 'malformedJson', 'invalidOrder', 'expiredToken', 'messageError', ...NOTIFICATION_FAULT_KINDS] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Endpoints outside the SP-API operations that take faults, and the kinds they take. */
export const WIRE_TARGETS = ['lwaToken', 'uploadFeedDocument'] as const;
export type WireTarget = (typeof WIRE_TARGETS)[number];
const WIRE_FAULT_KINDS: readonly FaultKind[] = ['error500', 'error503', 'reset', 'delay'];

/** Amazon delivering notifications to their SQS destinations. */
export const NOTIFICATIONS_TARGET = 'notifications';

/** What a fault can be scoped to: an SP-API operation, a wire target, notifications, or '*' (every SP-API operation). */
export const FAULT_OPERATIONS = [...OPERATIONS, ...WIRE_TARGETS, NOTIFICATIONS_TARGET] as const;
export type FaultTarget = Operation | WireTarget | typeof NOTIFICATIONS_TARGET;

function isWireTarget(value: unknown): value is WireTarget {
  return typeof value === 'string' && (WIRE_TARGETS as readonly string[]).includes(value);
}

function isNotificationKind(value: unknown): boolean {
  return typeof value === 'string' && (NOTIFICATION_FAULT_KINDS as readonly string[]).includes(value);
}

export interface FaultSpec {
  operation: FaultTarget | '*';
  kind: FaultKind;
  /** How many matching requests (notifications) the fault hits; default 1 (reorderNotifications: 2) unless durationMs is given. */
  count?: number;
  /** Active for this much sandbox time from now. */
  durationMs?: number;
  /** For 'delay'. */
  delayMs?: number;
  /** For 'invalidOrder'. */
  variant?: 'missingField' | 'wrongType';
  /** For 'reset'. */
  phase?: 'before' | 'after';
}

export interface Fault extends FaultSpec {
  id: string;
  /** Requests still to hit; undefined = unlimited within the time window. */
  remaining?: number;
  /** Sandbox epoch ms after which the fault is gone; undefined = no time limit. */
  until?: number;
  hits: number;
}

export class FaultError extends Error {
  override name = 'FaultError';
}

/** Checks a fault spec coming from the control API or a test. */
export function parseFaultSpec(input: unknown): FaultSpec {
  if (!isRecord(input)) throw new FaultError('a fault is an object {operation, kind, count?, durationMs?, ...}');
  const { operation, kind, count, durationMs, delayMs, variant, phase } = input;
  if (operation !== '*' && !isOperation(operation) && !isWireTarget(operation) && operation !== NOTIFICATIONS_TARGET) {
    throw new FaultError(`operation must be '*', an SP-API operation name or one of ${[...WIRE_TARGETS, NOTIFICATIONS_TARGET].join(', ')}, got ${JSON.stringify(operation)}`);
  }
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) throw new FaultError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  if (isWireTarget(operation) && !WIRE_FAULT_KINDS.includes(kind as FaultKind)) throw new FaultError(`operation ${operation} takes only the kinds ${WIRE_FAULT_KINDS.join(', ')}`);
  if ((operation === NOTIFICATIONS_TARGET) !== isNotificationKind(kind)) {
    throw new FaultError(`the kinds ${NOTIFICATION_FAULT_KINDS.join(', ')} go with operation '${NOTIFICATIONS_TARGET}', and only they`);
  }
  if (kind === 'messageError' && operation !== 'createFeed') throw new FaultError('a messageError fault applies to createFeed only');
  const spec: FaultSpec = { operation, kind: kind as FaultKind };
  if (count !== undefined) {
    if (!Number.isInteger(count) || (count as number) < 1) throw new FaultError('count must be an integer >= 1');
    spec.count = count as number;
  }
  if (durationMs !== undefined) {
    if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0) throw new FaultError('durationMs must be a number > 0');
    spec.durationMs = durationMs;
  }
  if (kind === 'delay') {
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) throw new FaultError('a delay fault needs delayMs >= 0');
    spec.delayMs = delayMs;
  }
  if (variant !== undefined) {
    if (variant !== 'missingField' && variant !== 'wrongType') throw new FaultError("variant must be 'missingField' or 'wrongType'");
    spec.variant = variant;
  }
  if (phase !== undefined) {
    if (phase !== 'before' && phase !== 'after') throw new FaultError("phase must be 'before' or 'after'");
    spec.phase = phase;
  }
  return spec;
}

export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec, now: number): Fault {
    const checked = parseFaultSpec(spec);
    // Holding back one notification alone reorders nothing.
    const defaultCount = checked.kind === 'reorderNotifications' ? 2 : 1;
    const fault: Fault = {
      ...checked,
      id: `fault-${this.nextId++}`,
      remaining: checked.count ?? (checked.durationMs === undefined ? defaultCount : undefined),
      until: checked.durationMs === undefined ? undefined : now + checked.durationMs,
      hits: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  /** Whether a fault of `kind` is active for `operation`, without using it up. */
  peek(operation: FaultTarget, kind: FaultKind, now: number): Fault | undefined {
    this.expire(now);
    return this.faults.find((f) => f.kind === kind && (f.operation === operation || (f.operation === '*' && isOperation(operation))));
  }

  /** Uses one hit of the first active fault of `kind` for `operation`. */
  take(operation: FaultTarget, kind: FaultKind, now: number): Fault | undefined {
    const fault = this.peek(operation, kind, now);
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return { ...fault };
  }

  list(now: number): Fault[] {
    this.expire(now);
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  private expire(now: number): void {
    this.faults = this.faults.filter((f) => f.until === undefined || now < f.until);
  }
}

export function internalFailure(details = ''): SandboxResponse {
  return errorResponse(500, { code: 'InternalFailure', message: 'We encountered an internal error. Please try again.', details });
}

export function serviceUnavailable(): SandboxResponse {
  return errorResponse(503, { code: 'ServiceUnavailable', message: 'Service is temporarily unavailable. Please try again later.', details: '' });
}

/** Breaks one order of a searchOrders/getOrder body in place, per the fault's variant. */
export function corruptOrders(body: unknown, variant: FaultSpec['variant'] = 'missingField'): boolean {
  if (!isRecord(body)) return false;
  const target = Array.isArray(body.orders) ? body.orders[0] : body.order;
  if (!isRecord(target)) return false;
  if (variant === 'wrongType') {
    const item = Array.isArray(target.orderItems) ? target.orderItems[0] : undefined;
    if (!isRecord(item)) return false;
    item.quantityOrdered = String(item.quantityOrdered);
  } else {
    delete target.orderItems;
  }
  return true;
}

/** The first half of a JSON text: what a client sees when a proxy cuts a response short. */
export function truncateJson(text: string): string {
  return text.length <= 1 ? '{' : text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}
