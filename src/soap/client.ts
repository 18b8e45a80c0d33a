import {buildEnvelope, type RequestHeaders, type XmlFields} from './envelope.js'
import {HttpResponseError, SoapError} from './errors.js'
import {checkBaseUrl} from './endpoint.js'
import {parseSoapResponse, type SoapResponse} from './response.js'
import type {HttpExchange, SoapTransport} from './transport.js'
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
    return interpret(exchange, {operation, url, ns: servicesNamespace(version), responseElement: options.responseElement})
  }
}

function interpret(ex: HttpExchange, ctx: {operation: string; url: string; ns: string; responseElement?: string}): SoapResponse {
  const {status, body} = ex
  const looksHtml = /^\s*<(!doctype\s+)?html/i.test(body) || (/text\/html/i.test(ex.contentType) && body.trim() !== '')
  const looksXml = /^\s*</.test(body) && !looksHtml
  // WCF reports faults with 500 (and sometimes 400) and a SOAP body: let the parser name the fault.
  // A 5xx HTML page (IIS/ASP.NET error page, proxy) goes to the parser too, which names it by its title.
  if ((status >= 200 && status < 300) || ((status === 500 || status === 400) && looksXml) || (status >= 500 && looksHtml)) {
    return parseSoapResponse(body, {...ctx, status, contentType: ex.contentType})
  }
  throw statusError(ex, ctx.url)
}

function statusError(ex: HttpExchange, url: string): SoapError {
  const {status} = ex
  if (status >= 300 && status < 400) {
    return new HttpResponseError('redirect', url, status, `${url} redirected (HTTP ${status}) to ${ex.location ?? 'another page'}; a redirect usually means a login page or the wrong base URL. Use the URL NetServer answers on.`)
  }
  if (status === 401 || status === 403) {
    return new HttpResponseError('unauthorized', url, status, `${url} refused the request (HTTP ${status}).`)
  }
  if (status === 404) {
    return new HttpResponseError('not-found', url, status, `${url} does not exist (HTTP 404). Check --url: give the installation's base URL (e.g. https://crm.example.com/SuperOffice); soemail appends /Remote/ServicesNN/<Service>.svc. Check --api-version too.`)
  }
  if (status === 415) {
    return new HttpResponseError('unsupported-media-type', url, status, `${url} refused the message format (HTTP 415): the endpoint does not speak SOAP 1.1 (text/xml), or it is not a NetServer service.`)
  }
  if (status >= 500) {
    return new HttpResponseError('server-error', url, status, `${url} failed with HTTP ${status}; the server or a proxy in front of it has a problem. Try again later.`, ex.body.slice(0, 500))
  }
  return new HttpResponseError('http-status', url, status, `${url} answered HTTP ${status}, which is not a SOAP answer.`, ex.body.slice(0, 500))
}
