/** Input the domain refused becomes a usage error (exit 2) that names the flag to fix. */
import { CliUsageError } from '../host/contributions.ts';
import { StoreInputRejected, StoreNotFound } from '../stores/stores.ts';
import { AppInputRejected, AppNotConfigured } from '../stores/amazon-app.ts';
import { ConnectInputRejected } from '../stores/store-connection.ts';

export function toUsageError(error: unknown, flagNames: Record<string, string> = {}): unknown {
  if (error instanceof StoreNotFound) return new CliUsageError(`--store: ${error.message}`);
  if (error instanceof AppNotConfigured) return new CliUsageError(error.message);
  if (error instanceof StoreInputRejected || error instanceof AppInputRejected || error instanceof ConnectInputRejected) {
    return new CliUsageError(error.errors.map((e) => `${flagNames[e.field] ?? e.field} ${e.message}`).join('; '));
  }
  return error;
}

/** Runs a command body, turning refused input into CliUsageError. */
export async function withUsageErrors<T>(body: () => Promise<T>, flagNames?: Record<string, string>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toUsageError(error, flagNames);
  }
}
