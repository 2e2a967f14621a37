/**
 * Every module URL, built under the host's admin base path. Route paths here and in module.json
 * must agree; the route classes take their `path` from `ROUTE_PATHS` so there is one spelling.
 */
import { CONNECT_CALLBACK_PATH } from '../stores/amazon-app.ts';

export const ROUTE_PATHS = {
  stores: '/amazon/stores',
  dashboard: '/amazon/stores/:storeId',
  orders: '/amazon/stores/:storeId/orders',
  ordersCsv: '/amazon/stores/:storeId/orders.csv',
  order: '/amazon/stores/:storeId/orders/:amazonOrderId',
  retry: '/amazon/stores/:storeId/orders/:amazonOrderId/retry',
  cancel: '/amazon/stores/:storeId/orders/:amazonOrderId/cancel',
  outboxRetry: '/amazon/stores/:storeId/orders/:amazonOrderId/outbox/:entryId/retry',
  unmatched: '/amazon/stores/:storeId/unmatched',
  storeRename: '/amazon/stores/:storeId/rename',
  storeStatus: '/amazon/stores/:storeId/status',
  storeReconnect: '/amazon/stores/:storeId/reconnect',
  storeDisconnect: '/amazon/stores/:storeId/disconnect',
  realtime: '/amazon/stores/:storeId/realtime',
  realtimeOff: '/amazon/stores/:storeId/realtime/off',
  connect: '/amazon/connect',
  connectToken: '/amazon/connect/token',
  connectCallback: CONNECT_CALLBACK_PATH,
  app: '/amazon/app',
} as const;

/** The id of the dashboard's Recent Orders section: filters and the system message land there. */
export const RECENT_ORDERS_ANCHOR = 'recent-orders';

function withQuery(path: string, query?: URLSearchParams): string {
  const text = query?.toString() ?? '';
  return text === '' ? path : `${path}?${text}`;
}

export class AdminUrls {
  constructor(private readonly basePath: string) {}

  private path(template: string, params: Record<string, string | number> = {}): string {
    const filled = template.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
    return `${this.basePath.replace(/\/$/, '')}${filled}`;
  }

  stores(): string {
    return this.path(ROUTE_PATHS.stores);
  }
  dashboard(storeId: number, query?: URLSearchParams): string {
    return withQuery(this.path(ROUTE_PATHS.dashboard, { storeId }), query);
  }
  recentOrders(storeId: number, query?: URLSearchParams): string {
    return `${this.dashboard(storeId, query)}#${RECENT_ORDERS_ANCHOR}`;
  }
  orders(storeId: number, query?: URLSearchParams): string {
    return withQuery(this.path(ROUTE_PATHS.orders, { storeId }), query);
  }
  ordersCsv(storeId: number, query?: URLSearchParams): string {
    return withQuery(this.path(ROUTE_PATHS.ordersCsv, { storeId }), query);
  }
  order(storeId: number, amazonOrderId: string, query?: URLSearchParams): string {
    return withQuery(this.path(ROUTE_PATHS.order, { storeId, amazonOrderId }), query);
  }
  retry(storeId: number, amazonOrderId: string): string {
    return this.path(ROUTE_PATHS.retry, { storeId, amazonOrderId });
  }
  cancel(storeId: number, amazonOrderId: string): string {
    return this.path(ROUTE_PATHS.cancel, { storeId, amazonOrderId });
  }
  outboxRetry(storeId: number, amazonOrderId: string, entryId: number): string {
    return this.path(ROUTE_PATHS.outboxRetry, { storeId, amazonOrderId, entryId });
  }
  unmatched(storeId: number, query?: URLSearchParams): string {
    return withQuery(this.path(ROUTE_PATHS.unmatched, { storeId }), query);
  }
  storeRename(storeId: number): string {
    return this.path(ROUTE_PATHS.storeRename, { storeId });
  }
  storeStatus(storeId: number): string {
    return this.path(ROUTE_PATHS.storeStatus, { storeId });
  }
  storeReconnect(storeId: number): string {
    return this.path(ROUTE_PATHS.storeReconnect, { storeId });
  }
  storeDisconnect(storeId: number): string {
    return this.path(ROUTE_PATHS.storeDisconnect, { storeId });
  }
  realtime(storeId: number, query?: URLSearchParams): string {
    return withQuery(this.path(ROUTE_PATHS.realtime, { storeId }), query);
  }
  realtimeOff(storeId: number): string {
    return this.path(ROUTE_PATHS.realtimeOff, { storeId });
  }
  connect(): string {
    return this.path(ROUTE_PATHS.connect);
  }
  connectToken(): string {
    return this.path(ROUTE_PATHS.connectToken);
  }
  app(): string {
    return this.path(ROUTE_PATHS.app);
  }
}
