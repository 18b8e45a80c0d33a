import type {FieldChange} from '../accounts/merge.js'
import type {Style} from './account-view.js'

export function renderChanges(id: number | undefined, changes: FieldChange[], style: Style, withHeading = true): string {
  const lines = changes.map((c) => (c.secret ? `  ${c.field}: ${style.dim('(changed)')}` : `  ${c.field}: ${c.from ?? style.dim('(empty)')} → ${c.to ?? style.dim('(empty)')}`))
  return [...(withHeading ? [style.bold(`Changes to account ${id}:`)] : []), ...lines].join('\n')
}
