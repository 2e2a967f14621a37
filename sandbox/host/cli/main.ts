/**
 * `asc`: the host's console. Host commands, every module's CliCommand contributions and every
 * host extension's commands, parsed and validated by the host.
 *
 * Exit codes: 0 success, 1 failure, 2 usage or configuration error (bad flags, unknown command,
 * CliUsageError, bad or unreachable DATABASE_URL).
 */
import path from 'node:path';
import { CliUsageError, type CliCommandContribution, type CliIO } from '../../../src/host/contributions.ts';
import { DatabaseConfigError } from '../database.ts';
import { hostExtensions } from '../extensions.ts';
import { createHost, type Host } from '../host.ts';
import { JsonLogger, parseLogLevel } from '../logger.ts';
import { ModuleLoadError, type ModuleSource } from '../module-loader.ts';
import { SecretKeyError } from '../secrets.ts';
import { FlagError, commandHelp, generalHelp, parseFlags, shortName } from './flags.ts';
import { errorSummary } from '../../../src/error-summary.ts';
import { quoted } from '../../../src/text.ts';
import { hostCommands } from './host-commands.ts';
import { orderCommands } from './order-commands.ts';
import { processRuntime, type CliRuntime } from './runtime.ts';

/** The module this repository ships: module.json at the repository root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

const GENERAL_HELP = new Set(['--help', '-h', 'help']);

/** Commands that may run before the database is migrated. */
const RUN_BEFORE_MIGRATION = new Set(['migrate', 'start']);

const line = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);

export interface AscCommand {
  command: CliCommandContribution;
  /** False for commands that never touch the host's database (see HostExtension.commandsUseDatabase). */
  usesDatabase: boolean;
}

/** Every command `asc` offers on this host: its own, each module's and each extension's (the CLI fuzz test enumerates these too). */
export function allCommands(host: Host, runtime: CliRuntime): AscCommand[] {
  const commands: AscCommand[] = [
    ...[...hostCommands(host, runtime), ...orderCommands(host)].map((command) => ({ command, usesDatabase: true })),
    ...host.registry.cliCommands().map((c) => ({ command: c.command, usesDatabase: true })),
    ...host.extensions.flatMap((e) => (e.commands?.(host.extensionContext) ?? []).map((command) => ({ command, usesDatabase: e.commandsUseDatabase !== false }))),
  ];
  const seen = new Set<string>();
  for (const { command } of commands) {
    if (seen.has(command.name)) throw new ModuleLoadError('asc', [`command "${command.name}" is defined twice`]);
    seen.add(command.name);
  }
  return commands;
}

export interface CliOptions {
  /** The modules to load; default: this repository's module. */
  modules?: ModuleSource[];
}

export async function main(argv: string[], runtime: CliRuntime = processRuntime(), options: CliOptions = {}): Promise<number> {
  const [name, ...args] = argv;
  const logger = new JsonLogger({ level: parseLogLevel(runtime.env.LOG_LEVEL), stream: runtime.stderr });
  const generalHelpWanted = name === undefined || GENERAL_HELP.has(name);
  const helpWanted = generalHelpWanted || args.includes('--help') || args.includes('-h');
  let host: Host | undefined;
  try {
    host = await createHost({
      // Help is built from the commands' flag specs and never queries the database, so it works
      // with a bad or missing DATABASE_URL: the host gets an unused in-memory SQLite instead.
      databaseUrl: helpWanted ? 'sqlite::memory:' : runtime.env.DATABASE_URL,
      connect: false,
      logger,
      env: runtime.env,
      varDir: path.resolve(runtime.cwd, 'var'),
      modules: options.modules ?? [{ directory: REPO_ROOT }],
      extensions: hostExtensions,
    });
    const ascCommands = allCommands(host, runtime);
    const commands = ascCommands.map((c) => c.command);
    if (generalHelpWanted) {
      line(name === undefined ? runtime.stderr : runtime.stdout, generalHelp(commands));
      return name === undefined ? 2 : 0;
    }
    const found = ascCommands.find((c) => c.command.name === name);
    if (!found) {
      line(runtime.stderr, `asc: unknown command ${quoted(name)}. Commands: ${commands.map((c) => c.name).join(', ')}`);
      return 2;
    }
    const { command, usesDatabase } = found;
    if (helpWanted) {
      line(runtime.stdout, commandHelp(command));
      return 0;
    }
    let flags;
    try {
      flags = parseFlags(command, args);
    } catch (error) {
      if (error instanceof FlagError) {
        line(runtime.stderr, `asc ${name}: ${error.message}`);
        return 2;
      }
      throw error;
    }
    if (usesDatabase) await host.checkConnection();
    if (usesDatabase && !RUN_BEFORE_MIGRATION.has(command.name)) {
      const pending = await host.pendingMigrations();
      if (pending.length > 0) {
        line(runtime.stderr, `asc ${name}: the database has ${pending.length} pending migration(s); run "asc migrate" first`);
        return 1;
      }
    }
    // A signal asks the command to stop at its next safe point; it then cleans up and returns.
    const interrupt = new AbortController();
    void runtime.waitForShutdown().then(() => interrupt.abort());
    const io: CliIO = { stdout: runtime.stdout, stderr: runtime.stderr, interactive: Boolean(runtime.stderr.isTTY), signal: interrupt.signal };
    return await command.run(flags, io);
  } catch (error) {
    const prefix = name ? `asc ${shortName(name)}` : 'asc';
    // By name too: a module may carry its own copy of the contract file (see src/host/tokens.ts).
    const usage = error instanceof CliUsageError || (error as Error)?.name === 'CliUsageError';
    if (usage || error instanceof DatabaseConfigError || error instanceof SecretKeyError) {
      line(runtime.stderr, `${prefix}: ${(error as Error).message}`);
      return 2;
    }
    if (error instanceof ModuleLoadError) {
      line(runtime.stderr, `${prefix}: ${error.message}`);
      return 1;
    }
    // Unexpected: one line for the person, the details in the JSON log (the logger summarizes a database error).
    logger.error('Command failed', { command: name, error });
    line(runtime.stderr, `${prefix}: failed: ${errorSummary(error)}`);
    return 1;
  } finally {
    await host?.close();
  }
}
