/**
 * The admin pages with the whole chain behind them: the Amazon sandbox, the module's sync and the
 * reference host, sharing one clock that the test moves. What the admin does in the browser (Order
 * Settings, a manual listing match) must show its effect after the next sync, on both databases.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { describeEachDatabase } from '../support/databases.ts';
import { REPO_ROOT, startTestAdmin, type AdminTestHost } from '../support/host.ts';
import { SandboxClock, type RunningAmazonSandbox, type PlaceOrderInput } from '../../sandbox/amazon/index.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import type { ClockPort } from '../../src/host/ports.ts';
import { Stores } from '../../src/stores/stores.ts';
import { OrderRepository } from '../../src/orders/order-repository.ts';
import { OrderSync, type StoreSyncResult } from '../../src/sync/order-sync.ts';
import type { AmazonStore } from '../../src/stores/store.ts';
import { describeInBrowser, screenshot } from './support/chromium.ts';
import { gridRows, signedInTab, submit, type AdminTab } from './support/admin-browser.ts';

const MINUTE = 60_000;
const XSS = '<img src=x onerror=alert(1)>';

describeInBrowser('admin pages with the Amazon sandbox and the sync', (browser) => {

  describeEachDatabase('admin and sync', (db) => {
    const sandboxClock = new SandboxClock({ start: '2026-11-26T10:00:00.000Z', speed: 0 });
    const clock: ClockPort = { now: () => new Date(sandboxClock.now()) };
    let amazon: RunningAmazonSandbox;
    let t: AdminTestHost;
    let store: AmazonStore;
    let tab: AdminTab;
    let page: Page;
    const path = (p: string) => `${t.url}/admin${p}`;
    const repository = () => t.host.container.get(OrderRepository);
    const place = (input: Omit<PlaceOrderInput, 'sellerId' | 'marketplaceId'>) =>
      amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, marketplaceId: 'ATVPDKIKX0DER', ...input }).orderId;
    /**
     * Amazon verifies the payment (Pending -> Unshipped after 5 minutes); the sync runs once that
     * change is older than its two-minute safety lag.
     */
    async function verifyAndSync(): Promise<StoreSyncResult> {
      sandboxClock.advance(8 * MINUTE);
      const [result] = await t.host.container.get(OrderSync).run({ storeId: store.id });
      expect(result.result, result.error ?? '').to.equal('ok');
      return result;
    }
    async function openOrderNumber(amazonOrderId: string) {
      await page.goto(path(`/amazon/stores/${store.id}/orders?orderNumber=${amazonOrderId}`));
      expect(await gridRows(page)).to.deep.equal([amazonOrderId]);
      return page.getByRole('link', { name: new RegExp(`^${amazonOrderId}`) });
    }

    before(async function () {
      this.timeout(60_000);
      amazon = await startCheckedSandbox({ port: 0, clock: sandboxClock, verificationDelayMs: 5 * MINUTE });
      t = await startTestAdmin(db(), { modules: [{ directory: REPO_ROOT }], clock });
      for (const sku of ['MUG-BLUE-12OZ', 'TEE-BLK-M']) {
        const saved = await t.host.services.catalog.create({ sku, name: `Product ${sku}`, qty: 100, enabled: true, manageStock: true });
        if (!saved.ok) throw new Error('catalog');
      }
      store = await t.host.container.get(Stores).add({
        name: 'Sandbox US',
        region: 'na',
        marketplaceId: 'ATVPDKIKX0DER',
        sellerId: amazon.demoApp.sellerId,
        clientId: amazon.demoApp.clientId,
        clientSecret: amazon.demoApp.clientSecret,
        refreshToken: amazon.demoApp.refreshToken,
        spApiEndpoint: amazon.url,
        lwaEndpoint: amazon.lwaUrl,
        integratedAt: clock.now(),
      });
      // A tab that ignores the host's CSP: an unescaped buyer name would run its script and alert.
      tab = await signedInTab(browser(), t.url, 'admin', { bypassCSP: true });
      page = tab.page;
    });

    after(async () => {
      await tab?.context.close();
      await t?.close();
      await amazon?.close();
    });

    afterEach(() => {
      expect(tab.dialogs, 'dialogs').to.deep.equal([]);
      expect(tab.pageErrors, 'page errors').to.deep.equal([]);
    });

    it('shows what the sync brought in: sync health, the orders, an HTML buyer name as text, and the import problem', async () => {
      const mug = place({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 2 }], buyerName: 'Jane Cooper' });
      const xss = place({ items: [{ sku: 'TEE-BLK-M', qty: 1 }], buyerName: XSS });
      const lamp = place({ items: [{ sku: 'LAMP-BLUE-XL', qty: 1, price: '40.00', title: 'Blue lamp, XL' }], buyerName: 'Wade Warren' });
      const result = await verifyAndSync();
      expect(result).to.include({ imported: 2, blocked: 1 });

      await page.goto(path(`/amazon/stores/${store.id}`));
      const health = await page.locator('section[aria-labelledby="asc-sync-heading"]').textContent();
      expect(health).to.contain('2026-11-26 10:08 UTC').and.contain('ok').and.contain('2026-11-26 10:10 UTC');
      expect(await page.locator('.messages').textContent()).to.contain('Your Amazon store(s) have orders that cannot be imported.').and.contain('Sandbox US');
      expect(await page.locator('.messages').getByRole('link', { name: '1 blocked order in Sandbox US' }).count()).to.equal(1);
      // The module's style block is sent once, though the page and the system message are both module fragments.
      expect(await page.locator('style').evaluateAll((styles) => styles.filter((s) => s.textContent?.includes('.asc-table-wrap')).length)).to.equal(1);
      expect(await gridRows(page)).to.have.members([mug, xss, lamp]);
      expect(await page.getByText(XSS).first().isVisible()).to.equal(true);
      expect(await page.locator('main img').count()).to.equal(0);
      await screenshot(page, `${db().kind}-sandbox-dashboard`);

      const hostOrder = await t.host.services.orders.findByExternalReference('amazon', mug);
      await (await openOrderNumber(mug)).click();
      await page.waitForURL(new RegExp(`/admin/orders/${hostOrder!.id}$`));
      expect(await page.locator('h1').textContent()).to.equal(`Order ${hostOrder!.number}`);
    });

    it('resolves an unmatched SKU in the browser, and the host order appears', async () => {
      const lamp = (await repository().getMany(await repository().awaitingCreationIds(store.id))).find((o) => o.importState === 'blocked')!.amazonOrderId;
      expect(await t.host.services.orders.findByExternalReference('amazon', lamp)).to.equal(null);
      const saved = await t.host.services.catalog.create({ sku: 'LAMP-1', name: 'Blue lamp', qty: 3, enabled: true, manageStock: true });
      if (!saved.ok) throw new Error('catalog');

      await (await openOrderNumber(lamp)).click();
      await page.waitForURL(new RegExp(`/orders/${lamp}$`));
      expect(await page.locator('main').textContent()).to.contain('SKU "LAMP-BLUE-XL" is not in the catalog');
      await page.getByRole('link', { name: 'Match listings' }).click();
      await page.waitForURL(/unmatched$/);
      expect(await page.locator('tbody tr').allTextContents()).to.have.length(1);
      await screenshot(page, `${db().kind}-unmatched-listings`);
      await page.getByLabel('Host product SKU for LAMP-BLUE-XL').fill('LAMP-1');
      await submit(page, 'Assign');
      expect(await page.locator('[role="status"]').first().textContent()).to.contain('Listing matched: 1 order imported.');
      expect(await page.locator('.messages').count()).to.equal(0);

      const hostOrder = await t.host.services.orders.findByExternalReference('amazon', lamp);
      expect(hostOrder?.items.map((i) => i.sku)).to.deep.equal(['LAMP-1']);
      await (await openOrderNumber(lamp)).click();
      await page.waitForURL(new RegExp(`/admin/orders/${hostOrder!.id}$`));
      expect(await page.locator('main').textContent()).to.contain('LAMP-1');
    });

    it('changes Order Settings in the browser; the next sync uses them', async () => {
      const settingsPage = async () => {
        await page.goto(path(`/amazon/stores/${store.id}`));
        await page.getByRole('link', { name: 'Order Settings' }).click();
        await page.waitForURL(/\/admin\/settings\/amazon_order_settings\?scope=/);
      };

      // Amazon order numbers for host orders: the next imported order is numbered like Amazon's.
      await settingsPage();
      await page.getByLabel('Order Number Source').selectOption('amazon');
      await submit(page, 'Save');
      expect(await page.locator('.flash').textContent()).to.equal('Settings saved.');
      const numbered = place({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 1 }], buyerName: 'Esther Howard' });
      await verifyAndSync();
      await (await openOrderNumber(numbered)).click();
      await page.waitForURL(/\/admin\/orders\/\d+$/);
      expect(await page.locator('h1').textContent()).to.equal(`Order ${numbered}`);

      // Import disabled: the next order is synced and shown, but no host order; its number opens Seller Central.
      await settingsPage();
      await page.getByLabel('Import Amazon Orders', { exact: true }).selectOption('disabled');
      await submit(page, 'Save');
      await screenshot(page, `${db().kind}-sandbox-order-settings-disabled`);
      const viewOnly = place({ items: [{ sku: 'TEE-BLK-M', qty: 1 }], buyerName: 'Robert Fox' });
      const result = await verifyAndSync();
      expect(result.imported).to.equal(0);
      expect(await t.host.services.orders.findByExternalReference('amazon', viewOnly)).to.equal(null);
      const link = await openOrderNumber(viewOnly);
      expect(await link.getAttribute('href')).to.equal(`https://sellercentral.amazon.com/orders-v3/order/${viewOnly}`);
      expect(await page.locator('.asc-alert--info').textContent()).to.contain('Order import is disabled');
    });
  });
});
