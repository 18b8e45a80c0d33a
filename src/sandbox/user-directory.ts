import {createReadStream, existsSync} from 'node:fs'
import {decodeCsvText} from '../csv/decode.js'
import {CsvRecordSplitter, type QuoteProblem} from '../csv/split.js'
import {DEMO_USER} from './users.js'

/** assocType as the AllUsers archive reports it; only `associate` is a person who can own a mailbox. */
export type AssociateType = 'associate' | 'external' | 'system' | 'anonymous' | 'resource'

/** One row of the sandbox's associate table (with its person's name and primary e-mail). */
export interface DirectoryUser {
  associateId: number
  userName: string
  fullName: string
  email: string
  active: boolean
  type: AssociateType
}

const person = (associateId: number, userName: string, fullName: string, email: string, active = true): DirectoryUser => ({associateId, userName, fullName, email, active, type: 'associate'})

/**
 * The built-in users: the demo login (5), every associate id the tests and scripts use, and one of each
 * case a provisioning run must refuse - a retired user, a system user, an anonymous one, a meeting room, and two people
 * who share an e-mail address (a team mailbox on both person cards).
 */
export const DEMO_DIRECTORY: readonly DirectoryUser[] = Object.freeze([
  person(1, 'ola', 'Ola Nordmann', 'ola.nordmann@example.no'),
  person(2, 'ingrid', 'Ingrid Hansen', 'ingrid.hansen@example.no'),
  {associateId: 3, userName: 'SYSTEM', fullName: 'System User', email: '', active: true, type: 'system'},
  person(4, 'lars', 'Lars Johansen', 'lars.johansen@example.no'),
  person(DEMO_USER.associateId, DEMO_USER.userName, DEMO_USER.fullName, DEMO_USER.email),
  person(6, 'sigrid', 'Sigrid Olsen', 'sigrid.olsen@example.no'),
  person(7, 'magnus', 'Magnus Larsen', 'magnus.larsen@example.no'),
  person(8, 'astrid', 'Astrid Andersen', 'astrid.andersen@example.no'),
  person(9, 'erik', 'Erik Pedersen', 'erik.pedersen@example.no'),
  person(10, 'nora', 'Nora Nilsen', 'nora.nilsen@example.no'),
  person(11, 'henrik', 'Henrik Kristiansen', 'henrik.kristiansen@example.no'),
  person(12, 'kari', 'Kari Nordmann', 'kari@example.no'),
  person(13, 'aase', 'Åse Jensen', 'åse@eksempel.no'),
  person(14, 'bjorn', 'Bjørn Ærlig', 'bjørn.ærlig@eksempel.no'),
  person(15, 'emma', 'Emma Karlsen', 'support@example.no'),
  person(16, 'jonas', 'Jonas Berg', 'support@example.no'),
  person(17, 'solveig', 'Solveig Haugen', 'solveig.haugen@example.no', false),
  person(18, 'thea', 'Thea Hagen', 'thea.hagen@example.no'),
  person(19, 'sander', 'Sander Eriksen', 'sander.eriksen@example.no'),
  {associateId: 20, userName: 'anonymous', fullName: 'Anonymous', email: '', active: true, type: 'anonymous'},
  {associateId: 21, userName: 'fjord', fullName: 'Møterom Fjord', email: 'fjord@example.no', active: true, type: 'resource'},
  person(34, 'per', 'Per Bakken', 'per.bakken@example.no'),
])

/** The users a sandbox knows, looked up the ways the AllUsers archive is restricted. */
export class UserDirectory {
  private readonly byId = new Map<number, DirectoryUser>()

  constructor(users: readonly DirectoryUser[]) {
    for (const user of users) this.byId.set(user.associateId, {...user})
  }

  get size(): number {
    return this.byId.size
  }

  byAssociateId(id: number): DirectoryUser | undefined {
    return this.byId.get(id)
  }

  /** Every user, in associate id order. */
  all(): DirectoryUser[] {
    return [...this.byId.values()].sort((a, b) => a.associateId - b.associateId)
  }
}

/** A --users file that cannot be used; `line` is the physical line the problem is on. */
export class SandboxUsersError extends Error {
  override name = 'SandboxUsersError'
  constructor(readonly file: string, readonly line: number | undefined, why: string) {
    super(`${file}${line === undefined ? '' : `, line ${line}`}: ${why}`)
  }
}

export const USERS_HEADER = ['associate_id', 'user_name', 'full_name', 'email', 'active', 'type'] as const

const TYPES: Record<string, AssociateType> = {person: 'associate', associate: 'associate', system: 'system', external: 'external', anonymous: 'anonymous', resource: 'resource'}
const BOOLEANS: Record<string, boolean> = {true: true, false: false, yes: true, no: false, '1': true, '0': false}

/**
 * A company's user list as an admin exports it: the header `associate_id,user_name,full_name,email,
 * active,type` (`,` or `;`), UTF-8 like the import files. The demo login is added when the file does not
 * list associate 5, so the banner's ticket still belongs to someone.
 */
export async function loadUserDirectory(file: string): Promise<UserDirectory> {
  const records: Array<{cells: string[]; line: number; problem?: QuoteProblem}> = []
  let text = ''
  if (!existsSync(file)) throw new SandboxUsersError(file, undefined, 'no such file')
  try {
    for await (const chunk of decodeCsvText(createReadStream(file), () => 1)) text += chunk
  } catch (error) {
    // decodeCsvText says why in the import's terms (not UTF-8, binary, a directory…).
    throw new SandboxUsersError(file, undefined, (error as Error).message.replace(file, 'the file'))
  }
  const firstLine = text.split(/\r?\n|\r/, 1)[0] ?? ''
  const delimiter = firstLine.split(';').length > firstLine.split(',').length ? ';' : ','
  const splitter = new CsvRecordSplitter(delimiter, /\r(?!\n)/.test(text) && !text.includes('\n') ? '\r' : '\n')
  splitter.push(text, true, (cells, line, problem) => records.push({cells, line, problem}))

  const rows = records.filter((r) => r.problem !== undefined || r.cells.some((c) => c.trim() !== ''))
  const header = rows.shift()
  if (!header) throw new SandboxUsersError(file, undefined, `the file is empty; expected the header ${USERS_HEADER.join(',')}`)
  const names = header.cells.map((c) => c.trim().toLowerCase())
  const column = new Map<string, number>()
  for (const name of USERS_HEADER) {
    const at = names.indexOf(name)
    if (at === -1) throw new SandboxUsersError(file, header.line, `the header has no ${name} column; expected ${USERS_HEADER.join(delimiter)}`)
    column.set(name, at)
  }

  const users: DirectoryUser[] = []
  const seenIds = new Map<number, number>()
  const seenNames = new Map<string, number>()
  for (const {cells, line, problem} of rows) {
    if (problem) throw new SandboxUsersError(file, line, problem.message)
    const cell = (name: (typeof USERS_HEADER)[number]) => (cells[column.get(name) as number] ?? '').trim()
    const idText = cell('associate_id')
    const associateId = /^\d{1,10}$/.test(idText) ? Number(idText) : Number.NaN
    if (!(associateId >= 1 && associateId <= 2_147_483_647)) throw new SandboxUsersError(file, line, `associate_id is "${idText}"; it must be a whole number from 1 to 2147483647`)
    const userName = cell('user_name')
    if (userName === '') throw new SandboxUsersError(file, line, 'user_name is empty')
    const active = BOOLEANS[cell('active').toLowerCase()]
    if (active === undefined) throw new SandboxUsersError(file, line, `active is "${cell('active')}"; use true or false`)
    const type = TYPES[cell('type').toLowerCase() || 'person']
    if (type === undefined) throw new SandboxUsersError(file, line, `type is "${cell('type')}"; use person or system (or external, anonymous)`)
    const earlierId = seenIds.get(associateId)
    if (earlierId !== undefined) throw new SandboxUsersError(file, line, `associate_id ${associateId} is already on line ${earlierId}`)
    const earlierName = seenNames.get(userName.toLowerCase())
    if (earlierName !== undefined) throw new SandboxUsersError(file, line, `user_name ${userName} is already on line ${earlierName} (user names are case-insensitive)`)
    seenIds.set(associateId, line)
    seenNames.set(userName.toLowerCase(), line)
    users.push({associateId, userName, fullName: cell('full_name'), email: cell('email'), active, type})
  }
  if (!seenIds.has(DEMO_USER.associateId) && !seenNames.has(DEMO_USER.userName)) {
    users.push(person(DEMO_USER.associateId, DEMO_USER.userName, DEMO_USER.fullName, DEMO_USER.email))
  }
  return new UserDirectory(users)
}
