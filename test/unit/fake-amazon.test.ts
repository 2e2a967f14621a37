/** The client tests' fake Amazon itself: a handler that throws gets an answer, not a hung request. */
import { expect } from 'chai';
import { FakeAmazon } from '../support/fake-amazon.ts';

describe('FakeAmazon', () => {
  it('answers 500 with an errors body when a handler throws, and records why', async () => {
    const amazon = await FakeAmazon.start();
    try {
      amazon.on('GET', '/orders/2026-01-01/orders/111-1', () => {
        throw new Error('handler bug');
      });
      const response = await fetch(`${amazon.url}/orders/2026-01-01/orders/111-1`, { signal: AbortSignal.timeout(2000) });
      expect(response.status).to.equal(500);
      expect(response.headers.get('x-amzn-requestid')).to.equal('req-1');
      expect(await response.json()).to.deep.equal({ errors: [{ code: 'InternalFailure', message: 'FakeAmazon failed: handler bug' }] });
      expect(amazon.violations).to.deep.equal(['GET /orders/2026-01-01/orders/111-1: the fake failed: handler bug']);
    } finally {
      await amazon.close();
    }
  });
});
