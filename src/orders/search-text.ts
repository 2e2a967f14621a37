/**
 * Text folded for searching: lower case and without accents ("Zoë ÄRNE" -> "zoe arne"). Folded in
 * JavaScript and stored beside the original, because the databases disagree: SQLite's lower() and
 * LIKE only fold ASCII, MySQL's default collations fold case and accents. Folding both the stored
 * name and the typed filter the same way gives one answer on both.
 */
export function searchText(text: string): string;
export function searchText(text: string | null): string | null;
export function searchText(text: string | null): string | null {
  if (text === null) return null;
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}
