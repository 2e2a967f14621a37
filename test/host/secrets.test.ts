import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AesGcmSecrets, SecretKeyError, loadSecretKey } from '../../sandbox/host/secrets.ts';
import { rejection } from '../support/assert.ts';

describe('secrets (AES-256-GCM)', () => {
  it('round-trips, uses a fresh IV each time, and refuses tampered values or another key', async () => {
    const secrets = new AesGcmSecrets(crypto.randomBytes(32));
    const a = await secrets.encrypt('refresh-token-ü');
    const b = await secrets.encrypt('refresh-token-ü');
    expect(a).to.match(/^v1:/);
    expect(a).to.not.equal(b);
    expect(a).to.not.contain('refresh');
    expect(await secrets.decrypt(a)).to.equal('refresh-token-ü');
    const raw = Buffer.from(a.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect((await rejection(secrets.decrypt(`v1:${raw.toString('base64')}`))).message).to.equal('Cannot decrypt: wrong key or corrupted value');
    const other = new AesGcmSecrets(crypto.randomBytes(32));
    expect((await rejection(other.decrypt(a))).message).to.equal('Cannot decrypt: wrong key or corrupted value');
  });

  it('takes the key from HOST_SECRET_KEY, or creates a 0600 key file once', () => {
    const key = crypto.randomBytes(32);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asc-key-'));
    const file = path.join(dir, 'var', 'host-secret.key');
    expect(loadSecretKey({ HOST_SECRET_KEY: key.toString('base64') }, file).equals(key)).to.equal(true);
    expect(fs.existsSync(file)).to.equal(false);
    const first = loadSecretKey({}, file);
    expect(first).to.have.length(32);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(loadSecretKey({}, file).equals(first)).to.equal(true);
    expect(() => loadSecretKey({ HOST_SECRET_KEY: 'c2hvcnQ=' }, file)).to.throw(SecretKeyError, /32 bytes/);
  });
});
