import type {EMailAccount} from '../soap/account-model.js'
import type {EMailService} from '../soap/email-service.js'
import {AuthError} from '../errors.js'
import {describeFailure, isTicketRejection} from '../connection/wire-facts.js'
import {accountRow, CSV_FIELDS} from '../csv/header.js'
import {csvLine} from '../csv/writer.js'
import {Limiter} from './limiter.js'
import {OrderedResults} from './results.js'

export interface ExportOutcome {
  written: number
  missing: Array<{id: number; error: string}>
}

/** Writes the accounts in the import format, in the order of `ids`, reading several at a time. */
export async function exportAccounts(email: EMailService, ids: number[], options: {includeSecrets: boolean; write: (text: string) => void}): Promise<ExportOutcome> {
  const outcome: ExportOutcome = {written: 0, missing: []}
  options.write(csvLine(CSV_FIELDS))
  const ordered = new OrderedResults<{id: number; account?: EMailAccount; error?: string}>((r) => {
    if (r.account) {
      options.write(csvLine(accountRow(r.account, options.includeSecrets)))
      outcome.written++
    } else outcome.missing.push({id: r.id, error: r.error ?? 'not found'})
  })
  const limiter = new Limiter(8)
  const pending: Array<Promise<void>> = []
  for (const [seq, id] of ids.entries()) {
    await limiter.acquire()
    pending.push(
      email
        .getEMailAccount(id)
        .then((account) => ordered.settle(seq, account ? {id, account} : {id, error: 'there is no e-mail account with this id'}))
        .catch((error: unknown) => {
          // A rejected ticket fails every id alike: stop with it instead of listing each.
          if (isTicketRejection(error) || error instanceof AuthError) throw error
          ordered.settle(seq, {id, error: describeFailure(error)})
        })
        .finally(() => limiter.release()),
    )
  }
  await Promise.all(pending)
  return outcome
}
