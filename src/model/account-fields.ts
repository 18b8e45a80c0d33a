/**
 * The account field catalogue: every field of an e-mail account once, with each name it goes by (wire
 * element, flag, CSV column, prompt, view), its type and whether it is secret. Flags, prompts,
 * validation, merge/diff, CSV columns, views and the SOAP wire tables are all derived from it, so a new
 * field is one entry here plus its element in the XSD sequence below.
 *
 * Pure data and small pure functions: no oclif, no I/O, no XML. src/soap reads the wire half.
 */

export const SIDES = ['imap', 'smtp'] as const
export type Side = (typeof SIDES)[number]

/**
 * What a value is, which decides how it is parsed and checked. `id` is the account-id rule, `port` a TCP
 * port, `associate` a user given by associate id (checked by the id rule), user name or e-mail address,
 * `email` an address, `host` a host name, `text` free text; each is also limited to what the
 * server's columns hold (MAX_TEXT). `status` fields are read-only numbers the server reports. `switch` is
 * an on/off setting that the wire carries as a short (1 on, 0 off); `datetime` a read-only xs:dateTime.
 */
export type FieldType = 'id' | 'associate' | 'email' | 'host' | 'port' | 'text' | 'status' | 'switch' | 'datetime'
/** `dateTime` is read as the ISO text the server sent (xs:dateTime); soemail never sends one. */
export type WireScalar = 'int' | 'short' | 'string' | 'dateTime'

/** What a user may do with a field: `key` names the account, `setting` is set by the user, `status` only shown. */
export type FieldRole = 'key' | 'setting' | 'status'

/** A catalogue entry as written; ACCOUNT_FIELDS adds each one's position. */
export type FieldEntry = Omit<AccountField, 'index'>

export interface AccountField {
  /** Stable name the code looks a field up by; today also its CSV column. */
  readonly name: string
  /** Position in ACCOUNT_FIELDS. */
  readonly index: number
  readonly role: FieldRole
  readonly type: FieldType
  /**
   * The API version the field first exists in (its element is in that version's schema and later ones);
   * absent for fields of every version soemail speaks. Older versions never send or read it, and a value
   * given for it there is refused rather than dropped.
   */
  readonly since?: string
  /** Set for the members of IncomingCredentials (imap) and OutgoingCredentials (smtp). */
  readonly side?: Side
  /** Member of AccountInput (or of its side's ServerInput) that carries the value; settings only. */
  readonly input?: string
  /** Whole-number fields: the range a value must be in, and the rule as messages state it. */
  readonly range?: {readonly min: number; readonly max: number; readonly rule: string}
  readonly wire: {
    /** Element path below EMailAccount, e.g. IncomingCredentials/Port. */
    readonly path: string
    /** Member of EMailAccount (or ServiceAuth, for a side's field). */
    readonly key: string
    readonly type: WireScalar
  }
  /** Flag name without dashes; absent for fields a flag cannot set. */
  readonly flag?: string
  /** Shown in --help for the flag. */
  readonly summary?: string
  readonly helpGroup?: string
  /** CSV column; absent for fields the import format leaves out. */
  readonly column?: string
  /** Other header names a file may use for the column (compared after normalizeColumnName). */
  readonly aliases?: readonly string[]
  /** Passwords: never shown unless asked, never in undo files, read from stdin or the environment. */
  readonly secret?: boolean
  /** Environment variable a secret may come from. */
  readonly env?: string
  /** Required on create (a password unless the side's auth type is OAuth-like). */
  readonly required?: boolean
  /** Value a create uses when none is given: a constant, or another field of the input. */
  readonly createDefault?: number | {readonly from: string}
  readonly prompt?: {readonly label: string}
  readonly view: {
    /** Member in `account get --json` (nested under imap/smtp for a side's field). */
    readonly json: string
    /** Label of the text view's line; absent for fields shown inside another's line. */
    readonly label?: string
    /** Line of the text view, when it differs from catalogue order. */
    readonly line?: number
  }
}

/** The id rule, written once: NetServer ids are positive Int32 values. */
export const ID_MIN = 1
export const ID_MAX = 2_147_483_647

export const ID_RULE = {
  account: `an account id is a whole number from ${ID_MIN} to ${ID_MAX}`,
  associate: `an associate id is a whole number from ${ID_MIN} to ${ID_MAX}`,
} as const

export function isId(n: number): boolean {
  return Number.isInteger(n) && n >= ID_MIN && n <= ID_MAX
}

/** Digits only, so "1e3", "+5", "-1" and "0x10" are refused rather than quietly read as numbers; NaN when not. */
export function parseWhole(text: string): number {
  if (text.length === 0) return Number.NaN
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return Number.NaN
    n = n * 10 + d
  }
  return n
}

/** How an on/off setting may be written, in a flag or a CSV cell (any case); the wire sends 1 or 0. */
const SWITCH_VALUES: ReadonlyMap<string, number> = new Map([
  ['on', 1], ['yes', 1], ['true', 1], ['1', 1],
  ['off', 0], ['no', 0], ['false', 0], ['0', 0],
])
export const SWITCH_WORDS = 'on/off, yes/no, true/false or 1/0'

/** 1 or 0 for an on/off word; undefined for anything else. */
export function parseSwitch(text: string): number | undefined {
  return SWITCH_VALUES.get(text.trim().toLowerCase())
}

/** The one phrasing of a bad on/off value: '--simple-mode is "maybe"; give on/off, yes/no, true/false or 1/0'. */
export function switchMessage(name: string, value: string | number): string {
  return `${name} is ${shownValue(value)}; give ${SWITCH_WORDS}`
}

/**
 * The one trimming rule for a value a user gives, as an `account save` flag or an `account import` cell
 * alike: whitespace around it is dropped (String.prototype.trim: spaces, tabs, line ends, no-break spaces,
 * U+2028, a stray BOM — what a copy from a web page, a mail or Excel leaves), inside it nothing is touched.
 * A secret is taken verbatim: a space at either end may be part of a password.
 */
export function trimValue(field: Pick<AccountField, 'secret'>, text: string): string {
  return field.secret ? text : text.trim()
}

/** An account id typed by a user (argument, flag, file line); undefined when it breaks the id rule. */
export function parseAccountId(text: string): number | undefined {
  const n = parseWhole(text.trim())
  return isId(n) ? n : undefined
}

/** A value as a message echoes it: whole numbers bare, anything else quoted, cut short and escaped. */
export function shownValue(value: string | number): string {
  if (typeof value === 'number') return String(value)
  if (value !== '' && value.length <= 40 && !Number.isNaN(parseWhole(value))) return value
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)
}

/** The one phrasing of a whole-number rule broken: "--imap-port is 0; a port is a whole number from 1 to 65535". */
export function rangeMessage(name: string, value: string | number, rule: string): string {
  return `${name} is ${shownValue(value)}; ${rule}`
}

/** "ID is 3000000000; an account id is a whole number from 1 to 2147483647" */
export function accountIdMessage(name: string, value: string | number): string {
  return rangeMessage(name, value, ID_RULE.account)
}

const PORT_RANGE = {min: 1, max: 65535, rule: 'a port is a whole number from 1 to 65535'}

/** The EMailAccount members that hold a ServiceAuth, and the side each belongs to. */
export const CREDENTIALS = [
  {element: 'IncomingCredentials', key: 'incoming', side: 'imap'},
  {element: 'OutgoingCredentials', key: 'outgoing', side: 'smtp'},
] as const satisfies ReadonlyArray<{element: string; key: string; side: Side}>

/** The members of a ServiceAuth, written once for both sides. */
// Typed to the letter (const parameters, `as const`), so that account-types.ts can derive the carriers from it.
function serverFields<const C extends (typeof CREDENTIALS)[number]>({side, element}: C, defaultPort: number) {
  const label = side.toUpperCase() as Uppercase<C['side']>
  const env = `SOEMAIL_${label}_PASSWORD` as const
  const common = {side, helpGroup: label} as const
  const wire = <const K extends string, const T extends WireScalar>(member: string, key: K, type: T) => ({path: `${element}/${member}`, key, type}) as const
  // Text view lines: server (with the port), user, auth, password; the port has no line of its own.
  const line = side === 'imap' ? 10 : 20
  return [
    {...common, name: `${side}_service_auth_id`, role: 'status', type: 'status', createDefault: 0, wire: wire('ServiceAuthId', 'serviceAuthId', 'int'), view: {json: 'serviceAuthId'}},
    {
      ...common,
      name: `${side}_server`,
      role: 'setting',
      type: 'host',
      input: 'server',
      wire: wire('Server', 'server', 'string'),
      flag: `${side}-server`,
      summary: `${label} server host name.`,
      column: `${side}_server`,
      required: true,
      prompt: {label: `${label} server`},
      view: {json: 'server', label: `${label} server`, line},
    },
    {
      ...common,
      name: `${side}_port`,
      role: 'setting',
      type: 'port',
      input: 'port',
      range: PORT_RANGE,
      wire: wire('Port', 'port', 'int'),
      flag: `${side}-port`,
      summary: `${label} server port (default ${defaultPort} on create).`,
      column: `${side}_port`,
      createDefault: defaultPort,
      prompt: {label: `${label} port`},
      view: {json: 'port'},
    },
    {
      ...common,
      name: `${side}_auth_type`,
      role: 'setting',
      type: 'text',
      input: 'authType',
      wire: wire('AuthType', 'authType', 'string'),
      flag: `${side}-auth-type`,
      summary: `${label} authentication type as the server stores it (free text, e.g. plain or OAuth).`,
      column: `${side}_auth_type`,
      view: {json: 'authType', label: `${label} auth`, line: line + 2},
    },
    {
      ...common,
      name: `${side}_username`,
      role: 'setting',
      type: 'text',
      input: 'username',
      wire: wire('Username', 'username', 'string'),
      flag: `${side}-username`,
      summary: `${label} user name (default: the e-mail address on create).`,
      column: `${side}_username`,
      createDefault: {from: 'email'},
      prompt: {label: `${label} user name`},
      view: {json: 'username', label: `${label} user`, line: line + 1},
    },
    {
      ...common,
      name: `${side}_password`,
      role: 'setting',
      type: 'text',
      input: 'password',
      wire: wire('Password', 'password', 'string'),
      flag: `${side}-password`,
      summary: `${label} password (env ${env}).`,
      column: `${side}_password`,
      secret: true,
      env,
      required: true,
      prompt: {label: `${label} password`},
      view: {json: 'password', label: `${label} password`, line: line + 3},
    },
  ] as const satisfies readonly FieldEntry[]
}

/** Catalogue order is the order of flags, CSV columns, prompts, diffs and the --json view. */
export const ENTRIES = [
  {
    name: 'id',
    role: 'key',
    type: 'id',
    createDefault: 0,
    range: {min: ID_MIN, max: ID_MAX, rule: ID_RULE.account},
    wire: {path: 'EMailAccountId', key: 'emailAccountId', type: 'int'},
    flag: 'id',
    summary: 'Id of the account to update; without it, the account with the same associate and e-mail address is updated, or a new one created.',
    helpGroup: 'Account',
    column: 'id',
    view: {json: 'id', label: 'Account', line: 0},
  },
  {
    name: 'email',
    role: 'setting',
    type: 'email',
    input: 'email',
    wire: {path: 'EMailAddress', key: 'emailAddress', type: 'string'},
    flag: 'email',
    summary: "The account's e-mail (From) address.",
    helpGroup: 'Account',
    column: 'email',
    required: true,
    prompt: {label: 'E-mail address'},
    view: {json: 'email', label: 'E-mail', line: 1},
  },
  {
    name: 'associate_id',
    role: 'setting',
    type: 'associate',
    input: 'associateId',
    range: {min: ID_MIN, max: ID_MAX, rule: ID_RULE.associate},
    wire: {path: 'AssociateId', key: 'associateId', type: 'int'},
    flag: 'associate',
    summary: 'The user who owns the account: a user name, an e-mail address or an associate id (looked up and checked on the server).',
    helpGroup: 'Account',
    column: 'associate',
    // user_name is username once separators are dropped (normalizeColumnName), so it needs no entry of its own.
    aliases: ['associate_id', 'user', 'username', 'login'],
    required: true,
    prompt: {label: 'Owner (user name, e-mail, name or associate id)'},
    view: {json: 'associateId', label: 'Associate', line: 2},
  },
  ...serverFields(CREDENTIALS[0], 993),
  ...serverFields(CREDENTIALS[1], 587),
  {name: 'account_status', role: 'status', type: 'status', wire: {path: 'AccountStatus', key: 'accountStatus', type: 'short'}, view: {json: 'accountStatus', label: 'Status', line: 30}},
  {name: 'error_count', role: 'status', type: 'status', wire: {path: 'ErrorCount', key: 'errorCount', type: 'int'}, view: {json: 'errorCount'}},
  {name: 'error_reason', role: 'status', type: 'text', wire: {path: 'ErrorReason', key: 'errorReason', type: 'string'}, view: {json: 'errorReason'}},
  // Services88 as published in 2026 (schemas/xsd/email-services88.xsd): four members after ErrorReason.
  {
    name: 'inbox_folder',
    role: 'setting',
    type: 'text',
    since: '88',
    input: 'inboxFolder',
    wire: {path: 'InboxFolder', key: 'inboxFolder', type: 'string'},
    flag: 'inbox-folder',
    summary: 'Mail folder Inbox reads incoming mail from, e.g. INBOX (--api-version 88 only).',
    helpGroup: 'Account',
    column: 'inbox_folder',
    view: {json: 'inboxFolder', label: 'Inbox folder', line: 25},
  },
  {
    name: 'sent_folder',
    role: 'setting',
    type: 'text',
    since: '88',
    input: 'sentFolder',
    wire: {path: 'SentFolder', key: 'sentFolder', type: 'string'},
    flag: 'sent-folder',
    summary: 'Mail folder sent mail is stored in, e.g. Sent (--api-version 88 only).',
    helpGroup: 'Account',
    column: 'sent_folder',
    view: {json: 'sentFolder', label: 'Sent folder', line: 26},
  },
  {
    name: 'simple_mode',
    role: 'setting',
    type: 'switch',
    since: '88',
    input: 'simpleMode',
    wire: {path: 'SimpleMode', key: 'simpleMode', type: 'short'},
    flag: 'simple-mode',
    summary: `SimpleMode on or off (${SWITCH_WORDS}; --api-version 88 only; left as it is when not given).`,
    helpGroup: 'Account',
    column: 'simple_mode',
    view: {json: 'simpleMode', label: 'Simple mode', line: 27},
  },
  {name: 'last_fetch', role: 'status', type: 'datetime', since: '88', wire: {path: 'LastFetch', key: 'lastFetch', type: 'dateTime'}, view: {json: 'lastFetch', label: 'Last fetch', line: 31}},
] as const satisfies readonly FieldEntry[]

/**
 * The wire order of the newest schema: the XSD sequences of EMailAccount and ServiceAuth
 * (schemas/xsd/email-services88.xsd, after the Carrier base's members, which soemail never sends). An
 * older version's sequence is this one without the fields that arrived later (`since`); a test holds
 * each version's to its schema.
 */
export const WIRE_SEQUENCE: WireSequence = {
  EMailAccount: ['EMailAccountId', 'EMailAddress', 'AssociateId', 'IncomingCredentials', 'OutgoingCredentials', 'AccountStatus', 'ErrorCount', 'ErrorReason', 'InboxFolder', 'SentFolder', 'SimpleMode', 'LastFetch'],
  ServiceAuth: ['ServiceAuthId', 'Server', 'Port', 'AuthType', 'Username', 'Password'],
}

export interface WireSequence {
  readonly EMailAccount: readonly string[]
  readonly ServiceAuth: readonly string[]
}

export interface WireSpec {
  readonly element: string
  readonly key: string
  readonly type: WireScalar | 'ServiceAuth'
}

/**
 * Every field with the same members in the same order, absent ones undefined: the CSV path reads fields
 * for each row, and objects of one shape keep those reads fast.
 */
function uniform(f: FieldEntry, index: number): AccountField {
  return {
    name: f.name,
    index,
    role: f.role,
    type: f.type,
    since: f.since,
    side: f.side,
    input: f.input,
    range: f.range,
    wire: f.wire,
    flag: f.flag,
    summary: f.summary,
    helpGroup: f.helpGroup,
    column: f.column,
    aliases: f.aliases,
    secret: f.secret,
    env: f.env,
    required: f.required,
    createDefault: f.createDefault,
    prompt: f.prompt,
    view: f.view,
  }
}

/**
 * The catalogue and the lists and look-ups derived from it. A function of the entries so that a test can
 * add a field and watch it reach every flag, column, view and wire table.
 */
export function makeCatalogue(entries: readonly FieldEntry[], sequence: WireSequence) {
  const fields: readonly AccountField[] = entries.map((f, index) => Object.freeze(uniform(f, index)))

  function fieldByName(name: string): AccountField {
    const field = fields.find((f) => f.name === name)
    if (!field) throw new Error(`no account field ${name}`)
    return field
  }

  /** The side's field whose input member is `input`, e.g. sideField('smtp', 'authType'). */
  function sideField(side: Side, input: string): AccountField {
    const field = fields.find((f) => f.side === side && f.input === input)
    if (!field) throw new Error(`no ${side} field ${input}`)
    return field
  }

  /**
   * The wire table of EMailAccount or ServiceAuth in one API version: that version's XSD sequence, each
   * element with the catalogue field (or credentials member) that fills it. Throws at load when an
   * element has no field, so the sequence and the catalogue cannot drift apart.
   */
  function wireTable(type: keyof WireSequence, version: string): WireSpec[] {
    const table: WireSpec[] = []
    for (const element of sequence[type]) {
      const credentials = CREDENTIALS.find((c) => c.element === element)
      if (type === 'EMailAccount' && credentials) {
        table.push({element, key: credentials.key, type: 'ServiceAuth'})
        continue
      }
      // Both sides share the ServiceAuth type; the incoming side's entries describe it.
      const path = type === 'EMailAccount' ? element : `${CREDENTIALS[0].element}/${element}`
      const field = fields.find((f) => f.wire.path === path)
      if (!field) throw new Error(`${type}.${element} has no entry in the account field catalogue`)
      if (existsIn(field, version)) table.push({element, key: field.wire.key, type: field.wire.type})
    }
    return table
  }

  return {
    ACCOUNT_FIELDS: fields,
    /** Fields a user sets, in catalogue order. */
    SETTINGS: fields.filter((f) => f.role === 'setting'),
    /** Fields of the CSV import format, in the order export writes them. */
    CSV_COLUMNS: fields.filter((f) => f.column !== undefined),
    /** Fields with a flag, in the order --help lists them. */
    FLAG_FIELDS: fields.filter((f) => f.flag !== undefined),
    fieldByName,
    sideField,
    wireTable,
  }
}

export const {ACCOUNT_FIELDS, SETTINGS, CSV_COLUMNS, FLAG_FIELDS, fieldByName, sideField, wireTable} = makeCatalogue(ENTRIES, WIRE_SEQUENCE)

/** Whether the field is part of EMailAccount in this API version ("86", "87", "88"). */
export function existsIn(field: Pick<AccountField, 'since'>, version: string): boolean {
  return field.since === undefined || Number(version) >= Number(field.since)
}

/** "--inbox-folder exists only from --api-version 88 (Services88); this connection uses 87" */
export function versionMessage(name: string, field: AccountField, version: string): string {
  return `${name} exists only from --api-version ${field.since} (Services${field.since}); this connection uses ${version}`
}

/** --flag, for messages that name what the user typed. */
export const flagOf = (field: AccountField): string => `--${field.flag ?? field.name}`

/** The `--…-stdin` flag of a secret. */
export const stdinFlagOf = (field: AccountField): string => `${flagOf(field)}-stdin`

/** The `--…-prompt` flag of a secret: a masked prompt on the terminal, e.g. to change only a password. */
export const promptFlagOf = (field: AccountField): string => `${flagOf(field)}-prompt`
