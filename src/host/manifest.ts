/**
 * `module.json`: what a host needs to know about a module without running its code. The host
 * reads it to migrate, build the ACL tree, schedule cron jobs and check the module's bindings.
 */
import { WIDGET_ZONES, type OrderAction, type WidgetZone } from './contributions.ts';

export interface AclNode {
  id: string;
  title: string;
  children?: AclNode[];
}

export interface SettingsFieldSchema {
  id: string;
  label: string;
  type: 'enum' | 'string' | 'boolean';
  options?: Array<{ value: string; label: string }>;
  default: string | boolean | null;
  /** Shown only when another field has one of these values. */
  dependsOn?: { field: string; values: Array<string | boolean> };
}

export interface ModuleManifest {
  name: string;
  version: string;
  /** Semver range of the host contract version the module was built for, e.g. "^1.0.0". */
  hostCompatibility: string;
  /** Module entry, relative to module.json, exporting `containerModule`. */
  entry: string;
  migrations: { directory: string; tableName: string };
  acl: AclNode[];
  settings: Array<{ id: string; title: string; acl: string; fields: SettingsFieldSchema[] }>;
  widgets: Array<{ id: string; zone: WidgetZone; acl: string }>;
  /** A GET route without parameters that has a `title` is listed in the admin navigation under it; one without is reached by links only. */
  routes: Array<{ id: string; method: 'GET' | 'POST'; path: string; acl: string; title?: string }>;
  cron: Array<{ id: string; schedule: string; description: string }>;
  /** `transaction` hooks since contract 1.2.0. */
  hooks: Array<{ id: string; kind: 'guard' | 'transaction' | 'after'; actions: OrderAction[] }>;
  events: Array<{ id: string; event: string }>;
  cli: Array<{ name: string }>;
  /** Long-lived workers the host runs in each serving process; since contract 1.3.0 (optional). */
  workers?: Array<{ id: string; description: string }>;
}

/** The version of this contract. Hosts compare it with `hostCompatibility`. */
export const HOST_CONTRACT_VERSION = '1.3.0';

export function aclIds(nodes: AclNode[]): string[] {
  return nodes.flatMap((node) => [node.id, ...aclIds(node.children ?? [])]);
}

/**
 * Checks the manifest's own consistency (shape, zones, ACL references). Returns every problem
 * found, so a module author sees them all at once.
 */
export function validateManifest(manifest: ModuleManifest): string[] {
  const problems: string[] = [];
  for (const key of ['name', 'version', 'hostCompatibility', 'entry'] as const) {
    if (typeof manifest[key] !== 'string' || manifest[key] === '') problems.push(`"${key}" must be a non-empty string`);
  }
  if (!manifest.migrations?.directory || !manifest.migrations?.tableName) {
    problems.push('"migrations" needs "directory" and "tableName"');
  }
  const acl = new Set(aclIds(manifest.acl ?? []));
  const checkAcl = (where: string, id: string) => {
    if (!acl.has(id)) problems.push(`${where} refers to ACL resource "${id}", which the "acl" tree does not define`);
  };
  for (const w of manifest.widgets ?? []) {
    if (!(WIDGET_ZONES as readonly string[]).includes(w.zone)) {
      problems.push(`widget "${w.id}" uses unknown zone "${w.zone}" (zones: ${WIDGET_ZONES.join(', ')})`);
    }
    checkAcl(`widget "${w.id}"`, w.acl);
  }
  for (const r of manifest.routes ?? []) checkAcl(`route "${r.id}"`, r.acl);
  for (const s of manifest.settings ?? []) checkAcl(`settings section "${s.id}"`, s.acl);
  for (const c of manifest.cron ?? []) {
    if (!isCronExpression(c.schedule)) problems.push(`cron job "${c.id}" has an invalid schedule "${c.schedule}"`);
  }
  const seen = new Set<string>();
  const ids = [
    ...(manifest.widgets ?? []).map((x) => `widget:${x.id}`),
    ...(manifest.routes ?? []).map((x) => `route:${x.id}`),
    ...(manifest.cron ?? []).map((x) => `cron:${x.id}`),
    ...(manifest.hooks ?? []).map((x) => `hook:${x.id}`),
    ...(manifest.events ?? []).map((x) => `event:${x.id}`),
    ...(manifest.settings ?? []).map((x) => `settings:${x.id}`),
    ...(manifest.cli ?? []).map((x) => `cli:${x.name}`),
    ...(manifest.workers ?? []).map((x) => `worker:${x.id}`),
  ];
  for (const id of ids) {
    if (seen.has(id)) problems.push(`${id} is declared twice`);
    seen.add(id);
  }
  return problems;
}

/** Five-field cron syntax: numbers, `*`, lists, ranges and steps. */
export function isCronExpression(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  return fields.every((field) => /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/.test(field));
}
