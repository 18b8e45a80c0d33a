import {closeSync, openSync, statSync} from 'node:fs'
import {CliError, ExitCode} from '../errors.js'
import {fieldByName} from '../model/account-fields.js'
import {csvLine, PLAIN_CSV, UTF8_BOM, type CsvDialect} from '../csv/writer.js'
import type {RowAction, RowStatus} from './journal.js'
import {writeLine} from './write-line.js'

const ASSOCIATE = fieldByName('associate_id')

/**
 * The results file's columns; the row's key fields are named as the import format names them, and the
 * associate twice: its id (the field's name, associate_id) and its user name (the import column, associate).
 */
export const RESULT_COLUMNS: readonly string[] = ['line', fieldByName('email').column as string, ASSOCIATE.name, ASSOCIATE.column as string, 'action', 'status', 'account_id', 'attempts', 'error']

export interface RowResult {
  line: number
  email?: string
  /** The resolved associate id; for a row whose associate was refused, the value as the file gave it. */
  associateId?: number | string
  /** The resolved associate's user name. */
  associate?: string
  action?: RowAction
  status: RowStatus
  accountId?: number
  attempts: number
  error?: string
  /** Done by an earlier run of the same file (resume); not written to the results file. */
  earlier?: boolean
}

/**
 * A CSV file written line by line; every write goes straight to the kernel. A fresh file starts with the
 * dialect's BOM; one appended to (a resume) keeps what its first run wrote.
 */
export class CsvFile {
  private fd: number

  constructor(readonly path: string, header: readonly string[], mode: 'w' | 'a' = 'w', private readonly dialect: CsvDialect = PLAIN_CSV) {
    try {
      const fresh = mode === 'w' || !existsWithContent(path)
      this.fd = openSync(path, mode, 0o600)
      if (fresh) this.write((dialect.bom ? UTF8_BOM : '') + csvLine(header, dialect.delimiter))
    } catch (error) {
      if (error instanceof CliError) throw error
      throw new CliError('RESULTS', ExitCode.UNEXPECTED, `cannot write ${path}: ${(error as NodeJS.ErrnoException).code}`, {hint: 'Choose a writable place with --results FILE.'})
    }
  }

  row(values: ReadonlyArray<string | number | undefined>): void {
    this.write(csvLine(values, this.dialect.delimiter))
  }

  private write(text: string): void {
    const code = writeLine(this.fd, text)
    if (code) {
      throw new CliError('RESULTS', ExitCode.UNEXPECTED, `cannot write ${this.path}: ${code}; stopping before more rows are sent`, {
        hint: 'Free disk space or fix permissions, then run the same command with --resume.',
      })
    }
  }

  close(): void {
    closeSync(this.fd)
  }
}

function existsWithContent(path: string): boolean {
  try {
    return statSync(path).size > 0
  } catch {
    return false
  }
}

/**
 * Writes exactly one result per input line, in input order, as soon as every earlier line is
 * settled. Rows finish out of order under concurrency; only the gap between is held in memory.
 */
export class OrderedResults<T = RowResult> {
  private readonly pending = new Map<number, T>()
  private nextSeq = 0

  constructor(private readonly sink: (result: T) => void) {}

  /** `seq` is the row's position among data rows (0-based), not its line number. */
  settle(seq: number, result: T): void {
    this.pending.set(seq, result)
    while (this.pending.has(this.nextSeq)) {
      const r = this.pending.get(this.nextSeq) as T
      this.pending.delete(this.nextSeq)
      this.nextSeq++
      this.sink(r)
    }
  }

  get held(): number {
    return this.pending.size
  }
}

export function resultRow(r: RowResult): Array<string | number | undefined> {
  return [r.line, r.email, r.associateId, r.associate, r.action, r.status, r.accountId, r.attempts, r.error]
}
