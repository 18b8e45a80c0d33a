import {DEFAULT_API_VERSION, isApiVersion, type ApiVersion} from '../soap/versions.js'
import {AuthError, UsageError} from '../errors.js'

/** Where a setting came from; `status` shows it, never the value of a secret. */
export type SettingSource = 'flag' | 'stdin' | 'env' | 'profile' | 'keychain' | 'file' | 'default'

export interface Resolved<T> {
  value: T
  source: SettingSource
}

/** What a stored profile can contribute; the sessions layer implements it. */
export interface ProfileSettings {
  name: string
  url?: string
  apiVersion?: string
  ticket?: Resolved<string>
  appToken?: Resolved<string>
}

export interface ConnectionFlags {
  url?: string
  ticket?: string
  appToken?: string
  apiVersion?: string
}

export interface ConnectionSettings {
  url?: Resolved<string>
  ticket?: Resolved<string>
  appToken?: Resolved<string>
  apiVersion: Resolved<ApiVersion>
  profile?: string
}

export const ENV = {
  url: 'SOEMAIL_URL',
  ticket: 'SOEMAIL_TICKET',
  appToken: 'SOEMAIL_APP_TOKEN',
  profile: 'SOEMAIL_PROFILE',
  apiVersion: 'SOEMAIL_API_VERSION',
} as const

/** flag (or stdin) > environment > profile > default, for each setting on its own. */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, stdinTicket?: string, profile?: ProfileSettings): ConnectionSettings {
  const pick = (flag: string | undefined, envName: string, fromProfile: Resolved<string> | undefined): Resolved<string> | undefined => {
    if (flag !== undefined && flag !== '') return {value: flag, source: 'flag'}
    const fromEnv = env[envName]
    if (fromEnv !== undefined && fromEnv !== '') return {value: fromEnv, source: 'env'}
    return fromProfile
  }
  const version = pick(flags.apiVersion, ENV.apiVersion, profile?.apiVersion ? {value: profile.apiVersion, source: 'profile'} : undefined)
  if (version && !isApiVersion(version.value)) {
    const where = version.source === 'env' ? ENV.apiVersion : version.source === 'profile' ? `profile ${profile?.name}` : '--api-version'
    throw new UsageError(`${where} is "${version.value}"; expected 86, 87 or 88`)
  }
  return {
    url: pick(flags.url, ENV.url, profile?.url ? {value: profile.url, source: 'profile'} : undefined),
    ticket: stdinTicket !== undefined ? {value: stdinTicket, source: 'stdin'} : pick(flags.ticket, ENV.ticket, profile?.ticket),
    appToken: pick(flags.appToken, ENV.appToken, profile?.appToken),
    apiVersion: version ? {value: version.value as ApiVersion, source: version.source} : {value: DEFAULT_API_VERSION, source: 'default'},
    profile: profile?.name,
  }
}

/** The settings a call needs, or an error naming every way to provide the missing ones. */
export function requireConnection(s: ConnectionSettings, profile = 'default'): {url: string; ticket: string; appToken?: string; apiVersion: ApiVersion} {
  const login = `soemail login${profile === 'default' ? '' : ` --profile ${profile}`}`
  if (!s.url) {
    throw new UsageError(`no NetServer URL: pass --url, set ${ENV.url}, or run ${login}`, {hint: 'For example --url https://crm.example.com/SuperOffice, or start a local stand-in with soemail sandbox.'})
  }
  if (!s.ticket) {
    throw new AuthError('AUTH_REQUIRED', `not logged in: no ticket for profile ${profile}`, {
      hint: `Run ${login}, or pass a ticket with --ticket-stdin or ${ENV.ticket} (or --ticket, which other users of this machine can see).`,
    })
  }
  return {url: s.url.value, ticket: s.ticket.value, appToken: s.appToken?.value, apiVersion: s.apiVersion.value}
}
