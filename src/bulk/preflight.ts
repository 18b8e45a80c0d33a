import type {CsvField} from '../csv/header.js'
import {importBatches, type CsvOptions} from '../csv/rows.js'
import type {OpenCsv} from '../csv/decode.js'
import {ASSOCIATE, type KnownDuplicates, type RowProblem} from '../csv/row.js'
import {AssociateRefs} from './associates.js'
import {DomainRefs} from './domains.js'
import {KeyRefs} from './natural-keys.js'

export interface PreflightReport {
  /** Data rows read (empty lines and all-empty rows are not rows). */
  rows: number
  valid: number
  /** Rows with at least one problem, duplicates and missing columns included. */
  invalid: number
  /** Valid rows without an id, and with one. */
  creates: number
  updates: number
  /** Problems with the file as a whole (a column that rows creating accounts need is missing); nothing can be sent. */
  headerProblems: string[]
  /** Header cells left out with --ignore-column (a column soemail does not know is an error instead). */
  ignoredColumns: string[]
  /** Row problems in line order, the first PROBLEM_CAP of them; duplicates and missing columns are reported apart. */
  problems: RowProblem[]
  /** All row problems, however many were kept in `problems`. */
  problemCount: number
  /** Rows repeating an earlier row's id, or (for creates) its e-mail and associate; each names both lines. First PROBLEM_CAP. */
  duplicates: RowProblem[]
  duplicateCount: number
  /** Every header cell as written. */
  columns: string[]
  /** The recognized fields, in file order. */
  fields: CsvField[]
  /** The delimiter used, detected or given. */
  delimiter: string
  /** The file starts with a byte order mark. */
  bom: boolean
  /** The distinct associates the valid rows name, to resolve on the server before anything is sent. */
  associates: AssociateRefs
  /** The domains of valid create rows whose servers are to be detected (CsvOptions.detect). */
  domains: DomainRefs
  /** What the index of existing accounts needs of the valid rows (natural-keys.ts), taken in this one pass. */
  keys: KeyRefs
}

/** Enough to fix a file in one go; the counts stay exact past it and memory stays flat. */
export const PROBLEM_CAP = 1000

/**
 * Reads and checks the whole file without keeping rows. No `invalidLines`: the apply pass reads the file
 * again with readImportRows, whose rows carry the same problems (duplicates included), which is cheaper
 * than a line set would be and cannot disagree with this report.
 * Throws as readImportRows does for problems with the file or the options.
 */
export async function preflight(open: OpenCsv, options: CsvOptions): Promise<PreflightReport> {
  const report: PreflightReport = {
    rows: 0, valid: 0, invalid: 0, creates: 0, updates: 0,
    headerProblems: [], ignoredColumns: [], problems: [], problemCount: 0, duplicates: [], duplicateCount: 0,
    columns: [], fields: [], delimiter: ',', bom: false, associates: new AssociateRefs(), domains: new DomainRefs(), keys: new KeyRefs(),
  }
  // Missing columns are one problem of the file, not one per row: counted here, described once at the end.
  const absent = new Map<string, {rows: number; firstLine: number}>()
  for await (const batch of importBatches(open, options, (header) => {
    report.columns = header.columns
    report.fields = header.fields
    report.ignoredColumns = header.ignoredColumns
    report.delimiter = header.delimiter
    report.bom = header.bom
    report.associates.column = header.displayName[ASSOCIATE] ?? report.associates.column
  })) {
    for (const row of batch) {
      report.rows++
      if (row.problems.length === 0) {
        report.valid++
        if (row.id === undefined) report.creates++
        else report.updates++
        const ref = row.associateId === undefined ? undefined : report.associates.add(row.associateId, row.line)
        report.keys.add(row.id, row.line, ref)
        if (row.detect && row.email !== undefined) report.domains.add(row.email, row.line)
        continue
      }
      report.invalid++
      for (const problem of row.problems) {
        if (problem.kind === 'absent-column') {
          const seen = absent.get(problem.column)
          if (seen === undefined) absent.set(problem.column, {rows: 1, firstLine: problem.line})
          else seen.rows++
        } else if (problem.kind === 'duplicate') {
          if (report.duplicateCount++ < PROBLEM_CAP) report.duplicates.push(problem)
        } else if (report.problemCount++ < PROBLEM_CAP) report.problems.push(problem)
      }
    }
  }
  for (const [column, {rows, firstLine}] of absent) {
    const which = rows === 1 ? `the row on line ${firstLine} creates an account` : `${rows} rows create accounts (the first on line ${firstLine})`
    report.headerProblems.push(`the file has no ${column} column, but ${which} and needs it`)
  }
  return report
}

/**
 * Every duplicate the report found, by line, when it kept them all (at most PROBLEM_CAP); a second pass
 * over the unchanged file can take them instead of keeping a key per row again.
 */
export function knownDuplicates(report: PreflightReport): KnownDuplicates | undefined {
  if (report.duplicates.length !== report.duplicateCount) return undefined
  return new Map(report.duplicates.map((p) => [p.line, p]))
}
