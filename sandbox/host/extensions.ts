/**
 * Host extensions: pluggable pieces that are not modules but run beside the host, such as the
 * local Amazon sandbox (sandbox/amazon). Each may add `asc` commands, migrations of its own, and a
 * background service that `asc start` starts with the admin and stops on shutdown.
 */
import type { Container } from 'inversify';
import type { Knex } from 'knex';
import type { CliCommandContribution } from '../../src/host/contributions.ts';
import type { ClockPort, LoggerPort } from '../../src/host/ports.ts';
import { amazonSandboxExtension } from '../amazon/extension.ts';

export interface HostExtensionContext {
  knex: Knex;
  logger: LoggerPort;
  clock: ClockPort;
  env: NodeJS.ProcessEnv;
  /** The container modules are loaded in, for an extension that drives a module (e.g. a demo store). */
  container: Container;
}

/** What a background service is started with: the running admin's address besides the rest. */
export interface ServiceContext extends HostExtensionContext {
  /** The admin's origin, e.g. http://127.0.0.1:8080 (its pages are under /admin). */
  adminUrl: string;
}

export interface RunningService {
  /** One line `asc start` prints, e.g. "Amazon sandbox: http://127.0.0.1:9090". */
  description?: string;
  stop(): Promise<void>;
}

export interface HostExtension {
  name: string;
  /** Extra CLI commands (names must not clash with host or module commands). */
  commands?(context: HostExtensionContext): CliCommandContribution[];
  /**
   * False when the commands talk only to a service of the extension's own (the sandbox's control
   * API): they then run whatever state the host's database is in, migrated or not.
   */
  commandsUseDatabase?: boolean;
  /** Migrated by `asc migrate` / `asc start` after the host and the modules. */
  migrations?: { directory: string; tableName: string };
  /** A background service started by `asc start` after the admin, stopped before it. */
  start?(context: ServiceContext): Promise<RunningService>;
}

export const hostExtensions: HostExtension[] = [amazonSandboxExtension];
