#!/usr/bin/env node
// The `asc` command: registers tsx so Node can run the TypeScript CLI directly (no build step).
// The project's tsconfig is named explicitly: tsx would otherwise look for one in the caller's
// working directory, and the module's decorators need its settings.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../sandbox/host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
