/**
 * The host parses and validates every command's flags from its CliFlag specs, so modules never
 * see raw argv. Every mistake is one line naming the flag and what is allowed (exit code 2).
 */
import type { CliCommandContribution, CliFlag, CliFlagValue } from '../../../src/host/contributions.ts';
import { quoted, shorten } from '../../../src/text.ts';

export class FlagError extends Error {
  override name = 'FlagError';
}

export type ParsedFlags = Record<string, CliFlagValue | undefined>;

/** What a flag accepts, in words (used in errors and help). */
export function allowed(flag: CliFlag): string {
  switch (flag.type) {
    case 'string':
      return 'text';
    case 'enum':
      return `one of ${flag.values.join(', ')}`;
    case 'int':
      return flag.min === undefined ? 'a whole number' : `a whole number >= ${flag.min}`;
    case 'decimal':
      return 'a decimal number like 12.50';
    case 'date':
      return 'a date (2026-11-26) or a date-time with zone (2026-11-26T10:00:00Z)';
    case 'boolean':
      return 'true or false';
    case 'switch':
      return 'no value';
  }
}

function placeholder(flag: CliFlag): string {
  switch (flag.type) {
    case 'string':
      return '<text>';
    case 'enum':
      return `<${flag.values.join('|')}>`;
    case 'int':
      return '<n>';
    case 'decimal':
      return '<amount>';
    case 'date':
      return '<date>';
    case 'boolean':
      return '<true|false>';
    case 'switch':
      return '';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function convert(flag: CliFlag, raw: string): CliFlagValue {
  const bad = () => new FlagError(`--${flag.name} must be ${allowed(flag)} (got ${quoted(raw)})`);
  switch (flag.type) {
    case 'string':
      if (raw.trim() === '') throw new FlagError(`--${flag.name} must not be empty`);
      // Half of a UTF-16 surrogate pair is no character: no console sends one, and URLs and database columns refuse it.
      if (!raw.isWellFormed()) throw new FlagError(`--${flag.name} must be text (got half of a character, a lone UTF-16 surrogate)`);
      return raw;
    case 'enum':
      if (!flag.values.includes(raw)) throw bad();
      return raw;
    case 'int': {
      if (!/^-?\d{1,15}$/.test(raw)) throw bad();
      const value = Number(raw);
      if (flag.min !== undefined && value < flag.min) throw bad();
      return value;
    }
    case 'decimal':
      // Kept as a string: amounts never become floats.
      if (!/^-?\d{1,15}(\.\d{1,4})?$/.test(raw)) throw bad();
      return raw;
    case 'date': {
      if (!DATE.test(raw) && !DATE_TIME.test(raw)) throw bad();
      const date = new Date(DATE.test(raw) ? `${raw}T00:00:00Z` : raw);
      if (Number.isNaN(date.getTime())) throw bad();
      // JS rolls "2026-02-30" over to March 2nd; a day that does not round-trip does not exist.
      const [year, month, day] = raw.slice(0, 10).split('-').map(Number);
      const check = new Date(Date.UTC(year!, month! - 1, day!));
      if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) throw bad();
      return date;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw bad();
      return raw === 'true';
    case 'switch':
      throw new FlagError(`--${flag.name} takes no value`);
  }
}

/** A flag or command name as typed, shortened like a quoted value: an error line never repeats a pasted 70,000-character argument whole. */
export const shortName = (name: string): string => shorten(name, 80);

export function parseFlags(command: CliCommandContribution, args: string[]): ParsedFlags {
  const specs = new Map(command.flags.map((f) => [f.name, f]));
  const values: ParsedFlags = {};
  const given = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') throw new FlagError(`unexpected argument ${quoted(arg)}: flags look like --name value`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = specs.get(name);
    if (!flag) {
      const known = command.flags.map((f) => `--${f.name}`).join(', ') || 'none';
      throw new FlagError(`unknown flag --${shortName(name)} (flags: ${known})`);
    }
    if (given.has(name)) throw new FlagError(`--${name} is given twice`);
    given.add(name);
    if (flag.type === 'switch') {
      if (eq !== -1) throw new FlagError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) raw = args[++i];
    if (raw === undefined) throw new FlagError(`--${name} needs a value: ${allowed(flag)}`);
    values[name] = convert(flag, raw);
  }
  for (const flag of command.flags) {
    if (flag.type === 'switch') values[flag.name] ??= false;
    else if (flag.required && values[flag.name] === undefined) throw new FlagError(`missing required flag --${flag.name} (${allowed(flag)})`);
  }
  return values;
}

export function commandHelp(command: CliCommandContribution): string {
  const rows = [
    ...command.flags.map((f) => [
      `--${f.name}${placeholder(f) ? ` ${placeholder(f)}` : ''}`,
      `${f.description}${'required' in f && f.required ? ' (required)' : ''}${f.type === 'int' && f.min !== undefined ? ` (>= ${f.min})` : ''}`,
    ]),
    ['--help', 'Show this help'],
  ];
  const width = Math.max(...rows.map(([a]) => a!.length)) + 2;
  return [
    `Usage: asc ${command.name}${command.flags.length ? ' [flags]' : ''}`,
    '',
    command.summary,
    '',
    'Flags:',
    ...rows.map(([a, b]) => `  ${a!.padEnd(width)}${b}`),
    '',
  ].join('\n');
}

export function generalHelp(commands: CliCommandContribution[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: asc <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run "asc <command> --help" for the flags of a command.',
    'Exit codes: 0 success, 1 failure, 2 usage or configuration error.',
    '',
  ].join('\n');
}
