/**
 * Built-in mail provider presets: the first source detection asks (by the address's domain) and the
 * table `--provider NAME` and `soemail providers` read. Plain data; nothing here touches the network.
 *
 * Sources: each preset names the page its servers came from (`source`). "ISPDB" is Thunderbird's
 * provider database (github.com/thunderbird/autoconfig, queried live at
 * https://autoconfig.thunderbird.net/v1.1/<domain>); the first seven rows came from the team's SuperOffice
 * domain notes ("Provider settings"), each checked against the source it names. `verified: false` marks servers known only from third-party pages:
 * check them against the provider before relying on them.
 */

/** `tls`: implicit TLS from the first byte (SuperOffice's UseSSL); `starttls`: plain, then STARTTLS. */
export type Security = 'tls' | 'starttls'

/**
 * What goes in the user-name field: the whole address, its part before the @, or a mailbox user the
 * provider assigned (Domeneshop), which soemail cannot guess.
 */
export type UserNameForm = 'address' | 'local-part' | 'mailbox-user'

/**
 * How a password account fares with SuperOffice's mail sync:
 * - password: the mailbox password works;
 * - app-password: works with an app-specific password (2-step verification on), not the login password;
 * - oauth-only: the provider refuses passwords; SuperOffice connects it only through the user's own
 *   "Sign in with …" in Inbox (DOMAIN.md "Microsoft 365: OAuth only");
 * - unreachable: no IMAP/SMTP server the CRM server can reach.
 */
export type PasswordAuth = 'password' | 'app-password' | 'oauth-only' | 'unreachable'

export interface ServerPreset {
  host: string
  port: number
  security: Security
  userName: UserNameForm
}

export interface ProviderPreset {
  /** The --provider value and CSV `provider` column value. */
  name: string
  label: string
  /** IMAP; absent for an unreachable provider. */
  incoming?: ServerPreset
  /** SMTP submission; absent for an unreachable provider. */
  outgoing?: ServerPreset
  auth: PasswordAuth
  /** What an admin must know, in one sentence or two. */
  note: string
  /** Address domains the provider serves by itself (a custom domain is found through its MX instead). */
  domains: readonly string[]
  /** An MX host ending in one of these (after a dot, or equal without the dot) belongs to the provider. */
  mxSuffixes: readonly string[]
  /** Other host names of the provider's IMAP/SMTP servers, so given servers are recognised too. */
  otherHosts?: readonly string[]
  source: string
  verified: boolean
}

const tls = (host: string, port: number, userName: UserNameForm = 'address'): ServerPreset => ({host, port, security: 'tls', userName})
const starttls = (host: string, port: number, userName: UserNameForm = 'address'): ServerPreset => ({host, port, security: 'starttls', userName})

export const PRESETS: readonly ProviderPreset[] = [
  {
    name: 'microsoft365',
    label: 'Microsoft 365 (Exchange Online)',
    incoming: tls('outlook.office365.com', 993),
    // Not outlook.office365.com: Microsoft's SMTP submission host is smtp.office365.com.
    outgoing: starttls('smtp.office365.com', 587),
    auth: 'oauth-only',
    note: 'OAuth only in SuperOffice: Microsoft turned basic authentication off for Exchange Online in October 2022. The user connects the mailbox in SuperOffice Inbox with "Sign in with Microsoft".',
    domains: [],
    mxSuffixes: ['mail.protection.outlook.com'],
    // Inbox treats any IMAP host ending in .office365.com as Microsoft's (DOMAIN.md "Who uses these accounts").
    otherHosts: ['office365.com', 'outlook.office.com'],
    source: 'https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/pop3-and-imap4/pop3-and-imap4',
    verified: true,
  },
  {
    name: 'outlook.com',
    label: 'Outlook.com / Hotmail (Microsoft consumer)',
    incoming: tls('outlook.office365.com', 993),
    outgoing: starttls('smtp-mail.outlook.com', 587),
    auth: 'oauth-only',
    note: 'OAuth only: Microsoft stopped accepting passwords (and app passwords) for Outlook.com IMAP/SMTP in September 2024.',
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'hotmail.no', 'live.no', 'outlook.dk', 'hotmail.se', 'live.se'],
    mxSuffixes: ['olc.protection.outlook.com'],
    otherHosts: ['smtp-mail.outlook.com', 'imap-mail.outlook.com'],
    source: 'https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-for-outlook-com-d088b986-291d-42b8-9564-9c414e2aa040',
    verified: true,
  },
  {
    name: 'google',
    label: 'Google Workspace / Gmail',
    incoming: tls('imap.gmail.com', 993),
    outgoing: tls('smtp.gmail.com', 465),
    auth: 'app-password',
    note: 'Needs an app password (2-step verification on), not the Google password (SuperOffice KB 113069).',
    domains: ['gmail.com', 'googlemail.com'],
    // aspmx.l.google.com and altN.aspmx.l.google.com (classic), smtp.google.com (Workspace since 2023).
    mxSuffixes: ['google.com', 'googlemail.com'],
    otherHosts: ['imap.googlemail.com', 'smtp.googlemail.com'],
    source: 'https://support.google.com/mail/answer/7126229 ; app passwords: https://support.google.com/accounts/answer/185833',
    verified: true,
  },
  {
    name: 'yahoo',
    label: 'Yahoo Mail',
    incoming: tls('imap.mail.yahoo.com', 993),
    outgoing: tls('smtp.mail.yahoo.com', 465),
    auth: 'app-password',
    note: 'Needs an app password generated in the Yahoo account security settings.',
    domains: ['yahoo.com', 'yahoo.no', 'yahoo.se', 'yahoo.dk', 'yahoo.co.uk', 'ymail.com', 'rocketmail.com'],
    // mtaN.am0.yahoodns.net; AOL's MX lives under yahoodns.net too, which is why AOL has no MX suffix.
    mxSuffixes: ['am0.yahoodns.net'],
    source: 'https://help.yahoo.com/kb/SLN4075.html',
    verified: true,
  },
  {
    name: 'icloud',
    label: 'iCloud Mail',
    incoming: tls('imap.mail.me.com', 993, 'local-part'),
    outgoing: starttls('smtp.mail.me.com', 587),
    auth: 'app-password',
    note: 'Needs an app-specific password. The IMAP user name is the part of the address before the @; SMTP takes the whole address.',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mxSuffixes: ['mail.icloud.com'],
    source: 'https://support.apple.com/en-us/102525',
    verified: true,
  },
  {
    name: 'fastmail',
    label: 'Fastmail',
    incoming: tls('imap.fastmail.com', 993),
    outgoing: tls('smtp.fastmail.com', 465),
    auth: 'app-password',
    note: 'Needs an app password (Settings → Privacy & Security → App passwords).',
    domains: ['fastmail.com', 'fastmail.fm'],
    mxSuffixes: ['messagingengine.com'],
    source: 'https://www.fastmail.help/hc/en-us/articles/1500000278342-Server-names-and-ports',
    verified: true,
  },
  {
    name: 'one.com',
    label: 'One.com',
    incoming: tls('imap.one.com', 993),
    outgoing: tls('send.one.com', 465),
    auth: 'password',
    note: 'The mailbox password; the user name is the whole address.',
    domains: [],
    mxSuffixes: ['one.com'],
    source: 'https://help.one.com/hc/en-us/articles/115005585709-Which-settings-do-I-need-for-IMAP-',
    verified: true,
  },
  {
    name: 'altibox',
    label: 'Altibox',
    incoming: tls('imap.altibox.no', 993),
    outgoing: tls('smtp.altibox.no', 465),
    auth: 'password',
    note: 'The mailbox password; the user name is the whole address.',
    domains: ['altibox.no'],
    mxSuffixes: [],
    source: "Altibox's own FAQ (https://www.altibox.no/privat/kundeservice/), per DOMAIN.md",
    verified: true,
  },
  {
    name: 'domeneshop',
    label: 'Domeneshop',
    incoming: tls('imap.domeneshop.no', 993, 'mailbox-user'),
    outgoing: starttls('smtp.domeneshop.no', 587, 'mailbox-user'),
    auth: 'password',
    note: 'The user name is often the mailbox user Domeneshop assigned (e.g. "example1"), not the address: look it up in the Domeneshop control panel.',
    domains: [],
    mxSuffixes: ['domeneshop.no'],
    source: 'third-party pages only (DOMAIN.md "Provider settings"); Domeneshop help: https://domene.shop/faq',
    verified: false,
  },
  {
    name: 'telenor',
    label: 'Telenor (online.no)',
    incoming: tls('imap.online.no', 993),
    outgoing: tls('smtp.online.no', 465),
    auth: 'password',
    note: 'Servers known from third-party pages only; check them with Telenor.',
    domains: ['online.no', 'telenor.no'],
    mxSuffixes: [],
    source: 'third-party pages only (DOMAIN.md "Provider settings"); Telenor help: https://www.telenor.no/kundeservice/',
    verified: false,
  },
  {
    name: 'loopia',
    label: 'Loopia',
    incoming: tls('mailcluster.loopia.se', 993),
    outgoing: tls('mailcluster.loopia.se', 465),
    auth: 'password',
    note: 'Servers known from third-party pages only; the user name is the whole address.',
    domains: [],
    mxSuffixes: ['loopia.se'],
    source: 'third-party pages only (DOMAIN.md "Provider settings"); Loopia support: https://support.loopia.se/',
    verified: false,
  },
  {
    name: 'gmx',
    label: 'GMX',
    incoming: tls('imap.gmx.net', 993),
    outgoing: starttls('mail.gmx.net', 587),
    auth: 'password',
    note: 'IMAP access must first be switched on in the GMX web mail settings (POP3 & IMAP).',
    domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch'],
    mxSuffixes: ['gmx.net'],
    source: 'ISPDB gmx.net (https://autoconfig.thunderbird.net/v1.1/gmx.net); https://support.gmx.com/pop-imap/imap/index.html',
    verified: true,
  },
  {
    name: 'zoho',
    label: 'Zoho Mail (US data centre)',
    incoming: tls('imap.zoho.com', 993),
    outgoing: tls('smtp.zoho.com', 465),
    auth: 'app-password',
    note: 'IMAP access must be on in Zoho Mail settings; with two-factor authentication an app-specific password is needed. EU accounts use imap.zoho.eu / smtp.zoho.eu.',
    domains: ['zoho.com', 'zohomail.com'],
    mxSuffixes: ['zoho.com'],
    source: 'https://www.zoho.com/mail/help/imap-access.html',
    verified: true,
  },
  {
    name: 'aol',
    label: 'AOL Mail',
    incoming: tls('imap.aol.com', 993),
    outgoing: tls('smtp.aol.com', 465),
    auth: 'app-password',
    note: 'Needs an app password generated in the AOL account security settings.',
    domains: ['aol.com'],
    mxSuffixes: [],
    source: 'https://help.aol.com/articles/how-do-i-use-other-email-applications-to-send-and-receive-my-aol-mail',
    verified: true,
  },
  {
    name: 'proton',
    label: 'Proton Mail',
    auth: 'unreachable',
    note: 'No IMAP/SMTP server on the internet: IMAP is offered only through Proton Mail Bridge on the user\'s own computer (127.0.0.1:1143), which the CRM server cannot reach.',
    domains: ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'],
    mxSuffixes: ['protonmail.ch'],
    source: 'https://proton.me/support/protonmail-bridge-clients',
    verified: true,
  },
]

export function presetByName(name: string): ProviderPreset | undefined {
  const wanted = name.trim().toLowerCase()
  return PRESETS.find((p) => p.name === wanted)
}

export function presetByDomain(domain: string): ProviderPreset | undefined {
  const wanted = domain.trim().toLowerCase()
  return PRESETS.find((p) => p.domains.includes(wanted))
}

/**
 * Presets by the host names they are found by, each name lower-case without a leading or final dot, to
 * the preset's place in PRESETS. Derived once: the policy asks for both servers of every row of an
 * import, and searching every preset each time was some 10 kB of strings a row.
 */
function hostIndex(namesOf: (preset: ProviderPreset) => readonly (string | undefined)[]): ReadonlyMap<string, number> {
  const index = new Map<string, number>()
  PRESETS.forEach((preset, at) => {
    for (const name of namesOf(preset)) {
      const key = name?.toLowerCase().replace(/^\./, '').replace(/\.$/, '')
      if (key && !index.has(key)) index.set(key, at)
    }
  })
  return index
}

const BY_SERVER = hostIndex((p) => [p.incoming?.host, p.outgoing?.host, ...(p.otherHosts ?? [])])
const BY_MX = hostIndex((p) => p.mxSuffixes)

/**
 * The first preset (in PRESETS order) that names `host` or a domain it is in: DNS names compare without
 * case and without a final dot, so `IMAP.gmail.com.` is Google's.
 */
function presetByHost(index: ReadonlyMap<string, number>, host: string): ProviderPreset | undefined {
  let name = host.toLowerCase().replace(/\.$/, '')
  let first = PRESETS.length
  for (;;) {
    first = Math.min(first, index.get(name) ?? first)
    const dot = name.indexOf('.')
    if (dot < 0) return PRESETS[first]
    name = name.slice(dot + 1)
  }
}

/** The preset whose MX suffixes cover this MX host. */
export function presetByMx(mxHost: string): ProviderPreset | undefined {
  return presetByHost(BY_MX, mxHost)
}

/** The preset whose IMAP or SMTP servers this host is (`host` or `host:port`). */
export function presetByServer(server: string): ProviderPreset | undefined {
  const host = server.trim().replace(/:\d+$/, '')
  return host ? presetByHost(BY_SERVER, host) : undefined
}

/** The names, for --provider's options and the prompt's choices. */
export const PRESET_NAMES: readonly string[] = PRESETS.map((p) => p.name)
