import type {ChalkInstance} from 'chalk'
import type {AccountHealth} from '../accounts/health.js'

/** The health report as a table: one account a line, what needs attention marked and explained under it. */
export function renderHealth(rows: readonly AccountHealth[], style: ChalkInstance, verified: boolean): string {
  const header = ['ID', 'EMAIL', 'STATUS', 'ERRORS', ...(verified ? ['LOGIN TEST'] : []), 'LAST ERROR']
  const cells = rows.map((r) => [
    String(r.id),
    r.email ?? '-',
    r.status ?? 'unreadable',
    r.errorCount === undefined ? '-' : String(r.errorCount),
    ...(verified ? [r.verify ? (r.verify.ok ? 'ok' : failedSides(r)) : '-'] : []),
    oneLine(r.error ?? r.errorReason ?? '') || '-',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => Math.min((c[i] ?? '').length, 40))))
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd()
  const out = [style.bold(line(header))]
  rows.forEach((r, i) => {
    const text = line(cells[i] ?? [])
    out.push(r.attention ? style.red(text) : text)
  })
  const attention = rows.filter((r) => r.attention)
  out.push('', attention.length === 0 ? style.green(`All ${rows.length} account(s) look fine.`) : style.yellow(`${attention.length} of ${rows.length} account(s) need attention:`))
  for (const r of attention) for (const why of r.why) out.push(`  ${r.id}${r.email ? ` ${r.email}` : ''}: ${oneLine(why)}`)
  return out.join('\n')
}

function failedSides(r: AccountHealth): string {
  const failed = [r.verify?.incoming.ok ? undefined : 'IMAP', r.verify?.outgoing.ok ? undefined : 'SMTP'].filter(Boolean)
  return `${failed.join('+')} failed`
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
