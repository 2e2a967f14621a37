/**
 * How the sender reads a failed call: Amazon refused the message for good (an Error for the admin,
 * with Amazon's words), or the call may go through later (the entry waits and is sent again), or
 * the store itself cannot talk to Amazon now (its credentials: the whole run for it stops), or the
 * run was asked to stop (the entry stays as it was, for the next run).
 */
import { AmazonApiError, AmazonAuthError, AmazonCallAborted, AmazonError, AmazonRequestError } from '../amazon/errors.ts';
import { RETRYABLE_STATUSES } from '../amazon/retry.ts';

export type FailureKind = 'refused' | 'later' | 'store' | 'stopped';

export function failureKind(error: unknown): FailureKind | null {
  // Asked to stop (shutdown, a signal): nothing is wrong, the run ends and the next goes on.
  if (error instanceof AmazonCallAborted) return 'stopped';
  if (error instanceof AmazonAuthError) return 'store';
  // Refused before sending: the message itself is wrong, sending it again would not help.
  if (error instanceof AmazonRequestError) return 'refused';
  if (error instanceof AmazonApiError) {
    if (error.status === 401 || error.status === 403) return 'store';
    return RETRYABLE_STATUSES.has(error.status) ? 'later' : 'refused';
  }
  return error instanceof AmazonError ? 'later' : null;
}

/** Amazon's own words for a refusal (without the store name ours carry), else our message. */
export function amazonSaid(error: unknown): string {
  if (error instanceof AmazonApiError) {
    const said = error.errors.map((e) => [e.code, e.message, e.details].filter(Boolean).join(': ')).join('; ');
    return `${said || `HTTP ${error.status}`}${error.requestId ? ` [request id ${error.requestId}]` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
