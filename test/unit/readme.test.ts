/** README stays true to the repository: every file or folder it names in backticks exists. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/host.ts';

describe('README', () => {
  it('names only paths that exist', () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const named = [...readme.matchAll(/`((?:src|test|sandbox|views|migrations|docs|bench|bin|\.ci)\/[^`\s]*)`/g)].map((m) => m[1]!);
    expect(named.length).to.be.greaterThan(10);
    expect([...new Set(named)].filter((p) => !fs.existsSync(path.join(REPO_ROOT, p)))).to.deep.equal([]);
  });
});
