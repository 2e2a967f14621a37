import { expect } from 'chai';
import type { OrderDescription, RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { MINUTE, SpApiTestClient, startTestSandbox } from '../support/amazon-sandbox-client.ts';

const US = 'ATVPDKIKX0DER';

function shipment(order: OrderDescription, items: Array<[number, number]>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    marketplaceId: US,
    packageDetail: {
      packageReferenceId: '1',
      carrierCode: 'UPS',
      shippingMethod: 'UPS Ground',
      trackingNumber: '1Z999AA10123456784',
      shipDate: '2026-03-02T12:00:00Z',
      orderItems: items.map(([index, quantity]) => ({ orderItemId: order.items[index]!.orderItemId, quantity })),
      ...overrides,
    },
  };
}

describe('Amazon sandbox: Orders v0 confirmShipment', () => {
  let sandbox: RunningAmazonSandbox;
  let api: SpApiTestClient;
  let order: OrderDescription;

  before(async () => {
    ({ sandbox, api } = await startTestSandbox());
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    order = sandbox.placeOrder({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 2 }, { sku: 'TEE-BLK-M', qty: 1 }], status: 'UNSHIPPED' });
  });

  it('ships partially then fully: 204 No Content, status by quantities, packages with tracking', async () => {
    const first = await api.confirmShipment(order.orderId, shipment(order, [[0, 1]]));
    expect(first.status).to.equal(204);
    expect(first.text).to.equal('');
    expect(first.headers.get('x-amzn-RateLimit-Limit')).to.equal('100');
    const partial = (await api.getOrder(order.orderId, { includedData: ['FULFILLMENT', 'PACKAGES'] })).body.order;
    expect(partial.fulfillment.fulfillmentStatus).to.equal('PARTIALLY_SHIPPED');
    expect(partial.orderItems.map((i: any) => i.fulfillment)).to.deep.equal([
      { quantityFulfilled: 1, quantityUnfulfilled: 1 },
      { quantityFulfilled: 0, quantityUnfulfilled: 1 },
    ]);
    expect(partial.packages).to.have.length(1);
    expect(partial.packages[0]).to.include({ packageReferenceId: '1', carrier: 'UPS', shippingService: 'UPS Ground', trackingNumber: '1Z999AA10123456784' });
    expect(partial.packages[0].packageItems).to.deep.equal([{ orderItemId: order.items[0]!.orderItemId, quantity: 1 }]);

    const second = await api.confirmShipment(order.orderId, shipment(order, [[0, 1], [1, 1]], { packageReferenceId: '2', carrierCode: 'Other', carrierName: 'Speedy Parcels', trackingNumber: 'SP-42' }));
    expect(second.status).to.equal(204);
    const shipped = (await api.getOrder(order.orderId, { includedData: ['FULFILLMENT', 'PACKAGES'] })).body.order;
    expect(shipped.fulfillment.fulfillmentStatus).to.equal('SHIPPED');
    expect(shipped.packages[1]).to.include({ carrier: 'Speedy Parcels', trackingNumber: 'SP-42' });
    expect(Date.parse(shipped.lastUpdatedTime)).to.be.greaterThan(Date.parse(partial.lastUpdatedTime));
    expect(sandbox.getOrder(order.orderId)!.packages.map((p) => p.trackingNumber)).to.deep.equal(['1Z999AA10123456784', 'SP-42']);
  });

  const refused: Array<[string, (o: OrderDescription) => Record<string, unknown>, RegExp]> = [
    ['over-shipping', (o) => shipment(o, [[0, 3]]), /Cannot ship 3/],
    ['an unknown order item', (o) => ({ ...shipment(o, []), packageDetail: { ...(shipment(o, []).packageDetail as object), orderItems: [{ orderItemId: '99999999999999', quantity: 1 }] } }), /not in order/],
    ['a zero quantity', (o) => shipment(o, [[0, 0]]), /quantity/],
    ['a non-numeric packageReferenceId', (o) => shipment(o, [[0, 1]], { packageReferenceId: 'PKG-1' }), /positive numeric/],
    ['packageReferenceId 0', (o) => shipment(o, [[0, 1]], { packageReferenceId: '0' }), /positive numeric/],
    ['carrierCode Other without carrierName', (o) => shipment(o, [[0, 1]], { carrierCode: 'Other' }), /carrierName/],
    ['no trackingNumber', (o) => shipment(o, [[0, 1]], { trackingNumber: undefined }), /trackingNumber/],
    ['a shipDate that is not ISO 8601', (o) => shipment(o, [[0, 1]], { shipDate: '02/21/2022' }), /shipDate/],
    ['no marketplaceId', (o) => ({ packageDetail: shipment(o, [[0, 1]]).packageDetail }), /marketplaceId/],
    ['another marketplace', (o) => ({ ...shipment(o, [[0, 1]]), marketplaceId: 'A1PA6795UKMFR9' }), /marketplace/],
    ['no orderItems', (o) => shipment(o, []), /orderItems/],
  ];
  for (const [what, body, message] of refused) {
    it(`answers 400 for ${what} and changes nothing`, async () => {
      const res = await api.confirmShipment(order.orderId, body(order));
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].code).to.equal('InvalidInput');
      expect(JSON.stringify(res.body.errors[0])).to.match(message);
      expect(sandbox.getOrder(order.orderId)!.status).to.equal('UNSHIPPED');
      expect(sandbox.getOrder(order.orderId)!.packages).to.deep.equal([]);
    });
  }

  it('refuses a reused packageReferenceId for the same order', async () => {
    expect((await api.confirmShipment(order.orderId, shipment(order, [[0, 1]]))).status).to.equal(204);
    const again = await api.confirmShipment(order.orderId, shipment(order, [[1, 1]]));
    expect(again.status).to.equal(400);
    expect(again.body.errors[0].message).to.match(/already used/);
  });

  it('refuses unknown, pending, cancelled, shipped and Amazon-fulfilled orders', async () => {
    const unknown = await api.confirmShipment('111-0000000-0000000', shipment(order, [[0, 1]]));
    expect(unknown.status).to.equal(400);
    const pending = sandbox.placeOrder({ items: [{ sku: 'A', qty: 1 }] });
    expect((await api.confirmShipment(pending.orderId, shipment(pending, [[0, 1]]))).body.errors[0].message).to.match(/PENDING/);
    sandbox.cancelOrder(pending.orderId, { by: 'BUYER' });
    expect((await api.confirmShipment(pending.orderId, shipment(pending, [[0, 1]]))).body.errors[0].message).to.match(/cancelled/);
    const fba = sandbox.placeOrder({ fulfilledBy: 'AMAZON', items: [{ sku: 'A', qty: 1 }], status: 'UNSHIPPED' });
    expect((await api.confirmShipment(fba.orderId, shipment(fba, [[0, 1]]))).body.errors[0].message).to.match(/fulfilled by Amazon/);
    sandbox.advanceClock(30 * MINUTE);
    expect((await api.confirmShipment(fba.orderId, shipment(fba, [[0, 1]]))).status).to.equal(400);
    expect((await api.confirmShipment(order.orderId, shipment(order, [[0, 2], [1, 1]]))).status).to.equal(204);
    expect((await api.confirmShipment(order.orderId, shipment(order, [[0, 1]], { packageReferenceId: '2' }))).body.errors[0].message).to.match(/already shipped/);
  });

  it('answers 400 (the model has no 415 here) for a body that is not JSON', async () => {
    const res = await api.confirmShipment(order.orderId, 'marketplaceId=ATVPDKIKX0DER', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).to.equal(400);
    const broken = await api.confirmShipment(order.orderId, '{"marketplaceId":', {});
    expect(broken.status).to.equal(400);
  });
});
