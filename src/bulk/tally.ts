import type {RowAction} from './journal.js'
import {emptyCounts, type StatusCounts} from './progress.js'
import type {RowResult} from './results.js'

/** The counts of an import as they stand: what the progress line, the summary, --json and the exit code show. */
export interface TallyView {
  /** Data rows in the file. */
  rows: number
  /** Rows this run settled (sent, or reported invalid or unknown without sending); not those done earlier. */
  tried: number
  /** Rows never started: the run was interrupted or stopped first (status skipped in the results file). */
  notTried: number
  /** Rows done by an earlier run of the same file (resume). */
  earlier: number
  counts: StatusCounts
  actions: Record<RowAction, number>
}

/**
 * The one tally of an import. Every row's result passes through add() exactly once, in the same step
 * that writes it to the results file, so the progress line, the summary, --json and the results file
 * count the same rows: after Ctrl-C the rows not started are "not tried", not done.
 */
export class ImportTally {
  readonly counts = emptyCounts()
  readonly actions: Record<RowAction, number> = {create: 0, update: 0, unchanged: 0}
  earlier = 0

  constructor(readonly rows: number) {}

  add(r: Pick<RowResult, 'status' | 'action' | 'earlier'>): void {
    this.counts[r.status]++
    if (r.earlier) this.earlier++
    else if (r.status === 'ok' && r.action) this.actions[r.action]++
  }

  /** Rows with an outcome: tried now or done earlier. */
  get settled(): number {
    const c = this.counts
    return c.ok + c.failed + c.invalid + c.unknown + c['verify-failed']
  }

  view(): TallyView {
    return {rows: this.rows, tried: this.settled - this.earlier, notTried: this.counts.skipped, earlier: this.earlier, counts: {...this.counts}, actions: {...this.actions}}
  }
}
