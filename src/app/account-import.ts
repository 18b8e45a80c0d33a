import {UsageError} from '../errors.js'
import type {ConnectionFlagValues} from '../flags.js'
import {redactArgv, resumeCommand} from '../bulk/resume-command.js'
import {acquireRunLock, describeOwner, lockPath, type RunLock} from '../bulk/run-lock.js'
import {finishImport} from './import-outcome.js'
import {openCheckKit, type SaveCheckFlagValues} from './save-checks.js'
import {ticketCheck} from './ticket-check.js'
import {note, type World} from './world.js'

export type AccountImportOptions = ConnectionFlagValues & Omit<SaveCheckFlagValues, 'provider'> & {
  file: string
  'dry-run'?: boolean
  results?: string
  resume?: boolean
  restart?: boolean
  force?: boolean
  'skip-invalid'?: boolean
  concurrency: string
  retries: number
  delimiter?: string
  encoding?: string
  map?: string[]
  'ignore-column'?: string[]
  output: string
  trace?: boolean
  /** The command line as given, for the resume command (secrets are redacted from it). */
  argv: string[]
  /** oclif's id (account:import), for the resume command. */
  commandId?: string
}

/** Validates the whole file, then applies it under the journal; decides resume, signals and exit codes. */
export async function runAccountImport(opts: AccountImportOptions, world: World): Promise<unknown> {
  const concurrency = parseConcurrency(opts.concurrency)
  const [{openCsvInput}, {importFiles, archiveRun}, {journalExists}, job] = await Promise.all([
    import('../csv/reader.js'),
    import('../bulk/files.js'),
    import('../bulk/journal.js'),
    import('../bulk/import-job.js'),
  ])
  if (opts.file === '-' && opts['ticket-stdin']) {
    throw new UsageError('--ticket-stdin cannot be used when the CSV comes from standard input (-)', {hint: 'Give the ticket in SOEMAIL_TICKET or with soemail login, or read the CSV from a file.'})
  }
  if (opts.file !== '-') await assertReadableFile(opts.file)
  const files = importFiles(opts.file, opts.results)
  // Create rows may leave their servers empty: they are detected from each row's domain before anything is sent.
  const csv = {delimiter: opts.delimiter, map: opts.map, ignore: opts['ignore-column'], encoding: opts.encoding, detect: true}
  const ndjson = opts.output === 'ndjson'
  // The lock comes before anything reads or moves the run files, and before anything is sent.
  const lock = opts['dry-run'] ? undefined : takeRunLock(files.results, world)
  const {open, dispose} = await openCsvInput(opts.file, world.stdin)
  try {
    if (opts['dry-run']) {
      const session = await world.connect(opts)
      const {dryRunImport} = await import('./import-dry-run.js')
      const {checks, detector} = await openCheckKit(opts, world, session.email)
      return await dryRunImport(world, {open, csv: {...csv, apiVersion: session.email.version}, email: session.email, archive: session.archive, call: session.call, verifyTicket: ticketCheck(session), concurrency, ndjson, skipInvalid: opts['skip-invalid'] ?? false, files, checks, detector})
    }
    // The runner owns retries and the one re-login of a bulk run.
    const session = await world.connect(opts, {bulk: true})
    const {email, archive, call, renewTicket} = session
    const {AssociateResolver} = await import('../accounts/associates.js')
    const associates = new AssociateResolver(archive)
    const {checks, detector} = await openCheckKit(opts, world, email)

    let resume = opts.resume ?? false
    if (!resume && journalExists(files.journal)) {
      if (opts.restart) {
        for (const moved of archiveRun(files, world.clock.now())) note(world, `moved ${moved.replace(/\.[^.]+$/, '')} aside to ${moved}`)
      } else if (world.interactive) {
        resume = await world.prompter.confirm(`An earlier run of ${opts.file} left ${files.journal}. Resume it (skip rows already done)?`, true)
        if (!resume) archiveRun(files, world.clock.now())
      } else {
        throw new UsageError(`an earlier run of this file left ${files.journal}`, {hint: 'Pass --resume to continue it (rows already done are skipped), or --restart to start over.'})
      }
    }

    const resumeHint = resumeCommand(opts.commandId, opts.argv)
    let interrupts = 0
    const onSignal = () => {
      interrupts++
      if (interrupts === 1) {
        note(world, '\nStopping: no new rows; waiting for the rows in flight (Ctrl-C again to stop at once).')
        return
      }
      note(world, `\nStopped at once. The journal is consistent; resume with:\n  ${resumeHint}`)
      world.signals.off('SIGINT', onSignal)
      lock?.release()
      world.signals.resend('SIGINT')
    }
    world.signals.on('SIGINT', onSignal)
    world.signals.on('SIGTERM', onSignal)
    let summary
    try {
      summary = await job.runImport(
        {files, csv: {...csv, apiVersion: email.version}, resume, force: opts.force ?? false, skipInvalid: opts['skip-invalid'] ?? false, concurrency, retries: opts.retries, argv: redactArgv(opts.argv)},
        {
          open,
          email,
          verifyTicket: ticketCheck(session),
          resolveAssociates: (refs) => call(() => associates.resolveAll(refs)),
          checks,
          detector,
          openIndex: async (scope) => call(async () => (await import('./existing-accounts.js')).openAccountIndex(world, email, {...scope, retries: opts.retries, concurrency: concurrency === 'auto' ? 8 : concurrency})),
          renewTicket,
          stopping: () => interrupts > 0,
          warn: (message) => note(world, `Warning: ${message}`),
          fingerprint: opts.file === '-' ? undefined : () => fileFingerprint(opts.file),
          emit: ndjson ? (r) => world.stdout.write(`${JSON.stringify({type: 'row', ...r})}\n`) : undefined,
          progress: (tally, concurrency) =>
            job.createProgress({
              tally,
              concurrency,
              tty: world.stderr.isTTY && !world.json,
              write: (t) => world.stderr.write(t),
              intervalMs: Number(world.env.SOEMAIL_PROGRESS_INTERVAL_MS) || undefined,
            }),
        },
      )
    } finally {
      world.signals.off('SIGINT', onSignal)
      world.signals.off('SIGTERM', onSignal)
    }
    return await finishImport(world, summary, {resumeCommand: resumeHint, ndjson})
  } finally {
    lock?.release()
    await dispose()
  }
}

/** The run files' lock (bulk/run-lock.ts); says so when it takes over the lock of a run that died. */
function takeRunLock(results: string, world: World): RunLock {
  const lock = acquireRunLock(lockPath(results), world.clock.now())
  if (lock.tookOver) {
    const who = 'pid' in lock.tookOver ? describeOwner(lock.tookOver) : 'a run that died while creating it'
    note(world, `Took over the lock ${lock.path} left by ${who}, which is no longer running.`)
  }
  return lock
}

function parseConcurrency(value: string): number | 'auto' {
  if (value === 'auto') return 'auto'
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--concurrency is "${value}"; use a whole number from 1 to 64, or auto`)
  return n
}

async function assertReadableFile(file: string): Promise<void> {
  const {stat} = await import('node:fs/promises')
  const st = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.code}`)
  })
  if (!st.isFile()) throw new UsageError(`${file} is not a file`)
}

async function fileFingerprint(file: string): Promise<string> {
  const {stat} = await import('node:fs/promises')
  const st = await stat(file)
  return `${st.size}:${st.mtimeMs}:${st.ino}`
}
