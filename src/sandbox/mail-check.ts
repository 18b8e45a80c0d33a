import {Resolver} from 'node:dns/promises'
import {rootCertificates, type ConnectionOptions} from 'node:tls'
import {MailLoginFailure, resolveTarget, serverNameFor, type MailProtocol, type MailTarget} from './mail-target.js'

/** What AuthenticateIncoming and AuthenticateOutgoing receive: EMailConnectionInfo's members. */
export interface ConnectionInfo {
  serverName?: string
  userName?: string
  password?: string
  folder?: string
  useSsl?: boolean
}

export interface MailCheckOptions {
  /** Connect to hosts other than loopback (off by default: a sandbox must not become a login prober). */
  allowRemote: boolean
  /** PEM of extra CAs to trust besides Node's roots (the sandbox's --ca-file). */
  ca?: string
  /** The bound on one whole login test: connect, TLS, greeting, login, folder, logout. */
  timeoutMs: number
  /** DNS servers (`ip` or `ip:port`) HasMXRecord asks instead of the system's. */
  dnsServers?: string[]
  /** Why a test answered false goes here, never to the client (NetServer answers a bare boolean). */
  log: (line: string) => void
}

export const DEFAULT_MAIL_TIMEOUT_MS = 15_000

/**
 * Logs in to the incoming (IMAP) server and, if a Folder is given, selects it read-only. True when that
 * worked; false, with the reason logged, for a wrong password, an unreachable server, a TLS failure or a
 * timeout. Throws MailTargetError when the sandbox refuses the target (the caller answers a refusal).
 */
export async function checkIncoming(info: ConnectionInfo, options: MailCheckOptions): Promise<boolean> {
  return loginTest('imap', info, options, async (target, tls, signal) => {
    const {ImapFlow} = await import('imapflow')
    const client = new ImapFlow({
      host: target.address,
      port: target.port,
      secure: target.implicitTls,
      servername: serverNameFor(target),
      tls,
      auth: {user: info.userName ?? '', pass: info.password ?? ''},
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    })
    // ImapFlow emits connection errors as events too; without a listener they would crash the sandbox.
    client.on('error', () => {})
    const abort = () => client.close()
    signal.addEventListener('abort', abort)
    try {
      await client.connect()
      const how = client.secureConnection ? (target.implicitTls ? 'TLS' : 'STARTTLS') : 'plain'
      if (info.folder) await client.mailboxOpen(info.folder, {readOnly: true})
      await client.logout().catch(() => client.close())
      return how
    } catch (error) {
      client.close()
      throw error
    } finally {
      signal.removeEventListener('abort', abort)
    }
  })
}

/** Connects and authenticates to the outgoing (SMTP) server, sending nothing (nodemailer's verify()). */
export async function checkOutgoing(info: ConnectionInfo, options: MailCheckOptions): Promise<boolean> {
  return loginTest('smtp', info, options, async (target, tls, signal) => {
    const {createTransport} = await import('nodemailer')
    const transport = createTransport({
      host: target.address,
      port: target.port,
      secure: target.implicitTls,
      tls: {...tls, servername: serverNameFor(target)},
      auth: {user: info.userName ?? '', pass: info.password ?? ''},
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      logger: false,
    })
    const abort = () => transport.close()
    signal.addEventListener('abort', abort)
    try {
      await transport.verify()
      return target.implicitTls ? 'TLS' : 'STARTTLS if offered'
    } finally {
      signal.removeEventListener('abort', abort)
      transport.close()
    }
  })
}

/** Whether the domain has at least one MX record, asked of --dns-server when given, else of the system resolver. */
export async function hasMxRecord(domain: string, options: MailCheckOptions): Promise<boolean> {
  const resolver = new Resolver({timeout: Math.min(options.timeoutMs, 5000), tries: 2})
  if (options.dnsServers?.length) resolver.setServers(options.dnsServers)
  try {
    const records = await resolver.resolveMx(domain.trim())
    options.log(`HasMXRecord ${domain}: ${records.length} MX record(s)`)
    return records.length > 0
  } catch (error) {
    options.log(`HasMXRecord ${domain}: false (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    return false
  }
}

type Attempt = (target: MailTarget, tls: ConnectionOptions, signal: AbortSignal) => Promise<string>

async function loginTest(protocol: MailProtocol, info: ConnectionInfo, options: MailCheckOptions, attempt: Attempt): Promise<boolean> {
  const side = protocol === 'imap' ? 'AuthenticateIncoming' : 'AuthenticateOutgoing'
  const who = `${info.userName ?? ''}@${info.serverName ?? ''}`
  let target: MailTarget
  try {
    target = await resolveTarget(protocol, info, options.allowRemote)
  } catch (error) {
    if (error instanceof MailLoginFailure) {
      options.log(`${side} ${who}: false (${error.message})`)
      return false
    }
    throw error
  }
  const tls: ConnectionOptions = {ca: options.ca ? [...rootCertificates, options.ca] : undefined, minVersion: 'TLSv1.2'}
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new Error(`no answer within ${options.timeoutMs} ms`))
    }, options.timeoutMs)
  })
  try {
    const how = await Promise.race([attempt(target, tls, controller.signal), deadline])
    options.log(`${side} ${who} (${how}): true`)
    return true
  } catch (error) {
    options.log(`${side} ${who} (${target.implicitTls ? 'TLS' : 'STARTTLS if offered'}): false (${failureText(error)})`)
    return false
  } finally {
    clearTimeout(timer)
  }
}

/** The server's own words where the library keeps them (IMAP responseText, SMTP response), else the error. */
function failureText(error: unknown): string {
  const e = error as {message?: string; responseText?: string; response?: string; code?: string; authenticationFailed?: boolean}
  const said = e.responseText ?? e.response
  const text = [e.authenticationFailed ? 'authentication failed' : undefined, said, said ? undefined : e.message, e.code].filter(Boolean).join(': ')
  return text.replace(/[\r\n]+/g, ' ').slice(0, 300)
}
