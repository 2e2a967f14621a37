/**
 * The Amazon sandbox as a host extension: `asc start` runs it beside the admin (with demo orders)
 * and, on a database without Amazon stores, registers a demo store pointed at it, so a new user
 * sees orders arrive without any setup. `asc sandbox:*` commands drive it.
 *
 * Environment: AMAZON_SANDBOX=0 to not start it, AMAZON_SANDBOX_PORT (default 4610),
 * AMAZON_SANDBOX_SPEED (sandbox ms per real ms, default 1).
 */
import type { HostExtension } from '../host/extensions.ts';
import { CliUsageError } from '../../src/host/contributions.ts';
import { Stores } from '../../src/stores/stores.ts';
import { amazonSandboxCommands } from './cli.ts';
import { DEFAULT_AMAZON_SANDBOX_PORT, describeSandbox, startAmazonSandbox } from './server.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export const amazonSandboxExtension: HostExtension = {
  name: 'amazon-sandbox',
  commands: (context) => amazonSandboxCommands(context.env),
  commandsUseDatabase: false,
  async start(context) {
    if (context.env.AMAZON_SANDBOX === '0') return { description: 'Amazon sandbox: off (AMAZON_SANDBOX=0)', stop: async () => undefined };
    const port = context.env.AMAZON_SANDBOX_PORT ? Number(context.env.AMAZON_SANDBOX_PORT) : DEFAULT_AMAZON_SANDBOX_PORT;
    let sandbox;
    try {
      sandbox = await startAmazonSandbox({ port, clock: { speed: context.env.AMAZON_SANDBOX_SPEED ? Number(context.env.AMAZON_SANDBOX_SPEED) : 1 }, seed: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      // A setting to change, not a crash: one line and exit 2.
      throw new CliUsageError(
        `the Amazon sandbox cannot listen on port ${port}, which is in use: set AMAZON_SANDBOX_PORT to another port (0 picks a free one), or AMAZON_SANDBOX=0 to start without it`,
      );
    }
    const stores = context.container.get(Stores);
    let demoStore = '';
    if ((await stores.list()).length === 0) {
      const app = sandbox.demoApp;
      const store = await stores.add({
        name: 'Amazon US (sandbox)',
        region: 'na',
        marketplaceId: 'ATVPDKIKX0DER',
        sellerId: app.sellerId,
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        refreshToken: app.refreshToken,
        spApiEndpoint: sandbox.url,
        lwaEndpoint: sandbox.lwaUrl,
        // The demo orders span the last days: integrate before them so they show.
        integratedAt: new Date(context.clock.now().getTime() - 7 * DAY_MS),
      });
      demoStore = `\nDemo Amazon store ${store.id} "${store.name}" registered against the sandbox; orders sync every 5 minutes (or run: npx asc sync)`;
    }
    return { description: `${describeSandbox(sandbox)}${demoStore}`, stop: () => sandbox.close() };
  },
};
