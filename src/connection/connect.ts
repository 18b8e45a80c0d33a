import {NetServerClient} from '../soap/client.js'
import {EMailService} from '../soap/email-service.js'
import {redactXml} from '../soap/redact.js'
import {SoapTransport, type TraceEvent} from '../soap/transport.js'
import type {ApiVersion} from '../soap/versions.js'

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
  /** Extra attempts of a repeatable request (the client's default when absent). */
  retries?: number
}

export interface Connection {
  client: NetServerClient
  email: EMailService
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
    const client = new NetServerClient(
      {baseUrl: options.url, version: options.apiVersion, ticket: options.ticket, applicationToken: options.appToken, allowHttp: options.allowHttp, retries: options.retries},
      transport,
    )
    return {client, email: new EMailService(client), transport, close: () => transport.close()}
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
