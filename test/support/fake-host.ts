/**
 * In-memory catalog, stock and host orders for testing module services and admin pages without
 * the reference host (the browser tests use the real host). Small, but honest: creation is
 * idempotent by key and products can be missing, disabled or out of stock.
 */
import type {
  CatalogPort,
  CreateOrderRequest,
  CreateOrderResult,
  HostOrder,
  HostProduct,
  LoggerPort,
  OrdersPort,
  StockLine,
  StockPort,
} from '../../src/host/ports.ts';
import { testOrderStatuses } from './module-ports.ts';

export class FakeCatalog implements CatalogPort {
  readonly products = new Map<string, HostProduct>();
  add(sku: string, overrides: Partial<HostProduct> = {}): HostProduct {
    const product = { id: `p-${sku}`, sku, name: `Product ${sku}`, enabled: true, manageStock: false, ...overrides };
    this.products.set(sku, product);
    return product;
  }
  async findBySku(sku: string) {
    return this.products.get(sku) ?? null;
  }
  async findById(id: string) {
    return [...this.products.values()].find((p) => p.id === id) ?? null;
  }
}

export class FakeStock implements StockPort {
  readonly salable = new Map<string, number>();
  readonly reservations = new Map<string, StockLine[]>();
  async salableQty(sku: string) {
    return this.salable.get(sku) ?? null;
  }
  async reserve(key: string, lines: StockLine[]) {
    this.reservations.set(key, lines);
  }
  async release(key: string) {
    this.reservations.delete(key);
  }
}

export class FakeHostOrders implements OrdersPort {
  readonly orders = new Map<string, HostOrder & { request: CreateOrderRequest }>();
  private readonly byKey = new Map<string, string>();
  private next = 100001;

  async create(request: CreateOrderRequest): Promise<CreateOrderResult> {
    const existing = this.byKey.get(request.idempotencyKey);
    if (existing) return { ok: true, order: { id: existing, number: this.orders.get(existing)!.number }, created: false };
    const id = `h${this.next}`;
    const number = request.orderNumber ?? String(this.next++);
    this.orders.set(id, {
      id,
      number,
      state: request.state,
      status: request.status ?? request.state,
      externalReference: request.externalReference,
      currencyCode: request.currencyCode,
      grandTotal: request.grandTotal,
      items: request.lines.map((l, i) => ({ id: String(i + 1), externalReference: l.externalReference ?? null, sku: l.sku, qty: l.qty, qtyShipped: 0, qtyCanceled: 0, qtyRefunded: 0 })),
      request,
    });
    this.byKey.set(request.idempotencyKey, id);
    return { ok: true, order: { id, number }, created: true };
  }
  async get(id: string) {
    return this.orders.get(id) ?? null;
  }
  async findByExternalReference(_channel: string, reference: string) {
    return [...this.orders.values()].find((o) => o.externalReference === reference) ?? null;
  }
  async cancel(id: string) {
    const order = this.orders.get(id);
    if (order) order.state = 'canceled';
  }
  async complete(id: string) {
    const order = this.orders.get(id);
    if (order) order.state = 'complete';
  }
  async addComment() {}
  listStatuses = testOrderStatuses.listStatuses;
}

export const silentLogger: LoggerPort = { debug() {}, info() {}, warn() {}, error() {} };
