/** The module (src/, views/, migrations/) never depends on the reference host in sandbox/. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/host.ts';

const MODULE_DIRS = ['src', 'views', 'migrations'];
const SANDBOX = path.join(REPO_ROOT, 'sandbox');

/** Every module specifier of a file: static imports and re-exports, dynamic import(), require(). */
function specifiers(source: string): string[] {
  const patterns = [/\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

describe('module boundary', () => {
  it('no file in src/, views/ or migrations/ imports from sandbox/', () => {
    const offenders: string[] = [];
    for (const dir of MODULE_DIRS) {
      for (const file of fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        const full = path.join(REPO_ROOT, dir, file);
        if (!fs.statSync(full).isFile()) continue;
        for (const specifier of specifiers(fs.readFileSync(full, 'utf8'))) {
          const intoSandbox = specifier.startsWith('.')
            ? path.resolve(path.dirname(full), specifier).startsWith(`${SANDBOX}${path.sep}`)
            : /(^|\/)sandbox\//.test(specifier);
          if (intoSandbox) {
            offenders.push(`${path.join(dir, file)}: ${specifier}`);
          }
        }
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it('the scan sees every kind of import', () => {
    const source = [
      "import { a } from '../../sandbox/host/host.ts';",
      "import type { B } from '../sandbox/x.ts';",
      "export * from './sandbox-not/y.ts';",
      "import '../sandbox/side-effect.ts';",
      "const c = await import('../sandbox/lazy.ts');",
      "import {\n  d,\n} from '../sandbox/multi.ts';",
    ].join('\n');
    expect(specifiers(source)).to.have.members([
      '../../sandbox/host/host.ts', '../sandbox/x.ts', './sandbox-not/y.ts', '../sandbox/side-effect.ts', '../sandbox/lazy.ts', '../sandbox/multi.ts',
    ]);
  });
});
