import {readFileSync} from 'node:fs'
import {parse} from 'csv-parse/sync'
import {UsageError} from '../errors.js'
import {accountIdMessage, parseAccountId} from '../model/account-fields.js'

const ID_COLUMNS = ['account_id', 'id']

/** Account ids from "1,2,3". */
export function parseIdList(text: string, flag: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => checkId(t, `an id in ${flag}`))
}

/**
 * Account ids from a file: a plain list (one per line; blank lines and # comments skipped), or a CSV
 * with an account_id column (a results file: only rows with status ok) or an id column (a created file).
 */
export function readIdsFile(path: string): number[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '')
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`)
  }
  const first = text.split(/\r?\n/, 1)[0] ?? ''
  // Results and created files are written with their import's delimiter: `,`, `;` or tab.
  const delimiter = [',', ';', '\t'].find((d) => idColumn(first, d) !== undefined) ?? ','
  const column = idColumn(first, delimiter)
  if (!column) {
    // Lines are numbered before blanks and comments are dropped, so a message points at the line in the file.
    return text
      .split(/\r?\n/)
      .map((l, i) => [l.replace(/#.*$/, '').trim(), i + 1] as const)
      .filter(([t]) => t !== '')
      .map(([t, n]) => checkId(t, 'id', `${path} line ${n}: `))
  }
  const records = parse(text, {columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, delimiter, relax_column_count: true}) as Array<Record<string, string>>
  const ids: number[] = []
  records.forEach((r, i) => {
    if ('status' in r && r.status !== 'ok') return
    const value = r[column]?.trim()
    if (value) ids.push(checkId(value, column, `${path} line ${i + 2}, column ${column}: `))
  })
  return ids
}

function idColumn(headerLine: string, delimiter: string): string | undefined {
  const header = headerLine.split(delimiter).map((h) => h.trim().toLowerCase())
  return ID_COLUMNS.find((c) => header.includes(c))
}

function checkId(text: string, name: string, where = ''): number {
  const id = parseAccountId(text)
  if (id === undefined) throw new UsageError(where + accountIdMessage(name, text))
  return id
}
