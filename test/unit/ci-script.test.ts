/** .ci/run's checks that come before anything is installed or started. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/host.ts';

describe('.ci/run', () => {
  it('stops at once, with a message, when the SP-API models are missing', () => {
    const run = spawnSync(path.join(REPO_ROOT, '.ci/run'), [], {
      env: { ...process.env, AMAZON_MODELS_DIR: '/nonexistent/amazon-models' },
      encoding: 'utf8',
      timeout: 10000,
    });
    expect(run.status).to.equal(1);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.equal(
      'The SP-API models are missing: /nonexistent/amazon-models has no orders_2026-01-01.json; put them there or set AMAZON_MODELS_DIR\n',
    );
  });
});
