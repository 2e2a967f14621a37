import path from 'node:path';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { migrateLatest, rollbackAll } from '../../sandbox/host/migrator.ts';
import manifest from '../../module.json' with { type: 'json' };

const moduleMigrations = {
  directory: path.resolve(import.meta.dirname, '../..', manifest.migrations.directory),
  tableName: manifest.migrations.tableName,
};

const isModuleTable = (name: string) => name.startsWith('amazon_') && !name.startsWith(manifest.migrations.tableName);

async function tableNames(knex: import('knex').Knex): Promise<string[]> {
  const client = knex.client.config.client as string;
  if (client === 'better-sqlite3') {
    const rows = await knex('sqlite_master').where({ type: 'table' }).select('name');
    return rows.map((r: { name: string }) => r.name).filter(isModuleTable).sort();
  }
  const [rows] = await knex.raw('select table_name as name from information_schema.tables where table_schema = database()');
  return (rows as Array<{ name: string }>).map((r) => r.name).filter(isModuleTable).sort();
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
    const { fromDb } = await import('../../src/db/time.ts');
    expect(fromDb(row.purchase_date).toISOString()).to.equal(now.toISOString());
  });
});
