import type {EMailAccount} from '../soap/account-model.js'
import type {EMailService} from '../soap/email-service.js'
import {AuthError} from '../errors.js'
import {describeFailure, isNotFound, isTicketRejection} from '../connection/wire-facts.js'
import {accountRow, CSV_FIELDS} from '../csv/header.js'
import {csvLine, PLAIN_CSV, UTF8_BOM, type CsvDialect} from '../csv/writer.js'
import {Limiter} from './limiter.js'
import {OrderedResults} from './results.js'

/** One id read: the account, or why there is none (`notFound` when the server has no account with it). */
export interface AccountRead {
  id: number
  account?: EMailAccount
  error?: string
  notFound?: boolean
}

export interface ExportOutcome {
  written: number
  missing: Array<{id: number; error: string; notFound: boolean}>
}

const NO_SUCH_ACCOUNT = 'there is no e-mail account with this id'

/**
 * Reads the accounts of `ids` several at a time and hands each to `each` in the order of `ids`. A rejected
 * ticket fails every id alike, so it stops the reading instead of being listed once per id.
 */
export async function readAccounts(email: EMailService, ids: readonly number[], each: (read: AccountRead) => void): Promise<void> {
  const ordered = new OrderedResults<AccountRead>(each)
  const limiter = new Limiter(8)
  const pending: Array<Promise<void>> = []
  for (const [seq, id] of ids.entries()) {
    await limiter.acquire()
    pending.push(
      email
        .getEMailAccount(id)
        .then((account) => ordered.settle(seq, account ? {id, account} : {id, error: NO_SUCH_ACCOUNT, notFound: true}))
        .catch((error: unknown) => {
          if (isTicketRejection(error) || error instanceof AuthError) throw error
          ordered.settle(seq, {id, error: isNotFound(error) ? NO_SUCH_ACCOUNT : describeFailure(error), notFound: isNotFound(error)})
        })
        .finally(() => limiter.release()),
    )
  }
  await Promise.all(pending)
}

/** Where exported rows go: the cells of the header, then of each account, in the import format's columns. */
export interface RowSink {
  header(columns: readonly string[]): void
  row(cells: ReadonlyArray<string | number | undefined>): void
}

/** A CSV file or stream, the BOM (if the dialect has one) before the header. */
export function csvSink(write: (text: string) => void, dialect: CsvDialect = PLAIN_CSV): RowSink {
  return {header: (columns) => write((dialect.bom ? UTF8_BOM : '') + csvLine(columns, dialect.delimiter)), row: (cells) => write(csvLine(cells, dialect.delimiter))}
}

/** Rows as objects keyed by column, for --json. */
export function objectSink(rows: Array<Record<string, string | number | undefined>>): RowSink {
  let columns: readonly string[] = []
  return {
    header: (c) => (columns = c),
    row: (cells) => rows.push(Object.fromEntries(columns.map((c, i) => [c, cells[i]]))),
  }
}

/** Writes the accounts in the import format, in the order of `ids`, reading several at a time. */
export async function exportAccounts(email: EMailService, ids: number[], options: {includeSecrets: boolean; sink: RowSink}): Promise<ExportOutcome> {
  const outcome: ExportOutcome = {written: 0, missing: []}
  options.sink.header(CSV_FIELDS)
  await readAccounts(email, ids, (r) => {
    if (r.account) {
      options.sink.row(accountRow(r.account, options.includeSecrets))
      outcome.written++
    } else outcome.missing.push({id: r.id, error: r.error ?? NO_SUCH_ACCOUNT, notFound: r.notFound ?? false})
  })
  return outcome
}
