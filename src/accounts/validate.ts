import {describeCodePoint, findInvalidXmlChar} from '../soap/xml-chars.js'
import type {FieldProblem} from '../errors.js'
import {existsIn, flagOf, parseWhole, rangeMessage, SETTINGS, sideField, stdinFlagOf, switchMessage, versionMessage, type AccountField, type Side} from '../model/account-fields.js'
import {inputValue, type AccountInput, type InputValue} from './input.js'

/** email_account and service_auth text columns are String[256] (FACTS.md §4.2). */
export const MAX_TEXT = 256

// Deliberately loose: one @, a dot in the domain, no spaces. Mail servers decide the rest.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** What a message calls a field: its flag, its CSV column as the file wrote it, or its prompt label. */
export type NameOf = (field: AccountField) => string

/**
 * A problem with one field, phrased once; the caller names the fields it mentions (`--imap-port is 0`,
 * `imap_port is 0`, `IMAP port is 0`). A function rather than a string, so no caller rewrites a message.
 */
export interface FieldIssue {
  readonly field: AccountField
  readonly say: (name: NameOf) => string
}

/** A number field given text that is not a whole number, or a whole number outside its range. */
export function numberIssue(field: AccountField, value: string | number): FieldIssue {
  return {field, say: (name) => rangeMessage(name(field), value, field.range?.rule ?? 'it must be a whole number')}
}

function checkText(field: AccountField, value: string, issues: FieldIssue[]): void {
  if (value.length > MAX_TEXT) issues.push({field, say: (name) => `${name(field)} is ${value.length} characters long; at most ${MAX_TEXT} fit`})
  const bad = findInvalidXmlChar(value)
  if (bad) issues.push({field, say: (name) => `${name(field)} contains ${describeCodePoint(bad.codePoint)} at position ${bad.index + 1}, which cannot be sent`})
}

/** Checks one value by its field's type; nothing here talks to the server. */
export function checkValue(field: AccountField, value: string | number, issues: FieldIssue[]): void {
  if (field.type === 'switch') {
    if (value !== 0 && value !== 1) issues.push({field, say: (name) => switchMessage(name(field), value)})
    return
  }
  if (typeof value === 'number') {
    const range = field.range
    if (range && (!Number.isInteger(value) || value < range.min || value > range.max)) issues.push(numberIssue(field, value))
    return
  }
  if (field.type === 'associate') {
    // Digits are an associate id and meet the id rule; anything else is a user name or an address for the server to find.
    const n = parseWhole(value.trim())
    if (!Number.isNaN(n)) checkValue(field, n, issues)
    // "-3", "1.5" or "+7" is a mistyped id, not a user name.
    else if (/^[+-]?[\d.,]+$/.test(value.trim())) issues.push(numberIssue(field, value))
    else if (value.trim() === '') issues.push({field, say: (name) => `${name(field)} is empty; give a user name, an e-mail address or an associate id`})
    else checkText(field, value, issues)
    return
  }
  if (field.range) {
    issues.push(numberIssue(field, value))
    return
  }
  if (field.type === 'email' && !EMAIL_RE.test(value)) {
    issues.push({field, say: (name) => `${name(field)} "${value}" is not an e-mail address (expected name@domain.tld)`})
    return
  }
  checkText(field, value, issues)
  if (field.type === 'host' && (value.trim() === '' || /\s/.test(value.trim()))) issues.push({field, say: (name) => `${name(field)} "${value}" is not a host name`})
}

/** Every problem with the given values at once, as issues a caller renders in its own terms. */
export function checkInput(input: AccountInput): FieldIssue[] {
  const issues: FieldIssue[] = []
  for (const field of SETTINGS) {
    const value: InputValue = inputValue(input, field)
    if (value !== undefined) checkValue(field, value, issues)
  }
  return issues
}

/** A value given for a field the API version does not have: refused, never dropped. */
export function versionIssue(field: AccountField, version: string): FieldIssue | undefined {
  return existsIn(field, version) ? undefined : {field, say: (name) => versionMessage(name(field), field, version)}
}

/** The settings the input gives that the API version does not have, as issues. */
export function checkInputVersion(input: AccountInput, version: string): FieldIssue[] {
  const issues: FieldIssue[] = []
  for (const field of SETTINGS) {
    const issue = inputValue(input, field) === undefined ? undefined : versionIssue(field, version)
    if (issue) issues.push(issue)
  }
  return issues
}

/** Issues as flags name them: "--imap-port is 0; a port is a whole number from 1 to 65535". */
export function flagProblems(issues: readonly FieldIssue[]): FieldProblem[] {
  return issues.map((issue) => ({field: flagOf(issue.field), message: issue.say(flagOf)}))
}

/** Every problem with the given values at once, naming the flags. */
export function validateInput(input: AccountInput): FieldProblem[] {
  return flagProblems(checkInput(input))
}

// OAuth-style auth types carry a token elsewhere; anything else needs a password to log in.
const isOAuth = (authType: InputValue) => typeof authType === 'string' && /oauth/i.test(authType)

// A side's secret is needed unless the side's auth type says OAuth; made once, as the CSV path asks per row.
const WAIVER = new Map(SETTINGS.filter((f) => f.secret && f.side).map((f) => [f, sideField(f.side as Side, 'authType')]))
const REQUIRED = SETTINGS.filter((f) => f.required)
const NONE: readonly AccountField[] = Object.freeze([])

/** The auth type field whose OAuth value makes a secret unnecessary, so a message can name it. */
export function passwordWaiver(field: AccountField): AccountField | undefined {
  return WAIVER.get(field)
}

/** Fields a create cannot do without, in the order the user would fill them in. */
export function missingFieldsForCreate(input: AccountInput): readonly AccountField[] {
  let missing: AccountField[] | undefined
  for (const field of REQUIRED) {
    if (inputValue(input, field) !== undefined) continue
    const waiver = WAIVER.get(field)
    if (waiver && isOAuth(inputValue(input, waiver))) continue
    missing ??= []
    missing.push(field)
  }
  return missing ?? NONE
}

/** The flags a create still needs: "--email", "--imap-password (or --imap-password-stdin)". */
export function missingForCreate(input: AccountInput): string[] {
  return missingFieldsForCreate(input).map((f) => (f.secret ? `${flagOf(f)} (or ${stdinFlagOf(f)})` : flagOf(f)))
}
