/**
 * Encryption at rest (SecretsPort): AES-256-GCM with a random 12-byte IV per value. The key comes
 * from HOST_SECRET_KEY (base64 of 32 bytes) or from a key file generated once with mode 0600.
 * Ciphertext format: "v1:" + base64(iv | tag | ciphertext).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SecretsPort } from '../../src/host/ports.ts';

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

function decodeKey(base64: string, source: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new SecretKeyError(`${source} must be base64 of exactly 32 bytes (got ${key.length} bytes)`);
  return key;
}

/** The key from HOST_SECRET_KEY, else from `keyFile`, which is created (0600) when missing. */
export function loadSecretKey(env: NodeJS.ProcessEnv, keyFile: string): Buffer {
  if (env.HOST_SECRET_KEY !== undefined && env.HOST_SECRET_KEY !== '') return decodeKey(env.HOST_SECRET_KEY, 'HOST_SECRET_KEY');
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  try {
    // 'wx' fails when the file exists, so two processes starting together keep one key.
    fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeKey(fs.readFileSync(keyFile, 'utf8'), `Key file ${keyFile}`);
}

export class AesGcmSecrets implements SecretsPort {
  private key: Buffer | undefined;

  /** `key` may be a function: the key file is then only read (or created) on first use. */
  constructor(private readonly keySource: Buffer | (() => Buffer)) {}

  private currentKey(): Buffer {
    this.key ??= typeof this.keySource === 'function' ? this.keySource() : this.keySource;
    if (this.key.length !== 32) throw new SecretKeyError('The secret key must be 32 bytes');
    return this.key;
  }

  async encrypt(plaintext: string): Promise<string> {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.currentKey(), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /**
   * A keyed MAC of `data` for one `purpose` (its own key, derived from the host's), e.g. to sign
   * a form token so that only this host (or another sharing its key) could have made it.
   */
  mac(purpose: string, data: string): string {
    const key = Buffer.from(crypto.hkdfSync('sha256', this.currentKey(), Buffer.alloc(0), `asc-host:${purpose}`, 32));
    return crypto.createHmac('sha256', key).update(data).digest('base64url');
  }

  async decrypt(ciphertext: string): Promise<string> {
    if (!ciphertext.startsWith('v1:')) throw new Error('Cannot decrypt: not a value encrypted by this host');
    const raw = Buffer.from(ciphertext.slice(3), 'base64');
    if (raw.length < 28) throw new Error('Cannot decrypt: value is truncated');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.currentKey(), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // Never say more: the value was tampered with or encrypted under another key.
      throw new Error('Cannot decrypt: wrong key or corrupted value');
    }
  }
}
