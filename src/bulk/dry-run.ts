import {diffAccounts, mergeAccount, type FieldChange} from '../accounts/merge.js'
import {loadAccount} from '../accounts/service.js'
import type {EMailService} from '../soap/email-service.js'
import type {CsvOptions} from '../csv/reader.js'
import {importBatches} from '../csv/rows.js'
import {rowProblemsText, type KnownDuplicates} from '../csv/row.js'
import type {Limiter} from './limiter.js'
import {classifyFailure} from '../connection/call-policy.js'
import {OrderedResults} from './results.js'
import type {AssociateCheck} from './associates.js'

export interface PlanLine {
  line: number
  action: 'create' | 'update' | 'unchanged' | 'invalid' | 'error'
  email?: string
  associateId?: number | string
  /** The resolved associate, as `Kari Nordmann (kari, #12)`. */
  associate?: string
  id?: number
  changes?: FieldChange[]
  error?: string
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
export async function planImport(
  open: () => NodeJS.ReadableStream,
  csv: CsvOptions,
  email: EMailService,
  limiter: Limiter,
  sink: (line: PlanLine) => void,
  known?: KnownDuplicates,
  associates?: AssociateCheck,
): Promise<PlanTotals> {
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
        associates?.apply(row)
        const base = {line: row.line, email: row.email, associateId: row.associateId, associate: associates?.describe(row.associateId), id: row.id}
        if (row.problems.length > 0) {
          ordered.settle(mySeq, {...base, action: 'invalid', error: rowProblemsText(row.problems)})
          continue
        }
        if (row.id === undefined) {
          ordered.settle(mySeq, {...base, action: 'create'})
          continue
        }
        const id = row.id
        await limiter.acquire()
        const p: Promise<void> = loadAccount(email, id)
          .then((current) => {
            const changes = diffAccounts(current, mergeAccount(current, row.input))
            ordered.settle(mySeq, {...base, action: changes.length > 0 ? 'update' : 'unchanged', changes})
          })
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
