/**
 * Every `x-amzn-api-sandbox` example of the operations the module uses, replayed through the
 * client: the example's request goes in as a caller would pass it, Amazon's example answer comes
 * back from a fake Amazon. A 2xx example must go through; a 4xx example must end in a typed error,
 * either refused before sending or Amazon's own error code.
 */
import { expect } from 'chai';
import { AmazonApiError, AmazonRequestError } from '../../src/amazon/errors.ts';
import type { SpApiClient } from '../../src/amazon/client.ts';
import type { SearchOrdersParams } from '../../src/amazon/orders-api.ts';
import type { ConfirmShipmentInput } from '../../src/amazon/shipments-api.ts';
import type { CreateFeedSpecification, IncludedData } from '../../src/amazon/models.ts';
import { useFakeAmazon } from '../support/fake-amazon.ts';
import { testClient } from '../support/amazon-fixtures.ts';
import { sandboxExamples } from '../support/sp-api-contract.ts';

type Params = Record<string, unknown>;
interface Replay {
  path(p: Params): string;
  call(client: SpApiClient, p: Params): Promise<unknown>;
}

const REPLAYS: Record<string, Replay> = {
  'orders_2026-01-01 searchOrders': {
    path: () => '/orders/2026-01-01/orders',
    call: (client, p) => client.orders.searchOrders(p as SearchOrdersParams),
  },
  'orders_2026-01-01 getOrder': {
    path: (p) => `/orders/2026-01-01/orders/${String(p.orderId)}`,
    call: (client, p) => client.orders.getOrder(String(p.orderId), (p.includedData ?? []) as IncludedData[]),
  },
  'ordersV0 confirmShipment': {
    path: (p) => `/orders/v0/orders/${String(p.orderId)}/shipmentConfirmation`,
    call: (client, p) => client.shipments.confirmShipment(String(p.orderId), p.body as ConfirmShipmentInput),
  },
  'feeds_2021-06-30 createFeedDocument': {
    path: () => '/feeds/2021-06-30/documents',
    call: (client, p) => client.feeds.createFeedDocument((p.body as { contentType: string }).contentType),
  },
  'feeds_2021-06-30 createFeed': {
    path: () => '/feeds/2021-06-30/feeds',
    call: (client, p) => client.feeds.createFeed(p.body as CreateFeedSpecification),
  },
  'feeds_2021-06-30 getFeed': {
    path: (p) => `/feeds/2021-06-30/feeds/${String(p.feedId)}`,
    call: (client, p) => client.feeds.getFeed(String(p.feedId)),
  },
  'feeds_2021-06-30 getFeedDocument': {
    path: (p) => `/feeds/2021-06-30/documents/${String(p.feedDocumentId)}`,
    call: (client, p) => client.feeds.getFeedDocument(String(p.feedDocumentId)),
  },
};

const examples = ['orders_2026-01-01', 'ordersV0', 'feeds_2021-06-30'].flatMap((model) =>
  sandboxExamples(model)
    .filter((example) => `${model} ${example.operationId}` in REPLAYS)
    .map((example) => ({ ...example, replay: REPLAYS[`${model} ${example.operationId}`]! })),
);

describe("the models' sandbox examples through the client", () => {
  const amazon = useFakeAmazon();

  it('covers every operation the module uses, with answers and errors', () => {
    expect(new Set(examples.map((e) => e.operationId)).size).to.equal(Object.keys(REPLAYS).length);
    expect(examples.filter((e) => e.status >= 400)).to.have.length.at.least(6);
  });

  for (const [index, example] of examples.entries()) {
    it(`${example.operationId} ${example.status} example #${index}`, async () => {
      const params: Params = Object.fromEntries(
        Object.entries((example.request as { parameters: Record<string, { value: unknown }> }).parameters).map(([name, { value }]) => [name, value]),
      );
      const path = example.replay.path(params);
      amazon.on(example.method, path, () => (example.status === 204 ? { status: 204 } : { status: example.status, json: example.response }));
      const { client } = testClient(amazon.url);
      const outcome = await example.replay.call(client, params).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (example.status < 300) {
        expect(outcome.ok, outcome.ok ? '' : String(outcome.error)).to.equal(true);
        expect(amazon.requestsTo(path)).to.have.length(1);
        return;
      }
      expect(outcome.ok, 'an error example must fail').to.equal(false);
      const error = (outcome as { error: unknown }).error;
      if (error instanceof AmazonRequestError) {
        expect(amazon.requestsTo(path), 'refused before sending').to.have.length(0);
        return;
      }
      expect(error).to.be.instanceOf(AmazonApiError);
      const expectedCode = (example.response as { errors: Array<{ code: string }> }).errors[0]!.code;
      expect(error).to.include({ status: example.status, code: expectedCode });
    });
  }
});
