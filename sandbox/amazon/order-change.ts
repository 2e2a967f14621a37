/**
 * The body of an ORDER_CHANGE notification for an order of the sandbox, as Amazon's model
 * OrderChangeNotification.json has it (order level: one notification per order, all its items).
 * The Summary speaks Orders v0's vocabulary (Unshipped, Canceled, MFN/AFN, StandardOrder). Times
 * are the sandbox clock's, ISO 8601 with milliseconds as in Amazon's examples.
 */
import { isoMillis } from './clock.ts';
import { orderStatus, promiseWindows, unshippedQuantity, type FulfillmentStatus, type OrderChangeEvent, type OrderState } from './order-book.ts';

/** Orders v0's OrderStatus for each fulfillment status of v2026-01-01. */
const V0_STATUS: Record<FulfillmentStatus, string> = {
  PENDING_AVAILABILITY: 'PendingAvailability',
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
  UNFULFILLABLE: 'Unfulfillable',
};

export function v0OrderStatus(order: OrderState): string {
  return V0_STATUS[orderStatus(order)];
}

export interface NotificationMetadata {
  applicationId: string;
  subscriptionId: string;
  notificationId: string;
  /** Sandbox time the notification was published (EventTime and PublishTime). */
  publishedAt: number;
}

export function orderChangeNotification(change: OrderChangeEvent, metadata: NotificationMetadata): Record<string, unknown> {
  const published = isoMillis(metadata.publishedAt);
  return {
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: published,
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: change.order.sellerId,
        AmazonOrderId: change.order.orderId,
        OrderChangeType: change.type,
        OrderChangeTrigger: { TimeOfOrderChange: isoMillis(change.at), ChangeReason: change.reason },
        Summary: summary(change.order),
      },
    },
    NotificationMetadata: {
      ApplicationId: metadata.applicationId,
      SubscriptionId: metadata.subscriptionId,
      PublishTime: published,
      NotificationId: metadata.notificationId,
    },
  };
}

function summary(order: OrderState): Record<string, unknown> {
  const merchant = order.fulfilledBy === 'MERCHANT';
  const status = orderStatus(order);
  const { shipBy, deliverBy } = promiseWindows(order);
  const itemStatus = (item: OrderState['items'][number]) => (item.quantityShipped > 0 && unshippedQuantity(item) === 0 ? 'Shipped' : 'Unshipped');
  // "Will display it when items' status are different."
  const mixed = new Set(order.items.map(itemStatus)).size > 1;
  const out: Record<string, unknown> = {
    MarketplaceId: order.marketplaceId,
    OrderStatus: V0_STATUS[status],
    PurchaseDate: isoMillis(order.createdTime),
    // As in the Orders API: the address exists once Amazon verified the order, and never for FBA.
    DestinationPostalCode: merchant && order.verifiedAt !== undefined ? order.address.postalCode : null,
    FulfillmentType: merchant ? 'MFN' : 'AFN',
    OrderType: order.programs.includes('PREORDER') ? 'Preorder' : 'StandardOrder',
    NumberOfItemsShipped: order.items.reduce((n, i) => n + i.quantityShipped, 0),
    NumberOfItemsUnshipped: order.items.reduce((n, i) => n + unshippedQuantity(i), 0),
  };
  if (merchant) {
    out.EarliestDeliveryDate = isoMillis(deliverBy.earliest);
    // "Returned only for seller-fulfilled orders that do not have a PendingAvailability, Pending, or Canceled status."
    if (status !== 'PENDING_AVAILABILITY' && status !== 'PENDING' && status !== 'CANCELLED') out.LatestDeliveryDate = isoMillis(deliverBy.latest);
  }
  if (shipBy) {
    out.EarliestShipDate = isoMillis(shipBy.earliest);
    out.LatestShipDate = isoMillis(shipBy.latest);
  }
  if (order.programs.includes('PRIME')) out.OrderPrograms = ['Prime'];
  out.OrderItems = order.items.map((item) => ({
    OrderItemId: item.orderItemId,
    SellerSKU: item.sku,
    SupplySourceId: null,
    ...(mixed ? { OrderItemStatus: itemStatus(item) } : {}),
    Quantity: item.quantityOrdered,
    QuantityShipped: item.quantityShipped,
    IsBuyerRequestedCancel: item.cancellationRequest !== undefined,
  }));
  return out;
}
