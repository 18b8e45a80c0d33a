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

/** Turns bytes into text chunk by chunk; `end` flushes what a multi-byte character left behind. */
interface ChunkDecoder {
  decode(bytes: Buffer): string
  end(): string
}

/**
 * Decoded text of a CSV byte stream, BOM removed. Without `encoding`: UTF-8, or UTF-16 when the file starts
 * with a UTF-16 byte order mark (Excel's "Unicode text"); bytes that are not UTF-8 are refused with the
 * line and a hint to --encoding, rather than importing mangled names (Excel's plain "CSV" in Norway is
 * Windows-1252). With `encoding` (any name iconv-lite knows: windows-1252, iso-8859-1, utf-16le, …) the
 * file is read in that encoding. `lineOfEnd` tells the caller's line number at the end of the text
 * yielded so far, for the message. `facts.bom` is set when the file starts with a byte order mark (UTF-8 or
 * UTF-16), before the first text is yielded: the files written about an import carry one too.
 */
export async function* decodeCsvText(stream: NodeJS.ReadableStream, lineOfEnd: () => number, encoding?: string, facts?: {bom: boolean}): AsyncGenerator<string> {
  let decoder: ChunkDecoder | undefined
  let nulsAllowed = false
  let head: Buffer | undefined = Buffer.alloc(0)
  try {
    for await (const raw of stream) {
      let chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : (raw as Buffer)
      if (head !== undefined) {
        // The BOM check needs the first two bytes (three for UTF-8's), which a pipe may deliver one at a time.
        chunk = Buffer.concat([head, chunk])
        if (chunk.length < 2 || (chunk.length < 3 && chunk[0] === 0xef && chunk[1] === 0xbb)) {
          head = chunk
          continue
        }
        head = undefined
        if (facts) facts.bom = hasBom(chunk)
        const chosen = encoding ?? utf16ByBom(chunk)
        nulsAllowed = chosen !== undefined && /^(utf-?16|ucs-?2|utf-?32)/i.test(chosen)
        decoder = chosen === undefined ? utf8Decoder(lineOfEnd) : iconvDecoder(await loadIconv(), chosen)
      }
      if (!nulsAllowed && chunk.indexOf(0) !== -1) throw binaryError()
      // Decoded in pieces: a 64 KB chunk of æøå text decodes to a string near V8's large-object size, and
      // such strings made the heap of a million-row pre-flight twice as large as 16 KB pieces do.
      for (let at = 0; at < chunk.length; at += PIECE) {
        const text = decoder!.decode(chunk.length <= PIECE ? chunk : chunk.subarray(at, at + PIECE))
        if (text.length > 0) yield text
      }
    }
    if (head !== undefined) {
      // One byte in all (or none): too short for a BOM.
      if (head.indexOf(0) !== -1) throw binaryError()
      decoder = encoding === undefined ? utf8Decoder(lineOfEnd) : iconvDecoder(await loadIconv(), encoding)
      const text = decoder.decode(head)
      if (text.length > 0) yield text
    }
    const rest = decoder?.end() ?? ''
    if (rest.length > 0) yield rest
  } catch (error) {
    throw readError(error)
  }
}

/** The --encoding value, checked before the file is opened: a typo is a usage error naming the flag. */
export async function checkEncoding(encoding: string | undefined): Promise<void> {
  if (encoding === undefined) return
  const iconv = await loadIconv()
  if (!iconv.encodingExists(encoding)) {
    throw new UsageError(`--encoding "${encoding}" is not an encoding soemail knows`, {hint: 'For example --encoding windows-1252 (Excel "CSV" in Western Europe), iso-8859-1, utf-16le or utf-8.'})
  }
}

type Iconv = typeof import('iconv-lite')
let iconvLoading: Promise<Iconv> | undefined
// Loaded only for files that are not UTF-8: the common case never pays for its tables.
const loadIconv = (): Promise<Iconv> => (iconvLoading ??= import('iconv-lite').then((m) => (m as unknown as {default?: Iconv}).default ?? (m as unknown as Iconv)))

function hasBom(chunk: Buffer): boolean {
  return (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) || utf16ByBom(chunk) !== undefined
}

function utf16ByBom(chunk: Buffer): string | undefined {
  if (chunk[0] === 0xff && chunk[1] === 0xfe) return 'utf-16le'
  if (chunk[0] === 0xfe && chunk[1] === 0xff) return 'utf-16be'
  return undefined
}

/** UTF-8, strict: an invalid byte is an error naming its line, not a U+FFFD in someone's name. */
function utf8Decoder(lineOfEnd: () => number): ChunkDecoder {
  // fatal: an invalid byte throws instead of becoming U+FFFD; ignoreBOM false: a leading BOM is dropped.
  const decoder = new TextDecoder('utf-8', {fatal: true})
  return {
    decode(bytes) {
      try {
        return decoder.decode(bytes, {stream: true})
      } catch {
        throw notUtf8Error(lineOfEnd() + linesBeforeBadByte(bytes))
      }
    },
    end() {
      try {
        return decoder.decode()
      } catch {
        throw notUtf8Error(lineOfEnd())
      }
    },
  }
}

/** Any encoding iconv-lite knows; it drops a BOM of its own encoding. */
function iconvDecoder(iconv: Iconv, encoding: string): ChunkDecoder {
  const decoder = iconv.getDecoder(encoding)
  return {decode: (bytes) => decoder.write(bytes), end: () => decoder.end() ?? ''}
}

function binaryError(): ValidationError {
  // UTF-16 without a byte order mark also lands here: every ASCII character comes with a NUL byte.
  return new ValidationError('the file contains NUL bytes: it is UTF-16 without a byte order mark, or not text at all', [], {
    hint: `If it is UTF-16 ("Unicode text"), pass --encoding utf-16le; otherwise save it as CSV (${SAVE_AS_UTF8}).`,
  })
}

function notUtf8Error(line: number): ValidationError {
  return new ValidationError(`the file is not UTF-8: line ${line} has bytes that are not UTF-8 (Excel's plain "CSV" in Western Europe is Windows-1252)`, [], {
    hint: `Pass --encoding windows-1252 (or the file's encoding: iso-8859-1, utf-16le, …), or save it as UTF-8 (${SAVE_AS_UTF8}).`,
  })
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
