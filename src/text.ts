const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` in at most `max` UTF-16 code units, cut between two characters as the reader sees them
 * (never inside a surrogate pair, an accent or an emoji sequence), with an ellipsis saying it was
 * cut. UTF-16 units are the hosts' measure (JavaScript string length) and never fewer than the
 * characters a database column counts, so the result fits either.
 */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  // Only a prefix is segmented: a boundary depends on the text before it and the next character
  // alone (UAX #29), so the cuts are the same, and segmenting costs time in the length of the
  // whole text for every segment (80 ms to cut a 70,000-character title to 1024).
  for (const { segment } of graphemes.segment(text.slice(0, max + 1))) {
    if (kept.length + segment.length > max - 1) break;
    kept += segment;
  }
  return `${kept.trimEnd()}…`;
}

/** Someone's input inside a message: quoted and shortened, so a message stays one readable line whatever was typed. */
export function quoted(value: string, max = 80): string {
  return `"${shorten(value, max)}"`;
}
