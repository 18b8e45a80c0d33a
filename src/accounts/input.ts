import {SIDES, type AccountField, type Side} from '../model/account-fields.js'

/** What a user asks to set on an account; every member is optional, and unset means "keep". */
export interface ServerInput {
  server?: string
  port?: number
  authType?: string
  username?: string
  password?: string
}

export interface AccountInput {
  email?: string
  /** An associate id, or until the server has resolved it, the user name, e-mail address or id as typed. */
  associateId?: number | string
  imap: ServerInput
  smtp: ServerInput
}

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
