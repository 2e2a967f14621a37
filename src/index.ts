/** The entry a host loads (module.json "entry"): the ContainerModule and the contract types. */
export { containerModule } from './module.ts';
export type { ModuleManifest } from './host/manifest.ts';
