/**
 * Where the Order Number of a grid row leads (as in the original, plus our details page):
 * - import enabled and a host order exists: the host's order view;
 * - import disabled: the order in Seller Central for the store's marketplace (view-only here);
 * - import enabled, no host order (yet): the module's Amazon order details, which say why.
 */
import type { HostAdminLinks } from '../host/contributions.ts';
import { sellerCentralOrderUrl } from '../stores/marketplaces.ts';
import type { AdminUrls } from './admin-urls.ts';

export interface OrderNumberLink {
  href: string;
  /** Leaves the admin (Seller Central): opened in a new tab. */
  external: boolean;
  /** Said to screen readers and shown as a tooltip, e.g. "open host order #100012". */
  hint: string;
  /** The module's details page when the main link goes elsewhere; null when it is the main link. */
  detailsHref: string | null;
}

export interface LinkableOrder {
  storeId: number;
  amazonOrderId: string;
  marketplaceId: string;
  hostOrderId: string | null;
  hostOrderNumber: string | null;
}

export function orderNumberLink(order: LinkableOrder, importEnabled: boolean, urls: AdminUrls, links: HostAdminLinks): OrderNumberLink {
  const details = urls.order(order.storeId, order.amazonOrderId);
  if (!importEnabled) {
    return { href: sellerCentralOrderUrl(order.marketplaceId, order.amazonOrderId), external: true, hint: 'open in Amazon Seller Central', detailsHref: details };
  }
  if (order.hostOrderId !== null) {
    return { href: links.order(order.hostOrderId), external: false, hint: `open host order #${order.hostOrderNumber ?? order.hostOrderId}`, detailsHref: details };
  }
  return { href: details, external: false, hint: 'not imported yet: see why', detailsHref: null };
}
