import {UsageError, ValidationError} from '../errors.js'
import {accountValue} from '../accounts/merge.js'
import {CSV_COLUMNS, fieldByName} from '../model/account-fields.js'
import type {EMailAccount} from '../soap/account-model.js'
import {NO_IGNORES, unknownColumnsError, type ColumnIgnores, type UnknownColumn} from './unknown-columns.js'

/** The import format's columns, in the order export writes them (DESIGN.md "Bulk CSV format"), from the field catalogue. */
export const CSV_FIELDS: readonly string[] = CSV_COLUMNS.map((f) => f.column as string)
export type CsvField = string

/** An account as a row of CSV_FIELDS; secrets only with `secrets` (undo files never get them). */
export function accountRow(a: EMailAccount, secrets: boolean): Array<string | number | undefined> {
  return CSV_COLUMNS.map((f) => (f.secret && !secrets ? undefined : accountValue(a, f)))
}

/** Column index by name; rows are handled as arrays indexed like CSV_FIELDS, not as objects. */
export const FIELD_INDEX: ReadonlyMap<string, number> = new Map(CSV_FIELDS.map((f, i) => [f, i]))

// The columns that name an account: an id for updates, e-mail and associate for creates.
const ID = fieldByName('id').column as string
const EMAIL = fieldByName('email').column as string
const ASSOCIATE = fieldByName('associate_id').column as string

/**
 * `IMAP Server`, `imap-server` and ` imap_server ` are one column. Separators are dropped rather than
 * unified so that `E-mail`, `AssociateId` and `imapPort` match too; no two fields differ only in them.
 */
export function normalizeColumnName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, '')
}

/** Every name a header may give a column (its own and its aliases), normalized, to the column. */
const FIELD_BY_NORMALIZED: ReadonlyMap<string, CsvField> = new Map(CSV_COLUMNS.flatMap((f) => [f.column as string, ...(f.aliases ?? [])].map((name) => [normalizeColumnName(name), f.column as string] as const)))

/** The delimiters detection chooses between, in the order that wins a tie. */
export const DETECTED_DELIMITERS = [',', ';', '\t'] as const

/** `--delimiter` value to the character; `tab` and a typed `\t` are accepted because a shell makes a real tab awkward. */
export function parseDelimiterOption(value: string): string {
  if (value === ',' || value === ';' || value === '\t') return value
  if (value.toLowerCase() === 'tab' || value === '\\t') return '\t'
  throw new UsageError(`--delimiter "${value}" is not supported; use , ; or tab`)
}

/** `--map` values by normalized column name: the field, and the column as the user typed it. */
export type ColumnMaps = ReadonlyMap<string, {field: CsvField; column: string}>

/** `--map col=field` values; throws UsageError for a malformed one or an unknown field. */
export function parseMapOptions(maps: readonly string[] = []): ColumnMaps {
  const result = new Map<string, {field: CsvField; column: string}>()
  for (const spec of maps) {
    const eq = spec.lastIndexOf('=')
    const column = eq > 0 ? normalizeColumnName(spec.slice(0, eq)) : ''
    const target = eq > 0 ? spec.slice(eq + 1).trim() : ''
    if (column === '' || target === '') throw new UsageError(`--map "${spec}" is not column=field`, {hint: 'for example --map "E-post=email"'})
    const field = FIELD_BY_NORMALIZED.get(normalizeColumnName(target))
    if (field === undefined) throw new UsageError(`--map "${spec}": "${target}" is not a field; use one of ${CSV_FIELDS.join(', ')}`)
    const earlier = result.get(column)?.field
    if (earlier !== undefined && earlier !== field) throw new UsageError(`--map gives column "${spec.slice(0, eq).trim()}" two fields (${earlier} and ${field})`)
    result.set(column, {field, column: spec.slice(0, eq).trim()})
  }
  return result
}

/** Which field a header cell names, after --map; undefined for unknown or empty names. */
function fieldOf(name: string, maps: ColumnMaps): CsvField | undefined {
  const normalized = normalizeColumnName(name)
  return maps.get(normalized)?.field ?? FIELD_BY_NORMALIZED.get(normalized)
}

/** How many known fields a header line gives with a delimiter: detection picks the delimiter that gives most. */
export function countKnownColumns(cells: readonly string[], maps: ColumnMaps): number {
  const seen = new Set<CsvField>()
  for (const cell of cells) {
    const field = fieldOf(cell, maps)
    if (field !== undefined) seen.add(field)
  }
  return seen.size
}

export interface HeaderLayout {
  /** Every header cell as written in the file, trimmed, without the nameless ones a trailing delimiter leaves. */
  columns: string[]
  /** Recognized fields in file order. */
  fields: CsvField[]
  /** Cell index of each field (indexed like CSV_FIELDS), -1 when the file has no such column. */
  cellIndex: Int32Array
  /** What messages call each field: the header cell as written, or the field name when absent. */
  displayName: string[]
  /** Header cells left out with --ignore-column, as written (an unknown column is an error instead). */
  ignoredColumns: string[]
  /** Cells past this index are tolerated only when empty (a trailing delimiter gives an empty last column). */
  width: number
  /** Cell index of the `provider` column (a preset that fills the row's servers), -1 when absent. */
  providerCell: number
}

/** The column that names a built-in preset for the row's servers (soemail providers); not an account field. */
export const PROVIDER_COLUMN = 'provider'

/**
 * Reads the header record; throws for problems no row could survive, among them a column that is neither
 * a field, an alias, mapped (--map) nor left out (--ignore-column): its values would be lost unseen.
 */
export function resolveHeader(cells: readonly string[], maps: ColumnMaps, ignores: ColumnIgnores = NO_IGNORES): HeaderLayout {
  const cellIndex = new Int32Array(CSV_FIELDS.length).fill(-1)
  const fields: CsvField[] = []
  const unknown: UnknownColumn[] = []
  const ignoredColumns: string[] = []
  let providerCell = -1
  let width = 0
  cells.forEach((cell, i) => {
    if (cell.trim() !== '') width = i + 1
  })
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string
    const normalized = normalizeColumnName(cell)
    if (ignores.positions.has(i + 1) || (normalized !== '' && ignores.names.has(normalized))) {
      if (maps.has(normalized)) throw new UsageError(`column "${cell.trim()}" is both mapped (--map) and ignored (--ignore-column); choose one`)
      ignoredColumns.push(cell.trim() === '' ? `#${i + 1}` : cell.trim())
      continue
    }
    if (cell.trim() === '') {
      // A trailing delimiter leaves nameless cells at the end; one in the middle may hold values.
      if (i < width) unknown.push({column: '', position: i + 1})
      continue
    }
    if (normalized === PROVIDER_COLUMN && !maps.has(normalized)) {
      if (providerCell !== -1) throw new ValidationError(`the header has two ${PROVIDER_COLUMN} columns (${providerCell + 1} and ${i + 1})`, [{field: PROVIDER_COLUMN, message: 'duplicate column'}], {hint: 'remove one'})
      providerCell = i
      continue
    }
    const field = fieldOf(cell, maps)
    if (field === undefined) {
      unknown.push({column: cell.trim(), position: i + 1})
      continue
    }
    const f = FIELD_INDEX.get(field) as number
    const earlier = cellIndex[f] as number
    if (earlier !== -1) {
      throw new ValidationError(`the header has two columns for ${field}: "${(cells[earlier] as string).trim()}" (column ${earlier + 1}) and "${cell.trim()}" (column ${i + 1})`, [{field, message: 'duplicate column'}], {hint: 'remove one, or rename it with --map'})
    }
    cellIndex[f] = i
    fields.push(field)
  }
  for (const [normalized, {column}] of maps) {
    if (!cells.some((cell) => normalizeColumnName(cell) === normalized)) {
      throw new UsageError(`--map names a column "${column}" that the header does not have; its columns are: ${cells.map((c) => c.trim()).filter((c) => c !== '').join(', ')}`)
    }
  }
  const present = ignores.names.size > 0 ? new Set(cells.map(normalizeColumnName)) : undefined
  for (const [normalized, name] of ignores.names) {
    if (!present?.has(normalized)) {
      throw new UsageError(`--ignore-column names a column "${name}" that the header does not have; its columns are: ${cells.map((c) => c.trim()).filter((c) => c !== '').join(', ')}`)
    }
  }
  for (const position of ignores.positions) {
    if (position > cells.length) throw new UsageError(`--ignore-column "#${position}": the header has ${cells.length} columns`)
  }
  if (fields.length === 0) {
    throw new ValidationError(`the first line is not a header: it has none of the columns ${CSV_FIELDS.join(', ')}`, [], {hint: 'add a header row, or rename columns with --map column=field'})
  }
  if (unknown.length > 0) throw unknownColumnsError(unknown, CSV_FIELDS)
  const has = (f: CsvField) => (cellIndex[FIELD_INDEX.get(f) as number] as number) !== -1
  if (!has(ID) && !(has(EMAIL) && has(ASSOCIATE))) {
    const missing = [EMAIL, ASSOCIATE].filter((f) => !has(f))
    throw new ValidationError(`the file has no ${missing.join(' or ')} column and no id column, so no row can name an account`, [], {
      hint: `rows that create accounts need ${EMAIL} and ${ASSOCIATE}; rows that update need ${ID} (use --map to rename columns)`,
    })
  }
  const displayName = CSV_FIELDS.map((f, i) => {
    const at = cellIndex[i] as number
    return at === -1 ? f : (cells[at] as string).trim()
  })
  return {columns: cells.slice(0, width).map((c) => c.trim()), fields, cellIndex, displayName, ignoredColumns, width, providerCell}
}
