import {accountValue} from '../accounts/merge.js'
import type {Side} from '../accounts/verify.js'
import {fieldByName} from '../model/account-fields.js'
import type {EMailAccount} from '../soap/account-model.js'
import {csvLine} from './writer.js'

/**
 * The repair file `account check --out` writes: an `account import` file with the id of each account that
 * needs attention and the login columns of each side to look at, filled with what is stored (passwords
 * left empty, never written). Fill in what is wrong — usually the password — and import it: a row with an
 * id updates only the cells that are filled in, so a side left empty stays as it is.
 */
const KEY_FIELDS = ['id', 'email'] as const
const SIDE_FIELDS = {
  incoming: ['imap_server', 'imap_port', 'imap_username', 'imap_password'],
  outgoing: ['smtp_server', 'smtp_port', 'smtp_username', 'smtp_password'],
} as const satisfies Record<Side, readonly string[]>

const fields = [...KEY_FIELDS, ...SIDE_FIELDS.incoming, ...SIDE_FIELDS.outgoing].map((name) => fieldByName(name))

export function repairHeader(): string {
  return csvLine(fields.map((f) => f.column))
}

/** One row; `sides` are those to fill in (both when it is not known which one failed). */
export function repairLine(account: EMailAccount, sides: readonly Side[]): string {
  const filled = new Set<string>([...KEY_FIELDS, ...sides.flatMap((s) => SIDE_FIELDS[s])])
  return csvLine(fields.map((f) => (filled.has(f.name) && !f.secret ? accountValue(account, f) : undefined)))
}
