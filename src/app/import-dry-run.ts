import type {AccountIndex} from '../accounts/account-index.js'
import type {CsvOptions} from '../csv/reader.js'
import type {KnownDuplicates} from '../csv/row.js'
import type {EMailService} from '../soap/email-service.js'
import {log, note, type CommandSession, type World} from './world.js'

export interface DryRunInput {
  open: () => NodeJS.ReadableStream
  csv: CsvOptions
  email: EMailService
  call: CommandSession['call']
  concurrency: number | 'auto'
  ndjson: boolean
}

/** What each row would do, read from the server; nothing is written. */
export async function dryRunImport(world: World, input: DryRunInput): Promise<unknown> {
  const [{checkFile}, {knownDuplicates}, {planImport}, {Limiter}, {renderPlanLine}] = await Promise.all([
    import('../bulk/import-job.js'),
    import('../csv/reader.js'),
    import('../bulk/dry-run.js'),
    import('../bulk/limiter.js'),
    import('../output/import-summary.js'),
  ])
  const {open, csv, email, concurrency, ndjson} = input
  const report = await checkFile(open, csv, true, (message) => note(world, `Warning: ${message}`))
  const style = world.stdout.style
  const known = knownDuplicates(report)
  const index = report.creates > 0 ? await openDryRunIndex(world, input, known) : undefined
  const totals = await input.call(() =>
    planImport(open, csv, email, new Limiter(concurrency === 'auto' ? 8 : concurrency), (line) => {
      if (ndjson) world.stdout.write(`${JSON.stringify({type: 'plan', ...line})}\n`)
      else if (!world.json) world.stdout.write(`${renderPlanLine(line, style)}\n`)
    }, known, index),
  )
  if (!world.json && !ndjson) log(world, `\n${style.bold('Plan:')} ${totals.create} to create, ${totals.update} to update, ${totals.unchanged} unchanged${totals.invalid ? `, ${totals.invalid} invalid` : ''}${totals.error ? `, ${totals.error} could not be read` : ''}. Nothing was changed.`)
  return {dryRun: true, totals}
}

/** The index of existing accounts the real run would match rows without id against. */
async function openDryRunIndex(world: World, input: DryRunInput, known: KnownDuplicates | undefined): Promise<AccountIndex> {
  const [{creatingAssociates}, {openAccountIndex}] = await Promise.all([import('../bulk/natural-keys.js'), import('./existing-accounts.js')])
  const associates = await creatingAssociates(input.open, input.csv, known)
  return input.call(() => openAccountIndex(world, input.email, {associates, concurrency: input.concurrency === 'auto' ? 8 : input.concurrency}))
}
