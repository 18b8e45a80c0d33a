import {readSoap11Answer} from './binding.js'
import {buildEnvelope, type RequestHeaders, type XmlFields} from './envelope.js'
import {checkBaseUrl} from './endpoint.js'
import type {SoapResponse} from './response.js'
import type {SoapTransport} from './transport.js'
import {endpointUrl, servicesNamespace, soapAction, type ApiVersion, type ServiceName} from './versions.js'

export interface ClientConfig {
  baseUrl: string
  version: ApiVersion
  applicationToken?: string
  /** A fixed ticket, or a provider asked on every call (a session that logs in again hands out the new one). */
  ticket?: string | TicketProvider
  timeZone?: RequestHeaders['timeZone']
  allowHttp?: boolean
}

export interface TicketProvider {
  current(): string | undefined
}

export interface CallOptions {
  /** Safe to send twice (reads, updates, deletes); a create is not. */
  idempotent: boolean
  /** SoPrincipal takes only ApplicationToken; EMail takes Credentials too. */
  credentials: boolean
  responseElement?: string
}

/** Builds, sends and parses one SOAP call; retries are the caller's policy. */
export class NetServerClient {
  constructor(readonly config: ClientConfig, private readonly transport: SoapTransport) {
    checkBaseUrl(config.baseUrl, config.allowHttp ?? false)
  }

  async call(service: ServiceName, operation: string, body: XmlFields, options: CallOptions): Promise<SoapResponse> {
    const {version} = this.config
    const headers: RequestHeaders = {applicationToken: this.config.applicationToken}
    if (options.credentials) {
      const {ticket} = this.config
      headers.ticket = typeof ticket === 'object' ? ticket.current() : ticket
      headers.timeZone = this.config.timeZone
    }
    const envelope = buildEnvelope({version, operation, headers, body})
    const url = endpointUrl(this.config.baseUrl, version, service)
    const action = soapAction(version, service, operation)
    const exchange = await this.transport.post(url, action, envelope)
    return readSoap11Answer(exchange, {operation, url, service, ns: servicesNamespace(version), responseElement: options.responseElement})
  }
}
