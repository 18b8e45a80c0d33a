import {Flags} from '@oclif/core'

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
  'ticket-stdin': Flags.boolean({summary: 'Read the session ticket from the first line of standard input.', helpGroup: 'Connection'}),
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

const side = (name: 'imap' | 'smtp', label: string, port: number) => ({
  [`${name}-server`]: Flags.string({summary: `${label} server host name.`, helpGroup: label}),
  [`${name}-port`]: Flags.integer({summary: `${label} server port (default ${port} on create).`, helpGroup: label}),
  [`${name}-auth-type`]: Flags.string({summary: `${label} authentication type as the server stores it (free text, e.g. plain or OAuth).`, helpGroup: label}),
  [`${name}-username`]: Flags.string({summary: `${label} user name (default: the e-mail address on create).`, helpGroup: label}),
  [`${name}-password`]: Flags.string({
    summary: `${label} password (env SOEMAIL_${name.toUpperCase()}_PASSWORD).`,
    description: `${VISIBLE} --${name}-password-stdin, SOEMAIL_${name.toUpperCase()}_PASSWORD or the prompt.`,
    helpGroup: label,
  }),
  [`${name}-password-stdin`]: Flags.boolean({summary: `Read the ${label} password from standard input (one line).`, helpGroup: label}),
})

export const accountFieldFlags = {
  email: Flags.string({summary: "The account's e-mail (From) address.", helpGroup: 'Account'}),
  associate: Flags.integer({summary: 'Id of the associate (user) who owns the account.', helpGroup: 'Account'}),
  ...side('imap', 'IMAP', 993),
  ...side('smtp', 'SMTP', 587),
}
