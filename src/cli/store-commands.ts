/** asc store:add, store:list, store:status — registering Amazon stores from the console. */
import { inject, injectable } from 'inversify';
import type { CliCommandContribution, CliFlagValue, CliIO } from '../host/contributions.ts';
import { REGIONS } from '../stores/marketplaces.ts';
import type { AmazonStore } from '../stores/store.ts';
import { Stores } from '../stores/stores.ts';
import { withUsageErrors } from './errors.ts';
import { printJson, printTable } from './output.ts';

const FLAG_NAMES: Record<string, string> = {
  name: '--name',
  region: '--region',
  marketplaceId: '--marketplace-id',
  sellerId: '--seller-id',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  refreshToken: '--refresh-token',
  spApiEndpoint: '--sp-api-endpoint',
  lwaEndpoint: '--lwa-endpoint',
  integratedAt: '--integrated-at',
};

/** The JSON shape of a store in every command's --json output (no secrets, ever). */
export function storeJson(store: AmazonStore) {
  return {
    id: store.id,
    name: store.name,
    region: store.region,
    marketplaceId: store.marketplaceId,
    sellerId: store.sellerId,
    clientId: store.clientId,
    spApiEndpoint: store.spApiEndpoint,
    lwaEndpoint: store.lwaEndpoint,
    status: store.status,
    integratedAt: store.integratedAt.toISOString(),
    createdAt: store.createdAt.toISOString(),
    updatedAt: store.updatedAt.toISOString(),
  };
}

@injectable()
export class StoreAddCommand implements CliCommandContribution {
  readonly name = 'store:add';
  readonly summary = 'Register an Amazon store (seller account + marketplace) with its LWA credentials';
  readonly flags = [
    { name: 'name', type: 'string', required: true, description: 'Store name shown in the admin' },
    { name: 'region', type: 'enum', values: REGIONS, required: true, description: 'SP-API region' },
    { name: 'marketplace-id', type: 'string', required: true, description: 'Amazon marketplace id, e.g. ATVPDKIKX0DER' },
    { name: 'seller-id', type: 'string', required: true, description: 'Seller (merchant token) id' },
    { name: 'client-id', type: 'string', description: "LWA client id the refresh token was issued to (default: the module's application)" },
    { name: 'client-secret', type: 'string', description: "LWA client secret, only for a client other than the module's application (stored encrypted)" },
    { name: 'refresh-token', type: 'string', required: true, description: 'LWA refresh token of the seller (stored encrypted)' },
    { name: 'sp-api-endpoint', type: 'string', description: 'SP-API base URL (default: the region endpoint)' },
    { name: 'lwa-endpoint', type: 'string', description: 'LWA token URL (default: https://api.amazon.com/auth/o2/token)' },
    { name: 'integrated-at', type: 'date', description: 'Integration time, ISO-8601 (default: now); older orders never import' },
    { name: 'json', type: 'switch', description: 'Print the store as JSON' },
  ] as const;

  constructor(@inject(Stores) private readonly stores: Stores) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const store = await withUsageErrors(
      () =>
        this.stores.add({
          name: flags.name as string,
          region: flags.region as string,
          marketplaceId: flags['marketplace-id'] as string,
          sellerId: flags['seller-id'] as string,
          clientId: flags['client-id'] as string | undefined,
          clientSecret: flags['client-secret'] as string | undefined,
          refreshToken: flags['refresh-token'] as string,
          spApiEndpoint: flags['sp-api-endpoint'] as string | undefined,
          lwaEndpoint: flags['lwa-endpoint'] as string | undefined,
          integratedAt: flags['integrated-at'] as Date | undefined,
        }),
      FLAG_NAMES,
    );
    if (flags.json) printJson(io, storeJson(store));
    else io.stdout.write(`Added Amazon store ${store.id} "${store.name}" (${store.marketplaceId}, seller ${store.sellerId}), integrated at ${store.integratedAt.toISOString()}\n`);
    return 0;
  }
}

@injectable()
export class StoreListCommand implements CliCommandContribution {
  readonly name = 'store:list';
  readonly summary = 'List the Amazon stores (never prints credentials)';
  readonly flags = [{ name: 'json', type: 'switch', description: 'Print a JSON array' }] as const;

  constructor(@inject(Stores) private readonly stores: Stores) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const stores = await this.stores.list();
    if (flags.json) printJson(io, stores.map(storeJson));
    else if (stores.length === 0) io.stdout.write('No Amazon stores yet: connect one in the admin (Amazon Stores > Connect an Amazon store), or add one with asc store:add\n');
    else {
      printTable(
        io,
        ['ID', 'NAME', 'REGION', 'MARKETPLACE', 'SELLER', 'STATUS', 'INTEGRATED AT'],
        stores.map((s) => [String(s.id), s.name, s.region, s.marketplaceId, s.sellerId, s.status, s.integratedAt.toISOString()]),
      );
    }
    return 0;
  }
}

@injectable()
export class StoreStatusCommand implements CliCommandContribution {
  readonly name = 'store:status';
  readonly summary = 'Make a store Active or Inactive (an Inactive store is not synced)';
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'status', type: 'enum', values: ['active', 'inactive'], required: true, description: 'New status' },
    { name: 'json', type: 'switch', description: 'Print the store as JSON' },
  ] as const;

  constructor(@inject(Stores) private readonly stores: Stores) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const store = await withUsageErrors(() => this.stores.setStatus(flags.store as number, flags.status as AmazonStore['status']));
    if (flags.json) printJson(io, storeJson(store));
    else io.stdout.write(`Store ${store.id} "${store.name}" is now ${store.status}\n`);
    return 0;
  }
}
