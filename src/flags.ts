import {Args, Flags} from '@oclif/core'
import {UsageError} from './errors.js'
import {accountIdMessage, fieldByName, FLAG_FIELDS, flagOf, parseAccountId, parseSwitch, promptFlagOf, stdinFlagOf, switchMessage, trimValue, type AccountField} from './model/account-fields.js'

const VISIBLE = 'A value given as a flag is visible to other users of this machine (ps, shell history); prefer'

/** Flags of every command that talks to NetServer; defined once and spread into each command. */
export const profileFlag = {
  profile: Flags.string({summary: 'Profile to use (env SOEMAIL_PROFILE; default "default").', helpGroup: 'Connection'}),
}

export const connectionFlags = {
  ...profileFlag,
  url: Flags.string({
    summary: "Installation base URL, e.g. https://crm.example.com/SuperOffice (env SOEMAIL_URL).",
    helpGroup: 'Connection',
  }),
  ticket: Flags.string({
    summary: 'Session ticket (env SOEMAIL_TICKET).',
    description: `${VISIBLE} --ticket-stdin or SOEMAIL_TICKET.`,
    helpGroup: 'Connection',
  }),
  'ticket-stdin': Flags.boolean({summary: 'Read the session ticket from the first line of standard input; on a terminal, ask with a masked prompt.', helpGroup: 'Connection'}),
  'app-token': Flags.string({
    summary: 'Application token (client secret), required by SuperOffice Online (env SOEMAIL_APP_TOKEN).',
    description: `${VISIBLE} SOEMAIL_APP_TOKEN.`,
    helpGroup: 'Connection',
  }),
  'api-version': Flags.string({options: ['86', '87', '88'], summary: 'NetServer services version: 86, 87 or 88 (env SOEMAIL_API_VERSION; default 87).', helpGroup: 'Connection'}),
  timeout: Flags.integer({summary: 'Seconds to wait for each answer.', default: 30, min: 1, max: 3600, helpGroup: 'Connection'}),
  'ca-file': Flags.string({summary: 'PEM file with an extra CA certificate to trust (private CAs).', helpGroup: 'Connection'}),
  'allow-http': Flags.boolean({summary: 'Allow http:// to other machines (sends tickets and passwords unencrypted).', helpGroup: 'Connection'}),
}

export type ConnectionFlagValues = {
  profile?: string
  url?: string
  ticket?: string
  'ticket-stdin'?: boolean
  'app-token'?: string
  'api-version'?: string
  timeout: number
  'ca-file'?: string
  'allow-http'?: boolean
}

/** A flag per field of the catalogue; a secret also gets its `--…-stdin` form, and help that warns about the flag form. */
function fieldFlag(field: AccountField) {
  const common = {summary: field.summary, helpGroup: field.helpGroup}
  // Whole-number fields parse as integers so that `--imap-port abc` is a usage error; the range is the validator's.
  // An associate may be a user name or an e-mail address too, so it is text that the resolver reads.
  // Parsed here rather than by Flags.integer so that space around the digits is dropped, as in a CSV cell (trimValue).
  if (field.range && field.type !== 'associate') {
    return Flags.custom<number>({
      ...common,
      async parse(input) {
        const text = trimValue(field, input)
        if (!/^-?\d+$/.test(text)) throw new UsageError(`${flagOf(field)}: expected an integer but received: ${input}`)
        return Number(text)
      },
    })()
  }
  // On/off: one value flag rather than --x/--no-x, so that leaving it out keeps the stored value and a CSV cell reads alike.
  if (field.type === 'switch') {
    return Flags.custom<number>({
      ...common,
      async parse(input) {
        const value = parseSwitch(input)
        if (value === undefined) throw new UsageError(switchMessage(flagOf(field), input))
        return value
      },
    })()
  }
  if (field.secret) return Flags.string({...common, description: `${VISIBLE} ${stdinFlagOf(field)}, ${field.env} or the prompt.`})
  return Flags.string(common)
}

function fieldFlags(fields: readonly AccountField[]) {
  const flags: Record<string, ReturnType<typeof fieldFlag> | ReturnType<typeof Flags.boolean>> = {}
  for (const field of fields) {
    flags[field.flag as string] = fieldFlag(field)
    if (field.secret) {
      const label = field.prompt?.label ?? field.name
      const stdin = stdinFlagOf(field).slice(2)
      flags[stdin] = Flags.boolean({summary: `Read the ${label} from standard input (one line); on a terminal, ask for it with a masked prompt.`, helpGroup: field.helpGroup})
      flags[promptFlagOf(field).slice(2)] = Flags.boolean({
        summary: `Ask for the ${label} with a masked prompt (needs a terminal).`,
        description: `With --id it changes just this password: soemail account save --id 42 ${promptFlagOf(field)}`,
        exclusive: [field.flag as string, stdin],
        helpGroup: field.helpGroup,
      })
    }
  }
  return flags
}

/** --email, --associate, --imap-server … --smtp-password-stdin, --smtp-password-prompt, from the field catalogue. */
export const accountFieldFlags = fieldFlags(FLAG_FIELDS.filter((f) => f.role === 'setting'))

/** --id of an existing account, checked by the account-id rule with the other fields. */
const ID = fieldByName('id')
export const accountIdFlag = Flags.integer({summary: ID.summary, helpGroup: ID.helpGroup})

/** account save without --id: create even when an account with the same associate and e-mail address exists. */
export const createNewFlag = Flags.boolean({
  summary: 'Create a new account even when one with the same associate and e-mail address exists (otherwise that one is updated).',
  // Not in the Account group: that group is the field catalogue's flags.
  exclusive: ['id'],
})

/**
 * The ID argument of account get and delete. The account-id rule is checked while parsing, so a bad id
 * is a usage error (exit 2) that says what an id is.
 */
export const accountIdArg = Args.custom<number>({
  description: 'Id of the e-mail account.',
  // ignoreStdin: oclif would otherwise take piped input (a --ticket-stdin ticket) as the missing argument.
  ignoreStdin: true,
  async parse(input) {
    const id = parseAccountId(input)
    if (id === undefined) throw new UsageError(accountIdMessage('ID', input))
    return id
  },
})

/**
 * The checks before a save (account save and import alike): the login test on the CRM server, the
 * Microsoft 365 policy, provider presets and detection. Their environment variables let a script or a
 * machine without DNS set the default once.
 */
export const saveCheckFlags = {
  verify: Flags.boolean({
    summary: 'Test the IMAP and SMTP logins from the CRM server before saving (default on; --no-verify skips it). Env: SOEMAIL_VERIFY=off.',
    allowNo: true,
    helpGroup: 'Checks',
  }),
  'save-unverified': Flags.boolean({summary: 'Save an account whose login test failed, with a warning, instead of refusing it.', helpGroup: 'Checks'}),
  'allow-password-auth': Flags.boolean({summary: 'Save a Microsoft 365 password account (a tenant that still allows basic authentication) instead of refusing it.', helpGroup: 'Checks'}),
  offline: Flags.boolean({summary: 'No DNS: detect servers from the built-in table only, skip the MX checks. Env: SOEMAIL_OFFLINE=1.', helpGroup: 'Checks'}),
  provider: Flags.string({summary: 'Fill the servers and ports from a built-in preset (soemail providers lists them).', helpGroup: 'Checks'}),
}
