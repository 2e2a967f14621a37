/**
 * Sign-in and sign-out. The login form has no session yet, so its CSRF token is a random value
 * signed with the host's key, in a short-lived cookie that the form must echo (double submit; the
 * signature means a cookie set by someone else, e.g. from a sibling subdomain, is worth nothing);
 * after sign-in every POST carries the session's own token. Failed sign-ins are throttled
 * (login-throttle.ts), and signing in ends the session the browser had before.
 */
import { SESSION_COOKIE, SESSION_TTL_MS, randomToken, safeEqual } from '../../sessions.ts';
import { page, signedIn, type HostRoute, type Outcome, type RequestContext } from '../context.ts';
import { cookie, isLocalPath } from '../http.ts';
import type { Router } from '../router.ts';

export const LOGIN_CSRF_COOKIE = 'asc_login_csrf';

function safeNext(value: string | null): string {
  return value && isLocalPath(value) && value.startsWith('/admin') ? value : '/admin';
}

const LOGIN_CSRF_PURPOSE = 'login-csrf';

function loginPage(context: RequestContext, error: string | null, username: string, next: string, status = 200, headers: Record<string, string> = {}): Outcome {
  const nonce = randomToken();
  const token = `${nonce}.${context.host.services.secrets.mac(LOGIN_CSRF_PURPOSE, nonce)}`;
  return {
    kind: 'page',
    title: 'Sign in',
    status,
    body: context.views.render('login', { error, username, next, csrfToken: token }),
    headers: { ...headers, 'Set-Cookie': cookie(LOGIN_CSRF_COOKIE, token, 60 * 60) },
  };
}

/** The client's address, as the socket has it (the reference host answers browsers directly). */
const clientAddress = (context: RequestContext) => context.request.socket.remoteAddress ?? 'unknown';

export function registerAuthPages(router: Router<HostRoute>): void {
  router.add('GET', '/login', {
    acl: null,
    csrf: 'login',
    handle: async (context) => {
      if (context.user) return { kind: 'redirect', location: '/admin' };
      return loginPage(context, null, '', safeNext(context.query.get('next')));
    },
  });

  router.add('POST', '/login', {
    acl: null,
    csrf: 'login',
    handle: async (context) => {
      const username = (context.form.get('username') ?? '').slice(0, 200);
      const next = safeNext(context.form.get('next'));
      const address = clientAddress(context);
      const { loginThrottle, users, sessions } = context.host.services;
      const check = await loginThrottle.check(username, address);
      if (!check.allowed) {
        // The same answer for every username and password: a lock says nothing about either.
        context.host.logger.warn('Admin sign-in throttled', { username, address, retryAfterSeconds: check.retryAfterSeconds });
        const minutes = Math.ceil(check.retryAfterSeconds / 60);
        return loginPage(context, `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, username, next, 429, {
          'Retry-After': String(check.retryAfterSeconds),
        });
      }
      const user = await users.authenticate(username, context.form.get('password') ?? '');
      if (!user) {
        await loginThrottle.failed(username, address);
        context.host.logger.warn('Admin sign-in failed', { username, address });
        return loginPage(context, 'Wrong username or password.', username, next, 401);
      }
      await loginThrottle.succeeded(username, address);
      // A new session, and the one this browser had before (if any) is over.
      if (context.session) await sessions.destroy(context.session);
      const sessionId = await sessions.create(user.id);
      context.host.logger.info('Admin signed in', { username: user.username });
      return {
        kind: 'redirect',
        location: next,
        headers: { 'Set-Cookie': [cookie(SESSION_COOKIE, sessionId, SESSION_TTL_MS / 1000), cookie(LOGIN_CSRF_COOKIE, '', 0)] },
      };
    },
  });

  router.add('GET', '/logout', {
    acl: 'Host::admin',
    csrf: 'session',
    handle: async (context) => page(context, 'Sign out', 'logout', {}),
  });

  router.add('POST', '/logout', {
    acl: 'Host::admin',
    csrf: 'session',
    handle: async (context) => {
      const { session, user } = signedIn(context);
      await context.host.services.sessions.destroy(session);
      context.host.logger.info('Admin signed out', { username: user.username });
      return { kind: 'redirect', location: '/admin/login', headers: { 'Set-Cookie': cookie(SESSION_COOKIE, '', 0) } };
    },
  });
}

/** The login form's double-submit check: the cookie and the field agree, and this host signed them. */
export function loginCsrfValid(context: RequestContext): boolean {
  const expected = context.cookies.get(LOGIN_CSRF_COOKIE);
  const given = context.form.get('csrf_token');
  if (!expected || !given || !safeEqual(expected, given)) return false;
  const [nonce, signature, ...rest] = given.split('.');
  return rest.length === 0 && Boolean(nonce && signature) && safeEqual(signature!, context.host.services.secrets.mac(LOGIN_CSRF_PURPOSE, nonce!));
}
