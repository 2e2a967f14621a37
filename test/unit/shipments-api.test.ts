import { expect } from 'chai';
import { AmazonApiError, AmazonRequestError } from '../../src/amazon/errors.ts';
import type { ConfirmShipmentInput } from '../../src/amazon/shipments-api.ts';
import { useFakeAmazon } from '../support/fake-amazon.ts';
import { testClient } from '../support/amazon-fixtures.ts';

const ORDER_ID = '113-1234567-1234567';
const PATH = `/orders/v0/orders/${ORDER_ID}/shipmentConfirmation`;

function shipment(over: Partial<ConfirmShipmentInput['packageDetail']> = {}): ConfirmShipmentInput {
  return {
    marketplaceId: 'ATVPDKIKX0DER',
    packageDetail: {
      packageReferenceId: '1',
      carrierCode: 'UPS',
      shippingMethod: 'UPS Ground',
      trackingNumber: '1Z999AA10123456784',
      shipDate: new Date('2026-11-26T08:30:00Z'),
      orderItems: [
        { orderItemId: '12345678901234', quantity: 2 },
        { orderItemId: '12345678901235', quantity: 1 },
      ],
      ...over,
    },
  };
}

describe('Orders API v0 confirmShipment', () => {
  const amazon = useFakeAmazon();

  it('posts the model’s body and resolves on 204', async () => {
    amazon.on('POST', PATH, () => ({ status: 204 }));
    const { client } = testClient(amazon.url);
    const result = await client.shipments.confirmShipment(ORDER_ID, shipment());
    expect(result.requestId).to.equal('req-1');
    const [request] = amazon.requests;
    expect(request.headers['content-type']).to.equal('application/json');
    expect(JSON.parse(request.body)).to.deep.equal({
      marketplaceId: 'ATVPDKIKX0DER',
      packageDetail: {
        packageReferenceId: '1',
        carrierCode: 'UPS',
        shippingMethod: 'UPS Ground',
        trackingNumber: '1Z999AA10123456784',
        shipDate: '2026-11-26T08:30:00.000Z',
        orderItems: [
          { orderItemId: '12345678901234', quantity: 2 },
          { orderItemId: '12345678901235', quantity: 1 },
        ],
      },
    });
  });

  it('carrierName is required for carrierCode "Other", and sent with it', async () => {
    amazon.on('POST', PATH, () => ({ status: 204 }));
    const { client } = testClient(amazon.url);
    const error = await client.shipments.confirmShipment(ORDER_ID, shipment({ carrierCode: 'Other' })).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonRequestError);
    expect((error as AmazonRequestError).field).to.equal('packageDetail.carrierName');
    expect(amazon.requests).to.have.length(0);
    await client.shipments.confirmShipment(ORDER_ID, shipment({ carrierCode: 'Other', carrierName: 'Local Courier' }));
    expect(JSON.parse(amazon.requests[0].body).packageDetail).to.include({ carrierCode: 'Other', carrierName: 'Local Courier' });
  });

  it('refuses requests the model would refuse, before sending', async () => {
    const { client } = testClient(amazon.url);
    const cases: Array<[ConfirmShipmentInput, string]> = [
      [{ ...shipment(), marketplaceId: '' }, 'marketplaceId'],
      [shipment({ packageReferenceId: '0' }), 'packageDetail.packageReferenceId'],
      [shipment({ packageReferenceId: 'PKG-1' }), 'packageDetail.packageReferenceId'],
      [shipment({ packageReferenceId: 1 as never }), 'packageDetail.packageReferenceId'],
      [shipment({ carrierCode: ' ' }), 'packageDetail.carrierCode'],
      [shipment({ trackingNumber: '' }), 'packageDetail.trackingNumber'],
      [shipment({ shipDate: '26/11/2026' }), 'packageDetail.shipDate'],
      [shipment({ shipDate: new Date('nope') }), 'packageDetail.shipDate'],
      [shipment({ orderItems: [] }), 'packageDetail.orderItems'],
      [shipment({ orderItems: [{ orderItemId: '1', quantity: 0 }] }), 'packageDetail.orderItems[0].quantity'],
      [shipment({ orderItems: [{ orderItemId: '1', quantity: 1.5 }] }), 'packageDetail.orderItems[0].quantity'],
      [shipment({ orderItems: [{ orderItemId: '', quantity: 1 }] }), 'packageDetail.orderItems[0].orderItemId'],
    ];
    for (const [input, field] of cases) {
      const error = await client.shipments.confirmShipment(ORDER_ID, input).catch((e: unknown) => e);
      expect(error, field).to.be.instanceOf(AmazonRequestError);
      expect((error as AmazonRequestError).field).to.equal(field);
    }
    expect(amazon.requests).to.have.length(0);
  });

  it('sends only the model’s fields', async () => {
    amazon.on('POST', PATH, () => ({ status: 204 }));
    const { client } = testClient(amazon.url);
    const input = shipment();
    (input.packageDetail as Record<string, unknown>).internalNote = 'not for Amazon';
    await client.shipments.confirmShipment(ORDER_ID, input);
    expect(JSON.parse(amazon.requests[0].body).packageDetail).to.not.have.property('internalNote');
  });

  it('an Amazon 400 is a typed error', async () => {
    amazon.on('POST', PATH, () => ({ status: 400, json: { errors: [{ code: 'InvalidInput', message: 'Invalid Input' }] } }));
    const { client } = testClient(amazon.url);
    const error = await client.shipments.confirmShipment(ORDER_ID, shipment()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(AmazonApiError);
    expect(error).to.include({ operation: 'confirmShipment', status: 400, code: 'InvalidInput' });
  });
});
