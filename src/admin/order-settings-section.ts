/**
 * Order Settings of each Amazon store, as a section of the host's settings page (one scope per
 * store). The fields, labels and defaults are module.json's; the rules are `applySettingsChange`'s
 * (through `Stores.updateSettings`). While import is Disabled the other fields are disabled, as in
 * the original. Saved values are read by the next sync run.
 *
 * The host owns the <form> (its action, CSRF token and Save button); this section renders the
 * fields inside it and validates what the host hands back.
 */
import { inject, injectable } from 'inversify';
import type { AdminContext, SettingsFieldError, SettingsSectionContribution } from '../host/contributions.ts';
import manifest from '../../module.json' with { type: 'json' };
import { SETTINGS_FIELDS, type OrderSettings } from '../stores/order-settings.ts';
import { StoreNotFound, Stores } from '../stores/stores.ts';
import { Acl, ORDER_SETTINGS_SECTION } from './acl.ts';
import { AdminUrls } from './admin-urls.ts';
import { AdminViews } from './renderer.ts';
import { quoted } from '../text.ts';

type FieldId = (typeof SETTINGS_FIELDS)[keyof typeof SETTINGS_FIELDS];
type FormValues = Record<FieldId, string>;

interface SchemaField {
  id: string;
  label: string;
  options?: Array<{ value: string; label: string }>;
}

const schema = manifest.settings.find((s) => s.id === ORDER_SETTINGS_SECTION)!;
const schemaField = (id: FieldId): SchemaField => schema.fields.find((f) => f.id === id) as SchemaField;
const FIELD_KEYS = Object.fromEntries(Object.entries(SETTINGS_FIELDS).map(([key, id]) => [id, key])) as Record<FieldId, keyof OrderSettings>;

const HINTS: Partial<Record<FieldId, string>> = {
  import_enabled: 'Disabled: orders are still synced and shown, view-only, and open in Seller Central.',
  reserve_pending: 'Holds stock for Pending merchant-fulfilled orders until Amazon verifies them.',
  processing_status: 'Required when Order Status is Custom; ignored and cleared when it is Default.',
  read_only: 'For a staging copy: shipments, cancels and refunds are recorded and shown but not sent. Turning it off sends what is waiting, once.',
  feed_interval_minutes: 'Cancels and refunds are sent to Amazon in batches, one feed of each kind per interval; shipments go at once.',
};

function settingsValues(settings: OrderSettings): FormValues {
  return {
    import_enabled: settings.importEnabled ? 'enabled' : 'disabled',
    host_store_view: settings.hostStoreView ?? '',
    customer_creation: settings.customerCreation,
    order_number_source: settings.orderNumberSource,
    reserve_pending: String(settings.reservePending),
    order_status: settings.orderStatus,
    processing_status: settings.processingStatus ?? '',
    read_only: String(settings.readOnly),
    feed_interval_minutes: String(settings.feedIntervalMinutes),
  };
}

@injectable()
export class OrderSettingsSection implements SettingsSectionContribution {
  readonly id = ORDER_SETTINGS_SECTION;
  readonly title = schema.title;
  readonly acl = Acl.orderSettings;

  constructor(
    @inject(AdminViews) private readonly views: AdminViews,
    @inject(Stores) private readonly stores: Stores,
  ) {}

  async scopes(): Promise<Array<{ id: string; label: string }>> {
    return (await this.stores.list()).map((store) => ({ id: String(store.id), label: store.name }));
  }

  private async choices(): Promise<{ storeViews: Array<{ value: string; label: string }>; statuses: Array<{ value: string; label: string }> }> {
    const choices = await this.stores.settingsChoices();
    return {
      storeViews: choices.storeViews.map((view) => ({ value: view.code, label: `${view.websiteName} / ${view.name}` })),
      statuses: choices.statuses.map((status) => ({ value: status.code, label: status.label })),
    };
  }

  async render(context: AdminContext, scope: string, errors: SettingsFieldError[] = [], submitted?: URLSearchParams): Promise<string> {
    const storeId = this.storeId(scope);
    const store = storeId === null ? null : await this.stores.get(storeId).catch((error: unknown) => (error instanceof StoreNotFound ? null : Promise.reject(error)));
    if (!store || storeId === null) return this.views.render('order-settings-section', { missing: `There is no Amazon store ${quoted(scope)}.`, fields: [], storeName: '', dashboardHref: null });

    const values = settingsValues(await this.stores.settings(storeId));
    // After a refused save, show what the admin chose, not what is stored.
    if (submitted) for (const id of Object.keys(values) as FieldId[]) if (submitted.has(id)) values[id] = submitted.get(id) ?? '';
    const choices = await this.choices();
    const importDisabled = values.import_enabled === 'disabled';
    const canEdit = context.can(this.acl);
    const errorFor = new Map(errors.map((e) => [e.field, e.message]));

    const field = (id: FieldId, options: Array<{ value: string; label: string }>, disabled: boolean) => {
      // A stored value no longer offered (e.g. a removed store view) stays visible instead of silently changing.
      const all = options.some((o) => o.value === values[id]) || values[id] === '' ? options : [...options, { value: values[id], label: `${values[id]} (no longer available)` }];
      return {
        id: `asc-setting-${id}`,
        name: id,
        label: schemaField(id).label,
        hint: HINTS[id] ?? null,
        disabled: disabled || !canEdit,
        error: errorFor.get(id) ?? null,
        options: all.map((o) => ({ ...o, selected: o.value === values[id] })),
      };
    };
    const staticOptions = (id: FieldId) => schemaField(id).options ?? [];
    return this.views.render('order-settings-section', {
      missing: null,
      storeName: store.name,
      // Back to where the admin came from (the dashboard's Order Settings link), for those who may see it.
      dashboardHref: context.can(Acl.ordersView) ? new AdminUrls(context.basePath).dashboard(store.id) : null,
      generalError: errorFor.get('scope') ?? null,
      locked: importDisabled && canEdit,
      fields: [
        field('import_enabled', staticOptions('import_enabled'), false),
        field('host_store_view', values.host_store_view === '' ? [{ value: '', label: 'Default store view' }, ...choices.storeViews] : choices.storeViews, importDisabled),
        field('customer_creation', staticOptions('customer_creation'), importDisabled),
        field('order_number_source', staticOptions('order_number_source'), importDisabled),
        field('reserve_pending', staticOptions('reserve_pending'), importDisabled),
        field('order_status', staticOptions('order_status'), importDisabled),
        // Open whenever import is: without JavaScript, Custom and its status must be choosable in one save.
        field('processing_status', [{ value: '', label: 'Choose a status' }, ...choices.statuses], importDisabled),
        field('read_only', staticOptions('read_only'), false),
        field('feed_interval_minutes', staticOptions('feed_interval_minutes'), false),
      ],
    });
  }

  async save(context: AdminContext, scope: string, form: URLSearchParams): Promise<{ ok: true } | { ok: false; errors: SettingsFieldError[] }> {
    if (!context.can(this.acl)) return { ok: false, errors: [{ field: 'scope', message: 'You are not allowed to change Order Settings' }] };
    const storeId = this.storeId(scope);
    const stores = await this.stores.list();
    if (storeId === null || !stores.some((s) => s.id === storeId)) return { ok: false, errors: [{ field: 'scope', message: `There is no Amazon store ${quoted(scope)}` }] };

    const choices = await this.choices();
    const errors: SettingsFieldError[] = [];
    const allowed: Record<FieldId, string[]> = {
      import_enabled: staticValues('import_enabled'),
      host_store_view: ['', ...choices.storeViews.map((v) => v.value)],
      customer_creation: staticValues('customer_creation'),
      order_number_source: staticValues('order_number_source'),
      reserve_pending: staticValues('reserve_pending'),
      order_status: staticValues('order_status'),
      processing_status: ['', ...choices.statuses.map((s) => s.value)],
      read_only: staticValues('read_only'),
      feed_interval_minutes: staticValues('feed_interval_minutes'),
    };
    const change: Partial<OrderSettings> = {};
    const set = <K extends keyof OrderSettings>(key: K, value: OrderSettings[K]) => {
      change[key] = value;
    };
    for (const id of Object.keys(allowed) as FieldId[]) {
      // Disabled fields are not submitted: they keep their stored value.
      if (!form.has(id)) continue;
      const value = (form.get(id) ?? '').trim();
      if (!allowed[id].includes(value)) {
        errors.push({ field: id, message: `${schemaField(id).label}: ${quoted(value)} is not one of the choices` });
        continue;
      }
      switch (FIELD_KEYS[id]) {
        case 'importEnabled': set('importEnabled', value === 'enabled'); break;
        case 'hostStoreView': set('hostStoreView', value === '' ? null : value); break;
        case 'customerCreation': set('customerCreation', value as OrderSettings['customerCreation']); break;
        case 'orderNumberSource': set('orderNumberSource', value as OrderSettings['orderNumberSource']); break;
        case 'reservePending': set('reservePending', value === 'true'); break;
        case 'orderStatus': set('orderStatus', value as OrderSettings['orderStatus']); break;
        case 'processingStatus': set('processingStatus', value === '' ? null : value); break;
        case 'readOnly': set('readOnly', value === 'true'); break;
        case 'feedIntervalMinutes': set('feedIntervalMinutes', Number(value) as OrderSettings['feedIntervalMinutes']); break;
      }
    }
    if (errors.length > 0) return { ok: false, errors };
    // The field is always sent, so with Default it is ignored (the rules then clear it) instead of refused.
    if ((change.orderStatus ?? (await this.stores.settings(storeId)).orderStatus) === 'default') delete change.processingStatus;
    const result = await this.stores.updateSettings(storeId, change);
    if (result.ok) return { ok: true };
    // Labelled, because a host may list the messages away from their fields.
    return { ok: false, errors: result.errors.map((e) => ({ field: SETTINGS_FIELDS[e.field], message: `${schemaField(SETTINGS_FIELDS[e.field]).label}: ${e.message}` })) };
  }

  private storeId(scope: string): number | null {
    return /^[1-9]\d{0,9}$/.test(scope) ? Number(scope) : null;
  }
}

function staticValues(id: FieldId): string[] {
  return (schemaField(id).options ?? []).map((o) => o.value);
}
