/** Read models for the admin's order pages and the CLI's order list. */
import type { Knex } from 'knex';
import { fromDb } from '../../../src/db/time.ts';
import { fromUnits, toUnits } from '../money.ts';
import { parseId, toBool } from '../sql.ts';
import { itemSnapshot } from './orders.ts';
import { qtyToRefund, qtyToShip } from './plans.ts';

export interface OrderListRow {
  id: string;
  number: string;
  createdAt: Date;
  state: string;
  status: string;
  statusLabel: string;
  channel: string | null;
  externalReference: string | null;
  currencyCode: string;
  total: string;
  customerName: string;
  customerEmail: string;
  items: Array<{ sku: string; qty: number }>;
}

export interface OrderDetails extends OrderListRow {
  storeView: string;
  customerMode: string;
  shippingAddress: { name: string; street: string[]; city: string; region: string | null; postalCode: string; countryCode: string; phone: string };
  shippingMethod: string;
  paymentMethod: string;
  shippingAmount: string;
  shippingTaxAmount: string;
  shippingDiscountAmount: string;
  shippingRefunded: boolean;
  subtotal: string;
  /** Charges besides lines and shipping (gift wrap, fees, tips); their tax and discounts are in the totals. */
  charges: Array<{ kind: string; label: string; amount: string; taxAmount: string; discountAmount: string }>;
  taxTotal: string;
  discountTotal: string;
  lines: Array<{
    id: string;
    sku: string;
    name: string;
    unitPrice: string;
    taxAmount: string;
    discountAmount: string;
    rowTotal: string;
    qtyOrdered: number;
    qtyShipped: number;
    qtyCanceled: number;
    qtyRefunded: number;
    qtyToShip: number;
    qtyToRefund: number;
  }>;
  comments: Array<{ createdAt: Date; status: string; comment: string }>;
  shipments: Array<{ id: string; createdAt: Date; carrierCode: string; carrierTitle: string; trackingNumber: string; items: Array<{ sku: string; qty: number }> }>;
  creditMemos: Array<{ id: string; createdAt: Date; reason: string; itemAmount: string; shippingAmount: string; taxAmount: string; grandTotal: string; items: Array<{ sku: string; qty: number }> }>;
}

export class OrderQueries {
  constructor(private readonly knex: Knex) {}

  /** Newest first. */
  async list(options: { limit: number; offset: number }): Promise<{ rows: OrderListRow[]; total: number }> {
    const [{ count }] = await this.knex('host_order').count({ count: '*' });
    const rows = await this.knex('host_order as o')
      .join('host_order_status as s', 's.code', 'o.status')
      .orderBy('o.id', 'desc')
      .limit(options.limit)
      .offset(options.offset)
      .select('o.*', 's.label as status_label');
    const ids = rows.map((r) => r.id);
    const items = ids.length === 0 ? [] : await this.knex('host_order_item').whereIn('order_id', ids).orderBy('id');
    return { rows: rows.map((r) => this.toListRow(r, items.filter((i) => Number(i.order_id) === Number(r.id)))), total: Number(count) };
  }

  async details(id: string): Promise<OrderDetails | null> {
    const numeric = parseId(id);
    if (numeric === null) return null;
    const row = await this.knex('host_order as o')
      .join('host_order_status as s', 's.code', 'o.status')
      .where('o.id', numeric)
      .first('o.*', 's.label as status_label');
    if (!row) return null;
    const items = await this.knex('host_order_item').where({ order_id: numeric }).orderBy('id');
    const skuOf = new Map(items.map((i) => [Number(i.id), String(i.sku)]));
    const charges = await this.knex('host_order_charge').where({ order_id: numeric }).orderBy('id');
    const comments = await this.knex('host_order_comment').where({ order_id: numeric }).orderBy('id');
    const shipments = await this.knex('host_shipment').where({ order_id: numeric }).orderBy('id');
    const shipmentItems = shipments.length === 0 ? [] : await this.knex('host_shipment_item').whereIn('shipment_id', shipments.map((s) => s.id));
    const memos = await this.knex('host_creditmemo').where({ order_id: numeric }).orderBy('id');
    const memoItems = memos.length === 0 ? [] : await this.knex('host_creditmemo_item').whereIn('creditmemo_id', memos.map((m) => m.id));

    let subtotal = 0n;
    let tax = 0n;
    let discount = 0n;
    const lines = items.map((i) => {
      const snapshot = itemSnapshot(i);
      const rowTotal = toUnits(snapshot.unitPrice) * BigInt(snapshot.qtyOrdered);
      subtotal += rowTotal;
      tax += toUnits(snapshot.taxAmount);
      discount += toUnits(snapshot.discountAmount);
      return {
        id: String(snapshot.id), sku: snapshot.sku, name: snapshot.name, unitPrice: snapshot.unitPrice, taxAmount: snapshot.taxAmount,
        discountAmount: snapshot.discountAmount, rowTotal: fromUnits(rowTotal), qtyOrdered: snapshot.qtyOrdered, qtyShipped: snapshot.qtyShipped,
        qtyCanceled: snapshot.qtyCanceled, qtyRefunded: snapshot.qtyRefunded, qtyToShip: qtyToShip(snapshot), qtyToRefund: qtyToRefund(snapshot),
      };
    });
    for (const c of charges) {
      tax += toUnits(c.tax_amount);
      discount += toUnits(c.discount_amount);
    }
    return {
      ...this.toListRow(row, items),
      storeView: row.store_view,
      customerMode: row.customer_mode,
      shippingAddress: {
        name: `${row.ship_first_name} ${row.ship_last_name}`.trim(),
        street: JSON.parse(row.ship_street) as string[],
        city: row.ship_city,
        region: row.ship_region,
        postalCode: row.ship_postal_code,
        countryCode: row.ship_country_code,
        phone: row.ship_phone,
      },
      shippingMethod: row.shipping_method,
      paymentMethod: row.payment_method,
      shippingAmount: row.shipping_amount,
      shippingTaxAmount: row.shipping_tax_amount,
      shippingDiscountAmount: row.shipping_discount_amount,
      shippingRefunded: toBool(row.shipping_refunded),
      subtotal: fromUnits(subtotal),
      charges: charges.map((c) => ({ kind: c.kind, label: c.label, amount: c.amount, taxAmount: c.tax_amount, discountAmount: c.discount_amount })),
      taxTotal: fromUnits(tax + toUnits(row.shipping_tax_amount)),
      discountTotal: fromUnits(discount + toUnits(row.shipping_discount_amount)),
      lines,
      comments: comments.map((c) => ({ createdAt: fromDb(c.created_at), status: c.status, comment: c.comment })),
      shipments: shipments.map((s) => ({
        id: String(s.id), createdAt: fromDb(s.created_at), carrierCode: s.carrier_code, carrierTitle: s.carrier_title, trackingNumber: s.tracking_number,
        items: shipmentItems.filter((x) => Number(x.shipment_id) === Number(s.id)).map((x) => ({ sku: skuOf.get(Number(x.order_item_id)) ?? '?', qty: Number(x.qty) })),
      })),
      creditMemos: memos.map((m) => ({
        id: String(m.id), createdAt: fromDb(m.created_at), reason: m.reason, itemAmount: m.item_amount, shippingAmount: m.shipping_amount,
        taxAmount: m.tax_amount, grandTotal: m.grand_total,
        items: memoItems.filter((x) => Number(x.creditmemo_id) === Number(m.id)).map((x) => ({ sku: skuOf.get(Number(x.order_item_id)) ?? '?', qty: Number(x.qty) })),
      })),
    };
  }

  private toListRow(row: Record<string, unknown>, items: Array<Record<string, unknown>>): OrderListRow {
    return {
      id: String(row.id),
      number: String(row.number),
      createdAt: fromDb(row.created_at),
      state: String(row.state),
      status: String(row.status),
      statusLabel: String(row.status_label),
      channel: (row.channel as string | null) ?? null,
      externalReference: (row.external_reference as string | null) ?? null,
      currencyCode: String(row.currency_code),
      total: String(row.grand_total),
      customerName: `${row.customer_first_name} ${row.customer_last_name}`.trim(),
      customerEmail: String(row.customer_email),
      items: items.map((i) => ({ sku: String(i.sku), qty: Number(i.qty_ordered) })),
    };
  }
}
