import {describeMatch} from '../accounts/natural-key.js'
import type {ImportSummary} from '../bulk/import-job.js'
import type {PlanLine} from '../bulk/dry-run.js'
import {formatSeconds} from '../bulk/progress.js'
import type {Style} from './account-view.js'

export function renderPlanLine(l: PlanLine, style: Style): string {
  const who = [l.email, l.associate ?? (l.associateId === undefined ? undefined : `associate ${l.associateId}`)].filter(Boolean).join(', ')
  const head = `line ${String(l.line).padEnd(6)} ${l.action.padEnd(9)}`
  // A row without id that matched an existing account says so: the user asked for a create.
  const target = l.matched && l.email !== undefined && typeof l.associateId === 'number' ? describeMatch(l.id ?? 0, l.associateId, l.email) : `#${l.id}`
  if (l.action === 'update') {
    const changes = (l.changes ?? []).map((c) => (c.secret ? `${c.field} changed` : `${c.field}: ${c.from ?? ''} → ${c.to ?? ''}`)).join('; ')
    return `${head} ${target} ${who && !l.matched ? `(${who}) ` : ''}${changes}`
  }
  if (l.action === 'unchanged') return style.dim(`${head} ${target}`)
  if (l.action === 'invalid' || l.action === 'error' || l.action === 'verify-failed') return `${head} ${who} ${style.dim(l.error ?? '')}`
  return `${head} ${who}${l.filled ? ` ${style.dim(l.filled.join(', '))}` : ''}`
}

export function renderImportSummary(s: ImportSummary, style: Style): string {
  const c = s.counts
  const took = formatSeconds(s.elapsedMs / 1000)
  // A stopped run says how far it got, from the same tally as the progress line and the results file.
  const head = s.stopped || s.notTried > 0 ? `Stopped after ${s.tried + s.earlier} of ${s.rows} rows in ${took}${s.stopped ? ` (${s.stopped.reason})` : ''}; ${s.notTried} not tried` : `Imported ${s.rows} rows in ${took}`
  const lines = [
    style.bold(head),
    `  ok        ${c.ok}  (${s.actions.create} created, ${s.actions.update} updated, ${s.actions.unchanged} unchanged${s.earlier ? `, ${s.earlier} done in an earlier run` : ''})`,
    `  failed    ${c.failed}`,
    `  unknown   ${c.unknown}`,
    `  invalid   ${c.invalid}`,
    ...(c['verify-failed'] > 0 ? [`  verify-failed ${c['verify-failed']}  (the login test failed; not saved)`] : []),
    `  not tried ${c.skipped}${c.skipped > 0 ? '  (status skipped in the results file)' : ''}`,
    `Results: ${s.files.results}`,
  ]
  if (s.actions.update > 0) lines.push(`Undo updates: soemail account import ${s.files.undo}`)
  if (s.actions.create > 0) lines.push(`Undo creates: soemail account delete --from ${s.files.created}`)
  if (s.errors.length > 0) {
    lines.push(style.bold('Most common errors:'))
    for (const g of s.errors) lines.push(`  ${g.count} × ${g.example} ${style.dim(`(lines ${g.lines.join(', ')}${g.count > g.lines.length ? ', …' : ''})`)}`)
  }
  return lines.join('\n')
}
