/** What the order notes and the order history say about fulfillment, in one place. */
import type { FulfillmentRecord } from './rules.ts';

const units = (n: number) => `${n} unit${n === 1 ? '' : 's'}`;

/** "2 units with UPS, tracking 1Z999" / "reason out_of_stock" / "18.49 USD". */
export function describeRecord(record: FulfillmentRecord): string {
  switch (record.kind) {
    case 'shipment': {
      const count = record.items.reduce((sum, item) => sum + item.quantity, 0);
      const carrier = record.carrierCode === 'Other' ? (record.carrierName ?? 'Other') : record.carrierCode;
      return `${units(count)} with ${carrier}, tracking ${record.trackingNumber}`;
    }
    case 'cancel':
      return `reason ${record.reason} (Amazon: ${record.cancelReason})`;
    case 'refund':
      return `${record.total} ${record.currencyCode} (Amazon: ${record.adjustmentReason})`;
  }
}

const WHAT: Record<FulfillmentRecord['kind'], string> = { shipment: 'Shipment', cancel: 'Cancel', refund: 'Refund' };

const waiting = (readOnly: boolean) => (readOnly ? 'held: Read-Only Mode is on, nothing is sent to Amazon' : 'waiting to be sent to Amazon');

export function queuedNote(record: FulfillmentRecord, readOnly: boolean): string {
  return `${WHAT[record.kind]} (${describeRecord(record)}) ${waiting(readOnly)}`;
}

/** The history line: where the change was made ("in the host"), what it is, and that it waits. */
export function queuedLog(record: FulfillmentRecord, where: string, readOnly: boolean): string {
  return `${WHAT[record.kind]} recorded ${where}: ${describeRecord(record)}; ${waiting(readOnly)}`;
}

export function doneNote(record: FulfillmentRecord): string {
  switch (record.kind) {
    case 'shipment':
      return `Shipment confirmed to Amazon (${describeRecord(record)})`;
    case 'cancel':
      return `Amazon accepted the cancel (${describeRecord(record)})`;
    case 'refund':
      return `Amazon accepted the refund of ${describeRecord(record)}`;
  }
}

/** Amazon's words and what the admin can do about them. */
export function failedNote(record: FulfillmentRecord, amazonSaid: string, entryId: number): string {
  const retry = `or correct the cause and send it again (asc outbox:retry --id ${entryId})`;
  switch (record.kind) {
    case 'shipment':
      return `Amazon did not accept the shipment (${describeRecord(record)}): ${amazonSaid}. Add the tracking in Seller Central, ${retry}.`;
    case 'cancel':
      return `Amazon did not accept the cancel: ${amazonSaid}. Cancel the order in Seller Central, ${retry}.`;
    case 'refund':
      return `Amazon did not accept the refund of ${describeRecord(record)}: ${amazonSaid}. Refund the buyer in Seller Central, ${retry}.`;
  }
}
