/**
 * A merchant connecting their store in Chromium: the empty Amazon Stores page, Connect an Amazon
 * store, Confirm on the sandbox's Seller Central, back on the new store's dashboard, and the orders
 * after the sync. A screenshot of each step goes to test-output/screenshots/.
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { REPO_ROOT, startTestAdmin, type AdminTestHost } from '../support/host.ts';
import { SandboxClock, type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import type { ClockPort } from '../../src/host/ports.ts';
import { AmazonAppSettings } from '../../src/stores/amazon-app.ts';
import { sandboxApplication } from '../../sandbox/amazon/extension.ts';
import { Stores } from '../../src/stores/stores.ts';
import { OrderSync } from '../../src/sync/order-sync.ts';
import { describeInBrowser, screenshot } from './support/chromium.ts';
import { gridRows, signedInTab, submit, type AdminTab } from './support/admin-browser.ts';

const MINUTE = 60_000;

describeInBrowser('connecting a store in the browser', (browser) => {
  describeEachDatabase('connect', (db) => {
    const sandboxClock = new SandboxClock({ start: '2026-11-26T10:00:00.000Z', speed: 0 });
    const clock: ClockPort = { now: () => new Date(sandboxClock.now()) };
    let amazon: RunningAmazonSandbox;
    let t: AdminTestHost;
    let tab: AdminTab;

    before(async function () {
      this.timeout(60_000);
      amazon = await startCheckedSandbox({ port: 0, clock: sandboxClock, verificationDelayMs: 5 * MINUTE });
      t = await startTestAdmin(db(), { modules: [{ directory: REPO_ROOT }], clock });
      await t.host.container.get(AmazonAppSettings).save(sandboxApplication(amazon, t.url));
      tab = await signedInTab(browser(), t.url, 'admin');
    });

    after(async () => {
      await tab?.context.close();
      await t?.close();
      await amazon?.close();
    });

    it('empty Amazon Stores, Connect, Confirm at Seller Central, the new dashboard, its orders', async function () {
      this.timeout(60_000);
      const { page } = tab;
      await page.goto(`${t.url}/admin/amazon/stores`);
      expect(await page.textContent('.asc')).to.contain('No Amazon store is connected yet');
      await screenshot(page, `${db().kind}-connect-1-empty-stores`);

      await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Connect an Amazon store' }).first().click()]);
      await page.getByLabel('Store name', { exact: true }).first().fill('My US store');
      await page.locator('#asc-connect-marketplace').selectOption('ATVPDKIKX0DER');
      await screenshot(page, `${db().kind}-connect-2-form`);
      await submit(page, 'Continue to Amazon');
      expect(await page.textContent('.asc')).to.contain('sign in to Amazon Seller Central');
      await screenshot(page, `${db().kind}-connect-3-continue`);

      await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Continue to Seller Central' }).click()]);
      expect(page.url().startsWith(`${amazon.url}/apps/authorize/consent?`)).to.equal(true);
      expect(await page.textContent('h1')).to.contain('Sandbox demo app');
      await screenshot(page, `${db().kind}-connect-4-seller-central`);

      // Confirm: Seller Central sends the browser back to the admin, which lands on the new store.
      await Promise.all([page.waitForURL(/\/admin\/amazon\/stores\/\d+\?store=connected$/), page.getByRole('button', { name: 'Confirm' }).click()]);
      const [store] = await t.host.container.get(Stores).list();
      expect(store).to.include({ name: 'My US store', sellerId: amazon.demoApp.sellerId });
      expect(await page.textContent('.asc')).to.contain('The store is connected. Its first sync starts within a minute');
      await screenshot(page, `${db().kind}-connect-5-dashboard`);

      // An order the buyer places now reaches the dashboard with the next sync.
      const orderId = amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, marketplaceId: 'ATVPDKIKX0DER', items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }], status: 'UNSHIPPED' }).orderId;
      sandboxClock.advance(5 * MINUTE);
      // The host's first-sync cron job.
      const [first] = await t.host.container.get(OrderSync).runDue();
      expect(first).to.include({ storeId: store!.id, result: 'ok' });
      await page.goto(`${t.url}/admin/amazon/stores/${store!.id}`);
      expect(await gridRows(page)).to.deep.equal([orderId]);
      await screenshot(page, `${db().kind}-connect-6-orders`);
    });
  });
});
