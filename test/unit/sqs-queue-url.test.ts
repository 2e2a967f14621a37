import { expect } from 'chai';
import { queueUrlProblem, queueUrlRegion } from '../../src/notifications/sqs-queue.ts';

describe('SQS queue URLs', () => {
  it('accepts the URL SQS shows and reads its region', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/amazon-orders';
    expect(queueUrlProblem(url)).to.equal(null);
    expect(queueUrlRegion(url)).to.equal('eu-west-1');
    expect(queueUrlRegion('https://us-east-2.queue.amazonaws.com/123456789012/q')).to.equal('us-east-2');
    // A local queue (the sandbox's) names no region.
    expect(queueUrlProblem('http://127.0.0.1:4611/123456789012/amazon-orders')).to.equal(null);
    expect(queueUrlRegion('http://127.0.0.1:4611/123456789012/amazon-orders')).to.equal(null);
  });

  it('refuses what Amazon could not send to or the consumer could not read, saying why', () => {
    expect(queueUrlProblem('amazon-orders')).to.match(/must be the queue URL SQS shows/);
    expect(queueUrlProblem('ftp://sqs.us-east-1.amazonaws.com/123456789012/q')).to.match(/must be the queue URL/);
    expect(queueUrlProblem('https://sqs.us-east-1.amazonaws.com/amazon-orders')).to.match(/AWS account \(12 digits\) and the queue name/);
    expect(queueUrlProblem('https://sqs.us-east-1.amazonaws.com/123456789012/q?x=1')).to.match(/AWS account/);
    expect(queueUrlProblem('https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo')).to.match(/FIFO queue: Amazon sends notifications only to standard queues/);
    expect(queueUrlProblem('http://sqs.us-east-1.amazonaws.com/123456789012/q')).to.equal('must use https');
    expect(queueUrlProblem(`https://sqs.us-east-1.amazonaws.com/123456789012/${'q'.repeat(81)}`)).to.match(/AWS account/);
  });
});
