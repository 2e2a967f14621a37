/** StoreViewsPort on `host_store_view`. */
import type { Knex } from 'knex';
import type { HostStoreView, StoreViewsPort } from '../../src/host/ports.ts';
import { toBool } from './sql.ts';

export class HostStoreViews implements StoreViewsPort {
  constructor(private readonly knex: Knex) {}

  async list(): Promise<HostStoreView[]> {
    const rows = await this.knex('host_store_view').orderBy([{ column: 'sort_order' }, { column: 'code' }]);
    return rows.map((r) => ({ code: r.code, name: r.name, websiteName: r.website_name, isDefault: toBool(r.is_default) }));
  }
}
