/** Builds a migrated in-process host on a test database. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClockPort } from '../../src/host/ports.ts';
import { createHost, type CreateHostOptions, type Host } from '../../sandbox/host/host.ts';
import type { ModuleSource } from '../../sandbox/host/module-loader.ts';
import type { TestDatabase } from './databases.ts';
import { memoryLogger, type MemoryLog } from './logs.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURE_MODULE = path.join(REPO_ROOT, 'test/fixtures/fixture-module');

export interface TestHost {
  host: Host;
  log: MemoryLog;
}

export async function openTestHost(
  db: TestDatabase,
  options: { modules?: ModuleSource[]; clock?: ClockPort; bind?: CreateHostOptions['bind']; secretKey?: Buffer } = {},
): Promise<TestHost> {
  const log = memoryLogger();
  const host = await createHost({
    knex: db.knex,
    clock: options.clock,
    logger: log.logger,
    modules: options.modules ?? [],
    bind: options.bind,
    secretKey: options.secretKey ?? crypto.randomBytes(32),
    varDir: fs.mkdtempSync(path.join(os.tmpdir(), 'asc-var-')),
  });
  await host.migrate();
  return { host, log };
}

export interface AdminTestHost extends TestHost {
  url: string;
  close(): Promise<void>;
}

/** A migrated host with the admin listening on 127.0.0.1 (ephemeral port) and two users. */
export async function startTestAdmin(
  db: TestDatabase,
  options: { modules?: ModuleSource[]; clock?: ClockPort } = {},
): Promise<AdminTestHost> {
  const t = await openTestHost(db, options);
  for (const [username, role] of [['admin', 'admin'], ['staff', 'staff']] as const) {
    const created = await t.host.services.users.create(username, `${username}-password`, role);
    if (!created.ok) throw new Error(created.message);
  }
  const admin = await t.host.startAdmin({ port: 0, hostname: '127.0.0.1' });
  return { ...t, url: admin.url, close: () => admin.close() };
}
