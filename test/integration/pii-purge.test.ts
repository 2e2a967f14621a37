import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { startE2E, MINUTE, type E2E } from '../support/e2e.ts';
import { BuyerDataPurge, withoutBuyerPii } from '../../src/orders/pii-purge.ts';
import { amazonOrder } from '../support/amazon-orders.ts';

const DAY = 24 * 60 * MINUTE;

describe('buyer PII removal (pure)', () => {
  it('drops names, e-mail, phone and street, keeps amounts, items and city/region/country', () => {
    const scrubbed = withoutBuyerPii(amazonOrder());
    expect(scrubbed.buyer).to.deep.equal({});
    expect(scrubbed.recipient?.deliveryAddress).to.deep.equal({ city: 'Seattle', stateOrRegion: 'WA', countryCode: 'US' });
    expect(scrubbed.proceeds).to.deep.equal(amazonOrder().proceeds);
    expect(scrubbed.orderItems).to.deep.equal(amazonOrder().orderItems);
  });
});

describeEachDatabase('buyer data purge', (db) => {
  let e: E2E;
  before(async () => {
    e = await startE2E(db(), { integratedAt: new Date('2026-11-26T09:00:00Z') });
  });
  after(async () => e.close());

  it('purges finished orders 30 days after their last change, and nothing else', async () => {
    await e.product('MUG-RED', 10);
    const shipped = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Old Buyer' });
    const open = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Open Buyer' });
    e.advance(5 * MINUTE);
    await e.sync();
    e.shipOnAmazon(shipped);
    e.advance(5 * MINUTE);
    await e.sync();
    const purge = e.host.container.get(BuyerDataPurge);
    e.advance(29 * DAY);
    expect(await purge.purge()).to.equal(0);
    e.advance(2 * DAY);
    expect(await purge.purge()).to.equal(1);
    expect(await purge.purge()).to.equal(0);

    const purged = await e.stored(shipped);
    expect(purged.buyerName).to.equal(null);
    // The folded copy the grid searches must go too.
    const row = await db().knex('amazon_order').where({ id: purged.id }).first('buyer_search');
    expect(row.buyer_search).to.equal(null);
    expect((await db().knex('amazon_order').where({ id: (await e.stored(open)).id }).first('buyer_search')).buyer_search).to.equal('open buyer');
    expect(JSON.stringify(purged.raw)).to.not.include('Old Buyer');
    expect(purged.raw.recipient?.deliveryAddress?.addressLine1).to.equal(undefined);
    expect(purged.grandTotalAmount).to.not.equal(null);
    expect((await e.orders.history(purged.id)).at(-1)?.message).to.match(/^Buyer data removed 30 days/);
    expect((await e.stored(open)).buyerName).to.equal('Open Buyer');
  });
});
