/**
 * StockPort: salable quantity = quantity on hand - active reservations. Reservations live in
 * `host_stock_reservation` (one row per key, the PRIMARY KEY makes `reserve` idempotent even when
 * two processes race) and `host_stock_reservation_item` (quantities per SKU).
 */
import type { Knex } from 'knex';
import type { ClockPort, StockLine, StockPort } from '../../src/host/ports.ts';
import { insertRows, isDuplicateKeyError, toBool, transact } from './sql.ts';

/** Sum of active reservations for a SKU, optionally leaving one reservation key out. */
export async function reservedQty(db: Knex | Knex.Transaction, sku: string, exceptKey: string | null = null): Promise<number> {
  const query = db('host_stock_reservation_item as i')
    .join('host_stock_reservation as r', 'r.reservation_key', 'i.reservation_key')
    .where('r.state', 'active')
    .andWhere('i.sku', sku)
    .sum({ total: 'i.qty' });
  if (exceptKey !== null) query.andWhereNot('r.reservation_key', exceptKey);
  const [row] = await query;
  return Number(row?.total ?? 0);
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key === '' || key.length > 191) throw new RangeError('A reservation key must be 1..191 characters');
}

export class HostStock implements StockPort {
  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
  ) {}

  async salableQty(sku: string): Promise<number | null> {
    const product = await this.knex('host_product').where({ sku }).first('qty', 'manage_stock');
    // An unknown SKU cannot be sold at all.
    if (!product) return 0;
    if (!toBool(product.manage_stock)) return null;
    return Number(product.qty) - (await reservedQty(this.knex, sku));
  }

  async reserve(key: string, lines: StockLine[]): Promise<void> {
    checkKey(key);
    const perSku = new Map<string, number>();
    for (const line of lines) {
      if (typeof line.sku !== 'string' || line.sku === '') throw new RangeError('A reservation line needs a SKU');
      if (!Number.isSafeInteger(line.qty) || line.qty <= 0) throw new RangeError(`Reservation quantity for ${line.sku} must be a positive whole number`);
      perSku.set(line.sku, (perSku.get(line.sku) ?? 0) + line.qty);
    }
    const now = this.clock.now();
    try {
      await transact(this.knex, async (trx) => {
        await trx('host_stock_reservation').insert({ reservation_key: key, state: 'active', order_id: null, created_at: now, updated_at: now });
        if (perSku.size > 0) {
          await insertRows(trx, 'host_stock_reservation_item', [...perSku].map(([sku, qty]) => ({ reservation_key: key, sku, qty })));
        }
      });
    } catch (error) {
      // The key exists already (reserved, released or taken over by an order): nothing changes.
      if (isDuplicateKeyError(error)) return;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    checkKey(key);
    await this.knex('host_stock_reservation')
      .where({ reservation_key: key, state: 'active' })
      .update({ state: 'released', updated_at: this.clock.now() });
  }

  /** Active reservations, for the admin. */
  async listActive(): Promise<Array<{ key: string; sku: string; qty: number }>> {
    const rows = await this.knex('host_stock_reservation_item as i')
      .join('host_stock_reservation as r', 'r.reservation_key', 'i.reservation_key')
      .where('r.state', 'active')
      .orderBy(['i.reservation_key', 'i.sku'])
      .select('i.reservation_key as key', 'i.sku', 'i.qty');
    return rows.map((r) => ({ key: String(r.key), sku: String(r.sku), qty: Number(r.qty) }));
  }
}
