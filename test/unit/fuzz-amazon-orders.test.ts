/**
 * Fuzzing the Amazon order boundary (issue 11): Order documents generated from the module's model
 * schema (`SCHEMAS.orders.Order` in src/amazon/models.ts, which models-contract.test.ts holds to
 * the official model), valid and invalid, through validation, snapshotFromAmazon, importDecision
 * and the host order request, all pure.
 *
 * - Valid documents (every optional property present or absent, every enum value, unknown
 *   properties, hostile and unusual unicode text) are accepted; the import either uses them or
 *   refuses them with its typed OrderDataError, never anything else; what it keeps fits the
 *   module's columns; a host order request has exact decimal strings that add up to Amazon's total.
 * - Coherent documents (amounts in one currency, SKUs in the catalog) always become a request the
 *   reference host accepts, with every amount exactly what the document says.
 * - Invalid documents (one mutation each) are rejected with AmazonResponseError naming the order
 *   and the path, with a bounded message without buyer data, and the input left untouched.
 *
 * Replay a failure with `FUZZ_SEED=<seed> npx mocha test/unit/fuzz-amazon-orders.test.ts`.
 */
import { expect } from 'chai';
import { AmazonResponseError } from '../../src/amazon/errors.ts';
import { format, type AmazonFormat } from '../../src/amazon/formats.ts';
import { SCHEMAS, type ItemProceedsBreakdown, type Order } from '../../src/amazon/models.ts';
import { parseGetOrderResponse, parseSearchOrdersPage } from '../../src/amazon/validate.ts';
import { snapshotFromAmazon } from '../../src/orders/from-amazon.ts';
import { buildHostOrderRequest, WITHHELD } from '../../src/orders/host-order-request.ts';
import { OrderDataError, type OrderSnapshot } from '../../src/orders/order-snapshot.ts';
import { importDecision, type ImportDecision } from '../../src/orders/rules.ts';
import { CREATE_ORDER_TEXT_LIMITS as LIMITS, type CreateOrderRequest, type HostProduct } from '../../src/host/ports.ts';
import { DEFAULT_ORDER_SETTINGS, type OrderSettings } from '../../src/stores/order-settings.ts';
import { MARKETPLACES } from '../../src/stores/marketplaces.ts';
import { currencyDecimals as moduleDecimals, toE4 } from '../../src/money.ts';
import { validateCreateRequest } from '../../sandbox/host/orders/validate-request.ts';
import { amazonOrder } from '../support/amazon-orders.ts';
import { expectNoLeaks, forEachCase, Fuzz, FUZZ_SEED, HOSTILE_TEXT } from '../support/fuzz.ts';

// --- the module's schemas, as the generator reads them --------------------------------------

type Schema =
  | { type: 'string'; format?: AmazonFormat; enum?: readonly string[]; minLength?: number }
  | { type: 'integer'; minimum?: number }
  | { type: 'number' }
  | { type: 'boolean' }
  | { type: 'array'; items: Schema }
  | ObjectSchema;
interface ObjectSchema {
  type: 'object';
  definition: string;
  properties: Record<string, Schema>;
  required: readonly string[];
}

/** The JSON Schema TypeBox builds, with what the generator needs of it. */
interface JsonSchema {
  type?: string;
  title?: string;
  enum?: string[];
  format?: string;
  minLength?: number;
  minimum?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

const FORMAT_NAMES = new Map((['date-time', 'decimal', 'currency'] as const).map((name) => [format(name), name]));

/** One of the module's schemas in the generator's terms (the safe-integer bounds are how the schemas say "integer": no minimum of the model's). */
function readSchema(schema: JsonSchema): Schema {
  if (schema.enum) return { type: 'string', enum: schema.enum };
  switch (schema.type) {
    case 'string': {
      const known = schema.format === undefined ? undefined : FORMAT_NAMES.get(schema.format);
      if (schema.format !== undefined && known === undefined) throw new Error(`a format the generator does not know: ${schema.format}`);
      return { type: 'string', ...(known === undefined ? {} : { format: known }), ...(schema.minLength === undefined ? {} : { minLength: schema.minLength }) };
    }
    case 'integer':
      return schema.minimum === undefined || schema.minimum === -Number.MAX_SAFE_INTEGER ? { type: 'integer' } : { type: 'integer', minimum: schema.minimum };
    case 'number':
    case 'boolean':
      return { type: schema.type };
    case 'array':
      return { type: 'array', items: readSchema(schema.items!) };
    case 'object':
      return {
        type: 'object',
        definition: schema.title!,
        properties: Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, readSchema(property)])),
        required: schema.required ?? [],
      };
    default:
      throw new Error(`a schema the generator does not know: ${JSON.stringify(schema).slice(0, 80)}`);
  }
}

const ORDER_SCHEMA = readSchema(SCHEMAS.orders.Order) as ObjectSchema;
const ORDER_ITEM_SCHEMA = readSchema(SCHEMAS.orders.OrderItem) as ObjectSchema;
const CONTEXT = { operation: 'getOrder', requestId: 'RID-FUZZ' };
const PAGE_CONTEXT = { operation: 'searchOrders', requestId: 'RID-FUZZ' };
/** What one validation message may take at most, whatever Amazon sent. */
const MAX_MESSAGE = 400;
/** What an import note (OrderDataError) may take at most: it goes into a text column and the admin page. */
const MAX_NOTE = 2_000;

// --- generic helpers (candidates for test/support/fuzz.ts) -------------------------------------

const decimalsByCurrency = new Map<string, number>();
/** The module's currency decimals, remembered: Intl is asked hundreds of thousands of times here. */
function currencyDecimals(currency: string): number {
  let digits = decimalsByCurrency.get(currency);
  if (digits === undefined) decimalsByCurrency.set(currency, (digits = moduleDecimals(currency)));
  return digits;
}

/** Text that is valid but unusual: grapheme clusters, bidi, combining marks, astral and 4-byte UTF-8, controls. */
const UNUSUAL_TEXT: readonly string[] = [
  '👩‍👩‍👧‍👦 family',
  '🏳️‍🌈 flag',
  '👍🏽 thumbs',
  '🇺🇸🇯🇵',
  'מרים כהן',
  'محمد عبد الله',
  'abc \u202eSTOP\u202c def',
  '\u200f\u200eRTL marks',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  'A\u030angstr\u00f6m',
  '\u00c5ngstr\u00f6m',
  '𝕳𝖊𝖑𝖑𝖔 𝖂𝖔𝖗𝖑𝖉',
  '𠜎𠜱𠝹𠱓',
  '𓀀𓀁𓀂',
  '🦄🦄🦄',
  'a\u0000b',
  '\u0001\u001f\u007f\u0085',
  'line\u2028sep\u2029para',
  '\ufeffBOM',
  'zero\u200bwidth',
  'nb\u00a0sp\u3000ideo',
  'ＡＢＣ１２３',
  'ﷺ',
  'ภาษาไทย',
  'नमस्ते',
  '\u1100\u1161\u11a8',
  'Ǆǅǆ ß İ ı',
  '株式会社テスト',
];

/** `value` at `path` ("a.b[2].c"): the path syntax of the validator's issues. */
function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) segments.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  return segments;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Sets an own property, also one named `__proto__` (as JSON.parse makes it), never the prototype. */
function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value nested `depth` levels deep, built without recursion (as JSON.parse of such a text would be). */
function deeplyNested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { nested: value };
  return value;
}

/** A JSON text round trip: what the client gets from Amazon and what the repository stores and reads back. */
function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}


/** The value as text, to tell whether it changed: JSON, or built without recursion for documents too deep for JSON.stringify. */
function fingerprint(root: unknown): string {
  try {
    return JSON.stringify(root);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  const parts: string[] = [];
  const stack: Array<{ value: unknown } | { text: string }> = [{ value: root }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if ('text' in top) {
      parts.push(top.text);
      continue;
    }
    const value = top.value;
    if (Array.isArray(value)) {
      parts.push('[');
      stack.push({ text: ']' });
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i] }, { text: ',' });
    } else if (typeof value === 'object' && value !== null) {
      parts.push('{');
      stack.push({ text: '}' });
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (value as Record<string, unknown>)[keys[i]!] }, { text: `${JSON.stringify(keys[i])}:` });
    } else {
      parts.push(JSON.stringify(value) ?? 'undefined');
    }
  }
  return parts.join('');
}

// --- model coverage ----------------------------------------------------------------------------

/** Every object definition the Order model reaches. */
function reachable(root: ObjectSchema): Map<string, ObjectSchema> {
  const found = new Map<string, ObjectSchema>();
  const visit = (schema: Schema) => {
    if (schema.type === 'array') visit(schema.items);
    if (schema.type !== 'object' || found.has(schema.definition)) return;
    found.set(schema.definition, schema);
    for (const property of Object.values(schema.properties)) visit(property);
  };
  visit(root);
  return found;
}

/** What the generator made of each (definition, property) of the model. */
class Coverage {
  readonly present = new Map<string, number>();
  readonly absent = new Map<string, number>();
  readonly enumValues = new Map<string, Set<string>>();
  readonly mutations = new Map<string, number>();

  static key(definition: string, property: string): string {
    return `${definition}.${property}`;
  }

  bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** Fails unless every property was generated present and (when optional) absent, and every enum value came up. */
  expectComplete(): void {
    const missing: string[] = [];
    for (const [definition, schema] of reachable(ORDER_SCHEMA)) {
      for (const [property, propertySchema] of Object.entries(schema.properties)) {
        const key = Coverage.key(definition, property);
        if (!this.present.get(key)) missing.push(`${key} never present`);
        if (!schema.required.includes(property) && !this.absent.get(key)) missing.push(`${key} never absent`);
        if (propertySchema.type === 'string' && propertySchema.enum) {
          const seen = this.enumValues.get(key) ?? new Set();
          for (const value of propertySchema.enum) if (!seen.has(value)) missing.push(`${key} never ${value}`);
        }
      }
    }
    expect(missing, 'parts of the model the fuzzing never generated').to.deep.equal([]);
  }
}

// --- generating documents from the schema ------------------------------------------------------

/** Where a generated value goes: its path and the model property it fills. */
interface Slot {
  path: string;
  definition: string;
  property: string;
  schema: Schema;
  required: boolean;
}

const OMIT = Symbol('omit');
const GENERATE = Symbol('generate');
/**
 * A value for a slot; OMIT leaves an optional property out, GENERATE puts it in generated by the
 * schema, undefined lets chance decide (required properties are always there).
 */
type Hint = (slot: Slot, fuzz: Fuzz) => unknown;

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Text for a plain string property: hostile, unusual, random unicode, sometimes at or past a column's length. */
function anyText(fuzz: Fuzz): string {
  const kind = fuzz.int(100);
  if (kind < 30) return fuzz.pick(HOSTILE_TEXT);
  if (kind < 55) return fuzz.pick(UNUSUAL_TEXT);
  if (kind < 75) return fuzz.unicode(1 + fuzz.int(30));
  if (kind < 93) return `${fuzz.pick(UNUSUAL_TEXT)} ${fuzz.pick(HOSTILE_TEXT)}`;
  if (kind < 99 || fuzz.chance(0.8)) return fuzz.pick(['a', 'é', '🦄', 'e\u0301', '👩‍👩‍👧‍👦', ' ']).repeat(fuzz.pick([32, 33, 64, 65, 255, 256, 1000, 1024, 1025]));
  return fuzz.pick(['x', '9', '🦄']).repeat(70_000);
}

/** A decimal amount as Amazon writes them, at any scale up to the module's four decimals. */
function anyDecimal(fuzz: Fuzz): string {
  // The model sets no bounds: also past a 64-bit integer of ten-thousandths and past a 32-character column.
  const whole = fuzz.chance(0.03)
    ? fuzz.pick(['922337203685477', '922337203685478', '9'.repeat(40), '1'.repeat(70_000)])
    : fuzz.pick(['0', '1', '19', '1199', '99999', String(fuzz.int(1_000_000)), '-5', '-0', '0000']);
  const fraction = fuzz.pick(['', '', '.5', '.99', '.01', '.000', '.0001', '.9999', '.50', '.00', '.00001']);
  return `${whole}${fraction}`;
}

function anyDateTime(fuzz: Fuzz): string {
  // Also at the ends of what a DATETIME column holds (years 1000 to 9999), and past them through the zone.
  const year = fuzz.chance(0.05) ? fuzz.pick(['0001', '0999', '1000', '9999']) : fuzz.pick(['2026', '2025', '2027', '1999', '2038']);
  const month = String(1 + fuzz.int(12)).padStart(2, '0');
  const day = String(1 + fuzz.int(28)).padStart(2, '0');
  const time = `${String(fuzz.int(24)).padStart(2, '0')}:${String(fuzz.int(60)).padStart(2, '0')}`;
  const seconds = fuzz.pick(['', `:${String(fuzz.int(60)).padStart(2, '0')}`, ':00.123', ':59.999999']);
  const zone = fuzz.pick(['Z', 'Z', '+00:00', '-08:00', '+0530', '+14:00', 'z']);
  return `${year}-${month}-${day}T${time}${seconds}${zone}`;
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'INR', 'KWD', 'BHD', 'CLP', 'SEK', 'ZZZ'];

/** Documents by the schema: every property the model has, each optional one present or not. */
class Generator {
  constructor(
    private readonly fuzz: Fuzz,
    private readonly coverage: Coverage,
    private readonly hint: Hint = () => undefined,
  ) {}

  object(schema: ObjectSchema, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [property, propertySchema] of Object.entries(schema.properties)) {
      const slot: Slot = { path: join(path, property), definition: schema.definition, property, schema: propertySchema, required: schema.required.includes(property) };
      const key = Coverage.key(schema.definition, property);
      const hinted = this.hint(slot, this.fuzz);
      if (hinted === OMIT || (hinted === undefined && !slot.required && this.fuzz.chance(0.4))) {
        if (slot.required) throw new Error(`a hint left out the required ${key}`);
        this.coverage.bump(this.coverage.absent, key);
        continue;
      }
      const value = hinted === undefined || hinted === GENERATE ? this.value(propertySchema, slot) : hinted;
      if (propertySchema.type === 'string' && propertySchema.enum && typeof value === 'string') {
        if (!this.coverage.enumValues.has(key)) this.coverage.enumValues.set(key, new Set());
        this.coverage.enumValues.get(key)!.add(value);
      }
      this.coverage.bump(this.coverage.present, key);
      out[property] = value;
    }
    // Amazon adds properties without a new version; some are named like Object.prototype's members.
    if (this.fuzz.chance(0.1)) {
      for (const key of this.fuzz.some([...PROTOTYPE_KEYS, 'x-amzn-newField', 'orderItems ', ''], 3)) {
        defineOwn(out, key, this.fuzz.pick<unknown>([{ orderId: 'from-a-prototype-key' }, [1, 2], 'text', 0, null, true, { polluted: true }]));
      }
    }
    return out;
  }

  value(schema: Schema, slot: Slot): unknown {
    const fuzz = this.fuzz;
    switch (schema.type) {
      case 'string':
        if (schema.enum) return fuzz.pick(schema.enum);
        if (schema.format === 'date-time') return anyDateTime(fuzz);
        if (schema.format === 'decimal') return anyDecimal(fuzz);
        if (schema.format === 'currency') return fuzz.pick(CURRENCIES);
        {
          const text = anyText(fuzz);
          return schema.minLength !== undefined && text.length < schema.minLength ? `${text}x` : text;
        }
      case 'integer': {
        const low = schema.minimum ?? -3;
        // Sometimes at or past a 32-bit column: the model sets no maximum.
        return fuzz.chance(0.03) ? fuzz.pick([2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER]) : fuzz.pick([low, low + 1, low + 2, 3, 10, 999]);
      }
      case 'number':
        return fuzz.pick([0, 1, 0.5, -2.25, 1e-9, 1e21, 12.5]);
      case 'boolean':
        return fuzz.chance(0.5);
      case 'array': {
        const length = fuzz.pick([0, 1, 1, 2, 3]);
        return Array.from({ length }, (_, index) => this.value(schema.items, { ...slot, path: `${slot.path}[${index}]` }));
      }
      case 'object':
        return this.object(schema, slot.path);
    }
  }
}

// --- coherent documents: amounts that add up, SKUs the catalog has -----------------------------

/** Ten-thousandths (the module's money unit) per minor unit of a currency. */
const unitOf = (currency: string) => 10n ** BigInt(4 - currencyDecimals(currency));

/** An amount as Amazon may write it: the currency's decimals, sometimes more (never more than four). */
function written(e4: bigint, currency: string, fuzz: Fuzz): string {
  const negative = e4 < 0n;
  const abs = negative ? -e4 : e4;
  const digits = currencyDecimals(currency);
  const scale = Math.min(4, digits + fuzz.pick([0, 0, 0, 1, 2]));
  const fraction = (abs % 10_000n).toString().padStart(4, '0').slice(0, scale);
  const text = `${abs / 10_000n}${scale > 0 ? `.${fraction}` : ''}`;
  return negative ? `-${text}` : text;
}

/** A random amount in whole minor units of the currency, from nothing to large. */
function someAmount(fuzz: Fuzz, currency: string, max = 100_000): bigint {
  const minor = fuzz.pick([0, 0, 1, 5, 99, 1999, fuzz.int(max), fuzz.int(max * 100)]);
  return BigInt(minor) * unitOf(currency);
}

/** `total` split into up to three parts that add up to it (each a whole number of minor units). */
function split(total: bigint, currency: string, fuzz: Fuzz): bigint[] {
  const unit = unitOf(currency);
  const parts: bigint[] = [];
  let rest = total / unit;
  const count = fuzz.pick([1, 1, 2, 3]);
  for (let i = 1; i < count; i++) {
    const part = rest === 0n ? 0n : BigInt(fuzz.int(Number(rest > 1_000_000n ? 1_000_000n : rest) + 1));
    parts.push(part * unit);
    rest -= part;
  }
  parts.push(rest * unit);
  return parts;
}

type Category = 'item' | 'shipping' | 'gift_wrap' | 'cod_fee' | 'other';
const CATEGORY_TYPES: Record<Category, string> = { item: 'ITEM', shipping: 'SHIPPING', gift_wrap: 'GIFT_WRAP', cod_fee: 'COD_FEE', other: 'OTHER' };

/** What an item is meant to cost, part by part, in ten-thousandths of the order currency. */
interface ItemIntent {
  orderItemId: string;
  sellerSku: string;
  title: string | undefined;
  quantityOrdered: number;
  open: number;
  unitPrice: bigint;
  unitPriceSent: boolean;
  parts: Record<Category, { amount: bigint; tax: bigint; discount: bigint }>;
}

interface CoherentOrder {
  document: Order;
  currency: string;
  items: ItemIntent[];
  tip: bigint;
  grandTotal: string;
  products: Map<string, HostProduct>;
}

/** Seller SKUs of the catalog in these tests: odd but within the columns. */
const CATALOG_SKUS = ['MUG-RED', 'mug-red', "O'REILLY-1", 'SKU-ü-🦄', '__proto__', 'constructor', 'toString', '株式会社-1', 'A'.repeat(40), '<b>x</b>', 'sku with spaces', '%_\\'];

function catalog(): Map<string, HostProduct> {
  return new Map(CATALOG_SKUS.map((sku, index) => [sku, { id: String(index + 1), sku: `HOST-${index + 1}`, name: `Product ${index + 1}`, enabled: true, manageStock: true }]));
}

/** Realistic but unusual buyer and address text, within what the host takes unless `overLimit`. */
function addressText(property: string, fuzz: Fuzz, overLimit: boolean): string | typeof OMIT {
  const limit: Record<string, number> = { city: LIMITS.city, stateOrRegion: LIMITS.region, postalCode: LIMITS.postalCode, phone: LIMITS.phone };
  // Blank values are Amazon's too (a withheld part sent as ""): they count as not sent.
  if (property === 'countryCode') return fuzz.pick(['US', 'JP', 'DE', 'GB', '', ' ', OMIT]);
  if (property === 'buyerEmail') return fuzz.pick(['jane@marketplace.amazon.com', 'zoë.ångström@example.invalid', '"o\'hara"@example.com', '', '   ', OMIT]);
  const max = limit[property];
  if (overLimit && max !== undefined) return '🦄'.repeat(Math.ceil((max + 1) / 2));
  const base = fuzz.pick([fuzz.pick(UNUSUAL_TEXT), fuzz.pick(HOSTILE_TEXT.filter((t) => t.trim() !== '' && t.isWellFormed())), fuzz.unicode(1 + fuzz.int(12)), '', '  ', '\t']);
  if (max !== undefined) return base.length <= max ? base : 'x';
  // Names and street lines may run long: names are shortened; the street (all lines together) blocks past 1000.
  if (fuzz.chance(0.05)) return `${base} ${'ẞ'.repeat(fuzz.pick([100, 254, 255, 256, 300]))}`;
  return base;
}

/**
 * A document the import must always turn into a host order: generated by the schema, with the
 * parts the import reads (ids, quantities, SKUs, money, fulfillment) made consistent.
 */
function coherentOrder(fuzz: Fuzz, coverage: Coverage, n: number, options: { items?: number; addressOverLimit?: string } = {}): CoherentOrder {
  const marketplace = fuzz.pick([...MARKETPLACES.values()]);
  const currency = fuzz.chance(0.8) ? marketplace.currencyCode : fuzz.pick(CURRENCIES);
  const products = catalog();
  const itemCount = options.items ?? fuzz.pick([1, 1, 2, 3, 5, 12]);
  const items: ItemIntent[] = [];
  const status = fuzz.pick(['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED'] as const);
  const fulfilledBy = status === 'SHIPPED' ? fuzz.pick(['MERCHANT', 'AMAZON'] as const) : 'MERCHANT';
  let itemIndex = -1;

  const hint: Hint = (slot) => {
    if ((slot.definition === 'Buyer' || slot.definition === 'CustomerAddress') && slot.schema.type === 'string' && slot.property !== 'addressType') {
      return fuzz.chance(0.25) ? OMIT : addressText(slot.property, fuzz, options.addressOverLimit === slot.property);
    }
    switch (Coverage.key(slot.definition, slot.property)) {
      case 'Order.orderId':
        return `${fuzz.pick(['111', '113', '250', '503'])}-${String(n % 10_000_000).padStart(7, '0')}-${String(fuzz.int(10_000_000)).padStart(7, '0')}`;
      case 'Order.createdTime':
        return fuzz.pick(['2026-11-26T10:00:00Z', '2026-11-26T09:00:00.5+00:00', '2026-11-26T19:30:00+09:00']);
      case 'Order.lastUpdatedTime':
        return '2026-11-26T11:00:00Z';
      case 'SalesChannel.marketplaceId':
        return fuzz.chance(0.9) ? marketplace.id : OMIT;
      case 'Order.fulfillment':
      case 'Order.recipient':
      case 'Recipient.deliveryAddress':
        return fuzz.chance(0.9) || slot.property === 'fulfillment' ? GENERATE : OMIT;
      case 'OrderFulfillment.fulfillmentStatus':
        return status;
      case 'OrderFulfillment.fulfilledBy':
        return fulfilledBy;
      case 'Order.orderItems':
        return Array.from({ length: itemCount }, (_, index) => {
          itemIndex = index;
          return generator.object(ORDER_ITEM_SCHEMA, `orderItems[${index}]`);
        });
      case 'OrderItem.orderItemId':
        return `${itemIndex + 1}${String(fuzz.int(1e9)).padStart(13, '0')}`;
      case 'OrderItem.quantityOrdered':
        // The first item always has units to deliver (an order of canceled items only is CANCELLED).
        return itemIndex === 0 ? fuzz.pick([1, 2, 3]) : fuzz.pick([1, 1, 2, 3, 7, 0]);
      // Money and quantities are filled in below, once the item is known.
      case 'Order.proceeds':
      case 'OrderItem.proceeds':
      case 'ItemProduct.price':
        return {};
      case 'ItemFulfillment.quantityFulfilled':
      case 'ItemFulfillment.quantityUnfulfilled':
        return OMIT;
      case 'ItemProduct.sellerSku':
        return fuzz.pick(CATALOG_SKUS);
      case 'ItemProduct.asin':
        return fuzz.pick(['B000000001', 'B0TESTASIN', '', OMIT]);
      default:
        return undefined;
    }
  };
  const generator = new Generator(fuzz, coverage, hint);
  const document = generator.object(ORDER_SCHEMA, '') as unknown as Order;

  // Money: every part in the order currency, written in Amazon's ways, with a grand total that adds up.
  const unit = unitOf(currency);
  let grand = 0n;
  const used = new Set<string>();
  for (const [index, item] of document.orderItems.entries()) {
    while (used.has(item.orderItemId)) item.orderItemId = `${item.orderItemId}9`;
    used.add(item.orderItemId);
    const ordered = item.quantityOrdered;
    const shipped = status === 'SHIPPED' ? ordered : status === 'PARTIALLY_SHIPPED' ? fuzz.int(ordered + 1) : 0;
    const canceled = index > 0 && fuzz.chance(0.15) ? fuzz.int(ordered - shipped + 1) : 0;
    const open = ordered - canceled;
    item.fulfillment = { ...(item.fulfillment ?? {}), quantityFulfilled: shipped, quantityUnfulfilled: ordered - shipped - canceled };
    const unitPrice = someAmount(fuzz, currency, 50_000);
    const parts = {} as ItemIntent['parts'];
    for (const category of Object.keys(CATEGORY_TYPES) as Category[]) {
      const amount = category === 'item' ? unitPrice * BigInt(ordered) : fuzz.chance(category === 'shipping' ? 0.6 : 0.2) ? someAmount(fuzz, currency, 3_000) : 0n;
      // A discount never more than what it discounts (the open units' price, for the item); no negative tax.
      const discountable = category === 'item' ? unitPrice * BigInt(open) : amount;
      const discount = fuzz.chance(0.3) && discountable > 0n ? BigInt(fuzz.int(Number(discountable / unit) + 1)) * unit : 0n;
      const tax = fuzz.chance(0.5) ? someAmount(fuzz, currency, 2_000) : 0n;
      parts[category] = { amount, tax, discount };
    }
    const unitPriceSent = fuzz.chance(0.85) || ordered === 0;
    if (unitPriceSent) item.product.price = { ...(item.product.price ?? {}), unitPrice: { amount: written(unitPrice, currency, fuzz), currencyCode: currency } };
    else delete item.product.price;
    const proceedsTotal = { amount: written(someAmount(fuzz, currency), currency, fuzz), currencyCode: currency };
    item.proceeds = { breakdowns: itemBreakdowns(parts, currency, fuzz) as unknown as ItemProceedsBreakdown[], ...(fuzz.chance(0.5) ? { proceedsTotal } : {}) };
    items.push({ orderItemId: item.orderItemId, sellerSku: item.product.sellerSku!, title: item.product.title, quantityOrdered: ordered, open, unitPrice, unitPriceSent, parts });
    if (open > 0) {
      grand += unitPrice * BigInt(open);
      for (const { tax, discount } of Object.values(parts)) grand += tax - discount;
      for (const category of ['shipping', 'gift_wrap', 'cod_fee', 'other'] as const) grand += parts[category].amount;
    }
  }
  const tip = fuzz.chance(0.2) ? someAmount(fuzz, currency, 1_000) : 0n;
  grand += tip;
  const grandTotal = written(grand, currency, fuzz);
  const orderBreakdowns = [
    // The order's aggregates repeat the items' and are not counted again; unknown ones only explain a mismatch.
    ...fuzz.some(['ITEM', 'SHIPPING', 'TAX', 'DISCOUNT', 'GIFT_WRAP', 'SURCHARGE'], 3).map((type) => ({ type, subtotal: { amount: written(someAmount(fuzz, currency), currency, fuzz), currencyCode: currency } })),
    ...(tip > 0n || fuzz.chance(0.2) ? [{ type: 'DELIVERY_TIP', ...(fuzz.chance(0.5) ? { status: fuzz.pick(['PENDING', 'FINALIZED']) } : {}), subtotal: { amount: written(tip, currency, fuzz), currencyCode: currency } }] : []),
  ];
  document.proceeds = { grandTotal: { amount: grandTotal, currencyCode: currency }, ...(orderBreakdowns.length > 0 || fuzz.chance(0.5) ? { breakdowns: orderBreakdowns } : {}) };
  return { document, currency, items, tip, grandTotal, products };
}

/** An item's parts as Amazon's breakdowns: types, TAX and DISCOUNT by subtype or not, amounts split. */
function itemBreakdowns(parts: ItemIntent['parts'], currency: string, fuzz: Fuzz): Array<Record<string, unknown>> {
  const money = (e4: bigint) => ({ amount: written(e4, currency, fuzz), currencyCode: currency });
  const breakdowns: Array<Record<string, unknown>> = [];
  for (const [category, type] of Object.entries(CATEGORY_TYPES) as Array<[Category, string]>) {
    const { amount } = parts[category];
    if (amount === 0n && category !== 'item' && fuzz.chance(0.8)) continue;
    for (const part of split(amount, currency, fuzz)) {
      breakdowns.push({ type, subtotal: money(part), ...(fuzz.chance(0.1) ? { detailedBreakdowns: [{ subtype: 'IGNORED', value: money(part) }] } : {}) });
    }
  }
  for (const [type, field, sign] of [['TAX', 'tax', 1n], ['DISCOUNT', 'discount', -1n]] as const) {
    const nonZero = (Object.keys(CATEGORY_TYPES) as Category[]).filter((c) => parts[c][field] !== 0n);
    if (nonZero.length === 0 && fuzz.chance(0.7)) continue;
    // Only the item's own: Amazon may send it without details.
    if (nonZero.every((c) => c === 'item') && fuzz.chance(0.5)) {
      for (const part of split(parts.item[field], currency, fuzz)) breakdowns.push({ type, subtotal: money(sign * part) });
      continue;
    }
    const details: Array<Record<string, unknown>> = [];
    for (const category of Object.keys(CATEGORY_TYPES) as Category[]) {
      const value = parts[category][field];
      if (value === 0n && fuzz.chance(0.7)) continue;
      if (type === 'TAX' && category === 'item' && value > 0n && fuzz.chance(0.3)) {
        // Tax on a discount lowers the item's tax: ITEM tax plus a negative DISCOUNT tax.
        const onDiscount = unitOf(currency) * BigInt(fuzz.int(5));
        details.push({ subtype: 'ITEM', value: money(value + onDiscount) }, { subtype: 'DISCOUNT', value: money(-onDiscount) });
        continue;
      }
      for (const part of split(value, currency, fuzz)) details.push({ subtype: CATEGORY_TYPES[category], value: money(sign * part) });
    }
    // A detail without a value is skipped; one of a subtype the module does not know is reported, not counted.
    if (fuzz.chance(0.1)) details.push({ subtype: 'ITEM' });
    if (fuzz.chance(0.1)) details.push({ subtype: fuzz.pick(['toString', '__proto__', 'LOYALTY']), value: money(0n) });
    const total = details.reduce((sum, d) => sum + (d.value ? toE4((d.value as { amount: string }).amount) : 0n), 0n);
    breakdowns.push({ type, subtotal: money(total), detailedBreakdowns: details });
  }
  for (let i = breakdowns.length - 1; i > 0; i--) {
    const j = fuzz.int(i + 1);
    [breakdowns[i], breakdowns[j]] = [breakdowns[j]!, breakdowns[i]!];
  }
  return breakdowns;
}

// --- the checks every accepted document must pass ----------------------------------------------

/** `actual === expected`, asked of chai only when it fails (chai's proxies cost more than the code under test here). */
function same(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) expect(actual, what).to.equal(expected);
}

function holds(condition: boolean, what: () => string): void {
  if (!condition) expect.fail(what());
}

const INT32_MAX = 2 ** 31 - 1;
const INT64_MAX = 2n ** 63n - 1n;
/** The instants both databases keep exactly (MySQL's DATETIME range). */
const EARLIEST = Date.parse('1000-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** What the repository writes from a snapshot fits its columns (see the migrations), so no insert fails or truncates. */
function expectFitsColumns(snapshot: OrderSnapshot, document: Order): void {
  const inRange = (date: Date) => !Number.isNaN(date.getTime()) && date.getTime() >= EARLIEST && date.getTime() <= LATEST;
  holds(snapshot.amazonOrderId.length >= 1 && snapshot.amazonOrderId.length <= 32, () => `amazon_order_id of ${snapshot.amazonOrderId.length}`);
  holds(snapshot.marketplaceId.length <= 32, () => 'marketplace_id');
  holds(inRange(snapshot.purchaseDate), () => `purchase_date ${document.createdTime}`);
  holds(inRange(snapshot.lastUpdated), () => `amazon_updated_at ${document.lastUpdatedTime}`);
  holds(snapshot.latestShipDate === null || inRange(snapshot.latestShipDate), () => `latest_ship_date ${document.fulfillment?.shipByWindow?.latestDateTime}`);
  if (snapshot.grandTotal) {
    same(snapshot.grandTotal, document.proceeds!.grandTotal, 'the grand total is kept exactly as sent');
    holds(snapshot.grandTotal.amount.length <= 32, () => `grand_total_amount of ${snapshot.grandTotal!.amount.length}`);
    const e4 = toE4(snapshot.grandTotal.amount);
    holds(e4 <= INT64_MAX && e4 >= -INT64_MAX, () => `grand_total_e4 ${snapshot.grandTotal!.amount} does not fit a signed 64-bit integer`);
  }
  same(snapshot.items.length, document.orderItems.length, 'items');
  const kept = [snapshot.amazonOrderId, snapshot.marketplaceId, snapshot.buyerName, snapshot.buyerEmail, snapshot.shippingServiceLevel, ...Object.values(snapshot.address ?? {}).flat()];
  for (const item of snapshot.items) kept.push(item.orderItemId, item.sellerSku, item.asin, item.title);
  for (const value of kept) holds(value === null || typeof value !== 'string' || value.isWellFormed(), () => `text kept with half a character: ${JSON.stringify(value).slice(0, 60)}`);
  for (const [index, item] of snapshot.items.entries()) {
    const sent = document.orderItems[index]!;
    same(item.orderItemId, sent.orderItemId, 'orderItemId');
    holds(item.orderItemId.length <= 64, () => 'order_item_id');
    // Kept as sent, but for half a character alone, which neither database keeps (the same way): U+FFFD instead.
    same(item.sellerSku, sent.product.sellerSku === undefined ? null : sent.product.sellerSku.toWellFormed(), 'seller SKU kept as sent');
    same(item.title, sent.product.title === undefined ? null : sent.product.title.toWellFormed(), 'title kept as sent');
    holds(item.sellerSku === null || item.sellerSku.length <= 255, () => 'seller_sku');
    holds(item.asin === null || item.asin.length <= 16, () => 'asin');
    holds(!item.unitPrice || item.unitPrice.amount.length <= 32, () => 'unit_price_amount');
    for (const quantity of [item.quantityOrdered, item.quantityShipped, item.quantityCanceled]) {
      holds(Math.abs(quantity) <= INT32_MAX, () => `quantity ${quantity} does not fit an integer column`);
    }
  }
}

const AMOUNT_PATTERNS = new Map<number, RegExp>();
/** A decimal string with the currency's decimals (at least) and at most four: what the host stores. */
function expectHostAmount(value: string, currency: string, what: string): void {
  const digits = currencyDecimals(currency);
  let pattern = AMOUNT_PATTERNS.get(digits);
  if (!pattern) AMOUNT_PATTERNS.set(digits, (pattern = digits === 0 ? /^\d+(\.\d{1,4})?$/ : new RegExp(`^\\d+\\.\\d{${digits},4}$`)));
  if (typeof value !== 'string' || !pattern.test(value)) expect(value, `${what} in ${currency}`).to.match(pattern);
}

/** Every amount of the request exact and in form, and the parts adding up to Amazon's grand total. */
function expectExactMoney(request: CreateOrderRequest, grandTotal: string): void {
  const currency = request.currencyCode;
  same(request.grandTotal, grandTotal, 'grandTotal');
  let parts = 0n;
  const net = (amount: bigint, tax: string, discount: string) => amount + toE4(tax) - toE4(discount);
  for (const [index, line] of request.lines.entries()) {
    for (const field of ['unitPrice', 'taxAmount', 'discountAmount'] as const) expectHostAmount(line[field], currency, `lines[${index}].${field}`);
    holds(Number.isSafeInteger(line.qty) && line.qty > 0, () => `lines[${index}].qty ${line.qty}`);
    parts += net(toE4(line.unitPrice) * BigInt(line.qty), line.taxAmount, line.discountAmount);
  }
  for (const field of ['shippingAmount', 'shippingTaxAmount', 'shippingDiscountAmount'] as const) expectHostAmount(request[field], currency, field);
  parts += net(toE4(request.shippingAmount), request.shippingTaxAmount, request.shippingDiscountAmount);
  for (const [index, charge] of (request.charges ?? []).entries()) {
    for (const field of ['amount', 'taxAmount', 'discountAmount'] as const) expectHostAmount(charge[field], currency, `charges[${index}].${field}`);
    parts += net(toE4(charge.amount), charge.taxAmount, charge.discountAmount);
  }
  same(parts, toE4(grandTotal), 'the parts add up to the grand total, exactly');
}

/** Runs `fn`; an error other than OrderDataError fails the case. */
function orDataError<T>(fn: () => T): T | OrderDataError {
  try {
    return fn();
  } catch (error) {
    if (error instanceof OrderDataError) {
      expect(error.message.length, `an import note is bounded: ${error.message.slice(0, 300)}`).to.be.at.most(MAX_NOTE);
      expectNoLeaks(error.message, 'an import note');
      return error;
    }
    throw error;
  }
}

const SETTINGS: OrderSettings[] = [
  DEFAULT_ORDER_SETTINGS,
  { ...DEFAULT_ORDER_SETTINGS, orderNumberSource: 'amazon', customerCreation: 'account', hostStoreView: 'default' },
  { ...DEFAULT_ORDER_SETTINGS, orderStatus: 'custom', processingStatus: 'amazon_processing', reservePending: false },
  { ...DEFAULT_ORDER_SETTINGS, importEnabled: false },
];
const INTEGRATED_AT = [new Date('2026-01-01T00:00:00Z'), new Date('2026-11-26T10:00:00Z'), new Date('2030-01-01T00:00:00Z')];

/** The import decision as the README states it. */
function expectedDecision(snapshot: OrderSnapshot, settings: OrderSettings, integratedAt: Date): ImportDecision {
  if (snapshot.purchaseDate.getTime() < integratedAt.getTime()) return 'hidden';
  if (!settings.importEnabled) return 'disabled';
  if (snapshot.status === 'CANCELLED' || snapshot.status === 'UNFULFILLABLE') return 'not_eligible';
  if (snapshot.status === 'PENDING' || snapshot.status === 'PENDING_AVAILABILITY') return 'waiting';
  if (snapshot.status === 'SHIPPED') return 'import';
  return snapshot.fulfilledBy === 'MERCHANT' ? 'import' : 'waiting';
}

/** Validation, snapshot, decision and request (for these products, else one per SKU) for a document the validator must accept. */
function acceptAndImport(
  document: Order,
  fuzz: Fuzz,
  catalogProducts?: ReadonlyMap<string, HostProduct>,
): { snapshot: OrderSnapshot | OrderDataError; request: CreateOrderRequest | OrderDataError | null } {
  // The repository keeps the document as JSON text and reads it back: an accepted document must survive that.
  const before = JSON.stringify(document);
  JSON.parse(before);
  same(parseGetOrderResponse({ order: document }, CONTEXT), document, 'getOrder gives the order back');
  const page = parseSearchOrdersPage({ orders: [document], pagination: {} }, PAGE_CONTEXT);
  if (page.invalidOrders.length > 0 || page.orders[0] !== document) expect(page.invalidOrders.map((i) => i.error.message)).to.deep.equal([]);

  const snapshot = orDataError(() => snapshotFromAmazon(document, 'ATVPDKIKX0DER'));
  if (fuzz.chance(0.25)) same(JSON.stringify(document), before, 'the import never changes the document');
  if (snapshot instanceof OrderDataError) return { snapshot, request: null };
  expectFitsColumns(snapshot, document);
  const settings = fuzz.pick(SETTINGS);
  const integratedAt = fuzz.pick(INTEGRATED_AT);
  expect(importDecision(snapshot, settings, integratedAt)).to.equal(expectedDecision(snapshot, settings, integratedAt));

  const products =
    catalogProducts ??
    new Map<string, HostProduct>(
      snapshot.items.flatMap((item, index) => (item.sellerSku === null ? [] : [[item.sellerSku, { id: String(index + 1), sku: `HOST-${index}`, name: `Product ${index}`, enabled: true, manageStock: true }] as const])),
    );
  const request = orDataError(() => buildHostOrderRequest({ order: snapshot, settings: fuzz.pick(SETTINGS), products, reserved: fuzz.chance(0.3) }));
  if (!(request instanceof OrderDataError)) {
    expectExactMoney(request, snapshot.grandTotal!.amount);
    expect(() => validateCreateRequest(request)).to.not.throw();
  }
  return { snapshot, request };
}

// --- invalid documents: one mutation each ------------------------------------------------------

interface Mutation {
  kind: string;
  /** The issue's path, relative to the order. */
  path: string;
}

/** Every slot of a document (the root included) with the schema that describes it. */
function slotsOf(document: unknown): Array<{ path: string; schema: Schema }> {
  const slots: Array<{ path: string; schema: Schema }> = [];
  const visit = (schema: Schema, value: unknown, path: string) => {
    slots.push({ path, schema });
    if (schema.type === 'array' && Array.isArray(value)) value.forEach((item, index) => visit(schema.items, item, join(path, index)));
    if (schema.type === 'object' && typeof value === 'object' && value !== null) {
      for (const [key, propertySchema] of Object.entries(schema.properties)) {
        const child = (value as Record<string, unknown>)[key];
        if (child !== undefined) visit(propertySchema, child, join(path, key));
      }
    }
  };
  visit(ORDER_SCHEMA, document, '');
  return slots;
}

function getAt(root: unknown, path: string): unknown {
  return pathSegments(path).reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], root);
}

function setAt(root: unknown, path: string, value: unknown): void {
  const segments = pathSegments(path);
  const parent = segments.slice(0, -1).reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], root);
  (parent as Record<string | number, unknown>)[segments[segments.length - 1]!] = value;
}

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * Values of another JSON type than `schema` wants. Where buyer text lives (plain strings) and
 * where containers of it live (objects, arrays), they carry buyer-like text and numbers.
 */
function wrongTypeValues(schema: Schema, marker: string, markerNumber: number): unknown[] {
  const plain = schema.type === 'string' ? schema.format === undefined && schema.enum === undefined : schema.type === 'object' || schema.type === 'array';
  const values: unknown[] = plain
    ? [null, true, markerNumber, 1.5, [`Jane ${marker}`, `jane.${marker}@example.com`], { name: `Jane ${marker}`, phone: markerNumber }, `Main St ${marker}`]
    : [null, true, 42, 1.5, ['x'], { amount: '1.00' }, 'text'];
  return values.filter((value) => {
    const type = kindOf(value);
    if (schema.type === 'string') return type !== 'string';
    if (schema.type === 'integer') return type !== 'number' || value === 1.5;
    if (schema.type === 'number') return type !== 'number';
    if (schema.type === 'boolean') return type !== 'boolean';
    if (schema.type === 'array') return type !== 'array';
    if (schema.type === 'object') return type !== 'object';
    return false;
  });
}

const BAD_DECIMALS: unknown[] = ['1e3', '1.2.3', '', ' ', '1,00', '+1', '.5', '5.', 'NaN', 'Infinity', '-', '0x1F', '١٢٣', '1_000', '12 ', '1.5e-2', 21.52, 100, `${'9'.repeat(70_000)}x`];
const BAD_DATES: unknown[] = [
  '2026-02-30T10:00:00Z', '2026-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-11-00T00:00:00Z',
  '2026-11-26T24:00:00Z', '2026-11-26T23:60:00Z', '2026-11-26T10:00:60Z', '2026-11-26 09:30', '2026-11-26', '26-11-2026T00:00:00Z',
  '2026-11-26T10:00:00', '2026-11-26T10:00:00+25:00', '2026-11-26T10:00:00+05:99', '', 'now', 1764150000000, '2026-11-26T10:00:00Z'.repeat(3000),
];
const BAD_CURRENCIES: unknown[] = ['usd', 'US', 'USDD', '€', '', 'U$D', 840, 'ＵＳＤ'];
const BAD_INTEGERS: unknown[] = ['2', 1.5, 2 ** 53, -(2 ** 53), 1e21, true];

type SlotOf = { path: string; schema: Schema };

/** The mutations, each with the slots it applies to. The root stays an object: a body that is no order is another test's subject. */
const MUTATIONS: Array<{ kind: string; applies: (slot: SlotOf) => boolean }> = [
  { kind: 'null', applies: (slot) => slot.path !== '' },
  { kind: 'wrong type', applies: (slot) => slot.path !== '' },
  { kind: 'missing required', applies: ({ schema }) => schema.type === 'object' && schema.required.length > 0 },
  { kind: 'array for object', applies: ({ path, schema }) => path !== '' && schema.type === 'object' },
  { kind: 'bad decimal', applies: ({ schema }) => schema.type === 'string' && schema.format === 'decimal' },
  { kind: 'bad date', applies: ({ schema }) => schema.type === 'string' && schema.format === 'date-time' },
  { kind: 'bad currency', applies: ({ schema }) => schema.type === 'string' && schema.format === 'currency' },
  { kind: 'unknown enum', applies: ({ schema }) => schema.type === 'string' && schema.enum !== undefined },
  { kind: 'bad number', applies: ({ schema }) => schema.type === 'integer' || schema.type === 'number' },
  { kind: 'empty id', applies: ({ schema }) => schema.type === 'string' && schema.minLength !== undefined },
  { kind: 'deep nesting', applies: (slot) => slot.path !== '' },
  { kind: 'deep unknown property', applies: ({ schema }) => schema.type === 'object' },
];

/** Applies one mutation to `document` (in place); returns what the validator must report. */
function mutate(document: Order, fuzz: Fuzz, marker: string, markerNumber: number): Mutation {
  const slots = slotsOf(document);
  for (;;) {
    const { kind, applies } = fuzz.pick(MUTATIONS);
    const candidates = slots.filter(applies);
    if (candidates.length === 0) continue;
    const { path, schema } = fuzz.pick(candidates);
    const target = () => (path === '' ? document : getAt(document, path)) as Record<string, unknown>;
    switch (kind) {
      case 'null':
        setAt(document, path, null);
        return { kind, path };
      case 'wrong type': {
        const wrong = wrongTypeValues(schema, marker, markerNumber);
        if (wrong.length === 0) continue;
        setAt(document, path, fuzz.pick(wrong));
        return { kind, path };
      }
      case 'missing required': {
        const required = (schema as ObjectSchema).required;
        const property = fuzz.pick(required);
        const record = target();
        const original = record[property];
        delete record[property];
        // Also when an own property named like the prototype carries it: only own properties count.
        if (fuzz.chance(0.3)) defineOwn(record, '__proto__', { [property]: original });
        if (fuzz.chance(0.2)) defineOwn(record, 'constructor', { prototype: { [property]: original } });
        return { kind, path: join(path, property) };
      }
      case 'array for object':
        setAt(document, path, [getAt(document, path)]);
        return { kind, path };
      case 'bad decimal':
        setAt(document, path, fuzz.pick(BAD_DECIMALS));
        return { kind, path };
      case 'bad date':
        setAt(document, path, fuzz.pick(BAD_DATES));
        return { kind, path };
      case 'bad currency':
        setAt(document, path, fuzz.pick(BAD_CURRENCIES));
        return { kind, path };
      case 'unknown enum': {
        const current = String(getAt(document, path));
        setAt(document, path, fuzz.pick([current.toLowerCase(), `${current[0]}${current.slice(1).toLowerCase()}`, '', 'UNKNOWN', `${current} `, '__proto__', 'toString', current.repeat(5000)]));
        return { kind, path };
      }
      case 'bad number': {
        const bad = schema.type === 'integer' ? [...BAD_INTEGERS, ...(schema.minimum !== undefined ? [schema.minimum - 1] : [])] : ['1.5', true, [1]];
        setAt(document, path, fuzz.pick(bad));
        return { kind, path };
      }
      case 'empty id':
        setAt(document, path, '');
        return { kind, path };
      case 'deep nesting':
        // Nested far deeper than any order, as a value of the wrong type.
        setAt(document, path, deeplyNested(fuzz.pick([100, 3_000, 20_000]), schema.type === 'array' ? 'object' : 'array'));
        return { kind, path };
      case 'deep unknown property':
        // ... or under a property the model does not have (which the validator otherwise lets through).
        defineOwn(target(), fuzz.pick(['x-amzn-deep', '__proto__', 'constructor']), deeplyNested(fuzz.pick([100, 3_000, 20_000]), fuzz.pick(['array', 'object'])));
        return { kind, path };
    }
  }
}

/** The order id the validator can name: a non-empty string, as sent. */
function usableId(document: unknown): string | null {
  const id = (document as { orderId?: unknown } | null)?.orderId;
  return typeof id === 'string' && id !== '' ? id : null;
}

const under = (locator: string, path: string) => (path === '' ? locator : `${locator}.${path}`);

function expectRejected(document: Order, mutation: Mutation, piiMarker: RegExp, piiNumber: number, checkUnchanged: boolean): void {
  const before = checkUnchanged ? fingerprint(document) : '';
  let error: unknown;
  try {
    parseGetOrderResponse({ order: document }, CONTEXT);
  } catch (caught) {
    error = caught;
  }
  expect(error, `${mutation.kind} at ${mutation.path} was accepted`).to.be.instanceOf(AmazonResponseError);
  const rejected = error as AmazonResponseError;
  const orderId = usableId(document);
  expect(rejected.orderId).to.equal(orderId);
  expect(rejected.issues.map((i) => i.path), `${mutation.kind}: ${rejected.message.slice(0, 300)}`).to.deep.equal([mutation.path]);
  expect(rejected.path).to.equal(under('order', mutation.path));
  expect(rejected.message).to.contain(`${mutation.path === '' ? '(body)' : mutation.path}: `);
  if (orderId !== null && orderId.length <= 32) expect(rejected.message).to.contain(`(orderId ${orderId})`);
  const { orderId: _id, ...withoutId } = rejected.toJSON();
  for (const text of [rejected.message, JSON.stringify(withoutId)]) {
    expect(text.length, `the message is bounded: ${text.slice(0, 200)}`).to.be.at.most(text === rejected.message ? MAX_MESSAGE : 3 * MAX_MESSAGE);
    expect(text, 'no buyer data in the message').to.not.match(piiMarker);
    expect(text, 'no buyer data in the message').to.not.contain(String(piiNumber));
    expectNoLeaks(text, 'a validation message');
  }
  if (checkUnchanged) same(fingerprint(document), before, 'validation never changes the document');

  // In a page, the others are used and this one is reported by its position.
  const page = parseSearchOrdersPage({ orders: [coherentNeighbour, document, coherentNeighbour] }, PAGE_CONTEXT);
  expect(page.orders.length === 2 && page.orders.every((o) => o === coherentNeighbour), 'the other orders of the page are used').to.equal(true);
  expect(page.invalidOrders.map((i) => [i.index, i.orderId, i.error.path])).to.deep.equal([[1, orderId, under('orders[1]', mutation.path)]]);
  expect(page.invalidOrders[0]!.raw).to.equal(document);
}

let coherentNeighbour: Order;

/** Plain buyer and address strings carry a marker, so a message that printed one is caught. */
function markBuyerData(document: Order, marker: string): void {
  const mark = (record: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(record ?? {})) if (typeof value === 'string') record![key] = `${value.slice(0, 20)} ${marker}`;
  };
  mark(document.buyer as Record<string, unknown> | undefined);
  mark(document.recipient?.deliveryAddress as Record<string, unknown> | undefined);
  mark(document.recipient?.deliveryAddress?.extendedFields as Record<string, unknown> | undefined);
}

// --- the tests ---------------------------------------------------------------------------------

describe('fuzzing Amazon order documents generated from the model', function () {
  this.timeout(120_000);

  before(() => {
    coherentNeighbour = wire(amazonOrder());
  });

  it('accepts every valid document and imports it, or refuses it with its typed error, never anything else', async () => {
    const coverage = new Coverage();
    const outcomes = { imported: 0, refusedSnapshot: 0, refusedRequest: 0 };
    await forEachCase(2_000, FUZZ_SEED, (fuzz) => {
      // Most documents get past the snapshot's refusals (so the request builder sees them), the rest are left to chance.
      const importable = fuzz.chance(0.7);
      const hint: Hint = (slot) => {
        if (!importable) return undefined;
        const key = Coverage.key(slot.definition, slot.property);
        if (['Order.fulfillment', 'OrderFulfillment.fulfilledBy', 'Order.proceeds', 'OrderProceeds.grandTotal'].includes(key)) return GENERATE;
        if (key === 'Order.orderId') return `113-${fuzz.int(1e7)}-${fuzz.int(1e7)}`;
        if (key === 'OrderItem.orderItemId' || key === 'ItemProduct.asin') return String(fuzz.int(1e9));
        if (key === 'Order.createdTime' || key === 'Order.lastUpdatedTime') return '2026-11-26T10:00:00Z';
        return undefined;
      };
      const document = wire(new Generator(fuzz, coverage, hint).object(ORDER_SCHEMA, '')) as unknown as Order;
      const { snapshot, request } = acceptAndImport(document, fuzz);
      if (snapshot instanceof OrderDataError) outcomes.refusedSnapshot += 1;
      else if (request instanceof OrderDataError) outcomes.refusedRequest += 1;
      else outcomes.imported += 1;
    });
    coverage.expectComplete();
    // The generator must reach every stage, not only the first refusal.
    expect(outcomes.refusedSnapshot, JSON.stringify(outcomes)).to.be.above(100);
    expect(outcomes.imported + outcomes.refusedRequest, JSON.stringify(outcomes)).to.be.above(1_000);
  });

  it('turns every coherent document into a request the host accepts, with every amount exactly as Amazon sent it', async () => {
    const coverage = new Coverage();
    await forEachCase(1_200, FUZZ_SEED + 1, (fuzz, n) => {
      const coherent = coherentOrder(fuzz, coverage, n);
      const document = wire(coherent.document);
      const { snapshot, request } = acceptAndImport(document, fuzz, coherent.products);
      expect(snapshot).to.not.be.instanceOf(OrderDataError);
      if (request instanceof OrderDataError) throw request;
      expectCoherentRequest(request!, coherent, document);
      expect(validateCreateRequest(request!), 'the reference host accepts the request').to.equal(null);
    });
  });

  it('keeps 1,000 items and their totals exact', async () => {
    await forEachCase(2, FUZZ_SEED + 2, (fuzz, n) => {
      const coherent = coherentOrder(fuzz, new Coverage(), n, { items: 1_000 });
      const document = wire(coherent.document);
      const snapshot = snapshotFromAmazon(parseGetOrderResponse({ order: document }, CONTEXT), 'ATVPDKIKX0DER');
      expectFitsColumns(snapshot, document);
      const built = buildHostOrderRequest({ order: snapshot, settings: DEFAULT_ORDER_SETTINGS, products: coherent.products, reserved: false });
      expectCoherentRequest(built, coherent, document);
      expect(built.lines.length).to.equal(coherent.items.filter((i) => i.open > 0).length);
      expect(validateCreateRequest(built)).to.equal(null);
    });
  });

  it('refuses an amount in another currency, naming the item and the part', async () => {
    await forEachCase(200, FUZZ_SEED + 3, (fuzz, n) => {
      const coherent = coherentOrder(fuzz, new Coverage(), n);
      const document = wire(coherent.document);
      const open = document.orderItems.filter((item) => coherent.items.find((i) => i.orderItemId === item.orderItemId)!.open > 0);
      const targets = open.flatMap((item) => [
        ...(item.product.price?.unitPrice ? [item.product.price.unitPrice] : []),
        ...(item.proceeds?.breakdowns ?? []).filter((b) => ['SHIPPING', 'GIFT_WRAP', 'COD_FEE', 'OTHER'].includes(b.type)).map((b) => b.subtotal),
      ]);
      if (targets.length === 0) return;
      const other = coherent.currency === 'EUR' ? 'GBP' : 'EUR';
      fuzz.pick(targets).currencyCode = other;
      const snapshot = snapshotFromAmazon(parseGetOrderResponse({ order: document }, CONTEXT), 'ATVPDKIKX0DER');
      const refused = orDataError(() => buildHostOrderRequest({ order: snapshot, settings: DEFAULT_ORDER_SETTINGS, products: coherent.products, reserved: false }));
      expect(refused).to.be.instanceOf(OrderDataError);
      expect((refused as OrderDataError).message).to.match(new RegExp(`^item \\S+'s [a-z ]+ is in ${other}, the order in ${coherent.currency}$`));
    });
  });

  it('refuses a buyer address the host cannot take whole, saying which part and how long, never the text', async () => {
    const parts = { addressLine1: 'the shipping street (all lines)', city: 'the shipping city', stateOrRegion: 'the shipping region', postalCode: 'the shipping postal code', phone: 'the shipping phone number' } as const;
    await forEachCase(150, FUZZ_SEED + 4, (fuzz, n) => {
      const property = fuzz.pick(Object.keys(parts) as Array<keyof typeof parts>);
      const coherent = coherentOrder(fuzz, new Coverage(), n, { addressOverLimit: property });
      const document = wire(coherent.document);
      const address = document.recipient?.deliveryAddress;
      if (!address || address[property] === undefined) return;
      if (property === 'addressLine1') address.addressLine1 = `${'🏠'.repeat(500)} 1`;
      const snapshot = snapshotFromAmazon(document, 'ATVPDKIKX0DER');
      const refused = orDataError(() => buildHostOrderRequest({ order: snapshot, settings: DEFAULT_ORDER_SETTINGS, products: coherent.products, reserved: false }));
      expect(refused, property).to.be.instanceOf(OrderDataError);
      expect((refused as OrderDataError).message).to.match(new RegExp(`^${parts[property].replace(/[()]/g, '\\$&')} from Amazon is \\d+ characters long; the host takes at most \\d+$`));
    });
  });

  it('rejects every invalid document with an issue naming the order and the path, briefly and without buyer data', async () => {
    const coverage = new Coverage();
    await forEachCase(1_500, FUZZ_SEED + 5, (fuzz, n) => {
      const base = fuzz.chance(0.5) ? coherentOrder(fuzz, coverage, n).document : (new Generator(fuzz, coverage).object(ORDER_SCHEMA, '') as unknown as Order);
      const document = wire(base);
      const marker = `PII${n}x${fuzz.int(1000)}`;
      markBuyerData(document, marker);
      const piiNumber = 7_400_000_000 + n;
      const mutation = mutate(document, fuzz, marker, piiNumber);
      coverage.bump(coverage.mutations, mutation.kind);
      expectRejected(document, mutation, /PII\d+x\d+/, piiNumber, fuzz.chance(0.2));
    });
    expect([...coverage.mutations.keys()].sort()).to.deep.equal(MUTATIONS.map((m) => m.kind).sort());
  });
});

/** The request carries each coherent item's intended amounts exactly, and the buyer's text as the rules say. */
function expectCoherentRequest(request: CreateOrderRequest, coherent: CoherentOrder, document: Order): void {
  expectExactMoney(request, coherent.grandTotal);
  same(request.currencyCode, coherent.currency, 'currency');
  const open = coherent.items.filter((item) => item.open > 0);
  same(request.lines.length, open.length, 'one line per item with units to deliver');
  for (const [index, line] of request.lines.entries()) {
    const item = open[index]!;
    const product = coherent.products.get(item.sellerSku)!;
    same(line.externalReference, item.orderItemId, 'line reference');
    same(line.qty, item.open, `${item.orderItemId} qty`);
    same(toE4(line.unitPrice), item.unitPrice, `${item.orderItemId} unit price`);
    same(toE4(line.taxAmount), item.parts.item.tax, `${item.orderItemId} tax`);
    same(toE4(line.discountAmount), item.parts.item.discount, `${item.orderItemId} discount`);
    same(line.sku, product.sku, 'host SKU');
    const title = item.title === undefined ? '' : item.title.toWellFormed().trim();
    expectShortened(line.name, title === '' ? product.name : title, LIMITS.lineName);
  }
  const sum = (category: Category, part: 'amount' | 'tax' | 'discount') => open.reduce((total, item) => total + item.parts[category][part], 0n);
  same(toE4(request.shippingAmount), sum('shipping', 'amount'), 'shipping');
  same(toE4(request.shippingTaxAmount), sum('shipping', 'tax'), 'shipping tax');
  same(toE4(request.shippingDiscountAmount), sum('shipping', 'discount'), 'shipping discount');
  for (const category of ['gift_wrap', 'cod_fee', 'other'] as const) {
    const charge = request.charges?.find((c) => c.kind === category);
    const expected = [sum(category, 'amount'), sum(category, 'tax'), sum(category, 'discount')];
    if (expected.every((value) => value === 0n)) same(charge, undefined, category);
    else expect([charge!.amount, charge!.taxAmount, charge!.discountAmount].map(toE4), category).to.deep.equal(expected);
  }
  const tip = request.charges?.find((c) => c.kind === 'delivery_tip');
  same(tip ? toE4(tip.amount) : 0n, coherent.tip, 'delivery tip');

  // Buyer text: shortened names, and what Amazon left out or sent blank marked as withheld, never invented.
  const email = document.buyer?.buyerEmail;
  if (email === undefined || email.trim() === '') expect(request.customer).to.include({ mode: 'guest', email: `${document.orderId}@buyer-email-withheld.amazon.invalid` });
  else same(request.customer.email, email, 'e-mail');
  const address = document.recipient?.deliveryAddress;
  const present = (text: string | undefined) => (text !== undefined && text.trim() !== '' ? text : null);
  const shipping = request.shippingAddress;
  same(shipping.city, present(address?.city) ?? WITHHELD, 'city');
  same(shipping.postalCode, present(address?.postalCode) ?? WITHHELD, 'postal code');
  same(shipping.region, present(address?.stateOrRegion), 'region');
  same(shipping.phone, present(address?.phone) ?? WITHHELD, 'phone');
  const lines = [address?.addressLine1, address?.addressLine2, address?.addressLine3].filter((line): line is string => present(line) !== null);
  expect(shipping.street).to.deep.equal(lines.length > 0 ? lines : [WITHHELD]);
  for (const name of [request.customer.firstName, request.customer.lastName, shipping.firstName, shipping.lastName]) {
    holds(name.trim() !== '' && name.length <= LIMITS.personName, () => `name ${JSON.stringify(name.slice(0, 40))} of ${name.length}`);
  }
}

/** `actual` is `text` whole, or a prefix of it cut between two characters with an ellipsis, within `max`. */
function expectShortened(actual: string, text: string, max: number): void {
  expect(actual.length).to.be.at.most(max);
  if (text.length <= max) {
    expect(actual).to.equal(text);
    return;
  }
  expect(actual.endsWith('…'), actual.slice(-10)).to.equal(true);
  const kept = actual.slice(0, -1);
  expect(text.startsWith(kept)).to.equal(true);
  // A boundary depends on the text before it and the next character only (UAX #29): a prefix tells.
  const prefix = text.slice(0, kept.length + 2);
  const boundaries = new Set([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(prefix)].map((s) => s.index));
  expect(boundaries.has(kept.length) || kept.length === 0, 'cut between two characters').to.equal(true);
}
