/**
 * Runs the sandbox on its own: `npx tsx sandbox/amazon/main.ts` (port 4610, SQS on 4611, demo
 * orders, real time). Environment: AMAZON_SANDBOX_PORT, AMAZON_SANDBOX_SQS_PORT,
 * AMAZON_SANDBOX_SPEED (sandbox ms per real ms), AMAZON_SANDBOX_SEED=0 to start without demo orders.
 */
import { DEFAULT_AMAZON_SANDBOX_PORT, describeSandbox, startAmazonSandbox } from './server.ts';

async function main(): Promise<void> {
  const sandbox = await startAmazonSandbox({
    port: process.env.AMAZON_SANDBOX_PORT ? Number(process.env.AMAZON_SANDBOX_PORT) : DEFAULT_AMAZON_SANDBOX_PORT,
    ...(process.env.AMAZON_SANDBOX_SQS_PORT ? { sqsPort: Number(process.env.AMAZON_SANDBOX_SQS_PORT) } : {}),
    clock: { speed: process.env.AMAZON_SANDBOX_SPEED ? Number(process.env.AMAZON_SANDBOX_SPEED) : 1 },
    seed: process.env.AMAZON_SANDBOX_SEED !== '0',
  });
  process.stdout.write(`${describeSandbox(sandbox)}\n`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
