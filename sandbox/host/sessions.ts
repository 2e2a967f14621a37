/**
 * Admin sessions (`host_admin_session`). The cookie carries 32 random bytes; the table keeps only
 * their sha256, so reading the table does not hand out live sessions. Each session has its own
 * CSRF token, which every POST must echo in `csrf_token`.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ClockPort } from '../../src/host/ports.ts';
import { fromDb } from '../../src/db/time.ts';

export const SESSION_COOKIE = 'asc_admin_session';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface Session {
  idHash: string;
  userId: number;
  csrfToken: string;
  flash: string | null;
}

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

/** Constant-time comparison for secrets of any length (hashing first evens out the lengths). */
export function safeEqual(a: string, b: string): boolean {
  return crypto.timingSafeEqual(crypto.createHash('sha256').update(a).digest(), crypto.createHash('sha256').update(b).digest());
}

export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export class Sessions {
  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
  ) {}

  /** Starts a session; returns the cookie value (never stored as such). */
  async create(userId: number): Promise<string> {
    const id = randomToken();
    const now = this.clock.now();
    await this.knex('host_admin_session').insert({
      id_hash: sha256(id), user_id: userId, csrf_token: randomToken(), flash: null,
      created_at: now, expires_at: new Date(now.getTime() + SESSION_TTL_MS),
    });
    // Expired sessions are cleared as new ones start: the table stays small without a job.
    await this.knex('host_admin_session').where('expires_at', '<', now).delete();
    return id;
  }

  async find(cookieValue: string | undefined): Promise<Session | null> {
    if (!cookieValue || cookieValue.length > 100) return null;
    const row = await this.knex('host_admin_session').where({ id_hash: sha256(cookieValue) }).first();
    if (!row) return null;
    if (fromDb(row.expires_at).getTime() <= this.clock.now().getTime()) {
      await this.knex('host_admin_session').where({ id_hash: row.id_hash }).delete();
      return null;
    }
    return { idHash: row.id_hash, userId: Number(row.user_id), csrfToken: row.csrf_token, flash: row.flash ?? null };
  }

  async destroy(session: Session): Promise<void> {
    await this.knex('host_admin_session').where({ id_hash: session.idHash }).delete();
  }

  async setFlash(session: Session, message: string): Promise<void> {
    await this.knex('host_admin_session').where({ id_hash: session.idHash }).update({ flash: message });
  }

  async takeFlash(session: Session): Promise<string | null> {
    if (session.flash === null) return null;
    await this.knex('host_admin_session').where({ id_hash: session.idHash }).update({ flash: null });
    return session.flash;
  }
}
