import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {connectionFlags} from '../../flags.js'
import {CliError, ExitCode, InterruptedError, UsageError} from '../../errors.js'
import {redactArgv, resumeCommand} from '../../bulk/resume-command.js'
import {CSV_COLUMNS} from '../../model/account-fields.js'

export default class AccountImport extends BaseCommand {
  static override summary = 'Create and update accounts in bulk from a CSV file.'
  static override description = `Reads the whole file first and sends nothing unless every row is valid (or --skip-invalid). Then applies the rows with --concurrency requests at a time, retrying transient failures. Rows without an id create accounts; rows with an id update only the cells that are filled in.

Every input row gets exactly one line in the results file (default <FILE>.results.csv): line, email, associate_id, action, status (ok, failed, invalid, skipped, unknown), account_id, attempts, error. A journal beside it makes the run safe to interrupt: Ctrl-C finishes the rows in flight and prints the command that resumes; --resume skips rows already done and never creates an account twice. A create whose answer was lost is reported as unknown, with its e-mail and associate, for you to check.

Undo files: <results>.undo.csv holds the previous values of updated accounts (without passwords) for replaying with account import; <results>.created.csv lists created accounts for account delete --from.

Columns: ${CSV_COLUMNS.map((f) => f.column).join(', ')} (any case; - _ and space alike). Delimiter , or ; (detected), UTF-8 with or without BOM.`

  static override examples = [
    {description: 'See what a file would do:', command: '<%= config.bin %> <%= command.id %> new-office.csv --dry-run'},
    {description: 'Provision, 8 at a time, then check the results:', command: '<%= config.bin %> <%= command.id %> new-office.csv --concurrency 8 && column -s, -t < new-office.csv.results.csv'},
    {description: 'Continue an interrupted run:', command: '<%= config.bin %> <%= command.id %> new-office.csv --resume'},
    {description: 'Excel export with other column names, events for a pipeline:', command: "<%= config.bin %> <%= command.id %> users.csv --map 'E-post=email' --map 'Bruker=associate_id' --output ndjson | jq -c 'select(.status != \"ok\")'"},
  ]

  static override args = {
    // ignoreStdin: a CSV piped without - must not become the file name (oclif reads stdin for a missing argument).
    file: Args.string({description: 'CSV file, or - for standard input.', required: true, ignoreStdin: true}),
  }

  static override flags = {
    'dry-run': Flags.boolean({summary: 'Show what each row would do; change nothing.', helpGroup: 'Import'}),
    results: Flags.string({summary: 'Results file (default <FILE>.results.csv); the journal and undo files go beside it.', helpGroup: 'Import'}),
    resume: Flags.boolean({summary: 'Continue an earlier run of this file: skip rows already done, retry failed ones.', helpGroup: 'Import'}),
    restart: Flags.boolean({summary: 'Start over: move the earlier run\'s journal and undo files aside.', helpGroup: 'Import', exclusive: ['resume']}),
    force: Flags.boolean({summary: 'Resume even though the file changed since the earlier run.', helpGroup: 'Import'}),
    'skip-invalid': Flags.boolean({summary: 'Import the valid rows; report invalid ones as invalid.', helpGroup: 'Import'}),
    concurrency: Flags.string({summary: 'Requests at a time, 1-64, or auto (adapts to the server).', default: '4', helpGroup: 'Import'}),
    retries: Flags.integer({summary: 'Retries of a transient failure per row.', default: 3, min: 0, max: 10, helpGroup: 'Import'}),
    delimiter: Flags.string({summary: 'Column delimiter: , ; or tab (default: detected).', helpGroup: 'Import'}),
    map: Flags.string({summary: 'Rename a column: --map "E-post=email" (repeatable).', multiple: true, helpGroup: 'Import'}),
    output: Flags.string({summary: 'text (a summary) or ndjson (one event per row on stdout).', options: ['text', 'ndjson'], default: 'text', helpGroup: 'Output'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AccountImport)
    const concurrency = parseConcurrency(flags.concurrency)
    const [{openCsvInput}, {importFiles, archiveRun}, {journalExists}, job] = await Promise.all([
      import('../../bulk/csv-reader.js'),
      import('../../bulk/files.js'),
      import('../../bulk/journal.js'),
      import('../../bulk/import-job.js'),
    ])
    if (args.file === '-' && flags['ticket-stdin']) {
      throw new UsageError('--ticket-stdin cannot be used when the CSV comes from standard input (-)', {hint: 'Give the ticket in SOEMAIL_TICKET or with soemail login, or read the CSV from a file.'})
    }
    if (args.file !== '-') await assertReadableFile(args.file)
    const {open, dispose} = await openCsvInput(args.file)
    try {
      const csv = {delimiter: flags.delimiter, map: flags.map}
      const files = importFiles(args.file, flags.results)
      const {email, client} = await this.connect(flags)
      if (flags['dry-run']) return await this.dryRun(open, csv, email, concurrency, flags.output === 'ndjson')

      let resume = flags.resume
      if (!resume && journalExists(files.journal)) {
        if (flags.restart) {
          for (const moved of archiveRun(files)) this.note(`moved ${moved.replace(/\.[^.]+$/, '')} aside to ${moved}`)
        } else if (this.interactive) {
          const {confirm} = await import('@inquirer/prompts')
          resume = await confirm({message: `An earlier run of ${args.file} left ${files.journal}. Resume it (skip rows already done)?`, default: true}, {output: process.stderr})
          if (!resume) archiveRun(files)
        } else {
          throw new UsageError(`an earlier run of this file left ${files.journal}`, {hint: 'Pass --resume to continue it (rows already done are skipped), or --restart to start over.'})
        }
      }

      client.config.retries = 0
      let interrupts = 0
      const onSignal = () => {
        interrupts++
        if (interrupts === 1) {
          this.note('\nStopping: no new rows; waiting for the rows in flight (Ctrl-C again to stop at once).')
          return
        }
        this.note(`\nStopped at once. The journal is consistent; resume with:\n  ${resumeCommand(this.id, this.argv)}`)
        process.removeListener('SIGINT', onSignal)
        process.kill(process.pid, 'SIGINT')
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
      let summary
      try {
        summary = await job.runImport(
          {files, csv, resume, force: flags.force, skipInvalid: flags['skip-invalid'], concurrency, retries: flags.retries, argv: redactArgv(this.argv)},
          {
            open,
            email,
            verifyTicket: () => this.call(() => email.createDefaultEMailAccount().then(() => undefined)),
            renewTicket: () => this.tryRelogin(),
            stopping: () => interrupts > 0,
            warn: (message) => this.note(`Warning: ${message}`),
            fingerprint: args.file === '-' ? undefined : () => fileFingerprint(args.file),
            emit: flags.output === 'ndjson' ? (r) => process.stdout.write(`${JSON.stringify({type: 'row', ...r})}\n`) : undefined,
            progress: (total) =>
              job.createProgress({
                total,
                tty: Boolean(process.stderr.isTTY) && !this.jsonEnabled(),
                write: (t) => process.stderr.write(t),
                intervalMs: Number(process.env.SOEMAIL_PROGRESS_INTERVAL_MS) || undefined,
              }),
          },
        )
      } finally {
        process.removeListener('SIGINT', onSignal)
        process.removeListener('SIGTERM', onSignal)
      }
      return await this.finish(summary, flags.output === 'ndjson')
    } finally {
      await dispose()
    }
  }

  private async finish(summary: Awaited<ReturnType<typeof import('../../bulk/import-job.js').runImport>>, ndjson: boolean): Promise<unknown> {
    const {renderImportSummary} = await import('../../output/import-summary.js')
    const {stdoutStyle, stderrStyle} = await import('../../output/style.js')
    const resume = resumeCommand(this.id, this.argv)
    const result = {...summary, resumeCommand: summary.stopped || summary.counts.failed > 0 ? resume : undefined}
    if (ndjson) process.stdout.write(`${JSON.stringify({type: 'summary', ...result})}\n`)
    else if (!this.jsonEnabled()) this.log(renderImportSummary(summary, stdoutStyle()))
    if (summary.stopped) {
      const {reason, message} = summary.stopped
      this.note(stderrStyle().dim(`Resume with:\n  ${resume}`))
      if (reason === 'interrupted') throw new InterruptedError(`interrupted; ${summary.counts.skipped} rows were not started`)
      if (reason === 'auth') throw new CliError('TICKET_REJECTED', ExitCode.AUTH, `the run stopped: ${message}`, {hint: `Log in again (soemail login), then: ${resume}`, details: result})
      throw new CliError('RUN_STOPPED', ExitCode.SERVER, `the run stopped: ${message}`, {hint: `Fix the cause, then: ${resume}`, details: result})
    }
    const bad = summary.counts.failed + summary.counts.unknown + summary.counts.invalid
    if (bad > 0) {
      throw new CliError('PARTIAL', ExitCode.PARTIAL, `${bad} of ${summary.rows} rows did not succeed (${summary.counts.failed} failed, ${summary.counts.unknown} unknown, ${summary.counts.invalid} invalid); see ${summary.files.results}`, {
        hint: summary.counts.unknown > 0 ? 'Check the unknown rows on the server before importing them again; --resume retries failed rows.' : `Fix the causes, then retry the failed rows with: ${resume}`,
        details: result,
      })
    }
    return result
  }

  private async dryRun(open: () => NodeJS.ReadableStream, csv: {delimiter?: string; map?: string[]}, email: import('../../soap/email-service.js').EMailService, concurrency: number | 'auto', ndjson: boolean): Promise<unknown> {
    const [{checkFile}, {knownDuplicates}, {planImport}, {Limiter}, {renderPlanLine}, {stdoutStyle}] = await Promise.all([
      import('../../bulk/import-job.js'),
      import('../../bulk/csv-reader.js'),
      import('../../bulk/dry-run.js'),
      import('../../bulk/limiter.js'),
      import('../../output/import-summary.js'),
      import('../../output/style.js'),
    ])
    const report = await checkFile(open, csv, true, (message) => this.note(`Warning: ${message}`))
    const style = stdoutStyle()
    const json = this.jsonEnabled()
    const totals = await this.call(() =>
      planImport(open, csv, email, new Limiter(concurrency === 'auto' ? 8 : concurrency), (line) => {
        if (ndjson) process.stdout.write(`${JSON.stringify({type: 'plan', ...line})}\n`)
        else if (!json) process.stdout.write(`${renderPlanLine(line, style)}\n`)
      }, knownDuplicates(report)),
    )
    if (!json && !ndjson) this.log(`\n${style.bold('Plan:')} ${totals.create} to create, ${totals.update} to update, ${totals.unchanged} unchanged${totals.invalid ? `, ${totals.invalid} invalid` : ''}${totals.error ? `, ${totals.error} could not be read` : ''}. Nothing was changed.`)
    return {dryRun: true, totals}
  }
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
