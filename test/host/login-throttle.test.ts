/** The sign-in throttle's counts, locks and their end, on both databases (rate-limiter-flexible on the host's tables). */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { openTestHost } from '../support/host.ts';
import { LoginThrottle } from '../../sandbox/host/login-throttle.ts';

describeEachDatabase('login throttle', (db) => {
  before(async () => {
    await openTestHost(db());
  });

  it('locks a username and address after their failures, for the lock only, and a success clears the count', async function () {
    this.timeout(10_000);
    const short = { keyPrefix: 't_user_ip', points: 2, duration: 60, blockDuration: 1 };
    const throttle = new LoginThrottle(db().knex, {
      userAndAddress: short,
      user: { keyPrefix: 't_user', points: 50, duration: 60, blockDuration: 60 },
      address: { keyPrefix: 't_ip', points: 50, duration: 60, blockDuration: 60 },
    });
    expect(await throttle.check('Ada', '10.0.0.1')).to.deep.equal({ allowed: true });
    for (let i = 0; i < 3; i += 1) await throttle.failed('Ada', '10.0.0.1');
    const locked = await throttle.check('ada', '10.0.0.1'); // the username as typed, in any case
    expect(locked.allowed).to.equal(false);
    expect(await throttle.check('ada', '10.0.0.2')).to.deep.equal({ allowed: true });
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the lock is 1 s here
    expect(await throttle.check('ada', '10.0.0.1')).to.deep.equal({ allowed: true });
    await throttle.failed('ada', '10.0.0.2');
    await throttle.failed('ada', '10.0.0.2');
    await throttle.succeeded('ada', '10.0.0.2');
    await throttle.failed('ada', '10.0.0.2');
    expect(await throttle.check('ada', '10.0.0.2')).to.deep.equal({ allowed: true });
  });
});
