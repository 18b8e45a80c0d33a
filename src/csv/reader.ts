/**
 * Reading `account import` files: the public face of src/csv (decode, split, header, row) and src/bulk/
 * preflight.ts. Format: DESIGN.md "Bulk CSV format" and issue 4 §1.
 */
import {importBatches, type CsvOptions} from './rows.js'
import type {OpenCsv} from './decode.js'
import type {ImportRow} from './row.js'

export {CSV_FIELDS, type CsvField} from './header.js'
export {type CsvOptions} from './rows.js'
export {openCsvInput, type OpenCsv} from './decode.js'
export {formatRowProblem, type ImportRow, type RowProblem} from './row.js'
export {knownDuplicates, preflight, PROBLEM_CAP, type PreflightReport} from '../bulk/preflight.js'

/**
 * Every record of an import file as a checked row, in file order; empty lines and all-empty records are
 * skipped. Rows are not kept, so memory stays flat however long the file is.
 *
 * Throws UsageError (exit 2) when an option is wrong: a bad --delimiter or --map, a --map column the header
 * lacks, a file that does not exist. Throws ValidationError (exit 3) when the file cannot be read as an
 * import at all: UTF-16, binary or non-UTF-8 bytes, no header, a header with neither id nor both email and
 * associate_id, two columns for one field, a runaway quoted value. Row problems do not throw; they are in
 * each row's `problems`, duplicates included, so a second pass sees exactly what pre-flight saw.
 */
export async function* readImportRows(open: OpenCsv, options: CsvOptions): AsyncGenerator<ImportRow> {
  for await (const batch of importBatches(open, options)) yield* batch
}
