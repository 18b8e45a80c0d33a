import {describeAssociate, refKey, type Associate, type AssociateRef, type Resolution} from '../accounts/associates.js'
import type {ImportRow, RowProblem} from '../csv/row.js'

/** Resolves the distinct associates of a file at once (AssociateResolver.resolveAll under the call policy). */
export type ResolveAssociates = (refs: AssociateRef[]) => Promise<Map<string, Resolution>>

/** The associates a file names, as pre-flight collects them from its valid rows. */
export class AssociateRefs {
  /** By refKey: the value as first written, how many rows name it, and the first lines that do. */
  readonly byKey = new Map<string, {ref: AssociateRef; key: string; rows: number; lines: number[]}>()
  /** The associate column as the file's header names it. */
  column = 'associate'

  static readonly LINES_KEPT = 20

  /** Counts the row; returns the reference's key (one string per associate, whoever else names it). */
  add(ref: AssociateRef, line: number): string {
    const {key} = refKey(ref)
    const seen = this.byKey.get(key)
    if (seen === undefined) {
      this.byKey.set(key, {ref, key, rows: 1, lines: [line]})
      return key
    }
    if (seen.rows++ < AssociateRefs.LINES_KEPT) seen.lines.push(line)
    // The first row's copy: what callers keep per row then costs a pointer, not a string.
    return seen.key
  }
}

/** The resolutions of a file's associates, and the rows they make invalid. */
export class AssociateCheck {
  private readonly byId = new Map<number, Associate>()

  constructor(readonly refs: AssociateRefs, readonly resolutions: Map<string, Resolution>) {
    for (const r of resolutions.values()) if (r.ok) this.byId.set(r.associate.id, r.associate)
  }

  /** The associate id a reference (by its refKey) resolved to; undefined when it was refused. */
  idOf(key: string): number | undefined {
    const r = this.resolutions.get(key)
    return r?.ok ? r.associate.id : undefined
  }

  /** `Kari Nordmann (kari, #12)` for a resolved associate id. */
  describe(id: number | string | undefined): string | undefined {
    const a = typeof id === 'number' ? this.byId.get(id) : undefined
    return a && describeAssociate(a)
  }

  /** One problem per row (of the first rows kept) whose associate cannot own the account, in line order. */
  problems(): RowProblem[] {
    const problems: RowProblem[] = []
    for (const [key, {lines}] of this.refs.byKey) {
      const r = this.resolutions.get(key)
      if (r && !r.ok) for (const line of lines) problems.push({line, column: this.refs.column, message: r.problem})
    }
    return problems.sort((a, b) => a.line - b.line)
  }

  /** Rows whose associate was refused, however many there are. */
  badRows(): number {
    let n = 0
    for (const [key, {rows}] of this.refs.byKey) if (this.resolutions.get(key)?.ok === false) n += rows
    return n
  }

  /**
   * Puts the resolved associate id into a row read in a later pass, or a problem when it was refused (or
   * not in the file when pre-flight read it, if the file changed since).
   */
  apply(row: ImportRow): ImportRow {
    const ref = row.input.associateId
    if (ref === undefined || row.problems.length > 0) return row
    const r = this.resolutions.get(refKey(ref).key)
    if (r?.ok) {
      row.input.associateId = r.associate.id
      row.associateId = r.associate.id
      row.associateName = r.associate.userName
    } else {
      row.problems.push({line: row.line, column: this.refs.column, message: r ? r.problem : `${String(ref)} was not in the file when it was checked; run the import again`})
    }
    return row
  }
}

/** The rows of `rows` with their associates resolved (see AssociateCheck.apply). */
export async function* withAssociates(rows: AsyncIterable<ImportRow>, check: AssociateCheck): AsyncGenerator<ImportRow> {
  for await (const row of rows) yield check.apply(row)
}
