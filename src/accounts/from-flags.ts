import {FLAG_FIELDS, promptFlagOf, stdinFlagOf, trimValue} from '../model/account-fields.js'
import {setInputValue, type AccountInput} from './input.js'

export type AccountFlagValues = Record<string, string | number | boolean | undefined>

const SETTING_FLAGS = FLAG_FIELDS.filter((f) => f.role === 'setting')

/**
 * AccountInput from parsed flags, text trimmed as an import trims its cells (trimValue). A secret comes
 * from its flag, else a line of stdin or the prompt (readStdinSecrets), else its environment variable (SOEMAIL_IMAP_PASSWORD /
 * SOEMAIL_SMTP_PASSWORD), verbatim.
 */
export function inputFromFlags(flags: AccountFlagValues, stdinSecrets: Map<string, string>, env: NodeJS.ProcessEnv): AccountInput {
  const input: AccountInput = {imap: {}, smtp: {}}
  for (const field of SETTING_FLAGS) {
    let value = flags[field.flag as string] as string | number | undefined
    if (typeof value === 'string') value = trimValue(field, value)
    if (field.secret) value ??= stdinSecrets.get(stdinFlagOf(field)) ?? stdinSecrets.get(promptFlagOf(field)) ?? nonEmpty(field.env === undefined ? undefined : env[field.env])
    setInputValue(input, field, value)
  }
  return input
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v)

// The ticket line comes first, then the secrets in catalogue order (a secret has a -stdin or a -prompt flag, not both).
const STDIN_FLAGS = ['--ticket-stdin', ...SETTING_FLAGS.filter((f) => f.secret).flatMap((f) => [stdinFlagOf(f), promptFlagOf(f)])]

/** The --…-stdin and --…-prompt flags given, in the order their lines are read or their prompts asked. */
export function stdinFlagsInOrder(flags: AccountFlagValues): string[] {
  return STDIN_FLAGS.filter((f) => flags[f.slice(2)] === true)
}
