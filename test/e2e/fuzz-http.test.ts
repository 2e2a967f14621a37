/**
 * Fuzzing the reference host's admin over real HTTP, with the module loaded and orders imported
 * from the Amazon sandbox, seeded (FUZZ_SEED replays a run): every host and module page and form
 * with raw, hostile request lines (bad and overlong percent-encoding, invalid UTF-8, odd methods'
 * bodies, junk cookies, missing or wrong CSRF tokens, oversized forms). No answer is a 5xx or
 * shows SQL, a database error code or a stack trace; a refused form changes nothing stored.
 */
import http from 'node:http';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, startE2E, type E2E } from '../support/e2e.ts';
import { AdminClient, csrfToken } from '../support/admin-client.ts';
import { FUZZ_SEED, expectNoLeaks, forEachCase, type Fuzz } from '../support/fuzz.ts';
import { databaseFingerprint } from '../support/database-fingerprint.ts';
import manifest from '../../module.json' with { type: 'json' };

const CASES = 500;

/** The reference host's own admin pages (sandbox/host/admin/pages), besides the module's routes. */
const HOST_ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; path: string }> = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/login' },
  { method: 'POST', path: '/login' },
  { method: 'GET', path: '/catalog' },
  { method: 'GET', path: '/catalog/new' },
  { method: 'POST', path: '/catalog/new' },
  { method: 'GET', path: '/catalog/:id/edit' },
  { method: 'POST', path: '/catalog/:id/edit' },
  { method: 'GET', path: '/orders' },
  { method: 'GET', path: '/orders/:id' },
  { method: 'GET', path: '/orders/:id/ship' },
  { method: 'POST', path: '/orders/:id/ship' },
  { method: 'GET', path: '/orders/:id/cancel' },
  { method: 'POST', path: '/orders/:id/cancel' },
  { method: 'GET', path: '/orders/:id/creditmemo' },
  { method: 'POST', path: '/orders/:id/creditmemo' },
  { method: 'GET', path: '/settings' },
  { method: 'GET', path: '/settings/:sectionId' },
  { method: 'POST', path: '/settings/:sectionId' },
];

/** Percent-encoding as bytes on the wire: UTF-8 of the text, or sequences no decoder accepts. */
function rawSegment(f: Fuzz, text: string): string {
  if (f.chance(0.15)) return f.pick(['%', '%Z1', '%E2%82', '%ED%A0%80', '%C0%AF', '%FF%FE', '%00', '%2e%2e', '..', '%2F', '%252F']);
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

interface Answer {
  status: number;
  body: string;
  location: string | undefined;
}

function send(baseUrl: string, method: string, rawPath: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, method, path: rawPath, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, location: response.headers.location }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describeEachDatabase('fuzzing the admin over HTTP', (db) => {
  let e: E2E;
  let baseUrl: string;
  let close: () => Promise<void>;
  let session: string;
  let csrf: string;
  const ids: Record<string, string[]> = {};

  before(async function () {
    this.timeout(120_000);
    e = await startE2E(db());
    await e.product('MUG-RED', 100);
    for (let i = 0; i < 6; i++) e.place({ items: [{ sku: i % 3 === 0 ? 'NOT-IN-CATALOG' : 'MUG-RED', qty: 1 + (i % 2) }], status: 'UNSHIPPED', buyerName: `Fuzz <b>Buyer</b> ${i}` });
    e.advance(3 * MINUTE);
    await e.sync();
    const created = await e.host.services.users.create('admin', 'admin-password', 'admin');
    if (!created.ok) throw new Error(created.message);
    const running = await e.host.startAdmin({ port: 0 });
    baseUrl = running.url;
    close = () => running.close();
    const admin = new AdminClient(baseUrl);
    expect((await admin.login('admin', 'admin-password')).status).to.equal(303);
    session = [...admin.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    csrf = csrfToken((await admin.get('/admin/catalog/new')).text);
    const orders: Array<{ amazon_order_id: string; host_order_id: string | null }> = await db().knex('amazon_order').select('amazon_order_id', 'host_order_id');
    ids.storeId = [String(e.store.id)];
    ids.amazonOrderId = orders.map((o) => o.amazon_order_id);
    ids.id = orders.flatMap((o) => (o.host_order_id ? [o.host_order_id] : []));
    ids.sectionId = [manifest.settings[0]!.id];
    ids.entryId = ['1'];
  });
  after(async () => {
    await close?.();
    await e?.close();
  });

  it(`answers ${CASES} hostile requests without a 5xx or a leak; refused forms change nothing`, async function () {
    this.timeout(300_000);
    const routes = [...HOST_ROUTES, ...manifest.routes.map((r) => ({ method: r.method as 'GET' | 'POST', path: r.path }))];
    // Product ids for the catalog pages, read once: the fuzz may add products.
    const products: Array<{ id: number }> = await db().knex('host_product').select('id');
    ids.id.push(...products.map((p) => String(p.id)));
    const statuses = new Map<number, number>();
    await forEachCase(CASES, FUZZ_SEED + 10, async (f, n) => {
      const route = f.pick(routes);
      const path = route.path
        .split('/')
        .map((part) => (part.startsWith(':') ? rawSegment(f, f.chance(0.7) && ids[part.slice(1)]?.length ? f.pick(ids[part.slice(1)]!) : f.text()) : part))
        .join('/');
      const query = Array.from({ length: f.int(4) }, () => `${rawSegment(f, f.text())}=${rawSegment(f, f.text())}`).join('&');
      const rawPath = `/admin${path === '/' ? '' : path}${query ? `?${query}` : ''}`;
      const headers: Record<string, string> = {};
      if (f.chance(0.85)) headers.cookie = session;
      else if (f.chance(0.5)) headers.cookie = `asc_admin_session=${rawSegment(f, f.text())}; ${rawSegment(f, f.text())}`;
      let body: string | undefined;
      if (route.method === 'POST') {
        headers['content-type'] = f.chance(0.9) ? 'application/x-www-form-urlencoded' : f.pick(['text/plain', 'multipart/form-data; boundary=x', '']);
        const fields = [`csrf_token=${f.chance(0.85) ? csrf : rawSegment(f, f.text())}`];
        for (let k = f.int(6); k > 0; k--) fields.push(`${rawSegment(f, f.pick(['username', 'password', 'sku', 'name', 'qty', 'reason', 'items', 'carrier', 'tracking', 'comment', 'seller_sku', 'product_sku', 'import_enabled', f.text()]))}=${rawSegment(f, f.text())}`);
        body = f.chance(0.02) ? 'a='.padEnd(1024 * 1024 + 10, 'x') : fields.join('&');
      }
      const what = `${route.method} ${rawPath.slice(0, 200)} (case ${n})`;
      // Sign-in attempts count failures by design; the session pages are checked for changes below.
      const watch = route.method === 'POST' && route.path !== '/login';
      const before = watch ? await databaseFingerprint(db().knex) : null;
      const answer = await send(baseUrl, route.method, rawPath, headers, body);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expect(answer.status, what).to.be.below(500);
      expectNoLeaks(answer.body, what);
      expect(answer.body, `${what}: unescaped input`).not.to.match(/<img src=x|<script|onerror=alert/);
      if (answer.location !== undefined) expect(answer.location, `${what}: redirect`).to.match(/^\/(?!\/)/);
      if (before && answer.status >= 400) expect(await databaseFingerprint(db().knex), `${what} was refused (${answer.status}) but changed data`).to.deep.equal(before);
    });
    // The fuzz got past the door: pages shown, refusals of each kind.
    expect(statuses.get(200) ?? 0, 'pages').to.be.above(CASES / 10);
    for (const status of [400, 403, 404]) expect(statuses.get(status) ?? 0, `${status} answers`).to.be.above(3);
  });
});
