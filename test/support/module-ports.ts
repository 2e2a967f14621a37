/**
 * Minimal host ports for testing module services in isolation (the end-to-end tests use the
 * reference host instead). Secrets really encrypt, so tests can prove nothing is stored in clear.
 */
import crypto from 'node:crypto';
import type { ClockPort, OrdersPort, SecretsPort, StoreViewsPort } from '../../src/host/ports.ts';

export class TestSecrets implements SecretsPort {
  private readonly key = crypto.randomBytes(32);
  async encrypt(plaintext: string): Promise<string> {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }
  async decrypt(ciphertext: string): Promise<string> {
    const raw = Buffer.from(ciphertext, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

export class FixedClock implements ClockPort {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
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
