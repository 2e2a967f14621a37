/** Small helpers for driving the reference host's admin in Chromium. */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface AdminTab {
  context: BrowserContext;
  page: Page;
  /** Alerts/confirms and uncaught script errors seen so far: tests expect none. */
  dialogs: string[];
  pageErrors: string[];
}

/**
 * A browser context signed in as `username` (password `<username>-password`, as startTestAdmin
 * creates). `bypassCSP` makes Chromium ignore the host's Content-Security-Policy, so markup that
 * slipped through escaping would really run (the CSP alone would block it and hide the bug).
 */
export async function signedInTab(browser: Browser, baseUrl: string, username: string, options: { bypassCSP?: boolean } = {}): Promise<AdminTab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, bypassCSP: options.bypassCSP ?? false });
  const page = await context.newPage();
  const tab: AdminTab = { context, page, dialogs: [], pageErrors: [] };
  page.on('dialog', async (dialog) => {
    tab.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('pageerror', (error) => tab.pageErrors.push(error.message));
  await login(page, baseUrl, username);
  return tab;
}

export async function login(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.fill('#username', username);
  await page.fill('#password', `${username}-password`);
  await Promise.all([page.waitForURL(/\/admin(\/|$)/), page.click('button[type="submit"]')]);
  expect(await page.locator('header').textContent()).to.contain(username);
}

/** Amazon order numbers of the grid rows on the page, top to bottom. */
export function gridRows(page: Page): Promise<string[]> {
  return page.locator('tr[data-order-number]').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.orderNumber!));
}

/** Clicks a submit button and waits for the page it leads to. */
export async function submit(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: true }).click()]);
}
