import {ValidationError} from '../errors.js'
import type {EMailService} from '../soap/email-service.js'
import type {AccountIndex} from './account-index.js'
import {describeKey} from './natural-key.js'
import type {AccountInput} from './input.js'
import {planSave, type SavePlan} from './service.js'

/** A save plan, and the natural key it matched when a create turned out to be an update. */
export type KeyedSavePlan = SavePlan & {matched?: {associateId: number; email: string}}

/**
 * A save without an id: an existing account with the same (associate, e-mail address) is updated
 * instead of created twice. `index` is asked only when the input names both; two existing accounts with
 * the key are a validation error that names them (choose one with --id, or pass --create-new).
 */
export async function planSaveByKey(email: EMailService, input: AccountInput, index: AccountIndex): Promise<KeyedSavePlan> {
  const plan = await planSave(email, input)
  const {associateId, email: address} = input
  // Only a resolved associate (an id) has accounts to match.
  if (typeof associateId !== 'number' || address === undefined) return plan
  const match = await index.find(associateId, address)
  if (match.kind === 'none') return plan
  if (match.kind === 'many') {
    const ids = match.ids.map((id) => `#${id}`).join(', ')
    throw new ValidationError(`${match.ids.length} accounts (${ids}) already exist for ${describeKey(associateId, address)}; nothing sent`, [{field: 'email', message: `accounts ${ids} have this address and associate`}], {
      hint: 'Pass --id to update one of them, or --create-new to add another account anyway.',
    })
  }
  return {...(await planSave(email, input, match.id)), matched: {associateId, email: address}}
}
