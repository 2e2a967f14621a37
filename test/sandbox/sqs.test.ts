import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSServiceException,
  type SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { DEMO_AWS, DEMO_QUEUE_NAME, SqsError, startAmazonSandbox, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { startTestSandbox } from '../support/amazon-sandbox-client.ts';
import { control, sqsClient } from './notification-support.ts';

async function refusal(promise: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(SQSServiceException);
    return error as SQSServiceException;
  }
  throw new Error('SQS accepted the request');
}

describe('Amazon sandbox: SQS endpoint', () => {
  let sandbox: RunningAmazonSandbox;
  let sqs: SQSClient;

  before(async () => {
    ({ sandbox } = await startTestSandbox());
    sqs = sqsClient(sandbox);
  });
  after(async () => {
    sqs.destroy();
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  const receive = (QueueUrl: string, input: { WaitTimeSeconds?: number; MaxNumberOfMessages?: number; VisibilityTimeout?: number } = {}, abortSignal?: AbortSignal) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'], ...input }), { abortSignal });

  it('serves the demo queue to the demo AWS key, with its ARN, on its own port', async () => {
    expect(sandbox.sqsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/).and.not.equal(sandbox.url);
    expect(sandbox.sqsRegion).to.equal('us-east-1');
    const { url, arn } = sandbox.demoQueue;
    expect(url).to.equal(`${sandbox.sqsUrl}/123456789012/${DEMO_QUEUE_NAME}`);
    const answer = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'FifoQueue', 'Policy'] }));
    expect(answer.Attributes?.QueueArn).to.equal(arn).and.equal(`arn:aws:sqs:us-east-1:123456789012:${DEMO_QUEUE_NAME}`);
    expect(answer.Attributes?.FifoQueue).to.equal(undefined);
    expect(JSON.parse(answer.Attributes!.Policy!).Statement[0]).to.deep.include({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::437568002678:root' },
      Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      Resource: arn,
    });
  });

  it('answers a long poll as soon as a message arrives, not when the wait is over', async () => {
    const { url } = sandbox.createQueue('prompt');
    const started = Date.now();
    const polling = receive(url, { WaitTimeSeconds: 5 });
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' })), 300);
    const answer = await polling;
    expect(Date.now() - started).to.be.below(4000);
    expect(answer.Messages?.map((m) => m.Body)).to.deep.equal(['hello']);
    expect(Number(answer.Messages![0]!.Attributes?.ApproximateReceiveCount)).to.equal(1);
    expect(Number(answer.Messages![0]!.Attributes?.SentTimestamp)).to.be.within(started, Date.now());
  });

  it('waits the whole WaitTimeSeconds on an empty queue, and answers at once without one', async () => {
    const { url } = sandbox.createQueue('empty');
    let started = Date.now();
    expect((await receive(url, { WaitTimeSeconds: 1 })).Messages).to.equal(undefined);
    expect(Date.now() - started).to.be.at.least(950);
    started = Date.now();
    expect((await receive(url)).Messages).to.equal(undefined);
    expect(Date.now() - started).to.be.below(900);
  });

  it('hands a message out once per answer, also when its visibility timeout ends during the wait', async () => {
    const { url } = sandbox.createQueue('visibility', { visibilityTimeoutSeconds: 1 });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await receive(url);
    expect(first.Messages).to.have.length(1);
    const started = Date.now();
    // Visible again after 1 s: the long poll answers then, with the message once.
    const second = await receive(url, { WaitTimeSeconds: 3 });
    expect(Date.now() - started).to.be.below(2900);
    expect(second.Messages).to.have.length(1);
    expect(second.Messages![0]!.MessageId).to.equal(first.Messages![0]!.MessageId);
    expect(Number(second.Messages![0]!.Attributes?.ApproximateReceiveCount)).to.equal(2);
    // The latest receipt handle works.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.Messages![0]!.ReceiptHandle }));
    expect(sandbox.describeQueue(url)).to.include({ visible: 0, inFlight: 0 });
  });

  it('returns several waiting messages in one answer, each once', async () => {
    const { url } = sandbox.createQueue('several');
    for (const body of ['a', 'b', 'c']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const answer = await receive(url, { WaitTimeSeconds: 2 });
    const ids = answer.Messages!.map((m: Message) => m.MessageId);
    expect(answer.Messages!.map((m) => m.Body)).to.deep.equal(['a', 'b', 'c']);
    expect(new Set(ids).size).to.equal(3);
  });

  it('counts visible and in-flight messages as SQS does (ApproximateNumberOfMessages without the in-flight ones)', async () => {
    const { url } = sandbox.createQueue('counts');
    for (const body of ['a', 'b']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    expect(sandbox.describeQueue('counts')).to.include({ visible: 2, inFlight: 0, delayed: 0 });
    await receive(url, { MaxNumberOfMessages: 1 });
    expect(sandbox.describeQueue(url)).to.include({ visible: 1, inFlight: 1 });
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(attributes.Attributes).to.deep.equal({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1' });
  });

  it('stops a long poll whose client hung up, so it does not take the next message', async () => {
    const { url } = sandbox.createQueue('hangup');
    const abort = new AbortController();
    const polling = receive(url, { WaitTimeSeconds: 5 }, abort.signal).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    await polling;
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for the next poll' }));
    expect((await receive(url, { WaitTimeSeconds: 2 })).Messages?.map((m) => m.Body)).to.deep.equal(['for the next poll']);
  });

  it('refuses an unknown access key, a wrong secret and an unsigned request; accepts a key a test added', async () => {
    const url = sandbox.demoQueue.url;
    const unknown = sqsClient(sandbox, { accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: 'x' });
    const wrongSecret = sqsClient(sandbox, { accessKeyId: DEMO_AWS.accessKeyId, secretAccessKey: 'not-the-secret' });
    const added = sqsClient(sandbox, { accessKeyId: 'AKIATESTKEY000000001', secretAccessKey: 'test-secret' });
    try {
      const byUnknown = await refusal(unknown.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })));
      expect(byUnknown.$metadata.httpStatusCode).to.equal(403);
      expect(byUnknown.message).to.equal('The security token included in the request is invalid.');
      expect(byUnknown.name).to.match(/InvalidClientTokenId|UnrecognizedClient/);

      const bySecret = await refusal(wrongSecret.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })));
      expect(bySecret.$metadata.httpStatusCode).to.equal(403);
      expect(bySecret.message).to.match(/signature we calculated does not match/);

      await refusal(added.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })));
      sandbox.addAwsCredentials({ accessKeyId: 'AKIATESTKEY000000001', secretAccessKey: 'test-secret' });
      expect((await added.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn).to.equal(sandbox.demoQueue.arn);
      expect(() => sandbox.addAwsCredentials({ accessKeyId: 'AKIATESTKEY000000001', secretAccessKey: 'other' })).to.throw(SqsError, /another secret/);
    } finally {
      for (const client of [unknown, wrongSecret, added]) client.destroy();
    }

    const raw = await fetch(sandbox.sqsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    expect(raw.status).to.equal(403);
    expect((await raw.json()).__type).to.equal('com.amazon.coral.service#MissingAuthenticationTokenException');
  });

  it('answers every request 503 ServiceUnavailable while switched off, and serves again after', async () => {
    const once = sqsClient(sandbox, DEMO_AWS, 1);
    try {
      sandbox.setSqsAvailable(false);
      const refused = await refusal(once.send(new GetQueueAttributesCommand({ QueueUrl: sandbox.demoQueue.url, AttributeNames: ['QueueArn'] })));
      expect(refused.$metadata.httpStatusCode).to.equal(503);
      const raw = await fetch(sandbox.sqsUrl, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
      expect(raw.status).to.equal(503);
      expect(await raw.json()).to.deep.equal({ __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'Service is unavailable. Try again later.' });

      expect((await control(sandbox, 'POST', '/sqs', { available: true })).body.available).to.equal(true);
      expect((await once.send(new GetQueueAttributesCommand({ QueueUrl: sandbox.demoQueue.url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn).to.equal(sandbox.demoQueue.arn);
    } finally {
      once.destroy();
    }
  });

  it('creates queues in process, over the control API and with CreateQueue, as SQS does', async () => {
    const made = sandbox.createQueue('orders', { visibilityTimeoutSeconds: 45 });
    expect(made).to.deep.equal({ url: `${sandbox.sqsUrl}/123456789012/orders`, arn: 'arn:aws:sqs:us-east-1:123456789012:orders' });
    // The same settings again: the same queue; other settings: refused.
    expect(sandbox.createQueue('orders', { visibilityTimeoutSeconds: 45 })).to.deep.equal(made);
    expect(() => sandbox.createQueue('orders', { visibilityTimeoutSeconds: 10 })).to.throw(SqsError, /other attributes/);
    expect(() => sandbox.createQueue('no spaces')).to.throw(SqsError, /alphanumeric/);
    expect(() => sandbox.createQueue('fifo-without-suffix', { fifo: true })).to.throw(SqsError);
    expect(sandbox.createQueue('orders.fifo', { fifo: true }).arn).to.equal('arn:aws:sqs:us-east-1:123456789012:orders.fifo');
    expect(sandbox.describeQueue('orders.fifo')).to.include({ fifo: true, amazonMaySend: true });
    expect(sandbox.createQueue('private', { allowAmazonToSend: false }).url).to.match(/\/private$/);
    expect(sandbox.describeQueue('arn:aws:sqs:us-east-1:123456789012:private')).to.include({ amazonMaySend: false, visibilityTimeoutSeconds: 30 });

    const created = await control(sandbox, 'POST', '/sqs/queues', { name: 'over-http', fifo: false });
    expect(created).to.deep.equal({ status: 201, body: { url: `${sandbox.sqsUrl}/123456789012/over-http`, arn: 'arn:aws:sqs:us-east-1:123456789012:over-http' } });
    expect((await control(sandbox, 'POST', '/sqs/queues', { name: 'over-http', visibilityTimeoutSeconds: 5 })).status).to.equal(409);
    expect((await control(sandbox, 'GET', '/sqs/queues/nope')).status).to.equal(404);
    expect((await control(sandbox, 'POST', '/sqs/credentials', { accessKeyId: 'lower', secretAccessKey: 'x' })).status).to.equal(400);

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'by-sdk' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    expect((await control(sandbox, 'GET', '/sqs/queues/by-sdk')).body.queue).to.include({ name: 'by-sdk', visible: 1, inFlight: 0, amazonMaySend: false });
    const listed = (await control(sandbox, 'GET', '/sqs')).body;
    expect(listed).to.include({ url: sandbox.sqsUrl, region: 'us-east-1', available: true });
    expect(listed.queues.map((q: { name: string }) => q.name)).to.include.members([DEMO_QUEUE_NAME, 'orders', 'by-sdk']);

    // reset: every queue goes, the demo queue comes back empty.
    sandbox.reset();
    expect(sandbox.listQueues().map((q) => q.name)).to.deep.equal([DEMO_QUEUE_NAME]);
  });

  it('starts and closes with the sandbox, a pending long poll included', async () => {
    const other = await startAmazonSandbox({ port: 0, clock: { speed: 0 } });
    const client = sqsClient(other, DEMO_AWS, 1);
    try {
      expect(other.sqsUrl).to.not.equal(sandbox.sqsUrl);
      const polling = client.send(new ReceiveMessageCommand({ QueueUrl: other.demoQueue.url, WaitTimeSeconds: 20 })).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      await other.close();
      await polling;
      expect(Date.now() - started).to.be.below(2000);
      const gone = await fetch(other.sqsUrl).catch((error: unknown) => error);
      expect(gone).to.be.instanceOf(Error);
    } finally {
      client.destroy();
    }
  });
});
