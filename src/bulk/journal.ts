import {closeSync, existsSync, fsyncSync, openSync, readFileSync} from 'node:fs'
import {CliError, ExitCode} from '../errors.js'
import {writeLine} from './write-line.js'

/** What one row came to. `unknown`: a create may have reached the server, its outcome was not seen. */
/** `verify-failed`: the CRM server's login test failed, so the row was not saved. */
export type RowStatus = 'ok' | 'failed' | 'invalid' | 'skipped' | 'unknown' | 'verify-failed'
export type RowAction = 'create' | 'update' | 'unchanged'

/**
 * Journal lines (JSON, one per line, append-only). A create writes `start` before its request goes
 * out, so after a kill -9 a `start` without `done` means "may exist on the server": resume reports it
 * as unknown instead of creating it twice.
 */
export type JournalEntry =
  | {k: 'run'; at: string; input: string; argv: string[]}
  | {k: 'start'; l: number; h: string}
  | {k: 'done'; l: number; h: string; st: RowStatus; a?: RowAction; id?: number; n: number; e?: string}

export interface RowHistory {
  hash: string
  /** The last outcome recorded for the line, if any. */
  done?: Extract<JournalEntry, {k: 'done'}>
  /** A create was sent and no outcome followed. */
  inFlight: boolean
}

/** Appends entries with one write(2) each: a kill -9 loses nothing the kernel has accepted. */
export class JournalWriter {
  private fd: number

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'a', 0o600)
    } catch (error) {
      throw new CliError('JOURNAL', ExitCode.UNEXPECTED, `cannot open the journal ${path}: ${(error as NodeJS.ErrnoException).code}`, {hint: 'Choose a writable place for the results with --results FILE.'})
    }
  }

  append(entry: JournalEntry): void {
    const code = writeLine(this.fd, `${JSON.stringify(entry)}\n`)
    if (code) {
      throw new CliError('JOURNAL', ExitCode.UNEXPECTED, `cannot write the journal ${this.path}: ${code}; stopping before more rows are sent`, {
        hint: 'Free disk space or fix permissions, then run the same command with --resume.',
      })
    }
  }

  close(): void {
    try {
      fsyncSync(this.fd)
    } catch {
      // fsync is best effort: the lines are already in the kernel, which is what kill -9 safety needs.
    }
    closeSync(this.fd)
  }
}

/** The last state of every line from earlier runs. A torn last line (kill -9 mid-write) is ignored. */
export function readJournal(path: string): Map<number, RowHistory> {
  const rows = new Map<number, RowHistory>()
  if (!existsSync(path)) return rows
  const lines = readFileSync(path, 'utf8').split('\n')
  for (const text of lines) {
    if (text === '') continue
    const entry = parseEntry(text)
    if (!entry) continue
    if (entry.k === 'start') rows.set(entry.l, {hash: entry.h, done: rows.get(entry.l)?.done, inFlight: true})
    else if (entry.k === 'done') rows.set(entry.l, {hash: entry.h, done: entry, inFlight: false})
  }
  return rows
}

export function journalExists(path: string): boolean {
  return existsSync(path)
}

/** One journal line; a line torn by a crash or a full disk may have the next entry glued to it. */
function parseEntry(text: string): JournalEntry | undefined {
  try {
    return JSON.parse(text) as JournalEntry
  } catch {
    const glued = text.lastIndexOf('{"k":')
    if (glued <= 0) return undefined
    try {
      return JSON.parse(text.slice(glued)) as JournalEntry
    } catch {
      return undefined
    }
  }
}
