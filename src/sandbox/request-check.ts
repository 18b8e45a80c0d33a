import {servicesNamespace, type ApiVersion, type ServiceName} from '../soap/versions.js'
import {isNil, type XElement} from '../soap/xml-tree.js'
import {operationsByAction, type OperationInfo} from './operations.js'
import type {HttpReply} from './responses.js'
import {validateEnvelope} from './schema.js'
import {NETSERVER_SERVICES} from './services.js'
import {checkSoapRequest, type SoapEndpoint} from './soap-check.js'

export interface RawRequest {
  version: ApiVersion
  service: ServiceName
  contentType: string | undefined
  soapAction: string | undefined
  body: Buffer
}

export interface SoapRequest {
  version: ApiVersion
  service: ServiceName
  operation: OperationInfo
  /** The Body child: the operation's wrapper element. */
  payload: XElement
  applicationToken?: string
  /** Present when the Credentials header was sent; `ticket` is undefined when it was empty or nil. */
  credentials?: {ticket?: string}
}

export type CheckOutcome = {request: SoapRequest; reply?: undefined} | {reply: HttpReply; request?: undefined}

const endpoints = new Map<string, SoapEndpoint<OperationInfo>>()

/** A NetServer service of one version: its WSDL's operations, its declared headers, its schemas. */
function netServerEndpoint(version: ApiVersion, service: ServiceName, schemaCheck: boolean): SoapEndpoint<OperationInfo> {
  const key = `${service}${version}${schemaCheck}`
  let endpoint = endpoints.get(key)
  if (!endpoint) {
    const ns = servicesNamespace(version)
    const operations = operationsByAction(version, service)
    endpoint = {
      name: `${service}.svc`,
      ns,
      headers: NETSERVER_SERVICES[service].headers,
      operation: (action) => operations.get(action),
      requestElement: (op) => op.requestElement,
      operationLabel: (op) => `${service}/${op.name}`,
      actionHint: `this endpoint takes SOAPAction ${ns}/${service}/<Operation>.`,
      misplacedHeaderHint: 'the published SuperOffice examples place them wrongly',
      validate: schemaCheck ? (xml) => validateEnvelope(xml, service, version) : undefined,
    }
    endpoints.set(key, endpoint)
  }
  return endpoint
}

/** A NetServer request checked as WCF checks it (soap-check.ts), with its headers' values read. */
export async function checkRequest(raw: RawRequest, options: {schemaCheck: boolean}): Promise<CheckOutcome> {
  const endpoint = netServerEndpoint(raw.version, raw.service, options.schemaCheck)
  const outcome = await checkSoapRequest(raw, endpoint)
  if (!outcome.request) return outcome
  const {operation, payload, headers} = outcome.request
  const request: SoapRequest = {version: raw.version, service: raw.service, operation, payload}
  const token = headers.get('ApplicationToken')
  if (token && !isNil(token)) request.applicationToken = token.text
  const credentials = headers.get('Credentials')
  if (credentials) {
    const ticket = isNil(credentials) ? undefined : credentials.children.find((c) => c.ns === endpoint.ns && c.local === 'Ticket')
    request.credentials = {ticket: ticket && !isNil(ticket) && ticket.text.trim() !== '' ? ticket.text.trim() : undefined}
  }
  return {request}
}
