/**
 * The typed errors of the SP-API client. Every one carries what an admin or a developer needs to
 * act (store, operation, Amazon's request id) and nothing secret: no access token, client secret or
 * refresh token is ever put in a message or a property (tests check the JSON of each).
 */

/** " [request id X]" for a message, or nothing when Amazon sent no id. */
export function requestIdNote(requestId: string | null | undefined): string {
  return requestId ? ` [request id ${requestId}]` : '';
}

/** Base class, so callers can tell Amazon communication failures from their own bugs. */
export class AmazonError extends Error {
  override name = 'AmazonError';

  /** Own enumerable fields plus name and message: what a logger or JSON.stringify should see. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), name: this.name, message: this.message };
  }
}

/** LWA refused the store's credentials (invalid_client, invalid_grant, ...): the admin must fix them. */
export class AmazonAuthError extends AmazonError {
  override name = 'AmazonAuthError';
  constructor(
    message: string,
    readonly storeName: string,
    /** LWA's `error` value, e.g. "invalid_grant", or null when LWA did not say. */
    readonly code: string | null,
    readonly status: number | null,
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

/**
 * Amazon answered with an error status. `code`/`message`/`details` are the first entry of Amazon's
 * `{errors: [...]}` body (all entries are in `errors`); `code` is null when the body was not JSON.
 */
export class AmazonApiError extends AmazonError {
  override name = 'AmazonApiError';
  constructor(
    message: string,
    readonly operation: string,
    readonly status: number,
    readonly code: string | null,
    readonly details: string | null,
    readonly requestId: string | null,
    readonly errors: Array<{ code: string; message: string; details?: string }> = [],
    /**
     * True when a call that must not run twice (createFeed) failed in a way that does not prove
     * Amazon ignored it (5xx): it was not retried, and the caller must check before sending again.
     */
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }

  /**
   * Amazon's own words (every error's code, message and details), without ours: what to match
   * when deciding how to react, since `message` also carries the store name, which is anything.
   */
  amazonText(): string {
    const entries = this.errors.length > 0 ? this.errors : [{ code: this.code ?? '', message: '', details: this.details ?? '' }];
    return entries.map((e) => `${e.code} ${e.message} ${e.details ?? ''}`).join(' ');
  }
}

/** Amazon answers an expired (or foreign) pagination token with 400 InvalidInput naming the token. */
export function isExpiredPaginationToken(error: unknown): boolean {
  return error instanceof AmazonApiError && error.status === 400 && /token/i.test(error.amazonText());
}

/** No HTTP answer: connection refused or reset, DNS failure, or the call timed out. */
export class AmazonNetworkError extends AmazonError {
  override name = 'AmazonNetworkError';
  constructor(
    message: string,
    readonly operation: string,
    readonly timedOut: boolean,
    /** As AmazonApiError.outcomeUnknown: the request may have reached Amazon (timeout, reset). */
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}

export interface ValidationIssue {
  /** JSON path of the offending value, e.g. "orderItems[0].quantityOrdered". */
  path: string;
  /** What was wrong, e.g. 'expected integer, got "2"'. */
  message: string;
}

/**
 * A response body that is not what the model promises: not JSON, or a missing/mistyped field.
 * Names the order (when known) and the JSON path of the first offending field.
 */
export class AmazonResponseError extends AmazonError {
  override name = 'AmazonResponseError';
  constructor(
    message: string,
    readonly operation: string,
    readonly requestId: string | null,
    /** The Amazon order id of the offending order, when the body had one. */
    readonly orderId: string | null,
    /** Full JSON path of the first issue from the body root, e.g. "orders[3].orderItems[0].quantityOrdered". */
    readonly path: string,
    readonly issues: ValidationIssue[],
  ) {
    super(message);
  }
}

/** The module asked for something Amazon would refuse; detected before any request was sent. */
export class AmazonRequestError extends AmazonError {
  override name = 'AmazonRequestError';
  constructor(
    message: string,
    readonly operation: string,
    /** The request field at fault, e.g. "packageDetail.carrierName". */
    readonly field: string | null,
  ) {
    super(message);
  }
}

/**
 * Taking a rate-limit token would mean waiting longer than the caller allowed (`maxWaitMs`). No
 * token was taken; the caller can stop and resume later (e.g. on the next cron run).
 */
export class AmazonRateLimitWaitError extends AmazonError {
  override name = 'AmazonRateLimitWaitError';
  constructor(
    message: string,
    readonly operation: string,
    readonly waitMs: number,
  ) {
    super(message);
  }
}

/**
 * The caller asked to stop (its AbortSignal: a signal to the process, a host shutting down) while
 * a call waited for the rate limit or a retry, or was on its way. Nothing more was sent.
 */
export class AmazonCallAborted extends AmazonError {
  override name = 'AmazonCallAborted';
  constructor(readonly operation: string) {
    super(`${operation}: stopped, as asked (nothing more was sent to Amazon)`);
  }
}
