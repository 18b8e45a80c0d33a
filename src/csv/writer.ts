/**
 * One CSV record and its line end, as csv-stringify writes it with its defaults (test/csv/writer.test.ts
 * holds the two side by side): a field with a comma, a double quote, CR or LF is quoted and its quotes
 * doubled; undefined is an empty field. The results, undo and created files take one of these per row of
 * a bulk import, so it is written out here rather than going through csv-stringify's general machinery.
 */
export function csvLine(values: ReadonlyArray<string | number | undefined>): string {
  let line = ''
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    const text = value === undefined ? '' : String(value)
    if (i > 0) line += ','
    line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return `${line}\n`
}

const NEEDS_QUOTES = /[",\r\n]/
