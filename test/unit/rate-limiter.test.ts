import { expect } from 'chai';
import { reserveToken, type BucketState } from '../../src/amazon/rate-limiter.ts';
import { throttledTimes } from '../support/token-bucket.ts';

describe('rate limiter arithmetic (reserveToken)', () => {
  const full = (over: Partial<BucketState> = {}): BucketState => ({ tokens: 5, rate: 2, burst: 5, updatedMs: 0, ...over });

  it('spends the burst without waiting, then waits 1/rate per token', () => {
    let state = full();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { next, waitMs } = reserveToken(state, 0, 0);
      waits.push(waitMs);
      state = next;
    }
    expect(waits).to.deep.equal([0, 0, 0, 0, 0, 500, 1000]);
    expect(state.tokens).to.equal(-2);
  });

  it('refills at rate up to the capacity, never beyond', () => {
    const empty = full({ tokens: 0 });
    expect(reserveToken(empty, 1500, 0).next.tokens).to.equal(2); // 3 refilled, 1 taken
    expect(reserveToken(empty, 60_000, 0).next.tokens).to.equal(4); // capped at 5, 1 taken
  });

  it('keeps headroom tokens below Amazon’s burst', () => {
    expect(reserveToken(full({ tokens: 0 }), 60_000, 1).next.tokens).to.equal(3);
    // A burst of 1 keeps capacity 1 whatever the headroom.
    expect(reserveToken(full({ tokens: 0, burst: 1 }), 60_000, 1).waitMs).to.equal(0);
  });

  it('does not refill for a clock behind the last update, nor move the update time back', () => {
    const { next, waitMs } = reserveToken(full({ tokens: 0, updatedMs: 10_000 }), 5_000, 0);
    expect(waitMs).to.equal(500);
    expect(next.updatedMs).to.equal(10_000);
  });

  it('the reservation schedule it produces conforms to the same bucket', () => {
    let state = full({ rate: 20, burst: 5, tokens: 5 });
    const sendTimes: number[] = [];
    for (let i = 0; i < 60; i++) {
      const now = i * 7; // requests arrive faster than the rate
      const { next, waitMs } = reserveToken(state, now, 0);
      state = next;
      sendTimes.push(now + waitMs);
    }
    expect(throttledTimes(sendTimes, 20, 5)).to.deep.equal([]);
    // ...and the check itself catches a schedule that is too fast.
    expect(throttledTimes(sendTimes.map((t) => t * 0.9), 20, 5)).to.not.deep.equal([]);
  });
});
