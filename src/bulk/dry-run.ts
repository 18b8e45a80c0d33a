import {accountForCreate, diffAccounts, mergeAccount, type FieldChange} from '../accounts/merge.js'
import {mayBeSaved, type SaveChecks} from '../accounts/save-checks.js'
import type {EMailAccount} from '../soap/account-model.js'
import {loadAccount} from '../accounts/service.js'
import type {EMailService} from '../soap/email-service.js'
import type {CsvOptions} from '../csv/reader.js'
import {importBatches} from '../csv/rows.js'
import {rowProblemsText, type ImportRow, type KnownDuplicates} from '../csv/row.js'
import type {AccountIndex} from '../accounts/account-index.js'
import type {Limiter} from './limiter.js'
import {classifyFailure} from '../connection/call-policy.js'
import {OrderedResults} from './results.js'
import type {AssociateCheck} from './associates.js'
import type {DomainCheck} from './domains.js'

export interface PlanLine {
  line: number
  action: 'create' | 'update' | 'unchanged' | 'invalid' | 'error' | 'verify-failed'
  email?: string
  associateId?: number | string
  /** The resolved associate, as `Kari Nordmann (kari, #12)`. */
  associate?: string
  id?: number
  changes?: FieldChange[]
  error?: string
  /** The row has no id; `id` is the existing account with its e-mail and associate. */
  matched?: boolean
  /** The login test ran for the row and passed (a failed one makes the action `verify-failed`). */
  verified?: boolean
  /** Policy and MX warnings the real run would give. */
  warnings?: string[]
  /** Servers detected for the row: `IMAP imap.example.no:993 (from SRV _imaps._tcp)`. */
  filled?: string[]
}

export interface PlanTotals {
  create: number
  update: number
  unchanged: number
  invalid: number
  error: number
  'verify-failed': number
}

/** What planning a batch needs. */
export interface PlanContext {
  email: EMailService
  /** The associates resolved before planning; a row with a refused one becomes invalid. */
  associates?: AssociateCheck
  /** Existing accounts by natural key: a row without id that matches one is planned as its update. */
  index?: AccountIndex
  /** The real run's checks before a save; they only read (the login test saves nothing). */
  checks?: SaveChecks
  /** The servers detected for rows that leave them empty. */
  domains?: DomainCheck
}

/** A row's plan now, or a read of the server that gives it (run under the dry-run's limiter). */
export type PlannedRow = PlanLine | (() => Promise<PlanLine>)

/**
 * THE SEAM: the plan of one batch of rows, one entry per row in order. Everything that decides what a row
 * will do belongs here, so that the dry-run shows what the real run will do:
 * - associate resolution (issue 11 §1) goes first: resolve the batch's associates in one lookup, and a
 *   row whose associate is unknown, ambiguous or inactive becomes `invalid` with the candidates;
 * - natural-key matching (§2) goes in the create branch: a row without id whose (associate, e-mail)
 *   matches an existing account is planned as an update of that account (or `unchanged`), via the same
 *   diff as a row with an id.
 * Rows that need no request are planned at once so they are not kept waiting for reads.
 */
export async function planBatch(rows: readonly ImportRow[], ctx: PlanContext): Promise<PlannedRow[]> {
  return rows.map((row): PlannedRow => {
    ctx.associates?.apply(row)
    ctx.domains?.apply(row)
    const base = {line: row.line, email: row.email, associateId: row.associateId, associate: ctx.associates?.describe(row.associateId), id: row.id, ...(row.filled ? {filled: row.filled} : {})}
    if (row.problems.length > 0) return {...base, action: 'invalid', error: rowProblemsText(row.problems)}
    if (row.id === undefined && (!ctx.index || row.email === undefined || typeof row.associateId !== 'number') && !ctx.checks) return {...base, action: 'create'}
    return () =>
      planRow(row, ctx.email, ctx.index, ctx.checks).then(
        (planned): PlanLine => ({...base, ...planned}),
        (error: unknown): PlanLine => ({...base, action: 'error', error: classifyFailure(error, false).message}),
      )
  })
}

/**
 * What an import would do, row by row, without writing anything: each batch is planned by planBatch,
 * whose reads run under `limiter`. Lines come out in input order. `known`: the duplicates pre-flight
 * found (knownDuplicates); nothing is sent, so a file changed in between costs a wrong plan at worst,
 * while the real import finds duplicates again as it sends.
 */
export async function planImport(open: () => NodeJS.ReadableStream, csv: CsvOptions, ctx: PlanContext, limiter: Limiter, sink: (line: PlanLine) => void, known?: KnownDuplicates): Promise<PlanTotals> {
  const totals: PlanTotals = {create: 0, update: 0, unchanged: 0, invalid: 0, error: 0, 'verify-failed': 0}
  const ordered = new OrderedResults<PlanLine>((l) => {
    totals[l.action]++
    sink(l)
  })
  const pending = new Set<Promise<void>>()
  let seq = 0
  try {
    // Batch by batch, as pre-flight reads: rows that need no request are done before the next read, so
    // they die young instead of living on in the heap.
    for await (const batch of importBatches(open, csv, undefined, known)) {
      for (const planned of await planBatch(batch, ctx)) {
        const mySeq = seq++
        if (typeof planned !== 'function') {
          ordered.settle(mySeq, planned)
          continue
        }
        await limiter.acquire()
        const p: Promise<void> = planned()
          .then((line) => ordered.settle(mySeq, line))
          .finally(() => {
            limiter.release()
            pending.delete(p)
          })
        pending.add(p)
      }
    }
  } finally {
    await Promise.all(pending)
  }
  return totals
}

/** An update (the row's id, or the existing account with its natural key) and what it would change; a create when nothing matches. */
type RowPlan = Pick<PlanLine, 'action' | 'id' | 'changes' | 'error' | 'matched' | 'verified' | 'warnings'>

async function planRow(row: ImportRow, email: EMailService, index?: AccountIndex, checks?: SaveChecks): Promise<RowPlan> {
  let id = row.id
  let matched: boolean | undefined
  const keyed = row.email !== undefined && typeof row.associateId === 'number'
  if (id === undefined) {
    const match = index && keyed ? await index.find(row.associateId as number, row.email!) : {kind: 'none' as const}
    if (match.kind === 'none') return checked({action: 'create'}, checks, accountForCreate(row.input))
    if (match.kind === 'many') return {action: 'error', error: `accounts ${match.ids.map((i) => `#${i}`).join(', ')} already have this e-mail and associate; give the row the id of the one to update`}
    id = match.id
    matched = true
  }
  const current = await loadAccount(email, id)
  const merged = mergeAccount(current, row.input)
  const changes = diffAccounts(current, merged)
  const plan: RowPlan = {action: changes.length > 0 ? 'update' : 'unchanged', id, changes, ...(matched ? {matched} : {})}
  return changes.length > 0 ? checked(plan, checks, merged, current) : plan
}

/** The plan with the real run's verdict: a refusal is `invalid`, a failed login test `verify-failed`. */
async function checked(plan: RowPlan, checks: SaveChecks | undefined, account: EMailAccount, previous?: EMailAccount): Promise<RowPlan> {
  if (!checks) return plan
  const verdict = await checks.check(account, previous)
  const warnings = verdict.warnings.length > 0 ? {warnings: verdict.warnings} : {}
  if (mayBeSaved(verdict)) return {...plan, ...warnings, ...(verdict.verification ? {verified: verdict.verification.ok} : {})}
  const blocked = verdict.refusal ?? verdict.verifyFailed!
  return {...plan, ...warnings, action: verdict.refusal ? 'invalid' : 'verify-failed', error: `${blocked.message}${verdict.refusal?.hint ? ` ${verdict.refusal.hint}` : ''}`}
}
