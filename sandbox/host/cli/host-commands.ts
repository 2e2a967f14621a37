/**
 * The host's own `asc` commands. They use the same CliCommandContribution shape as module
 * commands, so parsing, validation and --help are the same for all.
 */
import { CliUsageError, type CliCommandContribution } from '../../../src/host/contributions.ts';
import type { ProductInput } from '../catalog.ts';
import type { Host } from '../host.ts';
import type { RunningService } from '../extensions.ts';
import type { CliRuntime } from './runtime.ts';
import { quoted } from '../../../src/text.ts';

const write = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);

/** `host:orders:list --json`: one object per order, newest first. Documented in README.md. */
export interface OrderListJson {
  id: string;
  number: string;
  createdAt: string;
  state: string;
  status: string;
  channel: string | null;
  externalReference: string | null;
  currencyCode: string;
  total: string;
  customerEmail: string;
  items: Array<{ sku: string; qty: number }>;
}

const FIELD_FLAGS: Record<string, string> = { sku: '--sku', name: '--name', qty: '--qty', username: '--username', password: '--password', role: '--role' };

export function hostCommands(host: Host, runtime: CliRuntime): CliCommandContribution[] {
  return [
    {
      name: 'migrate',
      summary: 'Apply pending migrations (host, then modules, then extensions)',
      flags: [{ name: 'json', type: 'switch', description: 'Print {"applied": [...]} as JSON' }],
      run: async (flags, io) => {
        const { applied } = await host.migrate();
        if (flags.json) write(io.stdout, JSON.stringify({ applied }));
        else if (applied.length === 0) write(io.stdout, 'Nothing to migrate');
        else for (const name of applied) write(io.stdout, `Applied ${name}`);
        return 0;
      },
    },
    {
      name: 'start',
      summary: 'Migrate if needed, seed demo data on an empty database, and run the admin, the cron runner and the modules\' workers',
      flags: [
        { name: 'port', type: 'int', min: 0, description: 'Port to listen on (default: $PORT or 8080)' },
        { name: 'host', type: 'string', description: 'Address to listen on (default 127.0.0.1)' },
      ],
      run: async (flags, io) => {
        const port = flags.port !== undefined ? Number(flags.port) : portFromEnv(runtime.env.PORT);
        if (port > 65535) throw new CliUsageError('--port must be a whole number from 0 to 65535');
        const hostname = typeof flags.host === 'string' ? flags.host : '127.0.0.1';
        for (const name of (await host.migrate()).applied) write(io.stdout, `Applied ${name}`);
        const { adminPassword } = await host.seedDemoData();
        let admin;
        try {
          admin = await host.startAdmin({ port, hostname });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE') throw new CliUsageError(`--port ${port} is in use on ${hostname}: choose another port`);
          if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliUsageError(`--host ${hostname} is not an address of this machine`);
          throw error;
        }
        const services: Array<{ name: string; service: RunningService }> = [];
        const stopServices = async () => {
          for (const { name, service } of services.reverse()) {
            await service.stop().catch((error: unknown) => host.logger.error('Extension failed to stop', { extension: name, error }));
          }
        };
        try {
          for (const extension of host.extensions) {
            if (extension.start) services.push({ name: extension.name, service: await extension.start({ ...host.extensionContext, adminUrl: admin.url }) });
          }
        } catch (error) {
          // Whatever did start is stopped again, so the command ends instead of running half-started.
          await stopServices();
          await admin.close();
          throw error;
        }
        const cron = host.createCronRunner();
        cron.start();
        const workers = host.createWorkerRunner();
        workers.start();
        const login = `${admin.url}/admin`;
        if (adminPassword) write(io.stdout, `Admin login: ${login}  user: admin  password: ${adminPassword}`);
        else write(io.stdout, `Admin login: ${login}  (existing users; add one with: asc host:admin:create --username U --password P)`);
        for (const { service } of services) if (service.description) write(io.stdout, service.description);

        const signal = await runtime.waitForShutdown();
        write(io.stdout, `Stopping (${signal})...`);
        await workers.stop();
        await stopServices();
        await cron.stop();
        await admin.close();
        write(io.stdout, 'Stopped.');
        return 0;
      },
    },
    {
      name: 'host:admin:create',
      summary: 'Create an admin user',
      flags: [
        { name: 'username', type: 'string', description: 'Sign-in name', required: true },
        { name: 'password', type: 'string', description: 'Password, at least 8 characters', required: true },
        { name: 'role', type: 'enum', values: ['admin', 'staff'], description: 'admin: everything; staff: catalog, orders, dashboard (default admin)' },
      ],
      run: async (flags, io) => {
        const result = await host.services.users.create(String(flags.username), String(flags.password), String(flags.role ?? 'admin'));
        if (!result.ok) {
          if (result.message.includes('already exists')) {
            write(io.stderr, `asc host:admin:create: ${result.message}`);
            return 1;
          }
          throw new CliUsageError(`${FIELD_FLAGS[result.field]} ${result.message.replace(/^\w+ /, '')}`);
        }
        write(io.stdout, `Created admin user "${result.user.username}" (role ${result.user.role})`);
        return 0;
      },
    },
    {
      name: 'host:product:set',
      summary: 'Create a product, or update the given fields of an existing one (by SKU)',
      flags: [
        { name: 'sku', type: 'string', description: 'SKU of the product', required: true },
        { name: 'name', type: 'string', description: 'Name (required to create)' },
        { name: 'qty', type: 'int', min: 0, description: 'Quantity on hand' },
        { name: 'enabled', type: 'boolean', description: 'Whether the product can be sold' },
        { name: 'manage-stock', type: 'boolean', description: 'Whether the host tracks its quantity' },
        { name: 'json', type: 'switch', description: 'Print {"action", "product"} as JSON' },
      ],
      run: async (flags, io) => {
        const sku = String(flags.sku);
        const catalog = host.services.catalog;
        const existing = (await catalog.list()).find((p) => p.sku === sku);
        const input: ProductInput = {
          sku,
          name: flags.name !== undefined ? String(flags.name) : existing?.name ?? '',
          qty: flags.qty !== undefined ? Number(flags.qty) : existing?.qty ?? 0,
          enabled: flags.enabled !== undefined ? Boolean(flags.enabled) : existing?.enabled ?? true,
          manageStock: flags['manage-stock'] !== undefined ? Boolean(flags['manage-stock']) : existing?.manageStock ?? true,
        };
        if (!existing && flags.name === undefined) throw new CliUsageError(`--name is required to create product ${quoted(sku)}`);
        const result = existing ? await catalog.update(existing.id, input) : await catalog.create(input);
        if (!result.ok) {
          const [first] = result.errors;
          throw new CliUsageError(`${FIELD_FLAGS[first!.field] ?? first!.field}: ${first!.message}`);
        }
        const product = (await catalog.get(result.id))!;
        const action = existing ? 'updated' : 'created';
        if (flags.json) write(io.stdout, JSON.stringify({ action, product }));
        else {
          write(io.stdout, `${existing ? 'Updated' : 'Created'} product ${product.sku}: "${product.name}", qty ${product.qty}, ${product.enabled ? 'enabled' : 'disabled'}, stock ${product.manageStock ? 'managed' : 'not managed'}`);
        }
        return 0;
      },
    },
    {
      name: 'host:orders:list',
      summary: 'List orders, newest first',
      flags: [
        { name: 'limit', type: 'int', min: 1, description: 'How many orders (default 50)' },
        { name: 'json', type: 'switch', description: 'Print a JSON array (see README: CLI)' },
      ],
      run: async (flags, io) => {
        const { rows } = await host.services.orderQueries.list({ limit: Number(flags.limit ?? 50), offset: 0 });
        const orders: OrderListJson[] = rows.map((r) => ({
          id: r.id,
          number: r.number,
          createdAt: r.createdAt.toISOString(),
          state: r.state,
          status: r.status,
          channel: r.channel,
          externalReference: r.externalReference,
          currencyCode: r.currencyCode,
          total: r.total,
          customerEmail: r.customerEmail,
          items: r.items,
        }));
        if (flags.json) {
          write(io.stdout, JSON.stringify(orders));
          return 0;
        }
        if (orders.length === 0) write(io.stdout, 'No orders.');
        for (const o of orders) {
          const items = o.items.map((i) => `${i.qty} x ${i.sku}`).join(', ');
          write(io.stdout, `${o.number}  ${o.createdAt}  ${o.status}  ${o.channel ?? '-'} ${o.externalReference ?? ''}  ${o.total} ${o.currencyCode}  ${items}`);
        }
        return 0;
      },
    },
  ];
}

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new CliUsageError(`PORT must be a whole number from 0 to 65535 (got "${value}")`);
  return Number(value);
}
