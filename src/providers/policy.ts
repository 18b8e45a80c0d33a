import {presetByMx, presetByServer, PRESETS, type ProviderPreset} from './presets.js'

/**
 * Whether a password account makes sense for these servers and this domain (DOMAIN.md "Microsoft 365:
 * OAuth only"): Microsoft 365 (and Outlook.com) is refused, because SuperOffice connects it only through
 * the user's "Sign in with Microsoft"; providers that need an app password get a warning.
 */
export interface PolicyServers {
  /** IMAP server, "host" or "host:port". */
  incoming?: string
  /** SMTP server, "host" or "host:port". */
  outgoing?: string
}

export type PasswordVerdict =
  | {action: 'allow'}
  | {action: 'warn'; provider: string; message: string}
  | {action: 'refuse'; provider: string; code: 'OAUTH_ONLY'; message: string; hint: string}

/** The flag that turns a refusal into a warning; the integrator declares it on save and import. */
export const ALLOW_PASSWORD_AUTH_FLAG = '--allow-password-auth'

export interface PolicyOptions {
  /** --allow-password-auth: for Microsoft 365 tenants that still accept basic authentication. */
  allowPasswordAuth?: boolean
}

/**
 * `mx`: the address domain's MX hosts (Detector.mx), so a custom domain on Microsoft 365 is recognised
 * even when the servers given are Microsoft's under another name or not given yet.
 */
export function passwordPolicy(servers: PolicyServers, mx: readonly string[] = [], options: PolicyOptions = {}): PasswordVerdict {
  const byServer = [['IMAP', servers.incoming], ['SMTP', servers.outgoing]]
    .filter((e): e is [string, string] => Boolean(e[1]))
    .map(([side, server]) => ({subject: `the ${side} server ${server}`, preset: presetByServer(server)}))
  const byMx = mx.map((host) => ({subject: `the domain's MX host ${host}`, preset: presetByMx(host)}))
  const matches = [...byServer, ...byMx].filter((m): m is {subject: string; preset: ProviderPreset} => m.preset !== undefined)

  const oauth = matches.find((m) => m.preset.auth === 'oauth-only')
  if (oauth) {
    const message = `${oauth.subject} is ${oauth.preset.label}'s: ${oauth.preset.label} accepts only OAuth ("Sign in with Microsoft") in SuperOffice, not a password: Microsoft has turned basic authentication off, so a password account there would never sync.`
    if (options.allowPasswordAuth) return {action: 'warn', provider: oauth.preset.name, message: `${message} Saving it anyway (${ALLOW_PASSWORD_AUTH_FLAG}).`}
    return {
      action: 'refuse',
      provider: oauth.preset.name,
      code: 'OAUTH_ONLY',
      message,
      hint: `Ask the user to connect the mailbox in SuperOffice Inbox with "Sign in with Microsoft". If the tenant still allows basic authentication for IMAP/SMTP, or the mailbox lives on another server behind Microsoft's mail filtering, pass ${ALLOW_PASSWORD_AUTH_FLAG}.`,
    }
  }
  const app = matches.find((m) => m.preset.auth === 'app-password')
  if (app) return {action: 'warn', provider: app.preset.name, message: `${app.subject} is ${app.preset.label}'s: ${app.preset.note}`}
  return {action: 'allow'}
}

/** Every preset that refuses passwords, for help text and tests. */
export const OAUTH_ONLY_PRESETS: readonly string[] = PRESETS.filter((p) => p.auth === 'oauth-only').map((p) => p.name)
