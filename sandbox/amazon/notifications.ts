/**
 * Notifications API v1 for ORDER_CHANGE, and Amazon delivering those notifications to SQS.
 *
 * Destinations belong to the application (the LWA client) and are managed with its grantless
 * token: one per SQS queue ARN (409 for a second), the queue must exist in the sandbox's SQS, be a
 * standard queue and let Amazon's notifications account (437568002678) SendMessage. A
 * subscription ties one seller's ORDER_CHANGE notifications for one application to a destination
 * (seller token; one per seller and application, 409 for a second); getting or deleting it by id
 * is grantless again. A destination a subscription still uses cannot be deleted (409).
 *
 * Every change the order book notifies (placed, verified, released, shipped, cancelled, a buyer's
 * cancellation request) goes to each ORDER_CHANGE subscription of the order's seller whose
 * orderChangeTypes include the change (none given: all), as one SQS message in the destination's
 * queue, at once (real time plays no part: the queue is in-process). A queue deleted since, or whose
 * policy no longer lets Amazon send, gets nothing: the notification is recorded 'undeliverable'.
 *
 * Faults (target 'notifications', see faults.ts), applied to each notification in this order:
 * - dropNotifications: not sent (recorded 'dropped').
 * - duplicateNotifications: sent as two SQS messages, same body, same NotificationId.
 * - reorderNotifications: held (recorded 'held'). Held notifications are all released, newest
 *   first, when a count-limited reorder fault takes its last notification (the default count 2:
 *   two changes arrive swapped), when a duration-limited one's window ends (sandbox time; on the
 *   first clock read after it), on releaseHeld(), or when faults are cleared.
 */
import { isoMillis, type SandboxClock } from './clock.ts';
import type { FaultInjector } from './faults.ts';
import { errorResponse, invalidInput, isRecord, notFound, readJsonBody, type Caller, type GrantlessCaller, type SandboxRequest, type SandboxResponse } from './http.ts';
import type { Lwa } from './lwa.ts';
import { ORDER_CHANGE_TYPES, type OrderChangeEvent, type OrderChangeType } from './order-book.ts';
import { orderChangeNotification, v0OrderStatus } from './order-change.ts';
import { randomUuid } from './random.ts';
import { AMAZON_NOTIFICATIONS_PRINCIPAL, type SandboxSqs } from './sqs.ts';

/** The notification types the sandbox serves, and their payload version. */
export const NOTIFICATION_TYPES = ['ORDER_CHANGE'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export const PAYLOAD_VERSION = '1.0';
/** The model's pattern for an SQS queue ARN. */
const SQS_ARN = /^arn:aws:sqs:\S+:\S+:\S+/;
const MAX_LOG = 10_000;

export interface DestinationState {
  destinationId: string;
  name: string;
  arn: string;
  clientId: string;
}

export interface SubscriptionState {
  subscriptionId: string;
  clientId: string;
  sellerId: string;
  notificationType: NotificationType;
  payloadVersion: string;
  destinationId: string;
  /** As the subscriber gave it (echoed by the API). */
  processingDirective?: { eventFilter: { eventFilterType: 'ORDER_CHANGE'; orderChangeTypes?: OrderChangeType[] } };
  /** null: every change type. */
  orderChangeTypes: OrderChangeType[] | null;
}

/** What happened to a notification: sent, held by a reorder fault, dropped by a fault, or not deliverable. */
export type NotificationOutcome = 'sent' | 'held' | 'dropped' | 'undeliverable';

/** One notification Amazon published, for tests. */
export interface NotificationRecord {
  seq: number;
  notificationId: string;
  notificationType: NotificationType;
  applicationId: string;
  clientId: string;
  subscriptionId: string;
  destinationId: string;
  queueArn: string;
  sellerId: string;
  amazonOrderId: string;
  orderChangeType: OrderChangeType;
  /** The order's status in the notification (Orders v0 wording: Pending, Unshipped, Canceled, ...). */
  orderStatus: string;
  /** Sandbox time, ISO 8601. */
  publishTime: string;
  outcome: NotificationOutcome;
  /** SQS messages put in the queue for it: 1, 2 under duplicateNotifications, 0 while held or when dropped. */
  messagesSent: number;
  /** The notification fault kinds that hit it. */
  faults: string[];
  /** Why an undeliverable one was not delivered. */
  problem?: string;
  /** The SQS message body (the JSON document). */
  body: string;
}

export interface NotificationFilter {
  sellerId?: string;
  amazonOrderId?: string;
  subscriptionId?: string;
  outcome?: NotificationOutcome;
}

function conflict(message: string, details = ''): SandboxResponse {
  return errorResponse(409, { code: 'Conflict', message, details });
}

function badNotificationType(type: string): SandboxResponse | null {
  return (NOTIFICATION_TYPES as readonly string[]).includes(type) ? null : invalidInput(`Invalid notificationType ${type}: the sandbox serves ORDER_CHANGE only.`, 'notificationType');
}

export class NotificationsApi {
  private destinations = new Map<string, DestinationState>();
  private subscriptions = new Map<string, SubscriptionState>();
  private log: NotificationRecord[] = [];
  private seq = 0;
  /** Notifications a reorder fault holds, oldest first, with how many copies each goes out as. */
  private held: Array<{ record: NotificationRecord; copies: number }> = [];
  /** Reorder faults whose window end is scheduled to release what they held. */
  private releaseScheduled = new Set<string>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly lwa: Lwa,
    private readonly sqs: SandboxSqs,
    private readonly faults: FaultInjector,
  ) {}

  /** `POST /notifications/v1/destinations` (grantless) */
  createDestination(req: SandboxRequest, app: GrantlessCaller): SandboxResponse {
    const parsed = readJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
    if (!isRecord(body)) return invalidInput('The request body must be a CreateDestinationRequest object.');
    if (typeof body.name !== 'string' || body.name.trim() === '') return invalidInput('name is required.', 'name');
    if (body.name.length > 256) return invalidInput('name must be at most 256 characters.', 'name');
    const spec = body.resourceSpecification;
    if (!isRecord(spec)) return invalidInput('resourceSpecification is required.', 'resourceSpecification');
    if (spec.eventBridge !== undefined) {
      return invalidInput(
        spec.sqs === undefined ? 'The sandbox delivers notifications to SQS queues only: give resourceSpecification.sqs.' : 'Use one resource type (sqs or eventBridge) per destination.',
        'resourceSpecification',
      );
    }
    if (!isRecord(spec.sqs)) return invalidInput('resourceSpecification.sqs is required.', 'resourceSpecification.sqs');
    const arn = spec.sqs.arn;
    if (typeof arn !== 'string' || !SQS_ARN.test(arn) || arn.length > 1000) return invalidInput('resourceSpecification.sqs.arn must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>).', 'arn');
    const queue = this.sqs.findByArn(arn);
    if (!queue) return invalidInput(`The SQS queue ${arn} does not exist or Amazon cannot reach it.`, 'arn');
    if (queue.FifoQueue) return invalidInput(`The SQS queue ${arn} is a FIFO queue: Amazon delivers notifications to standard queues only.`, 'arn');
    if (!this.sqs.amazonMaySend(queue)) {
      return invalidInput(
        `The SQS queue ${arn} does not let Amazon send notifications: its policy must allow the principal ${AMAZON_NOTIFICATIONS_PRINCIPAL} sqs:SendMessage and sqs:GetQueueAttributes.`,
        'arn',
      );
    }
    if (this.appDestinations(app.clientId).some((d) => d.arn === arn)) return conflict('A destination with this resource already exists.', arn);
    const destination: DestinationState = { destinationId: randomUuid(), name: body.name, arn, clientId: app.clientId };
    this.destinations.set(destination.destinationId, destination);
    return { status: 200, json: { payload: destinationPayload(destination) } };
  }

  /** `GET /notifications/v1/destinations` (grantless) */
  getDestinations(_req: SandboxRequest, app: GrantlessCaller): SandboxResponse {
    return { status: 200, json: { payload: this.appDestinations(app.clientId).map(destinationPayload) } };
  }

  /** `GET /notifications/v1/destinations/{destinationId}` (grantless) */
  getDestination(req: SandboxRequest, app: GrantlessCaller): SandboxResponse {
    const destination = this.appDestination(req.params.destinationId!, app.clientId);
    return destination ? { status: 200, json: { payload: destinationPayload(destination) } } : destinationNotFound(req.params.destinationId!);
  }

  /** `DELETE /notifications/v1/destinations/{destinationId}` (grantless) */
  deleteDestination(req: SandboxRequest, app: GrantlessCaller): SandboxResponse {
    const destination = this.appDestination(req.params.destinationId!, app.clientId);
    if (!destination) return destinationNotFound(req.params.destinationId!);
    const users = [...this.subscriptions.values()].filter((s) => s.destinationId === destination.destinationId);
    if (users.length > 0) {
      return conflict(`The destination ${destination.destinationId} has subscriptions: delete them first.`, users.map((s) => s.subscriptionId).join(', '));
    }
    this.destinations.delete(destination.destinationId);
    return { status: 200, json: {} };
  }

  /** `POST /notifications/v1/subscriptions/{notificationType}` (seller token) */
  createSubscription(req: SandboxRequest, caller: Caller): SandboxResponse {
    const type = req.params.notificationType!;
    const badType = badNotificationType(type);
    if (badType) return badType;
    const parsed = readJsonBody(req);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
    if (!isRecord(body)) return invalidInput('The request body must be a CreateSubscriptionRequest object.');
    if (typeof body.payloadVersion !== 'string' || body.payloadVersion === '') return invalidInput('payloadVersion is required.', 'payloadVersion');
    if (body.payloadVersion !== PAYLOAD_VERSION) return invalidInput(`payloadVersion ${body.payloadVersion} is not valid for ${type}: use ${PAYLOAD_VERSION}.`, 'payloadVersion');
    if (typeof body.destinationId !== 'string' || body.destinationId === '') return invalidInput('destinationId is required.', 'destinationId');
    const directive = readProcessingDirective(body.processingDirective);
    if ('response' in directive) return directive.response;
    const destination = this.appDestination(body.destinationId, caller.clientId);
    if (!destination) return destinationNotFound(body.destinationId);
    const existing = this.sellerSubscription(caller, type as NotificationType);
    if (existing) return conflict(`A subscription for ${type} already exists for this selling partner and application.`, existing.subscriptionId);
    const subscription: SubscriptionState = {
      subscriptionId: randomUuid(),
      clientId: caller.clientId,
      sellerId: caller.sellerId,
      notificationType: type as NotificationType,
      payloadVersion: body.payloadVersion,
      destinationId: destination.destinationId,
      ...(directive.value ? { processingDirective: directive.value } : {}),
      orderChangeTypes: directive.value?.eventFilter.orderChangeTypes ?? null,
    };
    this.subscriptions.set(subscription.subscriptionId, subscription);
    return { status: 200, json: { payload: subscriptionPayload(subscription) } };
  }

  /** `GET /notifications/v1/subscriptions/{notificationType}` (seller token) */
  getSubscription(req: SandboxRequest, caller: Caller): SandboxResponse {
    const type = req.params.notificationType!;
    const badType = badNotificationType(type);
    if (badType) return badType;
    const subscription = this.sellerSubscription(caller, type as NotificationType);
    return subscription ? { status: 200, json: { payload: subscriptionPayload(subscription) } } : notFound(`The subscription for ${type} was not found.`, type);
  }

  /** `GET /notifications/v1/subscriptions/{notificationType}/{subscriptionId}` (grantless) */
  getSubscriptionById(req: SandboxRequest, app: GrantlessCaller): SandboxResponse {
    const found = this.appSubscription(req, app);
    return 'response' in found ? found.response : { status: 200, json: { payload: subscriptionPayload(found.subscription) } };
  }

  /** `DELETE /notifications/v1/subscriptions/{notificationType}/{subscriptionId}` (grantless) */
  deleteSubscriptionById(req: SandboxRequest, app: GrantlessCaller): SandboxResponse {
    const found = this.appSubscription(req, app);
    if ('response' in found) return found.response;
    this.subscriptions.delete(found.subscription.subscriptionId);
    return { status: 200, json: {} };
  }

  /** The order book changed an order: a notification to each matching subscription of its seller. */
  orderChanged(change: OrderChangeEvent): void {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.sellerId !== change.order.sellerId || subscription.notificationType !== 'ORDER_CHANGE') continue;
      if (subscription.orderChangeTypes !== null && !subscription.orderChangeTypes.includes(change.type)) continue;
      const destination = this.destinations.get(subscription.destinationId);
      if (!destination) continue;
      const notificationId = randomUuid();
      const publishedAt = this.clock.now();
      const applicationId = this.lwa.app(subscription.clientId).applicationId;
      const body = JSON.stringify(orderChangeNotification(change, { applicationId, subscriptionId: subscription.subscriptionId, notificationId, publishedAt }));
      const record: NotificationRecord = {
        seq: ++this.seq,
        notificationId,
        notificationType: 'ORDER_CHANGE',
        applicationId,
        clientId: subscription.clientId,
        subscriptionId: subscription.subscriptionId,
        destinationId: destination.destinationId,
        queueArn: destination.arn,
        sellerId: change.order.sellerId,
        amazonOrderId: change.order.orderId,
        orderChangeType: change.type,
        orderStatus: v0OrderStatus(change.order),
        publishTime: isoMillis(publishedAt),
        outcome: 'sent',
        messagesSent: 0,
        faults: [],
        body,
      };
      this.log.push(record);
      if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
      this.publish(record);
    }
  }

  /** Sends every held notification now, newest first; returns how many. */
  releaseHeld(): number {
    const held = this.held.reverse();
    this.held = [];
    for (const { record, copies } of held) this.deliver(record, copies);
    return held.length;
  }

  /** The notifications Amazon published, oldest first (copies: change them freely). */
  published(filter: NotificationFilter = {}): NotificationRecord[] {
    return this.log
      .filter((r) => (filter.sellerId === undefined || r.sellerId === filter.sellerId) && (filter.amazonOrderId === undefined || r.amazonOrderId === filter.amazonOrderId))
      .filter((r) => (filter.subscriptionId === undefined || r.subscriptionId === filter.subscriptionId) && (filter.outcome === undefined || r.outcome === filter.outcome))
      .map((r) => structuredClone(r));
  }

  listDestinations(): DestinationState[] {
    return [...this.destinations.values()].map((d) => ({ ...d }));
  }

  listSubscriptions(): SubscriptionState[] {
    return [...this.subscriptions.values()].map((s) => structuredClone(s));
  }

  /** Forgets destinations, subscriptions, published and held notifications. */
  reset(): void {
    this.destinations.clear();
    this.subscriptions.clear();
    this.log = [];
    this.held = [];
    this.releaseScheduled.clear();
  }

  /** The notification faults, then delivery. */
  private publish(record: NotificationRecord): void {
    const now = this.clock.now();
    if (this.faults.take('notifications', 'dropNotifications', now)) {
      record.faults.push('dropNotifications');
      record.outcome = 'dropped';
      return;
    }
    let copies = 1;
    if (this.faults.take('notifications', 'duplicateNotifications', now)) {
      record.faults.push('duplicateNotifications');
      copies = 2;
    }
    const reorder = this.faults.take('notifications', 'reorderNotifications', now);
    if (!reorder) {
      this.deliver(record, copies);
      return;
    }
    record.faults.push('reorderNotifications');
    record.outcome = 'held';
    this.held.push({ record, copies });
    if (reorder.remaining === 0) this.releaseHeld();
    else if (reorder.until !== undefined && !this.releaseScheduled.has(reorder.id)) {
      this.releaseScheduled.add(reorder.id);
      this.clock.schedule(reorder.until, () => {
        this.releaseScheduled.delete(reorder.id);
        this.releaseHeld();
      });
    }
  }

  private deliver(record: NotificationRecord, copies: number): void {
    const queue = this.sqs.findByArn(record.queueArn);
    const problem = !queue ? `the queue ${record.queueArn} does not exist` : !this.sqs.amazonMaySend(queue) ? `the policy of ${record.queueArn} does not let Amazon send` : null;
    if (problem !== null) {
      record.outcome = 'undeliverable';
      record.problem = problem;
      return;
    }
    for (let i = 0; i < copies; i++) this.sqs.send(queue!, record.body);
    record.outcome = 'sent';
    record.messagesSent += copies;
  }

  private appDestinations(clientId: string): DestinationState[] {
    return [...this.destinations.values()].filter((d) => d.clientId === clientId);
  }

  private appDestination(destinationId: string, clientId: string): DestinationState | undefined {
    const destination = this.destinations.get(destinationId);
    return destination?.clientId === clientId ? destination : undefined;
  }

  private sellerSubscription(caller: Caller, type: NotificationType): SubscriptionState | undefined {
    return [...this.subscriptions.values()].find((s) => s.clientId === caller.clientId && s.sellerId === caller.sellerId && s.notificationType === type);
  }

  private appSubscription(req: SandboxRequest, app: GrantlessCaller): { subscription: SubscriptionState } | { response: SandboxResponse } {
    const type = req.params.notificationType!;
    const badType = badNotificationType(type);
    if (badType) return { response: badType };
    const id = req.params.subscriptionId!;
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.clientId !== app.clientId || subscription.notificationType !== type) return { response: notFound(`The subscription ${id} was not found.`, id) };
    return { subscription };
  }
}

function destinationPayload(destination: DestinationState): Record<string, unknown> {
  return { destinationId: destination.destinationId, name: destination.name, resource: { sqs: { arn: destination.arn } } };
}

function destinationNotFound(destinationId: string): SandboxResponse {
  return notFound(`The destination ${destinationId} was not found.`, destinationId);
}

function subscriptionPayload(subscription: SubscriptionState): Record<string, unknown> {
  return {
    subscriptionId: subscription.subscriptionId,
    payloadVersion: subscription.payloadVersion,
    destinationId: subscription.destinationId,
    ...(subscription.processingDirective ? { processingDirective: structuredClone(subscription.processingDirective) } : {}),
  };
}

/** An ORDER_CHANGE processingDirective: an eventFilter of type ORDER_CHANGE with optional orderChangeTypes; no marketplaceIds, no aggregation. */
function readProcessingDirective(value: unknown): { value?: SubscriptionState['processingDirective'] } | { response: SandboxResponse } {
  if (value === undefined) return {};
  const bad = (message: string, field: string) => ({ response: invalidInput(message, field) });
  if (!isRecord(value)) return bad('processingDirective must be an object.', 'processingDirective');
  if (value.aggregationSettings !== undefined) return bad('aggregationSettings is not supported for ORDER_CHANGE.', 'aggregationSettings');
  const unknownKey = Object.keys(value).find((k) => k !== 'eventFilter');
  if (unknownKey !== undefined) return bad(`processingDirective.${unknownKey} is not supported.`, unknownKey);
  const filter = value.eventFilter;
  if (filter === undefined) return {};
  if (!isRecord(filter)) return bad('processingDirective.eventFilter must be an object.', 'eventFilter');
  if (filter.eventFilterType !== 'ORDER_CHANGE') return bad('eventFilter.eventFilterType must be ORDER_CHANGE for an ORDER_CHANGE subscription.', 'eventFilterType');
  if (filter.marketplaceIds !== undefined) return bad('marketplaceIds is not supported in the ORDER_CHANGE event filter.', 'marketplaceIds');
  const other = Object.keys(filter).find((k) => k !== 'eventFilterType' && k !== 'orderChangeTypes');
  if (other !== undefined) return bad(`eventFilter.${other} is not supported for ORDER_CHANGE.`, other);
  const types = filter.orderChangeTypes;
  if (types === undefined) return { value: { eventFilter: { eventFilterType: 'ORDER_CHANGE' } } };
  if (!Array.isArray(types) || types.length === 0) return bad(`orderChangeTypes must be a non-empty list of ${ORDER_CHANGE_TYPES.join(', ')}.`, 'orderChangeTypes');
  const invalid = types.find((t) => !(ORDER_CHANGE_TYPES as readonly unknown[]).includes(t));
  if (invalid !== undefined) return bad(`Invalid orderChangeTypes value ${JSON.stringify(invalid)}. Valid values: ${ORDER_CHANGE_TYPES.join(', ')}.`, 'orderChangeTypes');
  return { value: { eventFilter: { eventFilterType: 'ORDER_CHANGE', orderChangeTypes: [...new Set(types as OrderChangeType[])] } } };
}
