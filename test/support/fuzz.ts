/**
 * Seeded, reproducible fuzzing: hostile text, numbers and shapes for every input the module takes
 * (query strings, forms, CLI arguments, Amazon documents), and the checks every answer must pass.
 * A run's seed is FUZZ_SEED or a fixed default; a failure names the seed and the case number, so
 * `FUZZ_SEED=<seed> npx mocha <file>` replays it exactly.
 */
import { seededRandom } from './random.ts';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261203);

/** Text that has broken parsers, databases, templates and spreadsheets somewhere. */
export const HOSTILE_TEXT: readonly string[] = [
  '',
  ' ',
  '\t\n\r',
  '0',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  '-0',
  '0x1F',
  '9007199254740993',
  '99999999999999999999999',
  '1.5',
  '00012',
  '+1',
  ' 7 ',
  '1,000.00',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  "'",
  '"',
  '`',
  '\\',
  '%',
  '_',
  '%%',
  '%_\\',
  "' OR '1'='1",
  "1; DROP TABLE amazon_order; --",
  "x' UNION SELECT password_hash FROM host_admin_user --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{constructor.constructor "alert(1)"}}',
  '{{{raw}}}',
  '=HYPERLINK("http://evil.test")',
  '+SUM(1,2)',
  '@cmd',
  '-2+3',
  '\u0000',
  'a\u0000b',
  '\u202eevil\u202c',
  '\ufeffbom',
  'Zoë Ångström',
  'İstanbul ıi',
  'ß',
  'ﬃ',
  '株式会社テスト',
  'مرحبا بالعالم',
  'עברית',
  '🦄👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301',
  '\ud800',
  '\udfff\ud800',
  '../../etc/passwd',
  'C:\\Windows\\system32',
  'http://127.0.0.1:1/',
  'javascript:alert(1)',
  '2026-02-30',
  '2026-11-26T10:00:00Z',
  '1970-01-01',
  '9999-12-31T23:59:59Z',
  '0000-00-00',
  'ATVPDKIKX0DER',
  '113-0000000-0000000',
  'MUG-BLUE-12OZ',
  'Unshipped',
  'Pending',
  'error',
  'ship-by',
];

export class Fuzz {
  readonly random: () => number;

  constructor(readonly seed: number = FUZZ_SEED) {
    this.random = seededRandom(seed);
  }

  int(below: number): number {
    return Math.floor(this.random() * below);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Some of `items`, in a random order, each at most once. */
  some<T>(items: readonly T[], atMost = items.length): T[] {
    const pool = [...items];
    const out: T[] = [];
    const n = this.int(Math.min(atMost, pool.length) + 1);
    while (out.length < n) out.push(pool.splice(this.int(pool.length), 1)[0]);
    return out;
  }

  /** Random code points from the whole range (no lone surrogates: those come from HOSTILE_TEXT). */
  unicode(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) {
      const plane = this.int(4);
      const max = plane === 0 ? 0x80 : plane === 1 ? 0x800 : plane === 2 ? 0xd7ff : 0x10ffff;
      let point = this.int(max);
      if (point >= 0xd800 && point <= 0xdfff) point = 0xfffd;
      text += String.fromCodePoint(point);
    }
    return text;
  }

  /** One hostile value: a known bad string, random unicode, a long run, or a mix of them. */
  text(): string {
    const kind = this.int(10);
    if (kind < 5) return this.pick(HOSTILE_TEXT);
    if (kind < 7) return this.unicode(1 + this.int(40));
    if (kind < 8) return this.pick(['a', '%', '9', 'é', '🦄', "'"]).repeat(this.pick([256, 1_000, 10_000, 70_000]));
    if (kind < 9) return `${this.pick(HOSTILE_TEXT)}${this.pick(HOSTILE_TEXT)}`;
    return String(this.pick([-1, 0, 1, 2, 10, 100, 1e6, 2 ** 31, 2 ** 53, -(2 ** 31)]) + this.pick(['', '.5', '0', 'e3']));
  }

  /** `good` most of the time, a hostile value otherwise: cases get past the first check and hit deeper ones. */
  mostly(good: string, p = 0.5): string {
    return this.chance(p) ? good : this.text();
  }
}

/** Runs `cases` numbered cases; a failure says which case of which seed, to replay it. */
export async function forEachCase(cases: number, seed: number, body: (fuzz: Fuzz, n: number) => Promise<void> | void): Promise<void> {
  const fuzz = new Fuzz(seed);
  for (let n = 0; n < cases; n++) {
    try {
      await body(fuzz, n);
    } catch (error) {
      const err = error as Error;
      err.message = `fuzz case ${n} of seed ${seed} (replay: FUZZ_SEED=${seed}): ${err.message}`;
      throw err;
    }
  }
}

/** What an answer must never show: SQL, a database's own error codes, a stack trace, source paths. */
const LEAKS: ReadonlyArray<[string, RegExp]> = [
  // As knex writes it (lower case, identifiers in backticks), so an echoed hostile filter is not SQL.
  ['SQL', /\b(select|insert into|update|delete from)\b[^\n]{0,300}\b(from|into|set|where)\s+`\w+`/],
  ['a database error code', /\b(SQLITE_[A-Z]+|ER_[A-Z_]{4,}|ECONNREFUSED)\b/],
  ['a stack trace', /\n\s+at \S+ \(|\bat (async )?\S+ \((file:|\/)/],
  ['a source path', /\/(src|sandbox|node_modules)\/[\w/.-]+\.(ts|js):\d+/],
];

/** Fails when `text` (a page, a CLI output, a log) shows SQL, a database error code or a stack trace. */
export function expectNoLeaks(text: string, where: string): void {
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match) throw new Error(`${where} shows ${what}: …${text.slice(Math.max(0, match.index - 80), match.index + 160)}…`);
  }
}
