/**
 * Buyer data is kept no longer than Amazon's Data Protection Policy allows: 30 days after
 * delivery. The module does not learn the delivery date, so it counts from Amazon's last change
 * to a finished order (shipment or cancellation), which comes before delivery: stricter, never
 * later. Names, e-mail, phone and street address go; what the business needs (amounts, items,
 * city/region/country for tax, statuses, host order link) stays.
 */
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { Ports } from '../host/tokens.ts';
import type { ClockPort, LoggerPort } from '../host/ports.ts';
import type { CronObserverContribution, CronRunContext } from '../host/contributions.ts';
import type { Order } from '../amazon/models.ts';
import { OrderRepository } from './order-repository.ts';
import { transaction } from '../db/transaction.ts';

export const PII_RETENTION_DAYS = 30;
const FINISHED = ['Shipped', 'Completed', 'Canceled'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** The order document without buyer PII (pure). */
export function withoutBuyerPii(order: Order): Order {
  const copy = structuredClone(order);
  if (copy.buyer) {
    delete copy.buyer.buyerName;
    delete copy.buyer.buyerEmail;
    delete copy.buyer.buyerCompanyName;
  }
  const address = copy.recipient?.deliveryAddress;
  if (address) {
    for (const field of ['name', 'companyName', 'addressLine1', 'addressLine2', 'addressLine3', 'postalCode', 'phone', 'extendedFields', 'districtOrCounty', 'municipality'] as const) {
      delete address[field];
    }
  }
  if (copy.recipient) delete copy.recipient.deliveryPreference;
  for (const item of copy.orderItems) {
    if (item.product.customization) delete item.product.customization.customizedUrl;
  }
  return copy;
}

@injectable()
export class BuyerDataPurge implements CronObserverContribution {
  readonly id = 'amazon_buyer_data_purge';

  constructor(
    @inject(Ports.Database) private readonly db: Knex,
    @inject(Ports.Clock) private readonly clock: ClockPort,
    @inject(Ports.Logger) private readonly logger: LoggerPort,
    @inject(OrderRepository) private readonly orders: OrderRepository,
  ) {}

  async run(context: CronRunContext): Promise<void> {
    const purged = await this.purge(context.signal);
    if (purged > 0) this.logger.info('Removed buyer data past its retention', { orders: purged });
  }

  /** Purges in batches; returns how many orders were purged. */
  async purge(signal?: AbortSignal): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - PII_RETENTION_DAYS * DAY_MS);
    let total = 0;
    for (;;) {
      if (signal?.aborted) return total;
      const rows: Array<{ id: number; raw: string }> = await this.db('amazon_order')
        .whereNull('pii_purged_at')
        .whereIn('status', FINISHED)
        .where('amazon_updated_at', '<', cutoff)
        .orderBy('id')
        .limit(200)
        .select('id', 'raw');
      if (rows.length === 0) return total;
      for (const row of rows) {
        const now = this.clock.now();
        await transaction(this.db, async (trx) => {
          await this.orders.update(row.id, { raw: JSON.stringify(withoutBuyerPii(JSON.parse(row.raw) as Order)), buyer_name: null, buyer_search: null, pii_purged_at: now }, trx);
          const items: Array<{ id: number; raw: string }> = await trx('amazon_order_item').where({ order_id: row.id }).select('id', 'raw');
          for (const item of items) {
            const raw = JSON.parse(item.raw) as Order['orderItems'][number];
            if (raw.product?.customization) delete raw.product.customization.customizedUrl;
            await trx('amazon_order_item').where({ id: item.id }).update({ raw: JSON.stringify(raw) });
          }
          await this.orders.log(row.id, { kind: 'note', message: `Buyer data removed ${PII_RETENTION_DAYS} days after the order was finished (Amazon Data Protection Policy)` }, trx);
        });
      }
      total += rows.length;
    }
  }
}
