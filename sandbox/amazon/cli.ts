/**
 * `asc` commands that drive a running sandbox over its control API, shaped like the host's
 * CliCommandContribution. The sandbox is found at env AMAZON_SANDBOX_URL (default
 * http://127.0.0.1:4610). Exit codes: 0 done, 1 the sandbox refused or is unreachable.
 */
import type { CliCommandContribution, CliFlagValue, CliIO } from '../../src/host/contributions.ts';
import { FAULT_KINDS, FAULT_OPERATIONS } from './faults.ts';
import { DEMO_APP } from './lwa.ts';
import { MARKETPLACES } from './marketplaces.ts';

export const AMAZON_SANDBOX_URL_ENV = 'AMAZON_SANDBOX_URL';
export const DEFAULT_AMAZON_SANDBOX_URL = 'http://127.0.0.1:4610';

type Flags = Record<string, CliFlagValue | undefined>;

class SandboxCallError extends Error {}

/** At most `max` characters of what the sandbox answered, cut between code points: its errors quote ids back, however long they were. */
function clip(text: string, max = 200): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function sandboxUrl(env: NodeJS.ProcessEnv): string {
  return (env[AMAZON_SANDBOX_URL_ENV] ?? DEFAULT_AMAZON_SANDBOX_URL).replace(/\/+$/, '');
}

async function call(env: NodeJS.ProcessEnv, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const base = sandboxUrl(env);
  let response: Response;
  try {
    response = await fetch(`${base}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new SandboxCallError(`The Amazon sandbox is not reachable at ${base} (${error instanceof Error ? error.message : String(error)}). Start it (npm start) or set ${AMAZON_SANDBOX_URL_ENV}.`);
  }
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SandboxCallError(`The sandbox at ${base} answered ${response.status} with a non-JSON body: ${clip(text)}`);
  }
  if (!response.ok) throw new SandboxCallError(`The sandbox refused: ${clip(String(json.error ?? text))}`);
  return json;
}

interface OrderSummary {
  orderId: string;
  status: string;
  fulfilledBy: string;
  marketplaceId: string;
  grandTotal: string;
  currency: string;
  buyerName: string;
  createdTime: string;
  items: Array<{ sku: string; quantityOrdered: number; orderItemId: string }>;
}

function orderLine(o: OrderSummary): string {
  const items = o.items.map((i) => `${i.sku} x${i.quantityOrdered}`).join(', ');
  return `${o.orderId}  ${o.status.padEnd(20)} ${o.fulfilledBy.padEnd(8)} ${o.marketplaceId.padEnd(14)} ${`${o.grandTotal} ${o.currency}`.padStart(14)}  ${o.createdTime}  ${items}`;
}

/** Wraps a command body: prints the sandbox error and returns 1 instead of throwing. */
function command(run: (flags: Flags, io: CliIO) => Promise<number>): (flags: Flags, io: CliIO) => Promise<number> {
  return async (flags, io) => {
    try {
      return await run(flags, io);
    } catch (error) {
      if (error instanceof SandboxCallError) {
        io.stderr.write(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
  };
}

function print(io: CliIO, flags: Flags, json: unknown, human: string): void {
  io.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);
}

/** The commands; `env` is injectable for tests. */
export function amazonSandboxCommands(env: NodeJS.ProcessEnv = process.env): CliCommandContribution[] {
  return [
    {
      name: 'sandbox:order:place',
      summary: 'Place an order on the Amazon sandbox as a buyer would',
      flags: [
        { name: 'sku', type: 'string', description: 'Seller SKU ordered', required: true },
        { name: 'qty', type: 'int', min: 1, description: 'Quantity (default 1)' },
        { name: 'price', type: 'decimal', description: 'Unit price, e.g. 19.99 (default: demo catalog or marketplace price)' },
        { name: 'fba', type: 'switch', description: 'Fulfilled by Amazon (default: by the merchant)' },
        { name: 'buyer', type: 'string', description: 'Buyer name (default: a placeholder name)' },
        { name: 'marketplace-id', type: 'enum', values: MARKETPLACES.map((m) => m.id), description: 'Marketplace (default ATVPDKIKX0DER, US)' },
        { name: 'status', type: 'enum', values: ['PENDING', 'UNSHIPPED', 'PENDING_AVAILABILITY'], description: 'Initial status (default PENDING)' },
        { name: 'json', type: 'switch', description: 'Print the order as JSON' },
      ],
      run: command(async (flags, io) => {
        const item: Record<string, unknown> = { sku: flags.sku, qty: flags.qty ?? 1 };
        if (flags.price !== undefined) item.price = String(flags.price);
        const { order } = (await call(env, 'POST', '/orders', {
          items: [item],
          fulfilledBy: flags.fba ? 'AMAZON' : 'MERCHANT',
          ...(flags.buyer !== undefined ? { buyerName: flags.buyer } : {}),
          ...(flags['marketplace-id'] !== undefined ? { marketplaceId: flags['marketplace-id'] } : {}),
          ...(flags.status !== undefined ? { status: flags.status } : {}),
        })) as { order: OrderSummary };
        print(io, flags, order, `Placed ${orderLine(order)}`);
        return 0;
      }),
    },
    {
      name: 'sandbox:order:cancel',
      summary: 'Cancel an Amazon sandbox order as the buyer or as Amazon',
      flags: [
        { name: 'order', type: 'string', description: 'Amazon order id', required: true },
        { name: 'by', type: 'enum', values: ['buyer', 'amazon'], description: 'Who cancels (default buyer)' },
        { name: 'reason', type: 'string', description: 'Cancellation reason' },
        { name: 'request-only', type: 'switch', description: 'Buyer only asks to cancel; the seller has to act' },
        { name: 'json', type: 'switch', description: 'Print the order as JSON' },
      ],
      run: command(async (flags, io) => {
        const { order } = (await call(env, 'POST', `/orders/${encodeURIComponent(String(flags.order))}/cancel`, {
          by: flags.by === 'amazon' ? 'AMAZON' : 'BUYER',
          ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
          requestOnly: flags['request-only'] === true,
        })) as { order: OrderSummary };
        print(io, flags, order, `${flags['request-only'] ? 'Cancellation requested for' : 'Cancelled'} ${orderLine(order)}`);
        return 0;
      }),
    },
    {
      name: 'sandbox:order:list',
      summary: 'List the Amazon sandbox orders',
      flags: [
        { name: 'status', type: 'enum', values: ['PENDING_AVAILABILITY', 'PENDING', 'UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'], description: 'Only orders in this status' },
        { name: 'json', type: 'switch', description: 'Print JSON' },
      ],
      run: command(async (flags, io) => {
        const query = flags.status === undefined ? '' : `?status=${encodeURIComponent(String(flags.status))}`;
        const { orders } = (await call(env, 'GET', `/orders${query}`)) as { orders: OrderSummary[] };
        print(io, flags, orders, orders.length === 0 ? 'No orders.' : orders.map(orderLine).join('\n'));
        return 0;
      }),
    },
    {
      name: 'sandbox:clock:advance',
      summary: 'Move the Amazon sandbox clock forward (orders and feeds progress)',
      flags: [
        { name: 'minutes', type: 'int', min: 0, description: 'Minutes to advance', required: true },
        { name: 'json', type: 'switch', description: 'Print JSON' },
      ],
      run: command(async (flags, io) => {
        const clock = await call(env, 'POST', '/clock', { advanceMinutes: flags.minutes });
        print(io, flags, clock, `Sandbox time is now ${String(clock.now)} (speed ${String(clock.speed)}x)`);
        return 0;
      }),
    },
    {
      name: 'sandbox:clock:speed',
      summary: 'Set how fast the Amazon sandbox clock runs (0 freezes it)',
      flags: [
        { name: 'factor', type: 'decimal', description: 'Sandbox seconds per real second, e.g. 60', required: true },
        { name: 'json', type: 'switch', description: 'Print JSON' },
      ],
      run: command(async (flags, io) => {
        const clock = await call(env, 'POST', '/clock', { speed: Number(flags.factor) });
        print(io, flags, clock, `Sandbox time is ${String(clock.now)}, running at ${String(clock.speed)}x`);
        return 0;
      }),
    },
    {
      name: 'sandbox:fault:add',
      summary: 'Make the Amazon sandbox misbehave for an operation (429, 500, 503, delays, resets, bad JSON...)',
      flags: [
        { name: 'operation', type: 'enum', values: ['*', ...FAULT_OPERATIONS], description: 'SP-API operation, or * for all of them; lwaToken and uploadFeedDocument take reset, delay, error500 and error503; notifications takes dropNotifications, duplicateNotifications and reorderNotifications', required: true },
        { name: 'kind', type: 'enum', values: FAULT_KINDS, description: 'What goes wrong', required: true },
        { name: 'count', type: 'int', min: 1, description: 'For the next N requests (default 1)' },
        { name: 'minutes', type: 'int', min: 1, description: 'For this many sandbox minutes' },
        { name: 'delay-ms', type: 'int', min: 0, description: 'For kind delay: milliseconds' },
        { name: 'variant', type: 'enum', values: ['missingField', 'wrongType'], description: 'For kind invalidOrder: drop a required field, or send a wrong type' },
        { name: 'phase', type: 'enum', values: ['before', 'after'], description: 'For kind reset: before the request is applied, or after (the change happened)' },
        { name: 'json', type: 'switch', description: 'Print JSON' },
      ],
      run: command(async (flags, io) => {
        const { fault } = (await call(env, 'POST', '/faults', {
          operation: flags.operation,
          kind: flags.kind,
          ...(flags.count !== undefined ? { count: flags.count } : {}),
          ...(flags.minutes !== undefined ? { durationMs: Number(flags.minutes) * 60_000 } : {}),
          ...(flags['delay-ms'] !== undefined ? { delayMs: flags['delay-ms'] } : {}),
          ...(flags.variant !== undefined ? { variant: flags.variant } : {}),
          ...(flags.phase !== undefined ? { phase: flags.phase } : {}),
        })) as { fault: Record<string, unknown> };
        print(io, flags, fault, `Added ${String(fault.id)}: ${String(fault.kind)} on ${String(fault.operation)}`);
        return 0;
      }),
    },
    {
      name: 'sandbox:fault:clear',
      summary: 'Remove every fault from the Amazon sandbox',
      flags: [],
      run: command(async (_flags, io) => {
        await call(env, 'DELETE', '/faults');
        io.stdout.write('Faults cleared.\n');
        return 0;
      }),
    },
    {
      name: 'sandbox:token:revoke',
      summary: "Revoke a seller's authorization of an app on the Amazon sandbox (its refresh tokens stop working)",
      flags: [
        { name: 'seller', type: 'string', description: 'Seller id (selling_partner_id) that removes the app', required: true },
        { name: 'client-id', type: 'string', description: "LWA client id of the app (default the demo app's)" },
      ],
      run: command(async (flags, io) => {
        const clientId = String(flags['client-id'] ?? DEMO_APP.clientId);
        const { revoked } = await call(env, 'POST', '/authorizations/revoke', { clientId, sellerId: flags.seller });
        io.stdout.write(`Revoked the authorization of seller ${String(flags.seller)} for ${clientId} (${String(revoked)} refresh token(s) stopped).\n`);
        return 0;
      }),
    },
    {
      name: 'sandbox:reset',
      summary: 'Empty the Amazon sandbox (orders, feeds, faults, recorded requests)',
      flags: [{ name: 'seed', type: 'switch', description: 'Place the demo orders again' }],
      run: command(async (flags, io) => {
        await call(env, 'POST', '/reset', { seed: flags.seed === true });
        io.stdout.write(`Amazon sandbox reset${flags.seed ? ' with demo orders' : ''}.\n`);
        return 0;
      }),
    },
  ];
}
