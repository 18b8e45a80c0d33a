import {diffAccounts, mergeAccount, type FieldChange} from '../accounts/merge.js'
import {loadAccount} from '../accounts/service.js'
import type {EMailService} from '../soap/email-service.js'
import type {CsvOptions} from '../csv/reader.js'
import {importBatches} from '../csv/rows.js'
import {rowProblemsText, type ImportRow, type KnownDuplicates} from '../csv/row.js'
import type {AccountIndex} from '../accounts/account-index.js'
import type {Limiter} from './limiter.js'
import {classifyFailure} from '../connection/call-policy.js'
import {OrderedResults} from './results.js'

export interface PlanLine {
  line: number
  action: 'create' | 'update' | 'unchanged' | 'invalid' | 'error'
  email?: string
  associateId?: number
  id?: number
  changes?: FieldChange[]
  error?: string
  /** The row has no id; `id` is the existing account with its e-mail and associate. */
  matched?: boolean
}

export interface PlanTotals {
  create: number
  update: number
  unchanged: number
  invalid: number
  error: number
}

/**
 * What an import would do, row by row, without writing anything: rows with an id are read from the
 * server to see which fields would change. Lines come out in input order. `known`: the duplicates
 * pre-flight found (knownDuplicates); nothing is sent, so a file changed in between costs a wrong plan at
 * worst, while the real import finds duplicates again as it sends.
 */
export async function planImport(open: () => NodeJS.ReadableStream, csv: CsvOptions, email: EMailService, limiter: Limiter, sink: (line: PlanLine) => void, known?: KnownDuplicates, index?: AccountIndex): Promise<PlanTotals> {
  const totals: PlanTotals = {create: 0, update: 0, unchanged: 0, invalid: 0, error: 0}
  const ordered = new OrderedResults<PlanLine>((l) => {
    totals[l.action]++
    sink(l)
  })
  const pending = new Set<Promise<void>>()
  let seq = 0
  try {
    // Batch by batch, as pre-flight reads: rows that need no request are done before the next await, so
    // they die young instead of living on in the heap.
    for await (const batch of importBatches(open, csv, undefined, known)) {
      for (const row of batch) {
        const mySeq = seq++
        const base = {line: row.line, email: row.email, associateId: row.associateId, id: row.id}
        if (row.problems.length > 0) {
          ordered.settle(mySeq, {...base, action: 'invalid', error: rowProblemsText(row.problems)})
          continue
        }
        if (row.id === undefined && (!index || row.email === undefined || row.associateId === undefined)) {
          ordered.settle(mySeq, {...base, action: 'create'})
          continue
        }
        await limiter.acquire()
        const p: Promise<void> = planRow(row, email, index)
          .then((planned) => ordered.settle(mySeq, {...base, ...planned}))
          .catch((error: unknown) => ordered.settle(mySeq, {...base, action: 'error', error: classifyFailure(error, false).message}))
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
async function planRow(row: ImportRow, email: EMailService, index?: AccountIndex): Promise<Pick<PlanLine, 'action' | 'id' | 'changes' | 'error' | 'matched'>> {
  let id = row.id
  let matched: boolean | undefined
  if (id === undefined) {
    const match = await index!.find(row.associateId!, row.email!)
    if (match.kind === 'none') return {action: 'create'}
    if (match.kind === 'many') return {action: 'error', error: `accounts ${match.ids.map((i) => `#${i}`).join(', ')} already have this e-mail and associate; give the row the id of the one to update`}
    id = match.id
    matched = true
  }
  const current = await loadAccount(email, id)
  const changes = diffAccounts(current, mergeAccount(current, row.input))
  return {action: changes.length > 0 ? 'update' : 'unchanged', id, changes, ...(matched ? {matched} : {})}
}
