import {confirm, input as text, number, password} from '@inquirer/prompts'
import type {FieldProblem} from '../errors.js'
import {DEFAULT_PORTS, SIDES, type AccountInput, type Side} from '../accounts/input.js'
import {checkEmail, checkText} from '../accounts/validate.js'

// Prompts write to stderr so that stdout carries only the result, even on a terminal.
const context = {output: process.stderr}

const firstProblem = (check: (problems: FieldProblem[]) => void): string | true => {
  const problems: FieldProblem[] = []
  check(problems)
  return problems[0]?.message ?? true
}

const required = (label: string) => (value: string) => (value.trim() === '' ? `${label} is required` : firstProblem((p) => checkText(label, value.trim(), p)))

/** Asks only for what the flags did not give, with defaults a mail admin expects. */
export async function promptForMissing(given: AccountInput): Promise<AccountInput> {
  const input: AccountInput = {...given, imap: {...given.imap}, smtp: {...given.smtp}}
  input.email ??= (await text({message: 'E-mail address', validate: (v) => firstProblem((p) => checkEmail('E-mail address', v.trim(), p))}, context)).trim()
  input.associateId ??= await number({message: 'Associate id (the user who owns the account)', min: 1, max: 2_147_483_647, step: 1, required: true}, context)
  for (const side of SIDES) await promptSide(input, side)
  return input
}

async function promptSide(input: AccountInput, side: Side): Promise<void> {
  const s = input[side]
  const label = side.toUpperCase()
  const domain = input.email?.split('@')[1]
  const guess = side === 'imap' ? (domain ? `imap.${domain}` : undefined) : input.imap.server?.replace(/^imap\./, 'smtp.')
  s.server ??= (await text({message: `${label} server`, default: guess, validate: required(`${label} server`)}, context)).trim()
  s.port ??= await number({message: `${label} port`, default: DEFAULT_PORTS[side], min: 1, max: 65535, step: 1, required: true}, context)
  const defaultUser = side === 'smtp' ? (input.imap.username ?? input.email) : input.email
  s.username ??= (await text({message: `${label} user name`, default: defaultUser, validate: required(`${label} user name`)}, context)).trim()
  if (s.password !== undefined || /oauth/i.test(s.authType ?? '')) return
  if (side === 'smtp' && input.imap.password !== undefined && (await confirm({message: 'Use the IMAP password for SMTP too?', default: true}, context))) {
    s.password = input.imap.password
    return
  }
  s.password = await password({message: `${label} password`, mask: '*', validate: (v) => (v === '' ? `${label} password is required` : firstProblem((p) => checkText(`${label} password`, v, p)))}, context)
}

export async function confirmSend(summary: string, question: string, defaultAnswer = true): Promise<boolean> {
  process.stderr.write(`\n${summary}\n\n`)
  return confirm({message: question, default: defaultAnswer}, context)
}
