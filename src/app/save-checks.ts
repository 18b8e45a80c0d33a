import type {AccountInput} from '../accounts/input.js'
import type {SaveCheckOptions, SaveChecks} from '../accounts/save-checks.js'
import {UsageError} from '../errors.js'
import {parseSwitch} from '../model/account-fields.js'
import type {Detector} from '../providers/detect.js'
import type {FilledField, Suggestions} from '../providers/fill.js'
import type {EMailService} from '../soap/email-service.js'
import {note, type World} from './world.js'

/** The flags of src/flags.ts saveCheckFlags, as a run function gets them. */
export interface SaveCheckFlagValues {
  verify?: boolean
  'save-unverified'?: boolean
  'allow-password-auth'?: boolean
  offline?: boolean
  provider?: string
  'ca-file'?: string
}

/** The environment variables that set the checks' defaults (a flag given wins). */
export const CHECK_ENV = {verify: 'SOEMAIL_VERIFY', offline: 'SOEMAIL_OFFLINE'} as const

function envSwitch(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const text = env[name]
  if (text === undefined || text.trim() === '') return undefined
  const value = parseSwitch(text.trim())
  if (value === undefined) throw new UsageError(`${name} is "${text}"; use on or off (yes/no, true/false, 1/0)`, {hint: `Unset ${name} to use the default.`})
  return value === 1
}

export function saveCheckOptions(opts: SaveCheckFlagValues, env: NodeJS.ProcessEnv): SaveCheckOptions {
  return {
    verify: opts.verify ?? envSwitch(env, CHECK_ENV.verify) ?? true,
    saveUnverified: opts['save-unverified'] ?? false,
    allowPasswordAuth: opts['allow-password-auth'] ?? false,
    offline: opts.offline || (envSwitch(env, CHECK_ENV.offline) ?? false),
  }
}

/** The run's detector and checks: one of each per command, so their per-domain caches are the run's. */
export interface CheckKit {
  options: SaveCheckOptions
  detector: Detector
  checks: SaveChecks
}

export async function openCheckKit(opts: SaveCheckFlagValues, world: World, email: EMailService, detector?: Detector): Promise<CheckKit> {
  const options = saveCheckOptions(opts, world.env)
  detector ??= await openDetector(opts, world, options.offline)
  const {SaveChecks} = await import('../accounts/save-checks.js')
  return {options, detector, checks: new SaveChecks(email, options, detector)}
}

/** The run's detector, its module loaded at the first lookup: a save with its servers given and --offline never loads it. */
export async function openDetector(opts: SaveCheckFlagValues, world: World, offline: boolean): Promise<Detector> {
  let made: Promise<Detector> | undefined
  const detector = () =>
    (made ??= import('../providers/detect.js').then(({createDetector, detectorOptionsFromEnv}) => createDetector({...detectorOptionsFromEnv(world.env), offline, caFile: opts['ca-file']})))
  return {detect: async (target) => (await detector()).detect(target), mx: async (target) => (await detector()).mx(target)}
}

/**
 * The servers an input lacks, from --provider or else (for a create) detected from its address. Given
 * values always win. Says on stderr what it filled and where from.
 */
export async function fillMissingServers(input: AccountInput, opts: SaveCheckFlagValues, world: World, detector: Detector, creating: boolean): Promise<FilledField[]> {
  const suggestions = await serverSuggestions(input, opts, detector, creating)
  if (!suggestions) return []
  const {fillServers} = await import('../providers/fill.js')
  const filled = fillServers(input, suggestions)
  for (const f of filled.filter((f) => f.field.endsWith('-server'))) note(world, `${f.field === 'imap-server' ? 'IMAP' : 'SMTP'} server ${f.shown}`)
  return filled
}

/** What --provider or detection suggests for the input's address; undefined when nothing is to be filled. */
export async function serverSuggestions(input: AccountInput, opts: SaveCheckFlagValues, detector: Detector, creating: boolean): Promise<Suggestions | undefined> {
  const lacking = input.imap.server === undefined || input.smtp.server === undefined
  // Decided before anything is loaded: a save with its servers given never loads detection.
  if (opts.provider === undefined && (!creating || !lacking || !input.email)) return undefined
  const {requirePreset, suggestionsFromDetection, suggestionsFromPreset} = await import('../providers/fill.js')
  if (opts.provider !== undefined) return suggestionsFromPreset(requirePreset(opts.provider), input.email ?? '')
  return suggestionsFromDetection(await detector.detect(input.email!), input.email!)
}
