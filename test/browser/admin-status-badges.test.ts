/**
 * The grid's status badges as Chromium draws them from the module's stylesheet and order table:
 * every status must look different from every other (colour and a mark, not colour alone) and keep
 * its text readable (WCAG AA contrast for small text).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AdminViews, VIEWS_DIRECTORY } from '../../src/admin/renderer.ts';
import { AdminUrls } from '../../src/admin/admin-urls.ts';
import { gridColumns, gridRows } from '../../src/admin/order-grid-view.ts';
import { GRID_STATUSES } from '../../src/orders/rules.ts';
import { describeInBrowser, screenshot } from './support/chromium.ts';

type Rgb = [number, number, number];

function rgb(css: string): Rgb {
  const parts = /rgba?\((\d+), (\d+), (\d+)/.exec(css);
  if (!parts) throw new Error(`not an rgb colour: ${css}`);
  return [Number(parts[1]), Number(parts[2]), Number(parts[3])];
}

const linear = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);

function contrast(a: Rgb, b: Rgb): number {
  const luminance = ([r, g, bl]: Rgb) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(bl);
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** CIE76 colour difference: about 2 is "just noticeable", the old greys were 2.5 apart. */
function deltaE(a: Rgb, b: Rgb): number {
  const lab = ([r, g, bl]: Rgb) => {
    const [R, G, B] = [linear(r), linear(g), linear(bl)];
    const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
    const [x, y, z] = [(0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047, 0.2126 * R + 0.7152 * G + 0.0722 * B, (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883];
    return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
  };
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

describeInBrowser('status badges in Chromium', (browser) => {

  it('gives every grid status its own colour and mark, with readable text', async () => {
    // The real stylesheet and order table partial, rendered with one row per status.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asc-badges-'));
    fs.cpSync(path.join(VIEWS_DIRECTORY, 'partials'), path.join(dir, 'partials'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'badges.hbs'), '{{> styles}}<div class="asc" style="padding:1rem;width:60rem">{{> order-table}}</div>');
    const links = { order: (id: string) => `/admin/orders/${id}`, settings: () => '/admin/settings' };
    const rows = GRID_STATUSES.map((status, i) => ({
      id: i + 1, amazonOrderId: `113-0000000-000000${i}`, marketplaceId: 'ATVPDKIKX0DER', purchaseDate: new Date('2026-11-26T10:00:00Z'), status,
      buyerName: 'Jane', grandTotal: null, fulfilledBy: 'MERCHANT' as const, importState: 'imported', hostOrderId: null, hostOrderNumber: null, note: null,
    }));
    const html = new AdminViews(dir).render('badges', { caption: 'Statuses', columns: gridColumns(null, (q) => String(q)), rows: gridRows(rows, 1, true, new AdminUrls('/admin'), links), emptyText: '' });

    const page = await browser().newPage();
    await page.setContent(`<!doctype html><html lang="en"><body style="background:#fff">${html}</body></html>`);
    const badges = await page.locator('.asc-badge').evaluateAll((elements) =>
      elements.map((el) => {
        const style = getComputedStyle(el);
        return { text: el.textContent ?? '', background: style.backgroundColor, color: style.color, mark: getComputedStyle(el, '::before').content };
      }),
    );
    await screenshot(page, 'status-badges');
    await page.close();

    expect(badges.map((b) => b.text)).to.deep.equal([...GRID_STATUSES]);
    for (const badge of badges) {
      expect(contrast(rgb(badge.background), rgb(badge.color)), badge.text).to.be.at.least(4.5);
      expect(badge.mark, badge.text).to.not.be.oneOf(['none', 'normal', '']);
    }
    expect(new Set(badges.map((b) => b.mark)).size, 'one mark per status').to.equal(badges.length);
    for (let i = 0; i < badges.length; i++) {
      for (let j = i + 1; j < badges.length; j++) {
        const [a, b] = [badges[i], badges[j]];
        expect(deltaE(rgb(a.background), rgb(b.background)), `${a.text} / ${b.text} backgrounds`).to.be.at.least(8);
      }
    }
  });
});
