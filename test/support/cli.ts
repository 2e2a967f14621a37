/** Running `asc` in tests: as a child process (the real thing) or in-process (fast). */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import path from 'node:path';
import { main } from '../../sandbox/host/cli/main.ts';
import type { ModuleSource } from '../../sandbox/host/module-loader.ts';
import { REPO_ROOT } from './host.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const ASC = path.join(REPO_ROOT, 'bin/asc.js');

/** `node bin/asc.js ...args` with the given environment added; resolves when it exits. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ASC, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** The same CLI in this process, with captured output. */
export async function runCliInProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; modules?: ModuleSource[] } = {},
): Promise<CliResult> {
  const stdout = collector();
  const stderr = collector();
  const code = await main(
    args,
    {
      env: { LOG_LEVEL: 'warn', ...options.env },
      cwd: options.cwd ?? REPO_ROOT,
      stdout: stdout.stream,
      stderr: stderr.stream,
      waitForShutdown: () => new Promise(() => undefined),
    },
    { modules: options.modules },
  );
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
