/**
 * Contract checks against Amazon's official models (swagger 2.0). The models are read from
 * `<repo>/../shared/reference/amazon-models` (env AMAZON_MODELS_DIR overrides); their definitions
 * become JSON Schema for ajv (`#/definitions/X` refs are rewritten to `<file>#/definitions/X`,
 * swagger-only keys dropped). By default objects are closed (`additionalProperties: false` where
 * the model lists properties), so a response with a field the model does not know fails too.
 *
 * `assertContract(model, operationId, response)` checks that the status is documented for the
 * operation, that the body matches the documented schema (or is empty when none is), that
 * x-amzn-RequestId is present and that x-amzn-RateLimit-Limit is present exactly when the model
 * documents it for that status.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

export const MODEL_FILES = {
  orders: 'orders_2026-01-01.json',
  ordersV0: 'ordersV0.json',
  feeds: 'feeds_2021-06-30.json',
} as const;
export type ModelName = keyof typeof MODEL_FILES;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function modelsDir(): string {
  return process.env.AMAZON_MODELS_DIR ?? path.resolve(repoRoot, '..', 'shared', 'reference', 'amazon-models');
}

interface SwaggerResponse {
  schema?: unknown;
  headers?: Record<string, unknown>;
}
interface SwaggerOperation {
  operationId: string;
  responses: Record<string, SwaggerResponse>;
}
interface Swagger {
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, unknown>;
}

const models = new Map<ModelName, Swagger>();
function model(name: ModelName): Swagger {
  let loaded = models.get(name);
  if (!loaded) {
    const file = path.join(modelsDir(), MODEL_FILES[name]);
    loaded = JSON.parse(fs.readFileSync(file, 'utf8')) as Swagger;
    models.set(name, loaded);
  }
  return loaded;
}

/** Swagger node -> JSON Schema node: refs made absolute, swagger-only keys dropped, objects closed. */
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

function createAjv(closed: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  for (const f of ['int32', 'int64', 'double', 'float', 'byte', 'binary', 'password']) ajv.addFormat(f, true);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  for (const name of Object.keys(MODEL_FILES) as ModelName[]) {
    ajv.addSchema({ $id: MODEL_FILES[name], definitions: toJsonSchema(model(name).definitions, MODEL_FILES[name], closed) });
  }
  return ajv;
}

const ajvs = new Map<boolean, Ajv>();
const validators = new Map<string, ValidateFunction>();

export function findOperation(name: ModelName, operationId: string): { path: string; method: string; operation: SwaggerOperation } {
  for (const [p, methods] of Object.entries(model(name).paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (typeof operation === 'object' && operation !== null && operation.operationId === operationId) return { path: p, method: method.toUpperCase(), operation };
    }
  }
  throw new Error(`${MODEL_FILES[name]} has no operation ${operationId}`);
}

/** The response body validator for (operation, status), or null when the model documents no body. */
export function responseValidator(name: ModelName, operationId: string, status: number, { closed = true } = {}): ValidateFunction | null {
  const { operation } = findOperation(name, operationId);
  const documented = operation.responses[String(status)];
  if (!documented) throw new Error(`${operationId} does not document status ${status} (documented: ${Object.keys(operation.responses).join(', ')})`);
  if (documented.schema === undefined) return null;
  const key = `${name}|${operationId}|${status}|${closed}`;
  let validate = validators.get(key);
  if (!validate) {
    let ajv = ajvs.get(closed);
    if (!ajv) ajvs.set(closed, (ajv = createAjv(closed)));
    validate = ajv.compile(toJsonSchema(documented.schema, MODEL_FILES[name], closed) as object);
    validators.set(key, validate);
  }
  return validate;
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

/** Throws ContractError when the response breaks the model. */
export function assertContract(name: ModelName, operationId: string, response: ObservedResponse, options: { closed?: boolean } = {}): void {
  const where = `${operationId} ${response.status}`;
  const validate = responseValidator(name, operationId, response.status, options);
  if (validate === null) {
    if (response.body !== undefined) throw new ContractError(`${where}: the model documents no body, got ${JSON.stringify(response.body).slice(0, 200)}`);
  } else if (!validate(response.body)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
    throw new ContractError(`${where}: body does not match the model: ${errors}`);
  }
  if (!header(response.headers, 'x-amzn-RequestId')) throw new ContractError(`${where}: no x-amzn-RequestId header`);
  const { operation } = findOperation(name, operationId);
  const documentsLimit = Object.keys(operation.responses[String(response.status)]!.headers ?? {}).some((h) => h.toLowerCase() === 'x-amzn-ratelimit-limit');
  const limit = header(response.headers, 'x-amzn-RateLimit-Limit');
  if (documentsLimit && limit === null) throw new ContractError(`${where}: the model documents x-amzn-RateLimit-Limit but it is missing`);
  if (!documentsLimit && limit !== null) throw new ContractError(`${where}: x-amzn-RateLimit-Limit is sent but the model does not document it for this status`);
}
