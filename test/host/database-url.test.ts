import { expect } from 'chai';
import { maskUrl, parseDatabaseUrl } from '../../sandbox/host/database.ts';

describe('DATABASE_URL masking', () => {
  it('masks the whole password, also one containing @, : or /', () => {
    const cases: Array<[string, string]> = [
      ['mysql://u:p@ss@127.0.0.1:1/db', 'mysql://u:***@127.0.0.1:1/db'],
      ['mysql://app:hunter2@db.example:3306/shop', 'mysql://app:***@db.example:3306/shop'],
      ['mariadb://u:a:b@c/d@h/db', 'mariadb://u:***@h/db'],
      ['mysql://u:p/ss@h/db', 'mysql://u:***@h/db'],
      ['mysql://root@127.0.0.1:3306/test', 'mysql://root@127.0.0.1:3306/test'],
      ['sqlite:var/x.sqlite', 'sqlite:var/x.sqlite'],
    ];
    for (const [url, masked] of cases) expect(maskUrl(url), url).to.equal(masked);
  });

  it('reads a password containing @ as URL parsing does: up to the last @', () => {
    expect(parseDatabaseUrl('mysql://u:p@ss@127.0.0.1:1/db')).to.deep.include({ user: 'u', password: 'p@ss', host: '127.0.0.1', port: 1, database: 'db' });
  });
});
