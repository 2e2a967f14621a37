/**
 * A seller at the sandbox's Seller Central consent page, as a browser without JavaScript: loads the
 * page the module linked to, posts its form back with Confirm or Cancel, and answers where Amazon
 * sends the browser next (the module's callback).
 */
import { expect } from 'chai';
import { unescapeHtml } from './admin-client.ts';

export interface SandboxConsent {
  /** The 302's Location: the module's redirect URI with Amazon's answer in the query. */
  location: string;
}

export async function consentOnSandbox(consentUrl: string, decision: 'approve' | 'deny', sellerId?: string): Promise<SandboxConsent> {
  const page = await fetch(consentUrl, { redirect: 'manual' });
  const html = await page.text();
  expect(page.status, html).to.equal(200);
  const action = /<form method="post" action="([^"]+)">/.exec(html)![1]!;
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(name!, unescapeHtml(value!));
  form.set('selling_partner_id', sellerId ?? unescapeHtml(/name="selling_partner_id" value="([^"]+)" checked/.exec(html)![1]!));
  form.set('decision', decision);
  const answer = await fetch(new URL(action, consentUrl), { method: 'POST', body: form, redirect: 'manual' });
  expect(answer.status, await answer.clone().text()).to.equal(302);
  return { location: answer.headers.get('location')! };
}
