/** Amazon Stores: one card per store with its marketplace, status, last successful sync, real-time updates and the orders needing attention. */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { notificationsArrive, RealtimeUpdates, type StoreNotifications } from '../notifications/realtime-updates.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { attentionCounts } from './attention.ts';
import { authorizationView, marketplaceText, timeTextOrNull } from './format.ts';
import { ModuleRoute } from './module-route.ts';
import type { PageHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';
import { syncSummaryByStore } from './sync-health.ts';

@injectable()
export class StoresPage extends ModuleRoute {
  readonly id = 'amazon_stores';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.stores;
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Stores) private readonly stores: Stores,
    @inject(RealtimeUpdates) private readonly realtime: RealtimeUpdates,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const [stores, attention, sync, notifications] = await Promise.all([this.stores.list(), attentionCounts(this.db), syncSummaryByStore(this.db), this.realtime.list()]);
    const realtime = new Map(notifications.map((n) => [n.storeId, n]));
    const now = this.clock.now();
    const head: PageHead = { crumbs: [{ label: 'Amazon Stores', href: null }], title: 'Amazon Stores', badge: null, nav: null, flash: null };
    const canManage = request.can(Acl.storesManage);
    return this.page('Amazon Stores', 'stores', {
      head,
      connectHref: canManage ? urls.connect() : null,
      appHref: canManage ? urls.app() : null,
      stores: stores.map((store) => {
        const needing = attention.get(store.id) ?? 0;
        return {
          name: store.name,
          marketplace: marketplaceText(store.marketplaceId),
          status: store.status === 'active' ? 'Active' : 'Inactive',
          statusSlug: store.status,
          authorization: authorizationView(store),
          lastSuccess: timeTextOrNull(sync.get(store.id)?.lastSuccessAt ?? null),
          lastRunFailed: sync.get(store.id)?.lastRunFailed ?? false,
          realtime: realtimeBadge(realtime.get(store.id) ?? null, now),
          attention: `${needing} ${needing === 1 ? 'order' : 'orders'}`,
          attentionHref: needing > 0 ? urls.orders(store.id, new URLSearchParams({ attention: '1' })) : null,
          viewHref: urls.dashboard(store.id),
        };
      }),
    });
  }
}

/** On (arriving), On but not arriving (the queue failing or nobody reading it: the dashboard says which), or Off. */
function realtimeBadge(n: StoreNotifications | null, now: Date): { text: string; tone: 'ok' | 'warn' } | null {
  if (!n?.enabled) return null;
  return notificationsArrive(n, now) ? { text: 'On', tone: 'ok' } : { text: 'On, not arriving', tone: 'warn' };
}
