/**
 * The module's service classes as the host loaded them. The host imports the module entry with a
 * dynamic import(); under mocha + tsx a test file's static imports can be a second copy of the same
 * source (a CommonJS one), whose classes inversify does not know. Importing by file URL here gets
 * the very classes the host's container bound.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Container } from 'inversify';
import { REPO_ROOT } from './host.ts';

async function load<T>(relative: string): Promise<T> {
  return (await import(pathToFileURL(path.join(REPO_ROOT, relative)).href)) as T;
}

export interface ModuleServices {
  stores: import('../../src/stores/stores.ts').Stores;
  orders: import('../../src/orders/order-repository.ts').OrderRepository;
  importer: import('../../src/orders/order-importer.ts').OrderImporter;
}

export async function moduleServices(container: Container): Promise<ModuleServices> {
  const { Stores } = await load<typeof import('../../src/stores/stores.ts')>('src/stores/stores.ts');
  const { OrderRepository } = await load<typeof import('../../src/orders/order-repository.ts')>('src/orders/order-repository.ts');
  const { OrderImporter } = await load<typeof import('../../src/orders/order-importer.ts')>('src/orders/order-importer.ts');
  return { stores: container.get(Stores), orders: container.get(OrderRepository), importer: container.get(OrderImporter) };
}
