/**
 * Amazon stores and their Order Settings in the module's tables. Credentials are encrypted through
 * the host's secrets port and only decrypted for a call to Amazon.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, OrdersPort, SecretsPort, StoreViewsPort } from '../host/ports.ts';
import { fromDb } from '../db/time.ts';
import { applySettingsChange, DEFAULT_ORDER_SETTINGS, type OrderSettings, type SettingsChangeResult } from './order-settings.ts';
import {
  defaultEndpoints,
  validateNewStore,
  validateStoreName,
  type AmazonStore,
  type NewStoreInput,
  type StoreCredentials,
  type StoreAuthorization,
  type StoreInputError,
  type StoreStatus,
} from './store.ts';
import type { Region } from './marketplaces.ts';
import { transaction } from '../db/transaction.ts';
import { createDailyTotalsLockRow } from '../orders/daily-totals.ts';
import { AmazonAppSettings, type AmazonApp } from './amazon-app.ts';

export class StoreInputRejected extends Error {
  override name = 'StoreInputRejected';
  constructor(readonly errors: StoreInputError[]) {
    super(errors.map((e) => `${e.field} ${e.message}`).join('; '));
  }
}

/** A store whose refresh token belongs to an LWA client the module holds no secret for. */
export class StoreNotAuthorized extends Error {
  override name = 'StoreNotAuthorized';
}

/** What a store keeps encrypted: its refresh token, and a client secret only for a client other than the module's application. */
interface StoredSecrets {
  refreshToken: string;
  clientSecret?: string;
}

export class StoreNotFound extends Error {
  override name = 'StoreNotFound';
  constructor(readonly storeId: number) {
    super(`There is no Amazon store with id ${storeId}`);
  }
}

interface StoreRow {
  id: number;
  name: string;
  region: string;
  marketplace_id: string;
  seller_id: string;
  sp_api_endpoint: string;
  lwa_endpoint: string;
  client_id: string;
  credentials_encrypted: string;
  status: string;
  authorization: string;
  authorization_note: string | null;
  integrated_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

interface SettingsRow {
  import_enabled: unknown;
  host_store_view: string | null;
  customer_creation: string;
  order_number_source: string;
  reserve_pending: unknown;
  order_status: string;
  processing_status: string | null;
  read_only: unknown;
  feed_interval_minutes: unknown;
}

function toStore(row: StoreRow): AmazonStore {
  return {
    id: Number(row.id),
    name: row.name,
    region: row.region as Region,
    marketplaceId: row.marketplace_id,
    sellerId: row.seller_id,
    spApiEndpoint: row.sp_api_endpoint,
    lwaEndpoint: row.lwa_endpoint,
    clientId: row.client_id,
    status: row.status as StoreStatus,
    authorization: row.authorization as StoreAuthorization,
    authorizationNote: row.authorization_note,
    integratedAt: fromDb(row.integrated_at),
    createdAt: fromDb(row.created_at),
    updatedAt: fromDb(row.updated_at),
  };
}

function toSettings(row: SettingsRow): OrderSettings {
  return {
    importEnabled: Boolean(Number(row.import_enabled)),
    hostStoreView: row.host_store_view,
    customerCreation: row.customer_creation as OrderSettings['customerCreation'],
    orderNumberSource: row.order_number_source as OrderSettings['orderNumberSource'],
    reservePending: Boolean(Number(row.reserve_pending)),
    orderStatus: row.order_status as OrderSettings['orderStatus'],
    processingStatus: row.processing_status,
    readOnly: Boolean(Number(row.read_only)),
    feedIntervalMinutes: Number(row.feed_interval_minutes) as OrderSettings['feedIntervalMinutes'],
  };
}

function settingsColumns(settings: OrderSettings) {
  return {
    import_enabled: settings.importEnabled,
    host_store_view: settings.hostStoreView,
    customer_creation: settings.customerCreation,
    order_number_source: settings.orderNumberSource,
    reserve_pending: settings.reservePending,
    order_status: settings.orderStatus,
    processing_status: settings.processingStatus,
    read_only: settings.readOnly,
    feed_interval_minutes: settings.feedIntervalMinutes,
  };
}

/** The client a new store names must be one whose secret the module will have. */
function clientErrors(input: NewStoreInput, app: AmazonApp | null): StoreInputError[] {
  const clientId = input.clientId?.trim();
  if (clientId === undefined && app === null) return [{ field: 'clientId', message: 'is required while the SP-API application is not configured (asc app:credentials:set)' }];
  if (clientId !== undefined && clientId !== '' && clientId !== app?.clientId && input.clientSecret === undefined) {
    return [{ field: 'clientSecret', message: `is required for a client other than the module's application${app ? ` (${app.clientId})` : ''}` }];
  }
  return [];
}

@injectable()
export class Stores {
  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Secrets) private readonly secrets: SecretsPort,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.StoreViews) private readonly storeViews: StoreViewsPort,
    @inject(Ports.Orders) private readonly orders: OrdersPort,
    @inject(AmazonAppSettings) private readonly app: AmazonAppSettings,
  ) {}

  /**
   * Registers a store with default Order Settings, all or nothing. The store is authorized for the
   * module's application unless the input names another LWA client with its secret; endpoints
   * default to the application's (a sandbox) and then to Amazon's for the region.
   */
  async add(input: NewStoreInput): Promise<AmazonStore> {
    const app = await this.app.get();
    const errors = [...validateNewStore(input), ...clientErrors(input, app)];
    if (errors.length > 0) throw new StoreInputRejected(errors);
    const region = input.region as Region;
    const endpoints = defaultEndpoints(region);
    const now = this.clock.now();
    const clientId = input.clientId?.trim() ?? app!.clientId;
    // The application's own secret is never copied into a store: it is kept once, in the application's settings.
    const stored: StoredSecrets = clientId === app?.clientId ? { refreshToken: input.refreshToken } : { refreshToken: input.refreshToken, clientSecret: input.clientSecret! };
    const encrypted = await this.secrets.encrypt(JSON.stringify(stored));
    const defaultView = (await this.storeViews.list()).find((view) => view.isDefault)?.code ?? null;

    const id = await transaction(this.db, async (trx) => {
      const duplicate = await trx('amazon_store').where({ seller_id: input.sellerId, marketplace_id: input.marketplaceId }).first('id');
      if (duplicate) {
        throw new StoreInputRejected([
          { field: 'sellerId', message: `seller ${input.sellerId} in marketplace ${input.marketplaceId} is already store ${duplicate.id}` },
        ]);
      }
      const [inserted] = await trx('amazon_store').insert({
        name: input.name.trim(),
        region,
        marketplace_id: input.marketplaceId,
        seller_id: input.sellerId,
        sp_api_endpoint: input.spApiEndpoint ?? app?.spApiEndpoint ?? endpoints.spApiEndpoint,
        lwa_endpoint: input.lwaEndpoint ?? app?.lwaEndpoint ?? endpoints.lwaEndpoint,
        client_id: clientId,
        credentials_encrypted: encrypted,
        status: 'active',
        integrated_at: input.integratedAt ?? now,
        created_at: now,
        updated_at: now,
      });
      // Both mysql2 and better-sqlite3 answer an insert with [insertId].
      const storeId = Number(inserted);
      await trx('amazon_order_settings').insert({
        store_id: storeId,
        ...settingsColumns({ ...DEFAULT_ORDER_SETTINGS, hostStoreView: defaultView }),
        updated_at: now,
      });
      await trx('amazon_sync_state').insert({ store_id: storeId });
      await createDailyTotalsLockRow(trx, storeId);
      return storeId;
    });
    return this.get(id);
  }

  async list(): Promise<AmazonStore[]> {
    const rows: StoreRow[] = await this.db('amazon_store').orderBy('id');
    return rows.map(toStore);
  }

  async get(id: number): Promise<AmazonStore> {
    const row: StoreRow | undefined = await this.db('amazon_store').where({ id }).first();
    if (!row) throw new StoreNotFound(id);
    return toStore(row);
  }

  async rename(id: number, name: string): Promise<AmazonStore> {
    const errors = validateStoreName(name);
    if (errors.length > 0) throw new StoreInputRejected(errors);
    const updated = await this.db('amazon_store').where({ id }).update({ name: name.trim(), updated_at: this.clock.now() });
    if (updated === 0) throw new StoreNotFound(id);
    return this.get(id);
  }

  /**
   * Login with Amazon refused the store's refresh token (invalid_grant): the calls of every store
   * sharing the seller's authorization (same seller, same client) stop until it is reconnected.
   */
  async markRejected(id: number, note: string): Promise<void> {
    const store = await this.get(id);
    await this.db('amazon_store')
      .where({ seller_id: store.sellerId, client_id: store.clientId, authorization: 'authorized' })
      .update({ authorization: 'rejected', authorization_note: note, updated_at: this.clock.now() });
  }

  /** The refresh token the store holds, to share with a new marketplace of the same seller. */
  async refreshToken(id: number): Promise<string> {
    return (await this.credentials(id)).refreshToken;
  }

  /** Deletes the store's credentials; its orders and settings stay (view-only) until it is reconnected. */
  async disconnect(id: number, note: string): Promise<AmazonStore> {
    const updated = await this.db('amazon_store').where({ id }).update({ authorization: 'disconnected', authorization_note: note, credentials_encrypted: '', updated_at: this.clock.now() });
    if (updated === 0) throw new StoreNotFound(id);
    return this.get(id);
  }

  /**
   * A new authorization of the module's application for the store's seller: its refresh token
   * replaces the old one in the store and in the stores sharing that authorization (same seller and
   * client, not disconnected by an admin), which are all the application's from then on.
   */
  async reauthorize(id: number, refreshToken: string): Promise<AmazonStore> {
    const store = await this.get(id);
    const app = await this.app.require();
    const stored: StoredSecrets = { refreshToken };
    await this.db('amazon_store')
      .where({ id })
      .orWhere((siblings) => siblings.where({ seller_id: store.sellerId, client_id: store.clientId }).whereNot({ authorization: 'disconnected' }))
      .update({ client_id: app.clientId, credentials_encrypted: await this.secrets.encrypt(JSON.stringify(stored)), authorization: 'authorized', authorization_note: null, updated_at: this.clock.now() });
    return this.get(id);
  }

  async setStatus(id: number, status: StoreStatus): Promise<AmazonStore> {
    const updated = await this.db('amazon_store').where({ id }).update({ status, updated_at: this.clock.now() });
    if (updated === 0) throw new StoreNotFound(id);
    return this.get(id);
  }

  /**
   * The secrets of a call to Amazon for the store: its refresh token with the secret of the client
   * it was issued to. For the module's application that is the application's secret (so a rotated
   * secret reaches every store at once), otherwise the one the store keeps.
   */
  async credentials(id: number): Promise<StoreCredentials> {
    const row: Pick<StoreRow, 'name' | 'client_id' | 'credentials_encrypted' | 'authorization'> | undefined = await this.db('amazon_store')
      .where({ id })
      .first('name', 'client_id', 'credentials_encrypted', 'authorization');
    if (!row) throw new StoreNotFound(id);
    if (row.authorization === 'disconnected') throw new StoreNotAuthorized(`Store "${row.name}" is disconnected: reconnect it to reach Amazon`);
    const stored = JSON.parse(await this.secrets.decrypt(row.credentials_encrypted)) as StoredSecrets;
    const app = await this.app.get();
    if (app?.clientId === row.client_id) return { refreshToken: stored.refreshToken, clientSecret: await this.app.clientSecret() };
    if (stored.clientSecret !== undefined) return { refreshToken: stored.refreshToken, clientSecret: stored.clientSecret };
    throw new StoreNotAuthorized(
      `Store "${row.name}" was authorized for the LWA client ${row.client_id}, and the module's application ${app ? `is ${app.clientId}` : 'is not configured'}: reconnect the store`,
    );
  }

  async settings(id: number, db: Knex | Knex.Transaction = this.db): Promise<OrderSettings> {
    const row: SettingsRow | undefined = await db('amazon_order_settings').where({ store_id: id }).first();
    if (!row) throw new StoreNotFound(id);
    return toSettings(row);
  }

  /** The host's store views and processing statuses an admin may choose from. */
  async settingsChoices(): Promise<{ storeViews: Awaited<ReturnType<StoreViewsPort['list']>>; statuses: Awaited<ReturnType<OrdersPort['listStatuses']>> }> {
    const [storeViews, statuses] = await Promise.all([this.storeViews.list(), this.orders.listStatuses()]);
    return { storeViews, statuses: statuses.filter((status) => status.state === 'processing') };
  }

  /** Validates and saves a change; nothing is saved when any field is refused. */
  async updateSettings(id: number, change: Partial<OrderSettings>): Promise<SettingsChangeResult> {
    const current = await this.settings(id);
    const choices = await this.settingsChoices();
    const result = applySettingsChange(current, change, {
      storeViews: choices.storeViews.map((view) => view.code),
      statuses: choices.statuses.map((status) => status.code),
    });
    if (result.ok) {
      await this.db('amazon_order_settings')
        .where({ store_id: id })
        .update({ ...settingsColumns(result.settings), updated_at: this.clock.now() });
      await this.db('amazon_store').where({ id }).update({ updated_at: this.clock.now() });
    }
    return result;
  }
}
