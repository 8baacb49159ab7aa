// CSV per RFC 4180: fields separated by commas, records ended by CRLF; a field holding a comma, a
// double quote, CR or LF is enclosed in double quotes with inner quotes doubled. Booleans are
// TRUE/FALSE: the spelling R's read.csv (type.convert) turns into logicals, which pandas also
// reads as booleans.
//
// Text cells that a spreadsheet would run as a formula (OWASP, "CSV Injection": a first character
// of = + - @, tab or carriage return) get a leading apostrophe, which spreadsheets take as "this is
// text" and hide. Names come from researchers and from third parties' zips, so any of them may be
// `=HYPERLINK(…)`. R and pandas read the apostrophe as part of the name; docs/rater-integrity.md
// says how to drop it (`sub("^'([=+@\t\r-])", "\\1", x)`). Numbers are never changed: a
// negative number is data, not a formula.

export type CsvValue = string | number | boolean | null | undefined;

/** A text cell a spreadsheet would evaluate (OWASP's list of formula triggers). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Formats one field: null/undefined → empty, booleans → TRUE/FALSE, numbers in JavaScript's
 * shortest round-trip form (non-finite numbers → empty), strings quoted when needed.
 *
 * @example
 * csvField('Colour, "quoted"'); // '"Colour, ""quoted"""'
 * csvField(0.5); // "0.5"
 * csvField("=HYPERLINK(\"x\")"); // '"\'=HYPERLINK(""x"")"'
 * csvField(-0.5); // "-0.5"
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Formats one record, CRLF-terminated.
 *
 * @example
 * csvRow(["a", 1, null, true]); // "a,1,,TRUE\r\n"
 */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
