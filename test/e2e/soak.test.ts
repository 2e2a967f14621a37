/**
 * The crash and concurrency soak, short (reliability/soak.ts; `npm run soak` runs it with 200
 * kills and reports its figures): real `asc sync` and `asc outbox:send` processes killed with
 * SIGKILL while the merchant works, then every invariant checked against Amazon's and the host's
 * own records. MariaDB only: the soak is about many processes on one server database.
 * SOAK_KILLS and SOAK_SEED change its length and replay a run.
 */
import { expect } from 'chai';
import { describeOnDatabase } from '../support/databases.ts';
import { runSoak } from '../../reliability/soak.ts';

const KILLS = Number(process.env.SOAK_KILLS ?? 24);
const SEED = Number(process.env.SOAK_SEED ?? 20261203);

describeOnDatabase('mysql', 'crash and concurrency soak, short', (db) => {
  it(`${KILLS} workers killed at random points: every order imported once, every shipment confirmed once, every refund sent once, no status lost, no lease left`, async function () {
    this.timeout(10 * 60_000);
    const report = await runSoak({ database: db(), kills: KILLS, seed: SEED });
    const replay = `(replay with SOAK_SEED=${SEED} SOAK_KILLS=${KILLS})`;
    expect(report.violations, `invariants broken ${replay}`).to.deep.equal([]);
    expect(report.kills.sync + report.kills.outbox, replay).to.be.at.least(KILLS);
    // The run did what it is for: both kinds of worker died, and the merchant's work went through.
    expect(report.kills.sync, replay).to.be.greaterThan(0);
    expect(report.kills.outbox, replay).to.be.greaterThan(0);
    expect(report.hostOrders, replay).to.be.greaterThan(0);
    expect(report.shipments, replay).to.be.greaterThan(0);
  });
});
