/** Running `asc` in tests: as a child process (the real thing) or in-process (fast). */
import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import path from 'node:path';
import { main } from '../../sandbox/host/cli/main.ts';
import type { ModuleSource } from '../../sandbox/host/module-loader.ts';
import { REPO_ROOT } from './host.ts';
import type { CliIO } from '../../src/host/contributions.ts';

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

export interface KilledRun {
  /** True when the SIGKILL ended it (it had not finished). */
  killed: boolean;
  code: number | null;
  /** The child's log lines (stderr), as far as it got. */
  lines: string[];
  stdout: string;
  /** The child's process id (it is in the leases and log lines it wrote). */
  pid: number;
}

/**
 * `node bin/asc.js ...args` with debug logs, SIGKILLed once it has written `afterLines` log lines
 * (token refreshed, each Amazon call, each order ...) or as soon as `when()` is true (polled every
 * few ms): the kill lands inside the run whatever the machine's speed, and the child has moved on a
 * little by the time the signal arrives, so the points vary.
 */
export function runCliKilled(args: string[], options: { env?: NodeJS.ProcessEnv; afterLines?: number; when?: () => boolean }): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ASC, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const lines = () => stderr.split('\n').slice(0, -1);
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.afterLines !== undefined && lines().length >= options.afterLines) stop();
    });
    const poll = options.when ? setInterval(() => options.when!() && stop(), 5) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ killed: signal === 'SIGKILL', code, lines: lines(), stdout, pid: child.pid! });
    });
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

/** A command's io in the test's own process: what it printed, read back as text. */
export function capturingIo(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, interactive: false, signal: new AbortController().signal, out: () => out, err: () => err };
}
