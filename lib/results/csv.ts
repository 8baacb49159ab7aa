// CSV per RFC 4180: fields separated by commas, records ended by CRLF; a field holding a comma, a
// double quote, CR or LF is enclosed in double quotes with inner quotes doubled. Values are written
// as they are (no spreadsheet-formula escaping), because exports are read by R and pandas, which
// must see the exact strings the researchers typed. Booleans are TRUE/FALSE: the spelling R's
// read.csv (type.convert) turns into logicals, which pandas also reads as booleans.

export type CsvValue = string | number | boolean | null | undefined;

/**
 * Formats one field: null/undefined → empty, booleans → TRUE/FALSE, numbers in JavaScript's
 * shortest round-trip form (non-finite numbers → empty), strings quoted when needed.
 *
 * @example
 * csvField('Colour, "quoted"'); // '"Colour, ""quoted"""'
 * csvField(0.5); // "0.5"
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
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
