import type {CommandSession} from './world.js'

/**
 * The ticket and URL check an import makes before it sends anything, shared by the real run and
 * --dry-run so that both exit alike (4 for a rejected ticket, 7 for nothing at the URL or a server
 * error): one authenticated read. CreateDefaultEMailAccount returns a blank account and stores nothing.
 */
export function ticketCheck(session: Pick<CommandSession, 'email' | 'call'>): () => Promise<void> {
  return () => session.call(() => session.email.createDefaultEMailAccount().then(() => undefined))
}
