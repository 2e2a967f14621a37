/** Demo data for a first start on an empty database: an admin, a few products, a second store view. */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AdminUsers } from './admin-users.ts';
import type { HostCatalog } from './catalog.ts';

/**
 * The catalog a new merchant starts with. It carries most of the Amazon sandbox's demo listings so
 * demo orders import, but on purpose not all of them: the lamp is disabled, the bottle is out of
 * stock and the notebook is missing, so the dashboard shows each kind of blocked order and how to
 * fix it.
 */
export const DEMO_PRODUCTS = [
  { sku: 'TEE-BLK-M', name: 'Organic Cotton T-Shirt, Black, M', qty: 100, enabled: true, manageStock: true },
  { sku: 'MUG-BLUE-12OZ', name: 'Ceramic Mug, Blue, 12 oz', qty: 25, enabled: true, manageStock: true },
  { sku: 'LAMP-DESK-LED', name: 'LED Desk Lamp with USB-C Port', qty: 3, enabled: false, manageStock: true },
  { sku: 'BOTTLE-STEEL-750', name: 'Stainless Steel Water Bottle, 750 ml', qty: 0, enabled: true, manageStock: true },
  { sku: 'POSTER-A2', name: 'Poster A2 (print on demand)', qty: 0, enabled: true, manageStock: false },
];

/**
 * Seeds only a database without admin users; returns the generated admin password, or null when
 * the database was not empty.
 */
export async function seedDemoData(knex: Knex, users: AdminUsers, catalog: HostCatalog): Promise<{ adminPassword: string | null }> {
  if ((await users.count()) > 0) return { adminPassword: null };
  const adminPassword = crypto.randomBytes(12).toString('base64url');
  const created = await users.create('admin', adminPassword, 'admin');
  // Another process seeding at the same moment won; its password is the one printed there.
  if (!created.ok) return { adminPassword: null };
  if ((await catalog.list()).length === 0) {
    for (const product of DEMO_PRODUCTS) await catalog.create(product);
  }
  await knex('host_store_view')
    .insert({ code: 'fr', name: 'French Store View', website_name: 'Main Website', is_default: false, sort_order: 1 })
    .onConflict('code')
    .ignore();
  return { adminPassword };
}
