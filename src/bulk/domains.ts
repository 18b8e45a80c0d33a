import type {ImportRow, RowProblem} from '../csv/row.js'
import type {Detection, Detector} from '../providers/detect.js'
import {domainOf} from '../providers/names.js'
import {fillServers, suggestionsFromDetection} from '../providers/fill.js'

/**
 * Server detection for an import, done as the associates are (bulk/associates.ts): pre-flight collects
 * the domains of the create rows that leave their servers empty, each domain is detected once before
 * anything is sent, and a row whose domain gives no server is refused with the rest of the file's
 * problems (or reported invalid with --skip-invalid). The apply pass then fills each row from its domain.
 */
/** The domain a row is detected by: its ASCII form, or as written when it is not a valid one. */
const domainKey = (email: string): string => domainOf(email) ?? email.slice(email.lastIndexOf('@') + 1).toLowerCase()

export class DomainRefs {
  /** By domain (lower case, ASCII): how many rows name it and the first lines that do. */
  readonly byDomain = new Map<string, {rows: number; lines: number[]}>()
  static readonly LINES_KEPT = 20

  add(email: string, line: number): void {
    const domain = domainKey(email)
    const seen = this.byDomain.get(domain)
    if (seen === undefined) this.byDomain.set(domain, {rows: 1, lines: [line]})
    else if (seen.rows++ < DomainRefs.LINES_KEPT) seen.lines.push(line)
  }
}

/** How many domains are detected at a time: each is a few DNS and HTTPS lookups. */
const DETECTING_AT_ONCE = 8

export class DomainCheck {
  constructor(readonly refs: DomainRefs, readonly detections: ReadonlyMap<string, Detection>) {}

  static async run(refs: DomainRefs, detector: Pick<Detector, 'detect'>): Promise<DomainCheck> {
    const domains = [...refs.byDomain.keys()]
    const detections = new Map<string, Detection>()
    for (let i = 0; i < domains.length; i += DETECTING_AT_ONCE) {
      const batch = domains.slice(i, i + DETECTING_AT_ONCE)
      const found = await Promise.all(batch.map((d) => detector.detect(d)))
      batch.forEach((d, k) => detections.set(d, found[k]!))
    }
    return new DomainCheck(refs, detections)
  }

  private why(domain: string, side: 'imap' | 'smtp'): string {
    const d = this.detections.get(domain)
    const tried = d ? [...new Set(d.attempts.map((a) => a.source))].join(', ') || 'the built-in table' : 'nothing'
    const offline = d?.offline ? ' (--offline: the built-in table only)' : ''
    return `no ${side === 'imap' ? 'IMAP' : 'SMTP'} server found for ${domain}${offline}; tried ${tried}. Give the ${side}_server column, or a provider column (soemail providers lists them)`
  }

  /** The sides a domain leaves undetected. */
  private missing(domain: string): Array<'imap' | 'smtp'> {
    const d = this.detections.get(domain)
    return (['imap', 'smtp'] as const).filter((side) => !(side === 'imap' ? d?.incoming : d?.outgoing))
  }

  /** One problem per row (of the first rows kept) that needs a server its domain does not give. */
  problems(): RowProblem[] {
    const problems: RowProblem[] = []
    for (const [domain, {lines}] of this.refs.byDomain) {
      const missing = this.missing(domain)
      if (missing.length > 0) for (const line of lines) problems.push({line, column: `${missing[0]}_server`, message: this.why(domain, missing[0]!)})
    }
    return problems.sort((a, b) => a.line - b.line)
  }

  /** Rows that may still lack a server; a row whose file gives the other side is refused only if it needs the missing one. */
  badRows(): number {
    let n = 0
    for (const [domain, {rows}] of this.refs.byDomain) if (this.missing(domain).length > 0) n += rows
    return n
  }

  /** Fills a row's empty servers from its domain's detection, or gives it the problem of a side still missing. */
  apply(row: ImportRow): ImportRow {
    if (!row.detect || row.problems.length > 0 || row.email === undefined) return row
    const domain = domainKey(row.email)
    const detection = this.detections.get(domain)
    if (detection) {
      const filled = fillServers(row.input, suggestionsFromDetection(detection, row.email))
      const shown = filled.filter((f) => f.field.endsWith('-server')).map((f) => `${f.field.startsWith('imap') ? 'IMAP' : 'SMTP'} ${f.shown}`)
      if (shown.length > 0) row.filled = shown
    }
    for (const side of ['imap', 'smtp'] as const) {
      if (row.input[side].server === undefined) row.problems.push({line: row.line, column: `${side}_server`, message: this.why(domain, side)})
    }
    return row
  }
}

export async function* withDomains(rows: AsyncIterable<ImportRow>, check: DomainCheck | undefined): AsyncGenerator<ImportRow> {
  for await (const row of rows) yield check ? check.apply(row) : row
}
