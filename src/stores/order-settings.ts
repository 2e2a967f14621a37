/**
 * Order Settings of one Amazon store: the original's fields and defaults, and the rules for
 * changing them. Pure: the repository loads and stores, the CLI and the admin form both validate
 * through `applySettingsChange`.
 */
import { quoted } from '../text.ts';

export interface OrderSettings {
  importEnabled: boolean;
  /** Host store view the orders are created in; null = the host's default store view. */
  hostStoreView: string | null;
  customerCreation: 'guest' | 'account';
  orderNumberSource: 'host' | 'amazon';
  reservePending: boolean;
  orderStatus: 'default' | 'custom';
  /** The host status for imported orders when orderStatus is custom. */
  processingStatus: string | null;
  /** Record shipments, cancels and refunds but send nothing that changes an order at Amazon. */
  readOnly: boolean;
  /** Cancels and refunds go out in one feed per type at most this often (0: at once). */
  feedIntervalMinutes: FeedIntervalMinutes;
}

/** The feed intervals an admin may choose (Amazon asks for at most one feed of a type every 20 minutes). */
export const FEED_INTERVAL_MINUTES = [0, 5, 10, 20, 30, 60] as const;
export type FeedIntervalMinutes = (typeof FEED_INTERVAL_MINUTES)[number];

/** Fulfillment settings apply whether or not orders are imported (a view-only store still cancels). */
const FULFILLMENT_FIELDS: ReadonlyArray<keyof OrderSettings> = ['readOnly', 'feedIntervalMinutes'];

export const DEFAULT_ORDER_SETTINGS: OrderSettings = {
  importEnabled: true,
  hostStoreView: null,
  customerCreation: 'guest',
  orderNumberSource: 'host',
  reservePending: true,
  orderStatus: 'default',
  processingStatus: null,
  readOnly: false,
  feedIntervalMinutes: 20,
};

/** Field ids as module.json's settings schema names them. */
export const SETTINGS_FIELDS = {
  importEnabled: 'import_enabled',
  hostStoreView: 'host_store_view',
  customerCreation: 'customer_creation',
  orderNumberSource: 'order_number_source',
  reservePending: 'reserve_pending',
  orderStatus: 'order_status',
  processingStatus: 'processing_status',
  readOnly: 'read_only',
  feedIntervalMinutes: 'feed_interval_minutes',
} as const satisfies Record<keyof OrderSettings, string>;

export interface SettingsError {
  field: keyof OrderSettings;
  message: string;
}

export interface SettingsChoices {
  /** Host store view codes. */
  storeViews: string[];
  /** Host order statuses that may be chosen as the processing status. */
  statuses: string[];
}

export type SettingsChangeResult = { ok: true; settings: OrderSettings } | { ok: false; errors: SettingsError[] };

/**
 * Applies a change to the current settings, or explains every reason it cannot. As in the
 * original, the import fields are locked while import is disabled (the fulfillment ones are not),
 * and a processing status exists only together with a custom order status.
 */
export function applySettingsChange(current: OrderSettings, change: Partial<OrderSettings>, choices: SettingsChoices): SettingsChangeResult {
  const errors: SettingsError[] = [];
  const next: OrderSettings = { ...current, ...change };

  const changedOtherThanImport = (Object.keys(change) as Array<keyof OrderSettings>).filter(
    (field) => field !== 'importEnabled' && !FULFILLMENT_FIELDS.includes(field) && change[field] !== undefined && change[field] !== current[field],
  );
  if (!next.importEnabled && changedOtherThanImport.length > 0) {
    for (const field of changedOtherThanImport) {
      errors.push({ field, message: 'cannot be changed while Import Amazon Orders is Disabled; enable import first' });
    }
  }
  if (next.hostStoreView !== null && !choices.storeViews.includes(next.hostStoreView)) {
    errors.push({ field: 'hostStoreView', message: `unknown store view ${quoted(next.hostStoreView)} (known: ${choices.storeViews.join(', ')})` });
  }
  if (next.orderStatus === 'custom') {
    if (next.processingStatus === null || next.processingStatus === '') {
      errors.push({ field: 'processingStatus', message: 'is required when Order Status is Custom' });
    } else if (!choices.statuses.includes(next.processingStatus)) {
      errors.push({ field: 'processingStatus', message: `unknown order status ${quoted(next.processingStatus)} (known: ${choices.statuses.join(', ')})` });
    }
  } else if (change.processingStatus !== undefined && change.processingStatus !== null) {
    errors.push({ field: 'processingStatus', message: 'applies only when Order Status is Custom' });
  }
  if (!(FEED_INTERVAL_MINUTES as readonly number[]).includes(next.feedIntervalMinutes)) {
    errors.push({ field: 'feedIntervalMinutes', message: `must be one of ${FEED_INTERVAL_MINUTES.join(', ')} (minutes; 0 sends at once)` });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (next.orderStatus === 'default') next.processingStatus = null;
  return { ok: true, settings: next };
}
