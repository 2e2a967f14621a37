/** Admin users (`host_admin_user`): creation with validation, and sign-in checks. */
import type { Knex } from 'knex';
import type { ClockPort } from '../../src/host/ports.ts';
import { ROLES, isRole, type Role } from './acl.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { insertedId, isDuplicateKeyError } from './sql.ts';

export interface AdminUserRecord {
  id: number;
  username: string;
  role: Role;
}

export const MIN_PASSWORD_LENGTH = 8;

export type CreateUserResult = { ok: true; user: AdminUserRecord } | { ok: false; field: 'username' | 'password' | 'role'; message: string };

export class AdminUsers {
  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
  ) {}

  async create(username: string, password: string, role: string): Promise<CreateUserResult> {
    if (!/^[a-zA-Z0-9._@-]{1,64}$/.test(username)) {
      return { ok: false, field: 'username', message: 'username must be 1..64 letters, digits or . _ @ -' };
    }
    if (password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
      return { ok: false, field: 'password', message: `password must be ${MIN_PASSWORD_LENGTH}..1024 characters` };
    }
    if (!isRole(role)) return { ok: false, field: 'role', message: `role must be one of ${ROLES.join(', ')}` };
    try {
      const result = await this.knex('host_admin_user').insert({
        username, password_hash: await hashPassword(password), role, created_at: this.clock.now(),
      });
      return { ok: true, user: { id: insertedId(result), username, role } };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { ok: false, field: 'username', message: `user "${username}" already exists` };
      throw error;
    }
  }

  async count(): Promise<number> {
    const [{ count }] = await this.knex('host_admin_user').count({ count: '*' });
    return Number(count);
  }

  async findById(id: number): Promise<AdminUserRecord | null> {
    const row = await this.knex('host_admin_user').where({ id }).first('id', 'username', 'role');
    return row && isRole(row.role) ? { id: Number(row.id), username: row.username, role: row.role } : null;
  }

  /** The user when the password is right; null otherwise, taking as long for unknown users. */
  async authenticate(username: string, password: string): Promise<AdminUserRecord | null> {
    const row = await this.knex('host_admin_user').where({ username }).first();
    if (!row) {
      await verifyPassword(password, await dummyHash());
      return null;
    }
    if (!(await verifyPassword(password, row.password_hash)) || !isRole(row.role)) return null;
    return { id: Number(row.id), username: row.username, role: row.role };
  }
}
