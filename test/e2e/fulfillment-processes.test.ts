/**
 * Fulfillment back to Amazon exactly once, the hard way: real `asc` processes against one database
 * and the Amazon sandbox. Shipments and cancels are made with `asc host:order:ship|cancel`, sent
 * by `asc outbox:send` processes running at the same time, and both kinds of process are killed
 * (SIGKILL) at varying points and run again. Whatever happened, every host shipment has exactly one
 * outbox entry, and Amazon ends up with exactly one package for it, confirmed once; every cancel
 * goes out as one feed message.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../support/databases.ts';
import { runCli, runCliKilled, type CliResult } from '../support/cli.ts';
import { seededRandom } from '../support/random.ts';
import type { OutboxRunResult } from '../../src/fulfillment/outbox-sender.ts';
import type { outboxEntryJson } from '../../src/cli/outbox-commands.ts';
import { type RunningAmazonSandbox } from '../../sandbox/amazon/index.ts';
import { startCheckedSandbox } from '../support/checked-sandbox.ts';
import { appliedConfirmations } from '../support/fulfillment.ts';

const MINUTE = 60_000;
const SKUS = ['MUG-BLUE-12OZ', 'TEE-BLK-M', 'NOTEBOOK-A5-DOT'];


/** Two different SKUs, chosen by `next`. */
function twoSkus(next: () => number): [string, string] {
  const first = Math.floor(next() * SKUS.length);
  const second = (first + 1 + Math.floor(next() * (SKUS.length - 1))) % SKUS.length;
  return [SKUS[first]!, SKUS[second]!];
}

const SEED = Number(process.env.FULFILLMENT_SEED ?? Date.now() % 100000);

/** Runs a randomized scenario; a failure names the seed to replay it with. */
async function withSeed(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message} (replay with FULFILLMENT_SEED=${SEED})`;
    throw error;
  }
}

/** Runs the tasks with at most `limit` of them at a time. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

type OutboxRun = OutboxRunResult;
type OutboxListEntry = ReturnType<typeof outboxEntryJson>;

type Item = { sku: string; qty: number };
interface ImportedOrder {
  amazonOrderId: string;
  hostOrderId: string;
}

describeEachDatabase('fulfillment exactly once across processes', (db) => {
  let amazon: RunningAmazonSandbox;
  let env: NodeJS.ProcessEnv;

  const asc = async (...args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env });
    if (result.code !== 0) throw new Error(`asc ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result;
  };

  const ascKilled = (args: string[], kill: { afterLines?: number; when?: () => boolean }) => runCliKilled(args, { env, ...kill });

  /** A killed sender's lease would hold the store's outbox until it expires: let that time pass. */
  const expireOutboxLeases = (knex: Knex) => knex('amazon_sync_state').update({ outbox_lease_expires_at: new Date(Date.now() - 1000) });

  /** Amazon's orders are seen by a search two minutes after their last change; the `asc` processes share Amazon's clock. */
  const letAmazonSettle = (ms = 3 * MINUTE) => {
    amazon.advanceClock(ms);
    env.HOST_CLOCK_OFFSET_MS = String(amazon.now().getTime() - Date.now());
  };

  /** Places an Unshipped merchant-fulfilled order at Amazon. */
  const place = (items: Item[]) =>
    amazon.placeOrder({ sellerId: amazon.demoApp.sellerId, marketplaceId: 'ATVPDKIKX0DER', items, fulfilledBy: 'MERCHANT', status: 'UNSHIPPED' }).orderId;

  /** Imports what Amazon has (one `asc sync`); the Amazon id and host order id of each given order. */
  async function importOrders(ids: string[]): Promise<Map<string, ImportedOrder>> {
    letAmazonSettle();
    const [synced] = JSON.parse((await asc('sync', '--json')).stdout) as Array<{ result: string; imported: number }>;
    expect(synced).to.include({ result: 'ok', imported: ids.length });
    const list = JSON.parse((await asc('host:orders:list', '--json', '--limit', '500')).stdout) as Array<{ id: string; externalReference: string | null }>;
    return new Map(
      ids.map((amazonOrderId) => {
        const host = list.find((o) => o.externalReference === amazonOrderId);
        if (!host) throw new Error(`order ${amazonOrderId} was not imported into the host`);
        return [amazonOrderId, { amazonOrderId, hostOrderId: host.id }];
      }),
    );
  }

  const ship = (hostOrderId: string, tracking: string, items?: string) =>
    asc('host:order:ship', '--order', hostOrderId, '--carrier', 'ups', '--tracking', tracking, ...(items === undefined ? [] : ['--items', items]));

  const outboxList = async (): Promise<OutboxListEntry[]> => JSON.parse((await asc('outbox:list', '--store', '1', '--json')).stdout) as OutboxListEntry[];

  /** Each host shipment of an Amazon order (by host_shipment id), and each outbox shipment entry with the host shipment it carries. */
  async function ledger(knex: Knex): Promise<{ hostShipments: Map<string, number[]>; entries: Map<string, Array<{ id: number; hostShipmentId: number; state: string }>> }> {
    const hostRows: Array<{ id: number; amazonOrderId: string }> = await knex('host_shipment')
      .join('host_order', 'host_order.id', 'host_shipment.order_id')
      .select('host_shipment.id as id', 'host_order.external_reference as amazonOrderId');
    const entryRows: Array<{ id: number; amazon_order_id: string; payload: string; state: string }> = await knex('amazon_outbox')
      .where({ kind: 'shipment' })
      .select('id', 'amazon_order_id', 'payload', 'state');
    const hostShipments = new Map<string, number[]>();
    for (const row of hostRows) hostShipments.set(row.amazonOrderId, [...(hostShipments.get(row.amazonOrderId) ?? []), Number(row.id)].sort((a, b) => a - b));
    const entries = new Map<string, Array<{ id: number; hostShipmentId: number; state: string }>>();
    for (const row of entryRows) {
      const entry = { id: Number(row.id), hostShipmentId: Number((JSON.parse(row.payload) as { hostShipmentId: string }).hostShipmentId), state: row.state };
      entries.set(row.amazon_order_id, [...(entries.get(row.amazon_order_id) ?? []), entry].sort((a, b) => a.hostShipmentId - b.hostShipmentId));
    }
    return { hostShipments, entries };
  }

  /** Never a committed host shipment without its outbox entry, nor an entry without its shipment (of these Amazon orders). */
  async function assertEveryShipmentRecorded(knex: Knex, amazonOrderIds: string[]): Promise<void> {
    const { hostShipments, entries } = await ledger(knex);
    for (const order of amazonOrderIds) {
      expect((entries.get(order) ?? []).map((e) => e.hostShipmentId), `outbox shipment entries (by host shipment) of ${order}`).to.deep.equal(hostShipments.get(order) ?? []);
    }
  }


  /**
   * Every host shipment of these orders has one outbox entry, done, confirmed to Amazon exactly once
   * (one 204 with the entry id as packageReferenceId); each Amazon order holds exactly one package
   * per host shipment and no other, and Amazon's shipped units are the host's.
   */
  async function assertConfirmedOnce(knex: Knex, amazonOrderIds: string[]): Promise<void> {
    await assertEveryShipmentRecorded(knex, amazonOrderIds);
    const { entries } = await ledger(knex);
    const applied = appliedConfirmations(amazon);
    // Across the whole run: no package reference was ever applied twice.
    const references = applied.map((a) => `${a.orderId}/${a.reference}`);
    expect(new Set(references).size, `confirmations applied twice: ${references.filter((r, i) => references.indexOf(r) !== i).join(', ')}`).to.equal(references.length);
    for (const amazonOrderId of amazonOrderIds) {
      const mine = entries.get(amazonOrderId) ?? [];
      for (const entry of mine) {
        expect(entry.state, `outbox entry ${entry.id} of ${amazonOrderId}`).to.equal('done');
        expect(applied.filter((a) => a.reference === String(entry.id)), `confirmations of outbox entry ${entry.id}`).to.deep.equal([{ orderId: amazonOrderId, reference: String(entry.id) }]);
      }
      const order = amazon.getOrder(amazonOrderId)!;
      expect(order.packages.map((p) => p.packageReferenceId).sort(), `packages of ${amazonOrderId}`).to.deep.equal(mine.map((e) => String(e.id)).sort());
      const hostItems: Array<{ external_reference: string; qty_shipped: number }> = await knex('host_order_item')
        .join('host_order', 'host_order.id', 'host_order_item.order_id')
        .where('host_order.external_reference', amazonOrderId)
        .select('host_order_item.external_reference', 'host_order_item.qty_shipped');
      for (const item of order.items) {
        const host = hostItems.find((h) => h.external_reference === item.orderItemId);
        expect(item.quantityShipped, `units of ${item.orderItemId} (${amazonOrderId}) shipped at Amazon`).to.equal(Number(host?.qty_shipped));
      }
    }
  }

  /** What each scenario works on: its orders' items as placed, and the orders as imported. */
  const SCENARIO_1: Item[][] = [
    [{ sku: SKUS[0]!, qty: 1 }],
    [{ sku: SKUS[1]!, qty: 2 }],
    [{ sku: SKUS[0]!, qty: 2 }, { sku: SKUS[2]!, qty: 1 }],
    [{ sku: SKUS[1]!, qty: 1 }],
    [{ sku: SKUS[0]!, qty: 1 }, { sku: SKUS[2]!, qty: 2 }],
  ];
  /** One or two SKUs; at least `least` units of the first, so there is room for partial shipments. */
  const randomItems = (next: () => number, least: number, second: number): Item[] => {
    const [a, b] = twoSkus(next);
    const items = [{ sku: a, qty: least + Math.floor(next() * 2) }];
    if (next() < second) items.push({ sku: b, qty: 1 + Math.floor(next() * 2) });
    return items;
  };
  const next2 = seededRandom(SEED);
  const next3 = seededRandom(SEED + 1);
  const SCENARIO_2: Item[][] = [0, 1, 2, 3].map(() => randomItems(next2, 2, 0.5));
  const SCENARIO_3: Item[][] = [0, 1, 2, 3].map((i) => randomItems(next3, 1, i === 0 ? 1 : 0.4));
  let orders1: ImportedOrder[];
  let orders2: ImportedOrder[];
  let orders3: ImportedOrder[];

  before(async function () {
    this.timeout(120_000);
    amazon = await startCheckedSandbox({ port: 0, clock: { speed: 1 } });
    env = { DATABASE_URL: db().url, HOST_SECRET_KEY: crypto.randomBytes(32).toString('base64'), LOG_LEVEL: 'error', AMAZON_SANDBOX: '0' };
    await asc('migrate');
    await Promise.all(SKUS.map((sku) => asc('host:product:set', '--sku', sku, '--name', sku, '--qty', '100000')));
    const app = amazon.demoApp;
    await asc(
      'store:add', '--name', 'Sandbox US', '--region', 'na', '--marketplace-id', 'ATVPDKIKX0DER', '--seller-id', app.sellerId,
      '--client-id', app.clientId, '--client-secret', app.clientSecret, '--refresh-token', app.refreshToken,
      '--sp-api-endpoint', amazon.url, '--lwa-endpoint', amazon.lwaUrl, '--integrated-at', new Date(Date.now() - 60 * MINUTE).toISOString(),
    );
    // Every scenario's orders, imported at once (each `asc` process costs a second or so).
    const placed = [SCENARIO_1, SCENARIO_2, SCENARIO_3].map((orders) => orders.map(place));
    const imported = await importOrders(placed.flat());
    [orders1, orders2, orders3] = placed.map((ids) => ids.map((id) => imported.get(id)!));
  });

  after(async () => {
    await amazon?.close();
  });

  /** Outbox entries of these Amazon orders that are not done, as the database holds them. */
  const notDone = async (knex: Knex, amazonOrderIds: string[]) =>
    (await knex('amazon_outbox').whereIn('amazon_order_id', amazonOrderIds).whereNot({ state: 'done' }).select('id', 'kind', 'state', 'last_error')) as unknown[];

  it('several senders at the same time confirm each shipment once and send each cancel once', async function () {
    this.timeout(90_000);
    const knex = db().knex;
    const [a, b, c, d, e] = orders1;
    // c ships in two parts: one unit first, the rest after; d and e are canceled.
    await inParallel<unknown>(
      [
        () => ship(a!.hostOrderId, '1Z0000000000000001'),
        () => ship(b!.hostOrderId, '1Z0000000000000002'),
        async () => {
          await ship(c!.hostOrderId, '1Z0000000000000003', `${SKUS[0]}:1`);
          await ship(c!.hostOrderId, '1Z0000000000000004');
        },
        () => asc('host:order:cancel', '--order', d!.hostOrderId, '--reason', 'out_of_stock'),
        () => asc('host:order:cancel', '--order', e!.hostOrderId, '--reason', 'customer_request'),
      ],
      2,
    );
    const shipped = [a!, b!, c!].map((o) => o.amazonOrderId);
    const canceled = [d!, e!].map((o) => o.amazonOrderId);
    await assertEveryShipmentRecorded(knex, orders1.map((o) => o.amazonOrderId));
    const recorded = (await knex('amazon_outbox').select('kind', 'amazon_order_id', 'state')) as Array<{ kind: string; amazon_order_id: string; state: string }>;
    expect(recorded.filter((x) => x.kind === 'shipment').map((x) => x.amazon_order_id).sort()).to.deep.equal([a!, b!, c!, c!].map((o) => o.amazonOrderId).sort());
    expect(recorded.filter((x) => x.kind === 'cancel').map((x) => x.amazon_order_id).sort()).to.deep.equal([...canceled].sort());
    expect(recorded.every((x) => x.state === 'pending')).to.equal(true);
    expect(amazon.requests({ operation: 'confirmShipment' })).to.have.length(0);

    // The first confirmation is answered slowly, so whoever holds the store holds it while the others try.
    amazon.addFault({ operation: 'confirmShipment', kind: 'delay', delayMs: 3000, count: 1 });
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['outbox:send', '--now', '--json'], { env })));
    amazon.clearFaults();
    for (const run of runs) expect(run.code, run.stderr).to.equal(0);
    const results = runs.flatMap((run) => JSON.parse(run.stdout) as OutboxRun[]);
    expect(results).to.have.length(3);
    for (const r of results) {
      expect(r.result, JSON.stringify(r)).to.be.oneOf(['ok', 'skipped']);
      if (r.result === 'skipped') expect(r.error).to.match(/another sender .* holds this store's outbox/);
    }
    // One runner sent everything; the others skipped the store (it was held) or found nothing left.
    const workers = results.filter((r) => r.done > 0 || r.feedsSubmitted > 0);
    expect(workers, JSON.stringify(results)).to.have.length(1);
    expect(workers[0]).to.include({ result: 'ok', done: 4, failed: 0, retrying: 0, feedsSubmitted: 1, pending: 0 });
    expect(results.filter((r) => r.result === 'skipped').length, `runners that found the store held: ${JSON.stringify(results)}`).to.be.at.least(1);
    for (const r of results.filter((x) => x !== workers[0])) expect(r).to.include({ done: 0, failed: 0, retrying: 0, feedsSubmitted: 0 });

    await assertConfirmedOnce(knex, shipped);
    expect(amazon.requests({ operation: 'confirmShipment' }).map((r) => r.status)).to.deep.equal([204, 204, 204, 204]);

    // Each cancel went out once: one acknowledgement feed, one message per canceled order.
    const uploads = amazon.requests().filter((r) => r.method === 'PUT' && r.path.startsWith('/s3/')).map((r) => r.body);
    expect(uploads).to.have.length(1);
    expect(uploads[0]!.match(/<Message>/g)).to.have.length(2);
    for (const id of canceled) expect(uploads[0]!.split(`<AmazonOrderID>${id}</AmazonOrderID>`).length - 1, `feed messages for ${id}`).to.equal(1);
    expect(amazon.listFeeds().map((feed) => feed.feedType)).to.deep.equal(['POST_ORDER_ACKNOWLEDGEMENT_DATA']);
    expect(amazon.requests({ operation: 'createFeed' })).to.have.length(1);

    // Amazon processes the feed within a minute; the next run reads its report and settles the cancels.
    letAmazonSettle(MINUTE);
    const [after] = JSON.parse((await asc('outbox:send', '--json')).stdout) as OutboxRun[];
    expect(after).to.include({ result: 'ok', done: 2, failed: 0, feedsSubmitted: 0, pending: 0 });
    const entries = await outboxList();
    expect(entries).to.have.length(6);
    expect(entries.filter((x) => x.state !== 'done'), 'entries not done').to.deep.equal([]);
    for (const id of canceled) expect(amazon.getOrder(id)!.status, `Amazon status of ${id}`).to.equal('CANCELLED');
    for (const id of shipped) expect(amazon.getOrder(id)!.status, `Amazon status of ${id}`).to.equal('SHIPPED');
    expect(appliedConfirmations(amazon)).to.have.length(4);
    expect(amazon.requests({ operation: 'createFeed' })).to.have.length(1);
  });

  it('a host process killed around its commit never leaves a shipment without its outbox entry', async function () {
    this.timeout(90_000);
    const next = seededRandom(SEED + 2);
    await withSeed(async () => {
      const knex = db().knex;
      const left = async (hostOrderId: string) =>
        (await knex('host_order_item').where({ order_id: Number(hostOrderId) }).select('sku', 'qty_ordered', 'qty_shipped', 'qty_canceled')).map(
          (row: { sku: string; qty_ordered: number; qty_shipped: number; qty_canceled: number }) => ({ sku: row.sku, left: Number(row.qty_ordered) - Number(row.qty_shipped) - Number(row.qty_canceled) }),
        );
      const shipmentsOf = async (hostOrderId: string) => Number((await knex('host_shipment').where({ order_id: Number(hostOrderId) }).count({ n: '*' }).first())?.n ?? 0);

      const ids = orders2.map((o) => o.amazonOrderId);
      const rounds = Number(process.env.FULFILLMENT_ROUNDS ?? 6);
      let ran = 0;
      let killed = 0;
      let killedAfterCommit = 0;
      let committed = 0;
      for (let round = 0; round < rounds; round += 1) {
        const open = [];
        for (const order of orders2) if ((await left(order.hostOrderId)).some((l) => l.left > 0)) open.push(order);
        if (open.length === 0) break;
        ran += 1;
        const order = open[Math.floor(next() * open.length)]!;
        const lines = (await left(order.hostOrderId)).filter((l) => l.left > 0);
        const line = lines[Math.floor(next() * lines.length)]!;
        // Some units of one line, or everything left.
        const items = next() < 0.3 ? [] : ['--items', `${line.sku}:${1 + Math.floor(next() * line.left)}`];
        const before = await shipmentsOf(order.hostOrderId);
        // The run logs "Fulfillment recorded for Amazon" inside the host's transaction, just before
        // it commits, and "Order action done" right after the commit: a kill after the first line
        // lands around the commit, after the second between the commit and anything else.
        const killAfter = round % 2 === 0 ? 1 : 2;
        const tracking = `1Z9${String(round).padStart(15, '0')}`;
        const run = await ascKilled(['host:order:ship', '--order', order.hostOrderId, '--carrier', 'ups', '--tracking', tracking, ...items], { afterLines: killAfter });
        if (!run.killed) expect(run.code, `an unkilled host:order:ship: ${run.lines.join('\n')}`).to.equal(0);
        const after = await shipmentsOf(order.hostOrderId);
        expect(after - before, `shipments made by round ${round}`).to.be.oneOf([0, 1]);
        if (after > before) committed += 1;
        if (run.killed) killed += 1;
        if (run.killed && after > before) killedAfterCommit += 1;
        if (killAfter === 2) expect(after, `round ${round}: the shipment logged as done is committed`).to.equal(before + 1);
        await assertEveryShipmentRecorded(knex, ids);
      }
      // (Every round that got past the commit's line is committed: half the rounds at least.)
      expect(ran, 'rounds run').to.be.at.least(2);
      expect(killed, 'host processes killed before they finished').to.be.at.least(ran / 2);
      expect(killedAfterCommit, 'host processes killed after their commit').to.be.at.least(1);
      expect(committed, 'shipments committed').to.be.at.least(Math.floor(ran / 2));

      // Nothing was sent yet; the sender now confirms each committed shipment, once.
      expect(appliedConfirmations(amazon).filter((c) => ids.includes(c.orderId))).to.have.length(0);
      await expireOutboxLeases(knex);
      const [sent] = JSON.parse((await asc('outbox:send', '--json')).stdout) as OutboxRun[];
      expect(sent).to.include({ result: 'ok', done: committed, failed: 0, retrying: 0, pending: 0 });
      await assertConfirmedOnce(knex, ids);
      expect(appliedConfirmations(amazon).filter((c) => ids.includes(c.orderId))).to.have.length(committed);
      expect(await notDone(knex, ids), 'entries not done').to.deep.equal([]);
    });
  });

  it('senders killed in the middle of sending confirm each shipment once, and leave nothing failed', async function () {
    this.timeout(90_000);
    const next = seededRandom(SEED + 3);
    await withSeed(async () => {
      const knex = db().knex;
      // Every order ships; the first in two parts (its first item, then the rest).
      await inParallel(
        orders3.map((order, i) => async () => {
          if (i === 0) await ship(order.hostOrderId, `1Z8${i}00000000000001`, `${SCENARIO_3[0]![0]!.sku}:${SCENARIO_3[0]![0]!.qty}`);
          await ship(order.hostOrderId, `1Z8${i}00000000000002`);
        }),
        2,
      );
      const ids = orders3.map((o) => o.amazonOrderId);
      await assertEveryShipmentRecorded(knex, ids);
      const packageReferences = () => new Set(ids.flatMap((id) => amazon.book.get(id)!.packages.map((p) => p.packageReferenceId)));

      // Amazon applies a confirmation and holds its answer; the sender dies waiting for it.
      const known = packageReferences();
      amazon.addFault({ operation: 'confirmShipment', kind: 'delay', delayMs: 2000, count: 1 });
      const first = await ascKilled(['outbox:send', '--json'], { when: () => packageReferences().size > known.size });
      amazon.clearFaults();
      expect(first.killed, `the sender was killed: ${first.lines.join('\n')}`).to.equal(true);
      const lost = [...packageReferences()].filter((r) => !known.has(r));
      expect(lost).to.have.length(1);
      expect(await knex('amazon_outbox').where({ id: Number(lost[0]) }).first('state', 'attempts')).to.deep.equal({ state: 'pending', attempts: 1 });
      await expireOutboxLeases(knex);

      // More senders, killed after a few log lines (the token, each call, each confirmation), some
      // with slow answers so that calls are in flight when the kill lands.
      const rounds = Math.max(1, Math.ceil(Number(process.env.FULFILLMENT_ROUNDS ?? 6) / 2));
      let killed = 1;
      for (let round = 0; round < rounds; round += 1) {
        if (next() < 0.6) amazon.addFault({ operation: 'confirmShipment', kind: 'delay', delayMs: 300, count: 10 });
        const run = await ascKilled(['outbox:send', '--json'], { afterLines: 1 + Math.floor(next() * 6) });
        amazon.clearFaults();
        if (run.killed) killed += 1;
        else expect(run.code, `an unkilled outbox:send: ${run.lines.join('\n')}`).to.equal(0);
        await expireOutboxLeases(knex);
        expect(await knex('amazon_outbox').whereIn('amazon_order_id', ids).where({ state: 'failed' }).select('id', 'last_error'), `failed entries after round ${round}`).to.deep.equal([]);
      }
      expect(killed, 'senders killed before they finished').to.be.at.least(2);

      const [sent] = JSON.parse((await asc('outbox:send', '--json')).stdout) as OutboxRun[];
      expect(sent).to.include({ result: 'ok', failed: 0, retrying: 0, pending: 0 });
      await assertConfirmedOnce(knex, ids);
      expect(await notDone(knex, ids), 'entries not done').to.deep.equal([]);

      // The confirmation whose answer was lost was sent again, refused, found on the order and counted done.
      const again = amazon
        .requests({ operation: 'confirmShipment' })
        .filter((r) => (JSON.parse(r.body) as { packageDetail: { packageReferenceId: string } }).packageDetail.packageReferenceId === lost[0]);
      // (Recorded when answered: the held 204 may be listed after the refusal that followed it.)
      expect(again.map((r) => r.status), 'confirmations of the entry whose answer was lost').to.include.members([204, 400]);
      expect(again.filter((r) => r.status === 204)).to.have.length(1);
      const lostOrder = ids.find((id) => amazon.book.get(id)!.packages.some((p) => p.packageReferenceId === lost[0]))!;
      const { id: rowId } = (await knex('amazon_order').where({ amazon_order_id: lostOrder }).first('id')) as { id: number };
      const history = ((await knex('amazon_order_log').where({ order_id: rowId }).select('message')) as Array<{ message: string }>).map((h) => h.message);
      expect(history.filter((m) => m.startsWith(`Amazon already had this shipment (package ${lost[0]})`)), history.join('\n')).to.have.length(1);
    });
  });
});
