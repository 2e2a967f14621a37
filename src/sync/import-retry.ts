/**
 * Retrying the import of blocked orders now (the admin's Retry import, after a manual listing
 * match, and `asc orders:retry`), under the store's lease exactly as the sync does, so a click and
 * a running sync can never create the same host order twice.
 */
import crypto from 'node:crypto';
import { inject, injectable } from 'inversify';
import { OrderImporter, type ImportOutcome } from '../orders/order-importer.ts';
import { OrderRepository } from '../orders/order-repository.ts';
import { Stores } from '../stores/stores.ts';
import { StoreLease } from './store-lease.ts';

export type RetryResult = { busy: true } | { busy: false; outcomes: Array<{ amazonOrderId: string; outcome: ImportOutcome }> };

@injectable()
export class ImportRetry {
  constructor(
    @inject(Stores) private readonly stores: Stores,
    @inject(OrderRepository) private readonly orders: OrderRepository,
    @inject(OrderImporter) private readonly importer: OrderImporter,
    @inject(StoreLease) private readonly lease: StoreLease,
  ) {}

  /** Tries each order (by row id) now; `busy` when a sync holds the store, which retries them itself. */
  async retry(storeId: number, orderIds: number[]): Promise<RetryResult> {
    const owner = `retry:${process.pid}:${crypto.randomUUID()}`;
    if (!(await this.lease.acquire(storeId, owner))) return { busy: true };
    try {
      const store = await this.stores.get(storeId);
      const settings = await this.stores.settings(storeId);
      const outcomes: Array<{ amazonOrderId: string; outcome: ImportOutcome }> = [];
      for (const id of orderIds) {
        // Read under the lease: the state may have moved since the page was shown.
        const order = await this.orders.get(id);
        if (!order || order.storeId !== storeId) continue;
        outcomes.push({ amazonOrderId: order.amazonOrderId, outcome: await this.importer.importOrder(store, settings, order) });
      }
      return { busy: false, outcomes };
    } finally {
      await this.lease.release(storeId, owner);
    }
  }
}
