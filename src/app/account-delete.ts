import {CancelledError, CliError, ExitCode, UsageError} from '../errors.js'
import type {ConnectionFlagValues} from '../flags.js'
import {log, note, type World} from './world.js'

export type AccountDeleteOptions = ConnectionFlagValues & {id?: number; from?: string; yes?: boolean; trace?: boolean}

/** Deletes one account, or every account a file lists; asks first on a terminal, needs --yes elsewhere. */
export async function runAccountDelete(opts: AccountDeleteOptions, world: World): Promise<unknown> {
  if ((opts.id === undefined) === (opts.from === undefined)) throw new UsageError('give one account id, or --from FILE')
  if (!opts.yes && !world.interactive) {
    throw new UsageError(`refusing to delete ${opts.id === undefined ? `the accounts in ${opts.from}` : `account ${opts.id}`} without confirmation`, {hint: 'Pass --yes to delete without a prompt.'})
  }
  if (opts.from) return deleteMany(opts.from, opts, world)
  const id = opts.id!
  const {email, call} = await world.connect(opts)
  const [{loadAccount}, {accountView, renderAccount}] = await Promise.all([import('../accounts/service.js'), import('../output/account-view.js')])
  // Read first: a typo'd id fails with "not found" instead of a silent no-op, and the prompt can show what goes.
  const account = await call(() => loadAccount(email, id))
  if (!opts.yes && !(await confirm(world, renderAccount(accountView(account), world.stderr.style), `Delete account ${id} (${account.emailAddress ?? 'no address'})?`))) {
    throw new CancelledError('cancelled; nothing was deleted')
  }
  await call(() => email.deleteEMailAccount(id))
  if (!world.json) log(world, `Deleted account ${id} (${account.emailAddress ?? 'no address'})`)
  return {deleted: true, id, email: account.emailAddress}
}

async function deleteMany(file: string, opts: AccountDeleteOptions, world: World): Promise<unknown> {
  const {readIdsFile} = await import('../bulk/ids.js')
  const ids = [...new Set(readIdsFile(file))]
  if (ids.length === 0) throw new UsageError(`${file} lists no account ids`)
  const {email, call} = await world.connect(opts)
  if (!opts.yes) {
    const shown = ids.slice(0, 20).join(', ') + (ids.length > 20 ? `, … (${ids.length} in all)` : '')
    if (!(await confirm(world, `Accounts listed in ${file}: ${shown}`, `Delete these ${ids.length} accounts?`))) throw new CancelledError('cancelled; nothing was deleted')
  }
  const deleted: number[] = []
  const failed: Array<{id: number; error: string}> = []
  for (const id of ids) {
    try {
      await call(() => email.deleteEMailAccount(id))
      deleted.push(id)
    } catch (error) {
      if (error instanceof CliError && error.exitCode === ExitCode.AUTH) throw error
      failed.push({id, error: error instanceof Error ? error.message : String(error)})
    }
  }
  if (!world.json) log(world, `Deleted ${deleted.length} of ${ids.length} accounts listed in ${file}.`)
  for (const f of failed) note(world, `account ${f.id}: ${f.error}`)
  if (failed.length > 0) throw new CliError('PARTIAL', ExitCode.PARTIAL, `${failed.length} of ${ids.length} accounts could not be deleted`, {details: {deleted, failed}})
  return {deleted, failed}
}

/** A deletion defaults to no. */
async function confirm(world: World, summary: string, question: string): Promise<boolean> {
  world.stderr.write(`\n${summary}\n\n`)
  return world.prompter.confirm(question, false)
}
