import {flagName, SERVER_KEYS, SIDES, type AccountInput} from '../accounts/input.js'
import {checkId, missingForCreate, validateInput} from '../accounts/validate.js'
import type {FieldProblem} from '../errors.js'
import {CSV_FIELDS, FIELD_INDEX, type HeaderLayout} from './columns.js'
import type {QuoteProblem} from './csv-records.js'
import {hashAdd, hashFinish, hashHex, hashHigh, hashLow, hashStart, KeyTable} from './row-keys.js'

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
  associateId?: number
}

/** "line 17, column smtp_port: smtp_port is 0; a port is a whole number from 1 to 65535" */
export function formatRowProblem(problem: RowProblem): string {
  return `line ${problem.line}, column ${problem.column}: ${problem.message}`
}

/** A row's problems as one results-file cell: "smtp_port: smtp_port is 0; ...; email: ..." */
export function rowProblemsText(problems: readonly RowProblem[]): string {
  return problems.map((p) => `${p.column}: ${p.message}`).join('; ')
}

const F = Object.fromEntries(CSV_FIELDS.map((f, i) => [f, i])) as Record<(typeof CSV_FIELDS)[number], number>
const IS_PASSWORD = CSV_FIELDS.map((f) => f.endsWith('_password'))

/** The CLI flag each field corresponds to, so validate.ts's flag-named messages can name the column instead. */
const FIELD_OF_FLAG = new Map<string, number>([
  ['--email', F.email],
  ['--associate', F.associate_id],
  ...SIDES.flatMap((side) => SERVER_KEYS.map((key) => [flagName(side, key), FIELD_INDEX.get(`${side}_${key === 'authType' ? 'auth_type' : key}`) as number] as [string, number])),
])

const SEED_ROW = 0x5eed1
const SEED_CREATE_KEY = 0xc4ea7e

/** Duplicate problems by line, as a pass over the whole file found them (PreflightReport.duplicates). */
export type KnownDuplicates = ReadonlyMap<number, RowProblem>

/** Builds and checks rows against one header; remembers keys across rows to find duplicates. */
export class RowBuilder {
  private readonly values: (string | undefined)[] = new Array(CSV_FIELDS.length).fill(undefined)
  private readonly flagged = new Uint8Array(CSV_FIELDS.length)
  // One table holds both kinds of key, as a row has at most one: ids as (0, id), creates as a 64-bit hash of
  // lower-cased e-mail and associate id with the high word's low bit set, so the two never meet. Two different
  // create keys share a hash with probability about n²/2^64, under 6e-8 for a million rows, so a hash match
  // is taken as a repeat.
  private readonly keys: KeyTable | undefined

  /**
   * `known`: the duplicates an earlier pass over the same file found, by line. They are taken as found
   * instead of being looked for again, which saves the key table (some 20 MB for a million rows).
   */
  constructor(private readonly layout: HeaderLayout, private readonly known?: KnownDuplicates) {
    if (!known) this.keys = new KeyTable()
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
      // Passwords are taken verbatim: a space at either end may be part of one.
      const value = raw === undefined || raw === '' ? undefined : IS_PASSWORD[f] ? raw : raw.trim()
      values[f] = value === '' ? undefined : value
    }

    let id: number | undefined
    const idText = values[F.id]
    if (idText !== undefined) {
      const n = parseWhole(idText)
      if (Number.isNaN(n)) this.problem(F.id, `${displayName[F.id]} is ${quoted(idText)}; it must be a positive whole number (or empty to create an account)`)
      else if (n !== 0) {
        const idProblems: FieldProblem[] = []
        checkId(displayName[F.id] as string, n, idProblems)
        for (const p of idProblems) this.problem(F.id, p.message)
        if (idProblems.length === 0) id = n
      }
    }
    const associateId = this.whole(F.associate_id, 'it must be a positive whole number')
    const input: AccountInput = {
      email: values[F.email],
      associateId,
      imap: {
        server: values[F.imap_server],
        port: this.whole(F.imap_port, 'a port is a whole number from 1 to 65535'),
        authType: values[F.imap_auth_type],
        username: values[F.imap_username],
        password: values[F.imap_password],
      },
      smtp: {
        server: values[F.smtp_server],
        port: this.whole(F.smtp_port, 'a port is a whole number from 1 to 65535'),
        authType: values[F.smtp_auth_type],
        username: values[F.smtp_username],
        password: values[F.smtp_password],
      },
    }

    // The same checks as `account save`, so a row and the equivalent flags pass or fail alike.
    for (const p of validateInput(input)) {
      const f = FIELD_OF_FLAG.get(p.field) as number
      const name = displayName[f] as string
      this.problem(f, p.message.startsWith(p.field) ? name + p.message.slice(p.field.length) : p.message.replaceAll(p.field, name))
    }
    const isCreate = id === undefined && flagged[F.id] === 0
    if (isCreate) {
      for (const missing of missingForCreate(input)) {
        const f = FIELD_OF_FLAG.get(missing.split(' ')[0] as string) as number
        if (flagged[f] === 1) continue
        const oauth = IS_PASSWORD[f] ? `, unless ${displayName[f - 2]} is an OAuth type` : ''
        this.problem(f, `${displayName[f]} is required to create an account (the row has no id)${oauth}`, cellIndex[f] === -1 ? 'absent-column' : undefined)
      }
    }

    const keys = this.keys
    if (!keys) {
      const repeat = this.known?.get(line)
      if (repeat) problems.push(repeat)
    } else if (id !== undefined) {
      const first = keys.firstLine(0, id, line)
      if (first !== 0) this.problem(F.id, `line ${line} repeats ${displayName[F.id]} ${id} from line ${first}`, 'duplicate')
    } else if (isCreate && input.email !== undefined && associateId !== undefined && flagged[F.email] === 0 && flagged[F.associate_id] === 0) {
      hashStart(SEED_CREATE_KEY)
      hashAdd(input.email.toLowerCase())
      hashAdd(String(associateId)) // as a number, so "05" and "5" are one associate
      hashFinish()
      const first = keys.firstLine((hashHigh() | 1) >>> 0, hashLow(), line)
      if (first !== 0) {
        this.problem(F.email, `line ${line} repeats ${displayName[F.email]} ${input.email} with ${displayName[F.associate_id]} ${associateId} from line ${first}`, 'duplicate')
      }
    }

    hashStart(SEED_ROW)
    for (let f = 0; f < values.length; f++) hashAdd(values[f])
    hashFinish()
    return {line, id, input, problems, hash: hashHex(), email: input.email, associateId}
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

  private whole(field: number, rule: string): number | undefined {
    const text = this.values[field]
    if (text === undefined) return undefined
    const n = parseWhole(text)
    if (!Number.isNaN(n)) return n
    this.problem(field, `${this.layout.displayName[field]} is ${quoted(text)}; ${rule}`)
    return undefined
  }

  private columnAt(cell: number): string {
    const name = this.layout.columns[cell]
    return name === undefined || name === '' ? String(cell + 1) : name
  }
}

/** Digits only, so "993.0", "1e3", "+5" and "-1" are refused rather than quietly read as numbers. */
function parseWhole(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return Number.NaN
    n = n * 10 + d
  }
  return n
}

/** Echoed values are cut short (a broken row can put a whole line into a number column) and escaped. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)
}
