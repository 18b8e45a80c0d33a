import {createHash, randomBytes} from 'node:crypto'
import type {EMailAccount, ServiceAuth} from '../soap/account-model.js'

/** NetServer tickets live 6 hours, and each use restarts the clock (FACTS.md §5.2). */
export const TICKET_LIFETIME_MS = 6 * 60 * 60 * 1000

export interface StoredSession {
  /** SHA-256 of the ticket: like NetServer's credential stubs, the store never holds a usable ticket. */
  ticketHash: string
  associateId: number
  lastUsed: number
}

export interface StoreState {
  nextAccountId: number
  nextServiceAuthId: number
  accounts: EMailAccount[]
  sessions: StoredSession[]
}

export function emptyState(): StoreState {
  return {nextAccountId: 1, nextServiceAuthId: 1, accounts: [], sessions: []}
}

/**
 * What the sandbox remembers: accounts by id and live sessions. Every method runs synchronously, so
 * parallel requests (one event loop) never see a half-made change. `changed` is told after each change
 * worth persisting; `touched` after a session's sliding expiry moved (persisted lazily).
 */
export class SandboxStore {
  private readonly accountsById = new Map<number, EMailAccount>()
  /**
   * Ids by associate and address, for GetEMailAccountFromEMailAddress: an import of the caller's own
   * accounts asks it once a row, and a scan of every account made that quadratic in the rows.
   */
  private readonly idsByAddress = new Map<string, Set<number>>()
  /** When each id was first stored: of several accounts with one address, the first stored is found, as the scan found it. */
  private readonly storedOrder = new Map<number, number>()
  private readonly sessions = new Map<string, StoredSession>()
  private nextAccountId: number
  private nextServiceAuthId: number
  private writes = 0
  private nextOrder = 0

  constructor(
    state: StoreState,
    private readonly hooks: {changed: () => void; touched: () => void},
    private readonly now: () => number = Date.now,
  ) {
    for (const account of state.accounts) this.store(account.emailAccountId ?? 0, copyAccount(account))
    for (const session of state.sessions) this.sessions.set(session.ticketHash, {...session})
    this.nextAccountId = state.nextAccountId
    this.nextServiceAuthId = state.nextServiceAuthId
  }

  /** A new ticket for the associate: `7T:` and base64, the shape NetServer's tickets have. */
  issueTicket(associateId: number): string {
    const ticket = `7T:${randomBytes(32).toString('base64')}`
    this.sessions.set(hashTicket(ticket), {ticketHash: hashTicket(ticket), associateId, lastUsed: this.now()})
    this.hooks.changed()
    return ticket
  }

  /** Ends every session, as a NetServer restart or a 6-hour idle period would. */
  expireSessions(): void {
    this.sessions.clear()
    this.hooks.changed()
  }

  /** The associate a live ticket belongs to; using it restarts its lifetime. */
  associateForTicket(ticket: string): number | undefined {
    const session = this.sessions.get(hashTicket(ticket))
    if (!session) return undefined
    if (this.now() - session.lastUsed > TICKET_LIFETIME_MS) {
      this.sessions.delete(session.ticketHash)
      this.hooks.changed()
      return undefined
    }
    session.lastUsed = this.now()
    this.hooks.touched()
    return session.associateId
  }

  getAccount(id: number): EMailAccount | undefined {
    const account = this.accountsById.get(id)
    return account && copyAccount(account)
  }

  /** The first stored account of this associate with this address (trimmed, in any case). */
  findAccountByAddress(associateId: number, address: string): EMailAccount | undefined {
    const ids = this.idsByAddress.get(addressKey(associateId, address))
    if (!ids) return undefined
    // An empty set is dropped as it empties, so there is always a first.
    let first: number | undefined
    for (const id of ids) if (first === undefined || this.storedOrder.get(id)! < this.storedOrder.get(first)!) first = id
    return copyAccount(this.accountsById.get(first!)!)
  }

  /** Grows with every account created, updated or deleted; tells whether a request changed anything. */
  get accountWrites(): number {
    return this.writes
  }

  hasAccount(id: number): boolean {
    return this.accountsById.has(id)
  }

  /**
   * Stores a new account (ids assigned) or replaces an existing one (`id` given). A ServiceAuth keeps its
   * id only when it is the one this account already has: the sandbox has no service_auth table of its own
   * to look other ids up in, so anything else becomes a new row.
   */
  putAccount(account: EMailAccount, id?: number): EMailAccount {
    const previous = id === undefined ? undefined : this.accountsById.get(id)
    const stored = copyAccount(account)
    stored.emailAccountId = id ?? this.nextAccountId++
    if (stored.incoming) stored.incoming = this.withServiceAuthId(stored.incoming, previous?.incoming)
    if (stored.outgoing) stored.outgoing = this.withServiceAuthId(stored.outgoing, previous?.outgoing)
    this.store(stored.emailAccountId, stored)
    this.writes++
    this.hooks.changed()
    return copyAccount(stored)
  }

  /** What the sync service would record about an account (for rehearsals); false when there is no such account. */
  setSyncState(id: number, state: Pick<EMailAccount, 'accountStatus' | 'errorCount' | 'errorReason' | 'lastFetch'>): boolean {
    const account = this.accountsById.get(id)
    if (!account) return false
    Object.assign(account, state)
    this.hooks.changed()
    return true
  }

  deleteAccount(id: number): boolean {
    const account = this.accountsById.get(id)
    if (account) this.unindex(id, account)
    const deleted = this.accountsById.delete(id)
    this.storedOrder.delete(id)
    if (deleted) {
      this.writes++
      this.hooks.changed()
    }
    return deleted
  }

  accounts(): EMailAccount[] {
    return [...this.accountsById.values()].sort((a, b) => (a.emailAccountId ?? 0) - (b.emailAccountId ?? 0)).map(copyAccount)
  }

  /** The persistable state, without expired sessions. */
  snapshot(): StoreState {
    const cutoff = this.now() - TICKET_LIFETIME_MS
    return {
      nextAccountId: this.nextAccountId,
      nextServiceAuthId: this.nextServiceAuthId,
      accounts: this.accounts(),
      sessions: [...this.sessions.values()].filter((s) => s.lastUsed >= cutoff).map((s) => ({...s})),
    }
  }

  /** Puts an account under its id (replacing what was there) and keeps the address index in step. */
  private store(id: number, account: EMailAccount): void {
    const previous = this.accountsById.get(id)
    if (previous) this.unindex(id, previous)
    else this.storedOrder.set(id, this.nextOrder++)
    this.accountsById.set(id, account)
    if (account.associateId === undefined || account.emailAddress === undefined) return
    const key = addressKey(account.associateId, account.emailAddress)
    let ids = this.idsByAddress.get(key)
    if (!ids) this.idsByAddress.set(key, (ids = new Set()))
    ids.add(id)
  }

  private unindex(id: number, account: EMailAccount): void {
    if (account.associateId === undefined || account.emailAddress === undefined) return
    const key = addressKey(account.associateId, account.emailAddress)
    const ids = this.idsByAddress.get(key)
    ids?.delete(id)
    if (ids?.size === 0) this.idsByAddress.delete(key)
  }

  private withServiceAuthId(auth: ServiceAuth, previous: ServiceAuth | undefined): ServiceAuth {
    const keep = previous?.serviceAuthId !== undefined && (auth.serviceAuthId === previous.serviceAuthId || !auth.serviceAuthId)
    return {...auth, serviceAuthId: keep ? previous.serviceAuthId : this.nextServiceAuthId++}
  }
}

function addressKey(associateId: number, address: string): string {
  return `${associateId} ${address.trim().toLowerCase()}`
}

function hashTicket(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex')
}

function copyAccount(account: EMailAccount): EMailAccount {
  const copy: EMailAccount = {...account}
  if (account.incoming) copy.incoming = {...account.incoming}
  if (account.outgoing) copy.outgoing = {...account.outgoing}
  return copy
}
