/**
 * A store's Real-time updates page: what they do and what Amazon needs (a standard SQS queue that
 * Amazon's notifications account may send to, an AWS key that may read it), the queue's health,
 * and the form that turns them on or changes them (POST), and Turn off (its own POST). The AWS
 * secret is write-only: never rendered, not even back into a refused form; an empty field keeps
 * the saved one of the same access key. The work is RealtimeUpdates' (src/notifications), as for
 * `asc notifications:on` / `notifications:off`.
 */
import { inject, injectable, injectFromBase } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import { AmazonError } from '../amazon/errors.ts';
import {
  POLL_INTERVAL,
  RealtimeUpdates,
  type RealtimeUpdatesError,
  type RealtimeUpdatesInput,
  type StoreNotifications,
} from '../notifications/realtime-updates.ts';
import { authorizationProblem, type AmazonStore } from '../stores/store.ts';
import { StoreNotAuthorized, Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { timeText } from './format.ts';
import { ModuleRoute, storeIdParam } from './module-route.ts';
import { storeHead, type PageHead } from './page-head.ts';
import { NORMAL_POLL_MINUTES, realtimeHealthView } from './realtime-health.ts';
import { AdminViews } from './renderer.ts';

const TITLE = 'Real-time updates';

/** Amazon's account that sends Selling Partner API notifications to SQS queues. */
export const AMAZON_NOTIFICATIONS_ACCOUNT = '437568002678';
const ARN_PLACEHOLDER = 'arn:aws:sqs:REGION:ACCOUNT_ID:QUEUE_NAME';

type FieldName = Exclude<RealtimeUpdatesError['field'], 'store'>;

/** The form as posted (or as saved): what the fields show again. Never the secret. */
type FormValues = Record<Exclude<FieldName, 'secret_access_key'>, string>;

const FLASHES = new Map<string, NonNullable<PageHead['flash']>>([
  ['on', { tone: 'ok', text: 'Real-time updates are on: Amazon sends this store\'s order changes to the queue, and they are imported within seconds.' }],
  ['saved', { tone: 'ok', text: 'The real-time updates settings were saved.' }],
  ['off', { tone: 'info', text: `Real-time updates are off: this store's orders come with the sync every ${NORMAL_POLL_MINUTES} minutes again. The queue and key stay saved for turning them on again.` }],
]);

/** Amazon's statement for the queue's access policy: its notifications account may send to the queue. */
export function queuePolicyStatement(queueArn: string): string {
  return JSON.stringify(
    {
      Sid: 'AllowSellingPartnerApiNotifications',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${AMAZON_NOTIFICATIONS_ACCOUNT}:root` },
      Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      Resource: queueArn,
    },
    null,
    2,
  );
}

function formValues(form: URLSearchParams): FormValues {
  const text = (name: FieldName) => form.get(name) ?? '';
  return { queue_url: text('queue_url'), region: text('region'), access_key_id: text('access_key_id'), poll_interval_minutes: text('poll_interval_minutes') };
}

function savedValues(saved: StoreNotifications | null, sharedQueue: StoreNotifications | null): FormValues {
  if (saved) return { queue_url: saved.queueUrl, region: saved.region, access_key_id: saved.accessKeyId, poll_interval_minutes: String(saved.pollIntervalMinutes) };
  // Stores of one seller share Amazon's one subscription, so they must share its queue.
  return { queue_url: sharedQueue?.queueUrl ?? '', region: sharedQueue?.region ?? '', access_key_id: '', poll_interval_minutes: String(POLL_INTERVAL.default) };
}

function serviceInput(form: URLSearchParams): RealtimeUpdatesInput {
  const values = formValues(form);
  const poll = values.poll_interval_minutes.trim();
  return {
    queueUrl: values.queue_url,
    region: values.region,
    accessKeyId: values.access_key_id,
    secretAccessKey: form.get('secret_access_key') ?? '',
    // Not digits: no number, so the service says what the field takes.
    pollIntervalMinutes: poll === '' ? undefined : /^\d{1,7}$/.test(poll) ? Number(poll) : Number.NaN,
  };
}

@injectable()
abstract class RealtimeRoute extends ModuleRoute {
  readonly acl = Acl.orderSettings;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) protected readonly stores: Stores,
    @inject(RealtimeUpdates) protected readonly realtime: RealtimeUpdates,
    @inject(Ports.Logger) protected readonly logger: LoggerPort,
    @inject(Ports.Clock) protected readonly clock: ClockPort,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    return this.act(await this.stores.get(storeIdParam(request)), request, urls);
  }

  protected abstract act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse>;

  /** The page; `values` and `errors` are a refused form's (`values` null: the saved settings). */
  protected async form(store: AmazonStore, request: AdminRequest, urls: AdminUrls, values: FormValues | null, errors: RealtimeUpdatesError[] = []): Promise<AdminResponse> {
    const [all, stores] = await Promise.all([this.realtime.list(), this.stores.list()]);
    const saved = all.find((n) => n.storeId === store.id) ?? null;
    const byId = new Map(stores.map((s) => [s.id, s]));
    // The seller's other stores with real-time updates on, and their queue.
    const siblings = all.filter((n) => n.enabled && n.storeId !== store.id && byId.get(n.storeId)?.sellerId === store.sellerId);
    const shown = values ?? savedValues(saved, siblings[0] ?? null);
    const errorOf = (field: RealtimeUpdatesError['field']) => {
      const messages = errors.filter((e) => e.field === field).map((e) => e.message);
      return messages.length > 0 ? messages.join('; ') : null;
    };
    const field = (name: Exclude<FieldName, 'secret_access_key'>, label: string, hint: string) => ({ id: `asc-rt-${name}`, name, label, hint, value: shown[name], error: errorOf(name) });
    const on = saved?.enabled === true;
    const secretSaved = saved !== null;
    const problem = authorizationProblem(store);
    const notSyncing =
      store.status !== 'active'
        ? 'The store is Inactive: make it Active before turning real-time updates on.'
        : problem && `${problem.replace(/^./, (c) => c.toUpperCase())}${problem.endsWith('.') ? '' : '.'} Amazon's notifications need a connected store.`;
    const flash = values === null ? (FLASHES.get(request.query.get('realtime') ?? '') ?? null) : null;
    return this.page(`${TITLE} · ${store.name}`, 'realtime-updates', {
      head: storeHead(store, urls, request, 'realtime', TITLE, flash),
      on,
      health: realtimeHealthView(saved, this.clock.now()),
      saved: saved
        ? { queueUrl: saved.queueUrl, queueArn: saved.queueArn, region: saved.region, accessKeyId: saved.accessKeyId, updated: timeText(saved.updatedAt) }
        : null,
      normalPoll: NORMAL_POLL_MINUTES,
      defaultPoll: POLL_INTERVAL.default,
      pollInterval: saved?.pollIntervalMinutes ?? POLL_INTERVAL.default,
      account: AMAZON_NOTIFICATIONS_ACCOUNT,
      policy: queuePolicyStatement(saved?.queueArn || ARN_PLACEHOLDER),
      sellerId: store.sellerId,
      siblings: siblings.map((n) => ({ name: byId.get(n.storeId)!.name, href: urls.realtime(n.storeId), queueUrl: n.queueUrl })),
      notSyncing: on ? null : notSyncing,
      csrfField: CSRF_FIELD,
      csrfToken: request.csrfToken,
      action: urls.realtime(store.id),
      offAction: on ? urls.realtimeOff(store.id) : null,
      hasErrors: errors.length > 0,
      storeError: errorOf('store'),
      queueUrl: field('queue_url', 'Queue URL', 'As SQS shows it: https://sqs.<region>.amazonaws.com/<account>/<queue name>. A standard queue, not FIFO.'),
      region: field('region', 'AWS region', 'Optional when the queue URL names it (sqs.us-east-1.amazonaws.com: us-east-1).'),
      accessKeyId: field('access_key_id', 'Access key ID', 'Of an IAM user allowed sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on the queue.'),
      secret: {
        id: 'asc-rt-secret_access_key',
        name: 'secret_access_key',
        error: errorOf('secret_access_key'),
        hint: secretSaved
          ? `Saved for access key ${saved.accessKeyId}, and never shown. Leave empty to keep it (for the same access key ID); type a new one to replace it.`
          : 'Stored encrypted and never shown again.',
      },
      poll: { ...field('poll_interval_minutes', 'Safety-net poll (minutes)', `The sync still runs this often meanwhile (default ${POLL_INTERVAL.default}), and every ${NORMAL_POLL_MINUTES} minutes while the queue cannot be read or no process reads it.`), min: POLL_INTERVAL.min, max: POLL_INTERVAL.max },
      submitLabel: on ? 'Save' : 'Turn on',
    }, errors.length > 0 ? 422 : undefined);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class RealtimeUpdatesPage extends RealtimeRoute {
  readonly id = 'amazon_store_realtime';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.realtime;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    return this.form(store, request, urls, null);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class RealtimeUpdatesAction extends RealtimeRoute {
  readonly id = 'amazon_store_realtime_save';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.realtime;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const wasOn = (await this.realtime.get(store.id))?.enabled === true;
    const result = await this.realtime.enable(store.id, serviceInput(request.form));
    // The typed secret is not sent back into the page.
    if (!result.ok) return this.form(store, request, urls, formValues(request.form), result.errors);
    this.logger.info('Amazon real-time updates on', { storeId: store.id, queueUrl: result.notifications.queueUrl, by: request.user.username });
    return { kind: 'redirect', location: urls.realtime(store.id, new URLSearchParams({ realtime: wasOn ? 'saved' : 'on' })) };
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class RealtimeUpdatesOffAction extends RealtimeRoute {
  readonly id = 'amazon_store_realtime_off';
  readonly method = 'POST';
  readonly path = ROUTE_PATHS.realtimeOff;

  protected async act(store: AmazonStore, request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    try {
      await this.realtime.disable(store.id);
    } catch (error) {
      // Amazon's subscription could not be deleted: nothing was changed, the updates stay on.
      if (error instanceof StoreNotAuthorized) return this.message(request, 409, 'Real-time updates not turned off', `${error.message}; nothing was changed.`);
      if (error instanceof AmazonError) {
        return this.message(request, 502, 'Real-time updates not turned off', `Amazon's subscription to the store's order changes could not be deleted (${error.message}); nothing was changed. Try again.`);
      }
      throw error;
    }
    this.logger.info('Amazon real-time updates off', { storeId: store.id, by: request.user.username });
    return { kind: 'redirect', location: urls.realtime(store.id, new URLSearchParams({ realtime: 'off' })) };
  }
}
