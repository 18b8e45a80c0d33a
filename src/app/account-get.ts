import type {ConnectionFlagValues} from '../flags.js'
import {log, type World} from './world.js'

export type AccountGetOptions = ConnectionFlagValues & {id: number; 'show-secrets'?: boolean; trace?: boolean}

/** Shows one account, passwords masked unless asked for. */
export async function runAccountGet(opts: AccountGetOptions, world: World): Promise<unknown> {
  const {email, call} = await world.connect(opts)
  const [{loadAccount}, {accountView, renderAccount}] = await Promise.all([import('../accounts/service.js'), import('../output/account-view.js')])
  const account = await call(() => loadAccount(email, opts.id))
  const view = accountView(account, opts['show-secrets'])
  if (!world.json) log(world, renderAccount(view, world.stdout.style))
  return view
}
