import path from 'node:path';
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { migrateLatest } from '../../sandbox/host/migrator.ts';
import { Stores, StoreInputRejected, StoreNotFound } from '../../src/stores/stores.ts';
import { testStores } from '../support/module-ports.ts';
import { FakeClock } from '../support/fake-time.ts';
import manifest from '../../module.json' with { type: 'json' };

const moduleMigrations = { directory: path.resolve(import.meta.dirname, '../..', manifest.migrations.directory), tableName: manifest.migrations.tableName };

const input = {
  name: 'US store',
  region: 'na',
  marketplaceId: 'ATVPDKIKX0DER',
  sellerId: 'A2SELLER0001',
  clientId: 'amzn1.application-oa2-client.abc',
  clientSecret: 'very-secret-client-secret',
  refreshToken: 'Atzr|refresh-token-value',
};

describeEachDatabase('stores and Order Settings', (db) => {
  let stores: Stores;
  const clock = new FakeClock(new Date('2026-11-20T10:00:00.000Z'));

  before(async () => {
    await migrateLatest(db().knex, moduleMigrations);
    ({ stores } = testStores(db().knex, clock));
  });

  it('adds a store with encrypted credentials, default settings and the integration time', async () => {
    const store = await stores.add(input);
    expect(store).to.include({ name: 'US store', region: 'na', status: 'active', sellerId: 'A2SELLER0001' });
    expect(store.spApiEndpoint).to.equal('https://sellingpartnerapi-na.amazon.com');
    expect(store.integratedAt.toISOString()).to.equal('2026-11-20T10:00:00.000Z');

    const row = await db().knex('amazon_store').where({ id: store.id }).first();
    expect(row.credentials_encrypted).not.to.include(input.clientSecret);
    expect(row.credentials_encrypted).not.to.include(input.refreshToken);
    expect(await stores.credentials(store.id)).to.deep.equal({ clientSecret: input.clientSecret, refreshToken: input.refreshToken });

    expect(await stores.settings(store.id)).to.deep.equal({
      importEnabled: true, hostStoreView: 'default', customerCreation: 'guest', orderNumberSource: 'host',
      reservePending: true, orderStatus: 'default', processingStatus: null, readOnly: false, feedIntervalMinutes: 20,
    });
  });

  it('refuses bad input with every reason and writes nothing', async () => {
    const before = await db().knex('amazon_store').count({ n: '*' }).first();
    try {
      await stores.add({ ...input, region: 'xx', marketplaceId: 'NOPE', sellerId: 'bad id', spApiEndpoint: 'ftp://x' });
      expect.fail('should refuse');
    } catch (error) {
      expect(error).to.be.instanceOf(StoreInputRejected);
      const fields = (error as StoreInputRejected).errors.map((e) => e.field);
      expect(fields).to.include.members(['region', 'marketplaceId', 'sellerId', 'spApiEndpoint']);
    }
    await stores.add({ ...input, marketplaceId: 'A1PA6795UKMFR9' }).then(
      () => expect.fail('DE is an eu marketplace'),
      (error) => expect((error as Error).message).to.match(/region eu, not na/),
    );
    const after = await db().knex('amazon_store').count({ n: '*' }).first();
    expect(Number(after?.n)).to.equal(Number(before?.n));
  });

  it('refuses text longer than its columns and integration times the databases cannot store exactly, before writing', async () => {
    // Found by the CLI fuzz: MySQL failed the insert (ER_DATA_TOO_LONG, ER_TRUNCATED_WRONG_VALUE), stored year 0001 as 2001, SQLite kept anything.
    const refused = async (change: Partial<typeof input> & { spApiEndpoint?: string; lwaEndpoint?: string; integratedAt?: Date }) =>
      stores.add({ ...input, sellerId: 'A2SELLER0099', ...change }).then(
        () => expect.fail(`accepted ${JSON.stringify(change).slice(0, 100)}`),
        (error) => {
          expect(error).to.be.instanceOf(StoreInputRejected);
          return (error as StoreInputRejected).errors.map((e) => `${e.field} ${e.message}`);
        },
      );
    expect(await refused({ clientId: 'c'.repeat(256) })).to.deep.equal(['clientId must be at most 255 characters']);
    expect(await refused({ spApiEndpoint: `https://example.com/${'a'.repeat(500)}` })).to.deep.equal(['spApiEndpoint must be at most 512 characters']);
    expect(await refused({ lwaEndpoint: `https://example.com/${'🦄'.repeat(250)}` })).to.deep.equal(['lwaEndpoint must be at most 512 characters']);
    expect(await refused({ clientSecret: 's'.repeat(70_000), refreshToken: 'r'.repeat(2049) })).to.deep.equal([
      'clientSecret must be at most 2048 characters',
      'refreshToken must be at most 2048 characters',
    ]);
    for (const integratedAt of [new Date('0001-01-01T00:00:00Z'), new Date('1969-12-31T23:59:59.999Z'), new Date('+010000-01-01T04:59:59Z')]) {
      expect(await refused({ integratedAt })).to.deep.equal(['integratedAt must be between 1970-01-01 and 9999-12-31 (UTC)']);
    }
    expect(Number((await db().knex('amazon_store').where({ seller_id: 'A2SELLER0099' }).count({ n: '*' }).first())?.n)).to.equal(0);
    // The limits themselves are fine, and kept exactly.
    const longest = await stores.add({
      ...input, sellerId: 'A2SELLER0099', clientId: 'c'.repeat(255), clientSecret: 'é'.repeat(2048), refreshToken: '🦄'.repeat(1024),
      spApiEndpoint: `https://example.com/${'a'.repeat(492)}`, integratedAt: new Date('9999-12-31T23:59:59.999Z'),
    });
    expect([longest.clientId.length, longest.spApiEndpoint.length, longest.integratedAt.toISOString()]).to.deep.equal([255, 512, '9999-12-31T23:59:59.999Z']);
    expect(await stores.credentials(longest.id)).to.deep.equal({ clientSecret: 'é'.repeat(2048), refreshToken: '🦄'.repeat(1024) });
  });

  it('refuses a second store for the same seller and marketplace', async () => {
    await stores.add(input).then(
      () => expect.fail('duplicate'),
      (error) => expect((error as Error).message).to.match(/already store/),
    );
  });

  it('validates and saves Order Settings changes', async () => {
    const [store] = await stores.list();
    const refused = await stores.updateSettings(store.id, { importEnabled: true, orderStatus: 'custom' });
    expect(refused.ok).to.equal(false);
    expect(await stores.settings(store.id)).to.include({ orderStatus: 'default' });

    const saved = await stores.updateSettings(store.id, { importEnabled: true, orderStatus: 'custom', processingStatus: 'amazon_processing', orderNumberSource: 'amazon' });
    expect(saved.ok).to.equal(true);
    expect(await stores.settings(store.id)).to.include({ orderStatus: 'custom', processingStatus: 'amazon_processing', orderNumberSource: 'amazon' });

    const locked = await stores.updateSettings(store.id, { importEnabled: false, customerCreation: 'account' });
    expect(locked.ok).to.equal(false);
    expect((await stores.updateSettings(store.id, { importEnabled: false })).ok).to.equal(true);
    expect(await stores.settings(store.id)).to.include({ importEnabled: false, orderNumberSource: 'amazon' });
  });

  it('switches a store Inactive and back, and reports unknown stores', async () => {
    const [store] = await stores.list();
    expect((await stores.setStatus(store.id, 'inactive')).status).to.equal('inactive');
    expect((await stores.setStatus(store.id, 'active')).status).to.equal('active');
    await stores.get(9999).then(() => expect.fail('no store'), (error) => expect(error).to.be.instanceOf(StoreNotFound));
  });
});
