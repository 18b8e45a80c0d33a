import type {AccountInput, ServerInput, Side} from './input.js'

export type AccountFlagValues = Record<string, string | number | boolean | undefined>

/**
 * AccountInput from parsed flags. Passwords come from the flag, else a line of stdin, else
 * SOEMAIL_IMAP_PASSWORD / SOEMAIL_SMTP_PASSWORD.
 */
export function inputFromFlags(flags: AccountFlagValues, stdinSecrets: Map<string, string>, env: NodeJS.ProcessEnv): AccountInput {
  const side = (name: Side): ServerInput => ({
    server: flags[`${name}-server`] as string | undefined,
    port: flags[`${name}-port`] as number | undefined,
    authType: flags[`${name}-auth-type`] as string | undefined,
    username: flags[`${name}-username`] as string | undefined,
    password: (flags[`${name}-password`] as string | undefined) ?? stdinSecrets.get(`--${name}-password-stdin`) ?? nonEmpty(env[`SOEMAIL_${name.toUpperCase()}_PASSWORD`]),
  })
  return {email: flags.email as string | undefined, associateId: flags.associate as number | undefined, imap: side('imap'), smtp: side('smtp')}
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v)

/** The --…-stdin flags given, in the order their lines are read. */
export function stdinFlagsInOrder(flags: AccountFlagValues): string[] {
  return ['--ticket-stdin', '--imap-password-stdin', '--smtp-password-stdin'].filter((f) => flags[f.slice(2)] === true)
}
