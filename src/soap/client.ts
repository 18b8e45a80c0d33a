import {readSoap11Answer} from './binding.js'
import {buildEnvelope, type RequestHeaders, type XmlFields} from './envelope.js'
import {HttpResponseError, TransportError} from './errors.js'
import {checkBaseUrl} from './endpoint.js'
import type {SoapResponse} from './response.js'
import type {SoapTransport} from './transport.js'
import {endpointUrl, servicesNamespace, soapAction, type ApiVersion, type ServiceName} from './versions.js'

export interface ClientConfig {
  baseUrl: string
  version: ApiVersion
  applicationToken?: string
  ticket?: string
  timeZone?: RequestHeaders['timeZone']
  allowHttp?: boolean
  /** Extra attempts for calls that are safe to repeat. */
  retries?: number
  /** Milliseconds before the first retry; doubled each time, with jitter. */
  retryDelayMs?: number
}

export interface CallOptions {
  /** Safe to send twice (reads, updates, deletes); a create is not. */
  idempotent: boolean
  /** SoPrincipal takes only ApplicationToken; EMail takes Credentials too. */
  credentials: boolean
  responseElement?: string
}

const RETRYABLE_STATUS = new Set([502, 503, 504])

/** Builds, sends and parses one SOAP call, and owns the retry policy. */
export class NetServerClient {
  constructor(readonly config: ClientConfig, private readonly transport: SoapTransport) {
    checkBaseUrl(config.baseUrl, config.allowHttp ?? false)
  }

  async call(service: ServiceName, operation: string, body: XmlFields, options: CallOptions): Promise<SoapResponse> {
    const {version} = this.config
    const headers: RequestHeaders = {applicationToken: this.config.applicationToken}
    if (options.credentials) {
      headers.ticket = this.config.ticket
      headers.timeZone = this.config.timeZone
    }
    const envelope = buildEnvelope({version, operation, headers, body})
    const url = endpointUrl(this.config.baseUrl, version, service)
    const action = soapAction(version, service, operation)
    const retries = this.config.retries ?? 2
    for (let attempt = 0; ; attempt++) {
      try {
        const exchange = await this.transport.post(url, action, envelope)
        return readSoap11Answer(exchange, {operation, url, service, ns: servicesNamespace(version), responseElement: options.responseElement})
      } catch (error) {
        if (attempt >= retries || !mayRetry(error, options.idempotent)) throw error
        const base = (this.config.retryDelayMs ?? 250) * 2 ** attempt
        await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * base))
      }
    }
  }
}

function mayRetry(error: unknown, idempotent: boolean): boolean {
  if (error instanceof TransportError) {
    if (error.code === 'ETOOLARGE' || /CERT|TLS/.test(error.code)) return false
    return !error.maybeDelivered || idempotent
  }
  // Gateways answer 502/503/504 with an HTML page, so 'html' is as retryable as 'server-error' there.
  return idempotent && error instanceof HttpResponseError && (error.problem === 'server-error' || error.problem === 'html') && RETRYABLE_STATUS.has(error.status)
}
