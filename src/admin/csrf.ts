/** The host's CSRF token, posted back by every module form as field `csrf_token`. */
import crypto from 'node:crypto';
import type { AdminRequest } from '../host/contributions.ts';

export const CSRF_FIELD = 'csrf_token';

/** Constant-time comparison, so the token cannot be guessed a character at a time. */
export function hasValidCsrfToken(request: Pick<AdminRequest, 'form' | 'csrfToken'>): boolean {
  const sent = Buffer.from(request.form.get(CSRF_FIELD) ?? '', 'utf8');
  const expected = Buffer.from(request.csrfToken, 'utf8');
  return expected.length > 0 && sent.length === expected.length && crypto.timingSafeEqual(sent, expected);
}
