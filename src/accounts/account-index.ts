import {performance} from 'node:perf_hooks'
import {Limiter} from '../bulk/limiter.js'
import {classifyFailure, readWithRetries, type RetryPolicy} from '../connection/call-policy.js'
import {NetServerError} from '../soap/errors.js'
import type {EMailAccount} from '../soap/account-model.js'
import type {EMailService} from '../soap/email-service.js'
import {naturalKey} from './natural-key.js'

export {describeKey, describeMatch, naturalKey} from './natural-key.js'

/**
 * Existing accounts by natural key (associate, e-mail address), so that a create that would repeat an
 * account finds it instead. NetServer has no operation that finds an account by (associate, address) for
 * someone else (FACTS.md), so the index reads GetReadySyncEmailAccounts - the one cross-associate list -
 * and GetEMailAccount for each listed id of the associates wanted. The limit is the list's: accounts the
 * server does not list as ready to sync (deleted ones, and - the sandbox's reading - failed ones) are not
 * seen, except the caller's own, which GetEMailAccountFromEMailAddress finds whatever their status.
 */

export type AccountMatch = {kind: 'none'} | {kind: 'one'; id: number} | {kind: 'many'; ids: number[]}

/** AccountStatus 1: the server keeps the row but the account is gone; a new account is what the user wants. */
const DELETED = 1

export interface AccountIndexOptions {
  /** Read only the accounts of these associates (a save needs one, an import the file's). Absent: every listed account. */
  associates?: ReadonlySet<number>
  /**
   * Accounts not to read: ones an earlier run of the same import created for rows that are done (a resume
   * skips those rows, and no other row of the file has their key, so reading them again would be wasted).
   */
  skipIds?: ReadonlySet<number>
  /**
   * The ticket's associate: for it, GetEMailAccountFromEMailAddress also finds accounts the list leaves out.
   * A promise is awaited alongside the list, so that the two reads overlap.
   */
  caller?: number | Promise<number | undefined>
  /** GetEMailAccount calls in flight while building (default 8). */
  concurrency?: number
  /** Extra attempts of a read that failed in a way worth repeating (default 3). */
  retries?: number
  backoffMs?: number
  /** Told after each account read: done of total (for a progress line on a terminal). */
  progress?: (done: number, total: number) => void
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export class AccountIndex {
  private readonly byKey = new Map<string, number[]>()
  /** Ids already read (or saved by this run), with the key each is held under: a refresh reads only ids it has not seen. */
  private readonly keyOf = new Map<number, string | undefined>()
  private running?: {startedAt: number; done: Promise<void>}
  private callerId?: number
  /** Reads made since the index was built, for tests and the summary. */
  reads = 0

  private constructor(private readonly email: EMailService, private readonly options: AccountIndexOptions) {}

  /** Reads the list and every account of the wanted associates, concurrently. Throws when the list cannot be read. */
  static async build(email: EMailService, options: AccountIndexOptions = {}): Promise<AccountIndex> {
    const index = new AccountIndex(email, options)
    ;[index.callerId] = await Promise.all([options.caller, index.refresh(options.progress)])
    return index
  }

  /** The caller's associate id, when the index knows it. */
  get caller(): number | undefined {
    return this.callerId
  }

  /** What the index holds for the key, without asking the server. */
  match(associateId: number, email: string): AccountMatch {
    return toMatch(this.byKey.get(naturalKey(associateId, email)))
  }

  /** The index's answer, and for the caller's own address the server's (it sees accounts the list leaves out). */
  async find(associateId: number, email: string): Promise<AccountMatch> {
    const known = this.match(associateId, email)
    if (known.kind !== 'none' || associateId !== this.callerId) return known
    const own = await this.read(() => this.email.getEMailAccountFromEMailAddress(email.trim()))
    if (own?.emailAccountId && own.accountStatus !== DELETED && naturalKey(own.associateId ?? 0, own.emailAddress ?? '') === naturalKey(associateId, email)) {
      this.record(own)
      return {kind: 'one', id: own.emailAccountId}
    }
    return known
  }

  /**
   * After a create whose answer was lost at `lostAt` (performance.now()): reads the list again (one read
   * shared by every row that asks together, and never one that began before the loss), reads the ids it
   * has not seen, and answers from the result. Throws when the server cannot be read.
   */
  async lookup(associateId: number, email: string, lostAt = performance.now()): Promise<AccountMatch> {
    await this.refreshSince(lostAt)
    return this.find(associateId, email)
  }

  /** An account this run created or changed: later rows with its key find it. */
  record(account: EMailAccount): void {
    const id = account.emailAccountId
    if (!id) return
    this.forget(id)
    const key = account.accountStatus === DELETED ? undefined : ownedCopy(naturalKey(account.associateId ?? 0, account.emailAddress ?? ''))
    this.keyOf.set(id, key)
    if (key === undefined) return
    const ids = this.byKey.get(key)
    // A key nearly always holds one account: an array of one, not one grown for more on the first push.
    if (ids) ids.push(id)
    else this.byKey.set(key, [id])
  }

  /** How many accounts the index holds. */
  get size(): number {
    let n = 0
    for (const ids of this.byKey.values()) n += ids.length
    return n
  }

  private forget(id: number): void {
    const key = this.keyOf.get(id)
    const ids = key === undefined ? undefined : this.byKey.get(key)
    const at = ids ? ids.indexOf(id) : -1
    if (!ids || at === -1) return
    ids.splice(at, 1)
    if (ids.length === 0) this.byKey.delete(key!)
  }

  private async refreshSince(lostAt: number): Promise<void> {
    for (;;) {
      const running = this.running
      if (!running) return this.refresh()
      if (running.startedAt >= lostAt) return running.done
      // That read began before the answer was lost and may not see the account: wait, then read again.
      await running.done.catch(() => undefined)
    }
  }

  private refresh(progress?: (done: number, total: number) => void): Promise<void> {
    const startedAt = performance.now()
    const done = this.readAll(progress).finally(() => {
      if (this.running?.done === done) this.running = undefined
    })
    this.running = {startedAt, done}
    return done
  }

  private async readAll(progress?: (done: number, total: number) => void): Promise<void> {
    const listed = await this.read(() => this.email.getReadySyncEmailAccounts())
    const {associates: wanted, skipIds} = this.options
    const ids = listed.filter((s) => s.accountId > 0 && !this.keyOf.has(s.accountId) && !skipIds?.has(s.accountId) && (!wanted || wanted.has(s.associateId))).map((s) => s.accountId)
    const limiter = new Limiter(this.options.concurrency ?? 8)
    let done = 0
    progress?.(0, ids.length)
    const readOne = async (id: number) => {
      const account = await this.read(() => this.email.getEMailAccount(id).catch(deletedMeanwhile))
      // Read by another row's refresh in the meantime: keep the first.
      if (!this.keyOf.has(id)) {
        if (account) this.record(account)
        else this.keyOf.set(id, undefined)
      }
      progress?.(++done, ids.length)
    }
    // An account that cannot be read even after its retries is tried once more at the end, when a burst
    // of failures is likely over: one unreadable account must not make a run of thousands impossible.
    const later: number[] = []
    await Promise.all(
      ids.map(async (id) => {
        await limiter.acquire()
        try {
          await readOne(id).catch((error: unknown) => {
            if (classifyFailure(error, false).kind !== 'retry') throw error
            later.push(id)
          })
        } finally {
          limiter.release()
        }
      }),
    )
    for (const id of later) await readOne(id)
  }

  /** One read, repeated after a pause while the failure says a repeat may succeed. */
  private read<T>(send: () => Promise<T>): Promise<T> {
    this.reads++
    return readWithRetries(send, readPolicy(this.options))
  }
}

function readPolicy(options: Pick<AccountIndexOptions, 'retries' | 'backoffMs' | 'sleep' | 'random'>): RetryPolicy {
  return {retries: options.retries ?? 3, backoffMs: options.backoffMs ?? 200, sleep: options.sleep, random: options.random}
}

/** A listed account deleted before it was read is simply not there (NetServer may answer SoNotFoundException or an empty carrier). */
function deletedMeanwhile(error: unknown): undefined {
  if (error instanceof NetServerError && error.exceptionTypes.some((t) => /NotFound/i.test(t))) return undefined
  throw error
}

function toMatch(ids: number[] | undefined): AccountMatch {
  if (!ids || ids.length === 0) return {kind: 'none'}
  if (ids.length === 1) return {kind: 'one', id: ids[0]!}
  return {kind: 'many', ids: [...ids].sort((a, b) => a - b)}
}

/** The caller's associate: CreateDefaultEMailAccount fills in the ticket's associate (an inference NetServer's docs do not state; the sandbox does it). */
export async function callerAssociate(email: EMailService, options: Pick<AccountIndexOptions, 'retries' | 'backoffMs'> = {}): Promise<number | undefined> {
  return (await readWithRetries(() => email.createDefaultEMailAccount(), readPolicy(options))).associateId || undefined
}

/**
 * The same text in memory of its own. An e-mail address parsed from an answer is, inside V8, a slice of
 * the whole answer's text; a key the index keeps for the run would keep every answer alive with it (some
 * 1.7 kB a row: 850 MB for an import of 100,000 rows). JSON's round trip is lossless, lone surrogates too.
 */
function ownedCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string
}
