/**
 * Helpers of the sandbox's SQS and notifications tests: AWS's own SQS client against the sandbox,
 * the control API, grantless tokens, and Amazon's ORDER_CHANGE model as an Ajv validator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { Ajv, type ValidateFunction } from 'ajv';
import { DEMO_AWS, type AwsCredentials, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import type { ApiResponse, SpApiTestClient } from '../support/amazon-sandbox-client.ts';
import { modelsDir } from '../support/sp-api-contract.ts';

/** SQS as the module builds it: region, the sandbox's endpoint, an access key. */
export function sqsClient(sandbox: RunningAmazonSandbox, credentials: AwsCredentials = DEMO_AWS, maxAttempts = 3): SQSClient {
  return new SQSClient({ region: sandbox.sqsRegion, endpoint: sandbox.sqsUrl, credentials: { ...credentials }, maxAttempts });
}

/** Every message in a queue now (received, not deleted: they stay in flight). */
export async function drain(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!answer.Messages?.length) return messages;
    messages.push(...answer.Messages);
  }
}

export async function control(sandbox: RunningAmazonSandbox, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** LWA's client_credentials grant for the notifications scope. */
export async function grantlessToken(api: SpApiTestClient, credentials = api.credentials): Promise<string> {
  const res = await api.lwa({ grant_type: 'client_credentials', scope: 'sellingpartnerapi::notifications', client_id: credentials.clientId, client_secret: credentials.clientSecret });
  if (res.status !== 200) throw new Error(`LWA refused the grantless token: ${res.text}`);
  return res.body.access_token as string;
}

/** A Notifications API call with a grantless token (or `token`). */
export async function grantless(api: SpApiTestClient, method: string, path: string, body?: unknown, token?: string): Promise<ApiResponse> {
  return api.raw(method, `/notifications/v1${path}`, { token: token ?? (await grantlessToken(api)), body });
}

/** A destination for `arn` and the demo seller's ORDER_CHANGE subscription to it. */
export async function subscribe(api: SpApiTestClient, arn: string, orderChangeTypes?: string[]): Promise<{ destinationId: string; subscriptionId: string }> {
  const destination = await grantless(api, 'POST', '/destinations', { name: 'orders', resourceSpecification: { sqs: { arn } } });
  if (destination.status !== 200) throw new Error(`createDestination: ${destination.text}`);
  const destinationId = destination.body.payload.destinationId as string;
  const subscription = await api.raw('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', {
    body: {
      payloadVersion: '1.0',
      destinationId,
      ...(orderChangeTypes ? { processingDirective: { eventFilter: { eventFilterType: 'ORDER_CHANGE', orderChangeTypes } } } : {}),
    },
  });
  if (subscription.status !== 200) throw new Error(`createSubscription: ${subscription.text}`);
  return { destinationId, subscriptionId: subscription.body.payload.subscriptionId as string };
}

let orderChangeModel: ValidateFunction | undefined;

/**
 * Amazon's OrderChangeNotification.json, closed: every object that lists properties gets
 * `additionalProperties: false`, so a field the model does not know fails too. The draft-07
 * `$schema` and the per-node `$id`s (JSON pointers, not ids) are dropped for Ajv.
 */
export function orderChangeValidator(): ValidateFunction {
  if (orderChangeModel) return orderChangeModel;
  const close = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(close);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id' || key === '$schema' || key === 'examples') continue;
      out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([name, schema]) => [name, close(schema)])) : close(value);
    }
    if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
    return out;
  };
  const model = JSON.parse(fs.readFileSync(path.join(modelsDir(), 'OrderChangeNotification.json'), 'utf8'));
  orderChangeModel = new Ajv({ strict: false, allErrors: true }).compile(close(model) as object);
  return orderChangeModel;
}

/** The model's errors for one message body ([] when it matches). */
export function orderChangeErrors(body: string): string[] {
  const validate = orderChangeValidator();
  return validate(JSON.parse(body)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
