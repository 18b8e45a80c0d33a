import type {AccountInput, InputValue} from '../accounts/input.js'
import {checkValue, missingFieldsForCreate, numberIssue, passwordWaiver, versionIssue, type FieldIssue, type NameOf} from '../accounts/validate.js'
import {ACCOUNT_FIELDS, CSV_COLUMNS, fieldByName, isId, parseSwitch, parseWhole, trimValue, type AccountField} from '../model/account-fields.js'
import type {HeaderLayout} from './header.js'
import type {QuoteProblem} from './split.js'
import {hashAdd, hashFinish, hashHex, hashHigh, hashLow, hashStart, KeyTable} from './row-keys.js'
import {fillServers, suggestionsFromPreset} from '../providers/fill.js'
import {PRESET_NAMES, presetByName} from '../providers/presets.js'

export interface RowProblem {
  /** Physical line the record starts on (the header is line 1). */
  line: number
  /**
   * The column as the file's header names it; the field name when the file has no such column; the 1-based
   * position for a cell the header gives no name ("line 9, column 14: ...").
   */
  column: string
  message: string
  /** duplicate: the row repeats an earlier row's key; absent-column: a create needs a column the file does not have. */
  kind?: 'duplicate' | 'absent-column'
}

export interface ImportRow {
  /** Physical line the record starts on (the header is line 1). */
  line: number
  /** Positive: update this account. Undefined: create (the cell was empty or 0). */
  id?: number
  /** Empty cells are undefined, which on update keeps the current value. */
  input: AccountInput
  /** Empty when the row is valid. */
  problems: RowProblem[]
  /** 16 hex digits over the row's normalized values (passwords included), to notice a changed file on resume. */
  hash: string
  email?: string
  /** As the file gives it (a number, or a user name or address) until the associates are resolved. */
  associateId?: number | string
  /** The user name of the resolved associate (results files show it beside the id). */
  associateName?: string
  /** A create whose empty servers are to be detected from its address (CsvOptions.detect). */
  detect?: true
  /** What detection filled, as `imap.example.no:993 (from SRV _imaps._tcp)`, for the plan. */
  filled?: string[]
}

/** "line 17, column smtp_port: smtp_port is 0; a port is a whole number from 1 to 65535" */
export function formatRowProblem(problem: RowProblem): string {
  return `line ${problem.line}, column ${problem.column}: ${problem.message}`
}

/** A row's problems as one results-file cell: "smtp_port: smtp_port is 0; ...; email: ..." */
export function rowProblemsText(problems: readonly RowProblem[]): string {
  return problems.map((p) => `${p.column}: ${p.message}`).join('; ')
}

// Per-column tables, made once from the catalogue: row arrays are indexed like CSV_COLUMNS.
const COLUMNS = CSV_COLUMNS.length
// An associate cell is an id, a user name or an address: digits become a number, the rest stays text for the resolver.
const IS_NUMBER = CSV_COLUMNS.map((f) => f.range !== undefined && f.type !== 'associate')
const IS_ASSOCIATE = CSV_COLUMNS.map((f) => f.type === 'associate')
const IS_SETTING = CSV_COLUMNS.map((f) => f.role === 'setting')
const IS_SWITCH = CSV_COLUMNS.map((f) => f.type === 'switch')
// Where a setting goes in an AccountInput: its side's ServerInput or the input itself, under which member.
const SIDE_OF = CSV_COLUMNS.map((f) => f.side)
const MEMBER = CSV_COLUMNS.map((f) => f.input as string)
/** Column of each catalogue field, -1 for fields the format leaves out. */
const COLUMN_OF = new Int32Array(ACCOUNT_FIELDS.length).fill(-1)
CSV_COLUMNS.forEach((f, c) => {
  COLUMN_OF[f.index] = c
})
const columnOf = (name: string) => COLUMN_OF[fieldByName(name).index] as number
const ID = columnOf('id')
const EMAIL = columnOf('email')
/** The associate column's index; exported for the pass that resolves associates and names the column in problems. */
export const ASSOCIATE = columnOf('associate_id')
const ID_FIELD = CSV_COLUMNS[ID]!
/** The fields detection fills (CsvOptions.detect): a create may leave them empty. */
const DETECTED: ReadonlySet<AccountField> = new Set(CSV_COLUMNS.filter((f) => f.side && f.input === 'server'))

const SEED_ROW = 0x5eed1
const SEED_CREATE_KEY = 0xc4ea7e

/** Duplicate problems by line, as a pass over the whole file found them (PreflightReport.duplicates). */
export type KnownDuplicates = ReadonlyMap<number, RowProblem>

/** Builds and checks rows against one header; remembers keys across rows to find duplicates. */
export class RowBuilder {
  private readonly values: (string | undefined)[] = new Array(COLUMNS).fill(undefined)
  private readonly flagged = new Uint8Array(COLUMNS)
  private readonly issues: FieldIssue[] = []
  /** Messages name a field by its column as the file's header writes it. */
  private readonly nameOf: NameOf
  // One table holds both kinds of key, as a row has at most one: ids as (0, id), creates as a 64-bit hash of
  // lower-cased e-mail and associate id with the high word's low bit set, so the two never meet. Two different
  // create keys share a hash with probability about n²/2^64, under 6e-8 for a million rows, so a hash match
  // is taken as a repeat.
  private readonly keys: KeyTable | undefined

  /**
   * `known`: the duplicates an earlier pass over the same file found, by line. They are taken as found
   * instead of being looked for again, which saves the key table (some 20 MB for a million rows).
   */
  /** Per column, the issue a value in it raises under the connection's API version (a later version's field). */
  private readonly versionIssues: ReadonlyArray<FieldIssue | undefined>

  constructor(private readonly layout: HeaderLayout, private readonly known?: KnownDuplicates, apiVersion?: string, private readonly detect = false) {
    if (!known) this.keys = new KeyTable()
    this.versionIssues = CSV_COLUMNS.map((f) => (apiVersion === undefined ? undefined : versionIssue(f, apiVersion)))
    this.nameOf = (field) => layout.displayName[COLUMN_OF[field.index] as number] ?? field.column ?? field.name
  }

  /** The row of one record, or undefined when every cell is empty (Excel writes such rows as ";;;;"). */
  build(cells: string[], line: number, quoteProblem: QuoteProblem | undefined): ImportRow | undefined {
    const {cellIndex, displayName, width} = this.layout
    const values = this.values
    let blank = true
    for (let c = 0; c < cells.length; c++) {
      if ((cells[c] as string).trim() !== '') {
        blank = false
        break
      }
    }
    if (blank && quoteProblem === undefined) return undefined

    const problems: RowProblem[] = []
    this.problems = problems
    this.line = line
    const flagged = this.flagged
    flagged.fill(0)
    if (quoteProblem !== undefined) problems.push({line, column: this.columnAt(quoteProblem.cell), message: quoteProblem.message})
    for (let c = width; c < cells.length; c++) {
      if ((cells[c] as string).trim() !== '') {
        problems.push({line, column: String(c + 1), message: `the row has more values than the header has columns (${width}); is a value with the delimiter in it missing its quotes?`})
        break
      }
    }

    for (let f = 0; f < values.length; f++) {
      const at = cellIndex[f] as number
      const raw = at === -1 ? undefined : cells[at]
      const value = raw === undefined || raw === '' ? undefined : trimValue(CSV_COLUMNS[f]!, raw)
      values[f] = value === '' ? undefined : value
    }

    let id: number | undefined
    const idText = values[ID]
    if (idText !== undefined) {
      const n = parseWhole(idText)
      if (isId(n)) id = n
      else if (n !== 0) {
        const issue = numberIssue(ID_FIELD, idText)
        this.problem(ID, `${issue.say(this.nameOf)} (or empty to create an account)`)
      }
    }

    // The same checks as `account save`, so a row and the equivalent flags pass or fail alike.
    const issues = this.issues
    issues.length = 0
    const input: AccountInput = {imap: {}, smtp: {}}
    for (let c = 0; c < COLUMNS; c++) {
      if (!IS_SETTING[c]) continue
      const field = CSV_COLUMNS[c]!
      const text = values[c]
      let value: InputValue = text
      const tooNew = text === undefined ? undefined : this.versionIssues[c]
      if (tooNew !== undefined) {
        issues.push(tooNew)
        value = undefined
      } else if (text !== undefined && IS_SWITCH[c]) {
        value = parseSwitch(text)
        if (value === undefined) checkValue(field, text, issues)
      } else if (text !== undefined && IS_NUMBER[c]) {
        value = parseWhole(text)
        if (Number.isNaN(value)) {
          issues.push(numberIssue(field, text))
          value = undefined
        } else checkValue(field, value, issues)
      } else if (text !== undefined) {
        checkValue(field, text, issues)
        if (IS_ASSOCIATE[c]) {
          const n = parseWhole(text)
          if (!Number.isNaN(n)) value = n
        }
      }
      const side = SIDE_OF[c]
      const holder = (side === undefined ? input : input[side]) as Record<string, InputValue>
      holder[MEMBER[c] as string] = value
    }
    for (const issue of issues) this.problem(COLUMN_OF[issue.field.index] as number, issue.say(this.nameOf))
    const associateId = input.associateId
    const providerAt = this.layout.providerCell
    if (providerAt !== -1) this.fillFromProvider(cells[providerAt], input, providerAt)

    const isCreate = id === undefined && flagged[ID] === 0
    let detect = false
    if (isCreate) {
      for (const field of missingFieldsForCreate(input)) {
        const c = COLUMN_OF[field.index] as number
        if (flagged[c] === 1) continue
        if (this.detect && input.email !== undefined && flagged[EMAIL] === 0 && DETECTED.has(field)) {
          detect = true
          continue
        }
        const waiver = passwordWaiver(field)
        const oauth = waiver ? `, unless ${this.nameOf(waiver)} is an OAuth type` : ''
        this.problem(c, `${this.nameOf(field)} is required to create an account (the row has no id)${oauth}`, cellIndex[c] === -1 ? 'absent-column' : undefined)
      }
    }

    const keys = this.keys
    if (!keys) {
      const repeat = this.known?.get(line)
      if (repeat) problems.push(repeat)
    } else if (id !== undefined) {
      const first = keys.firstLine(0, id, line)
      if (first !== 0) this.problem(ID, `line ${line} repeats ${displayName[ID]} ${id} from line ${first}`, 'duplicate')
    } else if (isCreate && input.email !== undefined && associateId !== undefined && flagged[EMAIL] === 0 && flagged[ASSOCIATE] === 0) {
      hashStart(SEED_CREATE_KEY)
      hashAdd(input.email.toLowerCase())
      hashAdd(typeof associateId === 'number' ? String(associateId) : associateId.toLowerCase()) // "05" and "5" are one associate, as are Kari and kari
      hashFinish()
      const first = keys.firstLine((hashHigh() | 1) >>> 0, hashLow(), line)
      if (first !== 0) {
        this.problem(EMAIL, `line ${line} repeats ${displayName[EMAIL]} ${input.email} with ${displayName[ASSOCIATE]} ${associateId} from line ${first}`, 'duplicate')
      }
    }

    hashStart(SEED_ROW)
    for (let f = 0; f < values.length; f++) hashAdd(values[f])
    if (providerAt !== -1) hashAdd(cells[providerAt])
    hashFinish()
    const row: ImportRow = {line, id, input, problems, hash: hashHex(), email: input.email, associateId}
    if (detect) row.detect = true
    return row
  }

  /** The provider cell: its preset fills the servers, ports and user names the row leaves empty (given cells win). */
  private fillFromProvider(cell: string | undefined, input: AccountInput, at: number): void {
    const name = cell?.trim()
    if (!name) return
    const preset = presetByName(name)
    if (!preset?.incoming || !preset.outgoing) {
      const column = this.columnAt(at)
      const message = preset ? `${column} "${preset.name}" has no IMAP/SMTP server soemail can use: ${preset.note}` : `${column} "${name}" is not a known provider; use one of ${PRESET_NAMES.join(', ')} (soemail providers lists them)`
      this.problems.push({line: this.line, column, message})
      return
    }
    const suggestions = suggestionsFromPreset(preset, input.email ?? '')
    // A row without its address (an update by id) cannot know the user name; it keeps the stored one.
    if (input.email === undefined) for (const side of ['imap', 'smtp'] as const) if (suggestions[side]) suggestions[side] = {...suggestions[side]!, username: undefined}
    fillServers(input, suggestions)
  }

  /** Frees the duplicate keys' memory; build() must not be called afterwards. */
  release(): void {
    this.keys?.release()
  }

  // The row being built, for problem(); fields rather than a closure per row.
  private line = 0
  private problems: RowProblem[] = []

  private problem(field: number, message: string, kind?: RowProblem['kind']): void {
    this.flagged[field] = 1
    const column = this.layout.displayName[field] as string
    this.problems.push(kind === undefined ? {line: this.line, column, message} : {line: this.line, column, message, kind})
  }

  private columnAt(cell: number): string {
    const name = this.layout.columns[cell]
    return name === undefined || name === '' ? String(cell + 1) : name
  }
}
