/**
 * The admin HTTP server (node:http). Every request goes through one pipeline:
 *   route -> session -> sign-in required? -> ACL -> (POST) form + CSRF -> handler -> response.
 * A refused request (403, CSRF) never reaches a handler, so it cannot change anything.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { AdminContext } from '../../../src/host/contributions.ts';
import type { Host } from '../host.ts';
import { SESSION_COOKIE, safeEqual } from '../sessions.ts';
import { BASE_PATH, type HostRoute, type Outcome, type RequestContext, type SignedInContext } from './context.ts';
import { HttpError, SECURITY_HEADERS, attachment, isLocalPath, parseCookies, readForm, sendHtml, sendRedirect } from './http.ts';
import { moduleNavigation, registerModuleRoutes } from './module-routes.ts';
import { loginCsrfValid, registerAuthPages } from './pages/auth.ts';
import { registerCatalogPages } from './pages/catalog.ts';
import { registerDashboardPage } from './pages/dashboard.ts';
import { registerOrderPages } from './pages/orders.ts';
import { registerSettingsPages } from './pages/settings.ts';
import { Router } from './router.ts';
import { Views, html, type NavItem } from './views.ts';
import { renderZone } from './widgets.ts';

/** The longest page address a sign-in redirect carries back (before encoding). */
const MAX_NEXT_CHARS = 2048;

const HOST_NAV = [
  { label: 'Dashboard', href: '/admin', acl: 'Host::dashboard' },
  { label: 'Catalog', href: '/admin/catalog', acl: 'Host::catalog' },
  { label: 'Orders', href: '/admin/orders', acl: 'Host::orders' },
  { label: 'Settings', href: '/admin/settings', acl: 'Host::settings' },
];

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request', 403: 'Access denied', 404: 'Not found', 405: 'Method not allowed', 413: 'Too large', 415: 'Unsupported form', 500: 'Something went wrong',
};

export interface RunningAdmin {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class AdminServer {
  private readonly views = new Views();
  private readonly hostRoutes = new Router<HostRoute>();
  private readonly moduleRoutes = new Router<HostRoute>();
  private readonly nav: Array<{ label: string; href: string; acl: string }>;

  constructor(private readonly host: Host) {
    registerAuthPages(this.hostRoutes);
    registerDashboardPage(this.hostRoutes);
    registerCatalogPages(this.hostRoutes);
    registerOrderPages(this.hostRoutes);
    registerSettingsPages(this.hostRoutes);
    registerModuleRoutes(this.moduleRoutes, host.registry.routes());
    this.nav = [...HOST_NAV, ...moduleNavigation(host.registry.routes())];
  }

  async listen(port: number, hostname: string): Promise<RunningAdmin> {
    const server = http.createServer((request, response) => {
      this.handle(request, response).catch((error) => {
        this.host.logger.error('Admin request failed', { error });
        if (!response.headersSent) sendHtml(response, 500, 'Internal error');
        else response.destroy();
      });
    });
    server.listen(port, hostname);
    await once(server, 'listening');
    const address = server.address() as AddressInfo;
    const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${address.port}`;
    return {
      url,
      port: address.port,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still running get a few seconds, then their connections are cut.
          setTimeout(() => server.closeAllConnections(), 5000).unref();
        }),
    };
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://admin.invalid');
    if (url.pathname === '/') return sendRedirect(response, 302, BASE_PATH);
    if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`)) {
      return sendHtml(response, 404, 'Not found');
    }
    const context: RequestContext = {
      host: this.host,
      views: this.views,
      request,
      method: request.method === 'POST' ? 'POST' : 'GET',
      path: url.pathname.slice(BASE_PATH.length) || '/',
      params: {},
      query: url.searchParams,
      form: new URLSearchParams(),
      cookies: parseCookies(request.headers.cookie),
      session: null,
      user: null,
      admin: null,
    };
    try {
      if (request.method !== 'GET' && request.method !== 'POST') throw new HttpError(405, 'Only GET and POST are supported.');
      await this.signIn(context);
      const match = this.hostRoutes.match(context.method, context.path) ?? this.moduleRoutes.match(context.method, context.path);
      if (!match) throw new HttpError(404, 'There is no page at this address.');
      context.params = match.params;
      const route = match.route;
      if (route.acl !== null) {
        if (!context.admin) {
          if (context.method === 'GET') {
            // Back to the page after signing in; an address too long for a Location header (a
            // client's limit is 16 KiB of headers) comes back without its query.
            const back = url.pathname + url.search;
            const next = encodeURIComponent(back.length <= MAX_NEXT_CHARS ? back : url.pathname.slice(0, MAX_NEXT_CHARS));
            return sendRedirect(response, 302, `${BASE_PATH}/login?next=${next}`);
          }
          throw new HttpError(403, 'Please sign in first.');
        }
        if (!context.admin.can(route.acl)) {
          this.host.logger.warn('Admin access denied', { username: context.user?.username, path: context.path, acl: route.acl });
          throw new HttpError(403, 'You are not allowed to see this page.');
        }
      }
      if (context.method === 'POST') {
        context.form = await readForm(request);
        const valid = route.csrf === 'login' ? loginCsrfValid(context) : safeEqual(context.form.get('csrf_token') ?? '', context.session!.csrfToken);
        if (!valid) {
          this.host.logger.warn('Form refused: missing or wrong CSRF token', { path: context.path, username: context.user?.username });
          throw new HttpError(403, 'This form has expired or did not come from this admin. Reload the page and try again.');
        }
      }
      await this.send(context, response, await route.handle(context));
    } catch (error) {
      if (response.headersSent) throw error;
      const status = error instanceof HttpError ? error.status : 500;
      if (!(error instanceof HttpError)) this.host.logger.error('Admin page failed', { path: context.path, error });
      const message = error instanceof HttpError ? error.message : 'The page failed. The error was logged.';
      const body = this.views.render('message', { message, isError: true, back: context.admin ? { href: BASE_PATH, label: 'Back to the dashboard' } : null });
      await this.send(context, response, { kind: 'page', title: STATUS_TITLES[status] ?? 'Error', body, status });
    }
  }

  /** Resolves the session cookie to a user and the AdminContext handed to modules. */
  private async signIn(context: RequestContext): Promise<void> {
    const session = await this.host.services.sessions.find(context.cookies.get(SESSION_COOKIE));
    if (!session) return;
    const user = await this.host.services.users.findById(session.userId);
    if (!user) return;
    const acl = this.host.acl;
    const admin: AdminContext = {
      user: { username: user.username, role: user.role },
      can: (resource) => acl.allows(user.role, resource),
      csrfToken: session.csrfToken,
      basePath: BASE_PATH,
      links: {
        order: (orderId) => `${BASE_PATH}/orders/${encodeURIComponent(orderId)}`,
        settings: (sectionId, scope) => `${BASE_PATH}/settings/${encodeURIComponent(sectionId)}?scope=${encodeURIComponent(scope)}`,
      },
    };
    Object.assign(context, { session, user, admin });
  }

  private async send(context: RequestContext, response: ServerResponse, outcome: Outcome): Promise<void> {
    if (outcome.kind === 'redirect') {
      if (!isLocalPath(outcome.location)) throw new HttpError(500, 'Refused to redirect off-site.');
      if (outcome.flash && context.session) await this.host.services.sessions.setFlash(context.session, outcome.flash);
      return sendRedirect(response, context.method === 'POST' ? 303 : 302, outcome.location, outcome.headers);
    }
    if (outcome.kind === 'download') {
      response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': outcome.contentType, 'Content-Disposition': attachment(outcome.filename) });
      try {
        for await (const chunk of outcome.body) {
          if (!response.write(chunk)) await once(response, 'drain');
        }
        response.end();
      } catch (error) {
        // Headers are gone: cut the connection so the client sees an incomplete download, not a short file.
        this.host.logger.error('Download failed while streaming', { path: context.path, error });
        response.destroy();
      }
      return;
    }
    let layout = { nav: [] as NavItem[], systemMessages: [] as ReturnType<typeof html>[], flash: null as string | null };
    if (context.admin && context.session) {
      const signed = context as SignedInContext;
      layout = {
        nav: this.nav
          .filter((n) => signed.admin.can(n.acl))
          .map((n) => ({ label: n.label, href: n.href, current: n.href === `${BASE_PATH}${context.path === '/' ? '' : context.path}` })),
        systemMessages: await renderZone(signed, 'system-messages'),
        flash: await this.host.services.sessions.takeFlash(context.session),
      };
    }
    const page = this.views.page({
      title: outcome.title,
      user: context.user ? { username: context.user.username, role: context.user.role } : null,
      csrfToken: context.session?.csrfToken ?? null,
      body: html(outcome.body),
      ...layout,
    });
    sendHtml(response, outcome.status ?? 200, page, outcome.headers);
  }
}
