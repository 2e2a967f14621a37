/**
 * Every request the sandbox received on Amazon's side (LWA, SP-API, document URLs), with its
 * answer status, for tests and for looking at what a client really sent. Secrets are masked:
 * the access token header keeps its "Atza|" (grantless: "Atc|") prefix only, LWA client secrets
 * and refresh tokens are replaced. Control API calls (/_sandbox/...) are not recorded.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  seq: number;
  requestId: string;
  /** Sandbox time the request arrived, ISO 8601. */
  time: string;
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string>;
  /** The body as text (secrets masked, cut at 64 KiB). */
  body: string;
  /** null when the connection was reset instead of answered. */
  status: number | null;
  operation?: string;
  sellerId?: string;
  throttled: boolean;
  /** The fault kinds that hit this request. */
  faults: string[];
}

const MAX_ENTRIES = 10_000;
const MAX_BODY = 64 * 1024;
const SECRET_HEADERS = new Set(['authorization', 'x-amz-security-token', 'cookie']);
const SECRET_FORM_FIELDS = ['client_secret', 'refresh_token', 'code'];

export function maskToken(value: string): string {
  const prefix = /^(Atz[ar]\||Atc\|)/.exec(value)?.[1] ?? '';
  return `${prefix}***`;
}

export function maskHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (name === 'x-amz-access-token') out[name] = maskToken(text);
    else if (SECRET_HEADERS.has(name)) out[name] = '***';
    else out[name] = text;
  }
  return out;
}

export function maskBody(body: Buffer, contentType: string | undefined): string {
  let text = body.subarray(0, MAX_BODY).toString('utf8');
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) {
    const form = new URLSearchParams(text);
    for (const field of SECRET_FORM_FIELDS) if (form.has(field)) form.set(field, maskToken(form.get(field)!));
    text = form.toString();
  }
  return text;
}

export class RequestRecorder {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  add(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    const recorded = { ...entry, seq: ++this.seq };
    this.entries.push(recorded);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    return recorded;
  }

  list(filter: { operation?: string; sinceSeq?: number } = {}): RecordedRequest[] {
    return this.entries
      .filter((e) => filter.operation === undefined || e.operation === filter.operation)
      .filter((e) => filter.sinceSeq === undefined || e.seq > filter.sinceSeq)
      .map((e) => structuredClone(e));
  }

  clear(): void {
    this.entries = [];
  }
}
