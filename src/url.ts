/** An absolute http(s) URL typed by someone (an endpoint, a redirect URI), or null for anything else. */
export function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}
