/**
 * Amazon order details: what Amazon sent (Order & Shipping, Items, Tracking), why the order has
 * no host order yet, Retry import for blocked orders, what was sent to Amazon (the outbox, with
 * Send again for a refused entry), Cancel order (Unshipped only, reason required), and the
 * order's history.
 */
import { inject, injectable } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { Ports } from '../host/tokens.ts';
import type { CatalogPort } from '../host/ports.ts';
import type { Order } from '../amazon/models.ts';
import { OrderRepository, type StoredOrder, type StoredOrderItem } from '../orders/order-repository.ts';
import { gridStatusOf } from '../orders/rules.ts';
import { addressLines, amazonTimeText, marketplaceText, moneyText, statusSlug, timeText, timeTextOrNull } from './format.ts';
import { sellerCentralOrderUrl } from '../stores/marketplaces.ts';
import { Stores } from '../stores/stores.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { importExplanation } from './import-explanation.ts';
import { ModuleRoute, requestedOrder } from './module-route.ts';
import { storeHead, type PageHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';
import { Fulfillment } from '../fulfillment/fulfillment.ts';
import { describeRecord } from '../fulfillment/notes.ts';
import { Outbox, summarize, type OutboxKind, type OutboxState } from '../fulfillment/outbox.ts';
import { CANCEL_REASON_CHOICES, decideCancel } from '../fulfillment/rules.ts';

export const DETAIL_TABS = [
  { key: 'order', label: 'Order & Shipping' },
  { key: 'items', label: 'Items' },
  { key: 'tracking', label: 'Tracking' },
] as const;
type TabKey = (typeof DETAIL_TABS)[number]['key'];

type Flash = NonNullable<PageHead['flash']>;

/**
 * Messages after an action (Post/Redirect/Get), by query parameter and code: fixed texts, never
 * text from the URL, looked up in Maps (a code like "toString" finds nothing).
 */
const FLASHES: ReadonlyMap<string, ReadonlyMap<string, Flash>> = new Map([
  ['retry', new Map<string, Flash>([
    ['imported', { tone: 'ok', text: 'Import retried: the host order was created.' }],
    ['blocked', { tone: 'warn', text: 'Import retried: the order is still blocked (see below).' }],
    ['skipped', { tone: 'info', text: 'Nothing to retry: the order is not waiting for import.' }],
    ['busy', { tone: 'warn', text: 'A sync is running for this store right now; it retries this order itself. Try again in a minute if needed.' }],
  ])],
  ['cancel', new Map<string, Flash>([
    ['recorded', { tone: 'ok', text: 'Cancel recorded: it is sent to Amazon with the next feed (see Fulfillment to Amazon below).' }],
    ['with-host', { tone: 'ok', text: 'Cancel recorded and the host order canceled: the cancel is sent to Amazon with the next feed.' }],
    ['host-failed', { tone: 'warn', text: 'Cancel recorded for Amazon, but the host order could not be canceled (see the order notes).' }],
    ['nothing', { tone: 'info', text: 'Nothing to cancel: Amazon canceled the order already, or its cancel was recorded before.' }],
    ['refused', { tone: 'error', text: 'The order was not canceled (the reason is below).' }],
    ['reason', { tone: 'error', text: 'Choose a reason to cancel the order; nothing was changed.' }],
  ])],
  ['outbox', new Map<string, Flash>([
    ['retried', { tone: 'ok', text: 'It is sent to Amazon again with the next run (within a minute).' }],
    ['not-failed', { tone: 'info', text: 'Nothing to send again: that entry has not failed.' }],
  ])],
]);

function flashOf(query: URLSearchParams): Flash | null {
  for (const [param, codes] of FLASHES) {
    const flash = codes.get(query.get(param) ?? '');
    if (flash) return flash;
  }
  return null;
}

const ENTRY_STATES: Record<OutboxState, { text: string; slug: string }> = {
  pending: { text: 'Waiting to be sent', slug: 'pending' },
  sent: { text: 'Sent, Amazon is processing it', slug: 'unshipped' },
  done: { text: 'Accepted by Amazon', slug: 'completed' },
  failed: { text: 'Refused by Amazon', slug: 'error' },
};
const ENTRY_KINDS: Record<OutboxKind, string> = { shipment: 'Shipment', cancel: 'Cancel', refund: 'Refund' };

const text = (value: string | null | undefined) => value ?? '';

function orderFacts(order: StoredOrder, raw: Order) {
  const address = raw.recipient?.deliveryAddress;
  const window = (range: { earliestDateTime?: string; latestDateTime?: string } | undefined) => {
    const [from, to] = [amazonTimeText(range?.earliestDateTime), amazonTimeText(range?.latestDateTime)];
    return to ? `${from ? `${from.text} – ` : 'by '}${to.text}` : '';
  };
  return {
    order: [
      // In the grid's words: the badge above may say Completed or Error (ours), this is what Amazon says.
      { label: 'Status at Amazon', value: order.amazonStatus === 'UNFULFILLABLE' ? 'Canceled (unfulfillable)' : gridStatusOf(order.amazonStatus) },
      { label: 'Purchase date', value: timeText(order.purchaseDate).text },
      { label: 'Last updated by Amazon', value: timeText(order.amazonUpdatedAt).text },
      { label: 'Marketplace', value: marketplaceText(order.marketplaceId) },
      { label: 'Sales channel', value: text(raw.salesChannel?.marketplaceName ?? raw.salesChannel?.channelName) },
      { label: 'Fulfilled by', value: order.fulfilledBy === 'AMAZON' ? 'Amazon (FBA)' : 'Merchant' },
      { label: 'Grand total', value: moneyText(order.grandTotalAmount, order.currencyCode) },
      { label: 'Buyer', value: text(order.buyerName) },
      { label: 'Buyer email', value: text(raw.buyer?.buyerEmail) },
    ].filter((fact) => fact.value !== ''),
    shipping: [
      { label: 'Service level', value: text(raw.fulfillment?.fulfillmentServiceLevel) },
      { label: 'Ship by', value: window(raw.fulfillment?.shipByWindow) },
      { label: 'Deliver by', value: window(raw.fulfillment?.deliverByWindow) },
      { label: 'Recipient', value: text(address?.name) },
      { label: 'Company', value: text(address?.companyName) },
      { label: 'Phone', value: text(address?.phone) },
    ].filter((fact) => fact.value !== ''),
    addressLines: address ? addressLines(address) : [],
  };
}

@injectable()
export class OrderDetailsPage extends ModuleRoute {
  readonly id = 'amazon_order_details';
  readonly method = 'GET';
  readonly path = ROUTE_PATHS.order;
  readonly acl = Acl.ordersView;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(Ports.Catalog) private readonly catalog: CatalogPort,
    @inject(Outbox) private readonly outbox: Outbox,
    @inject(Fulfillment) private readonly fulfillment: Fulfillment,
  ) {
    super(views);
  }

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const { store, order } = await requestedOrder(this.stores, this.orders, request);
    const settings = await this.stores.settings(store.id);
    const tabParam = request.query.get('tab') ?? 'order';
    const tab: TabKey = DETAIL_TABS.some((t) => t.key === tabParam) ? (tabParam as TabKey) : 'order';
    const [items, history, matches] = await Promise.all([this.orders.items(order.id), this.orders.history(order.id), this.orders.listingMatches(store.id)]);
    const explanation = importExplanation(order, settings.importEnabled);
    const canManage = request.can(Acl.ordersManage);
    const flash = flashOf(request.query);

    return this.page(`Amazon order ${order.amazonOrderId}`, 'order-details', {
      head: { ...storeHead(store, urls, request, 'order', `Order ${order.amazonOrderId}`, flash), badge: { text: order.status, slug: statusSlug(order.status) } },
      summary: {
        purchaseDate: timeText(order.purchaseDate),
        buyerName: text(order.buyerName),
        grandTotal: moneyText(order.grandTotalAmount, order.currencyCode),
        note: text(order.note),
        importedAt: timeTextOrNull(order.importedAt),
      },
      explanation,
      // Shown in both import modes: an order imported before import was disabled still has its host order.
      hostOrder: order.hostOrderId ? { href: request.links.order(order.hostOrderId), number: order.hostOrderNumber ?? order.hostOrderId } : null,
      sellerCentral: sellerCentralOrderUrl(order.marketplaceId, order.amazonOrderId),
      unmatchedHref: explanation.offerMatching ? urls.unmatched(store.id) : null,
      retry:
        explanation.retryable && settings.importEnabled && canManage
          ? { action: urls.retry(store.id, order.amazonOrderId), csrfField: CSRF_FIELD, csrfToken: request.csrfToken }
          : null,
      tabs: DETAIL_TABS.map((t) => ({ label: t.label, href: urls.order(store.id, order.amazonOrderId, t.key === 'order' ? undefined : new URLSearchParams({ tab: t.key })), current: t.key === tab })),
      tab: { order: tab === 'order', items: tab === 'items', tracking: tab === 'tracking' },
      fulfillment: await this.fulfillmentModel(request, urls, store.id, order, canManage),
      facts: orderFacts(order, order.raw),
      items: await this.itemRows(items, matches),
      packages: (order.raw.packages ?? []).map((p) => ({
        reference: p.packageReferenceId,
        carrier: text(p.carrier),
        service: text(p.shippingService),
        trackingNumber: text(p.trackingNumber),
        shipTime: amazonTimeText(p.shipTime),
        status: text(p.packageStatus?.status),
        detail: text(p.packageStatus?.detailedStatus),
        units: (p.packageItems ?? []).reduce((sum, item) => sum + item.quantity, 0),
      })),
      history: [...history].reverse().map((entry) => ({
        at: timeText(entry.createdAt),
        kind: { status: 'Status', import: 'Import', outbound: 'To Amazon', note: 'Note' }[entry.kind] ?? entry.kind,
        message: entry.message,
      })),
    });
  }

  /** What was recorded for Amazon, and Cancel order (or why the order cannot be canceled). */
  private async fulfillmentModel(request: AdminRequest, urls: AdminUrls, storeId: number, order: StoredOrder, canManage: boolean) {
    const entries = await this.outbox.forOrder(order.id);
    const { history } = summarize(entries);
    const decision = decideCancel('other', await this.fulfillment.view(order), history);
    const canceledAlready = decision.allow && decision.record === null;
    const csrf = { csrfField: CSRF_FIELD, csrfToken: request.csrfToken };
    return {
      readOnly: (await this.stores.settings(storeId)).readOnly,
      entries: [...entries].reverse().map((entry) => ({
        id: entry.id,
        kind: ENTRY_KINDS[entry.kind],
        detail: describeRecord(entry.record),
        state: ENTRY_STATES[entry.state],
        attempts: entry.attempts,
        createdAt: timeText(entry.createdAt),
        sentAt: timeTextOrNull(entry.sentAt),
        lastError: entry.lastError,
        retry: entry.state === 'failed' && canManage ? { action: urls.outboxRetry(storeId, order.amazonOrderId, entry.id), ...csrf } : null,
      })),
      cancel:
        decision.allow && decision.record !== null && canManage
          ? { action: urls.cancel(storeId, order.amazonOrderId), ...csrf, reasons: CANCEL_REASON_CHOICES.map((c) => ({ code: c.code, label: c.label })), hostOrderNumber: order.hostOrderNumber }
          : null,
      // Why not, for an order that is not canceled already (Amazon's rule, in words).
      cancelBlocked: !decision.allow && !canceledAlready ? decision.reason : null,
    };
  }

  private async itemRows(items: StoredOrderItem[], matches: Map<string, string>) {
    return Promise.all(
      items.map(async (item) => {
        const hostSku = item.sellerSku ? (matches.get(item.sellerSku) ?? item.sellerSku) : null;
        const product = hostSku ? await this.catalog.findBySku(hostSku) : null;
        return {
          sellerSku: text(item.sellerSku),
          asin: text(item.asin),
          title: text(item.title),
          ordered: item.quantityOrdered,
          shipped: item.quantityShipped,
          canceled: item.quantityCanceled,
          unitPrice: moneyText(item.unitPriceAmount, item.currencyCode),
          hostProduct: product ? `${product.name} (${product.sku})${product.enabled ? '' : ' – disabled'}` : null,
          manualMatch: item.sellerSku !== null && matches.has(item.sellerSku),
        };
      }),
    );
  }
}
