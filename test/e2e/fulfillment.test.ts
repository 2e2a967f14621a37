/**
 * Fulfillment back to Amazon end to end, on both databases: the reference host's Orders workflow
 * (guards, the transaction hook, events), the module's outbox and sender, the SP-API client and
 * the Amazon sandbox, which checks every request against Amazon's models and applies it.
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { MINUTE, eachTestE2E, type E2E } from '../support/e2e.ts';
import { fulfil, type Fulfil } from '../support/fulfillment.ts';
import { OrderCancellation } from '../../src/fulfillment/order-cancellation.ts';

/** Past the two-minute rule, so a sync sees what Amazon changed. */
const SETTLE = 3 * MINUTE;

describeEachDatabase('fulfillment to Amazon end to end', (db) => {
  let e: E2E;
  let f: Fulfil;
  eachTestE2E(db, (started) => {
    e = started;
    f = fulfil(started);
  });

  /** An Unshipped merchant-fulfilled order, imported into the host. */
  async function imported(items: Array<{ sku: string; qty: number; price?: string }>, stock = 10): Promise<string> {
    for (const sku of new Set(items.map((i) => i.sku))) {
      if (!(await e.host.services.catalog.findBySku(sku))) await e.product(sku, stock);
    }
    const id = e.place({ items, status: 'UNSHIPPED' });
    e.advance(SETTLE);
    expect(await e.sync()).to.include({ result: 'ok', imported: 1 });
    return id;
  }

  it('confirms a full shipment with a known carrier: Shipped at once, confirmed once, Completed when Amazon says so', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 2 }, { sku: 'TEE-BLK', qty: 1 }]);
    expect(await f.ship(id, { carrier: 'fedex', tracking: '7489 2231 0000' })).to.include({ ok: true });

    // Recorded with the host's shipment, shown at once, not sent yet.
    expect(await e.stored(id)).to.include({ status: 'Shipped' });
    const [entry] = await f.entries();
    expect(entry).to.include({ kind: 'shipment', state: 'pending', amazonOrderId: id });
    expect(f.requests('confirmShipment')).to.have.length(0);

    expect(await f.send()).to.include({ result: 'ok', done: 1, failed: 0, pending: 0 });
    const [confirmation, ...more] = f.requests('confirmShipment');
    expect(more).to.have.length(0);
    const sent = JSON.parse(confirmation!.body);
    const amazonItems = e.amazon.getOrder(id)!.items;
    expect(sent.marketplaceId).to.equal('ATVPDKIKX0DER');
    expect(sent.packageDetail).to.deep.include({ packageReferenceId: String(entry!.id), carrierCode: 'FedEx', trackingNumber: '7489 2231 0000' });
    expect(sent.packageDetail.carrierName).to.equal(undefined);
    expect(sent.packageDetail.orderItems).to.have.deep.members(amazonItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })));
    expect(new Date(sent.packageDetail.shipDate).toISOString()).to.equal(e.clock.now().toISOString());
    expect(e.amazon.getOrder(id)!.status).to.equal('SHIPPED');
    expect((await f.entries())[0]).to.include({ state: 'done', attempts: 1 });
    expect((await e.stored(id)).note).to.match(/^Shipment confirmed to Amazon \(3 units with FedEx, tracking 7489 2231 0000\)/);

    // Nothing more to send; the sync sees Amazon's Shipped: the row is Completed, the host order complete.
    expect(await f.send()).to.include({ done: 0, pending: 0 });
    expect(f.requests('confirmShipment')).to.have.length(1);
    e.advance(SETTLE);
    await e.sync();
    expect(await e.stored(id)).to.include({ status: 'Completed', amazonStatus: 'SHIPPED' });
    expect((await e.hostOrder(id))?.state).to.equal('complete');
    const history = (await e.orders.history((await e.stored(id)).id)).map((h) => h.message);
    expect(history.some((m) => m.startsWith('Shipment recorded in the host: 3 units with FedEx'))).to.equal(true);
  });

  it('confirms partial shipments each with their own items; an unknown carrier goes by name', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 3 }, { sku: 'TEE-BLK', qty: 1 }]);
    expect(await f.ship(id, { items: 'MUG-RED:1', carrier: 'other', title: 'La Poste', tracking: 'LP123456789FR' })).to.include({ ok: true });
    expect((await e.stored(id)).status).to.equal('Partially Shipped');
    await f.send();
    expect(e.amazon.getOrder(id)!.status).to.equal('PARTIALLY_SHIPPED');

    expect(await f.ship(id, { tracking: '1Z999AA10123456785' })).to.include({ ok: true });
    expect((await e.stored(id)).status).to.equal('Shipped');
    await f.send();
    const [first, second] = f.requests('confirmShipment').map((r) => JSON.parse(r.body).packageDetail);
    const mug = e.amazon.getOrder(id)!.items.find((i) => i.sku === 'MUG-RED')!;
    const tee = e.amazon.getOrder(id)!.items.find((i) => i.sku === 'TEE-BLK')!;
    expect(first).to.deep.include({ carrierCode: 'Other', carrierName: 'La Poste', trackingNumber: 'LP123456789FR', orderItems: [{ orderItemId: mug.orderItemId, quantity: 1 }] });
    expect(second.carrierCode).to.equal('UPS');
    expect(second.orderItems).to.have.deep.members([{ orderItemId: mug.orderItemId, quantity: 2 }, { orderItemId: tee.orderItemId, quantity: 1 }]);
    expect(first.packageReferenceId).to.not.equal(second.packageReferenceId);
    expect(e.amazon.getOrder(id)!.status).to.equal('SHIPPED');
    expect(e.amazon.getOrder(id)!.packages.map((p) => p.trackingNumber)).to.deep.equal(['LP123456789FR', '1Z999AA10123456785']);
  });

  it('tells two lines of one SKU apart by the Amazon item each came from', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1, price: '10.00' }, { sku: 'MUG-RED', qty: 2, price: '12.00' }]);
    const amazonItems = e.amazon.getOrder(id)!.items;
    const hostItems = (await e.hostOrder(id))!.items;
    expect(hostItems.map((i) => i.externalReference)).to.deep.equal(amazonItems.map((i) => i.orderItemId));
    expect(await f.shipLines(id, [{ index: 1, qty: 2 }])).to.include({ ok: true });
    await f.send();
    const [sent] = f.requests('confirmShipment').map((r) => JSON.parse(r.body).packageDetail);
    expect(sent.orderItems).to.deep.equal([{ orderItemId: amazonItems[1]!.orderItemId, quantity: 2 }]);
    expect(e.amazon.getOrder(id)!.items.map((i) => i.quantityShipped)).to.deep.equal([0, 2]);
    expect((await e.stored(id)).status).to.equal('Partially Shipped');
  });

  it('a 400 on confirmShipment (Amazon canceled meanwhile) turns the row to Error with what Amazon said and what to do', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    e.amazon.cancelOrder(id, { by: 'BUYER' }); // not synced yet: the host does not know
    expect(await f.ship(id)).to.include({ ok: true });
    expect(await f.send()).to.include({ failed: 1, done: 0 });
    const [entry] = await f.entries();
    expect(entry).to.include({ state: 'failed', attempts: 1 });
    expect(entry!.lastError).to.match(/cancel/i);
    const row = await e.stored(id);
    expect(row.status).to.equal('Error');
    expect(row.note).to.match(/^Amazon did not accept the shipment \(1 unit with UPS, tracking 1Z999AA10123456784\): InvalidInput: .*cancel.*Add the tracking in Seller Central, or correct the cause and send it again \(asc outbox:retry --id \d+\)\.$/i);
    // A refusal is final: nothing is sent again by itself.
    e.advance(2 * 60 * MINUTE);
    await f.send();
    expect(f.requests('confirmShipment')).to.have.length(1);
  });

  it('retries 429s and 503s within the rate limiter, then later runs, and confirms once', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    e.amazon.addFault({ operation: 'confirmShipment', kind: 'throttle', count: 1 });
    e.amazon.addFault({ operation: 'confirmShipment', kind: 'error500', count: 1 });
    expect(await f.ship(id)).to.include({ ok: true });
    expect(await f.send()).to.include({ done: 1 });
    const calls = f.requests('confirmShipment');
    expect(calls.map((c) => c.status)).to.deep.equal([429, 500, 204]);

    // Amazon down for longer than the client's retries: the entry waits, then goes.
    const other = await imported([{ sku: 'TEE-BLK', qty: 1 }]);
    e.amazon.addFault({ operation: 'confirmShipment', kind: 'error503', count: 5 });
    expect(await f.ship(other)).to.include({ ok: true });
    expect(await f.send()).to.include({ done: 0, retrying: 1, pending: 1 });
    const [, waiting] = await f.entries();
    expect(waiting).to.include({ state: 'pending', attempts: 1 });
    expect(waiting!.lastError).to.include('503');
    expect(waiting!.nextAttemptAt.getTime()).to.equal(e.clock.now().getTime() + MINUTE);
    expect(await f.send()).to.include({ done: 0, pending: 1 }); // not due yet
    e.advance(MINUTE);
    expect(await f.send()).to.include({ done: 1, pending: 0 });
    expect(f.requests('confirmShipment').filter((c) => c.status === 204)).to.have.length(2);
    expect(e.amazon.getOrder(other)!.packages).to.have.length(1);
  });

  it('a confirmation Amazon applied whose answer was lost is not applied twice', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    // The first attempt is applied, then the connection drops: the client retries the same package.
    e.amazon.addFault({ operation: 'confirmShipment', kind: 'reset', phase: 'after', count: 1 });
    expect(await f.ship(id)).to.include({ ok: true });
    expect(await f.send()).to.include({ done: 1, failed: 0 });
    expect(e.amazon.getOrder(id)!.packages).to.have.length(1);
    expect((await e.stored(id)).note).to.match(/^Amazon already had this shipment/);
  });

  it('vetoes what Amazon cannot take, before the host changes anything', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 2 }]);
    // Amazon canceled it and the sync knows: shipping it would be a mistake.
    e.amazon.cancelOrder(id, { by: 'BUYER' });
    e.advance(SETTLE);
    await e.sync();
    expect((await e.hostOrder(id))?.state).to.equal('canceled');

    const partial = await imported([{ sku: 'TEE-BLK', qty: 2 }]);
    await f.ship(partial, { items: 'TEE-BLK:1' });
    expect(await f.cancel(partial, 'customer_request')).to.deep.equal({
      ok: false, kind: 'vetoed',
      message: `A shipment of order ${partial} was already recorded for Amazon, so it can no longer be canceled. Refund it with a credit memo instead, or cancel it in Seller Central.`,
    });
    await f.send();
    e.advance(SETTLE);
    await e.sync();
    expect((await e.stored(partial)).amazonStatus).to.equal('PARTIALLY_SHIPPED');
    const cancel = await f.cancel(partial, 'customer_request');
    expect(cancel).to.deep.equal({ ok: false, kind: 'vetoed', message: `Amazon cannot cancel order ${partial}: part of it has shipped. Ship the rest, or cancel the remaining items in Seller Central; refund shipped units with a credit memo.` });
    // A credit memo of the unit not shipped would cancel it at Amazon: vetoed too, saying what to do.
    const refund = await f.creditMemo(partial, { items: 'TEE-BLK:2' });
    expect(refund).to.include({ ok: false, kind: 'vetoed' });
    expect((refund as { message: string }).message).to.include('Ship those units first and then refund them, or cancel them in Seller Central');
    expect((await e.hostOrder(partial))!.items[0]).to.include({ qtyCanceled: 0, qtyRefunded: 0, qtyShipped: 1 });

    await f.ship(partial);
    await f.send();
    e.advance(SETTLE);
    await e.sync();
    expect((await e.stored(partial)).status).to.equal('Completed');
    const shipped = await f.cancel(partial);
    expect(shipped.ok).to.equal(false);
    expect(await f.entries()).to.have.length(2);
  });

  /** Amazon processes a feed within a minute of sandbox time; the next run reads its report. */
  async function processFeeds() {
    e.advance(MINUTE);
    return f.send();
  }

  it('cancels an Unshipped order with a feed message Amazon accepts, mapped from the host reason', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 2 }, { sku: 'TEE-BLK', qty: 1 }], 10);
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(8);
    expect(await f.cancel(id, 'out_of_stock')).to.include({ ok: true });
    expect((await e.hostOrder(id))?.state).to.equal('canceled');
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(10);
    expect(await e.stored(id)).to.include({ status: 'Canceled', amazonStatus: 'UNSHIPPED' });
    expect((await f.entries())[0]).to.include({ kind: 'cancel', state: 'pending' });

    // The first feed of a type goes at once; Amazon processes it, and the next run reads the report.
    expect(await f.send()).to.include({ feedsSubmitted: 1, done: 0 });
    expect((await f.entries())[0]).to.include({ state: 'sent', attempts: 1 });
    expect(await processFeeds()).to.include({ done: 1, failed: 0 });
    expect((await f.entries())[0]).to.include({ state: 'done' });
    const [xml, ...others] = f.uploadedFeeds();
    expect(others).to.have.length(0);
    expect(xml!.match(/<Message>/g)).to.have.length(1);
    expect(xml).to.include(`<AmazonOrderID>${id}</AmazonOrderID><StatusCode>Failure</StatusCode>`);
    for (const item of e.amazon.getOrder(id)!.items) {
      expect(xml).to.include(`<Item><AmazonOrderItemCode>${item.orderItemId}</AmazonOrderItemCode><CancelReason>NoInventory</CancelReason></Item>`);
      expect(item.cancellationExecution).to.deep.include({ cancelledBy: 'MERCHANT', cancelReason: 'NoInventory' });
    }
    expect(e.amazon.getOrder(id)!.status).to.equal('CANCELLED');
    expect((await e.stored(id)).note).to.equal('Amazon accepted the cancel (reason out_of_stock (Amazon: NoInventory))');

    e.advance(SETTLE);
    await e.sync();
    expect(await e.stored(id)).to.include({ status: 'Canceled', amazonStatus: 'CANCELLED' });
    expect(f.requests('createFeed')).to.have.length(1);
  });

  it('Cancel order on an order blocked from import releases the stock the module held for it, and it never imports', async () => {
    await e.product('MUG-RED', 5);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 2 }] }); // Pending: stock is held
    e.advance(SETTLE);
    await e.sync();
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(3);
    await e.host.services.catalog.update((await e.host.services.catalog.findBySku('MUG-RED'))!.id, { sku: 'MUG-RED', name: 'Mug', qty: 5, enabled: false, manageStock: true });
    e.advance(8 * MINUTE); // Amazon verifies it; the product is disabled, so it blocks
    await e.sync();
    expect(await e.stored(id)).to.include({ importState: 'blocked', stockReserved: true, amazonStatus: 'UNSHIPPED' });

    const result = await e.host.container.get(OrderCancellation).cancel(e.store.id, id, 'out_of_stock', 'in a test');
    expect(result).to.include({ ok: true, hostOrderCanceled: false });
    expect(await e.stored(id)).to.include({ status: 'Canceled', importState: 'not_eligible', stockReserved: false });
    expect(await e.host.services.stock.listActive()).to.deep.equal([]);
    await e.host.services.catalog.update((await e.host.services.catalog.findBySku('MUG-RED'))!.id, { sku: 'MUG-RED', name: 'Mug', qty: 5, enabled: true, manageStock: true });
    expect(await e.host.services.stock.salableQty('MUG-RED')).to.equal(5);
    await e.sync();
    expect(await e.hostOrder(id)).to.equal(null);
    await f.send();
    await processFeeds();
    expect(e.amazon.getOrder(id)!.status).to.equal('CANCELLED');
  });

  it('batches cancels: one feed per interval, one message per order', async () => {
    const [a, b, c] = [await imported([{ sku: 'MUG-RED', qty: 1 }]), await imported([{ sku: 'MUG-RED', qty: 1 }]), await imported([{ sku: 'MUG-RED', qty: 1 }])];
    await f.cancel(a, 'customer_request');
    expect(await f.send()).to.include({ feedsSubmitted: 1 });
    await f.cancel(b, 'address_undeliverable');
    await f.cancel(c, 'other');
    // Within 20 minutes of the last feed, the next waits.
    expect(await processFeeds()).to.include({ feedsSubmitted: 0, done: 1, pending: 2 });
    e.advance(20 * MINUTE);
    expect(await f.send()).to.include({ feedsSubmitted: 1 });
    expect(await processFeeds()).to.include({ done: 2, pending: 0 });
    const [, second] = f.uploadedFeeds();
    expect(second!.match(/<MessageID>\d+<\/MessageID>/g)).to.deep.equal(['<MessageID>1</MessageID>', '<MessageID>2</MessageID>']);
    expect(second).to.include('<CancelReason>ShippingAddressUndeliverable</CancelReason>');
    expect(second).to.include('<CancelReason>GeneralAdjustment</CancelReason>');
    expect([a, b, c].map((id) => e.amazon.getOrder(id)!.status)).to.deep.equal(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(f.requests('createFeed')).to.have.length(2);
  });

  it('a cancel Amazon rejects in its processing report is an Error, with Amazon\'s words', async () => {
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    expect(await f.cancel(id)).to.include({ ok: true });
    e.shipOnAmazon(id); // shipped in Seller Central meanwhile, not synced yet
    await f.send();
    expect(await processFeeds()).to.include({ failed: 1, done: 0 });
    const [entry] = await f.entries();
    expect(entry!.state).to.equal('failed');
    expect(entry!.lastError).to.match(/has shipped and cannot be cancelled\. \(code 18030\)$/);
    const row = await e.stored(id);
    expect(row.status).to.equal('Error');
    expect(row.note).to.match(/^Amazon did not accept the cancel: Order item \d+ of order .* has shipped and cannot be cancelled\. \(code 18030\)\. Cancel the order in Seller Central/);
  });

  it('refunds a shipped unit with its tax and the shipping, exactly what Amazon charged, never more', async () => {
    await e.product('MUG-RED', 10);
    const id = e.place({ items: [{ sku: 'MUG-RED', qty: 2, price: '19.99' }], status: 'UNSHIPPED', shipping: '5.99' });
    e.advance(SETTLE);
    await e.sync();
    await f.ship(id);
    await f.send();
    const amazonItem = e.amazon.getOrder(id)!.items[0]!;
    expect(await f.creditMemo(id, { items: 'MUG-RED:1', refundShipping: true, reason: 'damaged' })).to.include({ ok: true });
    const [, refund] = await f.entries();
    expect(refund).to.include({ kind: 'refund', state: 'pending' });
    // Half of the line's price and tax (the host's shares), all of the item's shipping and its tax.
    const halfTax = (Number(amazonItem.itemTax.replace('.', '')) / 2 / 100).toFixed(2);
    expect(refund!.record).to.deep.include({
      currencyCode: 'USD',
      adjustmentReason: 'GeneralAdjustment',
      items: [{ orderItemId: amazonItem.orderItemId, principal: '19.99', tax: halfTax, shipping: amazonItem.shipping, shippingTax: amazonItem.shippingTax }],
    });

    // Refunds wait for the feed interval like cancels; --now sends them at once.
    expect(await f.send({ now: true })).to.include({ feedsSubmitted: 1 });
    expect(await processFeeds()).to.include({ done: 1 });
    const [xml] = f.uploadedFeeds();
    expect(xml).to.include(`<AdjustedItem><AmazonOrderItemCode>${amazonItem.orderItemId}</AmazonOrderItemCode><AdjustmentReason>GeneralAdjustment</AdjustmentReason><ItemPriceAdjustments>`);
    expect(xml).to.include('<Component><Type>Principal</Type><Amount currency="USD">19.99</Amount></Component>');
    expect(xml).to.include(`<Component><Type>ShippingTax</Type><Amount currency="USD">${amazonItem.shippingTax}</Amount></Component>`);
    expect(e.amazon.getOrder(id)!.refunds.map((r) => r.components)).to.deep.equal([
      { Principal: '19.99', Shipping: amazonItem.shipping, Tax: halfTax, ShippingTax: amazonItem.shippingTax },
    ]);
    expect((await e.stored(id)).note).to.equal(`Amazon accepted the refund of ${refund!.record.kind === 'refund' ? refund!.record.total : ''} USD (Amazon: GeneralAdjustment)`);

    // The second unit: the rest of the price and tax; shipping is refunded already.
    expect(await f.creditMemo(id, { items: 'MUG-RED:1', reason: 'customer_return' })).to.include({ ok: true });
    await f.send({ now: true });
    await processFeeds();
    const refunds = e.amazon.getOrder(id)!.refunds.map((r) => r.components);
    const cents = (field: 'Principal' | 'Tax') => refunds.reduce((sum, r) => sum + Math.round(Number(r[field]) * 100), 0);
    expect(cents('Principal')).to.equal(3998);
    expect(cents('Tax')).to.equal(Math.round(Number(amazonItem.itemTax) * 100));
    expect((await f.entries()).map((x) => x.state)).to.deep.equal(['done', 'done', 'done']);
  });

  it('Read-Only Mode records and shows everything, sends nothing; turned off, it sends what waited, once', async () => {
    await e.stores.updateSettings(e.store.id, { readOnly: true });
    const id = await imported([{ sku: 'MUG-RED', qty: 1 }]);
    expect(await f.ship(id)).to.include({ ok: true });
    expect(await e.stored(id)).to.include({ status: 'Shipped' });
    expect((await e.stored(id)).note).to.include('held: Read-Only Mode is on');
    expect(await f.send({ now: true })).to.include({ result: 'skipped', pending: 1 });
    expect(f.requests('confirmShipment')).to.have.length(0);

    await e.stores.updateSettings(e.store.id, { readOnly: false });
    expect(await f.send()).to.include({ result: 'ok', done: 1, pending: 0 });
    expect(await f.send()).to.include({ done: 0 });
    expect(f.requests('confirmShipment')).to.have.length(1);
    expect(e.amazon.getOrder(id)!.status).to.equal('SHIPPED');
  });
});
