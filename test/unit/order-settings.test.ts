import { expect } from 'chai';
import { applySettingsChange, DEFAULT_ORDER_SETTINGS } from '../../src/stores/order-settings.ts';

const choices = { storeViews: ['default', 'outlet'], statuses: ['processing', 'amazon_processing'] };

describe('Order Settings rules', () => {
  it('defaults match the original: import enabled, guest, host number, reserve, default status', () => {
    expect(DEFAULT_ORDER_SETTINGS).to.deep.equal({
      importEnabled: true, hostStoreView: null, customerCreation: 'guest', orderNumberSource: 'host',
      reservePending: true, orderStatus: 'default', processingStatus: null, readOnly: false, feedIntervalMinutes: 20,
    });
  });

  it('needs a known processing status with a custom order status', () => {
    const missing = applySettingsChange(DEFAULT_ORDER_SETTINGS, { orderStatus: 'custom' }, choices);
    expect(missing).to.deep.equal({ ok: false, errors: [{ field: 'processingStatus', message: 'is required when Order Status is Custom' }] });
    const unknown = applySettingsChange(DEFAULT_ORDER_SETTINGS, { orderStatus: 'custom', processingStatus: 'nope' }, choices);
    expect(unknown.ok).to.equal(false);
    const fine = applySettingsChange(DEFAULT_ORDER_SETTINGS, { orderStatus: 'custom', processingStatus: 'amazon_processing' }, choices);
    expect(fine).to.deep.equal({ ok: true, settings: { ...DEFAULT_ORDER_SETTINGS, orderStatus: 'custom', processingStatus: 'amazon_processing' } });
  });

  it('refuses a processing status with the default order status, and clears it when going back to default', () => {
    expect(applySettingsChange(DEFAULT_ORDER_SETTINGS, { processingStatus: 'processing' }, choices).ok).to.equal(false);
    const custom = { ...DEFAULT_ORDER_SETTINGS, orderStatus: 'custom' as const, processingStatus: 'processing' };
    expect(applySettingsChange(custom, { orderStatus: 'default' }, choices)).to.deep.equal({ ok: true, settings: DEFAULT_ORDER_SETTINGS });
  });

  it('locks the other fields while import is disabled', () => {
    const result = applySettingsChange(DEFAULT_ORDER_SETTINGS, { importEnabled: false, customerCreation: 'account', reservePending: true }, choices);
    expect(result).to.deep.equal({ ok: false, errors: [{ field: 'customerCreation', message: 'cannot be changed while Import Amazon Orders is Disabled; enable import first' }] });
    expect(applySettingsChange(DEFAULT_ORDER_SETTINGS, { importEnabled: false }, choices).ok).to.equal(true);
  });

  it('leaves the fulfillment settings open while import is disabled, and takes only the offered feed intervals', () => {
    const disabled = { ...DEFAULT_ORDER_SETTINGS, importEnabled: false };
    expect(applySettingsChange(disabled, { readOnly: true, feedIntervalMinutes: 0 }, choices)).to.deep.equal({ ok: true, settings: { ...disabled, readOnly: true, feedIntervalMinutes: 0 } });
    const odd = applySettingsChange(DEFAULT_ORDER_SETTINGS, { feedIntervalMinutes: 7 as never }, choices);
    expect(odd).to.deep.equal({ ok: false, errors: [{ field: 'feedIntervalMinutes', message: 'must be one of 0, 5, 10, 20, 30, 60 (minutes; 0 sends at once)' }] });
  });

  it('refuses an unknown store view', () => {
    expect(applySettingsChange(DEFAULT_ORDER_SETTINGS, { hostStoreView: 'mars' }, choices).ok).to.equal(false);
  });
});
