/**
 * The Amazon sandbox with Amazon's official models watching the wire: every SP-API request the
 * module sends and every answer the sandbox gives must match them (closed objects). Exchanges a
 * test broke on purpose (faults) are left out. `close()` stops the sandbox, then throws the
 * violations, so a test that forgot to check still fails.
 */
import { startAmazonSandbox, type RunningAmazonSandbox, type SandboxExchange, type StartAmazonSandboxOptions } from '../../sandbox/amazon/index.ts';
import { ContractError, assertContract, validateRequest, type ModelName } from './sp-api-contract.ts';

const MODEL_OF: Record<string, ModelName> = {
  searchOrders: 'orders_2026-01-01',
  getOrder: 'orders_2026-01-01',
  confirmShipment: 'ordersV0',
  createFeedDocument: 'feeds_2021-06-30',
  createFeed: 'feeds_2021-06-30',
  getFeed: 'feeds_2021-06-30',
  cancelFeed: 'feeds_2021-06-30',
  getFeedDocument: 'feeds_2021-06-30',
};

/** What is wrong with one exchange, or null when it matches the model (or is not SP-API). */
export function contractViolation({ request, response }: SandboxExchange): string | null {
  const model = request.operation ? MODEL_OF[request.operation] : undefined;
  if (!model || request.faults.length > 0) return null;
  const where = `${request.method} ${request.path}`;
  const checked = validateRequest(model, request.method, request.path, request.query, request.body === '' ? undefined : JSON.parse(request.body), { closed: true });
  if (!checked.ok) return `${where}: the request does not match ${model}: ${checked.errors.join('; ')}`;
  if (response === null) return null;
  if (response.raw !== undefined) return `${where}: the sandbox answered ${response.status} with a body that is not JSON`;
  try {
    assertContract(model, request.operation!, { status: response.status, headers: response.headers ?? {}, body: response.json });
  } catch (error) {
    if (error instanceof ContractError) return `${where}: ${error.message}`;
    throw error;
  }
  return null;
}

export async function startCheckedSandbox(options: Omit<StartAmazonSandboxOptions, 'onExchange'> = {}): Promise<RunningAmazonSandbox> {
  const violations: string[] = [];
  const sandbox = await startAmazonSandbox({
    ...options,
    onExchange: (exchange) => {
      const violation = contractViolation(exchange);
      if (violation !== null) violations.push(violation);
    },
  });
  const close = sandbox.close.bind(sandbox);
  sandbox.close = async () => {
    await close();
    if (violations.length > 0) throw new Error(`${violations.length} exchange(s) with the Amazon sandbox break Amazon's models:\n${violations.slice(0, 5).join('\n')}`);
  };
  return sandbox;
}
