/**
 * Builds the whole reference host in-process: database, ports, modules, admin, cron. The CLI
 * (`asc`) uses it, and so can end-to-end tests:
 *
 *   const host = await createHost({ databaseUrl, clock, modules: [{ directory: repoRoot }] });
 *   await host.migrate();
 *   const admin = await host.startAdmin({ port: 0 });
 *   ...
 *   await host.close();
 */
import path from 'node:path';
import { Container } from 'inversify';
import type { Knex } from 'knex';
import type { ClockPort, LoggerPort } from '../../src/host/ports.ts';
import { Ports } from '../../src/host/tokens.ts';
import { Acl } from './acl.ts';
import { AdminServer, type RunningAdmin } from './admin/server.ts';
import { AdminUsers } from './admin-users.ts';
import { HostCatalog } from './catalog.ts';
import { clockFromEnv } from './clock.ts';
import { HostConfig } from './config.ts';
import { ContributionRegistry } from './contribution-registry.ts';
import { CronRunner } from './cron-runner.ts';
import { WorkerRunner, type WorkerRunnerTimings } from './worker-runner.ts';
import { checkConnection, createKnex, type DatabaseTarget } from './database.ts';
import { EventBus } from './events.ts';
import type { HostExtension, HostExtensionContext } from './extensions.ts';
import { JsonLogger, parseLogLevel } from './logger.ts';
import { LoginThrottle } from './login-throttle.ts';
import { migrateLatest, pendingMigrations, type MigrationSet } from './migrator.ts';
import { HOST_MIGRATIONS_TABLE, ModuleLoadError, crossModuleProblems, loadModule, type LoadedModule, type ModuleSource } from './module-loader.ts';
import { HostOrders } from './orders/orders.ts';
import { OrderQueries } from './orders/queries.ts';
import { OrderWorkflow } from './orders/workflow.ts';
import { AesGcmSecrets, loadSecretKey } from './secrets.ts';
import { seedDemoData } from './seed.ts';
import { Sessions } from './sessions.ts';
import { HostStock } from './stock.ts';
import { HostStoreViews } from './store-views.ts';

export const HOST_MIGRATIONS: MigrationSet = {
  directory: path.join(import.meta.dirname, 'migrations'),
  tableName: HOST_MIGRATIONS_TABLE,
};

/** First path segments the host's own pages use; module routes may not start with them. */
export const HOST_PATHS = ['/', '/login', '/logout', '/dashboard', '/catalog', '/orders', '/settings'];

export interface CreateHostOptions {
  /** DATABASE_URL; ignored when `knex` is given. Unset means SQLite under var/. */
  databaseUrl?: string;
  /** An open knex instance to use (the caller keeps ownership and destroys it). */
  knex?: Knex;
  /** Skip the connection check (for `asc --help`); the first query connects. */
  connect?: boolean;
  clock?: ClockPort;
  logger?: LoggerPort;
  modules?: ModuleSource[];
  extensions?: HostExtension[];
  /** Where the key file lives (default ./var). */
  varDir?: string;
  /** The secrets key; default HOST_SECRET_KEY or the key file. */
  secretKey?: Buffer;
  /** More bindings for the modules to find, made after the ports and before the modules load (e.g. a module's optional tuning). */
  bind?: (container: Container) => void;
  env?: NodeJS.ProcessEnv;
}

export interface MigrationReport {
  /** "set: migration" for each migration applied, in order. */
  applied: string[];
}

export interface HostServices {
  catalog: HostCatalog;
  stock: HostStock;
  orders: HostOrders;
  storeViews: HostStoreViews;
  config: HostConfig;
  secrets: AesGcmSecrets;
  users: AdminUsers;
  sessions: Sessions;
  orderQueries: OrderQueries;
  workflow: OrderWorkflow;
  events: EventBus;
  loginThrottle: LoginThrottle;
}

export class Host {
  readonly registry: ContributionRegistry;
  readonly acl: Acl;
  private closed = false;

  constructor(
    readonly knex: Knex,
    private readonly ownsKnex: boolean,
    readonly target: DatabaseTarget | null,
    readonly clock: ClockPort,
    readonly logger: LoggerPort,
    readonly env: NodeJS.ProcessEnv,
    readonly services: HostServices,
    /** The host's ports, bound by the tokens in src/host/tokens.ts; each module container is its child. */
    readonly portsContainer: Container,
    readonly modules: LoadedModule[],
    readonly extensions: HostExtension[],
  ) {
    this.registry = new ContributionRegistry(modules);
    this.acl = Acl.of(modules.map((m) => m.manifest.acl));
    services.events.setObservers(() => this.registry.eventObservers());
  }

  /** The first module's container (ports resolve through its parent), or the ports container. */
  get container(): Container {
    return this.modules[0]?.container ?? this.portsContainer;
  }

  get extensionContext(): HostExtensionContext {
    return { knex: this.knex, logger: this.logger, clock: this.clock, env: this.env, container: this.container };
  }

  /** Proves the database answers (DatabaseConfigError otherwise). */
  async checkConnection(): Promise<void> {
    if (this.target) await checkConnection(this.knex, this.target);
  }

  migrationSets(): Array<MigrationSet & { name: string }> {
    return [
      { name: 'host', ...HOST_MIGRATIONS },
      ...this.modules.map((m) => ({ name: m.manifest.name, ...m.migrations })),
      ...this.extensions.flatMap((e) => (e.migrations ? [{ name: e.name, ...e.migrations }] : [])),
    ];
  }

  /** The host's migrations first, then each module's, then each extension's. */
  async migrate(): Promise<MigrationReport> {
    const applied: string[] = [];
    for (const set of this.migrationSets()) {
      for (const name of await migrateLatest(this.knex, set)) applied.push(`${set.name}: ${name}`);
    }
    return { applied };
  }

  async pendingMigrations(): Promise<string[]> {
    const pending: string[] = [];
    for (const set of this.migrationSets()) {
      for (const name of await pendingMigrations(this.knex, set)) pending.push(`${set.name}: ${name}`);
    }
    return pending;
  }

  seedDemoData(): Promise<{ adminPassword: string | null }> {
    return seedDemoData(this.knex, this.services.users, this.services.catalog);
  }

  /** Starts the admin on hostname:port (port 0 picks a free one). */
  startAdmin(options: { port?: number; hostname?: string } = {}): Promise<RunningAdmin> {
    return new AdminServer(this).listen(options.port ?? 0, options.hostname ?? '127.0.0.1');
  }

  createCronRunner(): CronRunner {
    return new CronRunner(this.registry.cronJobs(), this.clock, this.logger);
  }

  createWorkerRunner(timings?: Partial<WorkerRunnerTimings>): WorkerRunner {
    return new WorkerRunner(this.registry.workers(), this.logger, timings);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsKnex) await this.knex.destroy();
  }
}

export async function createHost(options: CreateHostOptions = {}): Promise<Host> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? clockFromEnv(env);
  const logger = options.logger ?? new JsonLogger({ level: parseLogLevel(env.LOG_LEVEL), clock });
  let knex: Knex;
  let target: DatabaseTarget | null = null;
  if (options.knex) {
    knex = options.knex;
  } else {
    ({ knex, target } = createKnex(options.databaseUrl));
  }
  const owns = !options.knex;
  try {
    if (target && options.connect !== false) await checkConnection(knex, target);

    const events = new EventBus(logger);
    const storeViews = new HostStoreViews(knex);
    const varDir = options.varDir ?? path.resolve('var');
    const secrets = new AesGcmSecrets(options.secretKey ?? (() => loadSecretKey(env, path.join(varDir, 'host-secret.key'))));
    const orders = new HostOrders(knex, clock, events, logger);
    let registry: ContributionRegistry | undefined;
    const services: HostServices = {
      catalog: new HostCatalog(knex, clock),
      stock: new HostStock(knex, clock),
      orders,
      storeViews,
      config: new HostConfig(knex, clock),
      secrets,
      users: new AdminUsers(knex, clock),
      sessions: new Sessions(knex, clock),
      orderQueries: new OrderQueries(knex),
      workflow: new OrderWorkflow(
        knex,
        orders,
        {
          guards: () => registry?.guards() ?? [],
          transactionHooks: () => registry?.transactionHooks() ?? [],
          afterHooks: () => registry?.afterHooks() ?? [],
        },
        events,
        clock,
        logger,
      ),
      events,
      loginThrottle: new LoginThrottle(knex),
    };

    const portsContainer = new Container();
    portsContainer.bind(Ports.Catalog).toConstantValue(services.catalog);
    portsContainer.bind(Ports.Stock).toConstantValue(services.stock);
    portsContainer.bind(Ports.Orders).toConstantValue(services.orders);
    portsContainer.bind(Ports.StoreViews).toConstantValue(services.storeViews);
    portsContainer.bind(Ports.Config).toConstantValue(services.config);
    portsContainer.bind(Ports.Secrets).toConstantValue(services.secrets);
    portsContainer.bind(Ports.Database).toConstantValue(knex);
    portsContainer.bind(Ports.Logger).toConstantValue(logger);
    portsContainer.bind(Ports.Clock).toConstantValue(clock);
    options.bind?.(portsContainer);

    const modules: LoadedModule[] = [];
    for (const source of options.modules ?? []) modules.push(await loadModule(source, portsContainer));
    const problems = crossModuleProblems(modules, HOST_PATHS);
    if (problems.length > 0) throw new ModuleLoadError(modules.map((m) => m.manifest.name).join(', '), problems);

    const host = new Host(knex, owns, target, clock, logger, env, services, portsContainer, modules, options.extensions ?? []);
    registry = host.registry;
    return host;
  } catch (error) {
    if (owns) await knex.destroy().catch(() => undefined);
    throw error;
  }
}
