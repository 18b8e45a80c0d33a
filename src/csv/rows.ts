import {ValidationError} from '../errors.js'
import {countKnownColumns, CSV_FIELDS, DETECTED_DELIMITERS, normalizeColumnName, parseDelimiterOption, parseMapOptions, resolveHeader, type ColumnMaps, type HeaderLayout} from './header.js'
import {countChar, CsvRecordSplitter, MAX_RECORD_CHARS, type RecordSink} from './split.js'
import {checkEncoding, decodeCsvText, type OpenCsv} from './decode.js'
import {parseIgnoreOptions} from './unknown-columns.js'
import {RowBuilder, type ImportRow, type KnownDuplicates} from './row.js'

export interface CsvOptions {
  /** `,` `;` `\t` or `tab`; detected from the header line when absent. */
  delimiter?: string
  /** `column=field` renames, as given to --map. */
  map?: string[]
  /** Columns to leave out, as given to --ignore-column: header names, or #N by position. */
  ignore?: string[]
  /** The file's encoding (--encoding); without it UTF-8, or UTF-16 by its byte order mark. */
  encoding?: string
  /** The connection's API version: a value in a column of a later version's field is a row problem. Absent: not checked. */
  apiVersion?: string
  /**
   * Servers a create row leaves empty are to be detected from its address (after pre-flight, per domain:
   * bulk/domains.ts) rather than refused as missing. Rows carry `detect` then.
   */
  detect?: boolean
}

export interface ImportHeader extends HeaderLayout {
  /** The delimiter used, detected or given. */
  delimiter: string
  /** The file starts with a byte order mark (Excel's "CSV UTF-8" and "Unicode text" do). */
  bom: boolean
}

/**
 * The rows of an import file in batches (one per chunk of input), so callers that handle rows synchronously
 * pay no await per row; readImportRows (reader.ts) flattens them. `onHeader` runs once, before the
 * first batch. `known`: see RowBuilder. Errors: see readImportRows.
 */
export async function* importBatches(open: OpenCsv, options: CsvOptions, onHeader?: (header: ImportHeader) => void, known?: KnownDuplicates): AsyncGenerator<ImportRow[]> {
  // Options are checked before the file is opened, so a typo costs nothing.
  const maps = parseMapOptions(options.map)
  const ignores = parseIgnoreOptions(options.ignore, normalizeColumnName)
  const forced = options.delimiter === undefined ? undefined : parseDelimiterOption(options.delimiter)
  await checkEncoding(options.encoding)
  let splitter: CsvRecordSplitter | undefined
  let builder: RowBuilder | undefined
  let pending = ''
  let batch: ImportRow[] = []
  const facts = {bom: false}

  const sink: RecordSink = (cells, line, problem) => {
    if (builder !== undefined) {
      const row = builder.build(cells, line, problem)
      if (row !== undefined) batch.push(row)
      return
    }
    // Blank lines before the header, even with spaces or delimiters on them, are not the header.
    if (problem === undefined && cells.every((cell) => cell.trim() === '')) return
    if (problem !== undefined) throw new ValidationError(`line ${line} (the header): ${problem.message}`, [])
    const layout = resolveHeader(cells, maps, ignores)
    builder = new RowBuilder(layout, known, options.apiVersion, options.detect)
    onHeader?.({...layout, delimiter: (splitter as CsvRecordSplitter).delimiter, bom: facts.bom})
  }
  const start = (text: string, newline: '\n' | '\r', headerLine: string): CsvRecordSplitter => {
    const created = new CsvRecordSplitter(forced ?? detectDelimiter(headerLine, maps), newline)
    splitter = created
    pending = ''
    created.push(text, false, sink)
    return created
  }
  const lineOfEnd = () => (splitter === undefined ? 1 + countChar(pending, 10) : splitter.lineAtEnd())

  try {
    for await (const text of decodeCsvText(open(), lineOfEnd, options.encoding, facts)) {
      if (splitter !== undefined) {
        splitter.push(text, false, sink)
      } else {
        pending += text
        const first = firstLine(pending, false)
        if (first !== undefined) start(pending, first.newline, first.text)
        else if (pending.length > MAX_RECORD_CHARS) throw new ValidationError(`the first line is longer than ${MAX_RECORD_CHARS} characters; this is not an import CSV`, [])
      }
      if (batch.length > 0) {
        yield batch
        batch = []
      }
    }
    let last = splitter
    if (last === undefined) {
      const first = firstLine(pending, true)
      if (first === undefined) throw emptyFile()
      last = start(pending, first.newline, first.text)
    }
    last.push('', true, sink)
    if (builder === undefined) throw emptyFile()
    if (batch.length > 0) yield batch
  } finally {
    // The duplicate keys of a million rows are some 20 MB; the next pass should not have to share with them.
    builder?.release()
  }
}

function emptyFile(): ValidationError {
  return new ValidationError(`the file is empty; it needs a header row naming its columns (${CSV_FIELDS.join(', ')}) and then one row per account`, [])
}

/**
 * The first non-blank line and the line ending the file uses, or undefined while it may still be incomplete.
 * A CR not followed by LF marks the old Mac convention.
 */
function firstLine(text: string, final: boolean): {text: string; newline: '\n' | '\r'} | undefined {
  let pos = 0
  for (;;) {
    const lf = text.indexOf('\n', pos)
    const cr = text.indexOf('\r', pos)
    let end: number
    let next: number
    let newline: '\n' | '\r' = '\n'
    if (lf === -1 && cr === -1) {
      if (!final || text.trim() === '') return undefined
      return {text: text.slice(pos), newline}
    }
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      if (cr + 1 === text.length && !final) return undefined
      end = cr
      if (text.charCodeAt(cr + 1) === 10) next = cr + 2
      else {
        newline = '\r'
        next = cr + 1
      }
    } else {
      end = lf
      next = lf + 1
    }
    const line = text.slice(pos, end)
    if (line.trim() !== '') return {text: line, newline}
    pos = next
  }
}

/** The delimiter that splits the header into the most known columns; `,` on a tie (then `;`, then tab). */
function detectDelimiter(headerLine: string, maps: ColumnMaps): string {
  let best: string = DETECTED_DELIMITERS[0]
  let bestCount = -1
  for (const delimiter of DETECTED_DELIMITERS) {
    let count = 0
    new CsvRecordSplitter(delimiter).push(headerLine, true, (cells) => {
      count = countKnownColumns(cells, maps)
    })
    if (count > bestCount) {
      best = delimiter
      bestCount = count
    }
  }
  return best
}
