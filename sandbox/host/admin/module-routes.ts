/** Mounts every module's AdminRoute contribution under the admin base path. */
import type { AdminRequest, AdminRouteContribution } from '../../../src/host/contributions.ts';
import { BASE_PATH, signedIn, type HostRoute, type Outcome } from './context.ts';
import { HttpError, isLocalPath } from './http.ts';
import type { Router } from './router.ts';

function moduleRoute(route: AdminRouteContribution, module: string): HostRoute {
  return {
    acl: route.acl,
    csrf: 'session',
    handle: async (raw): Promise<Outcome> => {
      const context = signedIn(raw);
      // Passed as posted, csrf_token included (contract: a module may check it again).
      const form = new URLSearchParams(context.form);
      const request: AdminRequest = { ...context.admin, method: context.method, params: context.params, query: context.query, form };
      const response = await route.handle(request);
      switch (response.kind) {
        case 'page':
          return { kind: 'page', title: response.title, body: response.html, status: response.status };
        case 'redirect':
          if (!isLocalPath(response.location)) {
            context.host.logger.error('Module route redirected off-site; refused', { module, route: route.id, location: response.location });
            throw new HttpError(500, 'The page tried to redirect to another site.');
          }
          return { kind: 'redirect', location: response.location };
        case 'download':
          return response;
      }
    },
  };
}

export function registerModuleRoutes(router: Router<HostRoute>, routes: Array<{ module: string; route: AdminRouteContribution }>): void {
  for (const { module, route } of routes) router.add(route.method, route.path, moduleRoute(route, module));
}

/** Navigation entries: module GET routes without parameters that the manifest titles. */
export function moduleNavigation(routes: Array<{ route: AdminRouteContribution; title: string | undefined }>) {
  return routes
    .filter(({ route, title }) => route.method === 'GET' && !route.path.includes(':') && title !== undefined)
    .map(({ route, title }) => ({ label: title!, href: `${BASE_PATH}${route.path}`, acl: route.acl }));
}
