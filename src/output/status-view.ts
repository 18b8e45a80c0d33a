import type {ProfileStatus, SecretView, SettingView, StatusReport} from '../sessions/status.js'
import type {Style} from './account-view.js'

const SOURCE_TEXT: Record<string, string> = {
  flag: 'flag',
  stdin: 'standard input',
  env: 'environment',
  profile: 'profile',
  keychain: 'keychain',
  file: 'insecure file',
  default: 'default',
}

function setting(s: SettingView, style: Style): string {
  return s.value === undefined ? style.dim('not set') : `${s.value} ${style.dim(`(${SOURCE_TEXT[s.source] ?? s.source})`)}`
}

function secret(s: SecretView, style: Style): string {
  if (s.problem) return `${SOURCE_TEXT[s.source] ?? s.source}: ${s.problem}`
  if (s.source === 'none') return style.dim('none')
  return `from ${SOURCE_TEXT[s.source] ?? s.source}${s.storedIn ? ` ${style.dim(`(${s.storedIn})`)}` : ''}`
}

export function formatAge(seconds: number): string {
  if (seconds < 90) return `${seconds} s ago`
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`
  return `${Math.round(seconds / 86_400)} days ago`
}

function profileBlock(p: ProfileStatus, style: Style): string {
  const who = p.associateName ? `${p.associateName} (${p.userName ?? '?'}, associate ${p.associateId ?? '?'})` : (p.userName ?? style.dim('unknown'))
  const lines: Array<[string, string]> = [
    ['URL', setting(p.url, style)],
    ['User', p.loggedIn ? who : style.dim('not logged in')],
    ['API version', setting(p.apiVersion, style)],
    ['Logged in', p.loginAt ? `${p.loginAt}${p.ageSeconds === undefined ? '' : ` (${formatAge(p.ageSeconds)})`}` : style.dim('never')],
    ['Ticket', secret(p.ticket, style)],
    ['App token', secret(p.appToken, style)],
  ]
  const width = Math.max(...lines.map(([l]) => l.length))
  const head = style.bold(`Profile ${p.profile}${p.active ? ' (active)' : ''}${p.kind ? `, ${p.kind} login` : ''}`)
  return [head, ...lines.map(([l, v]) => `  ${l.padEnd(width)}  ${v}`)].join('\n')
}

export function renderStatus(report: StatusReport, style: Style, check?: {ok: boolean}): string {
  const blocks = report.profiles.map((p) => profileBlock(p, style))
  if (check) blocks.push(check.ok ? 'Ticket check: the server accepted the ticket.' : 'Ticket check: failed.')
  return blocks.join('\n\n')
}
