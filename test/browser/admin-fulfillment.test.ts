/**
 * Fulfillment as a merchant does it in the browser, with the Amazon sandbox behind: ship from the
 * host's order page and watch the Amazon row turn Shipped; cancel from the Amazon order page;
 * the host dashboard lists the orders to ship (a buyer name full of markup shown as text).
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, startE2E, type E2E } from '../support/e2e.ts';
import { fulfil } from '../support/fulfillment.ts';
import { describeInBrowser, screenshot } from './support/chromium.ts';
import { signedInTab, submit, type AdminTab } from './support/admin-browser.ts';

const XSS = '<img src=x onerror=alert(1)>';

describeInBrowser('fulfillment in Chromium', (browser) => {
  describeEachDatabase('ship, cancel and the orders to ship', (db) => {
    let e: E2E;
    let tab: AdminTab;
    let page: Page;
    let url: string;
    let closeAdmin: () => Promise<void>;
    const amazonPage = (id: string) => `${url}/admin/amazon/stores/${e.store.id}/orders/${id}`;
    const badge = () => page.locator('.asc-page-meta .asc-badge').textContent();

    before(async function () {
      this.timeout(60_000);
      e = await startE2E(db(), { integratedAt: new Date('2026-11-26T09:00:00Z') });
      const created = await e.host.services.users.create('admin', 'admin-password', 'admin');
      if (!created.ok) throw new Error(created.message);
      const admin = await e.host.startAdmin({ port: 0 });
      url = admin.url;
      closeAdmin = () => admin.close();
      for (const sku of ['MUG-BLUE-12OZ', 'TEE-BLK-M']) await e.product(sku, 100);
      // A tab that ignores the host's CSP: an unescaped buyer name would run its script.
      tab = await signedInTab(browser(), url, 'admin', { bypassCSP: true });
      page = tab.page;
    });

    after(async () => {
      await tab?.context.close();
      await closeAdmin?.();
      await e?.close();
    });

    async function imported(buyerName = 'Jane Buyer'): Promise<string> {
      const id = e.place({ items: [{ sku: 'MUG-BLUE-12OZ', qty: 2 }, { sku: 'TEE-BLK-M', qty: 1 }], status: 'UNSHIPPED', buyerName });
      e.advance(3 * MINUTE);
      expect(await e.sync()).to.include({ result: 'ok', imported: 1 });
      return id;
    }

    it('ships from the host order page; the Amazon order turns Shipped, and Amazon gets the tracking once', async function () {
      this.timeout(30_000);
      const id = await imported();
      const hostOrderId = (await e.stored(id)).hostOrderId!;
      await page.goto(`${url}/admin/orders/${hostOrderId}/ship`);
      await page.selectOption('#carrier_code', 'fedex');
      await page.fill('#tracking_number', '7489 2231 0000');
      await submit(page, 'Create shipment');
      expect(await page.locator('body').textContent()).to.contain('Shipment created.');

      await page.goto(amazonPage(id));
      expect(await badge()).to.equal('Shipped');
      const section = page.getByRole('region', { name: 'Fulfillment to Amazon' });
      expect(await section.textContent()).to.contain('Waiting to be sent');
      expect(await section.textContent()).to.contain('3 units with FedEx, tracking 7489 2231 0000');

      await fulfil(e).send();
      await page.reload();
      expect(await section.textContent()).to.contain('Accepted by Amazon');
      expect(e.amazon.getOrder(id)!.status).to.equal('SHIPPED');
      expect(e.amazon.requests({ operation: 'confirmShipment' })).to.have.length(1);
      await screenshot(page, 'amazon-order-fulfillment');
    });

    it('cancels from the Amazon order page: a reason is required, the host order is canceled too', async function () {
      this.timeout(30_000);
      const id = await imported();
      await page.goto(amazonPage(id));
      const reason = page.getByLabel('Reason');
      // The browser itself insists on a reason before the form goes.
      expect(await reason.evaluate((select) => (select as HTMLSelectElement).validity.valueMissing)).to.equal(true);
      await reason.selectOption('out_of_stock');
      await submit(page, 'Cancel order');
      expect(await page.getByRole('status').or(page.locator('.asc-alert--ok')).first().textContent()).to.contain('Cancel recorded and the host order canceled');
      expect(await badge()).to.equal('Canceled');
      expect(await page.getByRole('button', { name: 'Cancel order' }).count()).to.equal(0);
      expect((await e.hostOrder(id))?.state).to.equal('canceled');
    });

    it('lists the orders due to ship on the host dashboard, with the buyer name as text', async function () {
      this.timeout(30_000);
      const id = await imported(XSS);
      await page.goto(`${url}/admin`);
      const widget = page.getByRole('region', { name: 'Amazon orders to ship' });
      const rows = widget.locator('tr[data-order-number]');
      expect(await rows.evaluateAll((r) => r.map((row) => (row as HTMLElement).dataset.orderNumber))).to.deep.equal([id]);
      expect(await rows.first().locator('td').nth(4).textContent()).to.equal(XSS);
      expect(await rows.first().locator('td').nth(3).textContent()).to.equal('2 x MUG-BLUE-12OZ, 1 x TEE-BLK-M');
      expect(await widget.locator('img').count()).to.equal(0);
      await rows.first().getByRole('link', { name: id }).click();
      await page.waitForURL(amazonPage(id));
      expect(tab.dialogs).to.deep.equal([]);
      expect(tab.pageErrors).to.deep.equal([]);
      await page.goto(`${url}/admin`);
      await screenshot(page, 'host-dashboard-to-ship');
    });
  });
});
