import {distance} from 'fastest-levenshtein'
import type {ArchiveService} from '../soap/archive-service.js'
import {restrictionValue, type ArchiveRow} from '../soap/archive-service.js'
import {isId, parseWhole} from '../model/account-fields.js'

/** An associate (user) as the AllUsers archive lists it. */
export interface Associate {
  id: number
  userName: string
  fullName: string
  email: string
  active: boolean
  /** From assocType: a person (associate, external user) or not (system user, anonymous, a resource such as a room). */
  type: 'associate' | 'external' | 'system' | 'anonymous' | 'resource'
}

/** What `--associate` or the CSV column may hold: an associate id, a user name or an e-mail address. */
export type AssociateRef = string | number

export type Resolution = {ok: true; associate: Associate} | {ok: false; problem: string; candidates: Associate[]}

/** `Kari Nordmann (kari, #12)`: the person, their user name and their id. */
export function describeAssociate(a: Pick<Associate, 'id' | 'userName' | 'fullName'>): string {
  return `${a.fullName || a.userName} (${a.userName}, #${a.id})`
}

const COLUMNS = ['associateDbId', 'userName', 'fullName', 'personEmail', 'isActive', 'assocType'] as const
const PROVIDER = 'AllUsers'
/** Values per oneOf: keeps each request a few kilobytes, so 500 users take 5 calls. */
const BATCH = 100
const PAGE_SIZE = 1000
/** Unknown values for which near matches are searched (one call each); the rest are reported bare. */
const CANDIDATE_SEARCHES = 10

type Kind = 'id' | 'email' | 'user'
const COLUMN_OF: Record<Kind, string> = {id: 'associateDbId', email: 'personEmail', user: 'userName'}

/** How a reference is looked up, and its key in the cache (case-insensitive for names and addresses). */
export function refKey(ref: AssociateRef): {kind: Kind; key: string; value: string | number} {
  const text = String(ref).trim()
  const n = typeof ref === 'number' ? ref : parseWhole(text)
  if (!Number.isNaN(n)) return {kind: 'id', key: `#${n}`, value: n}
  if (text.includes('@')) return {kind: 'email', key: `@${text.toLowerCase()}`, value: text}
  return {kind: 'user', key: `~${text.toLowerCase()}`, value: text}
}

/**
 * Turns what an admin typed into an associate, through the Archive agent (provider AllUsers), and checks
 * it can own a mailbox: known, one person only, active, a person. Look-ups are batched with oneOf and
 * cached for the run, so a file names each user once in the requests however many rows it has.
 */
export class AssociateResolver {
  private readonly found = new Map<string, Associate[]>()
  /** Archive requests made, for tests and --trace readers. */
  calls = 0

  constructor(private readonly archive: ArchiveService) {}

  /** The associates a reference matches (cached): none, one, or several for a shared e-mail. */
  async lookup(ref: AssociateRef): Promise<Associate[]> {
    await this.prefetch([ref])
    return this.found.get(refKey(ref).key) ?? []
  }

  /** Looks up every reference not yet cached, kind by kind, BATCH values a request. */
  async prefetch(refs: Iterable<AssociateRef>): Promise<void> {
    const wanted: Record<Kind, Map<string, string | number>> = {id: new Map(), email: new Map(), user: new Map()}
    for (const ref of refs) {
      const {kind, key, value} = refKey(ref)
      if (this.found.has(key)) continue
      if (kind === 'id' && !isId(value as number)) {
        this.found.set(key, [])
        continue
      }
      wanted[kind].set(key, value)
    }
    for (const kind of ['id', 'user', 'email'] as const) {
      const entries = [...wanted[kind]]
      for (let i = 0; i < entries.length; i += BATCH) {
        const batch = entries.slice(i, i + BATCH)
        const rows = await this.query(`${COLUMN_OF[kind]} oneOf(${batch.map(([, v]) => restrictionValue(v)).join(',')})`)
        // Cached only once answered: a call that failed (an expired ticket, say) is asked again, not taken as "nobody".
        const answered = new Map<string, Associate[]>(batch.map(([key]) => [key, []]))
        for (const associate of rows) {
          const list = answered.get(refKey(kind === 'id' ? associate.id : kind === 'email' ? associate.email : associate.userName).key)
          if (list && !list.some((a) => a.id === associate.id)) list.push(associate)
        }
        for (const [key, list] of answered) this.found.set(key, list)
      }
    }
  }

  /** Resolves and checks every reference; the map is keyed by refKey(ref).key. */
  async resolveAll(refs: Iterable<AssociateRef>): Promise<Map<string, Resolution>> {
    const list = [...refs]
    await this.prefetch(list)
    const results = new Map<string, Resolution>()
    let searches = 0
    for (const ref of list) {
      const {key} = refKey(ref)
      if (results.has(key)) continue
      const matches = this.found.get(key) ?? []
      let resolution = judge(ref, matches)
      if (!resolution.ok && matches.length === 0 && searches < CANDIDATE_SEARCHES) {
        searches++
        const near = await this.nearMatches(String(ref))
        resolution = {ok: false, candidates: near, problem: `${resolution.problem}${near.length > 0 ? `; did you mean ${near.map(describeAssociate).join(', ')}?` : ''}`}
      }
      results.set(key, resolution)
    }
    return results
  }

  async resolve(ref: AssociateRef): Promise<Resolution> {
    return (await this.resolveAll([ref])).get(refKey(ref).key)!
  }

  /** Active people whose user name or e-mail begins with, or whose name contains, `text` (the prompt's search). */
  async search(text: string, limit = 10): Promise<Associate[]> {
    const term = text.trim()
    if (term === '') return []
    const v = restrictionValue(term)
    const n = parseWhole(term)
    const byId = isId(n) ? `associateDbId = ${n} or ` : ''
    const rows = await this.query(`(${byId}userName begins ${v} or personEmail begins ${v} or fullName contains ${v}) and isActive = 1`, limit * 2)
    return rows.filter(canOwnMailbox).slice(0, limit)
  }

  /**
   * Users whose user name or address is close to a value nobody has (a typo: "karii", "ola.nordman@…"):
   * those sharing its first three letters, nearest first by edit distance.
   */
  private async nearMatches(text: string): Promise<Associate[]> {
    const term = text.trim().toLowerCase()
    const local = term.split('@')[0] ?? term
    if (local.length < 2) return []
    const prefix = local.slice(0, 3)
    const found = await this.search(prefix, 50)
    const score = (a: Associate) => Math.min(distance(term, a.userName.toLowerCase()), distance(term, a.email.toLowerCase()), distance(local, a.fullName.toLowerCase()))
    return found
      .map((a) => ({a, d: score(a)}))
      .filter(({d}) => d <= Math.max(2, Math.floor(term.length / 3)))
      .sort((x, y) => x.d - y.d)
      .slice(0, 5)
      .map(({a}) => a)
  }

  private async query(restrictions: string, pageSize = PAGE_SIZE): Promise<Associate[]> {
    const all: Associate[] = []
    for (let page = 0; ; page++) {
      this.calls++
      const rows = await this.archive.getArchiveListByColumns2({provider: PROVIDER, columns: COLUMNS, restrictions, page, pageSize})
      all.push(...rows.map(associateOf))
      if (rows.length < pageSize || pageSize < PAGE_SIZE) return all
    }
  }
}

function associateOf(row: ArchiveRow): Associate {
  const c = row.columns
  const id = parseWhole(c.associateDbId ?? '') || row.primaryKey
  const type = (c.assocType ?? '').toLowerCase()
  return {
    id,
    userName: c.userName ?? '',
    fullName: c.fullName ?? '',
    email: c.personEmail ?? '',
    active: /^(1|true|yes)$/i.test((c.isActive ?? '1').trim()),
    type: type.includes('system') ? 'system' : type.includes('anonymous') ? 'anonymous' : type.includes('resource') ? 'resource' : type.includes('external') ? 'external' : 'associate',
  }
}

const canOwnMailbox = (a: Associate) => a.active && (a.type === 'associate' || a.type === 'external')

/** Whether the matches name exactly one associate who can own a mailbox, and if not, why. */
function judge(ref: AssociateRef, matches: Associate[]): Resolution {
  const {kind, value} = refKey(ref)
  const shown = typeof value === 'number' ? String(value) : `"${value}"`
  const what = {id: 'associate id', email: 'e-mail address', user: 'user name'}[kind]
  if (matches.length === 0) return {ok: false, candidates: [], problem: `no user has the ${what} ${shown}`}
  if (matches.length > 1) {
    return {ok: false, candidates: matches, problem: `${shown} is the e-mail address of ${matches.length} users: ${matches.map(describeAssociate).join(', ')}; give the user name or associate id instead`}
  }
  const a = matches[0]!
  if (a.type === 'system' || a.type === 'anonymous' || a.type === 'resource') {
    const what = {system: 'a system user', anonymous: 'the anonymous user', resource: 'a resource (a room or equipment)'}[a.type]
    return {ok: false, candidates: [a], problem: `${shown} is ${describeAssociate(a)}, ${what}, not a person who can own a mailbox`}
  }
  if (!a.active) return {ok: false, candidates: [a], problem: `${shown} is ${describeAssociate(a)}, who is retired (not an active user)`}
  return {ok: true, associate: a}
}
