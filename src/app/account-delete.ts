import type {AccountRead} from '../bulk/export.js'
import type {EMailAccount} from '../soap/account-model.js'
import {CancelledError, CliError, ExitCode, NotFoundError, UsageError} from '../errors.js'
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
  const [{readIdsFile}, {readAccounts}] = await Promise.all([import('../bulk/ids.js'), import('../bulk/export.js')])
  const ids = [...new Set(readIdsFile(file))]
  if (ids.length === 0) throw new UsageError(`${file} lists no account ids`)
  const {email, call} = await world.connect(opts)
  // Read first: the confirmation shows whose accounts go, and ids that no longer exist are told apart.
  const found: EMailAccount[] = []
  const unread: AccountRead[] = []
  await call(() => readAccounts(email, ids, (r) => (r.account ? found.push(r.account) : unread.push(r))))
  const gone = unread.filter((r) => r.notFound).map((r) => r.id)
  const failed: Array<{id: number; error: string}> = unread.filter((r) => !r.notFound).map((r) => ({id: r.id, error: r.error ?? 'could not be read'}))
  if (found.length > 0 && !opts.yes) {
    const lines = found.slice(0, 20).map((a) => `  #${a.emailAccountId}  ${a.emailAddress ?? '(no address)'}  (user ${a.incoming?.username || '-'}, associate ${a.associateId ?? '-'})`)
    if (found.length > 20) lines.push(`  … and ${found.length - 20} more`)
    const extra = [gone.length > 0 ? `${gone.length} listed id(s) do not exist and are skipped: ${gone.slice(0, 10).join(', ')}${gone.length > 10 ? ', …' : ''}` : '', failed.length > 0 ? `${failed.length} could not be read and are skipped` : ''].filter(Boolean)
    if (!(await confirm(world, [`Accounts listed in ${file} (${found.length} of ${ids.length}):`, ...lines, ...extra].join('\n'), `Delete these ${found.length} accounts?`))) throw new CancelledError('cancelled; nothing was deleted')
  }
  const deleted: number[] = []
  for (const account of found) {
    const id = account.emailAccountId!
    try {
      await call(() => email.deleteEMailAccount(id))
      deleted.push(id)
    } catch (error) {
      if (error instanceof CliError && error.exitCode === ExitCode.AUTH) throw error
      if (error instanceof CliError && error.exitCode === ExitCode.NOT_FOUND) gone.push(id)
      else failed.push({id, error: error instanceof Error ? error.message : String(error)})
    }
  }
  if (!world.json) log(world, `Deleted ${deleted.length} of ${ids.length} accounts listed in ${file}.`)
  for (const id of gone) note(world, `account ${id}: there is no e-mail account with this id`)
  for (const f of failed) note(world, `account ${f.id}: ${f.error}`)
  const details = {deleted, notFound: gone, failed}
  if (failed.length > 0) throw new CliError('PARTIAL', ExitCode.PARTIAL, `${failed.length} of ${ids.length} accounts could not be deleted`, {details})
  if (gone.length > 0) throw new NotFoundError(`${gone.length} of ${ids.length} listed account ids do not exist; the others were deleted`, {hint: 'They may have been deleted already (an undo file run twice).', details})
  return details
}

/** A deletion defaults to no. */
async function confirm(world: World, summary: string, question: string): Promise<boolean> {
  world.stderr.write(`\n${summary}\n\n`)
  return world.prompter.confirm(question, false)
}
