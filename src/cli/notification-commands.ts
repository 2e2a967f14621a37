/**
 * Real-time updates from the console: `notifications:on` points a store's ORDER_CHANGE
 * notifications at an SQS queue (the AWS secret read from a file, never a flag), `notifications:off`
 * stops them, `notifications:status` shows each store's queue and its health (never the secret).
 */
import { inject, injectable } from 'inversify';
import { CliUsageError, type CliCommandContribution, type CliFlagValue, type CliIO } from '../host/contributions.ts';
import { POLL_INTERVAL, RealtimeUpdates, type RealtimeUpdatesError, type StoreNotifications } from '../notifications/realtime-updates.ts';
import { Stores } from '../stores/stores.ts';
import { withUsageErrors } from './errors.ts';
import { printJson, printTable } from './output.ts';
import { readSecretFile } from './secret-file.ts';

const FLAGS: Record<RealtimeUpdatesError['field'], string> = {
  queue_url: '--queue-url',
  region: '--region',
  access_key_id: '--access-key-id',
  secret_access_key: '--secret-access-key-file',
  poll_interval_minutes: '--poll-interval-minutes',
  store: '--store',
};

/** The JSON shape of a store's real-time updates (the secret is only said to be saved). */
export function notificationsJson(n: StoreNotifications) {
  return {
    storeId: n.storeId,
    enabled: n.enabled,
    queueUrl: n.queueUrl,
    queueArn: n.queueArn,
    region: n.region,
    accessKeyId: n.accessKeyId,
    secretAccessKey: 'saved (never shown)',
    destinationId: n.destinationId,
    subscriptionId: n.subscriptionId,
    pollIntervalMinutes: n.pollIntervalMinutes,
    lastReceivedAt: n.lastReceivedAt?.toISOString() ?? null,
    lastLagMs: n.lastLagMs,
    messagesProcessed: n.messagesProcessed,
    lastError: n.lastError,
    lastErrorAt: n.lastErrorAt?.toISOString() ?? null,
  };
}

@injectable()
export class NotificationsOnCommand implements CliCommandContribution {
  readonly name = 'notifications:on';
  readonly summary = "Send a store's Amazon order changes to an SQS queue in seconds (creates Amazon's destination and subscription)";
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'queue-url', type: 'string', required: true, description: 'The standard SQS queue, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/amazon-orders' },
    { name: 'region', type: 'string', description: "AWS region (default: the queue URL's)" },
    { name: 'access-key-id', type: 'string', required: true, description: 'AWS access key allowed to receive and delete the queue\'s messages' },
    { name: 'secret-access-key-file', type: 'string', description: "File whose first line is the key's secret; /dev/stdin reads a pipe (may be left out to keep the saved one of the same key)" },
    { name: 'poll-interval-minutes', type: 'int', min: 1, description: `Safety-net searchOrders poll meanwhile, in minutes (default ${POLL_INTERVAL.default})` },
    { name: 'json', type: 'switch', description: 'Print the settings as JSON' },
  ] as const;

  constructor(
    @inject(RealtimeUpdates) private readonly realtime: RealtimeUpdates,
    @inject(Stores) private readonly stores: Stores,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const storeId = flags.store as number;
    await withUsageErrors(() => this.stores.get(storeId));
    const secretFile = flags['secret-access-key-file'];
    const result = await this.realtime.enable(storeId, {
      queueUrl: String(flags['queue-url']),
      region: flags.region === undefined ? undefined : String(flags.region),
      accessKeyId: String(flags['access-key-id']),
      secretAccessKey: secretFile === undefined ? '' : await readSecretFile(String(secretFile), '--secret-access-key-file', 'the secret access key'),
      pollIntervalMinutes: flags['poll-interval-minutes'] as number | undefined,
    });
    if (!result.ok) throw new CliUsageError(result.errors.map((e) => `${FLAGS[e.field]}: ${e.message}`).join('; '));
    if (flags.json) printJson(io, notificationsJson(result.notifications));
    else io.stdout.write(`Store ${storeId}: real-time updates on; Amazon sends its order changes to ${result.notifications.queueUrl} (the poll runs every ${result.notifications.pollIntervalMinutes} minutes meanwhile)\n`);
    return 0;
  }
}

@injectable()
export class NotificationsOffCommand implements CliCommandContribution {
  readonly name = 'notifications:off';
  readonly summary = "Stop a store's real-time updates (its orders come with the 5-minute poll again)";
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'json', type: 'switch', description: 'Print the settings as JSON' },
  ] as const;

  constructor(
    @inject(RealtimeUpdates) private readonly realtime: RealtimeUpdates,
    @inject(Stores) private readonly stores: Stores,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const storeId = flags.store as number;
    await withUsageErrors(() => this.stores.get(storeId));
    const notifications = await this.realtime.disable(storeId);
    if (flags.json) printJson(io, notifications ? notificationsJson(notifications) : null);
    else io.stdout.write(`Store ${storeId}: real-time updates off\n`);
    return 0;
  }
}

@injectable()
export class NotificationsStatusCommand implements CliCommandContribution {
  readonly name = 'notifications:status';
  readonly summary = "Each store's real-time updates: queue, last notification, queue lag, messages processed, last error";
  readonly flags = [{ name: 'json', type: 'switch', description: 'Print a JSON array' }] as const;

  constructor(@inject(RealtimeUpdates) private readonly realtime: RealtimeUpdates) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const all = await this.realtime.list();
    if (flags.json) {
      printJson(io, all.map(notificationsJson));
      return 0;
    }
    if (all.length === 0) io.stdout.write('No store has real-time updates; turn them on with asc notifications:on\n');
    else {
      printTable(
        io,
        ['STORE', 'ON', 'QUEUE', 'LAST RECEIVED', 'LAG MS', 'PROCESSED', 'LAST ERROR'],
        all.map((n) => [String(n.storeId), n.enabled ? 'yes' : 'no', n.queueUrl, n.lastReceivedAt?.toISOString() ?? '-', n.lastLagMs === null ? '-' : String(n.lastLagMs), String(n.messagesProcessed), n.lastError ?? '-']),
      );
    }
    return 0;
  }
}
