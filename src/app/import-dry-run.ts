import {CliError, ExitCode} from '../errors.js'
import type {AccountIndex} from '../accounts/account-index.js'
import type {CsvOptions} from '../csv/reader.js'
import type {ImportFiles} from '../bulk/files.js'
import type {ArchiveService} from '../soap/archive-service.js'
import type {SaveChecks} from '../accounts/save-checks.js'
import type {Detector} from '../providers/detect.js'
import type {EMailService} from '../soap/email-service.js'
import {log, note, type CommandSession, type World} from './world.js'

export interface DryRunInput {
  open: () => NodeJS.ReadableStream
  csv: CsvOptions
  email: EMailService
  archive: ArchiveService
  call: CommandSession['call']
  /** The real run's ticket and URL check (ticket-check.ts). */
  verifyTicket: () => Promise<void>
  concurrency: number | 'auto'
  ndjson: boolean
  skipInvalid: boolean
  /** The files the real run would write; their lock is looked at, never taken. */
  files: ImportFiles
  /** The real run's checks before a save (they read only). */
  checks?: SaveChecks
  /** Detects the servers of create rows that leave them empty. */
  detector?: Pick<Detector, 'detect'>
}

/**
 * What each row would do, read from the server; nothing is written. It makes the real run's checks in
 * the real run's order and ends with the real run's exit code, so `--dry-run && import` is a gate:
 * pre-flight (3: invalid rows unless --skip-invalid, an unknown column), the ticket and URL (4, 7), then
 * the plan (6 when rows would not succeed: invalid ones skipped, accounts that cannot be read).
 *
 * It takes no lock: it writes no run file, so it cannot spoil a run in progress, and a plan made while
 * an import runs is worth having. It says so when an import holds the lock, because the real run would
 * then be refused (exit 2) until that one ends.
 */
export async function dryRunImport(world: World, input: DryRunInput): Promise<unknown> {
  const [{checkFile, checkAssociates, checkDomains}, {knownDuplicates}, {planImport}, {Limiter}, {renderPlanLine}, {lockHolder, lockPath, describeOwner}, {journalExists}, {AssociateResolver}] = await Promise.all([
    import('../bulk/import-job.js'),
    import('../csv/reader.js'),
    import('../bulk/dry-run.js'),
    import('../bulk/limiter.js'),
    import('../output/import-summary.js'),
    import('../bulk/run-lock.js'),
    import('../bulk/journal.js'),
    import('../accounts/associates.js'),
  ])
  const {open, csv, email, concurrency, ndjson} = input
  const holder = lockHolder(lockPath(input.files.results))
  if (holder) note(world, `Note: an import of this file is running now (${describeOwner(holder)}); a real run would be refused until it ends, and this plan may be out of date when it does.`)
  else if (journalExists(input.files.journal)) note(world, `Note: an earlier run of this file left ${input.files.journal}; the real run needs --resume (skip the rows it did) or --restart.`)
  const report = await checkFile(open, csv, input.skipInvalid)
  if (report.valid > 0) await input.verifyTicket()
  // Associates are resolved as the real run resolves them: refused ones stop it (3) unless --skip-invalid, which makes their rows invalid in the plan.
  const resolver = new AssociateResolver(input.archive)
  const associates = await checkAssociates(report, (refs) => input.call(() => resolver.resolveAll(refs)), input.skipInvalid)
  const domains = await checkDomains(report, input.detector, input.skipInvalid)
  const style = world.stdout.style
  const known = knownDuplicates(report)
  const index = report.creates > 0 ? await openDryRunIndex(world, input, report.keys.resolve(associates).associates) : undefined
  const totals = await input.call(() =>
    planImport(open, csv, {email, associates, domains, index, checks: input.checks}, new Limiter(concurrency === 'auto' ? 8 : concurrency), (line) => {
      if (ndjson) world.stdout.write(`${JSON.stringify({type: 'plan', ...line})}\n`)
      else if (!world.json) world.stdout.write(`${renderPlanLine(line, style)}\n`)
    }, known),
  )
  if (!world.json && !ndjson) log(world, `\n${style.bold('Plan:')} ${totals.create} to create, ${totals.update} to update, ${totals.unchanged} unchanged${totals.invalid ? `, ${totals.invalid} invalid` : ''}${totals['verify-failed'] ? `, ${totals['verify-failed']} whose login test failed` : ''}${totals.error ? `, ${totals.error} could not be read` : ''}. Nothing was changed.`)
  const result = {dryRun: true, totals}
  if (totals.invalid + totals.error + totals['verify-failed'] > 0) {
    const why = [totals.invalid ? `${totals.invalid} invalid (skipped by --skip-invalid, or refused)` : '', totals['verify-failed'] ? `${totals['verify-failed']} whose login test failed (--save-unverified saves them anyway)` : '', totals.error ? `${totals.error} whose account could not be read` : ''].filter(Boolean).join(', ')
    throw new CliError('PARTIAL', ExitCode.PARTIAL, `the import would not succeed for every row: ${why}; nothing was changed`, {
      hint: 'The real run would end with exit 6 for these rows; fix them, or run the import knowing they will be reported.',
      details: result,
    })
  }
  return result
}

/** The index of existing accounts the real run would match rows without id against. */
async function openDryRunIndex(world: World, input: DryRunInput, associates: ReadonlySet<number>): Promise<AccountIndex> {
  const {openAccountIndex} = await import('./existing-accounts.js')
  return input.call(() => openAccountIndex(world, input.email, {associates, concurrency: input.concurrency === 'auto' ? 8 : input.concurrency}))
}
