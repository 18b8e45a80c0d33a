import type {EMailAccount, EMailConnectionInfo, ServiceAuth} from '../soap/account-model.js'
import {isTicketRejection} from '../connection/wire-facts.js'
import {NetServerError} from '../soap/errors.js'
import type {EMailService} from '../soap/email-service.js'

/**
 * Credential checks that run on the NetServer (AuthenticateIncoming / AuthenticateOutgoing), i.e. from
 * the CRM server where sync will run, through its firewall: a login that works from the admin's laptop
 * proves little.
 */

export type Side = 'incoming' | 'outgoing'

export interface SideCheck {
  ok: boolean
  /** Why not, in words safe to print: never a password. */
  reason?: string
  /** Not tested (not asked for): counts as ok. */
  skipped?: true
}

export interface AccountVerification {
  /** Both sides logged in. */
  ok: boolean
  incoming: SideCheck
  outgoing: SideCheck
}

/** The two login tests; EMailService has them (a narrower type lets a run function count or limit calls). */
export type LoginTester = Pick<EMailService, 'authenticateIncoming' | 'authenticateOutgoing'>

const SIDE_LABEL: Record<Side, string> = {incoming: 'incoming (IMAP)', outgoing: 'outgoing (SMTP)'}

/** Ports where TLS starts with the first byte; SuperOffice's UseSSL means exactly that (DOMAIN.md). */
const IMPLICIT_TLS_PORTS = new Set([993, 465])

/** `host:port` as EMailConnectionInfo.ServerName wants it; an IPv6 literal gets brackets. */
export function serverName(server: string, port: number | undefined): string {
  const host = server.includes(':') && !server.startsWith('[') ? `[${server}]` : server
  return port ? `${host}:${port}` : host
}

/** The EMailConnectionInfo for one side of an account: UseSSL on 993/465, STARTTLS (the server's choice) elsewhere. */
export function connectionInfo(auth: ServiceAuth): EMailConnectionInfo {
  return {
    serverName: serverName(auth.server ?? '', auth.port),
    userName: auth.username,
    password: auth.password,
    useSsl: auth.port !== undefined && IMPLICIT_TLS_PORTS.has(auth.port),
  }
}

/**
 * Asks the NetServer to log in to the servers of the account (both sides unless `sides` says), at once.
 * Give it the account as it will be stored: for an update, the stored account with the changes merged in. A refusal by the server
 * (other than a rejected ticket, which the caller's re-login policy handles) is a failed side with the
 * server's reason; a network failure or a rejected ticket throws, as any call does.
 */
export async function verifyAccount(email: LoginTester, account: EMailAccount, sides: readonly Side[] = ['incoming', 'outgoing']): Promise<AccountVerification> {
  const skipped: SideCheck = {ok: true, skipped: true}
  const [incoming, outgoing] = await Promise.all([
    sides.includes('incoming') ? checkSide('incoming', account.incoming, (info) => email.authenticateIncoming(info)) : skipped,
    sides.includes('outgoing') ? checkSide('outgoing', account.outgoing, (info) => email.authenticateOutgoing(info)) : skipped,
  ])
  return {ok: incoming.ok && outgoing.ok, incoming, outgoing}
}

async function checkSide(side: Side, auth: ServiceAuth | undefined, login: (info: EMailConnectionInfo) => Promise<boolean>): Promise<SideCheck> {
  const label = SIDE_LABEL[side]
  if (!auth?.server) return {ok: false, reason: `${label}: no server to test`}
  const info = connectionInfo(auth)
  const where = `${info.userName ?? ''}@${info.serverName}`
  try {
    if (await login(info)) return {ok: true}
    return {ok: false, reason: `${label}: login as ${where} failed as tested by the CRM server (wrong user name or password, server unreachable from it, or TLS refused; NetServer's log has the detail)`}
  } catch (error) {
    if (error instanceof NetServerError && !isTicketRejection(error)) return {ok: false, reason: `${label}: the CRM server did not test ${where}: ${error.message}`}
    throw error
  }
}

/** One line for a report or results file: "ok", or the failed sides' reasons. */
export function describeVerification(v: AccountVerification): string {
  if (v.ok) return 'ok'
  return [v.incoming, v.outgoing].filter((s) => !s.ok).map((s) => s.reason).join('; ')
}

/** The members whose change makes a saved login doubtful. */
const LOGIN_MEMBERS = ['server', 'port', 'username', 'password'] as const satisfies ReadonlyArray<keyof ServiceAuth>

/**
 * Which sides of a save need a login test: both for a create; for an update, each side whose server,
 * port, user name or password the update sets to a new value (`previous` is the stored account; without
 * it, any of them being set counts as a change).
 */
export function sidesToVerify(update: EMailAccount, previous?: EMailAccount): Side[] {
  const creating = !(update.emailAccountId && update.emailAccountId > 0)
  if (creating) return ['incoming', 'outgoing']
  return (['incoming', 'outgoing'] as const).filter((side) => {
    const next = update[side]
    if (!next) return false
    const before = previous?.[side]
    return LOGIN_MEMBERS.some((m) => next[m] !== undefined && next[m] !== before?.[m])
  })
}

/** Whether a save needs verification at all (sidesToVerify is not empty). */
export function needsVerification(update: EMailAccount, previous?: EMailAccount): boolean {
  return sidesToVerify(update, previous).length > 0
}

/**
 * The warning (not an error) for an address whose domain the NetServer finds no MX record for, or
 * undefined. HasMXRecord exists from Services87 on; where the server cannot answer it (86, a refusal, a
 * network failure) there is no warning, since the check is advice only. A rejected ticket still throws.
 */
export async function mxWarning(email: Pick<EMailService, 'hasMXRecord'>, address: string): Promise<string | undefined> {
  const at = address.lastIndexOf('@')
  const domain = at < 0 ? '' : address.slice(at + 1).trim()
  if (!domain) return undefined
  try {
    if (await email.hasMXRecord(domain)) return undefined
  } catch (error) {
    if (isTicketRejection(error)) throw error
    return undefined
  }
  return noMxText(domain, address)
}

export function noMxText(domain: string, address: string): string {
  return `the CRM server finds no MX record for ${domain}: mail sent to ${address} will not arrive; check the address`
}
