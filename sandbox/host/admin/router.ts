/** A tiny router: "/orders/:id/ship"-style patterns, matched segment by segment. */
import { HttpError } from './http.ts';

export interface RouteMatch<T> {
  route: T;
  params: Record<string, string>;
}

interface Entry<T> {
  method: string;
  segments: string[];
  route: T;
}

export class Router<T> {
  private readonly entries: Array<Entry<T>> = [];

  add(method: 'GET' | 'POST', pattern: string, route: T): void {
    this.entries.push({ method, segments: split(pattern), route });
  }

  /** The route for method + path; null when no pattern matches; throws 405 when only the method differs. */
  match(method: string, path: string): RouteMatch<T> | null {
    const segments = split(path);
    let pathMatched = false;
    for (const entry of this.entries) {
      const params = matchSegments(entry.segments, segments);
      if (!params) continue;
      pathMatched = true;
      if (entry.method === method) return { route: entry.route, params };
    }
    if (pathMatched) throw new HttpError(405, 'Method not allowed');
    return null;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    let got: string;
    try {
      got = decodeURIComponent(actual[i]!);
    } catch {
      throw new HttpError(400, 'Malformed URL');
    }
    if (want.startsWith(':')) {
      if (got === '') return null;
      params[want.slice(1)] = got;
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}
