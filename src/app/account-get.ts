import type {ConnectionFlagValues} from '../flags.js'
import type {Associate} from '../accounts/associates.js'
import type {ArchiveService} from '../soap/archive-service.js'
import {log, note, type World} from './world.js'

export type AccountGetOptions = ConnectionFlagValues & {id: number; 'show-secrets'?: boolean; trace?: boolean}

/** Shows one account, passwords masked unless asked for. */
export async function runAccountGet(opts: AccountGetOptions, world: World): Promise<unknown> {
  const {email, archive, call} = await world.connect(opts)
  const [{loadAccount}, {accountView, renderAccount}] = await Promise.all([import('../accounts/service.js'), import('../output/account-view.js')])
  const account = await call(() => loadAccount(email, opts.id))
  const owner = await lookupOwner(world, archive, account.associateId)
  const view = accountView(account, opts['show-secrets'], owner)
  if (!world.json) log(world, renderAccount(view, world.stdout.style))
  return view
}

/**
 * Who owns the account, for the view. The account is what was asked for, so a user list that cannot be
 * read (an installation that does not grant the Archive agent) costs the name, with a note, not the answer.
 */
async function lookupOwner(world: World, archive: ArchiveService, associateId: number | undefined): Promise<Associate | undefined> {
  if (!associateId) return undefined
  const {AssociateResolver} = await import('../accounts/associates.js')
  try {
    return (await new AssociateResolver(archive).lookup(associateId))[0]
  } catch (error) {
    note(world, `Note: could not look up associate ${associateId} (${error instanceof Error ? error.message : String(error)}).`)
    return undefined
  }
}
