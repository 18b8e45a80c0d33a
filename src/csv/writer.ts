/**
 * How soemail writes a CSV file: the delimiter, and whether the file starts with a UTF-8 byte order mark.
 * Results, undo and created files follow the import's input (a Nordic Excel reads `;` files, and reads
 * UTF-8 only after a BOM); exports have no input, so `,` without a BOM unless `--excel`.
 */
export interface CsvDialect {
  delimiter: ',' | ';' | '\t'
  bom: boolean
}

export const PLAIN_CSV: CsvDialect = {delimiter: ',', bom: false}
/** What Excel in a `;` locale (the Nordics, most of Europe) opens as columns, æøå intact. */
export const EXCEL_CSV: CsvDialect = {delimiter: ';', bom: true}

export const UTF8_BOM = '\uFEFF'

/**
 * The dialect of files written about an import: its delimiter, and a BOM when the input had one or was
 * read from another encoding (--encoding windows-1252 …): soemail writes UTF-8, which such a reader
 * recognizes only by its BOM.
 */
export function dialectOfInput(input: {delimiter: string; bom: boolean; encoding?: string}): CsvDialect {
  const delimiter = input.delimiter === ';' || input.delimiter === '\t' ? input.delimiter : ','
  const otherEncoding = input.encoding !== undefined && !/^utf-?8$/i.test(input.encoding)
  return {delimiter, bom: input.bom || otherEncoding}
}

/**
 * One CSV record and its line end, as csv-stringify writes it with its defaults (test/csv/writer.test.ts
 * holds the two side by side): a field with the delimiter, a double quote, CR or LF is quoted and its
 * quotes doubled; undefined is an empty field. The results, undo and created files take one of these per
 * row of a bulk import, so it is written out here rather than going through csv-stringify's general machinery.
 */
export function csvLine(values: ReadonlyArray<string | number | undefined>, delimiter: CsvDialect['delimiter'] = ','): string {
  const needsQuotes = NEEDS_QUOTES[delimiter]
  let line = ''
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    const text = value === undefined ? '' : String(value)
    if (i > 0) line += delimiter
    line += needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return `${line}\n`
}

const NEEDS_QUOTES: Record<CsvDialect['delimiter'], RegExp> = {',': /[",\r\n]/, ';': /[";\r\n]/, '\t': /["\t\r\n]/}
