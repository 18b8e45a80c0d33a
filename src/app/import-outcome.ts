import {CliError, ExitCode, InterruptedError} from '../errors.js'
import type {ImportSummary} from '../bulk/import-job.js'
import {log, note, type World} from './world.js'

/** Prints the summary and turns a stopped run or failed rows into the exit code they mean. */
export async function finishImport(world: World, summary: ImportSummary, options: {resumeCommand: string; ndjson: boolean}): Promise<unknown> {
  const {renderImportSummary} = await import('../output/import-summary.js')
  const resume = options.resumeCommand
  const result = {...summary, resumeCommand: summary.stopped || summary.counts.failed > 0 ? resume : undefined}
  if (options.ndjson) world.stdout.write(`${JSON.stringify({type: 'summary', ...result})}\n`)
  else if (!world.json) log(world, renderImportSummary(summary, world.stdout.style))
  if (summary.stopped) {
    const {reason, message} = summary.stopped
    note(world, world.stderr.style.dim(`Resume with:\n  ${resume}`))
    if (reason === 'interrupted') throw new InterruptedError(`interrupted after ${summary.tried + summary.earlier} of ${summary.rows} rows; ${summary.notTried} were not tried`, {details: result})
    if (reason === 'auth') throw new CliError('TICKET_REJECTED', ExitCode.AUTH, `the run stopped: ${message}`, {hint: `Log in again (soemail login), then: ${resume}`, details: result})
    throw new CliError('RUN_STOPPED', ExitCode.SERVER, `the run stopped: ${message}`, {hint: `Fix the cause, then: ${resume}`, details: result})
  }
  const bad = summary.counts.failed + summary.counts.unknown + summary.counts.invalid + summary.counts['verify-failed']
  if (bad > 0) {
    throw new CliError('PARTIAL', ExitCode.PARTIAL, `${bad} of ${summary.rows} rows did not succeed (${summary.counts.failed} failed, ${summary.counts.unknown} unknown, ${summary.counts.invalid} invalid${summary.counts['verify-failed'] ? `, ${summary.counts['verify-failed']} verify-failed` : ''}); see ${summary.files.results}`, {
      hint: summary.counts.unknown > 0 ? `A row stays unknown only when its account could not be looked up (the error column says why); ${resume} looks them up again and retries failed rows.` : `Fix the causes, then retry the failed rows with: ${resume}`,
      details: result,
    })
  }
  return result
}
