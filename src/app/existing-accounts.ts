import type {AccountIndex, AccountIndexOptions} from '../accounts/account-index.js'
import type {EMailService} from '../soap/email-service.js'
import type {World} from './world.js'

/**
 * Builds the index of existing accounts for one run (see src/accounts/account-index.ts), with a progress
 * line on a terminal: a tenant with thousands of accounts takes one read per account of the associates
 * in question.
 */
export async function openAccountIndex(world: World, email: EMailService, options: Omit<AccountIndexOptions, 'caller' | 'progress'> = {}): Promise<AccountIndex> {
  const {AccountIndex, callerAssociate} = await import('../accounts/account-index.js')
  // The caller's id and the list are independent reads: sent together, a save waits for one round trip, not two.
  const caller = callerAssociate(email, options)
  const tty = world.stderr.isTTY && !world.json
  let shownAt = 0
  const progress = tty
    ? (done: number, total: number) => {
        const now = Date.now()
        if (done !== total && now - shownAt < 100) return
        shownAt = now
        world.stderr.write(`\rLooking for existing accounts: ${done}/${total} read\u001B[K`)
      }
    : undefined
  try {
    return await AccountIndex.build(email, {...options, caller, progress})
  } finally {
    if (tty) world.stderr.write('\r\u001B[K')
  }
}
