/**
 * The official SP-API models as an executable contract for tests: validates a request (path, query
 * parameters, JSON body) or a response (status, JSON body, and with `assertContract` the
 * x-amzn-RequestId / x-amzn-RateLimit-Limit headers) against the operation the model defines.
 * Generic on purpose: any test server (the client's fake Amazon, the sandbox) can check what it
 * receives or sends.
 *
 * The models are Swagger 2.0; `toJsonSchema` turns their schemas into JSON Schema for Ajv
 * (`#/definitions/X` refs pointed into the model registered under its own id, swagger-only keys
 * dropped). In `closed` mode every object that lists properties also gets
 * `additionalProperties: false`, so a field the model does not know fails too. Requests and
 * `validateResponse` are open by default; `assertContract` (the sandbox tests) is closed by default.
 *
 * Models are read from `../shared/reference/amazon-models/` beside the repository, or from
 * AMAZON_MODELS_DIR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

export type ModelName = 'orders_2026-01-01' | 'ordersV0' | 'feeds_2021-06-30' | (string & {});

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export function modelsDir(): string {
  return process.env.AMAZON_MODELS_DIR ?? path.resolve(repoRoot, '..', 'shared', 'reference', 'amazon-models');
}

// Checked once on import. Under mocha a failing root hook stops the run with this one message
// before any test starts (mocha reports a throw while loading a .ts file as an unrelated
// SyntaxError); otherwise every test would fail on its own ENOENT and the test servers time out.
const missingModels = fs.existsSync(path.join(modelsDir(), 'orders_2026-01-01.json'))
  ? null
  : Object.assign(
      new Error(
        `The SP-API models are missing: ${modelsDir()} has no orders_2026-01-01.json. Put Amazon's models in ` +
          `../shared/reference/amazon-models beside the repository, or set AMAZON_MODELS_DIR to the folder that holds them.`,
      ),
      { stack: '' },
    );
if (missingModels !== null) {
  if (typeof before !== 'function') throw missingModels;
  before(() => {
    throw missingModels;
  });
}

interface SwaggerParameter {
  name: string;
  in: 'path' | 'query' | 'body' | 'header' | 'formData';
  required?: boolean;
  type?: string;
  items?: Record<string, unknown>;
  collectionFormat?: 'csv' | 'ssv' | 'tsv' | 'pipes' | 'multi';
  schema?: Record<string, unknown>;
  [key: string]: unknown;
}

interface SwaggerResponse {
  schema?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  [key: string]: unknown;
}

interface SwaggerOperation {
  operationId: string;
  deprecated?: boolean;
  parameters?: SwaggerParameter[];
  responses: Record<string, SwaggerResponse>;
}

export interface SwaggerModel {
  swagger: string;
  paths: Record<string, Record<string, SwaggerOperation | SwaggerParameter[]>>;
  definitions: Record<string, Record<string, unknown>>;
}

export interface ContractResult {
  ok: boolean;
  /** The matched operation, when the path and method matched one. */
  operationId: string | null;
  errors: string[];
}

export interface ContractOptions {
  /** Forbid properties the model does not declare (`additionalProperties: false`). */
  closed?: boolean;
}

const models = new Map<string, SwaggerModel>();

export function loadModel(name: ModelName): SwaggerModel {
  let model = models.get(name);
  // The run is stopping (see above): tests built while loading (from the models' examples) see an empty model.
  if (missingModels !== null) return { swagger: '2.0', paths: {}, definitions: {} };
  if (model === undefined) {
    model = JSON.parse(fs.readFileSync(path.join(modelsDir(), `${name}.json`), 'utf8')) as SwaggerModel;
    models.set(name, model);
  }
  return model;
}

const modelId = (name: string) => `https://sp-api-models.local/${name}.json`;

/** Swagger node -> JSON Schema node: `#/definitions/` refs made absolute to `file`, swagger-only keys dropped, objects closed if asked. */
export function toJsonSchema(node: unknown, file: string, closed: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, file, closed));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || key === 'example' || key === 'discriminator' || key === 'readOnly') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) out.$ref = `${file}${value}`;
    else if (key === 'properties' && typeof value === 'object' && value !== null) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema, file, closed)]));
    } else out[key] = toJsonSchema(value, file, closed);
  }
  if (closed && out.properties !== undefined && out.additionalProperties === undefined && out.$ref === undefined) out.additionalProperties = false;
  return out;
}

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  for (const format of ['int32', 'int64', 'double', 'float', 'byte', 'binary', 'password']) ajv.addFormat(format, true);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  return ajv;
}

/** One Ajv per mode: the models' definitions are registered closed or open. */
const ajvs = new Map<boolean, { ajv: Ajv; registered: Set<string> }>();
const compiled = new Map<string, ValidateFunction>();

function ajvFor(name: ModelName, closed: boolean): Ajv {
  let entry = ajvs.get(closed);
  if (entry === undefined) ajvs.set(closed, (entry = { ajv: createAjv(), registered: new Set() }));
  if (!entry.registered.has(name)) {
    entry.ajv.addSchema({ $id: modelId(name), definitions: toJsonSchema(loadModel(name).definitions, modelId(name), closed) });
    entry.registered.add(name);
  }
  return entry.ajv;
}

function validator(name: ModelName, cacheKey: string, schema: Record<string, unknown>, closed: boolean): ValidateFunction {
  const key = `${name}|${cacheKey}|${closed ? 'closed' : 'open'}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajvFor(name, closed).compile(toJsonSchema(schema, modelId(name), closed) as Record<string, unknown>);
    compiled.set(key, validate);
  }
  return validate;
}

function check(validate: ValidateFunction, value: unknown, label: string, errors: string[]): void {
  if (validate(value)) return;
  for (const error of validate.errors ?? []) errors.push(`${label}${error.instancePath}: ${error.message ?? 'invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
}

/** The path template of `model` matching a concrete path, e.g. /orders/2026-01-01/orders/{orderId}. */
export function matchPath(model: SwaggerModel, concretePath: string): { template: string; params: Record<string, string> } | null {
  for (const template of Object.keys(model.paths)) {
    const names: string[] = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(concretePath);
    if (match) return { template, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])])) };
  }
  return null;
}

function operationOf(model: SwaggerModel, template: string, method: string): { operation: SwaggerOperation; parameters: SwaggerParameter[] } | null {
  const item = model.paths[template];
  const operation = item?.[method.toLowerCase()] as SwaggerOperation | undefined;
  if (operation === undefined || Array.isArray(operation)) return null;
  const pathLevel = (Array.isArray(item.parameters) ? item.parameters : []) as SwaggerParameter[];
  return { operation, parameters: [...pathLevel, ...(operation.parameters ?? [])] };
}

/** A query value as the model's type: arrays split per collectionFormat (default csv), numbers and booleans parsed. */
function coerce(parameter: SwaggerParameter, values: string[]): unknown {
  const scalar = (type: string | undefined, raw: string): unknown => {
    if (type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (type === 'number') return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    return raw;
  };
  if (parameter.type === 'array') {
    const separator = { csv: ',', ssv: ' ', tsv: '\t', pipes: '|', multi: null }[parameter.collectionFormat ?? 'csv'];
    const items = separator === null ? values : values.flatMap((v) => v.split(separator));
    return items.map((item) => scalar(parameter.items?.type as string | undefined, item));
  }
  if (values.length > 1) return values; // a repeated scalar parameter: invalid against any scalar type
  return scalar(parameter.type, values[0]);
}

function parameterSchema(parameter: SwaggerParameter): Record<string, unknown> {
  const { name: _name, in: _in, required: _required, description: _description, collectionFormat: _cf, schema: _schema, ...rest } = parameter;
  return rest;
}

/**
 * Validates a request: the path must match an operation of `model` for `method`; path and query
 * parameters must be declared and valid (no unknown query parameter); a body parameter's JSON
 * must match its schema.
 */
export function validateRequest(
  modelName: ModelName,
  method: string,
  requestPath: string,
  query: URLSearchParams | Record<string, string | string[]> | string = '',
  body?: unknown,
  { closed = false }: ContractOptions = {},
): ContractResult {
  const model = loadModel(modelName);
  const errors: string[] = [];
  const matched = matchPath(model, requestPath);
  if (matched === null) return { ok: false, operationId: null, errors: [`no path of ${modelName} matches ${requestPath}`] };
  const found = operationOf(model, matched.template, method);
  if (found === null) return { ok: false, operationId: null, errors: [`${method.toUpperCase()} ${matched.template} is not an operation of ${modelName}`] };
  const { operation, parameters } = found;

  const search =
    query instanceof URLSearchParams
      ? query
      : typeof query === 'string'
        ? new URLSearchParams(query)
        : new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])));

  const declaredQuery = new Set(parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of new Set(search.keys())) {
    if (!declaredQuery.has(name)) errors.push(`query parameter "${name}" is not declared by ${operation.operationId}`);
  }

  for (const parameter of parameters) {
    const key = `${operation.operationId}|${parameter.in}|${parameter.name}`;
    if (parameter.in === 'path') {
      const value = matched.params[parameter.name];
      if (value === undefined || value === '') errors.push(`path parameter "${parameter.name}" is missing`);
      else check(validator(modelName, key, parameterSchema(parameter), closed), coerce(parameter, [value]), `path ${parameter.name}`, errors);
    } else if (parameter.in === 'query') {
      const values = search.getAll(parameter.name);
      if (values.length === 0) {
        if (parameter.required) errors.push(`required query parameter "${parameter.name}" is missing`);
        continue;
      }
      check(validator(modelName, key, parameterSchema(parameter), closed), coerce(parameter, values), `query ${parameter.name}`, errors);
    } else if (parameter.in === 'body') {
      if (body === undefined) {
        if (parameter.required) errors.push(`required body "${parameter.name}" is missing`);
        continue;
      }
      check(validator(modelName, key, parameter.schema ?? {}, closed), body, 'body', errors);
    }
  }
  if (body !== undefined && !parameters.some((p) => p.in === 'body')) errors.push(`${operation.operationId} takes no body`);
  if (operation.deprecated) errors.push(`${operation.operationId} is deprecated`);
  return { ok: errors.length === 0, operationId: operation.operationId, errors };
}

/** The errors of a response body against the operation's documented `status` (no schema: no body allowed). */
function responseErrors(modelName: ModelName, operation: SwaggerOperation, status: number, body: unknown, closed: boolean): string[] {
  const response = operation.responses[String(status)];
  if (response === undefined) return [`${operation.operationId} does not document status ${status} (documented: ${Object.keys(operation.responses).join(', ')})`];
  const errors: string[] = [];
  if (response.schema === undefined) {
    if (body !== undefined) errors.push(`${operation.operationId} ${status}: the model documents no body, got ${JSON.stringify(body).slice(0, 200)}`);
  } else {
    check(validator(modelName, `${operation.operationId}|response|${status}`, response.schema, closed), body, `response ${status}`, errors);
  }
  return errors;
}

/**
 * Validates a response of the operation at `pathTemplate` (e.g. "/orders/2026-01-01/orders/{orderId}"
 * or a concrete path): the status must be declared, and the body must match its schema (a status
 * without schema, like 204, must have no body). Open objects unless `closed`.
 */
export function validateResponse(modelName: ModelName, method: string, pathTemplate: string, status: number, body: unknown, { closed = false }: ContractOptions = {}): ContractResult {
  const model = loadModel(modelName);
  const template = model.paths[pathTemplate] ? pathTemplate : matchPath(model, pathTemplate)?.template;
  const found = template === undefined ? null : operationOf(model, template, method);
  if (template === undefined || found === null) return { ok: false, operationId: null, errors: [`${method.toUpperCase()} ${pathTemplate} is not an operation of ${modelName}`] };
  const errors = responseErrors(modelName, found.operation, status, body, closed);
  return { ok: errors.length === 0, operationId: found.operation.operationId, errors };
}

/** The operation of `modelName` with this operationId, its path template and method (upper case). */
export function findOperation(modelName: ModelName, operationId: string): { template: string; method: string; operation: SwaggerOperation } {
  for (const [template, item] of Object.entries(loadModel(modelName).paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!Array.isArray(operation) && typeof operation === 'object' && operation.operationId === operationId) return { template, method: method.toUpperCase(), operation };
    }
  }
  throw new Error(`${modelName} has no operation ${operationId}`);
}

export interface ObservedResponse {
  status: number;
  headers: Headers | Record<string, string>;
  /** Parsed JSON body, or undefined when the body was empty. */
  body: unknown;
}

function header(headers: ObservedResponse['headers'], name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return found ? found[1] : null;
}

export class ContractError extends Error {
  override name = 'ContractError';
}

/**
 * Throws ContractError when a response of `operationId` breaks the model: the status must be
 * documented, the body must match its schema (closed objects unless `closed: false`) or be empty when
 * none is, x-amzn-RequestId must be present, and x-amzn-RateLimit-Limit present exactly when the
 * model documents it for that status.
 */
export function assertContract(modelName: ModelName, operationId: string, response: ObservedResponse, { closed = true }: ContractOptions = {}): void {
  const where = `${operationId} ${response.status}`;
  const { operation } = findOperation(modelName, operationId);
  const errors = responseErrors(modelName, operation, response.status, response.body, closed);
  if (errors.length > 0) throw new ContractError(`${where}: the response does not match the model: ${errors.join('; ')}`);
  if (!header(response.headers, 'x-amzn-RequestId')) throw new ContractError(`${where}: no x-amzn-RequestId header`);
  const documentsLimit = Object.keys(operation.responses[String(response.status)]!.headers ?? {}).some((h) => h.toLowerCase() === 'x-amzn-ratelimit-limit');
  const limit = header(response.headers, 'x-amzn-RateLimit-Limit');
  if (documentsLimit && limit === null) throw new ContractError(`${where}: the model documents x-amzn-RateLimit-Limit but it is missing`);
  if (!documentsLimit && limit !== null) throw new ContractError(`${where}: x-amzn-RateLimit-Limit is sent but the model does not document it for this status`);
}

/** Every `x-amzn-api-sandbox` example (static and dynamic) of a model's responses. */
export function sandboxExamples(modelName: ModelName): Array<{ operationId: string; method: string; template: string; status: number; kind: string; request: unknown; response: unknown }> {
  const model = loadModel(modelName);
  const examples = [];
  for (const [template, item] of Object.entries(model.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (Array.isArray(operation) || typeof operation !== 'object') continue;
      for (const [status, response] of Object.entries((operation as SwaggerOperation).responses)) {
        const sandbox = response['x-amzn-api-sandbox'] as Record<string, Array<{ request?: unknown; response?: unknown }>> | undefined;
        for (const [kind, list] of Object.entries(sandbox ?? {})) {
          for (const example of list) {
            examples.push({ operationId: (operation as SwaggerOperation).operationId, method, template, status: Number(status), kind, request: example.request, response: example.response });
          }
        }
      }
    }
  }
  return examples;
}
