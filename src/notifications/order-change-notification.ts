/**
 * Amazon's ORDER_CHANGE notification (model: OrderChangeNotification.json), as it arrives in the
 * body of an SQS message. Only what the module reads is declared, with the model's required
 * properties required (see src/amazon/models.ts for the rules); the notification carries no money
 * and no buyer data the module keeps: it only says which order to fetch again.
 */
import Type, { type Static } from 'typebox';
import { format } from '../amazon/formats.ts';
import { documentProblem } from '../amazon/validate.ts';

const text = () => Type.String({ minLength: 1 });
const instant = () => Type.String({ format: format('date-time') });

export const OrderChangeNotification = Type.Object(
  {
    NotificationType: Type.Literal('ORDER_CHANGE'),
    EventTime: instant(),
    Payload: Type.Object(
      {
        OrderChangeNotification: Type.Object(
          {
            SellerId: text(),
            AmazonOrderId: text(),
            /** BuyerRequestedChange | DeliveryTipChange | OrderStatusChange (Amazon may add others). */
            OrderChangeType: Type.String(),
            Summary: Type.Object({ MarketplaceId: text() }, { title: 'Summary' }),
          },
          { title: 'OrderChangeNotification' },
        ),
      },
      { title: 'Payload' },
    ),
    NotificationMetadata: Type.Object({ NotificationId: text(), PublishTime: instant() }, { title: 'NotificationMetadata' }),
  },
  { title: 'Notification' },
);
export type OrderChangeNotification = Static<typeof OrderChangeNotification>;

/** What the module takes from one notification. */
export interface OrderChange {
  notificationId: string;
  sellerId: string;
  marketplaceId: string;
  amazonOrderId: string;
  changeType: string;
  /** When Amazon published it: the queue's lag is measured from here. */
  publishedAt: Date;
}

export class NotificationFormatError extends Error {
  override name = 'NotificationFormatError';
}

/** Reads an SQS message body; throws NotificationFormatError saying what is wrong. */
export function readOrderChange(body: string): OrderChange {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw new NotificationFormatError(`the message is not JSON (${body.length} characters)`);
  }
  const problem = documentProblem(OrderChangeNotification, document);
  if (problem !== null) throw new NotificationFormatError(`not an ORDER_CHANGE notification: ${problem}`);
  const { Payload, NotificationMetadata } = document as OrderChangeNotification;
  const change = Payload.OrderChangeNotification;
  // Amazon's ids have 19 and 36 characters; the columns keep 32 and 128.
  if (change.AmazonOrderId.length > 32) throw new NotificationFormatError(`Payload.OrderChangeNotification.AmazonOrderId: longer than an Amazon order id (${change.AmazonOrderId.length} characters)`);
  if (NotificationMetadata.NotificationId.length > 128) throw new NotificationFormatError(`NotificationMetadata.NotificationId: longer than 128 characters`);
  return {
    notificationId: NotificationMetadata.NotificationId,
    sellerId: change.SellerId,
    marketplaceId: change.Summary.MarketplaceId,
    amazonOrderId: change.AmazonOrderId,
    changeType: change.OrderChangeType,
    publishedAt: new Date(NotificationMetadata.PublishTime),
  };
}
