/**
 * Loading a module the way a host must: read module.json, validate it, check the contract version,
 * import the entry, load its ContainerModule into a fresh container (child of the host's port
 * container), then check the bindings against the manifest both ways. Every problem is collected
 * and reported at once; a module with any problem is not loaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Container, type ContainerModule } from 'inversify';
import {
  WIDGET_ZONES,
  type AdminRouteContribution,
  type CliCommandContribution,
  type CronObserverContribution,
  type DashboardWidgetContribution,
  type EventObserverContribution,
  type OrderAfterHookContribution,
  type OrderGuardContribution,
  type OrderTransactionHookContribution,
  type SettingsSectionContribution,
  type WorkerContribution,
} from '../../src/host/contributions.ts';
import { HOST_CONTRACT_VERSION, aclIds, validateManifest, type ModuleManifest } from '../../src/host/manifest.ts';
import { Contributions } from '../../src/host/tokens.ts';
import { CronSyntaxError, parseCron } from './cron-schedule.ts';
import { SUPPORTED_RANGES, isValidRange, satisfies } from './semver.ts';

export const HOST_MIGRATIONS_TABLE = 'host_migrations';
const ORDER_ACTIONS = ['ship', 'cancel', 'creditmemo'];
const HOOK_KINDS = ['guard', 'transaction', 'after'];

export class ModuleLoadError extends Error {
  override name = 'ModuleLoadError';
  constructor(
    readonly module: string,
    readonly problems: string[],
  ) {
    super(`Module "${module}" cannot be loaded:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface ModuleContributions {
  routes: AdminRouteContribution[];
  widgets: DashboardWidgetContribution[];
  settings: SettingsSectionContribution[];
  guards: OrderGuardContribution[];
  transactionHooks: OrderTransactionHookContribution[];
  afterHooks: OrderAfterHookContribution[];
  cron: CronObserverContribution[];
  events: EventObserverContribution[];
  cli: CliCommandContribution[];
  workers: WorkerContribution[];
}

export interface LoadedModule {
  manifest: ModuleManifest;
  /** The directory holding module.json; manifest paths are relative to it. */
  directory: string;
  container: Container;
  contributions: ModuleContributions;
  migrations: { directory: string; tableName: string };
}

/** Where a module comes from: its directory (module.json inside), optionally with the manifest given. */
export interface ModuleSource {
  directory: string;
  manifest?: ModuleManifest;
}

export function readManifest(directory: string): ModuleManifest {
  const file = path.join(directory, 'module.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ModuleLoadError(directory, [`${file} cannot be read`]);
  }
  try {
    return JSON.parse(text) as ModuleManifest;
  } catch (error) {
    throw new ModuleLoadError(directory, [`${file} is not valid JSON: ${(error as Error).message}`]);
  }
}

/** Problems the manifest has on its own, beyond validateManifest: version, paths, schedules. */
function manifestProblems(manifest: ModuleManifest, directory: string): string[] {
  const problems = validateManifest(manifest);
  if (typeof manifest.hostCompatibility === 'string' && manifest.hostCompatibility !== '') {
    if (!isValidRange(manifest.hostCompatibility)) {
      problems.push(`"hostCompatibility" "${manifest.hostCompatibility}" is not a supported range (${SUPPORTED_RANGES})`);
    } else if (!satisfies(HOST_CONTRACT_VERSION, manifest.hostCompatibility)) {
      problems.push(`needs host contract ${manifest.hostCompatibility}, but this host implements ${HOST_CONTRACT_VERSION}`);
    }
  }
  if (manifest.migrations?.directory && !fs.existsSync(path.resolve(directory, manifest.migrations.directory))) {
    problems.push(`migrations directory "${manifest.migrations.directory}" does not exist`);
  }
  if (manifest.migrations?.tableName === HOST_MIGRATIONS_TABLE) problems.push(`migrations table "${HOST_MIGRATIONS_TABLE}" belongs to the host`);
  for (const id of aclIds(manifest.acl ?? [])) {
    if (id.startsWith('Host::')) problems.push(`ACL resource "${id}" uses the host's "Host::" prefix`);
  }
  for (const job of manifest.cron ?? []) {
    try {
      parseCron(job.schedule);
    } catch (error) {
      if (error instanceof CronSyntaxError) problems.push(`cron job "${job.id}" schedule: ${error.message}`);
      else throw error;
    }
  }
  for (const route of manifest.routes ?? []) {
    if (route.method !== 'GET' && route.method !== 'POST') problems.push(`route "${route.id}" has method "${route.method}" (GET or POST)`);
    if (!/^(\/(:[a-zA-Z][a-zA-Z0-9_]*|[a-zA-Z0-9._~-]+))+$/.test(route.path ?? '')) {
      problems.push(`route "${route.id}" path "${route.path}" must look like /segment/:param (letters, digits, . _ ~ -)`);
    }
  }
  for (const hook of manifest.hooks ?? []) {
    if (!HOOK_KINDS.includes(hook.kind)) problems.push(`hook "${hook.id}" has kind "${hook.kind}" (${HOOK_KINDS.join(', ')})`);
    for (const action of hook.actions ?? []) {
      if (!ORDER_ACTIONS.includes(action)) problems.push(`hook "${hook.id}" names unknown action "${action}" (${ORDER_ACTIONS.join(', ')})`);
    }
  }
  return problems;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

/**
 * The bindings against the manifest, both ways: every declared id bound (with the declared
 * method, path, zone, ACL, actions or event), every bound contribution declared, nothing twice.
 */
export function bindingProblems(manifest: ModuleManifest, bound: ModuleContributions): string[] {
  const problems: string[] = [];
  const check = <D, C>(
    kind: string,
    declared: D[],
    contributions: C[],
    declaredId: (d: D) => string,
    boundId: (c: C) => string,
    compare: (d: D, c: C) => string[] = () => [],
  ) => {
    const seen = new Set<string>();
    for (const contribution of contributions) {
      const id = boundId(contribution);
      if (seen.has(id)) problems.push(`${kind} "${id}" is bound more than once`);
      seen.add(id);
      if (!declared.some((d) => declaredId(d) === id)) problems.push(`${kind} "${id}" is bound but not declared in module.json`);
    }
    for (const entry of declared) {
      const id = declaredId(entry);
      const contribution = contributions.find((c) => boundId(c) === id);
      if (!contribution) problems.push(`${kind} "${id}" is declared in module.json but not bound`);
      else problems.push(...compare(entry, contribution).map((p) => `${kind} "${id}": ${p}`));
    }
  };
  const differs = (what: string, declared: unknown, bound: unknown) =>
    declared === bound ? [] : [`module.json says ${what} "${String(declared)}", the code says "${String(bound)}"`];

  check('route', manifest.routes ?? [], bound.routes, (d) => d.id, (c) => c.id, (d, c) => [
    ...differs('method', d.method, c.method),
    ...differs('path', d.path, c.path),
    ...differs('acl', d.acl, c.acl),
  ]);
  check('widget', manifest.widgets ?? [], bound.widgets, (d) => d.id, (c) => c.id, (d, c) => [
    ...differs('zone', d.zone, c.zone),
    ...differs('acl', d.acl, c.acl),
    ...((WIDGET_ZONES as readonly string[]).includes(c.zone) ? [] : [`zone "${c.zone}" is unknown (zones: ${WIDGET_ZONES.join(', ')})`]),
  ]);
  check('settings section', manifest.settings ?? [], bound.settings, (d) => d.id, (c) => c.id, (d, c) => differs('acl', d.acl, c.acl));
  check('cron job', manifest.cron ?? [], bound.cron, (d) => d.id, (c) => c.id);
  const hooks = manifest.hooks ?? [];
  const actionsDiffer = (declared: string[], actual: string[]) =>
    sameSet(declared, actual) ? [] : [`module.json says actions [${declared.join(', ')}], the code says [${actual.join(', ')}]`];
  check('order guard', hooks.filter((h) => h.kind === 'guard'), bound.guards, (d) => d.id, (c) => c.id, (d, c) => actionsDiffer(d.actions, c.actions));
  check('order transaction hook', hooks.filter((h) => h.kind === 'transaction'), bound.transactionHooks, (d) => d.id, (c) => c.id, (d, c) => actionsDiffer(d.actions, c.actions));
  check('order after-hook', hooks.filter((h) => h.kind === 'after'), bound.afterHooks, (d) => d.id, (c) => c.id, (d, c) => actionsDiffer(d.actions, c.actions));
  check('event observer', manifest.events ?? [], bound.events, (d) => d.id, (c) => c.id, (d, c) => differs('event', d.event, c.event));
  check('CLI command', manifest.cli ?? [], bound.cli, (d) => d.name, (c) => c.name, (_d, c) => cliSpecProblems(c));
  check('worker', manifest.workers ?? [], bound.workers, (d) => d.id, (c) => c.id);
  return problems;
}

/** A command's flag specs must be parseable by the host's CLI. */
function cliSpecProblems(command: CliCommandContribution): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]*(:[a-z0-9-]+)*$/.test(command.name)) problems.push('name must look like "group:action" (lowercase)');
  const names = new Set<string>();
  for (const flag of command.flags ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(flag.name)) problems.push(`flag "${flag.name}" must be lowercase kebab-case`);
    if (flag.name === 'help') problems.push('flag "help" is reserved by the host');
    if (names.has(flag.name)) problems.push(`flag "${flag.name}" is declared twice`);
    names.add(flag.name);
    if (flag.type === 'enum' && (!Array.isArray(flag.values) || flag.values.length === 0)) problems.push(`enum flag "${flag.name}" has no values`);
  }
  return problems;
}

function resolveAll<T>(container: Container, token: symbol, kind: string, problems: string[]): T[] {
  try {
    return container.getAll<T>(token);
  } catch (error) {
    problems.push(`${kind} contributions cannot be resolved: ${(error as Error).message.split('\n')[0]}`);
    return [];
  }
}

export async function loadModule(source: ModuleSource, portsContainer: Container): Promise<LoadedModule> {
  const directory = path.resolve(source.directory);
  const manifest = source.manifest ?? readManifest(directory);
  const name = typeof manifest.name === 'string' && manifest.name !== '' ? manifest.name : directory;
  const problems = manifestProblems(manifest, directory);
  if (problems.length > 0) throw new ModuleLoadError(name, problems);

  const entryFile = path.resolve(directory, manifest.entry);
  let containerModule: ContainerModule | undefined;
  try {
    const entry = (await import(pathToFileURL(entryFile).href)) as { containerModule?: ContainerModule };
    containerModule = entry.containerModule;
  } catch (error) {
    throw new ModuleLoadError(name, [`entry "${manifest.entry}" cannot be imported: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (!containerModule || typeof (containerModule as { load?: unknown }).load !== 'function') {
    throw new ModuleLoadError(name, [`entry "${manifest.entry}" does not export a ContainerModule named "containerModule"`]);
  }

  const container = new Container({ parent: portsContainer });
  try {
    await container.loadAsync(containerModule);
  } catch (error) {
    throw new ModuleLoadError(name, [`its containerModule failed to load: ${(error as Error).message.split('\n')[0]}`]);
  }
  const resolveProblems: string[] = [];
  const contributions: ModuleContributions = {
    routes: resolveAll(container, Contributions.AdminRoute, 'AdminRoute', resolveProblems),
    widgets: resolveAll(container, Contributions.DashboardWidget, 'DashboardWidget', resolveProblems),
    settings: resolveAll(container, Contributions.SettingsSection, 'SettingsSection', resolveProblems),
    guards: resolveAll(container, Contributions.OrderGuard, 'OrderGuard', resolveProblems),
    transactionHooks: resolveAll(container, Contributions.OrderTransactionHook, 'OrderTransactionHook', resolveProblems),
    afterHooks: resolveAll(container, Contributions.OrderAfterHook, 'OrderAfterHook', resolveProblems),
    cron: resolveAll(container, Contributions.CronObserver, 'CronObserver', resolveProblems),
    events: resolveAll(container, Contributions.EventObserver, 'EventObserver', resolveProblems),
    cli: resolveAll(container, Contributions.CliCommand, 'CliCommand', resolveProblems),
    workers: resolveAll(container, Contributions.Worker, 'Worker', resolveProblems),
  };
  const all = [...resolveProblems, ...bindingProblems(manifest, contributions)];
  if (all.length > 0) throw new ModuleLoadError(name, all);
  return {
    manifest,
    directory,
    container,
    contributions,
    migrations: { directory: path.resolve(directory, manifest.migrations.directory), tableName: manifest.migrations.tableName },
  };
}

/** Problems between modules loaded together: names, ACL ids, migration tables, routes. */
export function crossModuleProblems(modules: LoadedModule[], reservedPaths: string[]): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  const claim = (key: string, what: string, module: string) => {
    const previous = owner.get(key);
    if (previous !== undefined) problems.push(`${what} is claimed by both "${previous}" and "${module}"`);
    else owner.set(key, module);
  };
  for (const m of modules) {
    const name = m.manifest.name;
    claim(`module:${name}`, `module name "${name}"`, name);
    claim(`table:${m.migrations.tableName}`, `migrations table "${m.migrations.tableName}"`, name);
    for (const id of aclIds(m.manifest.acl)) claim(`acl:${id}`, `ACL resource "${id}"`, name);
    for (const route of m.contributions.routes) {
      const shape = route.path.replace(/:[^/]+/g, ':');
      claim(`route:${route.method} ${shape}`, `route ${route.method} ${route.path}`, name);
      const first = `/${route.path.split('/')[1]}`;
      if (reservedPaths.includes(first)) problems.push(`route "${route.id}" of "${name}" uses the host's path ${first}`);
    }
    for (const command of m.contributions.cli) claim(`cli:${command.name}`, `CLI command "${command.name}"`, name);
  }
  return problems;
}
