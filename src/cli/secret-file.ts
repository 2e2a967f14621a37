/** Secrets come to the CLI in a file (or /dev/stdin), never in a flag, so they stay out of shell history and `ps`. */
import fs from 'node:fs';
import { CliUsageError } from '../host/contributions.ts';

/** Longer than any secret the module keeps: a bigger file is the wrong file. */
const MAX_SECRET_FILE_BYTES = 4096;

/** The first line of the file, read at most MAX_SECRET_FILE_BYTES far (so /dev/zero or a log file cannot hang or flood it). */
export async function readSecretFile(path: string, flag: string, what: string): Promise<string> {
  let text = '';
  try {
    for await (const chunk of fs.createReadStream(path, { encoding: 'utf8', start: 0, end: MAX_SECRET_FILE_BYTES })) text += chunk;
  } catch (error) {
    throw new CliUsageError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (Buffer.byteLength(text) > MAX_SECRET_FILE_BYTES) throw new CliUsageError(`${flag}: ${path} is longer than ${MAX_SECRET_FILE_BYTES} bytes; it should hold ${what} alone`);
  const secret = text.split(/\r?\n/)[0]!.trim();
  if (secret === '') throw new CliUsageError(`${flag}: ${path} is empty`);
  return secret;
}
