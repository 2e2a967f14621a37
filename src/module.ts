/**
 * The one place that binds the module's services and fans them out to the host's contribution
 * points. The host binds the ports (src/host/tokens.ts) before loading this; every contribution id
 * bound here is declared in module.json, and the contract test checks both ways.
 */
import { ContainerModule, type Newable } from 'inversify';
import { Contributions } from './host/tokens.ts';
import { Stores } from './stores/stores.ts';
import { OrderRepository } from './orders/order-repository.ts';
import { OrderImporter } from './orders/order-importer.ts';
import { StoreLease } from './sync/store-lease.ts';
import { AmazonOrderReader } from './sync/amazon-order-reader.ts';
import { OrderSync } from './sync/order-sync.ts';
import { OrderSyncCron } from './sync/sync-cron.ts';
import { BuyerDataPurge } from './orders/pii-purge.ts';
import { SyncCommand } from './cli/sync-command.ts';
import { StoreAddCommand, StoreListCommand, StoreStatusCommand } from './cli/store-commands.ts';
import { SettingsGetCommand, SettingsSetCommand } from './cli/settings-commands.ts';
import { MatchSetCommand, OrdersListCommand, OrdersRetryCommand } from './cli/order-commands.ts';

const services: Newable<object>[] = [Stores, OrderRepository, OrderImporter, StoreLease, AmazonOrderReader, OrderSync];

const cliCommands: Newable<object>[] = [
  StoreAddCommand,
  StoreListCommand,
  StoreStatusCommand,
  SettingsGetCommand,
  SettingsSetCommand,
  OrdersListCommand,
  OrdersRetryCommand,
  MatchSetCommand,
  SyncCommand,
];

const cronJobs: Newable<object>[] = [OrderSyncCron, BuyerDataPurge];

export const containerModule = new ContainerModule(({ bind }) => {
  for (const service of services) bind(service).toSelf().inSingletonScope();
  for (const command of cliCommands) {
    bind(command).toSelf().inSingletonScope();
    bind(Contributions.CliCommand).toService(command);
  }
  for (const job of cronJobs) {
    bind(job).toSelf().inSingletonScope();
    bind(Contributions.CronObserver).toService(job);
  }
});
