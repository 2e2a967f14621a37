/**
 * The host catalog (`host_product`): the CatalogPort for modules, plus what the admin pages and the
 * CLI need to list, create and edit products with field-level validation.
 */
import type { Knex } from 'knex';
import type { CatalogPort, ClockPort, HostProduct } from '../../src/host/ports.ts';
import { isDuplicateKeyError, insertedId, parseId, toBool } from './sql.ts';

export interface ProductRecord extends HostProduct {
  qty: number;
}

export interface ProductInput {
  sku: string;
  name: string;
  enabled: boolean;
  qty: number;
  manageStock: boolean;
}

export interface FieldError {
  field: string;
  message: string;
}

export type SaveResult = { ok: true; id: string } | { ok: false; errors: FieldError[] };

function toRecord(row: Record<string, unknown>): ProductRecord {
  return {
    id: String(row.id),
    sku: String(row.sku),
    name: String(row.name),
    enabled: toBool(row.enabled),
    qty: Number(row.qty),
    manageStock: toBool(row.manage_stock),
  };
}

function toPort(record: ProductRecord): HostProduct {
  return { id: record.id, sku: record.sku, name: record.name, enabled: record.enabled, manageStock: record.manageStock };
}

/** Checks a product as typed in a form or on the command line; returns every problem. */
export function validateProduct(input: ProductInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.sku.trim() === '') errors.push({ field: 'sku', message: 'SKU is required' });
  else if (input.sku !== input.sku.trim() || /\s{2,}|[\u0000-\u001f]/.test(input.sku))
    errors.push({ field: 'sku', message: 'SKU must not start or end with spaces or contain control characters' });
  else if (input.sku.length > 64) errors.push({ field: 'sku', message: 'SKU must be at most 64 characters' });
  if (input.name.trim() === '') errors.push({ field: 'name', message: 'Name is required' });
  else if (input.name.length > 255) errors.push({ field: 'name', message: 'Name must be at most 255 characters' });
  if (!Number.isSafeInteger(input.qty) || input.qty < 0 || input.qty > 2_000_000_000)
    errors.push({ field: 'qty', message: 'Quantity must be a whole number from 0 to 2000000000' });
  return errors;
}

export class HostCatalog implements CatalogPort {
  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
  ) {}

  async findBySku(sku: string): Promise<HostProduct | null> {
    const row = await this.knex('host_product').where({ sku }).first();
    return row ? toPort(toRecord(row)) : null;
  }

  async findById(id: string): Promise<HostProduct | null> {
    const record = await this.get(id);
    return record ? toPort(record) : null;
  }

  async get(id: string): Promise<ProductRecord | null> {
    const numeric = parseId(id);
    if (numeric === null) return null;
    const row = await this.knex('host_product').where({ id: numeric }).first();
    return row ? toRecord(row) : null;
  }

  async list(): Promise<ProductRecord[]> {
    return (await this.knex('host_product').orderBy('sku')).map(toRecord);
  }

  async create(input: ProductInput): Promise<SaveResult> {
    const errors = validateProduct(input);
    if (errors.length > 0) return { ok: false, errors };
    const now = this.clock.now();
    try {
      const result = await this.knex('host_product').insert({
        sku: input.sku, name: input.name, enabled: input.enabled, qty: input.qty, manage_stock: input.manageStock,
        created_at: now, updated_at: now,
      });
      return { ok: true, id: String(insertedId(result)) };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { ok: false, errors: [{ field: 'sku', message: `SKU "${input.sku}" already exists` }] };
      throw error;
    }
  }

  async update(id: string, input: ProductInput): Promise<SaveResult> {
    const existing = await this.get(id);
    if (!existing) return { ok: false, errors: [{ field: 'id', message: `Product ${id} does not exist` }] };
    const errors = validateProduct(input);
    if (errors.length > 0) return { ok: false, errors };
    try {
      await this.knex('host_product').where({ id: Number(id) }).update({
        sku: input.sku, name: input.name, enabled: input.enabled, qty: input.qty, manage_stock: input.manageStock,
        updated_at: this.clock.now(),
      });
      return { ok: true, id };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { ok: false, errors: [{ field: 'sku', message: `SKU "${input.sku}" already exists` }] };
      throw error;
    }
  }
}
