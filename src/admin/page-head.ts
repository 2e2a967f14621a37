/** The top of every module page: breadcrumbs, title, the store's page navigation and a flash message. */
import type { AdminContext } from '../host/contributions.ts';
import { sellerCentralOrdersUrl } from '../stores/marketplaces.ts';
import type { AmazonStore } from '../stores/store.ts';
import { Acl, ORDER_SETTINGS_SECTION } from './acl.ts';
import type { AdminUrls } from './admin-urls.ts';

export interface PageHead {
  crumbs: Array<{ label: string; href: string | null }>;
  title: string;
  badge: { text: string; slug: string } | null;
  nav: Array<{ label: string; href: string; current: boolean; external: boolean }> | null;
  flash: { tone: 'ok' | 'warn' | 'error' | 'info'; text: string } | null;
}

/** Which page of a store: its navigation's, an order's, or an action's (reconnect, disconnect) outside the navigation. */
export type StorePage = 'dashboard' | 'orders' | 'unmatched' | 'realtime' | 'order' | 'action';

export function storeNav(store: AmazonStore, urls: AdminUrls, context: AdminContext, current: StorePage): NonNullable<PageHead['nav']> {
  const nav: NonNullable<PageHead['nav']> = [
    { label: 'Dashboard', href: urls.dashboard(store.id), current: current === 'dashboard', external: false },
    { label: 'All Orders', href: urls.orders(store.id), current: current === 'orders', external: false },
    { label: 'Unmatched Listings', href: urls.unmatched(store.id), current: current === 'unmatched', external: false },
  ];
  if (context.can(Acl.orderSettings)) {
    nav.push({ label: 'Order Settings', href: context.links.settings(ORDER_SETTINGS_SECTION, String(store.id)), current: false, external: false });
    nav.push({ label: 'Real-time updates', href: urls.realtime(store.id), current: current === 'realtime', external: false });
  }
  nav.push({ label: 'Seller Central', href: sellerCentralOrdersUrl(store.marketplaceId), current: false, external: true });
  return nav;
}

export function storeHead(store: AmazonStore, urls: AdminUrls, context: AdminContext, current: StorePage, title: string, flash: PageHead['flash'] = null): PageHead {
  const crumbs: PageHead['crumbs'] = [
    { label: 'Amazon Stores', href: urls.stores() },
    { label: store.name, href: current === 'dashboard' ? null : urls.dashboard(store.id) },
  ];
  if (current !== 'dashboard') crumbs.push({ label: title, href: null });
  return {
    crumbs,
    title: current === 'dashboard' ? store.name : title,
    badge: current === 'dashboard' ? { text: store.status === 'active' ? 'Active' : 'Inactive', slug: store.status } : null,
    nav: storeNav(store, urls, context, current),
    flash,
  };
}
