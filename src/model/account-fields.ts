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
 * server's columns hold (MAX_TEXT). `status` fields are read-only numbers the server reports.
 */
export type FieldType = 'id' | 'associate' | 'email' | 'host' | 'port' | 'text' | 'status'
export type WireScalar = 'int' | 'short' | 'string'

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
function serverFields({side, element}: (typeof CREDENTIALS)[number], defaultPort: number): FieldEntry[] {
  const label = side.toUpperCase()
  const env = `SOEMAIL_${label}_PASSWORD`
  const common = {side, helpGroup: label} as const
  const wire = (member: string, key: string, type: WireScalar) => ({path: `${element}/${member}`, key, type})
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
  ]
}

/** Catalogue order is the order of flags, CSV columns, prompts, diffs and the --json view. */
export const ENTRIES: readonly FieldEntry[] = [
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
]

/**
 * The wire order: the XSD sequences of EMailAccount and ServiceAuth (schemas/xsd/email-services87.xsd,
 * after the Carrier base's members, which soemail never sends). A test holds them to the schema.
 */
export const WIRE_SEQUENCE: WireSequence = {
  EMailAccount: ['EMailAccountId', 'EMailAddress', 'AssociateId', 'IncomingCredentials', 'OutgoingCredentials', 'AccountStatus', 'ErrorCount', 'ErrorReason'],
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
   * The wire table of EMailAccount or ServiceAuth: the XSD sequence, each element with the catalogue
   * field (or credentials member) that fills it. Throws at load when an element has no field, so the
   * sequence and the catalogue cannot drift apart.
   */
  function wireTable(type: keyof WireSequence): WireSpec[] {
    return sequence[type].map((element) => {
      const credentials = CREDENTIALS.find((c) => c.element === element)
      if (type === 'EMailAccount' && credentials) return {element, key: credentials.key, type: 'ServiceAuth'}
      // Both sides share the ServiceAuth type; the incoming side's entries describe it.
      const path = type === 'EMailAccount' ? element : `${CREDENTIALS[0].element}/${element}`
      const field = fields.find((f) => f.wire.path === path)
      if (!field) throw new Error(`${type}.${element} has no entry in the account field catalogue`)
      return {element, key: field.wire.key, type: field.wire.type}
    })
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

/** --flag, for messages that name what the user typed. */
export const flagOf = (field: AccountField): string => `--${field.flag ?? field.name}`

/** The `--…-stdin` flag of a secret. */
export const stdinFlagOf = (field: AccountField): string => `${flagOf(field)}-stdin`
