/**
 * CSV as RFC 4180 (CRLF line ends, fields with comma, quote or line break quoted, quotes doubled),
 * with spreadsheet formulas neutralized: buyer names and notes come from Amazon, and a cell such as
 * `=HYPERLINK(...)` must open as text, not run (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: Array<string | number | null>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
