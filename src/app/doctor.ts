import {CliError, ExitCode} from '../errors.js'
import type {ConnectionFlagValues} from '../flags.js'
import {log, type World} from './world.js'

export type DoctorOptions = ConnectionFlagValues

/** Runs every check and prints the fix for each problem; fails unless all pass. */
export async function runDoctorCommand(opts: DoctorOptions, world: World): Promise<unknown> {
  const {runDoctor} = await import('../sessions/doctor.js')
  const checks = await runDoctor({profile: opts.profile, url: opts.url, apiVersion: opts['api-version']}, world.sessions, {
    timeoutMs: opts.timeout * 1000,
    caFile: opts['ca-file'],
    allowHttp: opts['allow-http'] ?? false,
    now: () => world.clock.now(),
  })
  const failed = checks.filter((c) => !c.ok)
  if (!world.json) {
    const style = world.stdout.style
    for (const c of checks) {
      const mark = c.skipped ? style.dim('-') : c.ok ? style.green('✓') : style.red('✗')
      log(world, `${mark} ${style.bold(c.name)}: ${c.detail}`)
      if (c.fix) log(world, `    ${style.yellow('fix:')} ${c.fix}`)
    }
  }
  if (failed.length > 0) {
    throw new CliError('DOCTOR_FAILED', failed[0]?.exitCode ?? ExitCode.UNEXPECTED, `${failed.length} of ${checks.length} checks failed: ${failed.map((c) => c.name).join(', ')}`, {details: {checks}})
  }
  return {checks}
}
