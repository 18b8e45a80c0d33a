/**
 * Header cells soemail does not know are an error, never a silent drop (issue 11 §6): a file whose
 * `Port (IMAP)` column was ignored would be imported with the default port. This module names the nearest
 * known column for each, so that the error for `Port (IMAP)` can say `imap_port`, and reads
 * `--ignore-column`, the explicit way to leave a column out. Names are compared as sorted words: case, punctuation and word order
 * do not count ("Port (IMAP)" and "imap_port" are both "imap port"), then by edit distance
 * (fastest-levenshtein) against every column name and alias of the field catalogue. A few Nordic words
 * that admins' exports use are read as their English counterparts first; the table is small on purpose:
 * it only has to catch the common words, and a miss costs nothing but the suggestion.
 */
import {distance} from 'fastest-levenshtein'
import {UsageError, ValidationError} from '../errors.js'
import {CSV_COLUMNS} from '../model/account-fields.js'

const SYNONYMS: ReadonlyMap<string, string> = new Map([
  // e-mail (nb/nn/da/sv)
  ['epost', 'email'], ['epostadresse', 'email'], ['epostadress', 'email'], ['mailadresse', 'email'], ['mejl', 'email'],
  // password
  ['passord', 'password'], ['adgangskode', 'password'], ['losenord', 'password'],
  // user, user name
  ['bruker', 'user'], ['bruger', 'user'], ['anvandare', 'user'],
  ['brukernavn', 'username'], ['brugernavn', 'username'], ['anvandarnamn', 'username'],
  // incoming / outgoing server
  ['innkommende', 'imap'], ['inngaende', 'imap'], ['indgaende', 'imap'], ['inkommande', 'imap'],
  ['utgaende', 'smtp'], ['udgaende', 'smtp'],
  ['tjener', 'server'], ['tjenar', 'server'],
])

/** Words that add nothing to a column's meaning ("E-mail address" is the email column). */
const NOISE = new Set(['address', 'adresse', 'adress', 'the'])

/** "Port (IMAP)" -> "imap port"; "E-post" -> "email"; "imapPort" -> "imap port". */
export function columnWords(name: string): string[] {
  const raw = name
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '')
  const words: string[] = []
  for (let i = 0; i < raw.length; i++) {
    // "e" + "post" is one word written with a hyphen.
    const pair = i + 1 < raw.length ? SYNONYMS.get(`${raw[i]}${raw[i + 1]}`) : undefined
    if (pair !== undefined) {
      words.push(pair)
      i++
      continue
    }
    const word = raw[i] as string
    words.push(SYNONYMS.get(word) ?? word)
  }
  const meaningful = words.filter((w) => !NOISE.has(w))
  return (meaningful.length > 0 ? meaningful : words).sort()
}

interface Candidate {
  column: string
  words: string[]
  key: string
}

const CANDIDATES: readonly Candidate[] = CSV_COLUMNS.flatMap((f) =>
  [f.column as string, ...(f.aliases ?? [])].map((name) => {
    const words = columnWords(name)
    return {column: f.column as string, words, key: words.join(' ')}
  }),
)

/**
 * The known columns nearest to `header`, best first (more than one when they tie, as `Password` does
 * between imap_password and smtp_password); empty when nothing is near enough to be worth saying.
 */
export function suggestColumns(header: string): string[] {
  const words = columnWords(header)
  const key = words.join(' ')
  if (key === '') return []
  let best = Infinity
  let found: string[] = []
  for (const c of CANDIDATES) {
    const d = distance(key, c.key)
    // Near: a few edits for the length, or every word of the header is a word of the column ("Server").
    const near = d <= Math.max(1, Math.floor(Math.max(key.length, c.key.length) / 3)) || words.every((w) => c.words.includes(w))
    if (!near || d > best) continue
    if (d < best) {
      best = d
      found = []
    }
    if (!found.includes(c.column)) found.push(c.column)
  }
  return found
}

/** A header cell that is neither a field, an alias, nor mapped or ignored. */
export interface UnknownColumn {
  /** As written in the header, trimmed; empty for a cell with no name. */
  column: string
  /** 1-based position in the header. */
  position: number
}

/** How many unknown columns the message lists; the details carry them all. */
const LISTED = 10
/** A header cell can be long (a data line taken for a header); the message shows its start. */
const NAME_CHARS = 40

/** The exit-3 error for unknown columns: each with its nearest known column, the known columns, and the two ways out. */
export function unknownColumnsError(unknown: readonly UnknownColumn[], known: readonly string[]): ValidationError {
  const items = unknown.map((u) => {
    const suggestions = u.column === '' ? [] : suggestColumns(u.column)
    return {...u, suggestion: suggestions[0] ?? null, suggestions}
  })
  const shown = (name: string) => (name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS)}…` : name)
  const label = (u: UnknownColumn) => (u.column === '' ? `(no name, column ${u.position})` : `"${shown(u.column)}" (column ${u.position})`)
  const lines = items.slice(0, LISTED).map((u) => `${label(u)}: ${u.suggestions.length > 0 ? `did you mean ${u.suggestions.join(' or ')}?` : 'no known column is close'}`)
  if (items.length > LISTED) lines.push(`… and ${items.length - LISTED} more`)
  const first = items[0] as (typeof items)[number]
  const ref = first.column === '' || first.column.length > NAME_CHARS ? `#${first.position}` : first.column
  const mapExample = first.suggestion === null ? '' : `--map "${ref}=${first.suggestion}" (it is that field) or `
  return new ValidationError(
    `the header has ${items.length === 1 ? 'a column' : `${items.length} columns`} soemail does not know; their values would be lost, so nothing was sent:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    items.map((u) => ({field: u.column === '' ? `column ${u.position}` : u.column, message: u.suggestion === null ? 'unknown column' : `unknown column; did you mean ${u.suggestions.join(' or ')}?`})),
    {
      hint: `Rename the header cell to a known column, or pass ${mapExample}--ignore-column "${ref}" (leave it out; repeatable; #N names a column by position). Known columns: ${known.join(', ')}.`,
      details: {unknownColumns: items.map(({column, position, suggestion, suggestions}) => ({column, position, suggestion, suggestions})), knownColumns: known},
    },
  )
}

/** `--ignore-column` values: header names (compared like column names) and `#N` positions. */
export interface ColumnIgnores {
  names: ReadonlyMap<string, string>
  positions: ReadonlySet<number>
}

export const NO_IGNORES: ColumnIgnores = {names: new Map(), positions: new Set()}

/** Reads --ignore-column values; `normalize` is the header's own name comparison. */
export function parseIgnoreOptions(values: readonly string[] = [], normalize: (name: string) => string): ColumnIgnores {
  const names = new Map<string, string>()
  const positions = new Set<number>()
  for (const value of values) {
    const at = /^#(\d+)$/.exec(value.trim())
    if (at) {
      const n = Number(at[1])
      if (n < 1) throw new UsageError(`--ignore-column "${value}": columns are numbered from #1`)
      positions.add(n)
    } else if (normalize(value) === '') {
      throw new UsageError('--ignore-column needs a header name, or #N for the column at position N', {hint: 'for example --ignore-column "Notes" or --ignore-column "#7"'})
    } else names.set(normalize(value), value.trim())
  }
  return {names, positions}
}
