/** asc store:add, store:list, store:status, store:connect, store:disconnect — Amazon stores from the console. */
import { setTimeout as sleep } from 'node:timers/promises';
import { inject, injectable } from 'inversify';
import { Ports } from '../host/tokens.ts';
import type { ClockPort } from '../host/ports.ts';
import { CliUsageError, type CliCommandContribution, type CliFlagValue, type CliIO } from '../host/contributions.ts';
import { MARKETPLACES, REGIONS } from '../stores/marketplaces.ts';
import { AUTHORIZATION_TTL_MS, IMPORT_DAYS, StoreConnections, type ConnectInputError } from '../stores/store-connection.ts';
import type { AmazonStore } from '../stores/store.ts';
import { Stores } from '../stores/stores.ts';
import { withUsageErrors } from './errors.ts';
import { INTERRUPTED, printJson, printTable } from './output.ts';

const CONNECT_FLAGS: Record<ConnectInputError['field'], string> = { name: '--name', marketplaceId: '--marketplace-id', importDays: '--import-days', seller: '--seller', sellerId: '--seller-id', refreshToken: '--refresh-token' };

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
    authorization: store.authorization,
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

/** How often store:connect looks whether Amazon's answer came back. */
const CONNECT_POLL_MS = 1000;

@injectable()
export class StoreConnectCommand implements CliCommandContribution {
  readonly name = 'store:connect';
  readonly summary = "Connect a store through Amazon's consent: prints the Seller Central URL and waits until an admin finishes it in the browser";
  readonly flags = [
    { name: 'region', type: 'enum', values: REGIONS, required: true, description: 'SP-API region of the marketplace' },
    { name: 'marketplace-id', type: 'string', required: true, description: 'Amazon marketplace id, e.g. ATVPDKIKX0DER' },
    { name: 'name', type: 'string', required: true, description: 'Store name shown in the admin' },
    { name: 'import-days', type: 'enum', values: IMPORT_DAYS.map(String), description: 'Also import the orders of the last 1, 7 or 30 days (default 0: from now on)' },
    { name: 'json', type: 'switch', description: 'Print {"consentUrl"} at once and the outcome as JSON' },
  ] as const;

  constructor(
    @inject(StoreConnections) private readonly connections: StoreConnections,
    @inject(Stores) private readonly stores: Stores,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const marketplaceId = String(flags['marketplace-id']);
    const region = MARKETPLACES.get(marketplaceId)?.region;
    if (region !== undefined && region !== flags.region) throw new CliUsageError(`--marketplace-id ${marketplaceId} is served by region ${region}, not ${String(flags.region)}`);
    const started = await withUsageErrors(() => this.connections.start({ name: String(flags.name), marketplaceId, importDays: String(flags['import-days'] ?? '0') }, null), CONNECT_FLAGS);
    if (flags.json) printJson(io, { consentUrl: started.consentUrl });
    else io.stdout.write(`Open this in a browser signed in to the admin, then Confirm in Seller Central (valid ${AUTHORIZATION_TTL_MS / 60_000} minutes):\n${started.consentUrl}\nWaiting for Amazon's answer...\n`);
    for (;;) {
      const { outcome, storeId, expiresAt } = await this.connections.outcomeOf(started.attemptId);
      if (outcome !== null) return this.report(io, flags.json === true, outcome, storeId);
      if (io.signal.aborted) {
        io.stderr.write('asc store:connect: stopped before Amazon answered; the link stays valid until it expires\n');
        return INTERRUPTED;
      }
      if (this.clock.now().getTime() > expiresAt.getTime()) return this.report(io, flags.json === true, 'expired', null);
      await sleep(CONNECT_POLL_MS, undefined, { signal: io.signal }).catch(() => undefined);
    }
  }

  private async report(io: CliIO, json: boolean, outcome: string, storeId: number | null): Promise<number> {
    const store = outcome === 'connected' && storeId !== null ? await this.stores.get(storeId) : null;
    if (json) printJson(io, { outcome, store: store && storeJson(store) });
    else if (store) io.stdout.write(`Connected Amazon store ${store.id} "${store.name}" (${store.marketplaceId}, seller ${store.sellerId})\n`);
    else io.stderr.write(`asc store:connect: not connected (${outcome}); the admin's page said why\n`);
    return store ? 0 : 1;
  }
}

@injectable()
export class StoreDisconnectCommand implements CliCommandContribution {
  readonly name = 'store:disconnect';
  readonly summary = "Disconnect a store: delete its credentials, keep its orders view-only (reconnect it in the admin)";
  readonly flags = [
    { name: 'store', type: 'int', min: 1, required: true, description: 'Store id' },
    { name: 'confirm', type: 'switch', description: "Required: the store's refresh token is deleted" },
    { name: 'json', type: 'switch', description: 'Print the store as JSON' },
  ] as const;

  constructor(@inject(Stores) private readonly stores: Stores) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    if (!flags.confirm) throw new CliUsageError("--confirm is required: disconnecting deletes the store's credentials (its orders stay, view-only)");
    const store = await withUsageErrors(() => this.stores.disconnect(flags.store as number, 'Disconnected from the console (asc store:disconnect)'));
    if (flags.json) printJson(io, storeJson(store));
    else io.stdout.write(`Store ${store.id} "${store.name}" is disconnected; reconnect it on its dashboard in the admin\n`);
    return 0;
  }
}
