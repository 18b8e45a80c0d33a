import type {NetServerClient} from '../soap/client.js'
import {ArchiveService} from '../soap/archive-service.js'
import {EMailService} from '../soap/email-service.js'
import {redactXml} from '../soap/redact.js'
import {SoapTransport, type TraceEvent} from '../soap/transport.js'
import type {ApiVersion} from '../soap/versions.js'
import {COMMAND_RETRIES, PolicyClient, type RetryPolicy} from './call-policy.js'
import {SessionTicket} from './session-ticket.js'

export interface ConnectOptions {
  url: string
  ticket?: string
  appToken?: string
  apiVersion: ApiVersion
  timeoutSeconds: number
  caFile?: string
  allowHttp: boolean
  /** Where --trace writes the redacted SOAP exchanges. */
  trace?: (line: string) => void
  /** How each request is retried; a single command's policy when absent. */
  retry?: RetryPolicy
}

export interface Connection {
  client: NetServerClient
  /** The ticket every EMail request sends; a re-login replaces it. */
  ticket: SessionTicket
  email: EMailService
  /** Archive.svc, where associates are looked up by user name or e-mail (same ticket, same policy). */
  archive: ArchiveService
  /** The HTTP side (CA file, proxy, keep-alive), for other services of the same installation. */
  transport: SoapTransport
  close(): void
}

export function connect(options: ConnectOptions): Connection {
  const transport = new SoapTransport({
    timeoutMs: options.timeoutSeconds * 1000,
    caFile: options.caFile,
    trace: options.trace ? traceWriter(options.trace) : undefined,
  })
  try {
    const ticket = new SessionTicket(options.ticket)
    const client = new PolicyClient({baseUrl: options.url, version: options.apiVersion, ticket, applicationToken: options.appToken, allowHttp: options.allowHttp}, transport, options.retry ?? COMMAND_RETRIES)
    return {client, ticket, email: new EMailService(client), archive: new ArchiveService(client), transport, close: () => transport.close()}
  } catch (error) {
    transport.close()
    throw error
  }
}

function traceWriter(write: (line: string) => void): (e: TraceEvent) => void {
  return (e) => {
    const head = e.direction === 'request' ? `--> POST ${e.url}\n    SOAPAction: "${e.action}"` : `<-- HTTP ${e.status} ${e.url}`
    write(`${head}\n${redactXml(e.body)}\n`)
  }
}
