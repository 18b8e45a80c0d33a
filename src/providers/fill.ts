import type {AccountInput, ServerInput} from '../accounts/input.js'
import {CliError, ExitCode, UsageError} from '../errors.js'
import type {Detection, DetectedServer, DetectionSource} from './detect.js'
import {formatServer, userNameFor} from './names.js'
import type {PasswordVerdict} from './policy.js'
import {PRESET_NAMES, presetByName, type ProviderPreset, type ServerPreset} from './presets.js'

/**
 * The seam between detection and the account commands: what to put in an AccountInput's empty server
 * fields, and the errors for --provider and the password policy. Given values always win.
 */
export interface ServerSuggestion {
  host: string
  port: number
  /** Undefined when the provider assigns the user name (Domeneshop's mailbox users). */
  username?: string
  source: DetectionSource
  /** e.g. "imap.example.no:993 (from SRV _imaps._tcp)", for the dry-run plan and the prompt. */
  shown: string
}

export interface Suggestions {
  imap?: ServerSuggestion
  smtp?: ServerSuggestion
  provider?: string
}

export interface FilledField {
  /** The catalogue's flag name: imap-server, imap-port, imap-username, smtp-… */
  field: string
  value: string | number
  shown: string
}

function suggestion(s: DetectedServer | undefined, email: string): ServerSuggestion | undefined {
  return s && {host: s.host, port: s.port, username: userNameFor(s.userName, email), source: s.source, shown: formatServer(s)}
}

export function suggestionsFromDetection(d: Detection, email: string): Suggestions {
  return {imap: suggestion(d.incoming, email), smtp: suggestion(d.outgoing, email), provider: d.provider}
}

/** --provider NAME / the CSV provider column: the preset's servers, labelled "from --provider NAME". */
export function suggestionsFromPreset(preset: ProviderPreset, email: string): Suggestions {
  const side = (s: ServerPreset | undefined) => s && suggestion({...s, source: 'preset', from: `--provider ${preset.name}`}, email)
  return {imap: side(preset.incoming), smtp: side(preset.outgoing), provider: preset.name}
}

/**
 * Fills the empty server fields of `input` in place and says what it filled. A side whose server was
 * given keeps it; its port and user name are filled only when the given server is the suggested host
 * (another host's port would be a guess).
 */
export function fillServers(input: AccountInput, suggestions: Suggestions): FilledField[] {
  const filled: FilledField[] = []
  for (const side of ['imap', 'smtp'] as const) {
    const s = suggestions[side]
    if (!s) continue
    const given: ServerInput = input[side]
    if (given.server !== undefined && given.server.trim().toLowerCase() !== s.host) continue
    if (given.server === undefined) {
      given.server = s.host
      filled.push({field: `${side}-server`, value: s.host, shown: s.shown})
    }
    if (given.port === undefined) {
      given.port = s.port
      filled.push({field: `${side}-port`, value: s.port, shown: s.shown})
    }
    if (given.username === undefined && s.username !== undefined) {
      given.username = s.username
      filled.push({field: `${side}-username`, value: s.username, shown: s.shown})
    }
  }
  return filled
}

/** --provider's value, or a usage error that lists the names. */
export function requirePreset(name: string): ProviderPreset {
  const preset = presetByName(name)
  if (!preset) throw new UsageError(`unknown provider "${name}"`, {hint: `Use one of: ${PRESET_NAMES.join(', ')} (soemail providers shows their servers).`})
  if (!preset.incoming || !preset.outgoing) throw new UsageError(`provider "${preset.name}" has no IMAP/SMTP server soemail can use: ${preset.note}`)
  return preset
}

/** A refusal as the error save exits with (3, a row error in an import); undefined when not refused. */
export function policyError(verdict: PasswordVerdict): CliError | undefined {
  if (verdict.action !== 'refuse') return undefined
  return new CliError(verdict.code, ExitCode.VALIDATION, verdict.message, {hint: verdict.hint, details: {provider: verdict.provider}})
}
