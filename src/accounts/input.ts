import {SIDES, type AccountField, type Side} from '../model/account-fields.js'
import type {AccountInputShape, ServerInputShape} from '../model/account-types.js'

/**
 * What a user asks to set on an account; every member is optional, and unset means "keep". The members
 * are the catalogue's settings (model/account-types.ts); `associateId` is an associate id, or until the
 * server has resolved it, the user name, e-mail address or id as typed.
 */
export type ServerInput = ServerInputShape
export type AccountInput = AccountInputShape

export {SIDES, type Side}

export type InputValue = string | number | undefined

/** A setting's value in an input, found through the catalogue's `input` (and `side`) members. */
export function inputValue(input: AccountInput, field: AccountField): InputValue {
  const holder = (field.side ? input[field.side] : input) as Record<string, InputValue>
  return holder[field.input as string]
}

export function setInputValue(input: AccountInput, field: AccountField, value: InputValue): void {
  const holder = (field.side ? input[field.side] : input) as Record<string, InputValue>
  holder[field.input as string] = value
}
