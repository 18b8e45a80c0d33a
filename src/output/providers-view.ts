import type {Detection, DetectedServer} from '../providers/detect.js'
import {formatServer} from '../providers/detect.js'
import type {PasswordVerdict} from '../providers/policy.js'
import type {ProviderPreset, ServerPreset, UserNameForm} from '../providers/presets.js'
import type {Style as BaseStyle} from './account-view.js'

type Style = BaseStyle & {yellow(s: string): string; red(s: string): string}

const SECURITY = {tls: 'implicit TLS', starttls: 'STARTTLS'} as const
const USER: Record<UserNameForm, string> = {address: 'the address', 'local-part': 'the part before the @', 'mailbox-user': 'a mailbox user from the provider'}
const AUTH = {password: 'password', 'app-password': 'app password', 'oauth-only': 'OAuth only (refused)', unreachable: 'not reachable'} as const

function preset(s: ServerPreset | undefined): string {
  return s ? `${s.host}:${s.port} ${SECURITY[s.security]}` : '-'
}

/** `soemail providers`: one block per preset. */
export function renderPresets(presets: readonly ProviderPreset[], style: Style): string {
  return presets
    .map((p) => {
      const user = p.incoming ? `, user name ${USER[p.incoming.userName]}` : ''
      const lines = [
        `${style.bold(p.name)}  ${p.label}${p.verified ? '' : style.yellow('  (unverified)')}`,
        `  IMAP ${preset(p.incoming)}   SMTP ${preset(p.outgoing)}`,
        `  ${AUTH[p.auth]}${user}. ${p.note}`,
      ]
      if (p.domains.length) lines.push(style.dim(`  domains: ${p.domains.join(', ')}`))
      if (p.mxSuffixes.length) lines.push(style.dim(`  MX: *.${p.mxSuffixes.join(', *.')}`))
      lines.push(style.dim(`  source: ${p.source}`))
      return lines.join('\n')
    })
    .join('\n\n')
}

function server(label: string, s: DetectedServer | undefined, style: Style): string {
  if (!s) return `  ${label}  ${style.dim('not found')}`
  const user = s.userName ? `, user name ${USER[s.userName]}` : ''
  return `  ${label}  ${formatServer(s)}  ${style.dim(`${SECURITY[s.security]}${user}`)}`
}

function verdict(v: PasswordVerdict, style: Style): string {
  if (v.action === 'allow') return '  Password account: fine (no known provider objects to a password)'
  if (v.action === 'warn') return `  Password account: ${style.yellow('warning')} ${v.message}`
  return `  Password account: ${style.red('refused')} ${v.message}\n  ${style.dim(v.hint)}`
}

/** `soemail providers detect`: what was found, from where, and what was tried on the way. */
export function renderDetection(d: Detection, policy: PasswordVerdict, style: Style): string {
  const lines = [`${style.bold(d.domain)}${d.provider ? `  ${d.provider}` : ''}${d.offline ? style.dim('  (offline: built-in table only)') : ''}`]
  lines.push(server('IMAP', d.incoming, style), server('SMTP', d.outgoing, style))
  if (d.note) lines.push(`  Note: ${d.note}`)
  if (d.mx.length) lines.push(`  MX: ${d.mx.join(', ')}`)
  // Nothing found and nothing known against it: a verdict would only say "fine" about nothing.
  if (d.incoming || d.outgoing || policy.action !== 'allow') lines.push(verdict(policy, style))
  lines.push('', style.dim('Tried:'))
  for (const a of d.attempts) lines.push(style.dim(`  ${a.source.padEnd(10)} ${a.asked}: ${a.outcome}`))
  return lines.join('\n')
}
