/**
 * Minimal host ports for testing module services in isolation (the end-to-end tests use the
 * reference host instead). Secrets are the reference host's real AES-GCM, so tests can prove
 * nothing is stored in clear.
 */
import crypto from 'node:crypto';
import type { OrdersPort, StoreViewsPort } from '../../src/host/ports.ts';
import { AesGcmSecrets } from '../../sandbox/host/secrets.ts';

export const testSecrets = () => new AesGcmSecrets(crypto.randomBytes(32));

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
