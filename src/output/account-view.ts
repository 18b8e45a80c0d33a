import type {EMailAccount, ServiceAuth} from '../soap/account-model.js'
import {MASK} from '../soap/redact.js'

export interface ServerView {
  serviceAuthId?: number
  server?: string
  port?: number
  authType?: string
  username?: string
  password?: string
}

/** The account as --json shows it: stable camelCase names, passwords masked unless asked for. */
export interface AccountView {
  id?: number
  email?: string
  associateId?: number
  imap: ServerView
  smtp: ServerView
  accountStatus?: number
  errorCount?: number
  errorReason?: string
}

export function accountView(account: EMailAccount, showSecrets = false): AccountView {
  const side = (auth: ServiceAuth | undefined): ServerView => ({
    serviceAuthId: auth?.serviceAuthId,
    server: auth?.server,
    port: auth?.port,
    authType: auth?.authType,
    username: auth?.username,
    password: auth?.password === undefined || auth.password === '' ? auth?.password : showSecrets ? auth.password : MASK,
  })
  return {
    id: account.emailAccountId,
    email: account.emailAddress,
    associateId: account.associateId,
    imap: side(account.incoming),
    smtp: side(account.outgoing),
    accountStatus: account.accountStatus,
    errorCount: account.errorCount,
    errorReason: account.errorReason,
  }
}

export interface Style {
  bold(s: string): string
  dim(s: string): string
}

// EmailAccountStatus (FACTS.md §4.3).
const STATUS_NAMES: Record<number, string> = {0: 'unknown', 1: 'deleted', 2: 'failing', 3: 'failed', 4: 'ok'}

/** A readable summary for a terminal or a log: label, value, one line each. */
export function renderAccount(view: AccountView, style: Style): string {
  const dash = style.dim('-')
  const val = (v: string | number | undefined) => (v === undefined || v === '' ? dash : String(v))
  const serverLine = (s: ServerView) => (s.server ? `${s.server}:${val(s.port)}` : dash)
  const lines: Array<[string, string]> = [
    ['Account', view.id ? String(view.id) : style.dim('(new)')],
    ['E-mail', val(view.email)],
    ['Associate', val(view.associateId)],
    ['IMAP server', serverLine(view.imap)],
    ['IMAP user', val(view.imap.username)],
    ['IMAP auth', val(view.imap.authType)],
    ['IMAP password', val(view.imap.password)],
    ['SMTP server', serverLine(view.smtp)],
    ['SMTP user', val(view.smtp.username)],
    ['SMTP auth', val(view.smtp.authType)],
    ['SMTP password', val(view.smtp.password)],
  ]
  if (view.accountStatus !== undefined) lines.push(['Status', `${STATUS_NAMES[view.accountStatus] ?? view.accountStatus}${view.errorCount ? ` (${view.errorCount} errors: ${view.errorReason ?? ''})` : ''}`])
  const width = Math.max(...lines.map(([label]) => label.length))
  return lines.map(([label, value]) => `${style.bold(label.padEnd(width))}  ${value}`).join('\n')
}
