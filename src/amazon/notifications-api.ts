/**
 * Notifications API v1: where Amazon sends a seller's ORDER_CHANGE notifications.
 *   A destination (an SQS queue's ARN) belongs to the application and is made with its grantless
 *   token; a subscription ties one seller's notifications of one type to a destination and is
 *   made with the seller's token; deleting it by id is grantless again. Every operation is
 *   limited to 1 request/s, burst 5 (DEFAULT_RATE_PLANS).
 */
import Type, { type Static } from 'typebox';
import { AmazonApiError, AmazonRequestError } from './errors.ts';
import type { SpApiHttp } from './http.ts';
import { isBlank, parseResponse, type ResponseContext } from './validate.ts';

const BASE = '/notifications/v1';
const text = () => Type.String({ minLength: 1 });

const Destination = Type.Object(
  {
    destinationId: text(),
    name: Type.String(),
    resource: Type.Object({ sqs: Type.Optional(Type.Object({ arn: text() }, { title: 'SqsResource' })) }, { title: 'DestinationResource' }),
  },
  { title: 'Destination' },
);
export type Destination = Static<typeof Destination>;

const Subscription = Type.Object({ subscriptionId: text(), payloadVersion: Type.String(), destinationId: text() }, { title: 'Subscription' });
export type Subscription = Static<typeof Subscription>;

const GetDestinationsResponse = Type.Object({ payload: Type.Array(Destination) }, { title: 'GetDestinationsResponse' });
const DestinationResponse = Type.Object({ payload: Destination }, { title: 'CreateDestinationResponse' });
const SubscriptionResponse = Type.Object({ payload: Subscription }, { title: 'SubscriptionResponse' });

/** The order changes the module needs: status changes (new, shipped, canceled) and buyers' cancel requests. */
export const ORDER_CHANGE_TYPES = ['OrderStatusChange', 'BuyerRequestedChange'] as const;

/** An SQS queue ARN as the model's pattern has it. */
export const SQS_ARN = /^arn:aws:sqs:\S+:\S+:\S+$/;

const payloadOf =
  <T>(schema: Parameters<typeof parseResponse>[0]) =>
  (body: unknown, context: ResponseContext) =>
    parseResponse<{ payload: T }>(schema, body, context).payload;

export class NotificationsApi {
  constructor(private readonly http: SpApiHttp) {}

  /** The application's destinations (grantless). */
  async getDestinations(): Promise<Destination[]> {
    const response = await this.http.send({ operation: 'getDestinations', method: 'GET', path: `${BASE}/destinations`, grantless: true });
    return this.http.validated(response, payloadOf<Destination[]>(GetDestinationsResponse), 'getDestinations');
  }

  /** A destination for an SQS queue (grantless). Amazon checks it may send to the queue, and answers 409 when the application has one for it already. */
  async createDestination(name: string, queueArn: string): Promise<Destination> {
    if (isBlank(name)) throw new AmazonRequestError('createDestination: name is required', 'createDestination', 'name');
    if (!SQS_ARN.test(queueArn)) throw new AmazonRequestError(`createDestination: ${JSON.stringify(queueArn)} is not an SQS queue ARN`, 'createDestination', 'resourceSpecification.sqs.arn');
    const response = await this.http.send({
      operation: 'createDestination',
      method: 'POST',
      path: `${BASE}/destinations`,
      body: { name, resourceSpecification: { sqs: { arn: queueArn } } },
      grantless: true,
    });
    return this.http.validated(response, payloadOf<Destination>(DestinationResponse), 'createDestination');
  }

  /** The seller's ORDER_CHANGE subscription of this application, or null when it has none. */
  async getOrderChangeSubscription(): Promise<Subscription | null> {
    try {
      const response = await this.http.send({ operation: 'getSubscription', method: 'GET', path: `${BASE}/subscriptions/ORDER_CHANGE`, answers: [404] });
      return await this.http.validated(response, payloadOf<Subscription>(SubscriptionResponse), 'getSubscription');
    } catch (error) {
      if (error instanceof AmazonApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** Subscribes the seller's order changes to a destination; Amazon answers 409 when the seller has a subscription already. */
  async createOrderChangeSubscription(destinationId: string): Promise<Subscription> {
    if (isBlank(destinationId)) throw new AmazonRequestError('createSubscription: destinationId is required', 'createSubscription', 'destinationId');
    const response = await this.http.send({
      operation: 'createSubscription',
      method: 'POST',
      path: `${BASE}/subscriptions/ORDER_CHANGE`,
      body: {
        payloadVersion: '1.0',
        destinationId,
        // marketplaceIds is refused for ORDER_CHANGE: the subscription covers every marketplace of the seller.
        processingDirective: { eventFilter: { eventFilterType: 'ORDER_CHANGE', orderChangeTypes: [...ORDER_CHANGE_TYPES] } },
      },
    });
    return this.http.validated(response, payloadOf<Subscription>(SubscriptionResponse), 'createSubscription');
  }

  /** Deletes a subscription (grantless); false when Amazon no longer has it. */
  async deleteOrderChangeSubscription(subscriptionId: string): Promise<boolean> {
    if (isBlank(subscriptionId)) throw new AmazonRequestError('deleteSubscriptionById: subscriptionId is required', 'deleteSubscriptionById', 'subscriptionId');
    try {
      await this.http.send({
        operation: 'deleteSubscriptionById',
        method: 'DELETE',
        path: `${BASE}/subscriptions/ORDER_CHANGE/${encodeURIComponent(subscriptionId)}`,
        grantless: true,
        answers: [404],
      });
      return true;
    } catch (error) {
      if (error instanceof AmazonApiError && error.status === 404) return false;
      throw error;
    }
  }
}
