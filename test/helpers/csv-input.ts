/** Inputs for the CSV reader tests: text or bytes as a stream factory, delivered in chunks of a chosen size. */
import {Readable} from 'node:stream'
import {preflight, readImportRows, type CsvOptions, type ImportRow, type PreflightReport} from '../../src/csv/reader.js'
import {HEADER} from './import-csv.js'

export {HEADER}

/** A stream factory over fixed content; `chunk` bytes at a time so splits fall inside quotes, CRLFs and æøå. */
export function opener(content: string | Buffer, chunk = 65_536): () => NodeJS.ReadableStream {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  return () => Readable.from(chunks(bytes, chunk), {objectMode: false})
}

function* chunks(bytes: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

export async function rowsOf(content: string | Buffer, options: CsvOptions = {}, chunk?: number): Promise<ImportRow[]> {
  const rows: ImportRow[] = []
  for await (const row of readImportRows(opener(content, chunk), options)) rows.push(row)
  return rows
}

export const reportOf = (content: string | Buffer, options: CsvOptions = {}, chunk?: number): Promise<PreflightReport> => preflight(opener(content, chunk), options)

/** What readImportRows or preflight threw, for assertions on class, exit code and message. */
export async function failureOf(run: () => Promise<unknown>): Promise<Error & {exitCode?: number; hint?: string}> {
  try {
    await run()
  } catch (error) {
    return error as Error & {exitCode?: number; hint?: string}
  }
  throw new Error('expected a failure, but it succeeded')
}

/** A valid create row in HEADER's order; `n` makes the e-mail unique. */
export function createLine(n: number, delimiter = ','): string {
  return ['', `user${n}@example.no`, String(1 + (n % 50)), 'imap.example.no', '993', 'password', `user${n}`, `pw${n}`, 'smtp.example.no', '587', 'password', `user${n}`, `spw${n}`].join(delimiter)
}

/** A row as HEADER columns, from field values (unset fields are empty). */
export function line(values: Partial<Record<string, string>>, delimiter = ','): string {
  return HEADER.split(',').map((f) => values[f] ?? '').join(delimiter)
}
