import {existsSync, readFileSync, writeFileSync} from 'node:fs'

export const HEADER = 'id,email,associate_id,imap_server,imap_port,imap_auth_type,imap_username,imap_password,smtp_server,smtp_port,smtp_auth_type,smtp_username,smtp_password'

/** A create row for user n: unique e-mail per n, passwords that tests can search for in files. */
export function createRow(n: number, associateId = 5): string {
  return `,user${n}@example.com,${associateId},imap.example.com,993,plain,user${n},imap-pw-${n},smtp.example.com,587,plain,user${n},smtp-pw-${n}`
}

export function writeCsv(path: string, rows: string[], header = HEADER, eol = '\n'): string {
  writeFileSync(path, [header, ...rows].join(eol) + eol)
  return path
}

/**
 * Results file rows as objects (the file is written by soemail, so a plain split suffices for these tests).
 * The file has its input's delimiter (`,`, `;` or tab) and BOM.
 */
export function readResults(text: string): Array<Record<string, string>> {
  const [head, ...lines] = text.replace(/^\uFEFF/, '').trimEnd().split('\n')
  const delimiter = [',', ';', '\t'].find((d) => head!.split(d).includes('status')) ?? ','
  const cols = head!.split(delimiter)
  return lines.map((l) => {
    const cells: string[] = []
    let cur = ''
    let quoted = false
    for (let i = 0; i < l.length; i++) {
      const ch = l[i]!
      if (quoted) {
        if (ch === '"' && l[i + 1] === '"') {
          cur += '"'
          i++
        } else if (ch === '"') quoted = false
        else cur += ch
      } else if (ch === '"') quoted = true
      else if (ch === delimiter) {
        cells.push(cur)
        cur = ''
      } else cur += ch
    }
    cells.push(cur)
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']))
  })
}

/** How many rows an import's journal has recorded as done so far (0 before it exists). */
export function journalDoneCount(journal: string): number {
  return existsSync(journal) ? readFileSync(journal, 'utf8').split('"k":"done"').length - 1 : 0
}

/** Resolves once the journal records `count` done rows, or as soon as `stop()` says there is no use waiting. */
export function untilJournalDone(journal: string, count: number, stop = () => false, everyMs = 20): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (journalDoneCount(journal) >= count || stop()) {
        clearInterval(timer)
        resolve()
      }
    }, everyMs)
  })
}
