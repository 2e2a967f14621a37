/** The dashboard: a short host summary and the module widgets of the dashboard zones. */
import { page, signedIn, type HostRoute } from '../context.ts';
import type { Router } from '../router.ts';
import { renderZone } from '../widgets.ts';

export function registerDashboardPage(router: Router<HostRoute>): void {
  router.add('GET', '/', {
    acl: 'Host::dashboard',
    csrf: 'session',
    handle: async (raw) => {
      const context = signedIn(raw);
      const knex = context.host.knex;
      const [{ products }] = await knex('host_product').count({ products: '*' });
      const [{ open }] = await knex('host_order').where({ state: 'processing' }).count({ open: '*' });
      return page(context, 'Dashboard', 'dashboard', {
        productCount: Number(products),
        openOrderCount: Number(open),
        top: await renderZone(context, 'dashboard.top'),
        main: await renderZone(context, 'dashboard.main'),
        side: await renderZone(context, 'dashboard.side'),
      });
    },
  });
}
