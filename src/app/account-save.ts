import type {AccountFlagValues} from '../accounts/from-flags.js'
import {CancelledError, UsageError, ValidationError} from '../errors.js'
import type {ConnectionFlagValues} from '../flags.js'
import {log, type World} from './world.js'

export type AccountSaveOptions = ConnectionFlagValues & AccountFlagValues & {id?: number; yes?: boolean; trace?: boolean}

/** Creates (no id) or updates (id) one account: asks for what is missing on a terminal, confirms, saves. */
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

  const creating = opts.id === undefined
  const missing = creating ? missingForCreate(input) : []
  if (missing.length > 0 && !world.interactive) {
    throw new UsageError(`missing ${missing.join(', ')}`, {hint: 'Give them as flags (or run on a terminal to be asked for them).', details: {missing}})
  }
  const {email, archive, call} = await world.connect(opts, {stdinTicket: secrets.get('--ticket-stdin')})
  const {AssociateResolver} = await import('../accounts/associates.js')
  const resolver = new AssociateResolver(archive)
  if (missing.length > 0) input = await world.prompter.accountFields(input, {searchAssociates: (text) => call(() => resolver.search(text))})
  // The owner is looked up and checked before anything is planned or sent: a wrong person is worse than none.
  let owner
  if (input.associateId !== undefined) {
    const given = input.associateId
    const resolution = await call(() => resolver.resolve(given))
    if (!resolution.ok) {
      throw new ValidationError(`validation failed, nothing sent:\n  --associate ${resolution.problem}`, [{field: '--associate', message: resolution.problem}], {
        hint: 'Give the user name, e-mail address or associate id of an active user.',
        details: {associate: given, candidates: resolution.candidates},
      })
    }
    owner = resolution.associate
    input = {...input, associateId: owner.id}
  }
  const plan = await call(() => planSave(email, input, opts.id))
  if (!owner && plan.kind === 'update' && plan.current.associateId) owner = (await call(() => resolver.lookup(plan.current.associateId as number)))[0]
  const [{accountView, renderAccount}, {renderChanges}, {describeAssociate}] = await Promise.all([import('../output/account-view.js'), import('../output/changes.js'), import('../accounts/associates.js')])
  // A change of owner names both people, not two numbers.
  let changes = plan.kind === 'update' ? plan.changes : []
  const ownerChange = changes.find((c) => c.field === 'associate')
  if (ownerChange && owner) {
    const previous = typeof ownerChange.from === 'number' ? (await call(() => resolver.lookup(ownerChange.from as number)))[0] : undefined
    const shown = {...ownerChange, from: previous ? describeAssociate(previous) : ownerChange.from, to: describeAssociate(owner)}
    changes = changes.map((c) => (c === ownerChange ? shown : c))
  }
  const chalk = world.stdout.style
  const chalkStderr = world.stderr.style

  if (world.interactive && !opts.yes && !(plan.kind === 'update' && plan.changes.length === 0)) {
    const summary = plan.kind === 'create' ? renderAccount(accountView(plan.account, false, owner), chalkStderr) : renderChanges(plan.current.emailAccountId, changes, chalkStderr)
    world.stderr.write(`\n${summary}\n\n`)
    if (!(await world.prompter.confirm(plan.kind === 'create' ? 'Create this account?' : 'Save these changes?', true))) throw new CancelledError()
  }

  const result = await call(() => applySave(email, plan))
  const view = accountView(result.account, false, owner)
  if (!world.json) {
    const who = view.associate ? ` (${describeAssociate(view.associate)})` : ''
    const head = {created: `Created account ${view.id} for ${view.email}${who}`, updated: `Updated account ${view.id}`, unchanged: `Account ${view.id} already has these values; nothing was sent`}[result.action]
    log(world, `${chalk.green('✓')} ${head}`)
    if (result.action === 'updated') log(world, renderChanges(view.id, changes, chalk, false))
    log(world, renderAccount(view, chalk))
  }
  return {action: result.action, account: view, changes: result.changes}
}
