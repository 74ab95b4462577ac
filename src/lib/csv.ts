// CSV as the API writes it: RFC 4180 quoting, and text that a spreadsheet would run as a formula made inert.

/**
 * One cell. Text starting with = + - @ tab or carriage return is what
 * spreadsheets read as a formula (OWASP's CSV injection list), so it gets a
 * leading apostrophe and shows as the text it is. Numbers are written as
 * they are: -525 is an amount, not a formula.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvCell).join(",");
}
