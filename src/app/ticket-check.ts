import {COMMAND_RETRIES, readWithRetries} from '../connection/call-policy.js'
import type {CommandSession} from './world.js'

/**
 * The ticket and URL check an import makes before it sends anything, shared by the real run and
 * --dry-run so that both exit alike (4 for a rejected ticket, 7 for nothing at the URL or a server
 * error): one authenticated read. CreateDefaultEMailAccount returns a blank account and stores nothing.
 * A bulk connection sends each request once (the runner retries rows), so this read, which is no row,
 * is retried as the runner retries a row's read (a 500 or a reset too): one failure at the start must not end the whole run.
 */
export function ticketCheck(session: Pick<CommandSession, 'email' | 'call'>): () => Promise<void> {
  return () => session.call(() => readWithRetries(() => session.email.createDefaultEMailAccount(), COMMAND_RETRIES).then(() => undefined))
}
