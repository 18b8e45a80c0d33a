import type {CsvOptions} from '../csv/reader.js'
import type {ArchiveService} from '../soap/archive-service.js'
import type {EMailService} from '../soap/email-service.js'
import {log, note, type CommandSession, type World} from './world.js'

export interface DryRunInput {
  open: () => NodeJS.ReadableStream
  csv: CsvOptions
  email: EMailService
  archive: ArchiveService
  call: CommandSession['call']
  concurrency: number | 'auto'
  ndjson: boolean
}

/** What each row would do, read from the server; nothing is written. */
export async function dryRunImport(world: World, input: DryRunInput): Promise<unknown> {
  const [{checkFile, checkAssociates}, {knownDuplicates}, {planImport}, {Limiter}, {renderPlanLine}, {AssociateResolver}] = await Promise.all([
    import('../bulk/import-job.js'),
    import('../csv/reader.js'),
    import('../bulk/dry-run.js'),
    import('../bulk/limiter.js'),
    import('../output/import-summary.js'),
    import('../accounts/associates.js'),
  ])
  const {open, csv, email, concurrency, ndjson} = input
  const report = await checkFile(open, csv, true, (message) => note(world, `Warning: ${message}`))
  // Associates are resolved as the real run resolves them; refused ones make their rows invalid in the plan.
  const resolver = new AssociateResolver(input.archive)
  const associates = await checkAssociates(report, (refs) => input.call(() => resolver.resolveAll(refs)), true)
  const style = world.stdout.style
  const totals = await input.call(() =>
    planImport(open, csv, email, new Limiter(concurrency === 'auto' ? 8 : concurrency), (line) => {
      if (ndjson) world.stdout.write(`${JSON.stringify({type: 'plan', ...line})}\n`)
      else if (!world.json) world.stdout.write(`${renderPlanLine(line, style)}\n`)
    }, knownDuplicates(report), associates),
  )
  if (!world.json && !ndjson) log(world, `\n${style.bold('Plan:')} ${totals.create} to create, ${totals.update} to update, ${totals.unchanged} unchanged${totals.invalid ? `, ${totals.invalid} invalid` : ''}${totals.error ? `, ${totals.error} could not be read` : ''}. Nothing was changed.`)
  return {dryRun: true, totals}
}
