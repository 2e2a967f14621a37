#!/usr/bin/env node
// The `asc` command: registers tsx so Node can run the TypeScript CLI directly (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sandbox/host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
