/**
 * Text cut to a column or field limit, counted in characters (code points, as MySQL counts
 * VARCHAR lengths), never splitting a surrogate pair; a cut text ends with an ellipsis.
 */
export function shorten(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}
