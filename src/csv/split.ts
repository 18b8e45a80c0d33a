import {ValidationError} from '../errors.js'

/**
 * An RFC 4180 record splitter over decoded text, fed chunk by chunk.
 *
 * Why not csv-parse: on this machine csv-parse 5 alone reads about 100,000 rows/s (it walks the input
 * byte by byte through several method calls per byte), which leaves nothing for validation under the
 * 100,000 rows/s pre-flight target of issue 5; and its line counter counts a CRLF inside quotes as two
 * lines. This splitter finds line ends and quotes with indexOf, splits quote-free lines natively, and
 * walks character by character only through records that contain a quote. The tests compare it with
 * csv-parse on the same inputs.
 */

/** Longer than any valid row by far (13 values of at most 256 characters); past it the input is not CSV we can use. */
export const MAX_RECORD_CHARS = 1 << 20

const QUOTE = 34
const CR = 13
const LF = 10
const SPACE = 32
const TAB = 9

/** What is wrong with a record's quoting, and in which cell (0-based). */
export interface QuoteProblem {
  cell: number
  message: string
}

/** Receives each record: its cells, the physical line it starts on, and a problem with its quoting if any. */
export type RecordSink = (cells: string[], line: number, problem: QuoteProblem | undefined) => void

export class CsvRecordSplitter {
  private rest = ''
  /** Physical line of the first character of `rest`. */
  private line = 1
  private readonly delimiterCode: number
  private readonly newline: string
  private readonly newlineCode: number

  /** `newline` is LF for LF and CRLF files, CR for the old Mac files whose lines end in CR alone. */
  constructor(readonly delimiter: string, newline: '\n' | '\r' = '\n') {
    this.delimiterCode = delimiter.charCodeAt(0)
    this.newline = newline
    this.newlineCode = newline.charCodeAt(0)
  }

  /** Splits what is complete; keeps an unfinished record for the next call. `final` flushes everything. */
  push(text: string, final: boolean, sink: RecordSink): void {
    const buf = this.rest.length === 0 ? text : this.rest + text
    const len = buf.length
    const nlChar = this.newline
    const lfMode = this.newlineCode === LF
    let pos = 0
    let line = this.line
    // The next quote at or after pos; searching again only when passed keeps quote-free input linear.
    let quote = -1
    while (pos < len) {
      let nl = buf.indexOf(nlChar, pos)
      if (nl === -1) {
        if (!final) break
        nl = len
      }
      if (quote < pos) {
        quote = buf.indexOf('"', pos)
        if (quote === -1) quote = len
      }
      if (quote >= nl) {
        let end = nl
        if (lfMode && end > pos && buf.charCodeAt(end - 1) === CR) end--
        if (end > pos) sink(buf.slice(pos, end).split(this.delimiter), line, undefined)
        line++
        pos = nl + 1
        continue
      }
      const next = this.quotedRecord(buf, pos, line, final, sink)
      if (next === -1) break
      line = this.lineAfter
      pos = next
    }
    this.rest = pos < len ? buf.slice(pos) : ''
    this.line = line
    if (this.rest.length > MAX_RECORD_CHARS) {
      throw new ValidationError(`line ${line}: a record runs on for more than ${MAX_RECORD_CHARS} characters, most likely from a quote (") that is never closed`, [], {
        hint: 'a value that contains the delimiter, a quote or a line break must be enclosed in quotes, with quotes inside it doubled',
      })
    }
  }

  private lineAfter = 0

  /** Line number at the end of the text pushed so far, for messages about the text that comes next. */
  lineAtEnd(): number {
    return this.line + countChar(this.rest, this.newlineCode)
  }

  /**
   * One record from pos, which contains a quote, character by character. Returns where the next record
   * starts (its line in lineAfter) or -1 when the record may continue past the text we have.
   */
  private quotedRecord(buf: string, pos: number, line: number, final: boolean, sink: RecordSink): number {
    const len = buf.length
    const delim = this.delimiterCode
    const nlCode = this.newlineCode
    const lfMode = nlCode === LF
    const cells: string[] = []
    let problem: QuoteProblem | undefined
    let i = pos
    let lines = 0
    let lastQuoted = false
    for (;;) {
      // A quote after blanks still opens a quoted value: hand-written files put a space after the delimiter.
      let j = i
      while (j < len && (buf.charCodeAt(j) === SPACE || (buf.charCodeAt(j) === TAB && delim !== TAB))) j++
      let value: string
      lastQuoted = j < len && buf.charCodeAt(j) === QUOTE
      if (lastQuoted) {
        value = ''
        let from = j + 1
        for (;;) {
          const q = buf.indexOf('"', from)
          if (q === -1 || (q + 1 >= len && !final)) {
            if (!final) return -1
            value += buf.slice(from)
            problem ??= {cell: cells.length, message: `a quoted value that starts on line ${line + lines} is never closed`}
            i = len
            break
          }
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(from, q + 1)
            from = q + 2
            continue
          }
          value += buf.slice(from, q)
          i = q + 1
          break
        }
        lines += countChar(value, nlCode)
        // Tolerate blanks after the closing quote; anything else means the quoting is broken.
        while (i < len && (buf.charCodeAt(i) === SPACE || (buf.charCodeAt(i) === TAB && delim !== TAB))) i++
        if (i < len) {
          const c = buf.charCodeAt(i)
          if (lfMode && c === CR && i + 1 >= len && !final) return -1
          if (c !== delim && c !== nlCode && !(lfMode && c === CR && (i + 1 >= len || buf.charCodeAt(i + 1) === LF))) {
            const end = fieldEnd(buf, i, delim, nlCode)
            if (end === len && !final) return -1
            problem ??= {cell: cells.length, message: 'there is text after the closing quote; a quoted value must end at the delimiter, with quotes inside it doubled'}
            value += buf.slice(i, end)
            lastQuoted = false
            i = end
          }
        }
      } else {
        const end = fieldEnd(buf, i, delim, nlCode)
        if (end === len && !final) return -1
        value = buf.slice(i, end)
        i = end
      }
      cells.push(value)
      if (i >= len) break
      const c = buf.charCodeAt(i)
      if (c === delim) {
        i++
        if (i >= len && !final) return -1
        if (i >= len) {
          cells.push('')
          break
        }
        continue
      }
      // Here c is the newline, or the CR of a CRLF after a closing quote.
      i += c === CR && lfMode ? 2 : 1
      break
    }
    // An unquoted last value ends at the LF of a CRLF, so it still carries the CR.
    const last = cells.length - 1
    const tail = cells[last] as string
    if (lfMode && !lastQuoted && tail.charCodeAt(tail.length - 1) === CR) cells[last] = tail.slice(0, -1)
    this.lineAfter = line + lines + 1
    sink(cells, line, problem)
    return i
  }
}

/** End of an unquoted value: the next delimiter or line end, or the end of the text. */
function fieldEnd(buf: string, from: number, delim: number, nlCode: number): number {
  for (let k = from; k < buf.length; k++) {
    const c = buf.charCodeAt(k)
    if (c === delim || c === nlCode) return k
  }
  return buf.length
}

export function countChar(text: string, code: number): number {
  const ch = String.fromCharCode(code)
  let n = 0
  for (let k = text.indexOf(ch); k !== -1; k = text.indexOf(ch, k + 1)) n++
  return n
}
