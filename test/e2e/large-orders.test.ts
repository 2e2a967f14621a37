/**
 * Large and unusual Amazon orders end to end (issue 11), on both databases: the Amazon sandbox on a
 * loopback port (its answers checked against Amazon's models), the sync, the importer, the
 * reference host and its admin over HTTP.
 *
 * - An order of 1,000 items: every item stored, one host order with all 1,000 lines whose parts add
 *   up to Amazon's total exactly, and the order page listing them all.
 * - Unusual unicode (emoji sequences, right-to-left text, combining marks, astral and 4-byte
 *   characters, NUL, canonically equivalent spellings) in the buyer's name, the address, titles and
 *   SKUs: stored exactly, in the module's and the host's tables, and shown escaped.
 * - Text longer than a column: cut by the documented rule (names, titles), or the order blocked
 *   with a note saying which part and how long (address parts), nothing half-written.
 * - What even Amazon does not send (ids, SKUs, amounts and quantities past the module's columns):
 *   reported and skipped, the sync and the other orders unharmed, stored data unchanged.
 */
import { expect } from 'chai';
import Handlebars from 'handlebars';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, startE2E, type E2E } from '../support/e2e.ts';
import { AdminClient } from '../support/admin-client.ts';
import { expectNoLeaks } from '../support/fuzz.ts';
import type { OrderState } from '../../sandbox/amazon/order-book.ts';
import { toE4 } from '../../src/money.ts';
import { shorten } from '../../src/text.ts';
import { CREATE_ORDER_TEXT_LIMITS as LIMITS } from '../../src/host/ports.ts';

/** Past Amazon's verification delay and the two-minute rule. */
const LATER = 8 * MINUTE;
const escape = (text: string) => Handlebars.escapeExpression(text);

/** Text that has broken databases, templates and text handling somewhere, all of it valid Unicode. */
const BUYER = 'Zoë 👩‍👩‍👧‍👦 O’Brien-محمد e\u0301 𠜎𠜱 a\u0000b <script>alert(1)</script>';
const ADDRESS = {
  addressLine1: '\u200fשדרות רוטשילד 1 👍🏽',
  addressLine2: 'A\u030angstr\u00f6m-Straße 5 & "Hof" <b>',
  city: '𝕳𝖊𝖑𝖑𝖔 株式会社',
  stateOrRegion: 'Ǆ \u202eevil\u202c',
  postalCode: '98\u00a0101',
  phone: '+1 (206) 555‑0100 ☎',
};
/** Seller SKUs within Amazon's 40 characters: 4-byte characters, quotes, markup, and é written two ways (two SKUs). */
const SKUS = ['SKU-🦄-1', 'SKU-ü-ß', 'SKU-株式会社', "SKU-O'REILLY", 'SKU-<b>&amp;', 'SKU-e\u0301', 'SKU-\u00e9', `SKU-${'𓀀'.repeat(18)}`];
const TITLES = ['🏳️‍🌈 Pride mug', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇ mug', 'e\u0301 then \u00e9', 'ｆｕｌｌ ｗｉｄｔｈ', 'a\u0000b with NUL', 'line\u2028separator', '<img src=x onerror=alert(1)> & "quotes"', '𝔐𝔲𝔤 🇯🇵'];

interface HostLine {
  external_reference: string;
  sku: string;
  name: string;
  qty_ordered: number | string;
  unit_price: string;
  tax_amount: string;
  discount_amount: string;
}

describeEachDatabase('large and unusual Amazon orders end to end', (db) => {
  let e: E2E;
  let admin: AdminClient;
  let closeAdmin: (() => Promise<void>) | undefined;

  eachTestE2E(db, async (started) => {
    e = started;
    // Users outlive each test's order data: created once per database.
    const created = await e.host.services.users.create('admin', 'admin-password', 'admin');
    if (!created.ok && !created.message.includes('already exists')) throw new Error(created.message);
    const running = await e.host.startAdmin({ port: 0 });
    closeAdmin = () => running.close();
    admin = new AdminClient(running.url);
    await admin.login('admin', 'admin-password');
  });
  afterEach(async () => closeAdmin?.());

  const orderPage = async (id: string, tab?: 'items') => {
    const page = await admin.get(`/admin/amazon/stores/${e.store.id}/orders/${encodeURIComponent(id)}${tab ? `?tab=${tab}` : ''}`);
    expect(page.status, page.text.slice(0, 300)).to.equal(200);
    expectNoLeaks(page.text, `the order page of ${id}`);
    return page.text;
  };
  const hostOrderRow = (id: string) => db().knex('host_order').where({ external_reference: id }).first();
  const hostLines = async (id: string): Promise<HostLine[]> => db().knex('host_order_item').where({ order_id: (await hostOrderRow(id)).id }).orderBy('id');
  /** The rows of the Items tab's table. */
  const itemRows = (html: string) => [.../<tbody>([\s\S]*?)<\/tbody>/.exec(html.slice(html.indexOf('Ordered items')))![1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);

  it('imports an order of 1,000 items: each stored, a host order with all 1,000 lines and exact totals, all on the page', async function () {
    this.timeout(300_000);
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      sku: `BULK-${String(i).padStart(4, '0')}${i % 7 === 0 ? '-🦄' : ''}`,
      qty: 1 + (i % 3),
      price: `${1 + (i % 50)}.${String((i * 37) % 100).padStart(2, '0')}`,
      title: i % 10 === 0 ? `Große Tasse №${i} <b>&</b> 👩‍👩‍👧‍👦` : `Item ${i}`,
      ...(i % 9 === 0 ? { discount: '0.01' } : {}),
      ...(i % 25 === 0 ? { giftWrap: '1.99' } : {}),
    }));
    for (const item of items) await e.product(item.sku, 10);
    const id = e.place({ items, status: 'UNSHIPPED', deliveryTip: '2.50' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', new: 1, imported: 1, blocked: 0, invalid: 0 });

    const sent = e.amazon.getOrder(id)!;
    expect(sent.items).to.have.length(1_000);
    const stored = await e.stored(id);
    expect(stored).to.include({ importState: 'imported', grandTotalAmount: sent.grandTotal, currencyCode: 'USD' });
    expect(stored.raw.orderItems).to.have.length(1_000);
    const storedItems = await e.orders.items(stored.id);
    expect(storedItems.map((i) => [i.orderItemId, i.sellerSku, i.title, i.quantityOrdered, i.unitPriceAmount])).to.deep.equal(
      sent.items.map((i) => [i.orderItemId, i.sku, i.title, i.quantityOrdered, i.unitPrice]),
    );

    // One host order, every line as Amazon sent it, parts adding up to Amazon's total to the cent.
    const order = await hostOrderRow(id);
    expect(order.grand_total).to.equal(sent.grandTotal);
    const lines = await hostLines(id);
    expect(lines.map((l) => [l.external_reference, l.sku, l.name, Number(l.qty_ordered), l.unit_price, l.tax_amount, l.discount_amount])).to.deep.equal(
      sent.items.map((i) => [i.orderItemId, i.sku, i.title, i.quantityOrdered, i.unitPrice, i.itemTax, i.itemDiscount]),
    );
    const charges = await db().knex('host_order_charge').where({ order_id: order.id }).orderBy('id');
    expect(charges.map((c) => c.kind)).to.deep.equal(['gift_wrap', 'delivery_tip']);
    let parts = toE4(order.shipping_amount) + toE4(order.shipping_tax_amount) - toE4(order.shipping_discount_amount);
    for (const l of lines) parts += toE4(l.unit_price) * BigInt(l.qty_ordered) + toE4(l.tax_amount) - toE4(l.discount_amount);
    for (const c of charges) parts += toE4(c.amount) + toE4(c.tax_amount) - toE4(c.discount_amount);
    expect(parts).to.equal(toE4(sent.grandTotal));
    expect(await e.host.services.stock.salableQty(items[999]!.sku)).to.equal(10 - items[999]!.qty);

    // The page lists all 1,000, escaped.
    const rows = itemRows(await orderPage(id, 'items'));
    expect(rows).to.have.length(1_000);
    for (const [index, item] of sent.items.entries()) {
      expect(rows[index]).to.contain(`<td>${escape(item.sku)}</td><td>${escape(item.title)}</td>`);
    }
    expect(rows.join('')).to.not.contain('<b>&</b>');
  });

  it('stores unusual unicode exactly in buyer name, address, titles and SKUs, on both databases, and shows it escaped', async () => {
    for (const sku of SKUS) await e.product(sku, 5, { name: `Host ${sku}` });
    const id = e.place({ items: SKUS.map((sku, i) => ({ sku, qty: 1, title: TITLES[i] })), status: 'UNSHIPPED', buyerName: BUYER, address: ADDRESS });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', imported: 1, blocked: 0, invalid: 0 });

    const row = await db().knex('amazon_order').where({ amazon_order_id: id }).first();
    expect(row.buyer_name).to.equal(BUYER);
    const raw = JSON.parse(row.raw);
    expect(raw.buyer.buyerName).to.equal(BUYER);
    expect(raw.recipient.deliveryAddress).to.deep.include({ ...ADDRESS, name: BUYER });
    const items = await db().knex('amazon_order_item').where({ order_id: row.id }).orderBy('id');
    expect(items.map((i) => [i.seller_sku, i.title])).to.deep.equal(SKUS.map((sku, i) => [sku, TITLES[i]]));

    // The host got the same text: names split on the first space, street lines, each line's title and product.
    const order = await hostOrderRow(id);
    const [first, ...rest] = BUYER.split(' ');
    expect(order).to.include({
      customer_first_name: first, customer_last_name: rest.join(' '), ship_first_name: first, ship_last_name: rest.join(' '),
      ship_city: ADDRESS.city, ship_region: ADDRESS.stateOrRegion, ship_postal_code: ADDRESS.postalCode, ship_phone: ADDRESS.phone,
    });
    expect(JSON.parse(order.ship_street)).to.deep.equal([ADDRESS.addressLine1, ADDRESS.addressLine2]);
    const lines = await hostLines(id);
    // é written two ways are two SKUs and two products, on MySQL too.
    expect(lines.map((l) => [l.sku, l.name])).to.deep.equal(SKUS.map((sku, i) => [sku, TITLES[i]]));
    for (const sku of SKUS) expect(await e.host.services.stock.salableQty(sku), sku).to.equal(4);

    const details = await orderPage(id);
    for (const text of [BUYER, ADDRESS.addressLine1, ADDRESS.addressLine2, `${ADDRESS.city}, ${ADDRESS.stateOrRegion} ${ADDRESS.postalCode}`, ADDRESS.phone]) {
      expect(details, text).to.contain(escape(text));
    }
    const rows = itemRows(await orderPage(id, 'items'));
    expect(rows.map((r) => /^\s*<td>([^<]*)<\/td><td>([^<]*)<\/td>/.exec(r)!.slice(1))).to.deep.equal(SKUS.map((sku, i) => [escape(sku), escape(TITLES[i]!)]));
    for (const html of [details, rows.join('')]) expect(html).to.not.contain('<script>alert(1)').and.not.contain('<img src=x').and.not.contain('<b>&amp;');
  });

  it('keeps text with half a character (a lone surrogate, which JSON can escape) the same on both databases: U+FFFD in its place', async () => {
    await e.product('MUG-RED', 5);
    // The sandbox sends it as JSON does: "\ud83e". SQLite stored it as three U+FFFD, MySQL as one.
    const name = 'Jane \ud83e Doe';
    const title = 'Mug \udc00 and 🦄';
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 1, title }], status: 'UNSHIPPED', buyerName: name, address: { city: 'Sea\ud800ttle' } });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', imported: 1, invalid: 0 });
    const row = await db().knex('amazon_order').where({ amazon_order_id: id }).first();
    expect(row.buyer_name).to.equal('Jane \ufffd Doe');
    // What Amazon sent stays exactly as sent.
    expect(JSON.parse(row.raw).buyer.buyerName).to.equal(name);
    const [item] = await db().knex('amazon_order_item').where({ order_id: row.id });
    expect(item.title).to.equal('Mug \ufffd and 🦄');
    expect(await hostOrderRow(id)).to.include({ customer_first_name: 'Jane', customer_last_name: '\ufffd Doe', ship_city: 'Sea\ufffdttle' });
    expect((await hostLines(id))[0]!.name).to.equal('Mug \ufffd and 🦄');
    expect(await orderPage(id)).to.contain('Jane \ufffd Doe');
  });

  it('cuts names and titles longer than the columns by the rule, and blocks an order whose address cannot be cut, writing nothing of it', async () => {
    await e.product('MUG-RED', 10);
    const longName = `Jane ${'🦄'.repeat(200)}`;
    const longTitle = `${'Ⓜ️'.repeat(400)} ${'ß'.repeat(1_000)} end`;
    const cut = e.place({ items: [{ sku: 'MUG-RED', qty: 1, title: longTitle }], status: 'UNSHIPPED', buyerName: longName });
    const blocked = {
      city: ['Llanfair'.repeat(40), 'the shipping city from Amazon is 320 characters long; the host takes at most 255'],
      postalCode: ['9'.repeat(33), 'the shipping postal code from Amazon is 33 characters long; the host takes at most 32'],
      phone: ['☎'.repeat(65), 'the shipping phone number from Amazon is 65 characters long; the host takes at most 64'],
      addressLine1: [`${'🏠'.repeat(500)} 1`, 'the shipping street (all lines) from Amazon is 1002 characters long; the host takes at most 1000'],
      stateOrRegion: [`${'Ǆ'.repeat(255)}x`, 'the shipping region from Amazon is 256 characters long; the host takes at most 255'],
    } as const;
    const blockedIds = (Object.keys(blocked) as Array<keyof typeof blocked>).map(
      (part) => [part, e.place({ items: [{ sku: 'MUG-RED', qty: 2 }], status: 'UNSHIPPED', buyerName: `Buyer ${part}`, address: { [part]: blocked[part][0] } })] as const,
    );
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', new: 6, imported: 1, blocked: 5, invalid: 0 });

    // Cut where cutting is harmless: the module's column (255, 1024) and the host's (255), between two characters.
    const row = await db().knex('amazon_order').where({ amazon_order_id: cut }).first();
    expect(row.buyer_name).to.equal(shorten(longName, 255));
    expect(JSON.parse(row.raw).buyer.buyerName).to.equal(longName);
    const [item] = await db().knex('amazon_order_item').where({ order_id: row.id });
    expect(item.title).to.equal(shorten(longTitle, 1024));
    expect(JSON.parse(item.raw).product.title).to.equal(longTitle);
    const order = await hostOrderRow(cut);
    expect(order).to.include({ customer_first_name: 'Jane', customer_last_name: shorten('🦄'.repeat(200), LIMITS.personName) });
    expect((await hostLines(cut))[0]!.name).to.equal(shorten(longTitle, LIMITS.lineName));

    // Not cut where it could misdirect the parcel: blocked, saying which part and how long, and nothing of the order in the host.
    for (const [part, id] of blockedIds) {
      const note = `Cannot create order: ${blocked[part][1]}`;
      expect(await e.stored(id), part).to.include({ importState: 'blocked', blockReason: 'amazon_data', note, hostOrderId: null });
      expect(JSON.parse((await db().knex('amazon_order').where({ amazon_order_id: id }).first()).raw).recipient.deliveryAddress[part]).to.equal(blocked[part][0]);
      expect(await hostOrderRow(id), part).to.equal(undefined);
      expect(await orderPage(id), part).to.contain(escape(note));
    }
    expect(Number((await db().knex('host_order').count({ n: '*' }).first())!.n)).to.equal(1);
    expect(await db().knex('host_customer').where('first_name', 'like', 'Buyer%').count({ n: '*' }).first().then((r) => Number(r!.n))).to.equal(0);
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(9);
    expect(await e.host.services.stock.listActive()).to.deep.equal([]);
  });

  /** Makes the sandbox send what it would never place itself (Amazon does not either), as a new version of the order. */
  function amazonSends(id: string, change: (order: OrderState) => void): void {
    const order = e.amazon.book.get(id);
    if (!order) throw new Error(`the sandbox has no order ${id}`);
    change(order);
    e.amazon.book.touch(order, e.clock.now().getTime());
  }

  it('reports and skips what is past the columns (ids, SKUs, amounts, quantities), never failing the sync, the other orders or stored data', async () => {
    await e.product('MUG-RED', 100);
    const good = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Jane PII-MARKER' });
    const kept = e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Jane PII-MARKER' });
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', imported: 2 });
    const before = await db().knex('amazon_order').where({ amazon_order_id: kept }).first();
    const itemsBefore = await db().knex('amazon_order_item').where({ order_id: before.id });

    const longId = `113-${'1'.repeat(36)}`;
    const past = {
      id: e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Jane PII-MARKER' }),
      sku: e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Jane PII-MARKER' }),
      price: e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Jane PII-MARKER' }),
      total: e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Jane PII-MARKER' }),
      quantity: e.place({ items: [{ sku: 'MUG-RED', qty: 1 }], status: 'UNSHIPPED', buyerName: 'Jane PII-MARKER' }),
    };
    const fresh = e.place({ items: [{ sku: 'MUG-RED', qty: 3 }], status: 'UNSHIPPED' });
    amazonSends(past.id, (o) => void (o.orderId = longId));
    amazonSends(past.sku, (o) => void (o.items[0]!.sku = `S${'k'.repeat(299)}`));
    // 42 characters; and one that fits the amount columns but not a 64-bit integer of ten-thousandths.
    amazonSends(past.price, (o) => void (o.items[0]!.unitPrice = 10n ** 40n));
    amazonSends(past.total, (o) => void (o.items[0]!.unitPrice = 10n ** 18n));
    amazonSends(past.quantity, (o) => void (o.items[0]!.quantityOrdered = 2 ** 31));
    // An order already stored and imported comes again in a shape the module cannot use.
    amazonSends(kept, (o) => void (o.items[0]!.sku = `S${'k'.repeat(299)}`));
    e.advance(LATER);

    const result = await e.sync();
    // Each of the six as sent, and the five with an Amazon-sized id at once fetched again (getOrder), as unusable.
    expect(result, JSON.stringify(result)).to.include({ result: 'ok', error: null, imported: 1, invalid: 11 });
    expect(await e.stored(fresh)).to.include({ importState: 'imported' });
    for (const id of [...Object.values(past), longId]) expect(await e.orders.find(e.store.id, id), id).to.equal(null);
    // Stored data unchanged by the rejection: the earlier version stays, whole.
    const after = await db().knex('amazon_order').where({ amazon_order_id: kept }).first();
    expect({ ...after, updated_at: null }).to.deep.equal({ ...before, updated_at: null });
    expect(await db().knex('amazon_order_item').where({ order_id: before.id })).to.deep.equal(itemsBefore);
    expect(await e.stored(good)).to.include({ importState: 'imported' });

    // Each is in the communication errors log, named, briefly, without buyer data; those with an Amazon-sized id are fetched again.
    const errors: Array<{ message: string }> = await db().knex('amazon_api_error').where({ code: 'InvalidOrder' }).orderBy('id');
    expect(errors).to.have.length(11);
    const messages = errors.map((row) => row.message).join('\n');
    for (const expected of [
      `Order ${shorten(longId, 32)}: the order id is 40 characters long; at most 32 are expected`,
      `item ${e.amazon.getOrder(past.sku)!.items[0]!.orderItemId}: the seller SKU is 300 characters long; at most 255 are expected`,
      'the unit price is 42 characters long; at most 32 are expected',
      `the grand total ${e.amazon.getOrder(past.total)!.grandTotal} is larger than the module can keep exactly`,
      'the quantity ordered is 2147483648; at most 2147483647 are expected',
    ]) {
      expect(messages).to.contain(expected);
    }
    for (const { message } of errors) {
      expect(message.length).to.be.below(300);
      expect(message).to.not.contain('PII-MARKER');
      expectNoLeaks(message, 'the communication errors log');
    }
    const queued = await db().knex('amazon_order_refetch').orderBy('amazon_order_id').pluck('amazon_order_id');
    expect(queued).to.deep.equal([...Object.entries(past).filter(([what]) => what !== 'id').map(([, id]) => id), kept].sort());

    // The next run fetches them again, finds them as unusable as before, and still fails nothing.
    e.advance(LATER);
    expect(await e.sync()).to.include({ result: 'ok', error: null, invalid: 5, new: 0, updated: 0 });
    expect(await db().knex('amazon_order_refetch').orderBy('amazon_order_id').pluck('amazon_order_id')).to.deep.equal(queued);
  });
});

describeEachDatabase('4-byte characters on a database created without them (default character set utf8mb3)', (db) => {
  /** Drops every table, as databases.ts does before a suite. */
  async function dropTables(): Promise<void> {
    const [rows] = (await db().knex.raw('select table_name as name from information_schema.tables where table_schema = database()')) as [Array<{ name: string }>];
    await db().knex.raw('set foreign_key_checks = 0');
    for (const { name } of rows) await db().knex.raw('drop table if exists ??', [name]);
    await db().knex.raw('set foreign_key_checks = 1');
  }

  it('converts the module tables to utf8mb4, so emoji and other 4-byte text is stored exactly, exact SKU collation kept', async function () {
    this.timeout(120_000);
    const { knex, kind } = db();
    let restore = async () => {};
    if (kind === 'mysql') {
      // Tables created by the migrations take the database's default: make it one without 4-byte characters, for this test only.
      const [[schema]] = (await knex.raw(
        'select schema_name as name, default_character_set_name as charset, default_collation_name as collation from information_schema.schemata where schema_name = database()',
      )) as [Array<{ name: string; charset: string; collation: string }>];
      await dropTables();
      await knex.raw('alter database ?? character set utf8mb3 collate utf8mb3_general_ci', [schema!.name]);
      restore = async () => {
        await dropTables();
        await knex.raw(`alter database ?? character set ${schema!.charset} collate ${schema!.collation}`, [schema!.name]);
      };
    }
    try {
      const e = await startE2E(db(), { integratedAt: new Date('2026-11-26T09:00:00Z') });
      try {
        if (kind === 'mysql') {
          const [columns] = (await knex.raw(
            "select table_name as tableName, column_name as columnName, character_set_name as charset, collation_name as collation from information_schema.columns where table_schema = database() and table_name like 'amazon\\_%' and table_name not like 'amazon\\_sales\\_channel\\_migrations%' and character_set_name is not null",
          )) as [Array<{ tableName: string; columnName: string; charset: string; collation: string }>];
          // Every data table (knex's own bookkeeping of the module's migrations keeps ASCII names only).
          expect(columns.filter((c) => c.charset !== 'utf8mb4').map((c) => `${c.tableName}.${c.columnName}`)).to.deep.equal([]);
          expect(columns.filter((c) => c.columnName === 'seller_sku').map((c) => c.collation)).to.deep.equal(['utf8mb4_bin', 'utf8mb4_bin']);
        }
        // View-only, so only the module's tables take the text (the host's own tables are the host's business).
        expect((await e.stores.updateSettings(e.store.id, { importEnabled: false })).ok).to.equal(true);
        const id = e.place({ items: SKUS.map((sku, i) => ({ sku, qty: 1, title: TITLES[i] })), status: 'UNSHIPPED', buyerName: BUYER, address: ADDRESS });
        e.advance(LATER);
        expect(await e.sync()).to.include({ result: 'ok', error: null, new: 1, invalid: 0 });
        const row = await knex('amazon_order').where({ amazon_order_id: id }).first();
        expect(row.buyer_name).to.equal(BUYER);
        expect(JSON.parse(row.raw).recipient.deliveryAddress).to.deep.include(ADDRESS);
        const items = await knex('amazon_order_item').where({ order_id: row.id }).orderBy('id');
        expect(items.map((i) => [i.seller_sku, i.title])).to.deep.equal(SKUS.map((sku, i) => [sku, TITLES[i]]));
        // Still exact: é written two ways are two listings.
        await e.orders.setListingMatch(e.store.id, 'SKU-e\u0301', 'HOST-NFD');
        await e.orders.setListingMatch(e.store.id, 'SKU-\u00e9', 'HOST-NFC');
        expect(Object.fromEntries(await e.orders.listingMatches(e.store.id))).to.deep.equal({ 'SKU-e\u0301': 'HOST-NFD', 'SKU-\u00e9': 'HOST-NFC' });
      } finally {
        await e.close();
      }
    } finally {
      await restore();
    }
  });
});
