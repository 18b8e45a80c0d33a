import type {EMailAccount} from '../soap/account-model.js'
import type {XmlFields} from '../soap/envelope.js'
import {userById} from './users.js'

/** EmailAccountStatus (DOMAIN.md): 0 Unknown, 1 Deleted, 2 Failing, 3 Failed, 4 Ok. */
export const ACCOUNT_STATUS = {unknown: 0, deleted: 1, failing: 2, failed: 3, ok: 4} as const

/**
 * The statuses GetReadySyncEmailAccounts leaves out. NetServer documents the list only as the accounts
 * "that should be synced"; the sandbox's reading (an inference, DOMAIN.md) is that a deleted account is
 * not synced, and neither is one whose sync gave up (Failed, until its credentials are saved again).
 * New accounts (Unknown), Failing and Ok ones are listed: a client that finds accounts through this list
 * must expect to miss exactly the left-out kinds.
 */
export const NOT_READY_TO_SYNC: ReadonlySet<number> = new Set([ACCOUNT_STATUS.deleted, ACCOUNT_STATUS.failed])

export function isReadyToSync(account: EMailAccount): boolean {
  return !NOT_READY_TO_SYNC.has(account.accountStatus ?? ACCOUNT_STATUS.unknown)
}

/**
 * The SyncUserAccount members (after the Carrier base) of every listed account, in id order, across all
 * associates: AccountId, AssociateName (the owner's user name; nil for an associate the sandbox has no
 * user for, as a join to a missing row would give), AssociateId.
 */
export function readySyncAccounts(accounts: readonly EMailAccount[]): XmlFields[] {
  return accounts.filter(isReadyToSync).map((a) => [
    ['AccountId', a.emailAccountId ?? 0],
    ['AssociateName', userById(a.associateId ?? 0)?.userName],
    ['AssociateId', a.associateId ?? 0],
  ])
}
