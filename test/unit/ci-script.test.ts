/** .ci/run's checks that come before anything is installed or started. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/host.ts';

const ciRun = (env: NodeJS.ProcessEnv) => spawnSync(path.join(REPO_ROOT, '.ci/run'), [], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10000 });

describe('.ci/run', () => {
  it('stops at once, with a message, when the SP-API models are missing', () => {
    const run = ciRun({ AMAZON_MODELS_DIR: '/nonexistent/amazon-models' });
    expect(run.status).to.equal(1);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.equal(
      'The SP-API models are missing: /nonexistent/amazon-models has no orders_2026-01-01.json; put them there or set AMAZON_MODELS_DIR\n',
    );
  });

  it("checks the MariaDB of TEST_MYSQL_URL, not 127.0.0.1:3306, and starts none for another host", () => {
    // 127.0.0.2 refuses at once (loopback) and is not where a local MariaDB would be started.
    const run = ciRun({ TEST_MYSQL_URL: 'mysql://root@127.0.0.2:1/test_ci' });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.equal('MariaDB does not answer at 127.0.0.2:1 (from TEST_MYSQL_URL)\n');
  });
});
