/**
 * Sign-in and sign-out. The login form has no session yet, so its CSRF token is a random value
 * in a short-lived cookie that the form must echo (double submit); after sign-in every POST
 * carries the session's own token.
 */
import { SESSION_COOKIE, SESSION_TTL_MS, randomToken, safeEqual } from '../../sessions.ts';
import { page, signedIn, type HostRoute, type Outcome, type RequestContext } from '../context.ts';
import { cookie, isLocalPath } from '../http.ts';
import type { Router } from '../router.ts';

export const LOGIN_CSRF_COOKIE = 'asc_login_csrf';

function safeNext(value: string | null): string {
  return value && isLocalPath(value) && value.startsWith('/admin') ? value : '/admin';
}

function loginPage(context: RequestContext, error: string | null, username: string, next: string, status = 200): Outcome {
  const token = randomToken();
  return {
    kind: 'page',
    title: 'Sign in',
    status,
    body: context.views.render('login', { error, username, next, csrfToken: token }),
    headers: { 'Set-Cookie': cookie(LOGIN_CSRF_COOKIE, token, 60 * 60) },
  };
}

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
      const username = context.form.get('username') ?? '';
      const next = safeNext(context.form.get('next'));
      const user = await context.host.services.users.authenticate(username, context.form.get('password') ?? '');
      if (!user) {
        context.host.logger.warn('Admin sign-in failed', { username });
        return loginPage(context, 'Wrong username or password.', username, next, 401);
      }
      const sessionId = await context.host.services.sessions.create(user.id);
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

/** The login form's double-submit check. */
export function loginCsrfValid(context: RequestContext): boolean {
  const expected = context.cookies.get(LOGIN_CSRF_COOKIE);
  const given = context.form.get('csrf_token');
  return Boolean(expected && given && safeEqual(expected, given));
}
