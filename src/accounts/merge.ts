import type {EMailAccount, ServiceAuth} from '../soap/account-model.js'
import {DEFAULT_PORTS, SERVER_KEYS, SIDES, type AccountInput, type Side} from './input.js'

const SIDE_KEY: Record<Side, 'incoming' | 'outgoing'> = {imap: 'incoming', smtp: 'outgoing'}

/** A new account from input; unset usernames default to the e-mail address, ports to 993/587. */
export function accountForCreate(input: AccountInput): EMailAccount {
  const account: EMailAccount = {emailAccountId: 0, emailAddress: input.email, associateId: input.associateId}
  for (const side of SIDES) {
    const s = input[side]
    account[SIDE_KEY[side]] = {serviceAuthId: 0, server: s.server, port: s.port ?? DEFAULT_PORTS[side], authType: s.authType, username: s.username ?? input.email, password: s.password}
  }
  return account
}

/** The stored account with only the given fields changed, so an update never wipes what was not mentioned. */
export function mergeAccount(current: EMailAccount, input: AccountInput): EMailAccount {
  const merged: EMailAccount = {...current}
  if (input.email !== undefined) merged.emailAddress = input.email
  if (input.associateId !== undefined) merged.associateId = input.associateId
  for (const side of SIDES) {
    const key = SIDE_KEY[side]
    const auth: ServiceAuth = {...current[key]}
    for (const k of SERVER_KEYS) {
      const value = input[side][k]
      if (value !== undefined) (auth as Record<string, unknown>)[k] = value
    }
    merged[key] = auth
  }
  return merged
}

export interface FieldChange {
  field: string
  from?: string | number
  to?: string | number
  secret?: boolean
}

/** What differs between two accounts, in user terms; secrets are reported as changed, never shown. */
export function diffAccounts(before: EMailAccount, after: EMailAccount): FieldChange[] {
  const changes: FieldChange[] = []
  if (before.emailAddress !== after.emailAddress) changes.push({field: 'email', from: before.emailAddress, to: after.emailAddress})
  if (before.associateId !== after.associateId) changes.push({field: 'associate', from: before.associateId, to: after.associateId})
  for (const side of SIDES) {
    const b = before[SIDE_KEY[side]] ?? {}
    const a = after[SIDE_KEY[side]] ?? {}
    for (const k of SERVER_KEYS) {
      if (b[k] === a[k]) continue
      const field = `${side}-${k === 'authType' ? 'auth-type' : k}`
      changes.push(k === 'password' ? {field, secret: true} : {field, from: b[k], to: a[k]})
    }
  }
  return changes
}
