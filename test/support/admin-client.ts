/**
 * A browser stand-in for admin tests: real fetch, a cookie jar, no redirects followed (so tests
 * see statuses and Location), and helpers that submit forms with the page's CSRF token.
 */
export interface Page {
  status: number;
  text: string;
  headers: Headers;
  location: string | null;
}

export class AdminClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  /** The Cookie header this browser sends (empty before any cookie was set). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string> | URLSearchParams): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    const body = form === undefined ? undefined : form instanceof URLSearchParams ? form : new URLSearchParams(form);
    const send = () => fetch(`${this.baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      // A GET on a kept-alive connection the server closed as it idled: sent again on a new one, as
      // browsers do. The admin runs in the test's process, so a long step (an import of 1,000
      // items) holds back both sides' idle timers, and the client may reuse the connection in the
      // moment the server's timer closes it.
      if (method !== 'GET' || (error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
      response = await send();
    }
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (/max-age=0/i.test(setCookie)) this.cookies.delete(name);
      else this.cookies.set(name, decodeURIComponent(value));
    }
    return { status: response.status, text: await response.text(), headers: response.headers, location: response.headers.get('location') };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string> | URLSearchParams): Promise<Page> {
    return this.request('POST', path, form);
  }

  /** Loads `pagePath`, then posts `fields` to `action` with the CSRF token found on the page. */
  async submit(pagePath: string, action: string, fields: Record<string, string>): Promise<Page> {
    const page = await this.get(pagePath);
    if (page.status !== 200) throw new Error(`GET ${pagePath} answered ${page.status}`);
    return this.post(action, { csrf_token: csrfToken(page.text), ...fields });
  }

  async login(username: string, password: string): Promise<Page> {
    return this.submit('/admin/login', '/admin/login', { username, password, next: '/admin' });
  }
}

export function csrfToken(html: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No csrf_token on the page');
  return match[1]!;
}

/** An attribute value or text as the browser reads it: named and numeric character references undone. */
export function unescapeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, ref: string) =>
    ref.startsWith('#x') || ref.startsWith('#X') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : (named[ref] ?? whole),
  );
}
