/**
 * A store's real-time updates: turning them on points Amazon's ORDER_CHANGE notifications for the
 * store's seller at the merchant's SQS queue; the consumer (notification-consumer.ts) reads them.
 *
 * On: the queue is checked with the AWS key given (it exists, the key may read it, it is a
 * standard queue), then at Amazon the application's destination for the queue's ARN is found or
 * made (grantless), and the seller's ORDER_CHANGE subscription to it found or made. Amazon keeps
 * one subscription per seller and application, for every marketplace of the seller: stores of one
 * seller share it, so they must share the queue, and turning one off deletes the subscription
 * only when no other store of the seller still uses it. Nothing is saved unless all of that
 * worked; the AWS secret is kept encrypted through the host's secrets port and never shown again.
 */
import crypto from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, SecretsPort } from '../host/ports.ts';
import { AmazonApiError, AmazonError } from '../amazon/errors.ts';
import type { SpApiClient } from '../amazon/index.ts';
import { fromDb, fromDbOrNull } from '../db/time.ts';
import { AmazonClients } from '../stores/amazon-clients.ts';
import { Stores } from '../stores/stores.ts';
import { authorizationProblem, type AmazonStore } from '../stores/store.ts';
import { shorten } from '../text.ts';
import { QueueAccessError, queueUrlProblem, queueUrlRegion, SqsQueue, type QueueAccess } from './sqs-queue.ts';

export const STORE_NOTIFICATIONS_TABLE = 'amazon_store_notifications';

/** A consumer reads its queue at least every long poll (20 s): silent this long, none is reading it. */
export const READER_SILENCE_MS = 2 * 60_000;

/**
 * Whether the store's notifications arrive now: on, and its queue read by a consumer lately and
 * without error. Only then does the safety-net poll slow down; otherwise (the queue failing, no
 * process running the worker) the store is synced at the 5-minute pace.
 */
export function notificationsArrive(n: StoreNotifications | null, now: Date): boolean {
  return !!n?.enabled && n.lastError === null && n.lastReadAt !== null && now.getTime() - n.lastReadAt.getTime() <= READER_SILENCE_MS;
}

/** Default and bounds of the safety-net poll while notifications are on (minutes). */
export const POLL_INTERVAL = { default: 30, min: 5, max: 24 * 60 } as const;

export interface StoreNotifications {
  storeId: number;
  enabled: boolean;
  queueUrl: string;
  queueArn: string;
  region: string;
  accessKeyId: string;
  destinationId: string | null;
  subscriptionId: string | null;
  pollIntervalMinutes: number;
  /** When a consumer last read the queue (each long poll, with messages or not). */
  lastReadAt: Date | null;
  lastReceivedAt: Date | null;
  /** From SQS receiving the last message to the consumer reading it. */
  lastLagMs: number | null;
  messagesProcessed: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  updatedAt: Date;
}

export interface RealtimeUpdatesInput {
  queueUrl: string;
  /** Required only for a queue URL that does not name its region (not AWS's). */
  region?: string;
  accessKeyId: string;
  /** May be left empty to keep the secret saved for the same access key. */
  secretAccessKey?: string;
  pollIntervalMinutes?: number;
}

/** Named as the admin form's fields. */
export interface RealtimeUpdatesError {
  field: 'queue_url' | 'region' | 'access_key_id' | 'secret_access_key' | 'poll_interval_minutes' | 'store';
  message: string;
}

export type RealtimeUpdatesResult = { ok: true; notifications: StoreNotifications } | { ok: false; errors: RealtimeUpdatesError[] };

/** One queue the consumer reads, and the stores whose notifications arrive there. */
export interface ConsumedQueue {
  key: string;
  access: QueueAccess;
  storeIds: number[];
}

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const SECRET_LIMIT = 256;
const DESTINATION_NAME = 'amazon-sales-channel';

interface Row {
  store_id: number;
  enabled: number | boolean;
  queue_url: string;
  queue_arn: string;
  aws_region: string;
  aws_access_key_id: string;
  aws_secret_encrypted: string;
  destination_id: string | null;
  subscription_id: string | null;
  poll_interval_minutes: number;
  last_read_at: unknown;
  last_received_at: unknown;
  last_lag_ms: number | null;
  messages_processed: number | string;
  last_error: string | null;
  last_error_at: unknown;
  updated_at: unknown;
}

function fromRow(row: Row): StoreNotifications {
  return {
    storeId: row.store_id,
    enabled: Boolean(row.enabled),
    queueUrl: row.queue_url,
    queueArn: row.queue_arn,
    region: row.aws_region,
    accessKeyId: row.aws_access_key_id,
    destinationId: row.destination_id,
    subscriptionId: row.subscription_id,
    pollIntervalMinutes: row.poll_interval_minutes,
    lastReadAt: fromDbOrNull(row.last_read_at),
    lastReceivedAt: fromDbOrNull(row.last_received_at),
    lastLagMs: row.last_lag_ms,
    messagesProcessed: Number(row.messages_processed),
    lastError: row.last_error,
    lastErrorAt: fromDbOrNull(row.last_error_at),
    updatedAt: fromDb(row.updated_at),
  };
}

class Refused extends Error {
  constructor(readonly error: RealtimeUpdatesError) {
    super(error.message);
  }
}

@injectable()
export class RealtimeUpdates {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Secrets) private readonly secrets: SecretsPort,
    @inject(Stores) private readonly stores: Stores,
    @inject(AmazonClients) private readonly clients: AmazonClients,
  ) {}

  async get(storeId: number): Promise<StoreNotifications | null> {
    const row = await this.db<Row>(STORE_NOTIFICATIONS_TABLE).where({ store_id: storeId }).first();
    return row ? fromRow(row) : null;
  }

  async list(): Promise<StoreNotifications[]> {
    return (await this.db<Row>(STORE_NOTIFICATIONS_TABLE).orderBy('store_id')).map(fromRow);
  }

  /**
   * The queues to read now: one per queue URL and access key, for the stores that have
   * notifications on. Its `key` changes with anything its reader depends on (the secret, the
   * stores), so the consumer starts a new reader when one changed.
   */
  async consumedQueues(): Promise<ConsumedQueue[]> {
    // Newest first: stores sharing a key read with the secret saved last (a rotated one).
    const rows = await this.db<Row>(STORE_NOTIFICATIONS_TABLE).where({ enabled: true }).orderBy([{ column: 'updated_at', order: 'desc' }, 'store_id']);
    const queues = new Map<string, Omit<ConsumedQueue, 'key'>>();
    for (const row of rows) {
      const reader = `${row.queue_url}|${row.aws_region}|${row.aws_access_key_id}`;
      let queue = queues.get(reader);
      if (!queue) {
        const access = { queueUrl: row.queue_url, region: row.aws_region, accessKeyId: row.aws_access_key_id, secretAccessKey: await this.secrets.decrypt(row.aws_secret_encrypted) };
        queues.set(reader, (queue = { access, storeIds: [] }));
      }
      queue.storeIds.push(row.store_id);
    }
    return [...queues].map(([reader, queue]) => {
      const storeIds = queue.storeIds.sort((a, b) => a - b);
      const secret = crypto.createHash('sha256').update(queue.access.secretAccessKey).digest('hex').slice(0, 16);
      return { key: `${reader}|${secret}|${storeIds.join(',')}`, access: queue.access, storeIds };
    });
  }

  /** Turns real-time updates on (or changes their queue, key or poll interval) for a store. */
  async enable(storeId: number, input: RealtimeUpdatesInput): Promise<RealtimeUpdatesResult> {
    const store = await this.stores.get(storeId);
    const current = await this.get(storeId);
    const checked = this.checkInput(input, current);
    if ('errors' in checked) return { ok: false, errors: checked.errors };
    const { access, pollIntervalMinutes } = checked;
    if (access.secretAccessKey === '') access.secretAccessKey = await this.savedSecret(storeId);
    const notSyncing = store.status !== 'active' ? 'the store is Inactive: make it Active first' : authorizationProblem(store);
    if (notSyncing !== null) return { ok: false, errors: [{ field: 'store', message: notSyncing }] };
    try {
      const queueArn = await this.checkQueue(access);
      const { destinationId, subscriptionId } = await this.clients.run(store, {}, (client) => this.subscribe(client, store, queueArn));
      const row = {
        enabled: true,
        queue_url: access.queueUrl,
        queue_arn: queueArn,
        aws_region: access.region,
        aws_access_key_id: access.accessKeyId,
        aws_secret_encrypted: await this.secrets.encrypt(access.secretAccessKey),
        destination_id: destinationId,
        subscription_id: subscriptionId,
        poll_interval_minutes: pollIntervalMinutes,
        last_error: null,
        last_error_at: null,
        updated_at: this.clock.now(),
      };
      if (current) await this.db(STORE_NOTIFICATIONS_TABLE).where({ store_id: storeId }).update(row);
      else await this.db(STORE_NOTIFICATIONS_TABLE).insert({ store_id: storeId, ...row });
      return { ok: true, notifications: (await this.get(storeId))! };
    } catch (error) {
      if (error instanceof Refused) return { ok: false, errors: [error.error] };
      throw error;
    }
  }

  /**
   * Turns them off: the seller's subscription is deleted at Amazon unless another store of the
   * seller still has notifications on (Amazon sends all of a seller's to the one subscription).
   * The queue settings stay, so turning them on again needs no secret typed again.
   */
  async disable(storeId: number): Promise<StoreNotifications | null> {
    const current = await this.get(storeId);
    if (!current?.enabled) return current;
    const store = await this.stores.get(storeId);
    if (current.subscriptionId !== null && !(await this.subscriptionSharedWithOtherStore(store, current.subscriptionId))) {
      await this.clients.run(store, {}, (client) => client.notifications.deleteOrderChangeSubscription(current.subscriptionId!));
    }
    await this.db(STORE_NOTIFICATIONS_TABLE).where({ store_id: storeId }).update({ enabled: false, subscription_id: null, updated_at: this.clock.now() });
    return this.get(storeId);
  }

  /**
   * The stores whose safety-net poll is not due: their notifications arrive (notificationsArrive)
   * and their last successful sync is younger than their poll interval.
   */
  async pollNotDue(): Promise<Set<number>> {
    const now = this.clock.now();
    const lastSuccess = new Map<number, Date>(
      (await this.db('amazon_sync_state').whereNotNull('last_success_at').select('store_id', 'last_success_at')).map((r) => [Number(r.store_id), fromDb(r.last_success_at)]),
    );
    const notDue = new Set<number>();
    for (const n of await this.list()) {
      const last = lastSuccess.get(n.storeId);
      if (last && notificationsArrive(n, now) && last.getTime() > now.getTime() - n.pollIntervalMinutes * 60_000) notDue.add(n.storeId);
    }
    return notDue;
  }

  /** A consumer is reading these stores' queue now (a long poll starts). */
  async recordReading(storeIds: number[]): Promise<void> {
    await this.db(STORE_NOTIFICATIONS_TABLE).whereIn('store_id', storeIds).update({ last_read_at: this.clock.now() });
  }

  /** A consumer read these stores' queue (`handled`: the messages it handled, maybe none). */
  async recordReceived(storeIds: number[], handled: Array<{ storeId: number; lagMs: number | null }>): Promise<void> {
    const now = this.clock.now();
    await this.db(STORE_NOTIFICATIONS_TABLE).whereIn('store_id', storeIds).whereNotNull('last_error').update({ last_error: null, last_error_at: null });
    // One update per store of the batch: how many it got, and the lag of its last one.
    const byStore = new Map<number, { count: number; lagMs: number | null }>();
    for (const { storeId, lagMs } of handled) byStore.set(storeId, { count: (byStore.get(storeId)?.count ?? 0) + 1, lagMs });
    for (const [storeId, { count, lagMs }] of byStore) {
      await this.db(STORE_NOTIFICATIONS_TABLE)
        .where({ store_id: storeId })
        .update({ last_received_at: now, last_lag_ms: lagMs, messages_processed: this.db.raw('messages_processed + ?', [count]) });
    }
  }

  /** The queue could not be read: shown on the stores' health until a read works again. */
  async recordQueueError(storeIds: number[], message: string): Promise<void> {
    await this.db(STORE_NOTIFICATIONS_TABLE).whereIn('store_id', storeIds).update({ last_error: shorten(message, 1000), last_error_at: this.clock.now() });
  }

  private checkInput(input: RealtimeUpdatesInput, current: StoreNotifications | null): { access: QueueAccess; pollIntervalMinutes: number } | { errors: RealtimeUpdatesError[] } {
    const errors: RealtimeUpdatesError[] = [];
    const queueUrl = input.queueUrl.trim();
    const urlProblem = queueUrlProblem(queueUrl);
    if (urlProblem !== null) errors.push({ field: 'queue_url', message: urlProblem });
    const named = urlProblem === null ? queueUrlRegion(queueUrl) : null;
    const region = (input.region ?? '').trim() || named || '';
    if (urlProblem === null && !REGION.test(region)) errors.push({ field: 'region', message: region === '' ? 'is required for a queue URL that does not name its region' : 'must be an AWS region such as us-east-1' });
    else if (named !== null && region !== named) errors.push({ field: 'region', message: `must be ${named}, the region of the queue URL` });
    const accessKeyId = input.accessKeyId.trim();
    if (!ACCESS_KEY_ID.test(accessKeyId)) errors.push({ field: 'access_key_id', message: 'must be an AWS access key id (16 or more capital letters and digits, e.g. AKIA...)' });
    const secret = input.secretAccessKey ?? '';
    if (secret.length > SECRET_LIMIT) errors.push({ field: 'secret_access_key', message: `must be at most ${SECRET_LIMIT} characters` });
    const keepSecret = secret === '' && current !== null && current.accessKeyId === accessKeyId;
    if (secret === '' && !keepSecret) errors.push({ field: 'secret_access_key', message: current ? 'is required for a new access key id' : 'is required' });
    const poll = input.pollIntervalMinutes ?? current?.pollIntervalMinutes ?? POLL_INTERVAL.default;
    if (!Number.isInteger(poll) || poll < POLL_INTERVAL.min || poll > POLL_INTERVAL.max) {
      errors.push({ field: 'poll_interval_minutes', message: `must be a whole number of minutes from ${POLL_INTERVAL.min} to ${POLL_INTERVAL.max}` });
    }
    if (errors.length > 0) return { errors };
    // Empty: the saved secret of the same key is kept.
    return { access: { queueUrl, region, accessKeyId, secretAccessKey: secret }, pollIntervalMinutes: poll };
  }

  private async savedSecret(storeId: number): Promise<string> {
    const row = await this.db<Row>(STORE_NOTIFICATIONS_TABLE).where({ store_id: storeId }).first('aws_secret_encrypted');
    return this.secrets.decrypt(row!.aws_secret_encrypted);
  }

  /** The queue's ARN, once SQS confirmed the key may read it and it is a standard queue. */
  private async checkQueue(access: QueueAccess): Promise<string> {
    const queue = new SqsQueue(access);
    try {
      const { arn, fifo } = await queue.describe();
      if (fifo) throw new Refused({ field: 'queue_url', message: 'names a FIFO queue: Amazon sends notifications only to standard queues' });
      return arn;
    } catch (error) {
      if (!(error instanceof QueueAccessError)) throw error;
      const field = error.kind === 'credentials' ? 'secret_access_key' : 'queue_url';
      throw new Refused({ field, message: error.message });
    } finally {
      queue.close();
    }
  }

  /** The application's destination for the queue and the seller's subscription to it, found or made. */
  private async subscribe(client: SpApiClient, store: AmazonStore, queueArn: string): Promise<{ destinationId: string; subscriptionId: string }> {
    const api = client.notifications;
    try {
      const destinationId = await this.destinationFor(client, queueArn);
      let subscription = await api.getOrderChangeSubscription();
      if (subscription === null) {
        try {
          subscription = await api.createOrderChangeSubscription(destinationId);
        } catch (error) {
          // Made meanwhile (another admin, another process): read it.
          if (!(error instanceof AmazonApiError && error.status === 409)) throw error;
          subscription = await api.getOrderChangeSubscription();
          if (subscription === null) throw error;
        }
      }
      if (subscription.destinationId !== destinationId && !(await this.subscriptionSharedWithOtherStore(store, subscription.subscriptionId))) {
        // This store's own (its queue changed), or one no store here uses any more: moved to the new queue.
        await api.deleteOrderChangeSubscription(subscription.subscriptionId);
        subscription = await api.createOrderChangeSubscription(destinationId);
      }
      if (subscription.destinationId !== destinationId) {
        throw new Refused({
          field: 'queue_url',
          message: `Amazon already sends the order changes of seller ${store.sellerId} to another destination (${subscription.destinationId}): every store of a seller uses one queue; use that queue, or turn real-time updates off for the seller's other stores first`,
        });
      }
      return { destinationId, subscriptionId: subscription.subscriptionId };
    } catch (error) {
      if (error instanceof AmazonError) throw new Refused({ field: 'queue_url', message: `Amazon refused: ${error.message}` });
      throw error;
    }
  }

  private async destinationFor(client: SpApiClient, queueArn: string): Promise<string> {
    const api = client.notifications;
    const existing = (await api.getDestinations()).find((d) => d.resource.sqs?.arn === queueArn);
    if (existing) return existing.destinationId;
    try {
      return (await api.createDestination(DESTINATION_NAME, queueArn)).destinationId;
    } catch (error) {
      if (!(error instanceof AmazonApiError && error.status === 409)) throw error;
      const made = (await api.getDestinations()).find((d) => d.resource.sqs?.arn === queueArn);
      if (!made) throw error;
      return made.destinationId;
    }
  }

  /** Whether another store of the seller has notifications on through this subscription. */
  private async subscriptionSharedWithOtherStore(store: AmazonStore, subscriptionId: string): Promise<boolean> {
    const others = await this.db(STORE_NOTIFICATIONS_TABLE)
      .join('amazon_store', 'amazon_store.id', `${STORE_NOTIFICATIONS_TABLE}.store_id`)
      .where({ 'amazon_store.seller_id': store.sellerId, enabled: true, subscription_id: subscriptionId })
      .whereNot('store_id', store.id)
      .first('store_id');
    return others !== undefined;
  }
}
