import {COMMAND_RETRIES, sendWithRetries} from '../connection/call-policy.js'
import type {CommandSession} from './world.js'

/**
 * The ticket and URL check an import makes before it sends anything, shared by the real run and
 * --dry-run so that both exit alike (4 for a rejected ticket, 7 for nothing at the URL or a server
 * error): one authenticated read. CreateDefaultEMailAccount returns a blank account and stores nothing.
 * A bulk connection sends each request once (the runner retries rows), so this read, which is no row,
 * gets a single command's retries: one 503 at the start must not end the whole run.
 */
export function ticketCheck(session: Pick<CommandSession, 'email' | 'call'>): () => Promise<void> {
  return () => session.call(() => sendWithRetries(() => session.email.createDefaultEMailAccount(), true, COMMAND_RETRIES).then(() => undefined))
}
