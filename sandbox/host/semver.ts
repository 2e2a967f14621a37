/**
 * The one semver question the host asks: does contract version X satisfy a module's
 * `hostCompatibility` range? Supports exact ("1.2.3", "=1.2.3"), caret ("^1.2.3") and tilde
 * ("~1.2.3") ranges of full x.y.z versions; anything else is an error, not a guess.
 */
type Version = [number, number, number];

/** The range forms `satisfies` understands, for messages. */
export const SUPPORTED_RANGES = 'x.y.z, =x.y.z, ^x.y.z or ~x.y.z';

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function parseVersion(text: string): Version | null {
  const match = VERSION.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** [lowest allowed, first excluded], or null for an exact version. */
function bounds(range: string): { low: Version; high: Version | null } | null {
  const operator = /^[\^~=]/.test(range) ? range[0] : '';
  const base = parseVersion(range.slice(operator.length));
  if (!base) return null;
  const [major, minor, patch] = base;
  if (operator === '' || operator === '=') return { low: base, high: null };
  if (operator === '~') return { low: base, high: [major, minor + 1, 0] };
  // Caret: the left-most non-zero part may not change.
  if (major > 0) return { low: base, high: [major + 1, 0, 0] };
  if (minor > 0) return { low: base, high: [0, minor + 1, 0] };
  return { low: base, high: [0, 0, patch + 1] };
}

export function isValidRange(range: string): boolean {
  return bounds(range.trim()) !== null;
}

export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new RangeError(`"${version}" is not a version (x.y.z)`);
  const b = bounds(range.trim());
  if (!b) throw new RangeError(`"${range}" is not a supported range (use ${SUPPORTED_RANGES})`);
  if (b.high === null) return compare(v, b.low) === 0;
  return compare(v, b.low) >= 0 && compare(v, b.high) < 0;
}
