/**
 * The official SP-API models as an executable contract for tests: validates a request (path, query
 * parameters, JSON body) or a response (status, JSON body) against the operation the model defines.
 * Generic on purpose: any test server (this client's, the sandbox's) can check what it receives.
 *
 * The models are Swagger 2.0; their definitions are JSON Schema draft-4-ish, which Ajv accepts in
 * non-strict mode. Each model is registered once under its own id, and the `#/definitions/X` refs
 * of operation-level schemas are rewritten to point into it.
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

interface SwaggerOperation {
  operationId: string;
  deprecated?: boolean;
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: Record<string, unknown>; [key: string]: unknown }>;
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

const models = new Map<string, SwaggerModel>();
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
ajv.addFormat('date-time', (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value)));
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
ajv.addFormat('double', true);
ajv.addFormat('float', true);
ajv.addFormat('int32', true);
ajv.addFormat('int64', true);
const compiled = new Map<string, ValidateFunction>();

export function loadModel(name: ModelName): SwaggerModel {
  let model = models.get(name);
  if (model === undefined) {
    model = JSON.parse(fs.readFileSync(path.join(modelsDir(), `${name}.json`), 'utf8')) as SwaggerModel;
    models.set(name, model);
    ajv.addSchema({ $id: modelId(name), definitions: model.definitions });
  }
  return model;
}

const modelId = (name: string) => `https://sp-api-models.local/${name}.json`;

/** Points `#/definitions/X` refs of an operation-level schema into the registered model. */
function rewriteRefs(schema: unknown, name: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rewriteRefs(item, name));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${modelId(name)}${value}` : rewriteRefs(value, name),
    ]),
  );
}

function validator(name: ModelName, cacheKey: string, schema: Record<string, unknown>): ValidateFunction {
  const key = `${name}|${cacheKey}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajv.compile(rewriteRefs(schema, name) as Record<string, unknown>);
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
      else check(validator(modelName, key, parameterSchema(parameter)), coerce(parameter, [value]), `path ${parameter.name}`, errors);
    } else if (parameter.in === 'query') {
      const values = search.getAll(parameter.name);
      if (values.length === 0) {
        if (parameter.required) errors.push(`required query parameter "${parameter.name}" is missing`);
        continue;
      }
      check(validator(modelName, key, parameterSchema(parameter)), coerce(parameter, values), `query ${parameter.name}`, errors);
    } else if (parameter.in === 'body') {
      if (body === undefined) {
        if (parameter.required) errors.push(`required body "${parameter.name}" is missing`);
        continue;
      }
      check(validator(modelName, key, parameter.schema ?? {}), body, 'body', errors);
    }
  }
  if (body !== undefined && !parameters.some((p) => p.in === 'body')) errors.push(`${operation.operationId} takes no body`);
  if (operation.deprecated) errors.push(`${operation.operationId} is deprecated`);
  return { ok: errors.length === 0, operationId: operation.operationId, errors };
}

/**
 * Validates a response of the operation at `pathTemplate` (e.g. "/orders/2026-01-01/orders/{orderId}"
 * or a concrete path): the status must be declared, and the body must match its schema (a status
 * without schema, like 204, must have no body).
 */
export function validateResponse(modelName: ModelName, method: string, pathTemplate: string, status: number, body: unknown): ContractResult {
  const model = loadModel(modelName);
  const template = model.paths[pathTemplate] ? pathTemplate : matchPath(model, pathTemplate)?.template;
  const found = template === undefined ? null : operationOf(model, template, method);
  if (template === undefined || found === null) return { ok: false, operationId: null, errors: [`${method.toUpperCase()} ${pathTemplate} is not an operation of ${modelName}`] };
  const { operation } = found;
  const response = operation.responses[String(status)] ?? operation.responses.default;
  const errors: string[] = [];
  if (response === undefined) {
    errors.push(`${operation.operationId} declares no ${status} response`);
  } else if (response.schema === undefined) {
    if (body !== undefined && body !== '' && body !== null) errors.push(`${operation.operationId} ${status} has no body in the model`);
  } else {
    check(validator(modelName, `${operation.operationId}|response|${status}`, response.schema), body, `response ${status}`, errors);
  }
  return { ok: errors.length === 0, operationId: operation.operationId, errors };
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
