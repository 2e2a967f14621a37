/**
 * What module.json declares and what the code and migrations assume must agree: the Order
 * Settings defaults (module.json, DEFAULT_ORDER_SETTINGS, the column defaults) and the ACL ids.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import manifest from '../../module.json' with { type: 'json' };
import { aclIds, type AclNode } from '../../src/host/index.ts';
import { Acl, ORDER_SETTINGS_SECTION } from '../../src/admin/acl.ts';
import { DEFAULT_ORDER_SETTINGS, FEED_INTERVAL_MINUTES, SETTINGS_FIELDS } from '../../src/stores/order-settings.ts';
import { Stores } from '../../src/stores/stores.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { REPO_ROOT, openTestHost } from '../support/host.ts';

const section = manifest.settings.find((s) => s.id === ORDER_SETTINGS_SECTION)!;

describe('module.json and the code agree', () => {
  it("Order Settings defaults: module.json's are DEFAULT_ORDER_SETTINGS", () => {
    const declared = Object.fromEntries(section.fields.map((field) => [field.id, field.default]));
    const d = DEFAULT_ORDER_SETTINGS;
    // Enum fields carry their option value as text in module.json; free fields are null when unset.
    expect(declared).to.deep.equal({
      [SETTINGS_FIELDS.importEnabled]: d.importEnabled ? 'enabled' : 'disabled',
      [SETTINGS_FIELDS.hostStoreView]: d.hostStoreView,
      [SETTINGS_FIELDS.customerCreation]: d.customerCreation,
      [SETTINGS_FIELDS.orderNumberSource]: d.orderNumberSource,
      [SETTINGS_FIELDS.reservePending]: String(d.reservePending),
      [SETTINGS_FIELDS.orderStatus]: d.orderStatus,
      [SETTINGS_FIELDS.processingStatus]: d.processingStatus,
      [SETTINGS_FIELDS.readOnly]: String(d.readOnly),
      [SETTINGS_FIELDS.feedIntervalMinutes]: String(d.feedIntervalMinutes),
    });
    // The feed intervals offered are the ones the rules accept.
    const intervals = section.fields.find((f) => f.id === SETTINGS_FIELDS.feedIntervalMinutes)!.options!.map((o) => Number(o.value));
    expect(intervals).to.deep.equal([...FEED_INTERVAL_MINUTES]);
  });

  it('ACL: every id the code uses is declared, and every declared resource guards something', () => {
    const declared = aclIds(manifest.acl as AclNode[]);
    const [root] = manifest.acl;
    expect(Object.values(Acl).filter((id) => !declared.includes(id))).to.deep.equal([]);

    // No ACL id spelled out anywhere but src/admin/acl.ts.
    const files = ['src', 'views'].flatMap((dir) => fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)));
    const literals = files
      .filter((file) => /\.(ts|hbs)$/.test(file) && file !== path.join('src', 'admin', 'acl.ts'))
      .flatMap((file) => [...fs.readFileSync(path.join(REPO_ROOT, file), 'utf8').matchAll(/Amazon_SalesChannel::\w+/g)].map((m) => `${file}: ${m[0]}`));
    expect(literals).to.deep.equal([]);

    // A resource nothing checks would only mislead whoever grants it.
    const guarded = new Set([...manifest.routes, ...manifest.widgets, ...manifest.settings].map((c) => c.acl));
    expect(declared.filter((id) => id !== root!.id && !guarded.has(id))).to.deep.equal([]);
  });
});

describeEachDatabase('Order Settings column defaults', (db) => {
  it('a settings row stored with no values reads back as DEFAULT_ORDER_SETTINGS', async () => {
    const { host } = await openTestHost(db(), { modules: [{ directory: REPO_ROOT }] });
    const { knex } = db();
    const now = new Date();
    const [storeId] = await knex('amazon_store').insert({
      name: 'Defaults', region: 'na', marketplace_id: 'ATVPDKIKX0DER', sp_api_endpoint: 'http://x', lwa_endpoint: 'http://y', seller_id: 'DEFAULTS1',
      client_id: 'c', credentials_encrypted: 'e', status: 'active', integrated_at: now, created_at: now, updated_at: now,
    });
    await knex('amazon_order_settings').insert({ store_id: storeId, updated_at: now });
    expect(await host.container.get(Stores).settings(Number(storeId))).to.deep.equal(DEFAULT_ORDER_SETTINGS);
  });
});
