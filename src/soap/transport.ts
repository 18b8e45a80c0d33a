import {readFileSync} from 'node:fs'
import {rootCertificates} from 'node:tls'
import {EndpointPolicyError, isTlsFailureCode, TransportError} from './errors.js'
import {httpRequest, HttpRequestError} from './http-request.js'
import {AgentSet, DEFAULT_CONNECT_TIMEOUT_MS, ProxyError} from './proxy.js'

export interface TraceEvent {
  direction: 'request' | 'response'
  url: string
  action?: string
  status?: number
  body: string
}

export interface TransportOptions {
  /** Whole-request timeout in milliseconds. */
  timeoutMs: number
  connectTimeoutMs?: number
  caFile?: string
  maxResponseBytes?: number
  trace?: (event: TraceEvent) => void
  userAgent?: string
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (default process.env); see proxy.ts. */
  env?: Record<string, string | undefined>
}

export interface HttpExchange {
  status: number
  body: string
  contentType: string
  location?: string
}

/** Errors where the request cannot have reached the server, so any call may be repeated safely. */
const NOT_DELIVERED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'])
const NOT_DELIVERED_TIMEOUTS = new Set(['lookup', 'connect', 'secureConnect'])
/** The largest answer read unless told otherwise. */
export const DEFAULT_MAX_RESPONSE = 16 * 1024 * 1024

/** POSTs SOAP envelopes over keep-alive connections. It never retries; the client decides that. */
export class SoapTransport {
  /** Keep-alive agents, direct or through a proxy; other requests of the same command (e.g. the JWKS) share them. */
  readonly agents: AgentSet

  constructor(private readonly options: TransportOptions) {
    let ca: string[] | undefined
    if (options.caFile) {
      try {
        ca = [...rootCertificates, readFileSync(options.caFile, 'utf8')]
      } catch (error) {
        throw new EndpointPolicyError('ca-file', `cannot read the CA file ${options.caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
      }
    }
    this.agents = new AgentSet({ca, env: options.env, connectTimeoutMs: options.connectTimeoutMs ?? Math.min(options.timeoutMs, DEFAULT_CONNECT_TIMEOUT_MS)})
  }

  async post(url: string, action: string, envelope: string): Promise<HttpExchange> {
    const {trace, timeoutMs} = this.options
    trace?.({direction: 'request', url, action, body: envelope})
    const max = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE
    // Outside the try: an unusable proxy variable is an EndpointPolicyError of its own.
    const target = new URL(url)
    const route = this.agents.route(target)
    try {
      const res = await httpRequest(target, {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: `"${action}"`,
          'user-agent': this.options.userAgent ?? 'soemail',
          accept: 'text/xml',
        },
        body: envelope,
        route,
        timeoutMs,
        connectTimeoutMs: this.options.connectTimeoutMs,
        maxBytes: max,
      })
      const body = res.body.toString('utf8')
      trace?.({direction: 'response', url, status: res.status, body})
      const location = res.headers.location
      return {status: res.status, body, contentType: String(res.headers['content-type'] ?? ''), location}
    } catch (error) {
      throw toTransportError(error, url, timeoutMs, max)
    }
  }

  close(): void {
    this.agents.destroy()
  }
}

export function toTransportError(error: unknown, url: string, timeoutMs: number, max: number): TransportError {
  // The proxy could not be reached or would not open a tunnel: nothing was sent to the server.
  if (error instanceof ProxyError) return new TransportError(error.code, url, `${error.message} (${url})`, false)
  if (error instanceof HttpRequestError && error.code === 'ETIMEDOUT') {
    const phase = error.phase ?? 'request'
    const delivered = !NOT_DELIVERED_TIMEOUTS.has(phase)
    const what = phase === 'connect' || phase === 'secureConnect' ? 'connecting' : phase === 'lookup' ? 'looking up the host' : 'waiting for the answer'
    return new TransportError('ETIMEDOUT', url, `timed out after ${timeoutMs} ms ${what} (${url})`, delivered)
  }
  if (error instanceof HttpRequestError && error.code === 'ETOOLARGE') {
    return new TransportError('ETOOLARGE', url, `the answer from ${url} is larger than ${max} bytes; refusing to read it`, true)
  }
  const code = String((error as NodeJS.ErrnoException | null)?.code ?? 'ERR')
  const cause = error instanceof Error ? error.message : String(error)
  if (isTlsFailureCode(code)) {
    return new TransportError(code, url, `the TLS certificate of ${new URL(url).host} was not accepted (${cause})`, false)
  }
  return new TransportError(code, url, `${describeCode(code)} (${url})`, !NOT_DELIVERED_CODES.has(code))
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused: nothing listens at that address and port'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be resolved'
    case 'ECONNRESET':
      return 'the connection was reset by the server or a proxy'
    case 'EBADENCODING':
      return 'the answer said it was compressed but could not be decompressed'
    case 'EPIPE':
      return 'the connection was closed while sending'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host cannot be reached from this machine'
    default:
      return `the request failed (${code})`
  }
}
