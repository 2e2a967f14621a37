/**
 * The module loaded into a container with test ports, and a tiny stand-in for the host's router so
 * admin tests can call routes by URL (and follow the links the pages render) before the reference
 * host exists. Requests are plain AdminRequest objects, exactly what the host hands the module.
 */
import path from 'node:path';
import { Container } from 'inversify';
import type { Knex } from 'knex';
import { containerModule } from '../../src/module.ts';
import { Contributions, Ports } from '../../src/host/tokens.ts';
import type {
  AdminRequest,
  AdminResponse,
  AdminRouteContribution,
  DashboardWidgetContribution,
  SettingsSectionContribution,
} from '../../src/host/contributions.ts';
import type { Order } from '../../src/amazon/models.ts';
import { Stores } from '../../src/stores/stores.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { importDecision } from '../../src/orders/rules.ts';
import { migrateLatest } from '../../sandbox/host/migrator.ts';
import manifest from '../../module.json' with { type: 'json' };
import { FakeCatalog, FakeHostOrders, FakeStock, silentLogger } from './fake-host.ts';
import { memoryConfig, testSecrets, testStoreViews } from './module-ports.ts';
import { FakeClock } from './fake-time.ts';

export const BASE = '/admin';
export const CSRF = 'csrf-token-of-this-session';
export const ALL_RIGHTS = manifest.acl[0].children.map((node) => node.id);

export interface AdminHarness {
  container: Container;
  clock: FakeClock;
  catalog: FakeCatalog;
  stock: FakeStock;
  hostOrders: FakeHostOrders;
  stores: Stores;
  orders: OrderRepository;
  routes: AdminRouteContribution[];
  widgets: DashboardWidgetContribution[];
  settings: SettingsSectionContribution;
}

export async function createAdminHarness(knex: Knex, now = new Date('2026-11-26T10:00:00.000Z')): Promise<AdminHarness> {
  await migrateLatest(knex, { directory: path.resolve(import.meta.dirname, '../..', manifest.migrations.directory), tableName: manifest.migrations.tableName });
  const clock = new FakeClock(now);
  const catalog = new FakeCatalog();
  const stock = new FakeStock();
  const hostOrders = new FakeHostOrders();
  const container = new Container();
  container.bind(Ports.Database).toConstantValue(knex);
  container.bind(Ports.Clock).toConstantValue(clock);
  container.bind(Ports.Secrets).toConstantValue(testSecrets());
  container.bind(Ports.Config).toConstantValue(memoryConfig());
  container.bind(Ports.StoreViews).toConstantValue(testStoreViews);
  container.bind(Ports.Orders).toConstantValue(hostOrders);
  container.bind(Ports.Catalog).toConstantValue(catalog);
  container.bind(Ports.Stock).toConstantValue(stock);
  container.bind(Ports.Logger).toConstantValue(silentLogger);
  container.load(containerModule);
  return {
    container,
    clock,
    catalog,
    stock,
    hostOrders,
    stores: container.get(Stores),
    orders: container.get(OrderRepository),
    routes: container.getAll<AdminRouteContribution>(Contributions.AdminRoute),
    widgets: container.getAll<DashboardWidgetContribution>(Contributions.DashboardWidget),
    settings: container.getAll<SettingsSectionContribution>(Contributions.SettingsSection)[0],
  };
}

export interface RequestOptions {
  rights?: string[];
  form?: Record<string, string> | URLSearchParams;
  /** The csrf_token field is added to POST forms unless this is false. */
  withCsrf?: boolean;
}

export function adminContext(rights: string[] = ALL_RIGHTS) {
  return {
    user: { username: 'admin', role: 'admin' },
    can: (acl: string) => rights.includes(acl),
    csrfToken: CSRF,
    basePath: BASE,
    links: {
      order: (id: string) => `${BASE}/sales/orders/${encodeURIComponent(id)}`,
      settings: (section: string, scope: string) => `${BASE}/settings/${section}?scope=${encodeURIComponent(scope)}`,
    },
  };
}

/** Matches a route path with `:params` against a concrete path, as the host's router does. */
function matchPath(pattern: string, actual: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = actual.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

/** Calls the module route for a URL (as rendered in the pages: with the base path and HTML entities). */
export async function call(harness: AdminHarness, method: 'GET' | 'POST', url: string, options: RequestOptions = {}): Promise<AdminResponse> {
  const href = url.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
  const parsed = new URL(href, 'http://host.test');
  if (!parsed.pathname.startsWith(`${BASE}/`)) throw new Error(`${url} is not under the admin base path`);
  const local = parsed.pathname.slice(BASE.length);
  for (const route of harness.routes) {
    if (route.method !== method) continue;
    const params = matchPath(route.path, local);
    if (!params) continue;
    const form = new URLSearchParams(options.form ?? {});
    if (method === 'POST' && options.withCsrf !== false && !form.has('csrf_token')) form.set('csrf_token', CSRF);
    const request: AdminRequest = { ...adminContext(options.rights), method, params, query: parsed.searchParams, form };
    return route.handle(request);
  }
  throw new Error(`No ${method} route for ${url}`);
}

export async function getPage(harness: AdminHarness, url: string, options: RequestOptions = {}): Promise<{ status: number; title: string; html: string }> {
  const response = await call(harness, 'GET', url, options);
  if (response.kind !== 'page') throw new Error(`${url} answered ${response.kind}, not a page`);
  return { status: response.status ?? 200, title: response.title, html: response.html };
}

export async function readDownload(response: AdminResponse): Promise<string> {
  if (response.kind !== 'download') throw new Error(`answered ${response.kind}, not a download`);
  let text = '';
  for await (const chunk of response.body) text += chunk;
  return text;
}

/** Stores one Amazon order document as the sync does: the decision comes from the store's current settings. */
export async function putOrder(harness: AdminHarness, knex: Knex, storeId: number, order: Order) {
  const store = await harness.stores.get(storeId);
  const snapshot = snapshotFromAmazon(order, store.marketplaceId);
  const decision = importDecision(snapshot, await harness.stores.settings(storeId), store.integratedAt);
  if (decision === 'hidden') throw new Error(`order ${order.orderId} is older than the store's integration`);
  await knex.transaction((trx) => harness.orders.upsertFromAmazon(trx, storeId, order, snapshot, decision));
  return (await harness.orders.find(storeId, order.orderId))!;
}

/** Every href in a fragment, HTML entities decoded. */
export function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));
}
