import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../support/databases.ts';
import { moduleMigrations } from '../support/module-database.ts';
import { HOST_MIGRATIONS } from '../../sandbox/host/host.ts';
import { migrateDown, migrateLatest, rollbackAll, type MigrationSet } from '../../sandbox/host/migrator.ts';
import manifest from '../../module.json' with { type: 'json' };
import { fromDb } from '../../src/db/time.ts';

const isModuleTable = (name: string) => name.startsWith('amazon_') && !name.startsWith(manifest.migrations.tableName);

async function tableNames(knex: Knex): Promise<string[]> {
  const client = knex.client.config.client as string;
  if (client === 'better-sqlite3') {
    const rows = await knex('sqlite_master').where({ type: 'table' }).select('name');
    return rows.map((r: { name: string }) => r.name).filter(isModuleTable).sort();
  }
  const [rows] = await knex.raw('select table_name as name from information_schema.tables where table_schema = database()');
  return (rows as Array<{ name: string }>).map((r) => r.name).filter(isModuleTable).sort();
}

/** A store row as the migrated schema takes it, for tests that write rows below the module's code. */
async function insertStore(knex: Knex, name: string, sellerId: string, now: Date): Promise<number> {
  const [storeId] = await knex('amazon_store').insert({
    name, region: 'na', marketplace_id: 'ATVPDKIKX0DER', seller_id: sellerId, sp_api_endpoint: 'http://x', lwa_endpoint: 'http://y',
    client_id: 'c', credentials_encrypted: 'e', status: 'active', integrated_at: now, created_at: now, updated_at: now,
  });
  return Number(storeId);
}

describeEachDatabase('module migrations', (db) => {
  it('migrate latest -> rollback -> latest, and a second latest is a no-op', async () => {
    const { knex } = db();
    const first = await migrateLatest(knex, moduleMigrations);
    expect(first.length).to.be.greaterThan(0);
    const tables = await tableNames(knex);
    expect(tables).to.include.members(['amazon_store', 'amazon_order', 'amazon_order_item', 'amazon_outbox', 'amazon_sync_state']);

    const rolledBack = await rollbackAll(knex, moduleMigrations);
    expect(rolledBack).to.have.members(first);
    expect(await tableNames(knex)).to.deep.equal([]);

    expect(await migrateLatest(knex, moduleMigrations)).to.deep.equal(first);
    expect(await migrateLatest(knex, moduleMigrations)).to.deep.equal([]);
    expect(await tableNames(knex)).to.deep.equal(tables);
  });

  it('stores money exactly and instants in UTC', async () => {
    const { knex } = db();
    const now = new Date('2026-11-26T09:45:13.123Z');
    const [storeId] = await knex('amazon_store').insert({
      name: 'S', region: 'na', marketplace_id: 'ATVPDKIKX0DER', seller_id: 'A1', sp_api_endpoint: 'http://x', lwa_endpoint: 'http://y',
      client_id: 'c', credentials_encrypted: 'e', status: 'active', integrated_at: now, created_at: now, updated_at: now,
    });
    await knex('amazon_order').insert({
      store_id: storeId, amazon_order_id: '111-1', marketplace_id: 'ATVPDKIKX0DER', purchase_date: now, amazon_updated_at: now,
      amazon_status: 'UNSHIPPED', status: 'Unshipped', fulfilled_by: 'MERCHANT', grand_total_amount: '123456789.99',
      grand_total_e4: '1234567899900', currency_code: 'USD', raw: '{}', import_state: 'waiting', created_at: now, updated_at: now,
    });
    const row = await knex('amazon_order').first();
    expect(String(row.grand_total_e4)).to.equal('1234567899900');
    expect(fromDb(row.purchase_date).toISOString()).to.equal(now.toISOString());
  });

  it('rolling back every migration after the first keeps the rows, and latest brings the columns back', async () => {
    const { knex } = db();
    await migrateLatest(knex, moduleMigrations);
    const now = new Date('2026-11-26T09:45:13.123Z');
    const storeId = await insertStore(knex, 'Rollback', 'ROLLBACK1', now);
    const [orderId] = await knex('amazon_order').insert({
      store_id: storeId, amazon_order_id: '111-ROLLBACK', marketplace_id: 'ATVPDKIKX0DER', purchase_date: now, amazon_updated_at: now,
      amazon_status: 'PENDING', status: 'Pending', fulfilled_by: 'MERCHANT', buyer_name: 'Zoë Rollback', buyer_search: 'zoe rollback',
      raw: '{}', import_state: 'waiting', stock_released_at: now, created_at: now, updated_at: now,
    });
    await knex('amazon_order_item').insert({ order_id: orderId, order_item_id: 'I1', seller_sku: 'SKU-1', quantity_ordered: 1, raw: '{}' });
    await knex('amazon_order_log').insert({ order_id: orderId, kind: 'status', to_status: 'Pending', message: 'stored', created_at: now });
    const counts = () => rowCounts(knex, ['amazon_store', 'amazon_order', 'amazon_order_item', 'amazon_order_log']);
    const before = await counts();
    expect(Object.values(before).every((n) => n > 0), JSON.stringify(before)).to.equal(true);

    const downs = await rollbackAllButFirst(knex, moduleMigrations);
    expect(downs).to.include.members(['20261126000200_add_amazon_order_buyer_search', '20261202000100_add_amazon_order_reservation_released']);
    expect(await counts()).to.deep.equal(before);

    expect(await migrateLatest(knex, moduleMigrations)).to.have.members(downs);
    expect(await counts()).to.deep.equal(before);
    // The buyer_search migration fills the column again from buyer_name.
    expect(await knex('amazon_order').where({ id: orderId }).first('buyer_search', 'stock_released_at')).to.deep.equal({
      buyer_search: 'zoe rollback', stock_released_at: null,
    });
  });

  it('derives needs_attention and note_sort in the database on every write, and indexes them per store', async () => {
    const { knex } = db();
    await migrateLatest(knex, moduleMigrations);
    const now = new Date('2026-11-26T09:45:13.123Z');
    const storeId = await insertStore(knex, 'Derived', 'DERIVED1', now);
    const order = (id: string, status: string, importState: string, note: string | null) => ({
      store_id: storeId, amazon_order_id: id, marketplace_id: 'ATVPDKIKX0DER', purchase_date: now, amazon_updated_at: now, amazon_status: 'UNSHIPPED',
      status, fulfilled_by: 'MERCHANT', raw: '{}', import_state: importState, note, created_at: now, updated_at: now,
    });
    await knex('amazon_order').insert([
      order('111-A', 'Unshipped', 'blocked', `SKU missing ${'é'.repeat(300)}`),
      order('111-B', 'Error', 'imported', 'Amazon refused the tracking number'),
      order('111-C', 'Shipped', 'imported', null),
    ]);
    const derived = async () =>
      (await knex('amazon_order').where({ store_id: storeId }).orderBy('amazon_order_id').select('amazon_order_id', 'needs_attention', 'note_sort')).map((row) => [
        row.amazon_order_id, Number(row.needs_attention), row.note_sort === null ? null : (row.note_sort as string).length,
      ]);
    expect(await derived()).to.deep.equal([['111-A', 1, 191], ['111-B', 1, 34], ['111-C', 0, null]]);
    await knex('amazon_order').where({ amazon_order_id: '111-A' }).update({ import_state: 'imported' });
    await knex('amazon_order').where({ amazon_order_id: '111-C' }).update({ status: 'Error' });
    expect((await derived()).map(([id, attention]) => [id, attention])).to.deep.equal([['111-A', 0], ['111-B', 1], ['111-C', 1]]);
    const indexes = await indexedColumns(knex, 'amazon_order');
    expect(indexes).to.include.members(['store_id,needs_attention,purchase_date', 'store_id,note_sort', 'store_id,status']);
  });

  it('indexes amazon_order per store on buyer_search, not on buyer_name; down restores the old index', async () => {
    const { knex } = db();
    await migrateLatest(knex, moduleMigrations);
    const buyerIndexes = async () => (await indexedColumns(knex, 'amazon_order')).filter((columns) => columns.includes('buyer'));
    expect(await buyerIndexes()).to.deep.equal(['store_id,buyer_search']);
    // Down to just before it, whatever came after.
    let down: string | null;
    do down = await migrateDown(knex, moduleMigrations);
    while (down !== null && down !== '20261202000300_index_amazon_order_buyer_search');
    expect(down).to.equal('20261202000300_index_amazon_order_buyer_search');
    expect(await buyerIndexes()).to.deep.equal(['store_id,buyer_name']);
    await migrateLatest(knex, moduleMigrations);
    expect(await buyerIndexes()).to.deep.equal(['store_id,buyer_search']);
  });
});

describeEachDatabase('module migrations: fulfillment', (db) => {
  it('fills the ship-by date of orders stored before it from what Amazon sent', async () => {
    const { knex } = db();
    let down: string | null;
    await migrateLatest(knex, moduleMigrations);
    do down = await migrateDown(knex, moduleMigrations);
    while (down !== null && down !== '20261203000300_add_amazon_order_latest_ship_date');
    const now = new Date('2026-11-26T09:45:13.123Z');
    const [storeId] = await knex('amazon_store').insert({
      name: 'Ship by', region: 'na', marketplace_id: 'ATVPDKIKX0DER', seller_id: 'SHIPBY1', sp_api_endpoint: 'http://x', lwa_endpoint: 'http://y',
      client_id: 'c', credentials_encrypted: 'e', status: 'active', integrated_at: now, created_at: now, updated_at: now,
    });
    const row = (id: string, raw: unknown) => ({
      store_id: storeId, amazon_order_id: id, marketplace_id: 'ATVPDKIKX0DER', purchase_date: now, amazon_updated_at: now,
      amazon_status: 'UNSHIPPED', status: 'Unshipped', fulfilled_by: 'MERCHANT', raw: JSON.stringify(raw), import_state: 'ready', created_at: now, updated_at: now,
    });
    await knex('amazon_order').insert(row('111-0000000-0000001', { fulfillment: { shipByWindow: { latestDateTime: '2026-11-28T07:59:59Z' } } }));
    await knex('amazon_order').insert(row('111-0000000-0000002', { fulfillment: {} }));
    await migrateLatest(knex, moduleMigrations);
    const dates = await knex('amazon_order').orderBy('amazon_order_id').select('latest_ship_date');
    expect(dates.map((d: { latest_ship_date: unknown }) => (d.latest_ship_date === null ? null : fromDb(d.latest_ship_date).toISOString()))).to.deep.equal([
      '2026-11-28T07:59:59.000Z',
      null,
    ]);
  });
});

/** Every index of a table as its comma-separated columns, sorted. */
async function indexedColumns(knex: Knex, table: string): Promise<string[]> {
  if (knex.client.config.client === 'better-sqlite3') {
    const indexes: Array<{ name: string }> = await knex.raw('select name from pragma_index_list(?)', [table]);
    const columns = [];
    for (const { name } of indexes) {
      const parts: Array<{ name: string }> = await knex.raw('select name from pragma_index_info(?) order by seqno', [name]);
      columns.push(parts.map((p) => p.name).join(','));
    }
    return columns.sort();
  }
  const [rows] = await knex.raw(
    'select group_concat(column_name order by seq_in_index) as columns from information_schema.statistics where table_schema = database() and table_name = ? group by index_name',
    [table],
  );
  return (rows as Array<{ columns: string }>).map((r) => r.columns).sort();
}

describeEachDatabase('host migrations', (db) => {
  it('rolling back every migration after the first keeps the rows; latest again is a no-op afterwards', async () => {
    const { knex } = db();
    await migrateLatest(knex, HOST_MIGRATIONS);
    const now = new Date();
    await knex('host_product').insert({ sku: 'ROLLBACK-1', name: 'Kept', qty: 3, created_at: now, updated_at: now });
    await knex('host_stock_reservation').insert({ reservation_key: 'rollback', state: 'active', created_at: now, updated_at: now });
    await knex('host_stock_reservation_item').insert({ reservation_key: 'rollback', sku: 'ROLLBACK-1', qty: 1 });
    const counts = () => rowCounts(knex, ['host_product', 'host_stock_reservation', 'host_stock_reservation_item']);
    const before = await counts();
    const downs = await rollbackAllButFirst(knex, HOST_MIGRATIONS);
    expect(downs.length).to.be.greaterThan(0);
    expect(await counts()).to.deep.equal(before);
    expect(await migrateLatest(knex, HOST_MIGRATIONS)).to.have.members(downs);
    expect(await migrateLatest(knex, HOST_MIGRATIONS)).to.deep.equal([]);
    expect(await counts()).to.deep.equal(before);
  });
});

describe('migrations drop columns through src/db/schema.ts', () => {
  it("no migration calls knex's dropColumn itself (on SQLite it rebuilds the table and cascades into child tables)", () => {
    const offenders = [moduleMigrations.directory, HOST_MIGRATIONS.directory].flatMap((directory) =>
      fs.readdirSync(directory)
        .filter((file) => /\.(ts|js|mjs)$/.test(file) && /\.dropColumns?\(/.test(fs.readFileSync(path.join(directory, file), 'utf8')))
        .map((file) => path.join(path.basename(directory), file)),
    );
    expect(offenders).to.deep.equal([]);
  });
});

async function rowCounts(knex: Knex, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await knex(table).count({ n: '*' }))[0]!.n);
  return counts;
}

/** Rolls back the set's migrations one at a time, newest first, down to (not including) the first; returns their names. */
async function rollbackAllButFirst(knex: Knex, set: MigrationSet): Promise<string[]> {
  const applied: string[] = await knex(set.tableName).pluck('name');
  const downs: string[] = [];
  for (let left = applied.length; left > 1; left--) downs.push((await migrateDown(knex, set))!);
  return downs;
}
