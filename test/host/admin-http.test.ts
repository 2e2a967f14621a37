import crypto from 'node:crypto';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { AdminClient, csrfToken } from '../support/admin-client.ts';
import { FakeClock } from '../support/fake-time.ts';
import { FIXTURE_MODULE, startTestAdmin, type AdminTestHost } from '../support/host.ts';
import { FIXTURE_STATE, type FixtureState } from '../fixtures/fixture-module/index.ts';

describeEachDatabase('admin HTTP', (db) => {
  let t: AdminTestHost;
  let state: FixtureState;
  const clock = new FakeClock();
  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await db().knex(table).where(where).count({ c: '*' }))[0]!.c);

  async function signedIn(username: 'admin' | 'staff'): Promise<AdminClient> {
    const client = new AdminClient(t.url);
    const result = await client.login(username, `${username}-password`);
    if (result.status !== 303) throw new Error(`login failed: ${result.status}`);
    return client;
  }

  before(async () => {
    t = await startTestAdmin(db(), { modules: [{ directory: FIXTURE_MODULE }], clock });
    state = t.host.container.get<FixtureState>(FIXTURE_STATE);
  });
  after(async () => t?.close());

  describe('sign-in', () => {
    it('sends anonymous visitors to the login page', async () => {
      const page = await new AdminClient(t.url).get('/admin/orders?page=2');
      expect(page.status).to.equal(302);
      expect(page.location).to.equal('/admin/login?next=%2Fadmin%2Forders%3Fpage%3D2');
      expect((await new AdminClient(t.url).get('/')).location).to.equal('/admin');
      // An address too long to carry back in a Location header (clients read 16 KiB of headers) comes back without its query.
      const long = await new AdminClient(t.url).get(`/admin/orders?q=${'%25'.repeat(5000)}`);
      expect(long.status).to.equal(302);
      expect(long.location).to.equal('/admin/login?next=%2Fadmin%2Forders');
    });

    it('refuses a wrong password or unknown user without starting a session', async () => {
      const sessions = await count('host_admin_session');
      for (const [username, password] of [['admin', 'wrong-password'], ['nobody', 'admin-password']]) {
        const client = new AdminClient(t.url);
        const page = await client.login(username!, password!);
        expect(page.status).to.equal(401);
        expect(page.text).to.contain('Wrong username or password.');
        expect(client.cookies.has('asc_admin_session')).to.equal(false);
      }
      expect(await count('host_admin_session')).to.equal(sessions);
      expect(t.log.entries.some((e) => e.message === 'Admin sign-in failed' && !JSON.stringify(e).includes('wrong-password'))).to.equal(true);
    });

    it('sets an HttpOnly, SameSite=Lax session cookie and stores only its hash', async () => {
      const client = new AdminClient(t.url);
      const page = await client.login('admin', 'admin-password');
      expect(page.status).to.equal(303);
      expect(page.location).to.equal('/admin');
      const setCookie = page.headers.getSetCookie().find((c) => c.startsWith('asc_admin_session='))!;
      expect(setCookie).to.match(/; HttpOnly/);
      expect(setCookie).to.match(/; SameSite=Lax/);
      expect(setCookie).to.match(/; Path=\//);
      const value = client.cookies.get('asc_admin_session')!;
      expect(Buffer.from(value, 'base64url')).to.have.length(32);
      const hash = crypto.createHash('sha256').update(value).digest('hex');
      expect(await count('host_admin_session', { id_hash: hash })).to.equal(1);
      expect(await count('host_admin_session', { id_hash: value })).to.equal(0);
      const dashboard = await client.get('/admin');
      expect(dashboard.status).to.equal(200);
      expect(dashboard.text).to.contain('<h1>Dashboard</h1>');
    });

    it('refuses a login POST without the login form token', async () => {
      const sessions = await count('host_admin_session');
      const page = await new AdminClient(t.url).post('/admin/login', { username: 'admin', password: 'admin-password' });
      expect(page.status).to.equal(403);
      expect(await count('host_admin_session')).to.equal(sessions);
    });

    it('refuses a login token the client made up: the cookie and the field must carry this host\'s signature', async () => {
      const client = new AdminClient(t.url);
      client.cookies.set('asc_login_csrf', 'attacker-chosen');
      const forged = await client.post('/admin/login', { csrf_token: 'attacker-chosen', username: 'admin', password: 'admin-password' });
      expect(forged.status).to.equal(403);
      const page = await client.get('/admin/login');
      const [nonce] = csrfToken(page.text).split('.');
      client.cookies.set('asc_login_csrf', `${nonce}.forged`);
      expect((await client.post('/admin/login', { csrf_token: `${nonce}.forged`, username: 'admin', password: 'admin-password' })).status).to.equal(403);
      expect((await client.login('admin', 'admin-password')).status).to.equal(303);
    });

    it('a second sign-in from the same browser ends the session it had', async () => {
      const client = await signedIn('admin');
      const first = client.cookies.get('asc_admin_session')!;
      // A login form opened in another tab before: its token, and the browser's session cookie.
      const tab = new AdminClient(t.url);
      const form = await tab.get('/admin/login');
      client.cookies.set('asc_login_csrf', tab.cookies.get('asc_login_csrf')!);
      const again = await client.post('/admin/login', { csrf_token: csrfToken(form.text), username: 'admin', password: 'admin-password', next: '/admin' });
      expect(again.status).to.equal(303);
      expect(client.cookies.get('asc_admin_session')).to.not.equal(first);
      const replay = new AdminClient(t.url);
      replay.cookies.set('asc_admin_session', first);
      expect((await replay.get('/admin')).status).to.equal(302);
    });

    it('locks a username after repeated failures from one address, whatever the password and whether the user exists', async () => {
      const attempt = (username: string, password: string) => new AdminClient(t.url).login(username, password);
      expect((await t.host.services.users.create('lockme', 'lockme-password', 'staff')).ok).to.equal(true);
      for (const username of ['lockme', 'no-such-user']) {
        for (let i = 0; i < 6; i += 1) expect((await attempt(username, 'wrong-password')).status, `${username} failure ${i + 1}`).to.equal(401);
        const locked = await attempt(username, 'lockme-password');
        expect(locked.status, username).to.equal(429);
        expect(locked.text).to.contain('Too many failed sign-ins. Try again in 15 minutes.').and.not.contain('Wrong username');
        expect(Number(locked.headers.get('retry-after'))).to.be.within(800, 900);
      }
      expect(t.log.entries.filter((e) => e.message === 'Admin sign-in throttled').map((e) => e.username)).to.include.members(['lockme', 'no-such-user']);
      // Another account is not locked by them.
      expect((await attempt('admin', 'admin-password')).status).to.equal(303);
    });

    it('logs out: the session is gone and the old cookie no longer works', async () => {
      const client = await signedIn('admin');
      const cookie = client.cookies.get('asc_admin_session')!;
      const out = await client.submit('/admin', '/admin/logout', {});
      expect(out.status).to.equal(303);
      expect(out.location).to.equal('/admin/login');
      expect(client.cookies.has('asc_admin_session')).to.equal(false);
      const replay = new AdminClient(t.url);
      replay.cookies.set('asc_admin_session', cookie);
      expect((await replay.get('/admin')).status).to.equal(302);
    });

    it('expires sessions after 8 hours', async () => {
      const client = await signedIn('admin');
      clock.advance(8 * 60 * 60 * 1000 + 1);
      expect((await client.get('/admin')).status).to.equal(302);
    });
  });

  describe('CSRF', () => {
    it('a POST without or with a wrong token is 403 and creates nothing', async () => {
      const client = await signedIn('admin');
      const fields = { sku: 'CSRF-1', name: 'Should not exist', qty: '1', enabled: '1', manage_stock: '1' };
      expect((await client.post('/admin/catalog/new', fields)).status).to.equal(403);
      expect((await client.post('/admin/catalog/new', { ...fields, csrf_token: 'forged' })).status).to.equal(403);
      const other = await signedIn('admin');
      const foreign = csrfToken((await other.get('/admin/catalog/new')).text);
      expect((await client.post('/admin/catalog/new', { ...fields, csrf_token: foreign })).status).to.equal(403);
      expect(await count('host_product', { sku: 'CSRF-1' })).to.equal(0);
      const ok = await client.submit('/admin/catalog/new', '/admin/catalog/new', fields);
      expect(ok.status).to.equal(303);
      expect(await count('host_product', { sku: 'CSRF-1' })).to.equal(1);
    });

    it('guards module POST routes too', async () => {
      const client = await signedIn('admin');
      expect((await client.post('/admin/fixture/items/7', { note: 'x' })).status).to.equal(403);
      expect(state.posts).to.deep.equal([]);
      const saved = await client.submit('/admin/fixture/items/7', '/admin/fixture/items/7', { note: 'hello' });
      expect(saved.status).to.equal(303);
      expect(saved.location).to.equal('/admin/fixture/items/7');
      expect(state.posts).to.deep.equal([{ itemId: '7', note: 'hello' }]);
    });
  });

  describe('ACL', () => {
    it('staff gets 403 on a module route; admin gets the page, escaped, in the layout', async () => {
      const staff = await signedIn('staff');
      const denied = await staff.get('/admin/fixture/page');
      expect(denied.status).to.equal(403);
      expect(denied.text).to.not.contain('Fixture secret page');
      const admin = await signedIn('admin');
      const page = await admin.get('/admin/fixture/page?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('Fixture secret page for admin');
      expect(page.text).to.contain('q=&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).to.contain('<title>Fixture page - Admin</title>');
      expect(page.headers.get('content-security-policy')).to.contain("default-src 'none'");
    });

    it('staff cannot POST to a module route even with a valid token', async () => {
      const staff = await signedIn('staff');
      const token = csrfToken((await staff.get('/admin/catalog')).text);
      expect((await staff.post('/admin/fixture/items/9', { csrf_token: token, note: 'x' })).status).to.equal(403);
      expect(state.posts.some((p) => p.itemId === '9')).to.equal(false);
    });

    it('shows each role only its navigation, widgets and settings', async () => {
      const staff = await signedIn('staff');
      const staffDashboard = (await staff.get('/admin')).text;
      expect(staffDashboard).to.contain('href="/admin/orders"');
      expect(staffDashboard).to.not.contain('Fixture page');
      expect(staffDashboard).to.not.contain('href="/admin/settings"');
      expect(staffDashboard).to.not.contain('Fixture widget');
      expect((await staff.get('/admin/settings')).status).to.equal(403);
      const admin = await signedIn('admin');
      const adminDashboard = (await admin.get('/admin')).text;
      expect(adminDashboard).to.contain('<a href="/admin/fixture/page">Fixture page</a>');
      for (const zone of ['system-messages', 'dashboard.top', 'dashboard.main', 'dashboard.side']) {
        expect(adminDashboard).to.contain(`Fixture widget ${zone}`);
      }
      // The system-message zone is on every page, not only the dashboard.
      expect((await admin.get('/admin/catalog')).text).to.contain('Fixture widget system-messages');
    });
  });

  describe('module routes', () => {
    it('passes :params, streams downloads, and hides handler errors', async () => {
      const admin = await signedIn('admin');
      const item = await admin.get('/admin/fixture/items/a%20b');
      expect(item.text).to.contain('<p>Item a b</p>');
      const download = await admin.get('/admin/fixture/export.csv');
      expect(download.status).to.equal(200);
      expect(download.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
      expect(download.headers.get('content-disposition')).to.equal(`attachment; filename="fixture export.csv"; filename*=UTF-8''fixture%20export.csv`);
      expect(download.text).to.equal('id,name\n1,row 1\n2,row 2\n3,row 3\n');
      const broken = await admin.get('/admin/fixture/broken');
      expect(broken.status).to.equal(500);
      expect(broken.text).to.not.contain('secret internal detail');
      expect(t.log.text()).to.contain('secret internal detail');
      expect((await admin.get('/admin/nothing/here')).status).to.equal(404);
      expect((await admin.post('/admin/fixture/page', { csrf_token: 'x' })).status).to.equal(405);
    });
  });

  describe('catalog', () => {
    it('shows inline errors and keeps the typed values; edits a product', async () => {
      const admin = await signedIn('admin');
      const bad = await admin.submit('/admin/catalog/new', '/admin/catalog/new', { sku: '', name: 'Keep <me>', qty: 'abc' });
      expect(bad.status).to.equal(422);
      expect(bad.text).to.contain('SKU is required');
      expect(bad.text).to.contain('Quantity must be a whole number');
      expect(bad.text).to.contain('value="Keep &lt;me&gt;"');
      expect(bad.text).to.contain('aria-invalid="true"');
      await admin.submit('/admin/catalog/new', '/admin/catalog/new', { sku: 'EDIT-1', name: 'Before', qty: '4', enabled: '1', manage_stock: '1' });
      const row = await db().knex('host_product').where({ sku: 'EDIT-1' }).first();
      const edited = await admin.submit(`/admin/catalog/${row.id}/edit`, `/admin/catalog/${row.id}/edit`, { sku: 'EDIT-1', name: 'After', qty: '9' });
      expect(edited.status).to.equal(303);
      const after = await db().knex('host_product').where({ id: row.id }).first();
      expect([after.name, Number(after.qty), Boolean(Number(after.enabled))]).to.deep.equal(['After', 9, false]);
      const list = await admin.get('/admin/catalog');
      expect(list.text).to.contain('Product EDIT-1 saved.');
      expect(list.text).to.match(/<td>EDIT-1<\/td><td>After<\/td><td>No<\/td>\s*<td class="num">9<\/td>/);
    });
  });

  describe('settings', () => {
    it('renders a section per scope, re-renders errors with the submitted values, and saves', async () => {
      const admin = await signedIn('admin');
      expect((await admin.get('/admin/settings')).text).to.contain('<a href="/admin/settings/fixture.settings">Fixture settings</a>');
      const form = await admin.get('/admin/settings/fixture.settings?scope=s2');
      expect(form.text).to.contain('<option value="s2" selected>Store two</option>');
      expect(form.text).to.contain('action="/admin/settings/fixture.settings?scope=s2"');
      const bad = await admin.submit('/admin/settings/fixture.settings?scope=s1', '/admin/settings/fixture.settings?scope=s1', { mode: 'zz"' });
      expect(bad.status).to.equal(422);
      expect(bad.text).to.contain('Mode must be a or b');
      expect(bad.text).to.contain('value="zz&quot;"');
      expect(state.settings).to.deep.equal({});
      const good = await admin.submit('/admin/settings/fixture.settings?scope=s1', '/admin/settings/fixture.settings?scope=s1', { mode: 'b' });
      expect(good.status).to.equal(303);
      expect(state.settings).to.deep.equal({ s1: 'b' });
      expect((await admin.get(good.location!)).text).to.contain('Settings saved.');
      expect((await admin.get('/admin/settings/fixture.settings?scope=nope')).status).to.equal(404);
      expect((await admin.get('/admin/settings/nope')).status).to.equal(404);
    });
  });
});
