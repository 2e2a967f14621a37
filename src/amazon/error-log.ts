/**
 * The communication errors log (ASC's "Communication errors log: store, error code, message, time"):
 * every call that finally failed is written to `amazon_api_error`. Behind a small interface so unit
 * tests use a fake and the client never depends on a table layout.
 */
import type { Knex } from 'knex';
import type { ClockPort } from '../host/ports.ts';

export interface ApiErrorEntry {
  storeId: number | null;
  operation: string;
  /** Null when no HTTP answer came (network error, timeout). */
  httpStatus: number | null;
  /** Amazon's error code (e.g. "QuotaExceeded"), or ours for failures Amazon did not name. */
  code: string | null;
  message: string;
  requestId: string | null;
}

export interface ApiErrorRecorder {
  record(entry: ApiErrorEntry): Promise<void>;
}

export const API_ERROR_TABLE = 'amazon_api_error';

const cut = (value: string | null, length: number) => (value === null ? null : value.slice(0, length));

/** What the log keeps of a message (its column is text; a message that quotes what Amazon sent can be any length). */
export const MAX_ERROR_MESSAGE_CHARS = 4000;

export class DatabaseApiErrorRecorder implements ApiErrorRecorder {
  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
  ) {}

  async record(entry: ApiErrorEntry): Promise<void> {
    await this.knex(API_ERROR_TABLE).insert({
      store_id: entry.storeId,
      operation: entry.operation.slice(0, 64),
      http_status: entry.httpStatus,
      code: cut(entry.code, 64),
      message: entry.message.slice(0, MAX_ERROR_MESSAGE_CHARS),
      request_id: cut(entry.requestId, 128),
      created_at: this.clock.now(),
    });
  }
}
