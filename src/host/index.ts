/** The host contract: the only code a host and the module share. */
export * from './ports.ts';
export * from './contributions.ts';
export * from './tokens.ts';
export * from './manifest.ts';
