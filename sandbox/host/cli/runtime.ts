/** What the CLI needs from its process; tests pass their own streams and environment. */
export interface CliRuntime {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Resolves with the signal name when the process is asked to stop (SIGINT/SIGTERM). */
  waitForShutdown(): Promise<string>;
}

export function processRuntime(): CliRuntime {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    waitForShutdown: () =>
      new Promise((resolve) => {
        const stop = (signal: string) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve(signal);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      }),
  };
}
