/**
 * The Amazon sandbox as a host extension: `asc start` runs it beside the admin (with demo orders)
 * and makes the sandbox's demo app the module's application, so a new user connects the demo
 * store through the same consent flow a merchant uses. `asc sandbox:*` commands drive it.
 *
 * Environment: AMAZON_SANDBOX=0 to not start it, AMAZON_SANDBOX_PORT (default 4610),
 * AMAZON_SANDBOX_SQS_PORT (its SQS endpoint; default 4611, or a free port when AMAZON_SANDBOX_PORT
 * is 0), AMAZON_SANDBOX_SPEED (sandbox ms per real ms, default 1).
 */
import type { HostExtension, ServiceContext } from '../host/extensions.ts';
import { BASE_PATH } from '../host/admin/context.ts';
import { AmazonAppSettings, CONNECT_CALLBACK_PATH, type AmazonAppInput } from '../../src/stores/amazon-app.ts';
import { CliUsageError } from '../../src/host/contributions.ts';
import { Stores } from '../../src/stores/stores.ts';
import { authorizationProblem } from '../../src/stores/store.ts';
import { RealtimeUpdates } from '../../src/notifications/realtime-updates.ts';
import { realSleep } from '../../src/amazon/retry.ts';
import { errorSummary } from '../../src/error-summary.ts';
import { DEMO_AWS } from './sqs.ts';
import { amazonSandboxCommands } from './cli.ts';
import { DEFAULT_AMAZON_SANDBOX_PORT, describeSandbox, startAmazonSandbox, type RunningAmazonSandbox } from './server.ts';

export const amazonSandboxExtension: HostExtension = {
  name: 'amazon-sandbox',
  commands: (context) => amazonSandboxCommands(context.env),
  commandsUseDatabase: false,
  async start(context) {
    if (context.env.AMAZON_SANDBOX === '0') return { description: 'Amazon sandbox: off (AMAZON_SANDBOX=0)', stop: async () => undefined };
    const port = context.env.AMAZON_SANDBOX_PORT ? Number(context.env.AMAZON_SANDBOX_PORT) : DEFAULT_AMAZON_SANDBOX_PORT;
    const sqsPort = context.env.AMAZON_SANDBOX_SQS_PORT ? Number(context.env.AMAZON_SANDBOX_SQS_PORT) : undefined;
    let sandbox;
    try {
      sandbox = await startAmazonSandbox({ port, sqsPort, clock: { speed: context.env.AMAZON_SANDBOX_SPEED ? Number(context.env.AMAZON_SANDBOX_SPEED) : 1 }, seed: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      // A setting to change, not a crash: one line and exit 2.
      const taken = (error as { port?: number }).port;
      const variable = taken !== undefined && taken !== port ? 'AMAZON_SANDBOX_SQS_PORT' : 'AMAZON_SANDBOX_PORT';
      throw new CliUsageError(
        `the Amazon sandbox cannot listen on port ${taken ?? port}, which is in use: set ${variable} to another port (0 picks a free one), or AMAZON_SANDBOX=0 to start without it`,
      );
    }
    const demoStore = await offerDemoConnection(sandbox, context);
    const realtime = keepDemoStoresRealtime(sandbox, context);
    return {
      description: `${describeSandbox(sandbox)}${demoStore}\nReal-time updates: on for every demo store once connected (its orders arrive in seconds through ${sandbox.demoQueue.url})`,
      stop: async () => {
        await realtime.stop();
        await sandbox.close();
      },
    };
  },
};

/** How often the demo looks for a newly connected demo store to turn real-time updates on for. */
const DEMO_REALTIME_CHECK_MS = 2_000;

/**
 * The demo turns real-time updates on for each store of the sandbox's demo seller as soon as it is
 * connected (Active and authorized), with the sandbox's demo queue and AWS key, as a merchant does
 * on the store's Real-time updates page: a sandbox order placed then reaches the admin in seconds.
 * A store an admin turned off (it has settings) is left alone.
 */
function keepDemoStoresRealtime(sandbox: RunningAmazonSandbox, context: ServiceContext): { stop(): Promise<void> } {
  const realtime = context.container.get(RealtimeUpdates);
  const stores = context.container.get(Stores);
  const controller = new AbortController();
  const turnOnNewDemoStores = async () => {
    const configured = new Set((await realtime.list()).map((n) => n.storeId));
    for (const store of await stores.list()) {
      if (configured.has(store.id) || store.sellerId !== sandbox.demoApp.sellerId || store.status !== 'active' || authorizationProblem(store) !== null) continue;
      const result = await realtime.enable(store.id, {
        queueUrl: sandbox.demoQueue.url,
        region: sandbox.sqsRegion,
        accessKeyId: DEMO_AWS.accessKeyId,
        secretAccessKey: DEMO_AWS.secretAccessKey,
      });
      if (result.ok) context.logger.info('Demo: real-time updates turned on', { storeId: store.id, queueUrl: sandbox.demoQueue.url });
      else context.logger.warn('Demo: real-time updates could not be turned on', { storeId: store.id, errors: result.errors });
    }
  };
  const done = (async () => {
    while (!controller.signal.aborted) {
      await turnOnNewDemoStores().catch((error: unknown) => context.logger.warn('Demo: real-time updates check failed', { error: errorSummary(error) }));
      await realSleep(DEMO_REALTIME_CHECK_MS, controller.signal);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}

/**
 * The sandbox's demo app as the module's SP-API application for the admin at `adminUrl` (its
 * callback registered with the sandbox's Seller Central): the demo's, and the tests'.
 */
export function sandboxApplication(sandbox: RunningAmazonSandbox, adminUrl: string): AmazonAppInput {
  const app = sandbox.demoApp;
  const redirectUri = `${adminUrl}${BASE_PATH}${CONNECT_CALLBACK_PATH}`;
  sandbox.addRedirectUri(app.clientId, redirectUri);
  return {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    applicationId: app.applicationId!,
    redirectUri,
    draft: false,
    sellerCentralUrl: sandbox.url,
    lwaEndpoint: sandbox.lwaUrl,
    spApiEndpoint: sandbox.url,
  };
}

/**
 * The demo's application is the sandbox's demo app, registered with this admin's callback, so a
 * new user connects the demo store as a merchant connects theirs: Amazon Stores > Connect an
 * Amazon store, Confirm on the sandbox's Seller Central. An application someone configured for
 * real Amazon is left alone.
 */
async function offerDemoConnection(sandbox: RunningAmazonSandbox, context: ServiceContext): Promise<string> {
  const settings = context.container.get(AmazonAppSettings);
  const saved = await settings.get();
  if (saved !== null && saved.clientId !== sandbox.demoApp.clientId) return '';
  // Saved at every start: the admin's and the sandbox's ports may have changed.
  await settings.save(sandboxApplication(sandbox, context.adminUrl));
  if ((await context.container.get(Stores).list()).length > 0) return '';
  return `\nConnect the demo Amazon store in the admin: Amazon Stores > Connect an Amazon store, then Confirm on the sandbox's Seller Central (import "the last 7 days" to see the demo orders)`;
}
