import type {AccountIndex} from '../accounts/account-index.js'
import {importBatches, type CsvOptions} from '../csv/rows.js'
import type {OpenCsv} from '../csv/decode.js'
import type {KnownDuplicates} from '../csv/row.js'

/**
 * The associates of the rows that create accounts: the only ones whose existing accounts the index
 * needs to read. (Two rows of one file with the same e-mail and associate are already a pre-flight
 * duplicate, so the index only ever matches accounts made before the run.)
 */
export async function creatingAssociates(open: OpenCsv, csv: CsvOptions, known?: KnownDuplicates): Promise<Set<number>> {
  const associates = new Set<number>()
  for await (const batch of importBatches(open, csv, undefined, known)) {
    for (const row of batch) if (row.problems.length === 0 && row.id === undefined && row.associateId !== undefined) associates.add(row.associateId)
  }
  return associates
}

/** Opens the index of existing accounts for a run; given to the import job by the run function. */
export type OpenAccountIndex = (associates: ReadonlySet<number>) => Promise<AccountIndex>
