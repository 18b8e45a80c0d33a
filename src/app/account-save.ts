import type {AccountFlagValues} from '../accounts/from-flags.js'
import {CancelledError, UsageError} from '../errors.js'
import type {KeyedSavePlan} from '../accounts/save-by-key.js'
import type {ConnectionFlagValues} from '../flags.js'
import {log, type World} from './world.js'

export type AccountSaveOptions = ConnectionFlagValues & AccountFlagValues & {id?: number; 'create-new'?: boolean; yes?: boolean; trace?: boolean}

/**
 * Creates (no id) or updates (id) one account: asks for what is missing on a terminal, confirms, saves.
 * Without an id, an existing account with the same associate and e-mail address is updated instead
 * (--create-new creates one anyway).
 */
export async function runAccountSave(opts: AccountSaveOptions, world: World): Promise<unknown> {
  const [{readStdinSecrets}, {inputFromFlags, stdinFlagsInOrder}, {assertValid, planSave, applySave}, {missingForCreate}] = await Promise.all([
    import('../connection/stdin.js'),
    import('../accounts/from-flags.js'),
    import('../accounts/service.js'),
    import('../accounts/validate.js'),
  ])
  const secrets = await readStdinSecrets(stdinFlagsInOrder(opts), world.stdin)
  let input = inputFromFlags(opts, secrets, world.env)
  assertValid(input, opts.id)

  if (opts['create-new'] && opts.id !== undefined) throw new UsageError('--create-new and --id cannot be used together', {hint: '--id updates that account; --create-new makes a new one even when one with the same address and associate exists.'})
  const creating = opts.id === undefined
  const missing = creating ? missingForCreate(input) : []
  if (missing.length > 0 && !world.interactive) {
    throw new UsageError(`missing ${missing.join(', ')}`, {hint: 'Give them as flags (or run on a terminal to be asked for them).', details: {missing}})
  }
  const {email, call} = await world.connect(opts, {stdinTicket: secrets.get('--ticket-stdin')})
  if (missing.length > 0) input = await world.prompter.accountFields(input)
  const byKey = creating && !opts['create-new']
  const plan: KeyedSavePlan = byKey
    ? await call(async () => {
        const [{planSaveByKey}, {openAccountIndex}] = await Promise.all([import('../accounts/save-by-key.js'), import('./existing-accounts.js')])
        const index = await openAccountIndex(world, email, {associates: new Set(input.associateId === undefined ? [] : [input.associateId])})
        return planSaveByKey(email, input, index)
      })
    : await call(() => planSave(email, input, opts.id))
  const {describeMatch} = await import('../accounts/natural-key.js')
  const matched = plan.matched && plan.kind === 'update' ? ` ${describeMatch(plan.current.emailAccountId ?? 0, plan.matched.associateId, plan.matched.email)}` : ''
  const [{accountView, renderAccount}, {renderChanges}] = await Promise.all([import('../output/account-view.js'), import('../output/changes.js')])
  const chalk = world.stdout.style
  const chalkStderr = world.stderr.style

  if (world.interactive && !opts.yes && !(plan.kind === 'update' && plan.changes.length === 0)) {
    const summary = plan.kind === 'create' ? renderAccount(accountView(plan.account), chalkStderr) : renderChanges(plan.current.emailAccountId, plan.changes, chalkStderr)
    world.stderr.write(`\n${matched ? `An account already exists: updating${matched}.\n` : ''}${summary}\n\n`)
    if (!(await world.prompter.confirm(plan.kind === 'create' ? 'Create this account?' : 'Save these changes?', true))) throw new CancelledError()
  }

  const result = await call(() => applySave(email, plan))
  const view = accountView(result.account)
  if (!world.json) {
    const head = {
      created: `Created account ${view.id} for ${view.email}`,
      updated: matched ? `Updated${matched}` : `Updated account ${view.id}`,
      unchanged: `Account ${matched ? matched.trim() : view.id} already has these values; nothing was sent`,
    }[result.action]
    log(world, `${chalk.green('✓')} ${head}`)
    if (result.action === 'updated') log(world, renderChanges(view.id, result.changes, chalk, false))
    log(world, renderAccount(view, chalk))
  }
  return {action: result.action, account: view, changes: result.changes, ...(plan.matched ? {matched: plan.matched} : {})}
}
