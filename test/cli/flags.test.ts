import { expect } from 'chai';
import type { CliCommandContribution } from '../../src/host/contributions.ts';
import { FlagError, commandHelp, parseFlags } from '../../sandbox/host/cli/flags.ts';

const command: CliCommandContribution = {
  name: 'test:cmd',
  summary: 'A test command',
  flags: [
    { name: 'name', type: 'string', description: 'A name', required: true },
    { name: 'color', type: 'enum', values: ['red', 'blue'], description: 'A color' },
    { name: 'count', type: 'int', min: 1, description: 'A count' },
    { name: 'amount', type: 'decimal', description: 'An amount' },
    { name: 'since', type: 'date', description: 'A date' },
    { name: 'on', type: 'boolean', description: 'A switch with a value' },
    { name: 'json', type: 'switch', description: 'JSON output' },
  ],
  run: async () => 0,
};

const error = (args: string[]) => {
  try {
    parseFlags(command, args);
  } catch (e) {
    expect(e).to.be.instanceOf(FlagError);
    return (e as Error).message;
  }
  throw new Error('expected a FlagError');
};

describe('CLI flag parsing', () => {
  it('converts each type', () => {
    const flags = parseFlags(command, ['--name', 'x y', '--color=blue', '--count', '3', '--amount', '12.50', '--since', '2026-11-26', '--on', 'false', '--json']);
    expect(flags).to.deep.include({ name: 'x y', color: 'blue', count: 3, amount: '12.50', on: false, json: true });
    expect((flags.since as Date).toISOString()).to.equal('2026-11-26T00:00:00.000Z');
    expect((parseFlags(command, ['--name', 'a', '--since', '2026-11-26T10:00:00+02:00']).since as Date).toISOString()).to.equal('2026-11-26T08:00:00.000Z');
    expect(parseFlags(command, ['--name', 'a'])).to.deep.equal({ name: 'a', json: false });
  });

  it('names the flag and what is allowed for every mistake', () => {
    expect(error([])).to.equal('missing required flag --name (text)');
    expect(error(['--name', 'a', '--nope', '1'])).to.equal('unknown flag --nope (flags: --name, --color, --count, --amount, --since, --on, --json)');
    expect(error(['--name'])).to.equal('--name needs a value: text');
    expect(error(['--name', '--json'])).to.equal('--name needs a value: text');
    expect(error(['--name', 'a', '--color', 'green'])).to.equal('--color must be one of red, blue (got "green")');
    expect(error(['--name', 'a', '--count', '0'])).to.equal('--count must be a whole number >= 1 (got "0")');
    expect(error(['--name', 'a', '--count', '1.5'])).to.equal('--count must be a whole number >= 1 (got "1.5")');
    expect(error(['--name', 'a', '--amount', '1e3'])).to.match(/^--amount must be a decimal number/);
    expect(error(['--name', 'a', '--since', '2026-02-30'])).to.match(/^--since must be a date/);
    expect(error(['--name', 'a', '--since', '2026-11-26T10:00'])).to.match(/^--since must be a date/);
    expect(error(['--name', 'a', '--on', 'yes'])).to.equal('--on must be true or false (got "yes")');
    expect(error(['--name', 'a', '--json=true'])).to.equal('--json takes no value');
    expect(error(['--name', 'a', '--name', 'b'])).to.equal('--name is given twice');
    expect(error(['--name', 'a', 'stray'])).to.equal('unexpected argument "stray": flags look like --name value');
    expect(error(['--name', ' '])).to.equal('--name must not be empty');
    // In-process callers can pass what no console sends; a lone surrogate crashed encodeURIComponent in sandbox:order:cancel.
    expect(error(['--name', 'a\ud800b'])).to.equal('--name must be text (got half of a character, a lone UTF-16 surrogate)');
    expect(parseFlags(command, ['--name', '🦄 Zoë']).name).to.equal('🦄 Zoë');
  });

  it('quotes at most 80 characters of what was typed, so a pasted huge value is not echoed back whole', () => {
    const huge = 'x'.repeat(70_000);
    expect(error(['--name', 'a', '--color', huge])).to.equal(`--color must be one of red, blue (got "${'x'.repeat(79)}…")`);
    expect(error(['--name', 'a', huge])).to.equal(`unexpected argument "${'x'.repeat(79)}…": flags look like --name value`);
    expect(error(['--name', 'a', `--${huge}`])).to.equal(`unknown flag --${'x'.repeat(79)}… (flags: --name, --color, --count, --amount, --since, --on, --json)`);
  });

  it('generates --help from the flag specs', () => {
    const help = commandHelp(command);
    expect(help).to.contain('Usage: asc test:cmd [flags]');
    expect(help).to.match(/--name <text>\s+A name \(required\)/);
    expect(help).to.match(/--color <red\|blue>\s+A color/);
    expect(help).to.match(/--count <n>\s+A count \(>= 1\)/);
    expect(help).to.match(/--json\s+JSON output/);
    expect(help).to.match(/--help\s+Show this help/);
  });
});
