/**
 * The Order Settings section (host settings page, one scope per store): the original's fields and
 * defaults, fields locked while import is Disabled, inline validation, and saved values used by the
 * next import run.
 */
import { expect } from 'chai';
import { describeEachDatabase } from '../support/databases.ts';
import { adminContext, createAdminHarness, putOrder, type AdminHarness } from '../support/admin-harness.ts';
import { amazonOrder } from '../support/amazon-orders.ts';
import { OrderImporter } from '../../src/orders/order-importer.ts';
import { Acl } from '../../src/admin/acl.ts';
import type { AmazonStore } from '../../src/stores/store.ts';

/** The <select> of a field: its disabled flag and selected option. */
function select(html: string, name: string): { disabled: boolean; selected: string | null; invalid: boolean } {
  const match = new RegExp(`<select id="asc-setting-${name}" name="${name}"([^>]*)>([\\s\\S]*?)</select>`).exec(html);
  if (!match) throw new Error(`no select ${name}`);
  return {
    disabled: / disabled/.test(match[1]),
    invalid: /aria-invalid="true"/.test(match[1]),
    selected: /<option value="([^"]*)" selected>/.exec(match[2])?.[1] ?? null,
  };
}

describeEachDatabase('admin Order Settings section', (db) => {
  let h: AdminHarness;
  let store: AmazonStore;

  before(async () => {
    h = await createAdminHarness(db().knex);
    store = await h.stores.add({ name: 'US Store', region: 'na', marketplaceId: 'ATVPDKIKX0DER', sellerId: 'A2SELLER0001', clientId: 'c', clientSecret: 's', refreshToken: 'r', integratedAt: new Date('2026-01-01T00:00:00Z') });
  });

  it('offers one scope per store and shows the defaults with the original labels', async () => {
    expect(h.settings).to.include({ id: 'amazon_order_settings', acl: Acl.orderSettings });
    expect(await h.settings.scopes()).to.deep.equal([{ id: String(store.id), label: 'US Store' }]);
    const html = await h.settings.render(adminContext(), String(store.id));
    for (const label of ['Import Amazon Orders', 'Import Amazon Orders Into Store', 'Customer Creation', 'Order Number Source', 'Pending Orders', 'Order Status', 'Processing Order Status']) {
      expect(html).to.include(`>${label}</label>`);
    }
    expect(select(html, 'import_enabled')).to.deep.equal({ disabled: false, selected: 'enabled', invalid: false });
    expect(select(html, 'host_store_view').selected).to.equal('default');
    expect(html).to.include('Main Website / Default Store View');
    expect(html).to.include(`<a href="/admin/amazon/stores/${store.id}">Back to the US Store dashboard</a>`);
    expect(await h.settings.render(adminContext([Acl.orderSettings]), String(store.id))).not.to.include('Back to the');
    expect(select(html, 'customer_creation').selected).to.equal('guest');
    expect(select(html, 'order_number_source').selected).to.equal('host');
    expect(select(html, 'reserve_pending').selected).to.equal('true');
    expect(select(html, 'order_status')).to.deep.equal({ disabled: false, selected: 'default', invalid: false });
    // Open with Order Status Default: without JavaScript, Custom and its status are chosen in one save.
    expect(select(html, 'processing_status')).to.deep.equal({ disabled: false, selected: '', invalid: false });
  });

  it('saves Custom and its processing status in one save; with Default a chosen status is ignored and cleared', async () => {
    const form = (orderStatus: string, processingStatus: string) =>
      new URLSearchParams({ import_enabled: 'enabled', host_store_view: 'default', customer_creation: 'guest', order_number_source: 'host', reserve_pending: 'true', order_status: orderStatus, processing_status: processingStatus });
    expect((await h.stores.settings(store.id)).orderStatus).to.equal('default');
    expect(await h.settings.save(adminContext(), String(store.id), form('custom', 'amazon_processing'))).to.deep.equal({ ok: true });
    expect(await h.stores.settings(store.id)).to.include({ orderStatus: 'custom', processingStatus: 'amazon_processing' });

    // Back to Default with the status still selected (the form always sends it): saved, status cleared.
    expect(await h.settings.save(adminContext(), String(store.id), form('default', 'amazon_processing'))).to.deep.equal({ ok: true });
    expect(await h.stores.settings(store.id)).to.include({ orderStatus: 'default', processingStatus: null });
    expect(select(await h.settings.render(adminContext(), String(store.id)), 'processing_status')).to.deep.equal({ disabled: false, selected: '', invalid: false });

    // Custom with "Choose a status" is refused even when a status was stored before.
    await h.stores.updateSettings(store.id, { orderStatus: 'custom', processingStatus: 'amazon_processing' });
    expect(await h.settings.save(adminContext(), String(store.id), form('custom', ''))).to.deep.equal({
      ok: false,
      errors: [{ field: 'processing_status', message: 'Processing Order Status: is required when Order Status is Custom' }],
    });
    await h.stores.updateSettings(store.id, { orderStatus: 'default' });
  });

  it('validates inline and saves nothing when a field is refused', async () => {
    const form = new URLSearchParams({ import_enabled: 'enabled', host_store_view: 'default', customer_creation: 'account', order_number_source: 'host', reserve_pending: 'true', order_status: 'custom', processing_status: '' });
    const result = await h.settings.save(adminContext(), String(store.id), form);
    expect(result).to.deep.equal({ ok: false, errors: [{ field: 'processing_status', message: 'Processing Order Status: is required when Order Status is Custom' }] });
    expect((await h.stores.settings(store.id)).customerCreation).to.equal('guest');
    const html = await h.settings.render(adminContext(), String(store.id), result.ok ? [] : result.errors, form);
    expect(select(html, 'processing_status')).to.deep.equal({ disabled: false, selected: '', invalid: true });
    expect(select(html, 'customer_creation').selected).to.equal('account');
    expect(html).to.include('is required when Order Status is Custom');

    const bogus = await h.settings.save(adminContext(), String(store.id), new URLSearchParams({ import_enabled: 'maybe', customer_creation: '<b>x</b>' }));
    expect(bogus).to.deep.equal({
      ok: false,
      errors: [
        { field: 'import_enabled', message: 'Import Amazon Orders: "maybe" is not one of the choices' },
        { field: 'customer_creation', message: 'Customer Creation: "<b>x</b>" is not one of the choices' },
      ],
    });
    const shown = await h.settings.render(adminContext(), String(store.id), bogus.ok ? [] : bogus.errors, new URLSearchParams({ customer_creation: '<b>x</b>' }));
    expect(shown).to.include('&quot;&lt;b&gt;x&lt;/b&gt;&quot; is not one of the choices').and.not.include('<b>x</b>');

    expect(await h.settings.save(adminContext([Acl.ordersView]), String(store.id), form)).to.have.property('ok', false);
    expect(await h.settings.save(adminContext(), '999', form)).to.deep.equal({ ok: false, errors: [{ field: 'scope', message: 'There is no Amazon store "999"' }] });
    expect(await h.settings.render(adminContext(), 'abc')).to.include('There is no Amazon store &quot;abc&quot;');
  });

  it('saves valid values, which the next import run uses', async () => {
    const form = new URLSearchParams({
      import_enabled: 'enabled', host_store_view: 'outlet', customer_creation: 'guest', order_number_source: 'amazon', reserve_pending: 'false',
      order_status: 'custom', processing_status: 'amazon_processing', read_only: 'true', feed_interval_minutes: '5',
    });
    expect(await h.settings.save(adminContext(), String(store.id), form)).to.deep.equal({ ok: true });
    expect(await h.stores.settings(store.id)).to.deep.equal({
      importEnabled: true, hostStoreView: 'outlet', customerCreation: 'guest', orderNumberSource: 'amazon', reservePending: false,
      orderStatus: 'custom', processingStatus: 'amazon_processing', readOnly: true, feedIntervalMinutes: 5,
    });
    const html = await h.settings.render(adminContext(), String(store.id));
    expect(select(html, 'processing_status')).to.deep.equal({ disabled: false, selected: 'amazon_processing', invalid: false });

    h.catalog.add('MUG-RED');
    await putOrder(h, db().knex, store.id, amazonOrder({ orderId: '114-0000000-0000001' }));
    await h.container.get(OrderImporter).processStore(store, await h.stores.settings(store.id));
    const imported = (await h.orders.find(store.id, '114-0000000-0000001'))!;
    const hostOrder = h.hostOrders.orders.get(imported.hostOrderId!)!;
    expect(hostOrder.number).to.equal('114-0000000-0000001');
    expect(hostOrder.request).to.include({ storeView: 'outlet', status: 'amazon_processing' });
  });

  it('locks the other fields while import is Disabled, as the original', async () => {
    expect(await h.settings.save(adminContext(), String(store.id), new URLSearchParams({ import_enabled: 'disabled' }))).to.deep.equal({ ok: true });
    const html = await h.settings.render(adminContext(), String(store.id));
    expect(select(html, 'import_enabled')).to.include({ disabled: false, selected: 'disabled' });
    for (const name of ['host_store_view', 'customer_creation', 'order_number_source', 'reserve_pending', 'order_status', 'processing_status']) {
      expect(select(html, name).disabled, name).to.equal(true);
    }
    // A form that still sends a changed locked field (no JavaScript, stale page) is refused.
    const stale = await h.settings.save(adminContext(), String(store.id), new URLSearchParams({ import_enabled: 'disabled', customer_creation: 'account' }));
    expect(stale).to.deep.equal({ ok: false, errors: [{ field: 'customer_creation', message: 'Customer Creation: cannot be changed while Import Amazon Orders is Disabled; enable import first' }] });
    expect(await h.settings.save(adminContext(), String(store.id), new URLSearchParams({ import_enabled: 'enabled' }))).to.deep.equal({ ok: true });
    expect((await h.stores.settings(store.id)).orderNumberSource).to.equal('amazon');
    // Read-only for an admin without the Order Settings right.
    const readOnly = await h.settings.render(adminContext([Acl.ordersView]), String(store.id));
    expect(select(readOnly, 'import_enabled').disabled).to.equal(true);
  });
});
