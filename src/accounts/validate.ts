import {describeCodePoint, findInvalidXmlChar} from '../soap/xml-chars.js'
import type {FieldProblem} from '../errors.js'
import {flagName, SERVER_KEYS, SIDES, type AccountInput} from './input.js'

/** email_account and service_auth text columns are String[256] (FACTS.md §4.2). */
export const MAX_TEXT = 256

// Deliberately loose: one @, a dot in the domain, no spaces. Mail servers decide the rest.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function checkText(field: string, value: string | undefined, problems: FieldProblem[]): void {
  if (value === undefined) return
  if (value.length > MAX_TEXT) problems.push({field, message: `${field} is ${value.length} characters long; at most ${MAX_TEXT} fit`})
  const bad = findInvalidXmlChar(value)
  if (bad) problems.push({field, message: `${field} contains ${describeCodePoint(bad.codePoint)} at position ${bad.index + 1}, which cannot be sent`})
}

export function checkEmail(field: string, value: string | undefined, problems: FieldProblem[]): void {
  if (value === undefined) return
  if (!EMAIL_RE.test(value)) problems.push({field, message: `${field} "${value}" is not an e-mail address (expected name@domain.tld)`})
  else checkText(field, value, problems)
}

export function checkPort(field: string, value: number | undefined, problems: FieldProblem[]): void {
  if (value === undefined) return
  if (!Number.isInteger(value) || value < 1 || value > 65535) problems.push({field, message: `${field} is ${value}; a port is a whole number from 1 to 65535`})
}

export function checkId(field: string, value: number | undefined, problems: FieldProblem[]): void {
  if (value === undefined) return
  if (!Number.isSafeInteger(value) || value < 1 || value > 2_147_483_647) problems.push({field, message: `${field} is ${value}; it must be a positive whole number`})
}

/** Every problem with the given values at once; nothing here talks to the server. */
export function validateInput(input: AccountInput): FieldProblem[] {
  const problems: FieldProblem[] = []
  checkEmail('--email', input.email, problems)
  checkId('--associate', input.associateId, problems)
  for (const side of SIDES) {
    for (const key of SERVER_KEYS) {
      const value = input[side][key]
      if (key === 'port') checkPort(flagName(side, key), value as number | undefined, problems)
      else checkText(flagName(side, key), value as string | undefined, problems)
    }
    const server = input[side].server
    if (server !== undefined && (server.trim() === '' || /\s/.test(server.trim()))) {
      problems.push({field: flagName(side, 'server'), message: `${flagName(side, 'server')} "${server}" is not a host name`})
    }
  }
  return problems
}

/** Flags a create cannot do without, in the order the user would fill them in. */
export function missingForCreate(input: AccountInput): string[] {
  const missing: string[] = []
  if (input.email === undefined) missing.push('--email')
  if (input.associateId === undefined) missing.push('--associate')
  for (const side of SIDES) {
    if (input[side].server === undefined) missing.push(flagName(side, 'server'))
    // OAuth-style auth types carry a token elsewhere; anything else needs a password to log in.
    if (input[side].password === undefined && !/oauth/i.test(input[side].authType ?? '')) missing.push(`${flagName(side, 'password')} (or ${flagName(side, 'password')}-stdin)`)
  }
  return missing
}
