import type {EMailAccount} from '../soap/account-model.js'
import type {AccountVerification} from './verify.js'

/** EmailAccountStatus (DOMAIN.md): what sync last made of the account. */
export const ACCOUNT_STATUS_NAMES: Readonly<Record<number, string>> = {0: 'Unknown', 1: 'Deleted', 2: 'Failing', 3: 'Failed', 4: 'Ok'}

/** Failing and Failed stop or slow the user's Inbox; Deleted no longer syncs at all. Unknown is a new account not yet fetched. */
const ATTENTION_STATUSES = new Set([1, 2, 3])

export function statusName(status: number | undefined): string {
  return ACCOUNT_STATUS_NAMES[status ?? 0] ?? `Status ${status}`
}

// What each status means for the user's Inbox, so that a new account's "Unknown" does not read as a failure.
const STATUS_MEANINGS: Readonly<Record<number, string>> = {
  0: 'not fetched yet: Inbox has not synced it',
  1: 'it no longer syncs',
  2: 'recent fetches failed; sync keeps trying',
  3: 'sync has stopped; save working credentials to start it again',
  4: 'fetching works',
}

/** "Unknown (not fetched yet: Inbox has not synced it)": the name and what it means. */
export function describeStatus(status: number | undefined): string {
  const meaning = STATUS_MEANINGS[status ?? 0]
  return meaning ? `${statusName(status)} (${meaning})` : statusName(status)
}

export interface AccountHealth {
  id: number
  email?: string
  associateId?: number
  /** Undefined when the account could not be read (`error` says why). */
  status?: string
  statusCode?: number
  errorCount?: number
  errorReason?: string
  /** A fresh login test through the server (only with --verify). */
  verify?: AccountVerification
  /** Why it could not be read, e.g. not found. */
  error?: string
  attention: boolean
  /** In words: why it needs attention (empty when it does not). */
  why: string[]
}

export function accountHealth(id: number, account: EMailAccount | undefined, error?: string, verify?: AccountVerification): AccountHealth {
  if (!account) return {id, error: error ?? 'there is no e-mail account with this id', attention: true, why: [error ?? 'not found']}
  const code = account.accountStatus ?? 0
  const why: string[] = []
  if (ATTENTION_STATUSES.has(code)) why.push(`status ${statusName(code)}${account.errorReason ? `: ${account.errorReason}` : ''}`)
  if (verify && !verify.ok) for (const side of [verify.incoming, verify.outgoing]) if (!side.ok && side.reason) why.push(side.reason)
  return {
    id,
    email: account.emailAddress,
    associateId: account.associateId,
    status: statusName(code),
    statusCode: code,
    errorCount: account.errorCount ?? 0,
    errorReason: account.errorReason ?? '',
    ...(verify ? {verify} : {}),
    attention: why.length > 0,
    why,
  }
}
