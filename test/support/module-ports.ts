/**
 * Minimal host ports for testing module services in isolation (the end-to-end tests use the
 * reference host instead). Secrets are the reference host's real AES-GCM, so tests can prove
 * nothing is stored in clear.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ClockPort, ConfigPort, OrdersPort, StoreViewsPort } from '../../src/host/ports.ts';
import { AesGcmSecrets } from '../../sandbox/host/secrets.ts';
import { AmazonAppSettings } from '../../src/stores/amazon-app.ts';
import { Stores } from '../../src/stores/stores.ts';

export const testSecrets = () => new AesGcmSecrets(crypto.randomBytes(32));

/** The host's configuration in memory (one scope is enough for the module). */
export function memoryConfig(): ConfigPort {
  const values = new Map<string, string>();
  return {
    async get(path, scope = 'default') {
      return values.get(`${scope}|${path}`) ?? null;
    },
    async set(path, value, scope = 'default') {
      if (value === null) values.delete(`${scope}|${path}`);
      else values.set(`${scope}|${path}`, value);
    },
  };
}

/** Stores on a test database with the ports above; `app` is the application's settings they read. */
export function testStores(knex: Knex, clock: ClockPort): { stores: Stores; app: AmazonAppSettings } {
  const secrets = testSecrets();
  const app = new AmazonAppSettings(memoryConfig(), secrets, clock);
  return { stores: new Stores(knex, secrets, clock, testStoreViews, testOrderStatuses as OrdersPort, app), app };
}

export const testStoreViews: StoreViewsPort = {
  async list() {
    return [
      { code: 'default', name: 'Default Store View', websiteName: 'Main Website', isDefault: true },
      { code: 'outlet', name: 'Outlet', websiteName: 'Outlet Website', isDefault: false },
    ];
  },
};

export const testOrderStatuses: Pick<OrdersPort, 'listStatuses'> = {
  async listStatuses() {
    return [
      { code: 'processing', label: 'Processing', state: 'processing' as const },
      { code: 'amazon_processing', label: 'Processing (Amazon)', state: 'processing' as const },
      { code: 'complete', label: 'Complete', state: 'complete' as const },
    ];
  },
};
