/**
 * Orders API v0 reads are deprecated (getOrders, getOrder, getOrderItems, getOrderBuyerInfo,
 * getOrderAddress, getOrderItemsBuyerInfo): the module reads orders with v2026-01-01 only. The only
 * v0 path allowed in src/ is confirmShipment's POST .../shipmentConfirmation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const srcDir = path.resolve(import.meta.dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs|cjs|json)$/.test(entry.name) ? [full] : [];
  });
}

/** Every use of a deprecated v0 read in `text`, as "line: excerpt". */
function deprecatedV0Reads(text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    // Any reference to a v0 orders path must be the shipment confirmation.
    let at = line.indexOf('/orders/v0/orders');
    while (at !== -1) {
      const rest = line.slice(at);
      if (!/^\/orders\/v0\/orders\/(\$\{[^`'"]*?\}|\{orderId\})\/shipmentConfirmation\b/.test(rest)) found.push(`${index + 1}: ${rest.slice(0, 80)}`);
      at = line.indexOf('/orders/v0/orders', at + 1);
    }
    for (const match of line.matchAll(/\b(getOrders|getOrderItems|getOrderItemsBuyerInfo|getOrderBuyerInfo|getOrderAddress)\b/g)) {
      found.push(`${index + 1}: ${match[0]}`);
    }
  });
  return found;
}

describe('no deprecated Orders API v0 read in src/', () => {
  it('the check recognises v0 reads and allows confirmShipment', () => {
    expect(deprecatedV0Reads("path: `/orders/v0/orders/${encodeURIComponent(orderId)}/shipmentConfirmation`,")).to.deep.equal([]);
    expect(deprecatedV0Reads("const p = '/orders/v0/orders';")).to.have.length(1);
    expect(deprecatedV0Reads('path: `/orders/v0/orders/${id}/orderItems`')).to.have.length(1);
    expect(deprecatedV0Reads('path: `/orders/v0/orders/${id}`')).to.have.length(1);
    expect(deprecatedV0Reads('await api.getOrderItems(id)')).to.have.length(1);
    expect(deprecatedV0Reads('await api.getOrder(id)')).to.deep.equal([]); // v2026 getOrder is fine
  });

  it('src/ uses none', () => {
    const files = sourceFiles(srcDir);
    expect(files.length).to.be.greaterThan(5);
    const offenders = files.flatMap((file) => deprecatedV0Reads(fs.readFileSync(file, 'utf8')).map((hit) => `${path.relative(srcDir, file)}:${hit}`));
    expect(offenders).to.deep.equal([]);
  });
});
