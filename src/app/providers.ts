import {CliError, ExitCode, UsageError} from '../errors.js'
import {log, type World} from './world.js'

export interface ProvidersDetectOptions {
  target: string
  offline?: boolean
  'ca-file'?: string
  'allow-password-auth'?: boolean
}

/** `soemail providers`: the built-in presets. */
export async function runProviders(world: World): Promise<unknown> {
  const {PRESETS} = await import('../providers/presets.js')
  if (!world.json) {
    const {renderPresets} = await import('../output/providers-view.js')
    log(world, renderPresets(PRESETS, world.stdout.style))
  }
  return {providers: PRESETS}
}

/**
 * `soemail providers detect`: what detection finds for an address or domain and which source answered,
 * with the password policy's verdict. Exit 0 when both servers are found, 3 otherwise (the report is
 * still shown, and is in the error's details under --json).
 */
export async function runProvidersDetect(opts: ProvidersDetectOptions, world: World): Promise<unknown> {
  const [{createDetector, detectorOptionsFromEnv, domainOf}, {passwordPolicy}] = await Promise.all([import('../providers/detect.js'), import('../providers/policy.js')])
  const domain = domainOf(opts.target)
  if (!domain) throw new UsageError(`"${opts.target}" is not an e-mail address or a domain`, {hint: 'Give an address such as ola@example.no, or a domain such as example.no.'})
  const detector = createDetector({...detectorOptionsFromEnv(world.env), offline: opts.offline ?? false, caFile: opts['ca-file']})
  const detection = await detector.detect(opts.target)
  const servers = {incoming: detection.incoming && `${detection.incoming.host}:${detection.incoming.port}`, outgoing: detection.outgoing && `${detection.outgoing.host}:${detection.outgoing.port}`}
  const policy = passwordPolicy(servers, detection.mx, {allowPasswordAuth: opts['allow-password-auth']})
  if (!world.json) {
    const {renderDetection} = await import('../output/providers-view.js')
    log(world, renderDetection(detection, policy, world.stdout.style))
  }
  const result = {detection, policy}
  if (!detection.complete) {
    const missing = [detection.incoming ? undefined : 'IMAP', detection.outgoing ? undefined : 'SMTP'].filter(Boolean).join(' and ')
    throw new CliError('NOT_DETECTED', ExitCode.VALIDATION, `no ${missing} server found for ${domain}${opts.offline ? ' in the built-in table (--offline)' : ''}`, {
      hint: opts.offline ? 'Run without --offline to ask DNS, autoconfig and the ISPDB too, or give the servers yourself.' : 'Give the servers yourself (--imap-server, --smtp-server), or choose a preset with --provider (soemail providers lists them).',
      details: result,
    })
  }
  return result
}
