/**
 * Demo orders for `npm start`: fourteen orders of the demo seller over the last six days, in five
 * marketplaces, merchant- and Amazon-fulfilled, in every state (pending, pre-order, unshipped,
 * partially shipped, shipped, cancelled). Buyers are placeholder names. Opt-in with `seed: true`.
 * The history is real: verifications and FBA shipments run as clock tasks at their past times, so
 * createdTime <= lastUpdatedTime and every timestamp is consistent.
 */
import type { OrderState, PlaceOrderInput } from './order-book.ts';
import type { AmazonSandbox } from './sandbox.ts';
import { applyShipment } from './shipments.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface DemoOrder {
  ageMs: number;
  input: Omit<PlaceOrderInput, 'createdTime'>;
  /** Merchant shipments after the order was verified: [hours after creation, items (index, qty)]. */
  ships?: Array<{ afterHours: number; carrierCode: string; carrierName?: string; shippingMethod: string; tracking: string; items: Array<[number, number]> }>;
  cancel?: { by: 'BUYER' | 'AMAZON'; reason: string; afterHours: number };
}

const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const UK = 'A1F83G8C2ARO7P';
const DE = 'A1PA6795UKMFR9';
const JP = 'A1VC38T7YXB528';

const DEMO_ORDERS: DemoOrder[] = [
  {
    ageMs: 6 * DAY,
    input: { marketplaceId: US, items: [{ sku: 'MUG-BLUE-12OZ', qty: 2 }] },
    ships: [{ afterHours: 20, carrierCode: 'UPS', shippingMethod: 'UPS Ground', tracking: '1Z999AA10123456784', items: [[0, 2]] }],
  },
  {
    ageMs: 4 * DAY,
    input: { marketplaceId: US, items: [{ sku: 'TEE-BLK-M', qty: 1 }, { sku: 'NOTEBOOK-A5-DOT', qty: 3 }] },
    ships: [{ afterHours: 26, carrierCode: 'USPS', shippingMethod: 'Priority Mail', tracking: '9400111899223100012345', items: [[0, 1]] }],
  },
  { ageMs: 3 * DAY, input: { marketplaceId: US, fulfilledBy: 'AMAZON', prime: true, items: [{ sku: 'LAMP-DESK-LED', qty: 1 }] } },
  { ageMs: 2 * DAY, input: { marketplaceId: US, items: [{ sku: 'BOTTLE-STEEL-750', qty: 1 }] } },
  { ageMs: 20 * HOUR, input: { marketplaceId: US, prime: true, serviceLevel: 'EXPEDITED', items: [{ sku: 'MUG-BLUE-12OZ', qty: 1, discount: '2.00', promotionId: 'SANDBOX-SPRING-MUG' }] } },
  { ageMs: 3 * HOUR, input: { marketplaceId: US, items: [{ sku: 'NOTEBOOK-A5-DOT', qty: 2 }] }, cancel: { by: 'BUYER', reason: 'Order created by mistake', afterHours: 1 } },
  { ageMs: 5 * DAY, input: { marketplaceId: US, items: [{ sku: 'TEE-BLK-M', qty: 2 }] }, cancel: { by: 'AMAZON', reason: 'Payment could not be verified', afterHours: 0.05 } },
  { ageMs: 2 * DAY, input: { marketplaceId: CA, items: [{ sku: 'TEE-BLK-M', qty: 2 }] } },
  {
    ageMs: 5 * DAY,
    input: { marketplaceId: UK, items: [{ sku: 'LAMP-DESK-LED', qty: 1 }] },
    ships: [{ afterHours: 30, carrierCode: 'Royal Mail', shippingMethod: 'Tracked 48', tracking: 'AB123456789GB', items: [[0, 1]] }],
  },
  { ageMs: 60_000, input: { marketplaceId: UK, fulfilledBy: 'AMAZON', items: [{ sku: 'BOTTLE-STEEL-750', qty: 2 }] } },
  { ageMs: 1 * DAY, input: { marketplaceId: DE, items: [{ sku: 'MUG-BLUE-12OZ', qty: 3 }] } },
  { ageMs: 4 * DAY, input: { marketplaceId: DE, fulfilledBy: 'AMAZON', items: [{ sku: 'TEE-BLK-M', qty: 1 }] } },
  { ageMs: 2 * DAY, input: { marketplaceId: JP, items: [{ sku: 'NOTEBOOK-A5-DOT', qty: 2 }, { sku: 'MUG-BLUE-12OZ', qty: 1 }] } },
  { ageMs: 12 * HOUR, input: { marketplaceId: JP, status: 'PENDING_AVAILABILITY', items: [{ sku: 'LAMP-DESK-LED', qty: 1 }] } },
];

export function seedDemoOrders(sandbox: AmazonSandbox): OrderState[] {
  const now = sandbox.clock.now();
  const placed: OrderState[] = [];
  // Oldest first, so every order's history runs in time order.
  for (const demo of [...DEMO_ORDERS].sort((a, b) => b.ageMs - a.ageMs)) {
    const createdTime = now - demo.ageMs;
    const input: PlaceOrderInput = { ...demo.input, createdTime: new Date(createdTime).toISOString() };
    if (input.status === 'PENDING_AVAILABILITY') input.releaseTime = new Date(now + 3 * DAY).toISOString();
    const order = sandbox.book.place(input);
    placed.push(order);
    if (demo.cancel) {
      const at = createdTime + demo.cancel.afterHours * HOUR;
      sandbox.clock.schedule(at, () => {
        if (demo.cancel!.by === 'BUYER') sandbox.book.cancelByBuyerOrAmazon(order.orderId, 'BUYER', demo.cancel!.reason, false, at);
        else sandbox.book.cancelByBuyerOrAmazon(order.orderId, 'AMAZON', demo.cancel!.reason, false, at);
      });
    }
    for (const [n, ship] of (demo.ships ?? []).entries()) {
      const at = createdTime + ship.afterHours * HOUR;
      sandbox.clock.schedule(at, () => {
        const refusal = applyShipment(
          sandbox.book,
          order,
          {
            packageReferenceId: String(n + 1),
            carrierCode: ship.carrierCode,
            carrierName: ship.carrierName,
            shippingMethod: ship.shippingMethod,
            trackingNumber: ship.tracking,
            shipTime: at,
            items: ship.items.map(([index, quantity]) => ({ orderItemId: order.items[index]!.orderItemId, quantity })),
            via: 'confirmShipment',
          },
          at,
        );
        if (refusal) throw new Error(`demo order ${order.orderId} cannot ship: ${refusal.message}`);
      });
    }
  }
  sandbox.clock.runDue();
  return placed;
}
