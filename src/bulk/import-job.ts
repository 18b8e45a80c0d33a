import type {SaveChecks} from '../accounts/save-checks.js'
import type {EMailService} from '../soap/email-service.js'
import {CliError, ExitCode, ValidationError} from '../errors.js'
import type {RowProblem} from '../csv/row.js'
import {formatRowProblem, preflight, readImportRows, type CsvOptions, type PreflightReport} from '../csv/reader.js'
import {accountRow, CSV_FIELDS} from '../csv/header.js'
import {dialectOfInput} from '../csv/writer.js'
import type {ImportFiles} from './files.js'
import {JournalWriter, readJournal, type RowHistory} from './journal.js'
import {Limiter} from './limiter.js'
import {createProgress, ErrorGroups, type Progress} from './progress.js'
import {ImportTally, type TallyView} from './tally.js'
import {CsvFile, OrderedResults, RESULT_COLUMNS, resultRow, type RowResult} from './results.js'
import {createdByEarlierRuns, type OpenAccountIndex} from './natural-keys.js'
import {applyRows, type StopReason} from './runner.js'
import {AssociateCheck, withAssociates, type ResolveAssociates} from './associates.js'
import {DomainCheck, withDomains} from './domains.js'
import type {Detector} from '../providers/detect.js'

export interface ImportJobOptions {
  files: ImportFiles
  csv: CsvOptions
  resume: boolean
  force: boolean
  skipInvalid: boolean
  concurrency: number | 'auto'
  retries: number
  backoffMs?: number
  argv: string[]
}

export interface ImportJobDeps {
  /** Opens the input from the start; called once per pass. */
  open: () => NodeJS.ReadableStream
  email: EMailService
  verifyTicket: () => Promise<void>
  /** Existing accounts by natural key (rows without id that match are updated; lost creates are looked up). */
  openIndex?: OpenAccountIndex
  renewTicket?: () => Promise<boolean>
  stopping: () => boolean
  /** One event per row for --output ndjson. */
  emit?: (result: RowResult) => void
  /** A progress display reading the run's tally (the summary's too); `concurrency` with --concurrency auto: the limit in force. */
  progress?: (tally: ImportTally, concurrency?: () => number) => Progress
  /** Notices for stderr, such as a file that changed during the run. */
  warn?: (message: string) => void
  /** Size and modification time of the input file; undefined for a private copy of stdin. */
  fingerprint?: () => Promise<string>
  /** Looks the file's associates up on the server (Archive agent), all at once after pre-flight. */
  resolveAssociates: ResolveAssociates
  /** The checks before each save (policy, MX advice, login test); see accounts/save-checks.ts. */
  checks?: SaveChecks
  /** Detects the servers of create rows that leave them empty (with csv.detect). */
  detector?: Pick<Detector, 'detect'>
}

/** The counts come from the run's one tally (tally.ts): rows, tried, notTried, earlier, counts, actions. */
export interface ImportSummary extends TallyView {
  elapsedMs: number
  files: ImportFiles
  stopped?: {reason: StopReason; message: string}
  errors: Array<{count: number; lines: number[]; example: string}>
}

const PROBLEMS_IN_MESSAGE = 50
/** Where --concurrency auto starts: the fixed default, which any NetServer takes. */
const AUTO_START = 4

/** Pre-flight over the whole file; nothing is sent unless it passes (or --skip-invalid). A column soemail does not know fails it (resolveHeader). */
export async function checkFile(open: () => NodeJS.ReadableStream, csv: CsvOptions, skipInvalid: boolean): Promise<PreflightReport> {
  const report = await preflight(open, csv)
  const problems = [...report.duplicates, ...report.problems].sort((a, b) => a.line - b.line)
  const fileLevel = report.headerProblems.length > 0
  if (fileLevel || (problems.length > 0 && !skipInvalid)) {
    const lines = [...report.headerProblems, ...problems.slice(0, PROBLEMS_IN_MESSAGE).map(formatRowProblem)]
    const more = report.problemCount + report.duplicateCount - Math.min(problems.length, PROBLEMS_IN_MESSAGE)
    if (more > 0) lines.push(`… and ${more} more`)
    throw new ValidationError(`validation failed, nothing sent (${report.invalid} of ${report.rows} rows have problems):\n${lines.map((l) => `  ${l}`).join('\n')}`, problems.map((p) => ({field: `line ${p.line}, column ${p.column}`, message: p.message})), {
      hint: fileLevel ? 'Fix the header row; columns are: ' + CSV_FIELDS.join(', ') : 'Fix these rows, or pass --skip-invalid to import the valid rows and report the others as invalid.',
    })
  }
  return report
}

/**
 * Resolves every associate the file names, before anything is sent. A refused associate is a problem of
 * each row naming it: the file stops (nothing sent) unless --skip-invalid, which reports those rows invalid.
 */
export async function checkAssociates(report: PreflightReport, resolve: ResolveAssociates, skipInvalid: boolean): Promise<AssociateCheck> {
  const refs = [...report.associates.byKey.values()].map((r) => r.ref)
  const check = new AssociateCheck(report.associates, refs.length > 0 ? await resolve(refs) : new Map())
  if (!skipInvalid) {
    stopOnRowProblems(check, report, 'name an associate who cannot own the account', 'Give each row a user name, e-mail address or associate id of an active user, or pass --skip-invalid to import the other rows and report these as invalid.')
  }
  return check
}

/**
 * Detects the servers of the domains whose create rows leave them empty, once per domain, before anything
 * is sent. A domain that gives no server is a problem of each row needing it: the file stops unless
 * --skip-invalid. Undefined when no row needs detection.
 */
export async function checkDomains(report: PreflightReport, detector: Pick<Detector, 'detect'> | undefined, skipInvalid: boolean): Promise<DomainCheck | undefined> {
  if (!detector || report.domains.byDomain.size === 0) return undefined
  const check = await DomainCheck.run(report.domains, detector)
  if (!skipInvalid) {
    stopOnRowProblems(check, report, 'leave servers empty that detection did not find', 'Give those rows their servers (imap_server, smtp_server) or a provider column, or pass --skip-invalid to import the other rows and report these as invalid. soemail providers detect DOMAIN shows what each source answered.')
  }
  return check
}

/** The stop of a check made after pre-flight (associates, domains): nothing is sent, each row's problem is listed. */
function stopOnRowProblems(check: {problems(): RowProblem[]; badRows(): number}, report: PreflightReport, what: string, hint: string): void {
  const problems = check.problems()
  if (problems.length === 0) return
  const bad = check.badRows()
  const lines = problems.slice(0, PROBLEMS_IN_MESSAGE).map(formatRowProblem)
  if (bad > lines.length) lines.push(`… and ${bad - lines.length} more`)
  throw new ValidationError(`validation failed, nothing sent (${bad} of ${report.rows} rows ${what}):\n${lines.map((l) => `  ${l}`).join('\n')}`, problems.map((p) => ({field: `line ${p.line}, column ${p.column}`, message: p.message})), {hint})
}

/** Lines whose content differs from what an earlier run recorded for them. */
export async function changedRows(open: () => NodeJS.ReadableStream, csv: CsvOptions, history: Map<number, RowHistory>): Promise<number[]> {
  const changed: number[] = []
  const seen = new Set<number>()
  for await (const row of readImportRows(open, csv)) {
    seen.add(row.line)
    const past = history.get(row.line)
    if (past && past.hash !== row.hash) changed.push(row.line)
  }
  for (const line of history.keys()) if (!seen.has(line)) changed.push(line)
  return changed.sort((a, b) => a - b)
}

export async function runImport(options: ImportJobOptions, deps: ImportJobDeps): Promise<ImportSummary> {
  const started = Date.now()
  const before = await deps.fingerprint?.()
  const changed = async () => before !== (await deps.fingerprint?.())
  const changedError = () => new ValidationError('the input file changed while it was being checked; nothing was sent', [], {hint: 'Let whatever writes the file finish (or work on a copy), then run the import again.'})
  // The apply pass reads the file again: what it sends must be what was checked.
  const report = await checkFile(deps.open, options.csv, options.skipInvalid).catch(async (error: unknown) => {
    throw (await changed()) ? changedError() : error
  })
  if (await changed()) throw changedError()
  const {files} = options
  const history = options.resume ? readJournal(files.journal) : new Map<number, RowHistory>()
  if (options.resume && history.size > 0) {
    const changed = await changedRows(deps.open, options.csv, history)
    if (changed.length > 0 && !options.force) {
      throw new CliError('INPUT_CHANGED', ExitCode.USAGE, `the input file changed since the earlier run: ${changed.length} row(s) differ (lines ${changed.slice(0, 20).join(', ')}${changed.length > 20 ? ', …' : ''})`, {
        hint: 'Resuming would mix two versions of the file. Restore the file, or pass --force to resume with the new values (created accounts are then updated, not created again).',
        details: {changedLines: changed},
      })
    }
  }
  if (report.valid > 0) await deps.verifyTicket()
  const associates = await checkAssociates(report, deps.resolveAssociates, options.skipInvalid)
  const domains = await checkDomains(report, deps.detector, options.skipInvalid)
  // The natural key is (associate id, address): the index needs the ids the file's names and addresses resolved to.
  const keys = deps.openIndex && report.creates > 0 ? report.keys.resolve(associates) : undefined
  const index = keys && deps.openIndex ? await deps.openIndex({associates: keys.associates, skipIds: createdByEarlierRuns(history)}) : undefined

  const journal = new JournalWriter(files.journal)
  // Written as the input is (delimiter, BOM), so they open where the input was made, Excel included.
  const dialect = dialectOfInput({...report, encoding: options.csv.encoding})
  const results = new CsvFile(files.results, RESULT_COLUMNS, 'w', dialect)
  const undo = new CsvFile(files.undo, CSV_FIELDS, 'a', dialect)
  const created = new CsvFile(files.created, ['id', 'email', 'associate_id'], 'a', dialect)
  const tally = new ImportTally(report.rows)
  const errors = new ErrorGroups()
  const limiter = options.concurrency === 'auto' ? new Limiter(AUTO_START, {adaptive: true, min: 1, max: 64}) : new Limiter(options.concurrency)
  const progress = deps.progress?.(tally, limiter.adaptive ? () => limiter.current : undefined)
  // A row is counted as it is written to the results file: the file and every count agree, even after Ctrl-C.
  const ordered = new OrderedResults((r) => {
    results.row(resultRow(r))
    tally.add(r)
    if (deps.emit) {
      const {earlier: _earlier, ...event} = r
      deps.emit(event)
    }
  })
  journal.append({k: 'run', at: new Date().toISOString(), input: files.results, argv: options.argv})
  let outcome
  try {
    outcome = await applyRows(withDomains(withAssociates(readImportRows(deps.open, options.csv), associates), domains), {
      email: deps.email,
      journal,
      history,
      index,
      checks: deps.checks,
      updatedById: keys?.ids,
      limiter,
      retries: options.retries,
      backoffMs: options.backoffMs ?? 200,
      settle: (seq, r) => {
        if (r.error && r.status !== 'ok' && r.status !== 'skipped') errors.add(r.line, r.error)
        ordered.settle(seq, r)
      },
      undo: {updated: (prev) => undo.row(accountRow(prev, false)), created: (acc) => created.row([acc.emailAccountId, acc.emailAddress, acc.associateId])},
      renewTicket: deps.renewTicket,
      stopping: deps.stopping,
    })
    if (await changed()) {
      deps.warn?.('the input file changed during the import; the results follow the file as it was read row by row. Check it before a --resume, which compares every row.')
    }
  } finally {
    progress?.done()
    journal.close()
    results.close()
    undo.close()
    created.close()
  }
  return {...tally.view(), elapsedMs: Date.now() - started, files, stopped: outcome.stopped, errors: errors.top()}
}

export {createProgress}
