/**
 * SKUs are exact (case-sensitive) on both databases: the host's catalog and reservations, and the
 * module's listing matches and Amazon order items. MySQL's default collations ignore case, SQLite's
 * does not; the migrations make MySQL compare exactly too.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { runCliInProcess } from '../support/cli.ts';
import { openTestHost } from '../support/host.ts';

describeEachDatabase('SKUs are case-sensitive', (db) => {
  const env = () => ({ DATABASE_URL: db().url, HOST_SECRET_KEY: Buffer.alloc(32, 3).toString('base64') });
  const asc = (...args: string[]) => runCliInProcess(args, { env: env() });
  const json = async (...args: string[]) => {
    const result = await asc(...args, '--json');
    expect(result.code, result.stderr).to.equal(0);
    return JSON.parse(result.stdout);
  };

  before(async () => {
    expect((await asc('migrate')).code).to.equal(0);
  });

  it('host:product:set treats CASE-1 and case-1 as two products; the catalog finds each exactly', async () => {
    const upper = await json('host:product:set', '--sku', 'CASE-1', '--name', 'One', '--qty', '5');
    const lower = await json('host:product:set', '--sku', 'case-1', '--name', 'Two', '--qty', '7');
    expect([upper.action, lower.action]).to.deep.equal(['created', 'created']);
    expect(lower.product.id).to.not.equal(upper.product.id);
    expect(await json('host:product:set', '--sku', 'case-1', '--qty', '8')).to.deep.include({ action: 'updated' });

    const { host } = await openTestHost(db());
    const { catalog, stock } = host.services;
    expect((await catalog.findBySku('CASE-1'))?.name).to.equal('One');
    expect((await catalog.findBySku('case-1'))?.name).to.equal('Two');
    expect(await catalog.findBySku('Case-1')).to.equal(null);
    expect((await catalog.get(upper.product.id))?.qty).to.equal(5);

    // One reservation may hold both SKUs; each counts only against its own product.
    await stock.reserve('sku-case', [{ sku: 'CASE-1', qty: 2 }, { sku: 'case-1', qty: 3 }]);
    expect(await stock.salableQty('CASE-1')).to.equal(3);
    expect(await stock.salableQty('case-1')).to.equal(5);
    expect(await stock.salableQty('Case-1')).to.equal(0);
  });

  it('listing matches and Amazon order items keep seller SKUs that differ only in case apart', async () => {
    const store = await json(
      'store:add', '--name', 'Case US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', 'CASESELLER1',
      '--client-id', 'c', '--client-secret', 's', '--refresh-token', 'r',
    );
    const { knex } = db();
    const now = new Date();
    const [orderId] = await knex('amazon_order').insert({
      store_id: store.id, amazon_order_id: '111-CASE', marketplace_id: 'ATVPDKIKX0DER', purchase_date: now, amazon_updated_at: now,
      amazon_status: 'UNSHIPPED', status: 'Unshipped', fulfilled_by: 'MERCHANT', raw: '{}', import_state: 'blocked', created_at: now, updated_at: now,
    });
    await knex('amazon_order_item').insert([
      { order_id: orderId, order_item_id: crypto.randomUUID(), seller_sku: 'AMZ-MUG', quantity_ordered: 1, raw: '{}' },
      { order_id: orderId, order_item_id: crypto.randomUUID(), seller_sku: 'amz-mug', quantity_ordered: 1, raw: '{}' },
    ]);
    expect(await knex('amazon_order_item').where({ seller_sku: 'amz-mug' }).pluck('seller_sku')).to.deep.equal(['amz-mug']);
    expect(await knex('amazon_order_item').where({ order_id: orderId }).groupBy('seller_sku').orderBy('seller_sku').pluck('seller_sku')).to.deep.equal(['AMZ-MUG', 'amz-mug']);

    await json('match:set', '--store', String(store.id), '--seller-sku', 'AMZ-MUG', '--product', 'CASE-1');
    await json('match:set', '--store', String(store.id), '--seller-sku', 'amz-mug', '--product', 'case-1');
    // Only a SKU a blocked order has, exactly: "Amz-Mug" is none of them.
    expect((await asc('match:set', '--store', String(store.id), '--seller-sku', 'Amz-Mug', '--product', 'case-1')).code).to.equal(2);
    const matches = await knex('amazon_listing_match').where({ store_id: store.id }).orderBy('id').select('seller_sku', 'host_sku');
    expect(matches).to.deep.equal([{ seller_sku: 'AMZ-MUG', host_sku: 'CASE-1' }, { seller_sku: 'amz-mug', host_sku: 'case-1' }]);
  });
});
