import {readFileSync} from 'node:fs'
import type {Connection} from '../connection/connect.js'
import {loginOnsite} from './login.js'
import {openStore, type ResolvedSession, type SessionContext} from './session.js'

export interface Renewed {
  how: string
  ticket: string
}

/**
 * One new ticket for a command whose ticket was rejected: from SOEMAIL_USERNAME/SOEMAIL_PASSWORD, or
 * from the profile's system user and its key. undefined when neither is at hand. The new ticket
 * replaces the old one in the connection and, if it came from the profile, in its store.
 */
export async function relogin(connection: Connection, session: ResolvedSession, ctx: SessionContext): Promise<Renewed | undefined> {
  const renewed = await newTicket(connection, session, ctx)
  if (!renewed) return undefined
  connection.ticket.replace(renewed.ticket)
  const source = session.settings.ticket?.source
  if (session.profile && (source === 'keychain' || source === 'file')) {
    const store = await openStore(session.profile.storage, ctx)
    await store.set(session.profileName, 'ticket', renewed.ticket)
  }
  return renewed
}

async function newTicket(connection: Connection, session: ResolvedSession, ctx: SessionContext): Promise<Renewed | undefined> {
  const {SOEMAIL_USERNAME: user, SOEMAIL_PASSWORD: password} = ctx.env
  if (user && password) {
    const {ticket} = await loginOnsite(connection.client, user, password)
    return {how: `as ${user} from SOEMAIL_USERNAME`, ticket}
  }
  const su = session.profile?.systemUser
  if (su && session.profile?.kind === 'system-user') {
    const store = await openStore(session.profile.storage, ctx)
    const [systemToken, applicationToken] = await Promise.all([store.get(session.profileName, 'system-token'), store.get(session.profileName, 'app-token')])
    if (!systemToken || !applicationToken) return undefined
    const {systemUserLogin} = await import('./system-user.js')
    // The command's own transport: the same --ca-file, proxy and timeouts as the call that failed.
    const {ticket} = await systemUserLogin({
      loginBaseUrl: su.loginBaseUrl,
      systemToken,
      privateKeyPem: readFileSync(su.privateKeyFile, 'utf8'),
      contextIdentifier: su.contextIdentifier,
      applicationToken,
      transport: connection.transport,
    })
    return {how: `as the system user of profile ${session.profileName}`, ticket}
  }
  return undefined
}
