/**
 * Validation at the boundary: every SP-API response body is checked here, against the schemas of
 * models.ts, before the module uses it. TypeBox does the checking; this file turns its findings
 * into the module's messages (the path as "orderItems[0].quantityOrdered", what was expected, and
 * of the value only what cannot be buyer data) and AmazonResponseError.
 *
 * One rule TypeBox has no keyword for: how deep a document may nest where the model does not say.
 */
import Type, { type TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { AmazonResponseError, requestIdNote, type ValidationIssue } from './errors.ts';
import { expectedFormat } from './formats.ts';
import {
  CreateFeedDocumentResponse,
  CreateFeedResponse,
  Feed,
  FeedDocument,
  GetOrderResponse,
  Order,
  SearchOrdersResponse,
} from './models.ts';
import { shorten } from '../text.ts';

/** A required text a caller left out, passed as something else, or left empty. */
export function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/**
 * How deep a document may nest. The deepest Order the model describes nests about ten levels; what
 * Amazon adds (unknown properties are accepted) gets room to spare. Deeper documents are refused:
 * storing one (JSON.stringify) and reading it back recurse, and a few thousand levels overflow the
 * stack, failing the whole page that carries the order on every run.
 */
export const MAX_DEPTH = 64;

/** Whether `value` nests more than `levels` containers deep (without recursing itself). */
function nestsDeeper(value: unknown, levels: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > levels) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A value's kind only: what a message may say about a value that could be buyer data. */
function kind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** How a wrong value is shown: primitives as JSON (strings cut short, between two characters), containers by kind only. */
function describe(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'object') return kind(value);
  if (typeof value === 'string') return JSON.stringify(shorten(value, 41));
  return String(value);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The parts of a schema (JSON Schema, as TypeBox builds it) that messages and the depth rule read. */
interface SchemaNode {
  title?: string;
  format?: string;
  enum?: string[];
  minimum?: number;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
}

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** The schema and the value a TypeBox error points at, and the error's path in the module's syntax. */
function locate(root: TSchema, document: unknown, error: TLocalizedValidationError): { schema: SchemaNode; value: unknown; path: string } {
  let schema = root as Record<string, unknown>;
  for (const segment of error.schemaPath.split('/').slice(1)) schema = schema[unescapePointer(segment)] as Record<string, unknown>;
  let value = document;
  let path = '';
  for (const segment of error.instancePath.split('/').slice(1)) {
    const key = unescapePointer(segment);
    path = join(path, Array.isArray(value) ? Number(key) : key);
    value = (value as Record<string, unknown>)[key];
  }
  return { schema: schema as SchemaNode, value, path };
}

/** The module's issues for one TypeBox error. */
function issuesOf(root: TSchema, document: unknown, error: TLocalizedValidationError): ValidationIssue[] {
  const { schema, value, path } = locate(root, document, error);
  const issue = (message: string): ValidationIssue[] => [{ path, message }];
  switch (error.keyword) {
    case 'required':
      return error.params.requiredProperties.map((key) => ({ path: join(path, key), message: 'required property missing' }));
    case 'type': {
      const expected = String(error.params.type);
      // Present but undefined: only a caller in this process can send that, and it means "left out".
      if (value === undefined) return issue('required property missing');
      if (expected === 'object') return issue(`expected object (${schema.title}), got ${kind(value)}`);
      // Buyer data (names, addresses, phone, e-mail) lives in plain string fields, and in objects and
      // lists: for those, say only what kind of value came. Dates, amounts, codes and numbers show the value.
      const plain = expected === 'array' || (expected === 'string' && schema.format === undefined);
      return issue(`expected ${expected}, got ${plain ? kind(value) : describe(value)}`);
    }
    case 'enum':
      if (typeof value !== 'string') return issue(`expected string, got ${describe(value)}`);
      return issue(`expected one of ${schema.enum!.join(', ')}, got ${describe(value)}`);
    case 'minLength':
      return issue('expected a non-empty string, got ""');
    case 'format':
      return issue(`expected ${expectedFormat(error.params.format) ?? `format ${error.params.format}`}, got ${describe(value)}`);
    case 'minimum':
    case 'maximum':
      // The bounds of a safe integer are how the schemas say "integer"; a declared minimum is the model's.
      if (!Number.isSafeInteger(value)) return issue(`expected integer, got ${describe(value)}`);
      return issue(`expected an integer >= ${String(schema.minimum)}, got ${describe(value)}`);
    default:
      return issue(`${error.message}, got ${describe(value)}`);
  }
}

/**
 * Objects holding a property the model does not define that nests deeper than MAX_DEPTH allows
 * (named by where they are: a key can be anything).
 */
function tooDeep(schema: SchemaNode, value: unknown, path: string, depth: number, issues: ValidationIssue[]): void {
  const { items, properties } = schema;
  if (items !== undefined && Array.isArray(value)) {
    value.forEach((item, index) => tooDeep(items, item, join(path, index), depth + 1, issues));
  } else if (properties !== undefined && isRecord(value)) {
    let deepUnknown = false;
    for (const [key, child] of Object.entries(value)) {
      if (Object.hasOwn(properties, key)) tooDeep(properties[key]!, child, join(path, key), depth + 1, issues);
      else deepUnknown ||= nestsDeeper(child, MAX_DEPTH - depth);
    }
    if (deepUnknown) issues.push({ path, message: `a property the model does not define nests more than ${MAX_DEPTH} levels deep` });
  }
}

const validators = new WeakMap<TSchema, Validator>();

/** The schema compiled to a check function, once (about 20 times faster than interpreting it on every order). */
function compiled(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (validator === undefined) validators.set(schema, (validator = Compile(schema)));
  return validator;
}

/** Checks `value` against `schema`; returns every issue found (empty when valid). */
function validateValue(schema: TSchema, value: unknown): ValidationIssue[] {
  const validator = compiled(schema);
  const issues = validator.Check(value) ? [] : validator.Errors(value).flatMap((error) => issuesOf(schema, value, error));
  tooDeep(schema as SchemaNode, value, '', 1, issues);
  return issues;
}

export interface ResponseContext {
  operation: string;
  requestId: string | null;
}

function formatIssues(issues: ValidationIssue[]): string {
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
  return `${first.path === '' ? '(body)' : first.path}: ${first.message}${more}`;
}

/** Amazon's order ids have 19 characters (the module keeps 32): a longer one is cut, so a message stays short whatever came. */
const SHOWN_ORDER_ID_CHARS = 32;

function responseError(context: ResponseContext, locator: string, orderId: string | null, issues: ValidationIssue[]): AmazonResponseError {
  const where = locator === '' ? '' : orderId === null ? `${locator}: ` : `${locator} (orderId ${shorten(orderId, SHOWN_ORDER_ID_CHARS)}): `;
  const requestId = requestIdNote(context.requestId);
  const message = `Invalid ${context.operation} response: ${where}${formatIssues(issues)}${requestId}`;
  const firstPath = issues[0].path;
  const fullPath = locator === '' ? firstPath : firstPath === '' ? locator : `${locator}.${firstPath}`;
  return new AmazonResponseError(message, context.operation, context.requestId, orderId, fullPath, issues);
}

/** What is wrong with a document Amazon sent by another way than a response (a notification), or null when it is valid. */
export function documentProblem(schema: TSchema, document: unknown): string | null {
  const issues = validateValue(schema, document);
  return issues.length > 0 ? formatIssues(issues) : null;
}

/** Validates a whole body against an object schema; throws AmazonResponseError naming the path. */
export function parseResponse<T>(schema: TSchema, body: unknown, context: ResponseContext): T {
  const issues = validateValue(schema, body);
  if (issues.length > 0) throw responseError(context, '', null, issues);
  return body as T;
}

function rawOrderId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const orderId = (raw as { orderId?: unknown }).orderId;
  return typeof orderId === 'string' && orderId !== '' ? orderId : null;
}

/** Validates one order; `locator` places it in the body (e.g. "orders[3]" or "order"). */
export function parseOrder(raw: unknown, context: ResponseContext, locator: string): Order {
  const issues = validateValue(Order, raw);
  if (issues.length > 0) throw responseError(context, locator, rawOrderId(raw), issues);
  return raw as Order;
}

/** An order of a page that failed validation: the caller records it, the rest of the page is used. */
export interface InvalidOrder {
  /** Position in the page's `orders` array. */
  index: number;
  /** The order id as sent, or null when the order had no usable `orderId`. */
  orderId: string | null;
  error: AmazonResponseError;
  /** The order exactly as Amazon sent it. */
  raw: unknown;
}

export interface ParsedSearchOrdersPage {
  orders: Order[];
  invalidOrders: InvalidOrder[];
  pagination?: SearchOrdersResponse['pagination'];
  lastUpdatedBefore?: string;
  createdBefore?: string;
}

/**
 * Validates a searchOrders page. The page structure (an object with an `orders` array, valid
 * pagination) must hold or the whole page is an error; each order is then validated on its own so
 * one bad order does not hide the others.
 */
const SEARCH_ORDERS_ENVELOPE = { ...SearchOrdersResponse, properties: { ...SearchOrdersResponse.properties, orders: Type.Array(Type.Unknown()) } };
const GET_ORDER_ENVELOPE = { ...GetOrderResponse, properties: { order: Type.Unknown() } };

export function parseSearchOrdersPage(body: unknown, context: ResponseContext): ParsedSearchOrdersPage {
  const page = parseResponse<{ orders: unknown[] } & Omit<SearchOrdersResponse, 'orders'>>(SEARCH_ORDERS_ENVELOPE, body, context);
  const orders: Order[] = [];
  const invalidOrders: InvalidOrder[] = [];
  page.orders.forEach((raw, index) => {
    try {
      orders.push(parseOrder(raw, context, `orders[${index}]`));
    } catch (error) {
      if (!(error instanceof AmazonResponseError)) throw error;
      invalidOrders.push({ index, orderId: error.orderId, error, raw });
    }
  });
  return {
    orders,
    invalidOrders,
    ...(page.pagination === undefined ? {} : { pagination: page.pagination }),
    ...(page.lastUpdatedBefore === undefined ? {} : { lastUpdatedBefore: page.lastUpdatedBefore }),
    ...(page.createdBefore === undefined ? {} : { createdBefore: page.createdBefore }),
  };
}

export function parseGetOrderResponse(body: unknown, context: ResponseContext): Order {
  const { order } = parseResponse<{ order: unknown }>(GET_ORDER_ENVELOPE, body, context);
  return parseOrder(order, context, 'order');
}

export const parseCreateFeedDocumentResponse = (body: unknown, context: ResponseContext) =>
  parseResponse<CreateFeedDocumentResponse>(CreateFeedDocumentResponse, body, context);
export const parseCreateFeedResponse = (body: unknown, context: ResponseContext) =>
  parseResponse<CreateFeedResponse>(CreateFeedResponse, body, context);
export const parseFeed = (body: unknown, context: ResponseContext) => parseResponse<Feed>(Feed, body, context);
export const parseFeedDocument = (body: unknown, context: ResponseContext) => parseResponse<FeedDocument>(FeedDocument, body, context);
