import type {EMailAccount} from '../soap/account-model.js'
import {ACCOUNT_FIELDS, CREDENTIALS, fieldByName, SETTINGS, type AccountField, type Side} from '../model/account-fields.js'
import {inputValue, type AccountInput, type InputValue} from './input.js'

const CREDENTIALS_KEY = Object.fromEntries(CREDENTIALS.map((c) => [c.side, c.key])) as Record<Side, 'incoming' | 'outgoing'>

/** A field's value in a stored account (EMailAccount, or its side's ServiceAuth). */
export function accountValue(account: EMailAccount, field: AccountField): InputValue {
  const holder = (field.side ? account[CREDENTIALS_KEY[field.side]] : account) as Record<string, InputValue> | undefined
  return holder?.[field.wire.key]
}

function setAccountValue(account: EMailAccount, field: AccountField, value: InputValue): void {
  let holder = account as Record<string, unknown>
  if (field.side) {
    const key = CREDENTIALS_KEY[field.side]
    account[key] ??= {}
    holder = account[key] as Record<string, unknown>
  }
  holder[field.wire.key] = value
}

// Settings a create fills in, and the fields it must send as 0 (a new account, new credentials).
const CREATE_FIELDS = ACCOUNT_FIELDS.filter((f) => f.role === 'setting' || f.createDefault !== undefined)

/** A new account from input; unset fields take the catalogue's create defaults (user names the address, ports 993/587). */
export function accountForCreate(input: AccountInput): EMailAccount {
  const account: EMailAccount = {}
  for (const field of CREATE_FIELDS) {
    let value = field.role === 'setting' ? inputValue(input, field) : undefined
    const fallback = field.createDefault
    if (value === undefined && fallback !== undefined) value = typeof fallback === 'number' ? fallback : inputValue(input, fieldByName(fallback.from))
    setAccountValue(account, field, value)
  }
  return account
}

/** The stored account with only the given fields changed, so an update never wipes what was not mentioned. */
export function mergeAccount(current: EMailAccount, input: AccountInput): EMailAccount {
  const merged: EMailAccount = {...current}
  for (const c of CREDENTIALS) merged[c.key] = {...current[c.key]}
  for (const field of SETTINGS) {
    const value = inputValue(input, field)
    if (value !== undefined) setAccountValue(merged, field, value)
  }
  return merged
}

export interface FieldChange {
  /** The field's flag name without dashes: email, associate, imap-port. */
  field: string
  from?: string | number
  to?: string | number
  secret?: boolean
}

/** What differs between two accounts, in user terms; secrets are reported as changed, never shown. */
export function diffAccounts(before: EMailAccount, after: EMailAccount): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of SETTINGS) {
    const from = accountValue(before, field)
    const to = accountValue(after, field)
    if (from === to) continue
    const name = field.flag ?? field.name
    changes.push(field.secret ? {field: name, secret: true} : {field: name, from, to})
  }
  return changes
}
