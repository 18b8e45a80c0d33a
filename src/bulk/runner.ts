import {performance} from 'node:perf_hooks'
import {setTimeout as wait} from 'node:timers/promises'
import type {AccountIndex} from '../accounts/account-index.js'
import type {SaveChecks, SaveVerdict} from '../accounts/save-checks.js'
import {accountForCreate, diffAccounts, mergeAccount} from '../accounts/merge.js'
import {loadAccount} from '../accounts/service.js'
import type {EMailAccount} from '../soap/account-model.js'
import type {EMailService} from '../soap/email-service.js'
import {classifyFailure, retryDelay, shareOne, type Failure} from '../connection/call-policy.js'
import type {JournalWriter, RowAction, RowHistory} from './journal.js'
import type {Limiter} from './limiter.js'
import type {RowResult} from './results.js'
import {rowProblemsText, type ImportRow} from '../csv/row.js'

/** A row as the CSV reader gives it. */
export type RunnerRow = ImportRow

export interface RunnerDeps {
  email: EMailService
  journal: JournalWriter
  /** Outcomes of earlier runs of the same file, by line (empty on a first run). */
  history: Map<number, RowHistory>
  limiter: Limiter
  /**
   * Existing accounts by natural key. With it, a row without id that matches becomes an update (or
   * unchanged), and a create whose answer was lost is looked up before anything else: found, it is ok;
   * absent, it is sent again. Without it, such rows stay unknown.
   */
  index?: AccountIndex
  /** Account ids rows of the file update by id, with the line of each: a row without id that matches one of them is refused, not a second writer. */
  updatedById?: ReadonlyMap<number, number>
  /** The checks before each save (Microsoft 365 policy, MX advice, the login test); none: every row is saved as given. */
  checks?: SaveChecks
  retries: number
  backoffMs: number
  /** Called once per input row, in any order; `seq` is the row's position among data rows. */
  settle: (seq: number, result: RowResult) => void
  undo: {updated(previous: EMailAccount): void; created(account: EMailAccount): void}
  /** Gets a new ticket after a rejection; false when it cannot. Called at most once per run. */
  renewTicket?: () => Promise<boolean>
  /** Set by the first Ctrl-C: rows not yet started are skipped. */
  stopping: () => boolean
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export type StopReason = 'interrupted' | 'auth' | 'fatal'

export interface RunOutcome {
  stopped?: {reason: StopReason; message: string}
}

/** Applies the rows with bounded concurrency; every row is settled exactly once. */
export async function applyRows(rows: AsyncIterable<RunnerRow>, deps: RunnerDeps): Promise<RunOutcome> {
  const run = new Run(deps)
  const inFlight = new Set<Promise<void>>()
  let seq = 0
  try {
    for await (const row of rows) {
      const mySeq = seq++
      const early = run.settledWithoutSending(row)
      if (early) {
        deps.settle(mySeq, early)
        continue
      }
      await deps.limiter.acquire()
      if (run.stopReason() !== undefined) {
        deps.limiter.release()
        deps.settle(mySeq, {...base(row), status: 'skipped', attempts: 0, error: skipText(run.stopped!.reason)})
        continue
      }
      const p: Promise<void> = run
        .process(row)
        .then((result) => deps.settle(mySeq, result))
        // A journal or results file that cannot be written stops the run: nothing more is sent.
        .catch((error: unknown) => run.fail(error))
        .finally(() => {
          deps.limiter.release()
          inFlight.delete(p)
        })
      inFlight.add(p)
    }
  } finally {
    await Promise.all(inFlight)
  }
  if (run.error) throw run.error
  return {stopped: run.stopped}
}

function base(row: RunnerRow): Pick<RowResult, 'line' | 'email' | 'associateId' | 'associate'> {
  return {line: row.line, email: row.email, associateId: row.associateId, associate: row.associateName}
}

/** An earlier run sent this row's create and recorded no outcome (kill -9), or recorded it unknown. */
function lostEarlier(past: RowHistory | undefined, row: RunnerRow): boolean {
  return past !== undefined && past.hash === row.hash && (past.inFlight || past.done?.st === 'unknown')
}

function naturalKeyOf(row: RunnerRow): {associateId: number; email: string} | undefined {
  return row.email === undefined || typeof row.associateId !== 'number' ? undefined : {associateId: row.associateId, email: row.email}
}

function manyText(ids: number[]): string {
  return `accounts ${ids.map((id) => `#${id}`).join(', ')} already have this e-mail and associate; give the row the id of the one to update`
}

/** A refusal is the row's `invalid` (what it asks for is not allowed); a failed login test its `verify-failed`. */
function verdictOf(row: RunnerRow, action: RowAction, verdict: SaveVerdict, id?: number): {blocked: RowResult} | {warnings: string[]} {
  const blocked = verdict.refusal ?? verdict.verifyFailed
  if (!blocked) return {warnings: verdict.warnings}
  const hint = verdict.refusal?.hint ? ` ${verdict.refusal.hint}` : ''
  return {blocked: {...base(row), action, status: verdict.refusal ? 'invalid' : 'verify-failed', accountId: id, attempts: 0, error: `${blocked.message}${hint}`}}
}

/** Warnings of a saved row, for its error column ("warning: …"). */
function warningText(warnings: readonly string[]): {error?: string} {
  return warnings.length === 0 ? {} : {error: warnings.map((w) => `warning: ${w}`).join('; ')}
}

function skipText(reason: StopReason): string {
  return {interrupted: 'not started: the run was interrupted', auth: 'not started: the run stopped when the ticket was rejected', fatal: 'not started: the run stopped'}[reason]
}

class Run {
  stopped?: {reason: StopReason; message: string}
  error?: unknown

  constructor(private readonly deps: RunnerDeps) {}

  fail(error: unknown): void {
    this.error ??= error
    this.stopped ??= {reason: 'fatal', message: error instanceof Error ? error.message : String(error)}
  }

  stopReason(): StopReason | undefined {
    if (!this.stopped && this.deps.stopping()) this.stopped = {reason: 'interrupted', message: 'interrupted'}
    return this.stopped?.reason
  }

  /** Rows whose result is known without a request: invalid, done in an earlier run, or a create of unknown fate. */
  settledWithoutSending(row: RunnerRow): RowResult | undefined {
    if (row.problems.length > 0) {
      return {...base(row), status: 'invalid', attempts: 0, error: rowProblemsText(row.problems)}
    }
    const past = this.deps.history.get(row.line)
    if (past?.done?.st === 'ok' && past.hash === row.hash) {
      return {...base(row), action: past.done.a, status: 'ok', accountId: past.done.id, attempts: 0, error: 'done in an earlier run', earlier: true}
    }
    if (!this.deps.index && lostEarlier(past, row)) {
      return {...base(row), action: 'create', status: 'unknown', attempts: 0, error: 'an earlier run sent this create and never saw the answer; check whether the account exists before importing it again'}
    }
    if (this.stopReason() !== undefined) return {...base(row), status: 'skipped', attempts: 0, error: skipText(this.stopped!.reason)}
    return undefined
  }

  async process(row: RunnerRow): Promise<RowResult> {
    const {journal} = this.deps
    // A row whose create succeeded earlier but whose values changed (--force) updates that account.
    const past = this.deps.history.get(row.line)
    const id = row.id ?? (past?.done?.st === 'ok' && past.done.a === 'create' ? past.done.id : undefined)
    const result = id === undefined ? await this.createOrMatch(row, lostEarlier(past, row)) : await this.update(row, id)
    journal.append({k: 'done', l: row.line, h: row.hash, st: result.status, a: result.action, id: result.accountId, n: result.attempts, e: result.error})
    return result
  }

  /** A row without id: the existing account with its natural key is updated; without one, or without an index, it is created. */
  private async createOrMatch(row: RunnerRow, lost: boolean): Promise<RowResult> {
    const {index} = this.deps
    const key = naturalKeyOf(row)
    if (!index || !key) return this.create(row)
    // Mostly answered from memory: its near-zero time would read as an unloaded server to the limiter.
    const found = await this.attempt(false, () => index.find(key.associateId, key.email), 1, false)
    if (!found.ok) {
      // An earlier run's create stays unknown until it can be looked up; any other row was simply not sent.
      const why = `could not look for an existing account with this e-mail and associate: ${found.failure.message}`
      return {...base(row), action: 'create', status: lost ? 'unknown' : 'failed', attempts: 0, error: lost ? `an earlier run sent this create and never saw the answer; ${why}` : why}
    }
    const match = found.value
    if (match.kind === 'many') return {...base(row), action: 'create', status: 'failed', attempts: 0, error: manyText(match.ids)}
    if (match.kind === 'none') return this.create(row)
    const byId = this.deps.updatedById?.get(match.id)
    if (byId !== undefined && !lost) {
      return {...base(row), action: 'update', status: 'failed', accountId: match.id, attempts: 0, error: `the row matches account #${match.id}, which line ${byId} updates by id; give this row that id too, or drop one of the rows`}
    }
    // An earlier run's lost create that did reach the server: that account is this row's.
    if (lost) return this.foundLost(row, match.id, 0)
    return this.update(row, match.id)
  }

  /**
   * The checks before a save, under the row's retries. A refusal or a failed login test is the row's
   * result (nothing is saved); warnings go with a saved row into its error column.
   */
  private async gate(row: RunnerRow, action: RowAction, account: EMailAccount, previous?: EMailAccount): Promise<{blocked: RowResult} | {warnings: string[]}> {
    const {checks} = this.deps
    if (!checks) return {warnings: []}
    // Untimed: a login test takes as long as the mail server does, which says nothing of NetServer's load.
    const outcome = await this.attempt(false, () => checks.check(account, previous), 1, false)
    const id = previous?.emailAccountId
    if (!outcome.ok) return {blocked: {...base(row), action, status: 'failed', accountId: id, attempts: outcome.attempts, error: `could not run the checks before saving: ${outcome.failure.message}`}}
    return verdictOf(row, action, outcome.value, id)
  }

  private async create(row: RunnerRow): Promise<RowResult> {
    const account = accountForCreate(row.input)
    const {index, retries} = this.deps
    const key = naturalKeyOf(row)
    const gate = await this.gate(row, 'create', account)
    if ('blocked' in gate) return gate.blocked
    const noted = warningText(gate.warnings)
    for (let sent = 0; ; ) {
      this.deps.journal.append({k: 'start', l: row.line, h: row.hash})
      const outcome = await this.attempt(true, () => this.deps.email.saveEMailAccount(account), sent + 1)
      sent = outcome.attempts
      if (outcome.ok) {
        index?.record(outcome.value)
        this.deps.undo.created(outcome.value)
        return {...base(row), action: 'create', status: 'ok', accountId: outcome.value.emailAccountId, attempts: sent, ...noted}
      }
      if (outcome.failure.kind !== 'unknown') return {...base(row), action: 'create', status: 'failed', attempts: sent, error: outcome.failure.message}
      if (!index || !key) return {...base(row), action: 'create', status: 'unknown', attempts: sent, error: outcome.failure.message}
      // The answer was lost: whether the account exists decides, not a guess. The pause first gives a create
      // still running on the server (the client gave up waiting) time to finish and be seen.
      await (this.deps.sleep ?? wait)(retryDelay(this.deps.backoffMs, sent, this.deps.random ?? Math.random))
      const lostAt = performance.now()
      const found = await this.attempt(false, () => index.lookup(key.associateId, key.email, lostAt))
      if (!found.ok) {
        return {...base(row), action: 'create', status: 'unknown', attempts: sent, error: `${outcome.failure.message}; looking the account up by e-mail and associate failed too: ${found.failure.message}`}
      }
      const match = found.value
      if (match.kind === 'one') return this.foundLost(row, match.id, sent)
      if (match.kind === 'many') return {...base(row), action: 'create', status: 'ok', accountId: Math.max(...match.ids), attempts: sent, error: `the answer was lost; ${manyText(match.ids)}`}
      if (sent > retries || this.stopReason() !== undefined) {
        return {...base(row), action: 'create', status: 'failed', attempts: sent, error: `${outcome.failure.message}; looked up afterwards: the account was not created`}
      }
    }
  }

  /** A create whose answer was lost, found on the server: the row is done, with the id the account got. */
  private foundLost(row: RunnerRow, id: number, attempts: number): RowResult {
    this.deps.undo.created({emailAccountId: id, emailAddress: row.email, associateId: typeof row.associateId === 'number' ? row.associateId : undefined})
    return {...base(row), action: 'create', status: 'ok', accountId: id, attempts}
  }

  private async update(row: RunnerRow, id: number): Promise<RowResult> {
    const failed = (attempts: number, failure: Failure): RowResult => ({...base(row), action: 'update', status: 'failed', accountId: id, attempts, error: failure.message})
    const read = await this.attempt(false, async () => {
      const current = await loadAccount(this.deps.email, id)
      return {current, merged: mergeAccount(current, row.input)}
    })
    if (!read.ok) return failed(read.attempts, read.failure)
    const {current, merged} = read.value
    if (diffAccounts(current, merged).length === 0) return {...base(row), action: 'unchanged', status: 'ok', accountId: id, attempts: read.attempts}
    // Checked against what will be stored: the stored account with the row's changes merged in.
    const gate = await this.gate(row, 'update', merged, current)
    if ('blocked' in gate) return {...gate.blocked, attempts: read.attempts}
    // One attempt is one read and its save, as before the checks came between them; retries of either count.
    const saved = await this.attempt(false, () => this.deps.email.saveEMailAccount(merged), read.attempts)
    if (!saved.ok) return failed(saved.attempts, saved.failure)
    this.deps.undo.updated(current)
    this.deps.index?.record(saved.value)
    return {...base(row), action: 'update', status: 'ok', accountId: id, attempts: saved.attempts, ...warningText(gate.warnings)}
  }

  /** One row's requests with retries, backoff and jitter; owns the limiter's view of latency. */
  private async attempt<T>(isCreate: boolean, send: () => Promise<T>, first = 1, timed = true): Promise<{ok: true; value: T; attempts: number} | {ok: false; failure: Failure; attempts: number}> {
    const {limiter, retries, backoffMs} = this.deps
    const sleep = this.deps.sleep ?? wait
    const random = this.deps.random ?? Math.random
    let renewed = false
    for (let attempts = first; ; attempts++) {
      const started = performance.now()
      try {
        const value = await send()
        if (timed) limiter.report({latencyMs: performance.now() - started})
        return {ok: true, value, attempts}
      } catch (error) {
        const failure = classifyFailure(error, isCreate)
        limiter.report({congestion: failure.congestion})
        if (failure.kind === 'auth' && !renewed && (await this.renew())) {
          renewed = true
          continue
        }
        if (failure.kind === 'auth' || failure.kind === 'fatal') this.stopped ??= {reason: failure.kind, message: failure.message}
        if (failure.kind !== 'retry' || attempts > retries || this.stopReason() !== undefined) return {ok: false, failure: failure.kind === 'retry' ? {...failure, kind: 'failed'} : failure, attempts}
        await sleep(retryDelay(backoffMs, attempts, random))
      }
    }
  }

  private renewal?: () => Promise<boolean>

  private renew(): Promise<boolean> {
    if (!this.deps.renewTicket) return Promise.resolve(false)
    // Rows that hit the rejection together share one login.
    this.renewal ??= shareOne(this.deps.renewTicket)
    return this.renewal()
  }
}
