import type {AccountFlagValues} from '../accounts/from-flags.js'
import {CancelledError, UsageError, ValidationError} from '../errors.js'
import type {KeyedSavePlan} from '../accounts/save-by-key.js'
import type {ConnectionFlagValues} from '../flags.js'
import {fillMissingServers, openDetector, saveCheckOptions, serverSuggestions, type SaveCheckFlagValues} from './save-checks.js'
import {log, note, type World} from './world.js'

export type AccountSaveOptions = ConnectionFlagValues & AccountFlagValues & SaveCheckFlagValues & {id?: number; 'create-new'?: boolean; yes?: boolean; trace?: boolean}

/**
 * Creates (no id) or updates (id) one account: asks for what is missing on a terminal, confirms, saves.
 * Without an id, an existing account with the same associate and e-mail address is updated instead
 * (--create-new creates one anyway).
 */
export async function runAccountSave(opts: AccountSaveOptions, world: World): Promise<unknown> {
  const [{readStdinSecrets}, {inputFromFlags, stdinFlagsInOrder}, {assertValid, assertFlagsInVersion, planSave, applySave}, {missingForCreate}] = await Promise.all([
    import('../connection/stdin.js'),
    import('../accounts/from-flags.js'),
    import('../accounts/service.js'),
    import('../accounts/validate.js'),
  ])
  const secrets = await readStdinSecrets(stdinFlagsInOrder(opts), world.stdin, world.prompter)
  let input = inputFromFlags(opts, secrets, world.env)
  assertValid(input, opts.id)

  if (opts['create-new'] && opts.id !== undefined) throw new UsageError('--create-new and --id cannot be used together', {hint: '--id updates that account; --create-new makes a new one even when one with the same address and associate exists.'})
  const creating = opts.id === undefined
  const checkOptions = saveCheckOptions(opts, world.env)
  const detector = await openDetector(opts, world, checkOptions.offline)
  // On a terminal the prompts offer what detection finds; elsewhere it fills the servers not given.
  const prompting = world.interactive && creating && missingForCreate(input).length > 0
  if (!prompting || opts.provider !== undefined) await fillMissingServers(input, opts, world, detector, creating)
  const missing = creating ? missingForCreate(input) : []
  if (missing.length > 0 && !world.interactive) {
    throw new UsageError(`missing ${missing.join(', ')}`, {hint: 'Give them as flags (or run on a terminal to be asked for them).', details: {missing}})
  }
  const {email, archive, call} = await world.connect(opts, {stdinTicket: secrets.get('--ticket-stdin')})
  assertFlagsInVersion(input, email.version)
  const {AssociateResolver} = await import('../accounts/associates.js')
  const resolver = new AssociateResolver(archive)
  if (missing.length > 0) {
    input = await world.prompter.accountFields(input, {
      searchAssociates: (text) => call(() => resolver.search(text)),
      suggestServers: (address) => serverSuggestions({...input, email: address}, opts, detector, true),
    })
  }
  // Without an id, an existing account with the same owner and address is updated rather than made twice.
  const byKey = creating && !opts['create-new']
  const openIndex = (ownerId: number) =>
    call(async () => {
      const {openAccountIndex} = await import('./existing-accounts.js')
      return openAccountIndex(world, email, {associates: new Set([ownerId])})
    })
  // An owner given by id is read alongside its accounts (one round trip, not two); a name must be resolved first.
  const early = byKey && typeof input.associateId === 'number' ? {ownerId: input.associateId, index: openIndex(input.associateId)} : undefined
  early?.index.catch(() => undefined)
  // The owner is looked up and checked before anything is planned or sent: a wrong person is worse than none.
  let owner
  if (input.associateId !== undefined) {
    const given = input.associateId
    const resolution = await call(() => resolver.resolve(given))
    if (!resolution.ok) {
      // Its progress line must not be drawn after the error.
      await early?.index.catch(() => undefined)
      throw new ValidationError(`validation failed, nothing sent:\n  --associate ${resolution.problem}`, [{field: '--associate', message: resolution.problem}], {
        hint: 'Give the user name, e-mail address or associate id of an active user.',
        details: {associate: given, candidates: resolution.candidates},
      })
    }
    owner = resolution.associate
    input = {...input, associateId: owner.id}
  }
  const ownerId = input.associateId
  const planned = input
  let plan: KeyedSavePlan
  if (byKey && typeof ownerId === 'number') {
    const [index, {planSaveByKey}] = await Promise.all([early?.ownerId === ownerId ? early.index : openIndex(ownerId), import('../accounts/save-by-key.js')])
    plan = await call(() => planSaveByKey(email, planned, index))
  } else {
    plan = await call(() => planSave(email, planned, opts.id))
  }
  if (!owner && plan.kind === 'update' && plan.current.associateId) owner = (await call(() => resolver.lookup(plan.current.associateId as number)))[0]
  const [{accountView, renderAccount}, {renderChanges}, {describeAssociate}, {describeMatch}] = await Promise.all([
    import('../output/account-view.js'),
    import('../output/changes.js'),
    import('../accounts/associates.js'),
    import('../accounts/natural-key.js'),
  ])
  const matched = plan.matched && plan.kind === 'update' ? ` ${describeMatch(plan.current.emailAccountId ?? 0, plan.matched.associateId, plan.matched.email, owner?.userName)}` : ''
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

  // Before the summary and before anything is written: Microsoft 365 is refused, and the CRM server tests the logins.
  let verification
  if (!(plan.kind === 'update' && plan.changes.length === 0)) {
    const {SaveChecks, needsLoginTest} = await import('../accounts/save-checks.js')
    const checks = new SaveChecks(email, checkOptions, detector)
    const previous = plan.kind === 'update' ? plan.current : undefined
    if (needsLoginTest(checkOptions, plan.account, previous)) note(world, 'Testing the logins from the CRM server…')
    const verdict = await call(() => checks.check(plan.account, previous))
    for (const warning of verdict.warnings) note(world, `${chalkStderr.yellow('Warning:')} ${warning}`)
    if (verdict.refusal) throw verdict.refusal
    if (verdict.verifyFailed) throw verdict.verifyFailed
    verification = verdict.verification
    if (verification?.ok) note(world, `${chalkStderr.green('✓')} The CRM server logged in to ${verifiedSides(verification)}`)
  }

  if (world.interactive && !opts.yes && !(plan.kind === 'update' && plan.changes.length === 0)) {
    const summary = plan.kind === 'create' ? renderAccount(accountView(plan.account, false, owner), chalkStderr) : renderChanges(plan.current.emailAccountId, changes, chalkStderr)
    world.stderr.write(`\n${matched ? `An account already exists: updating${matched}.\n` : ''}${summary}\n\n`)
    if (!(await world.prompter.confirm(plan.kind === 'create' ? 'Create this account?' : 'Save these changes?', true))) throw new CancelledError()
  }

  const result = await call(() => applySave(email, plan))
  const view = accountView(result.account, false, owner)
  if (!world.json) {
    const who = view.associate ? ` (${describeAssociate(view.associate)})` : ''
    const head = {
      created: `Created account ${view.id} for ${view.email}${who}`,
      updated: matched ? `Updated${matched}` : `Updated account ${view.id}`,
      unchanged: `Account ${matched ? matched.trim() : view.id} already has these values; nothing was sent`,
    }[result.action]
    log(world, `${chalk.green('✓')} ${head}`)
    if (result.action === 'updated') log(world, renderChanges(view.id, changes, chalk, false))
    log(world, renderAccount(view, chalk))
  }
  return {action: result.action, account: view, changes: result.changes, ...(plan.matched ? {matched: plan.matched} : {}), ...(verification ? {verification} : {})}
}

function verifiedSides(v: {incoming: {skipped?: true}; outgoing: {skipped?: true}}): string {
  return [v.incoming.skipped ? undefined : 'IMAP', v.outgoing.skipped ? undefined : 'SMTP'].filter(Boolean).join(' and ')
}
