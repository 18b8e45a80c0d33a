import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'

/**
 * Where an EMailConnectionInfo points, and how to reach it the way SuperOffice's mail component (MailKit)
 * does by default: SecureSocketOptions.Auto, i.e. implicit TLS on the well-known TLS ports (993 IMAP,
 * 465 SMTP, and 995 for POP that IMAP never uses) or when UseSSL is set, STARTTLS when the server
 * offers it on any other port.
 */
export interface MailTarget {
  /** The host as given (a name or an IP literal), for SNI, the certificate check and the log. */
  host: string
  port: number
  /** The address connected to: resolved once here, so what was checked against loopback is what is reached. */
  address: string
  implicitTls: boolean
}

export type MailProtocol = 'imap' | 'smtp'

const IMPLICIT_TLS_PORTS = new Set([993, 465, 995])
/** MailKit's defaults when the port is 0 or missing. */
const DEFAULT_PORTS: Record<MailProtocol, {plain: number; tls: number}> = {imap: {plain: 143, tls: 993}, smtp: {plain: 25, tls: 465}}

/** A target the sandbox will not connect to, or cannot make sense of: the caller answers with a refusal that says why. */
export class MailTargetError extends Error {
  override name = 'MailTargetError'
}

/** The login test failed for a reason of the account or its server: answered false, the reason logged. */
export class MailLoginFailure extends Error {
  override name = 'MailLoginFailure'
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 literal has no port. */
export function parseServerName(serverName: string | undefined): {host: string; port?: number} {
  const text = (serverName ?? '').trim()
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  const hostPort = /^([^:\s]+)(?::(\d+))?$/.exec(text)
  const m = bracketed ?? (isIP(text) === 6 ? [text, text] : hostPort)
  if (!m || !m[1]) throw new MailTargetError(`ServerName "${text}" is not host or host:port`)
  const port = m[2] === undefined ? undefined : Number(m[2])
  if (port !== undefined && !(port >= 1 && port <= 65535)) throw new MailTargetError(`ServerName "${text}" has port ${m[2]}, outside 1..65535`)
  return {host: m[1], port}
}

export async function resolveTarget(
  protocol: MailProtocol,
  info: {serverName?: string; useSsl?: boolean},
  allowRemote: boolean,
): Promise<MailTarget> {
  const {host, port: given} = parseServerName(info.serverName)
  const implicitTls = info.useSsl === true || (given !== undefined && IMPLICIT_TLS_PORTS.has(given))
  const port = given ?? (implicitTls ? DEFAULT_PORTS[protocol].tls : DEFAULT_PORTS[protocol].plain)
  let addresses: string[]
  try {
    addresses = (await lookup(host, {all: true})).map((a) => a.address)
  } catch (error) {
    // A name that does not resolve is the account's problem (answered false, as NetServer would), not the sandbox's.
    throw new MailLoginFailure(`${host} does not resolve (${(error as Error).message})`)
  }
  if (!allowRemote) {
    const remote = addresses.filter((a) => !isLoopback(a))
    if (remote.length > 0) {
      throw new MailTargetError(
        `the sandbox connects only to loopback mail servers, and ${host} is ${remote.join(', ')}; start it with --allow-remote-mail to test other hosts`,
      )
    }
  }
  return {host, port, address: addresses[0] ?? host, implicitTls}
}

export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1'
}

/** The name to send as SNI and check the certificate against; Node refuses SNI with an IP literal. */
export function serverNameFor(target: MailTarget): string | undefined {
  return isIP(target.host) ? undefined : target.host
}
