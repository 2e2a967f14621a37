/**
 * The merchant's SQS queue that Amazon sends a store's ORDER_CHANGE notifications to, read with
 * AWS's own client (SigV4, the JSON protocol, its retries). Long polling: one ReceiveMessage waits
 * up to 20 s for a message and answers as soon as one is there, so an idle queue costs about three
 * requests a minute and a new order is read within a second of its arrival.
 *
 * Errors become QueueAccessError with what the admin can act on (wrong key, no such queue, no
 * permission, unreachable); the secret key is in none of them.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { httpUrl } from '../url.ts';

export interface QueueAccess {
  queueUrl: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface QueueMessage {
  body: string;
  receiptHandle: string;
  /** When SQS got the message (its SentTimestamp), or null when SQS did not say. */
  sentAt: Date | null;
  /** How many times SQS handed the message out, this time included. */
  receiveCount: number;
}

/** ReceiveMessage's longest wait, in seconds (SQS allows 0 to 20). */
export const LONG_POLL_SECONDS = 20;
const MAX_MESSAGES = 10;

export class QueueAccessError extends Error {
  override name = 'QueueAccessError';
  constructor(
    message: string,
    /** credentials | not-found | denied | unreachable | refused: what the admin has to fix. */
    readonly kind: 'credentials' | 'not-found' | 'denied' | 'unreachable' | 'refused',
  ) {
    super(message);
  }
}

/** sqs.<region>.amazonaws.com (and the legacy <region>.queue.amazonaws.com). */
const AWS_QUEUE_HOST = /^(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com$/;

/** The AWS region a queue URL names, or null for a URL that is not AWS's (a local queue). */
export function queueUrlRegion(queueUrl: string): string | null {
  const url = httpUrl(queueUrl);
  const match = url ? AWS_QUEUE_HOST.exec(url.hostname) : null;
  return match ? (match[1] ?? match[2]!) : null;
}

/** What is wrong with a queue URL an admin typed, or null: https://sqs.<region>.amazonaws.com/<account>/<name>. */
export function queueUrlProblem(queueUrl: string): string | null {
  const url = httpUrl(queueUrl);
  if (url === null) return 'must be the queue URL SQS shows, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/amazon-orders';
  if (!/^\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(url.pathname) || url.search !== '' || url.hash !== '') {
    return 'must end with the AWS account (12 digits) and the queue name, e.g. .../123456789012/amazon-orders';
  }
  if (url.pathname.endsWith('.fifo')) return 'names a FIFO queue: Amazon sends notifications only to standard queues';
  if (queueUrlRegion(queueUrl) !== null && url.protocol !== 'https:') return 'must use https';
  return null;
}

export class SqsQueue {
  private readonly client: SQSClient;

  constructor(private readonly access: QueueAccess) {
    this.client = new SQSClient({
      region: access.region,
      // The queue URL's own origin: AWS's regional endpoint, or a local queue's server.
      endpoint: new URL(access.queueUrl).origin,
      credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey },
      maxAttempts: 3,
      // A long poll holds its request LONG_POLL_SECONDS; an unreachable queue fails in seconds.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: (LONG_POLL_SECONDS + 10) * 1000 },
    });
  }

  /** The queue's ARN (what Amazon's destination names) and whether it is FIFO; proves the key may read it. */
  async describe(): Promise<{ arn: string; fifo: boolean }> {
    const answer = await this.call(() =>
      this.client.send(new GetQueueAttributesCommand({ QueueUrl: this.access.queueUrl, AttributeNames: ['QueueArn', 'FifoQueue'] })),
    );
    const arn = answer.Attributes?.QueueArn;
    if (!arn) throw new QueueAccessError(`SQS did not tell the ARN of ${this.access.queueUrl}`, 'refused');
    return { arn, fifo: answer.Attributes?.FifoQueue === 'true' };
  }

  /** Waits up to LONG_POLL_SECONDS for messages; [] when none came or `signal` aborted. */
  async receive(signal: AbortSignal): Promise<QueueMessage[]> {
    if (signal.aborted) return [];
    let answer;
    try {
      answer = await this.call(() =>
        this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.access.queueUrl,
            WaitTimeSeconds: LONG_POLL_SECONDS,
            MaxNumberOfMessages: MAX_MESSAGES,
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          }),
          { abortSignal: signal },
        ),
      );
    } catch (error) {
      if (signal.aborted) return [];
      throw error;
    }
    return (answer.Messages ?? []).flatMap((m) => {
      if (m.Body === undefined || m.ReceiptHandle === undefined) return [];
      const sent = Number(m.Attributes?.SentTimestamp);
      return [{ body: m.Body, receiptHandle: m.ReceiptHandle, sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent) : null, receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1) }];
    });
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.call(() => this.client.send(new DeleteMessageCommand({ QueueUrl: this.access.queueUrl, ReceiptHandle: receiptHandle })));
  }

  close(): void {
    this.client.destroy();
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.accessError(error);
    }
  }

  private accessError(error: unknown): Error {
    const queue = this.access.queueUrl;
    if (error instanceof SQSServiceException) {
      const status = error.$metadata.httpStatusCode;
      const said = `${error.name}${error.message ? `: ${error.message}` : ''}`;
      if (/UnrecognizedClient|InvalidClientTokenId|SignatureDoesNotMatch|InvalidSignature|IncompleteSignature/i.test(error.name)) {
        return new QueueAccessError(`AWS does not accept the access key ${this.access.accessKeyId} and its secret (${said})`, 'credentials');
      }
      if (/QueueDoesNotExist|NonExistentQueue/i.test(error.name)) return new QueueAccessError(`There is no queue ${queue} (${said})`, 'not-found');
      if (status === 403 || /AccessDenied/i.test(error.name)) {
        return new QueueAccessError(`The access key ${this.access.accessKeyId} may not use ${queue}: allow it sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes (${said})`, 'denied');
      }
      if (status !== undefined && status >= 500) return new QueueAccessError(`SQS is unavailable for ${queue} (HTTP ${status} ${said})`, 'unreachable');
      return new QueueAccessError(`SQS refused a request for ${queue} (${status ? `HTTP ${status} ` : ''}${said})`, 'refused');
    }
    const reason = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}` : String(error);
    return new QueueAccessError(`SQS cannot be reached for ${queue} (${reason})`, 'unreachable');
  }
}
