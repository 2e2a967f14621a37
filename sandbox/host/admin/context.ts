/** What a host page handler receives and returns. */
import type { IncomingMessage } from 'node:http';
import type { AdminContext } from '../../../src/host/contributions.ts';
import type { AdminUserRecord } from '../admin-users.ts';
import type { Host } from '../host.ts';
import type { Session } from '../sessions.ts';
import type { Views } from './views.ts';

export const BASE_PATH = '/admin';

export interface RequestContext {
  host: Host;
  views: Views;
  request: IncomingMessage;
  method: 'GET' | 'POST';
  /** Path under the base path, e.g. "/orders/5". */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  form: URLSearchParams;
  cookies: Map<string, string>;
  session: Session | null;
  user: AdminUserRecord | null;
  /** Set for signed-in users: what modules receive about the request. */
  admin: AdminContext | null;
}

/** A signed-in request (every route except the login page). */
export type SignedInContext = RequestContext & { session: Session; user: AdminUserRecord; admin: AdminContext };

export type Outcome =
  /** `body` is HTML (a rendered host template or a module fragment) placed in the layout. */
  | { kind: 'page'; title: string; body: string; status?: number; headers?: Record<string, string | string[]> }
  | { kind: 'redirect'; location: string; flash?: string; headers?: Record<string, string | string[]> }
  | { kind: 'download'; contentType: string; filename: string; body: AsyncIterable<string> };

export interface HostRoute {
  /** ACL resource required, or null for the public login page. */
  acl: string | null;
  /** How a POST proves it came from our form: the session's token, or the login page's cookie. */
  csrf: 'session' | 'login';
  handle(context: RequestContext): Promise<Outcome>;
}

/** Renders a host template as the page body. */
export function page(context: RequestContext, title: string, template: string, model: object, status?: number): Outcome {
  const body = context.views.render(template, { ...model, csrfToken: context.session?.csrfToken ?? '' });
  return { kind: 'page', title, body, status };
}

export function signedIn(context: RequestContext): SignedInContext {
  if (!context.session || !context.user || !context.admin) throw new Error('This page needs a signed-in user');
  return context as SignedInContext;
}
