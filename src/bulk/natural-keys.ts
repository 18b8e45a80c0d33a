import type {AccountIndex} from '../accounts/account-index.js'
import {importBatches, type CsvOptions} from '../csv/rows.js'
import type {OpenCsv} from '../csv/decode.js'
import type {KnownDuplicates} from '../csv/row.js'
import type {AssociateCheck} from './associates.js'
import type {RowHistory} from './journal.js'

/**
 * The associates of the rows that create accounts: the only ones whose existing accounts the index
 * needs to read. (Two rows of one file with the same e-mail and associate are already a pre-flight
 * duplicate, so the index only ever matches accounts made before the run.)
 */
export async function creatingAssociates(open: OpenCsv, csv: CsvOptions, known?: KnownDuplicates, resolved?: AssociateCheck): Promise<Set<number>> {
  return (await fileKeys(open, csv, known, resolved)).associates
}

/** What one pass over the file tells the index: the associates of its creating rows, and the ids its other rows update. */
export async function fileKeys(open: OpenCsv, csv: CsvOptions, known?: KnownDuplicates, resolved?: AssociateCheck): Promise<{associates: Set<number>; ids: Map<number, number>}> {
  const associates = new Set<number>()
  const ids = new Map<number, number>()
  for await (const batch of importBatches(open, csv, undefined, known)) {
    for (const row of batch) {
      // A user name or address in the file becomes the associate id it resolved to.
      resolved?.apply(row)
      if (row.problems.length > 0) continue
      if (row.id !== undefined) ids.set(row.id, row.line)
      else if (typeof row.associateId === 'number') associates.add(row.associateId)
    }
  }
  return {associates, ids}
}

/** What the index of a run must cover: the associates of its creating rows, less the accounts its earlier runs created for rows now done. */
export interface IndexScope {
  associates: ReadonlySet<number>
  skipIds: ReadonlySet<number>
}

/** Opens the index of existing accounts for a run; given to the import job by the run function. */
export type OpenAccountIndex = (scope: IndexScope) => Promise<AccountIndex>

/** Accounts created by earlier runs of the file for rows that are done: a resume settles those rows without the index. */
export function createdByEarlierRuns(history: ReadonlyMap<number, RowHistory>): Set<number> {
  const ids = new Set<number>()
  for (const past of history.values()) if (past.done?.st === 'ok' && past.done.a === 'create' && past.done.id) ids.add(past.done.id)
  return ids
}
