/**
 * Real-time updates in Chromium through the reference host: from the store dashboard's Sync
 * health to the page, a refused form, turning on and off. Turning on needs an SQS queue and
 * Amazon's Notifications API, so RealtimeUpdates.enable (resolved from the module's container) is
 * a sinon stub saving what the service saves; turning off is the real service (a row without
 * Amazon's subscription id asks Amazon nothing). Screenshots go to test-output/screenshots/.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { describeEachDatabase } from '../support/databases.ts';
import { REPO_ROOT, startTestAdmin, type AdminTestHost } from '../support/host.ts';
import { FakeClock } from '../support/fake-time.ts';
import { Ports } from '../../src/host/tokens.ts';
import type { SecretsPort } from '../../src/host/ports.ts';
import { RealtimeUpdates, STORE_NOTIFICATIONS_TABLE } from '../../src/notifications/realtime-updates.ts';
import { Stores } from '../../src/stores/stores.ts';
import type { AmazonStore } from '../../src/stores/store.ts';
import { describeInBrowser, screenshot } from './support/chromium.ts';
import { signedInTab, submit, type AdminTab } from './support/admin-browser.ts';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/amazon-orders';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describeInBrowser('real-time updates in the browser', (browser) => {
  describeEachDatabase('real-time updates', (db) => {
    const clock = new FakeClock(new Date('2026-11-26T10:00:00.000Z'));
    let t: AdminTestHost;
    let tab: AdminTab;
    let store: AmazonStore;

    before(async function () {
      this.timeout(60_000);
      t = await startTestAdmin(db(), { modules: [{ directory: REPO_ROOT }], clock });
      store = await t.host.container.get(Stores).add({
        name: 'Acme US', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0001', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z'),
      });
      tab = await signedInTab(browser(), t.url, 'admin');
    });

    after(async () => {
      sinon.restore();
      await tab?.context.close();
      await t?.close();
    });

    it('from Sync health to the page: a refused form, turned on, turned off', async function () {
      this.timeout(60_000);
      const { page } = tab;
      const field = (label: string) => page.getByLabel(label, { exact: true });
      await page.goto(`${t.url}/admin/amazon/stores/${store.id}`);
      const sync = page.locator('section', { has: page.locator('#asc-sync-heading') });
      expect(await sync.textContent()).to.contain('Real-time updates').and.contain('Off');
      await Promise.all([page.waitForEvent('load'), sync.getByRole('link', { name: 'Turn on real-time updates' }).click()]);
      expect(await page.locator('h1').textContent()).to.equal('Real-time updates · Acme US');
      expect(await page.textContent('.asc')).to.contain('437568002678').and.contain('Amazon sends nothing to FIFO queues');
      await screenshot(page, `${db().kind}-realtime-1-off`);

      // Refused: the message at its field, what was typed kept, the secret field empty.
      await field('Queue URL').fill('https://sqs.us-east-1.amazonaws.com/amazon-orders');
      await field('Access key ID').fill(KEY_ID);
      await field('Secret access key').fill(SECRET);
      await submit(page, 'Turn on');
      expect(await page.locator('#asc-rt-queue_url-error').textContent()).to.contain('must end with the AWS account (12 digits)');
      expect(await field('Queue URL').inputValue()).to.equal('https://sqs.us-east-1.amazonaws.com/amazon-orders');
      expect(await field('Access key ID').inputValue()).to.equal(KEY_ID);
      expect(await field('Secret access key').inputValue()).to.equal('');
      expect(await field('Safety-net poll (minutes)').inputValue()).to.equal('30');
      await screenshot(page, `${db().kind}-realtime-2-refused`);
      expect(await db().knex(STORE_NOTIFICATIONS_TABLE).select('store_id')).to.deep.equal([]);

      // The page fits a 768 px window, the policy statement included.
      await page.setViewportSize({ width: 768, height: 900 });
      try {
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).to.equal(0);
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }

      // Turned on: the stub saves what the service saves once the queue and Amazon said yes.
      const secrets = t.host.container.get<SecretsPort>(Ports.Secrets);
      const enable = sinon.stub(t.host.container.get(RealtimeUpdates), 'enable').callsFake(async (storeId, input) => {
        await db().knex(STORE_NOTIFICATIONS_TABLE).insert({
          store_id: storeId, enabled: true, queue_url: input.queueUrl.trim(), queue_arn: 'arn:aws:sqs:us-east-1:123456789012:amazon-orders', aws_region: 'us-east-1',
          aws_access_key_id: input.accessKeyId, aws_secret_encrypted: await secrets.encrypt(input.secretAccessKey ?? ''), destination_id: null, subscription_id: null,
          poll_interval_minutes: input.pollIntervalMinutes ?? 30, messages_processed: 0, updated_at: clock.now(),
        });
        return { ok: true, notifications: (await t.host.container.get(RealtimeUpdates).get(storeId))! };
      });
      await field('Queue URL').fill(QUEUE_URL);
      await field('Secret access key').fill(SECRET);
      await field('Safety-net poll (minutes)').fill('20');
      await submit(page, 'Turn on');
      expect(enable.firstCall.args[1]).to.deep.include({ queueUrl: QUEUE_URL, accessKeyId: KEY_ID, secretAccessKey: SECRET, pollIntervalMinutes: 20 });
      expect(page.url()).to.match(/\/realtime\?realtime=on$/);
      const on = await page.textContent('.asc');
      expect(on).to.contain('Real-time updates are on').and.contain(QUEUE_URL).and.contain('every 20 minutes').and.not.contain(SECRET);
      expect(await field('Secret access key').inputValue()).to.equal('');
      expect(await page.content()).not.to.contain(SECRET);
      await screenshot(page, `${db().kind}-realtime-3-on`);

      await page.goto(`${t.url}/admin/amazon/stores/${store.id}`);
      expect(await sync.textContent()).to.contain('On').and.contain('None yet').and.contain('every 20 minutes');
      await screenshot(page, `${db().kind}-realtime-4-dashboard`);

      // Turned off by the real service.
      await Promise.all([page.waitForEvent('load'), sync.getByRole('link', { name: 'Real-time updates settings' }).click()]);
      await submit(page, 'Turn off');
      expect(page.url()).to.match(/\/realtime\?realtime=off$/);
      expect(await page.textContent('.asc')).to.contain('Real-time updates are off');
      expect((await db().knex(STORE_NOTIFICATIONS_TABLE).first('enabled'))?.enabled).to.satisfy((v: unknown) => !v);
      expect(tab.pageErrors).to.deep.equal([]);
    });
  });
});
