import type {AccountIndex} from '../accounts/account-index.js'
import type {AssociateCheck} from './associates.js'
import type {RowHistory} from './journal.js'

/**
 * What pre-flight notes for the index of existing accounts, from the rows that pass it: the associates
 * of the rows that create accounts (the only ones whose existing accounts the index needs to read), and
 * the ids the other rows update. A row valid in pre-flight stays valid in the apply pass (a duplicate is
 * the later of two rows, and it is invalid in both), except that its associate may be refused when the
 * file's associates are resolved: the keys are therefore taken after that (`resolve`), and no
 * second pass over the file is needed for them.
 */
export class KeyRefs {
  /** The refKeys of the associates creating rows name. (Two rows of one file with the same e-mail and associate are a pre-flight duplicate, so the index only ever matches accounts made before the run.) */
  private readonly creating = new Set<string>()
  /** Update rows: id -> line. */
  private readonly updates = new Map<number, number>()
  /** The associate (refKey) an update row names, by id: the row is invalid when it is refused. */
  private readonly updateRefs = new Map<number, string>()

  /** A valid row; `ref` is the refKey of its associate, if it names one. */
  add(id: number | undefined, line: number, ref: string | undefined): void {
    if (id === undefined) {
      if (ref !== undefined) this.creating.add(ref)
      return
    }
    this.updates.set(id, line)
    if (ref !== undefined) this.updateRefs.set(id, ref)
  }

  /** The associates of the creating rows, and the ids other rows update, of the rows whose associates were not refused. Once per run: it drops what it no longer needs. */
  resolve(resolved: Pick<AssociateCheck, 'idOf'>): {associates: Set<number>; ids: Map<number, number>} {
    const associates = new Set<number>()
    for (const ref of this.creating) {
      const id = resolved.idOf(ref)
      if (id !== undefined) associates.add(id)
    }
    // In place, not copied: for a file of updates the map is as long as the file.
    for (const [id, ref] of this.updateRefs) if (resolved.idOf(ref) === undefined) this.updates.delete(id)
    this.updateRefs.clear()
    return {associates, ids: this.updates}
  }
}

/** What the index of a run must cover: the associates of its creating rows, less the accounts its earlier runs created for rows now done. */
export interface IndexScope {
  associates: ReadonlySet<number>
  skipIds: ReadonlySet<number>
}

/** Opens the index of existing accounts for a run; given to the import job by the run function. */
export type OpenAccountIndex = (scope: IndexScope) => Promise<AccountIndex>

/** Accounts created by earlier runs of the file for rows that are done: a resume settles those rows without the index. */
export function createdByEarlierRuns(history: ReadonlyMap<number, RowHistory>): Set<number> {
  const ids = new Set<number>()
  for (const past of history.values()) if (past.done?.st === 'ok' && past.done.a === 'create' && past.done.id) ids.add(past.done.id)
  return ids
}
