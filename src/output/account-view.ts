import {describeStatus} from '../accounts/health.js'
import {describeAssociate, type Associate} from '../accounts/associates.js'
import {accountValue} from '../accounts/merge.js'
import {ACCOUNT_FIELDS, type AccountField} from '../model/account-fields.js'
import type {AccountViewFields, ServerViewShape} from '../model/account-types.js'
import type {EMailAccount} from '../soap/account-model.js'
import {MASK} from '../soap/redact.js'

/** One side's credentials as shown: the carrier's members, the password masked. */
export type ServerView = ServerViewShape

/**
 * The account as --json shows it: stable camelCase names (the catalogue's view.json), passwords masked
 * unless asked for; lastFetch is null while the server reports it never fetched. Services88's members are
 * absent on 86/87 connections.
 */
export type AccountView = AccountViewFields & {
  imap: ServerView
  smtp: ServerView
  /** The owner as the server's user list has it, when it was looked up. */
  associate?: AssociateSummary
}

/** The owner in `account get --json` and the save result: who the associate id is. */
export interface AssociateSummary {
  id: number
  userName: string
  fullName: string
  email: string
  active: boolean
}

type ViewHolder = Record<string, string | number | null | undefined>

/** .NET's DateTime.MinValue, which WCF sends for a DateTime that was never set: LastFetch before any sync. */
export function neverFetched(value: string): boolean {
  return value.startsWith('0001-01-01')
}

/** Each field under its catalogue JSON name, a side's fields under imap/smtp; secrets masked unless asked for. */
export function accountView(account: EMailAccount, showSecrets = false, associate?: Associate): AccountView {
  const view: Record<string, unknown> = {}
  for (const field of ACCOUNT_FIELDS) {
    let value = accountValue(account, field)
    if (field.secret && value !== undefined && value !== '' && !showSecrets) value = MASK
    const holder = (field.side ? (view[field.side] ??= {}) : view) as ViewHolder
    holder[field.view.json] = field.type === 'datetime' && typeof value === 'string' && neverFetched(value) ? null : value
  }
  if (associate && associate.id === account.associateId) {
    view.associate = {id: associate.id, userName: associate.userName, fullName: associate.fullName, email: associate.email, active: associate.active}
  }
  return view as unknown as AccountView
}

export interface Style {
  bold(s: string): string
  dim(s: string): string
}

const viewValue = (view: AccountView, field: AccountField) =>
  ((field.side ? view[field.side] : view) as unknown as ViewHolder)[field.view.json]

const SIDE_PORT = Object.fromEntries(ACCOUNT_FIELDS.filter((f) => f.side && f.type === 'port').map((f) => [f.side, f]))

// The text view's lines: the catalogue's labelled fields, in their line order.
const LINES = ACCOUNT_FIELDS.filter((f) => f.view.label !== undefined).sort((a, b) => (a.view.line ?? a.index) - (b.view.line ?? b.index))

/** A readable summary for a terminal or a log: label, value, one line each. */
export function renderAccount(view: AccountView, style: Style): string {
  const dash = style.dim('-')
  const val = (v: string | number | null | undefined) => (v === undefined || v === null || v === '' ? dash : String(v))
  const lines: Array<[string, string]> = []
  for (const field of LINES) {
    const value = viewValue(view, field)
    // A later version's field is absent from an older version's account: no line rather than a dash.
    if (field.since !== undefined && value === undefined) continue
    if (field.type === 'switch') lines.push([field.view.label as string, value === 1 ? 'on' : value === 0 ? 'off' : val(value)])
    else if (field.type === 'datetime') lines.push([field.view.label as string, value === null ? 'never' : val(value)])
    else if (field.role === 'key') lines.push([field.view.label as string, value ? String(value) : style.dim('(new)')])
    // A server is shown with its port, as host:port.
    else if (field.type === 'host') lines.push([field.view.label as string, value ? `${value}:${val(viewValue(view, SIDE_PORT[field.side as string] as AccountField))}` : dash])
    else if (field.type === 'associate' && view.associate) lines.push([field.view.label as string, describeAssociate(view.associate)])
    else if (field.name === 'account_status') {
      if (value !== undefined) lines.push([field.view.label as string, `${describeStatus(value as number)}${view.errorCount ? `; ${view.errorCount} errors in a row, the last: ${view.errorReason ?? ''}` : ''}`])
    } else if (field.input === 'authType') {
      // Free text the server keeps (DOMAIN.md); empty means none was set, not that something failed.
      lines.push([field.view.label as string, value === undefined || value === '' ? style.dim('not set') : String(value)])
    } else lines.push([field.view.label as string, val(value)])
  }
  const width = Math.max(...lines.map(([label]) => label.length))
  return lines.map(([label, value]) => `${style.bold(label.padEnd(width))}  ${value}`).join('\n')
}
