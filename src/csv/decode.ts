import {createReadStream, createWriteStream} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {TextDecoder} from 'node:util'
import {UsageError, ValidationError} from '../errors.js'

/** Opens the input afresh; pre-flight and apply each read the file once. */
export type OpenCsv = () => NodeJS.ReadableStream

const PIECE = 16_384

const SAVE_AS_UTF8 = 'in Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; elsewhere save or export as UTF-8'

/**
 * Decoded text of a CSV byte stream, BOM removed. Refuses UTF-16, binary and non-UTF-8 input rather than
 * importing mangled names: Excel's plain "CSV" in Norway is Windows-1252, where æøå are not UTF-8.
 * `lineOfEnd` tells the caller's line number at the end of the text yielded so far, for the message.
 */
export async function* decodeCsvText(stream: NodeJS.ReadableStream, lineOfEnd: () => number): AsyncGenerator<string> {
  // fatal: an invalid byte throws instead of becoming U+FFFD; ignoreBOM false: a leading BOM is dropped.
  const decoder = new TextDecoder('utf-8', {fatal: true})
  let head: Buffer | undefined = Buffer.alloc(0)
  try {
    for await (const raw of stream) {
      let chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : (raw as Buffer)
      if (head !== undefined) {
        // The BOM check needs the first two bytes, which a pipe may deliver one at a time.
        chunk = Buffer.concat([head, chunk])
        if (chunk.length < 2) {
          head = chunk
          continue
        }
        head = undefined
        checkNotUtf16(chunk)
      }
      if (chunk.indexOf(0) !== -1) throw binaryError()
      // Decoded in pieces: a 64 KB chunk of æøå text decodes to a string near V8's large-object size, and
      // such strings made the heap of a million-row pre-flight twice as large as 16 KB pieces do.
      for (let at = 0; at < chunk.length; at += PIECE) {
        const piece = chunk.length <= PIECE ? chunk : chunk.subarray(at, at + PIECE)
        let text: string
        try {
          text = decoder.decode(piece, {stream: true})
        } catch {
          throw notUtf8Error(lineOfEnd() + linesBeforeBadByte(piece))
        }
        if (text.length > 0) yield text
      }
    }
    if (head !== undefined && head.length > 0) {
      if (head.indexOf(0) !== -1) throw binaryError()
      yield* decodeLast(decoder, head, lineOfEnd)
      return
    }
    yield* decodeLast(decoder, undefined, lineOfEnd)
  } catch (error) {
    throw readError(error)
  }
}

function* decodeLast(decoder: TextDecoder, bytes: Buffer | undefined, lineOfEnd: () => number): Generator<string> {
  let text: string
  try {
    text = bytes === undefined ? decoder.decode() : decoder.decode(bytes)
  } catch {
    throw notUtf8Error(lineOfEnd())
  }
  if (text.length > 0) yield text
}

function checkNotUtf16(chunk: Buffer): void {
  if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
    throw new ValidationError('the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as CSV UTF-8', [], {hint: SAVE_AS_UTF8})
  }
}

function binaryError(): ValidationError {
  // UTF-16 without a byte order mark also lands here: every ASCII character comes with a NUL byte.
  return new ValidationError('the file is UTF-16/binary (it contains NUL bytes), not CSV; save it as CSV UTF-8', [], {hint: SAVE_AS_UTF8})
}

function notUtf8Error(line: number): ValidationError {
  return new ValidationError(`the file is not UTF-8 (line ${line} has bytes that are not UTF-8; Windows-1252/Latin-1 perhaps); save it as CSV UTF-8`, [], {hint: SAVE_AS_UTF8})
}

/** Newlines before the first undecodable byte of a chunk; only for the error message, so a lossy decode will do. */
function linesBeforeBadByte(chunk: Buffer): number {
  const text = chunk.toString('utf8')
  const bad = text.indexOf('\uFFFD')
  let lines = 0
  for (let k = text.indexOf('\n'); k !== -1 && (bad === -1 || k < bad); k = text.indexOf('\n', k + 1)) lines++
  return lines
}

/** A file that cannot be opened is a wrong argument (exit 2), not a validation failure. */
function readError(error: unknown): unknown {
  const e = error as NodeJS.ErrnoException
  if (typeof e?.code === 'string' && ['ENOENT', 'EACCES', 'EISDIR', 'EPERM', 'ENOTDIR'].includes(e.code)) {
    const what = e.code === 'ENOENT' ? 'does not exist' : e.code === 'EISDIR' ? 'is a directory' : 'cannot be read'
    return new UsageError(`${e.path ?? 'the input file'} ${what}`, {cause: error})
  }
  return error
}

/** The input of `account import FILE`. */
export interface CsvInput {
  open: OpenCsv
  /** What messages call the input. */
  label: string
  /** Removes the stdin copy, if one was made; safe to call twice. */
  dispose(): Promise<void>
}

/**
 * A file path, or '-' for stdin. Stdin can be read only once but import reads its input twice (pre-flight,
 * then apply), so it is copied to a private temporary file first; the copy holds passwords, hence 0600 in
 * a 0700 directory, removed by dispose().
 */
export async function openCsvInput(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<CsvInput> {
  if (path !== '-') return {open: () => createReadStream(path, {highWaterMark: 1 << 16}), label: path, dispose: async () => {}}
  const dir = await mkdtemp(join(tmpdir(), 'soemail-import-'))
  const copy = join(dir, 'stdin.csv')
  const dispose = () => rm(dir, {recursive: true, force: true})
  try {
    await pipeline(stdin, createWriteStream(copy, {mode: 0o600}))
  } catch (error) {
    await dispose()
    throw error
  }
  return {open: () => createReadStream(copy, {highWaterMark: 1 << 16}), label: 'stdin', dispose}
}
