/** asc settings:get / settings:set — a store's Order Settings from the console. */
import { inject, injectable } from 'inversify';
import { CliUsageError, type CliCommandContribution, type CliFlagValue, type CliIO } from '../host/contributions.ts';
import { FEED_INTERVAL_MINUTES, type OrderSettings } from '../stores/order-settings.ts';
import { Stores } from '../stores/stores.ts';
import { withUsageErrors } from './errors.ts';
import { printJson, printTable } from './output.ts';

const FLAG_FOR_FIELD: Record<keyof OrderSettings, string> = {
  importEnabled: '--import-orders',
  hostStoreView: '--store-view',
  customerCreation: '--customer-creation',
  orderNumberSource: '--order-number-source',
  reservePending: '--reserve-pending',
  orderStatus: '--order-status',
  processingStatus: '--processing-status',
  readOnly: '--read-only',
  feedIntervalMinutes: '--feed-interval',
};

/** The JSON shape of Order Settings in --json output. */
export function settingsJson(storeId: number, settings: OrderSettings) {
  return {
    storeId,
    importOrders: settings.importEnabled ? 'enabled' : 'disabled',
    storeView: settings.hostStoreView,
    customerCreation: settings.customerCreation,
    orderNumberSource: settings.orderNumberSource,
    reservePending: settings.reservePending,
    orderStatus: settings.orderStatus,
    processingStatus: settings.processingStatus,
    readOnly: settings.readOnly,
    feedIntervalMinutes: settings.feedIntervalMinutes,
  };
}

function printSettings(io: CliIO, storeId: number, settings: OrderSettings, json: boolean): void {
  const view = settingsJson(storeId, settings);
  if (json) printJson(io, view);
  else printTable(io, ['SETTING', 'VALUE'], Object.entries(view).map(([key, value]) => [key, value === null ? '-' : String(value)]));
}

@injectable()
export class SettingsGetCommand implements CliCommandContribution {
  readonly name = 'settings:get';
  readonly summary = "Show a store's Order Settings";
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'json', type: 'switch', description: 'Print JSON' },
  ] as const;

  constructor(@inject(Stores) private readonly stores: Stores) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const storeId = flags.store as number;
    const settings = await withUsageErrors(() => this.stores.settings(storeId));
    printSettings(io, storeId, settings, Boolean(flags.json));
    return 0;
  }
}

@injectable()
export class SettingsSetCommand implements CliCommandContribution {
  readonly name = 'settings:set';
  readonly summary = "Change a store's Order Settings (they take effect on the next sync)";
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'import-orders', type: 'enum', values: ['enabled', 'disabled'], description: 'Import Amazon Orders' },
    { name: 'store-view', type: 'string', description: 'Host store view code the orders are created in' },
    { name: 'customer-creation', type: 'enum', values: ['guest', 'account'], description: 'No customer (guest) or build a new customer account' },
    { name: 'order-number-source', type: 'enum', values: ['host', 'amazon'], description: 'Host order number or the Amazon order id' },
    { name: 'reserve-pending', type: 'boolean', description: 'Reserve stock for Pending merchant-fulfilled orders' },
    { name: 'order-status', type: 'enum', values: ['default', 'custom'], description: 'Default or custom status for imported orders' },
    { name: 'processing-status', type: 'string', description: 'Host status for imported orders (with --order-status custom)' },
    { name: 'read-only', type: 'boolean', description: 'Read-Only Mode: record shipments, cancels and refunds, send nothing to Amazon' },
    { name: 'feed-interval', type: 'enum', values: FEED_INTERVAL_MINUTES.map(String), description: 'Minutes between feeds of cancels and of refunds (0: at once; Amazon asks for 20)' },
    { name: 'json', type: 'switch', description: 'Print the saved settings as JSON' },
  ] as const;

  constructor(@inject(Stores) private readonly stores: Stores) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const storeId = flags.store as number;
    const change: Partial<OrderSettings> = {};
    if (flags['import-orders'] !== undefined) change.importEnabled = flags['import-orders'] === 'enabled';
    if (flags['store-view'] !== undefined) change.hostStoreView = flags['store-view'] as string;
    if (flags['customer-creation'] !== undefined) change.customerCreation = flags['customer-creation'] as OrderSettings['customerCreation'];
    if (flags['order-number-source'] !== undefined) change.orderNumberSource = flags['order-number-source'] as OrderSettings['orderNumberSource'];
    if (flags['reserve-pending'] !== undefined) change.reservePending = flags['reserve-pending'] as boolean;
    if (flags['order-status'] !== undefined) change.orderStatus = flags['order-status'] as OrderSettings['orderStatus'];
    if (flags['processing-status'] !== undefined) change.processingStatus = flags['processing-status'] as string;
    if (flags['read-only'] !== undefined) change.readOnly = flags['read-only'] as boolean;
    if (flags['feed-interval'] !== undefined) change.feedIntervalMinutes = Number(flags['feed-interval']) as OrderSettings['feedIntervalMinutes'];
    if (Object.keys(change).length === 0) throw new CliUsageError('nothing to change: give at least one setting flag (see asc settings:set --help)');

    const result = await withUsageErrors(() => this.stores.updateSettings(storeId, change));
    if (!result.ok) {
      throw new CliUsageError(result.errors.map((e) => `${FLAG_FOR_FIELD[e.field]} ${e.message}`).join('; '));
    }
    printSettings(io, storeId, result.settings, Boolean(flags.json));
    return 0;
  }
}
