import type {EMailAccount} from '../soap/account-model.js'
import type {EMailService} from '../soap/email-service.js'
import {NotFoundError, UsageError, ValidationError} from '../errors.js'
import type {AccountInput} from './input.js'
import {accountForCreate, diffAccounts, mergeAccount, type FieldChange} from './merge.js'
import {fieldByName} from '../model/account-fields.js'
import {checkInput, checkInputVersion, checkValue, flagProblems, missingForCreate, type FieldIssue} from './validate.js'

const ID = fieldByName('id')

export type SaveAction = 'created' | 'updated' | 'unchanged'

/** What a save would do, worked out before anything is written, so it can be shown and confirmed. */
export type SavePlan =
  | {kind: 'create'; account: EMailAccount}
  | {kind: 'update'; current: EMailAccount; account: EMailAccount; changes: FieldChange[]}

export interface SaveResult {
  action: SaveAction
  account: EMailAccount
  changes: FieldChange[]
}

/** Checks input before anything is sent; throws ValidationError listing every problem. */
export function assertValid(input: AccountInput, id?: number): void {
  const issues: FieldIssue[] = []
  if (id !== undefined) checkValue(ID, id, issues)
  const problems = flagProblems([...issues, ...checkInput(input)])
  if (problems.length > 0) {
    throw new ValidationError(`validation failed, nothing sent:\n${problems.map((p) => `  ${p.message}`).join('\n')}`, problems)
  }
}

/**
 * Flags for fields the connection's API version does not have are a usage error (exit 2) naming the
 * version: `--inbox-folder` with --api-version 87 would otherwise be dropped without a word.
 */
export function assertFlagsInVersion(input: AccountInput, version: string): void {
  const problems = flagProblems(checkInputVersion(input, version))
  if (problems.length > 0) {
    throw new UsageError(problems.map((p) => p.message).join('\n'), {hint: 'Connect with --api-version 88 (or SOEMAIL_API_VERSION=88, or a profile logged in with it), or leave these flags out.'})
  }
}

/** A create needs its required fields; an update reads the stored account and changes only what was given. */
export async function planSave(email: EMailService, input: AccountInput, id?: number): Promise<SavePlan> {
  assertValid(input, id)
  if (id === undefined) {
    const missing = missingForCreate(input)
    if (missing.length > 0) throw new ValidationError(`cannot create an account without ${missing.join(', ')}`, missing.map((field) => ({field, message: `${field} is required`})))
    return {kind: 'create', account: accountForCreate(input)}
  }
  const current = await loadAccount(email, id)
  const account = mergeAccount(current, input)
  return {kind: 'update', current, account, changes: diffAccounts(current, account)}
}

/** Writes the plan; an update that changes nothing is not sent. */
export async function applySave(email: EMailService, plan: SavePlan): Promise<SaveResult> {
  if (plan.kind === 'create') return {action: 'created', account: await email.saveEMailAccount(plan.account), changes: []}
  if (plan.changes.length === 0) return {action: 'unchanged', account: plan.current, changes: []}
  return {action: 'updated', account: await email.saveEMailAccount(plan.account), changes: plan.changes}
}

export async function saveAccount(email: EMailService, input: AccountInput, id?: number): Promise<SaveResult> {
  return applySave(email, await planSave(email, input, id))
}

export async function loadAccount(email: EMailService, id: number): Promise<EMailAccount> {
  const account = await email.getEMailAccount(id)
  if (!account) throw new NotFoundError(`there is no e-mail account with id ${id}`, {hint: 'Check the id; soemail account export --ids or the results file of an import list existing ones.'})
  return account
}
