/**
 * The module's schemas (src/amazon/models.ts, JSON Schema built with TypeBox) against the official
 * models: same required properties, same types, and every sandbox example of the models parses
 * through the client's validators.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import type { RecordedRequest } from '../../sandbox/amazon/index.ts';
import { contractViolation } from '../support/checked-sandbox.ts';
import { SCHEMAS } from '../../src/amazon/models.ts';
import { parseSearchOrdersPage, parseGetOrderResponse, parseCreateFeedDocumentResponse, parseCreateFeedResponse, parseFeed, parseFeedDocument } from '../../src/amazon/validate.ts';
import { REPO_ROOT } from '../support/host.ts';
import { loadModel, sandboxExamples, validateRequest, validateResponse, type SwaggerModel } from '../support/sp-api-contract.ts';

type ModelSchema = Record<string, unknown> & { $ref?: string; type?: string; enum?: string[]; items?: ModelSchema; required?: string[]; properties?: Record<string, ModelSchema> };
/** One of ours: JSON Schema too, a model definition carrying its name as `title`. */
type Schema = ModelSchema & { title?: string };

function resolve(model: SwaggerModel, schema: ModelSchema): { schema: ModelSchema; definition: string | null } {
  if (schema.$ref === undefined) return { schema, definition: null };
  const name = schema.$ref.replace('#/definitions/', '');
  return { schema: model.definitions[name] as ModelSchema, definition: name };
}

/** Differences between one of our schemas and the model's schema at the same place. */
function compare(model: SwaggerModel, ours: Schema, theirs: ModelSchema, where: string, problems: string[]): void {
  const { schema: target, definition } = resolve(model, theirs);
  const modelType = target.type ?? (target.properties ? 'object' : undefined);
  // TypeBox writes an enum of strings as a bare `enum`.
  const type = ours.type ?? (ours.enum?.every((value) => typeof value === 'string') ? 'string' : undefined);
  if (type !== modelType) {
    problems.push(`${where}: ours is ${type}, the model's is ${modelType}`);
    return;
  }
  if (type === 'string' && target.enum) {
    // A unit of measure is not something the module reads: a new unit must not reject an order.
    const looserOnPurpose = ['Measurement.unit'];
    if (!ours.enum && !looserOnPurpose.includes(where)) problems.push(`${where}: the model has an enum, ours does not`);
    if (ours.enum && [...ours.enum].sort().join() !== [...target.enum].sort().join()) problems.push(`${where}: enum differs from the model's`);
  }
  if (type === 'array') compare(model, ours.items ?? {}, target.items ?? {}, `${where}[]`, problems);
  if (type === 'object' && definition !== null && ours.title !== definition) problems.push(`${where}: ours is ${ours.title}, the model's is ${definition}`);
}

function checkDefinitions(modelName: string, schemas: Record<string, object>) {
  const model = loadModel(modelName);
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(schemas) as Array<[string, Schema]>) {
    const definition = model.definitions[name] as ModelSchema | undefined;
    if (definition === undefined) {
      problems.push(`${name}: no such definition in ${modelName}`);
      continue;
    }
    expect(schema.title, name).to.equal(name);
    const modelRequired = [...(definition.required ?? [])].sort();
    expect([...(schema.required ?? [])].sort(), `${name}.required`).to.deep.equal(modelRequired);
    for (const [property, propertySchema] of Object.entries(schema.properties ?? {})) {
      const theirs = definition.properties?.[property];
      if (theirs === undefined) problems.push(`${name}.${property}: not in the model`);
      else compare(model, propertySchema, theirs, `${name}.${property}`, problems);
    }
  }
  return { model, problems };
}

describe('validators vs the official models', () => {
  it('orders v2026-01-01: same required properties and types as the model definitions', () => {
    const { model, problems } = checkDefinitions('orders_2026-01-01', SCHEMAS.orders);
    expect(problems).to.deep.equal([]);
    // Every definition with required properties has a validator (ErrorList is read tolerantly by http.ts).
    const withRequired = Object.entries(model.definitions).filter(([, d]) => Array.isArray(d.required)).map(([n]) => n);
    expect(withRequired.filter((n) => !(n in SCHEMAS.orders))).to.have.members(['Error', 'ErrorList']);
  });

  it('feeds 2021-06-30: same required properties and types as the model definitions', () => {
    const { problems } = checkDefinitions('feeds_2021-06-30', SCHEMAS.feeds);
    expect(problems).to.deep.equal([]);
  });

  it('the comparison itself notices a difference', () => {
    const broken = { ...SCHEMAS.orders.OrderItem, required: ['orderItemId'] };
    expect(() => checkDefinitions('orders_2026-01-01', { OrderItem: broken })).to.throw(/OrderItem.required/);
    const wrongType = { ...SCHEMAS.orders.OrderItem, properties: { ...SCHEMAS.orders.OrderItem.properties, quantityOrdered: { type: 'string' } as Schema } };
    expect(checkDefinitions('orders_2026-01-01', { OrderItem: wrongType }).problems).to.have.length(1);
  });

  it("every 2xx sandbox example of the models parses through the client's validators", () => {
    const context = { operation: 'example', requestId: null };
    const parsers: Record<string, (body: unknown) => unknown> = {
      searchOrders: (body) => {
        const page = parseSearchOrdersPage(body, context);
        expect(page.invalidOrders.map((i) => i.error.message)).to.deep.equal([]);
        expect(page.orders).to.have.length((body as { orders: unknown[] }).orders.length);
        return page;
      },
      getOrder: (body) => parseGetOrderResponse(body, context),
      createFeedDocument: (body) => parseCreateFeedDocumentResponse(body, context),
      createFeed: (body) => parseCreateFeedResponse(body, context),
      getFeed: (body) => parseFeed(body, context),
      getFeedDocument: (body) => parseFeedDocument(body, context),
    };
    let parsed = 0;
    for (const modelName of ['orders_2026-01-01', 'feeds_2021-06-30']) {
      for (const example of sandboxExamples(modelName)) {
        if (example.status >= 300 || example.response === undefined) continue;
        // The examples are valid against the model itself (a check of the contract helper)...
        expect(validateResponse(modelName, example.method, example.template, example.status, example.response).errors).to.deep.equal([]);
        const parse = parsers[example.operationId];
        if (parse === undefined) continue; // getFeeds, cancelFeed: operations the module does not use
        parse(example.response);
        parsed++;
      }
    }
    expect(parsed).to.be.at.least(8);
  });
});

describe('the request contract helper', () => {
  it('accepts a valid searchOrders request and rejects bad or unknown parameters', () => {
    const ok = validateRequest('orders_2026-01-01', 'GET', '/orders/2026-01-01/orders', 'lastUpdatedAfter=2026-01-01T00:00:00Z&fulfillmentStatuses=UNSHIPPED,SHIPPED&maxResultsPerPage=50');
    expect(ok.errors).to.deep.equal([]);
    expect(ok.operationId).to.equal('searchOrders');
    expect(validateRequest('orders_2026-01-01', 'GET', '/orders/2026-01-01/orders', 'fulfillmentStatuses=Unshipped').ok).to.equal(false);
    expect(validateRequest('orders_2026-01-01', 'GET', '/orders/2026-01-01/orders', 'MaxResultsPerPage=5').ok).to.equal(false);
    expect(validateRequest('orders_2026-01-01', 'GET', '/orders/2026-01-01/orders', 'maxResultsPerPage=ten').ok).to.equal(false);
    expect(validateRequest('orders_2026-01-01', 'GET', '/orders/2026-01-01/orders', 'createdAfter=yesterday').ok).to.equal(false);
  });

  it('checks JSON bodies and flags deprecated operations', () => {
    const path = '/orders/v0/orders/111-1/shipmentConfirmation';
    const body = { marketplaceId: 'ATVPDKIKX0DER', packageDetail: { packageReferenceId: '1', carrierCode: 'UPS', trackingNumber: '1Z', shipDate: '2026-11-26T10:00:00Z', orderItems: [{ orderItemId: '1', quantity: 1 }] } };
    expect(validateRequest('ordersV0', 'POST', path, '', body).errors).to.deep.equal([]);
    expect(validateRequest('ordersV0', 'POST', path, '', { ...body, marketplaceId: undefined }).ok).to.equal(false);
    expect(validateRequest('ordersV0', 'POST', path, '', { ...body, packageDetail: { ...body.packageDetail, orderItems: [{ orderItemId: '1', quantity: '1' }] } }).ok).to.equal(false);
    expect(validateRequest('ordersV0', 'GET', '/orders/v0/orders', 'MarketplaceIds=X&CreatedAfter=2026-01-01T00:00:00Z').errors.join()).to.match(/deprecated/);
  });
});

describe('the wire check of the contract-checked sandbox', () => {
  const request = (over: Partial<RecordedRequest> = {}): RecordedRequest => ({
    seq: 1, requestId: 'r-1', time: '2026-11-26T10:00:00.000Z', method: 'GET', path: '/orders/2026-01-01/orders',
    query: { lastUpdatedAfter: ['2026-11-26T09:00:00Z'] }, headers: {}, body: '', status: 200,
    operation: 'searchOrders', throttled: false, faults: [], ...over,
  });
  const answer = (json: unknown, status = 200) => ({ status, headers: { 'x-amzn-RequestId': 'r-1', 'x-amzn-RateLimit-Limit': '0.0056' }, json });

  it('passes a request and answer that match the model', () => {
    expect(contractViolation({ request: request(), response: answer({ orders: [] }) })).to.equal(null);
  });

  it('names a request parameter the model does not have, and an answer field it does not have', () => {
    expect(contractViolation({ request: request({ query: { LastUpdatedAfter: ['2026-11-26T09:00:00Z'] } }), response: answer({ orders: [] }) })).to.match(/request does not match.*LastUpdatedAfter/);
    expect(contractViolation({ request: request(), response: answer({ orders: [], payload: {} }) })).to.match(/response does not match/);
    expect(contractViolation({ request: request(), response: { status: 200, headers: {}, raw: '{"orders": [' } })).to.match(/not JSON/);
  });

  it('leaves out what a test broke on purpose and what is not SP-API', () => {
    expect(contractViolation({ request: request({ faults: ['malformedJson'] }), response: { status: 200, headers: {}, raw: '{' } })).to.equal(null);
    expect(contractViolation({ request: request({ operation: undefined, path: '/auth/o2/token' }), response: answer({}) })).to.equal(null);
  });
});


describe('a test run without the models', () => {
  it('stops before any test with one message naming the folder and AMAZON_MODELS_DIR', () => {
    // Two spec files that use the models through fake Amazon; mocha in a child, without the repo's config.
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx/esm', 'node_modules/mocha/bin/mocha.js', '--no-config', '--timeout', '5000', 'test/unit/lwa.test.ts', 'test/unit/http.test.ts'],
      { cwd: REPO_ROOT, env: { ...process.env, AMAZON_MODELS_DIR: '/nonexistent/amazon-models' }, encoding: 'utf8', timeout: 20000 },
    );
    expect(run.status, run.stderr).to.equal(1);
    expect(run.stdout).to.contain('0 passing').and.contain('1 failing');
    expect(run.stdout).to.contain('The SP-API models are missing: /nonexistent/amazon-models has no orders_2026-01-01.json');
    expect(run.stdout).to.contain('set AMAZON_MODELS_DIR');
    expect(run.stdout + run.stderr).to.not.contain('ENOENT');
  });
});
