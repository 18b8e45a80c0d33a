import {availableParallelism} from 'node:os'
import {SOAP11_ENV_NS, servicesNamespace, type ApiVersion, type ServiceName} from '../soap/versions.js'
import {isNil, parseXml, XmlParseError, type XElement} from '../soap/xml-tree.js'
import {createLimiter} from './limiter.js'
import {operationsByAction, type OperationInfo} from './operations.js'
import {faultReply, type HttpReply} from './responses.js'
import {validateEnvelope} from './schema.js'

const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope'

/** The headers each service's binding declares (FACTS.md §2). */
const HEADERS: Record<ServiceName, readonly string[]> = {
  EMail: ['ApplicationToken', 'Credentials', 'TimeZone'],
  SoPrincipal: ['ApplicationToken'],
}
const ALL_HEADER_NAMES = new Set(Object.values(HEADERS).flat())

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

/** Every validation spawns a WebAssembly worker; a burst of requests must not spawn hundreds at once. */
const schemaLimit = createLimiter(Math.max(2, Math.min(8, availableParallelism())))

/**
 * The checks a WCF basicHttpBinding endpoint makes before NetServer code runs, in the order WCF makes
 * them, each answered in WCF's shape: the encoder (content type, SOAP version, well-formedness), the
 * dispatcher (SOAPAction), the message contract (body element, headers) and the schema.
 */
export async function checkRequest(raw: RawRequest, options: {schemaCheck: boolean}): Promise<CheckOutcome> {
  if (!isSoap11ContentType(raw.contentType)) return {reply: {status: 415, headers: {}, body: ''}}

  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true, ignoreBOM: false}).decode(raw.body)
  } catch {
    return fault('Client', 'The request body is not valid UTF-8.')
  }
  if (text.trim() === '') return fault('Client', 'The request body is empty; expected a SOAP 1.1 envelope.')

  let root: XElement
  try {
    root = parseXml(text)
  } catch (error) {
    const why = error instanceof XmlParseError ? error.message : String(error)
    return fault('Client', `The request body is not well-formed XML: ${why}`)
  }
  if (root.local === 'Envelope' && root.ns === SOAP12_ENV_NS) {
    return fault(
      'VersionMismatch',
      `The envelope version of the incoming message (Soap12 (${SOAP12_ENV_NS})) does not match that of the encoder (Soap11 (${SOAP11_ENV_NS})). Make sure the binding is configured with the same version as the expected messages.`,
    )
  }
  if (root.local !== 'Envelope' || root.ns !== SOAP11_ENV_NS) {
    return fault('Client', `The request is not a SOAP 1.1 message: the root element is ${qname(root)}, expected {${SOAP11_ENV_NS}}Envelope.`)
  }

  const parts = envelopeParts(root)
  if ('problem' in parts) return fault('Client', parts.problem)

  const ns = servicesNamespace(raw.version)
  const action = unquote(raw.soapAction)
  const operation = action === undefined ? undefined : operationsByAction(raw.version, raw.service).get(action)
  if (!operation) {
    return fault(
      'Client',
      `The message with Action '${action ?? ''}' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch between the sender and the receiver.  Check that sender and receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None). (soemail sandbox: this endpoint takes SOAPAction ${ns}/${raw.service}/<Operation>.)`,
    )
  }

  const bodyProblem = checkBody(parts.body, ns, operation, raw.service)
  if (bodyProblem) return fault('Client', bodyProblem)

  const headers = readHeaders(parts.header, ns, raw.service)
  if ('problem' in headers) return fault(headers.mustUnderstand ? 'MustUnderstand' : 'Client', headers.problem)

  if (options.schemaCheck) {
    let problems
    try {
      problems = await schemaLimit(() => validateEnvelope(text, raw.service, raw.version))
    } catch (error) {
      return fault('Server', `The schema validator failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (problems.length > 0) {
      const listed = problems.slice(0, 10).map((p) => (p.line === undefined ? p.message : `line ${p.line}: ${p.message}`))
      const more = problems.length > listed.length ? ` (and ${problems.length - listed.length} more)` : ''
      return fault('Client', `Schema validation failed: ${listed.join('; ')}${more}`)
    }
  }

  return {request: {version: raw.version, service: raw.service, operation, payload: parts.body.children[0]!, ...headers}}
}

/** basicHttpBinding speaks SOAP 1.1 over text/xml, UTF-8; WCF answers anything else with a bare 415. */
function isSoap11ContentType(value: string | undefined): boolean {
  if (!value) return false
  const [mediaType, ...params] = value.split(';').map((p) => p.trim())
  if (mediaType?.toLowerCase() !== 'text/xml') return false
  for (const param of params) {
    const [name, paramValue = ''] = param.split('=').map((p) => p.trim())
    if (name?.toLowerCase() === 'charset' && !/^"?utf-8"?$/i.test(paramValue)) return false
  }
  return true
}

function envelopeParts(root: XElement): {header?: XElement; body: XElement} | {problem: string} {
  if (root.text.trim() !== '') return {problem: 'soap:Envelope contains text outside soap:Header and soap:Body.'}
  const misplaced = root.children.find((c) => c.ns !== SOAP11_ENV_NS && ALL_HEADER_NAMES.has(c.local))
  if (misplaced) {
    return {
      problem: `${misplaced.local} is directly under soap:Envelope; SOAP headers must be inside soap:Header (the published SuperOffice examples place them wrongly).`,
    }
  }
  const names = root.children.map((c) => (c.ns === SOAP11_ENV_NS ? `soap:${c.local}` : qname(c)))
  const shapeOk =
    (names.length === 1 && names[0] === 'soap:Body') || (names.length === 2 && names[0] === 'soap:Header' && names[1] === 'soap:Body')
  if (!shapeOk) {
    return {problem: `soap:Envelope must contain an optional soap:Header followed by soap:Body, and nothing else; it contains ${names.join(', ') || 'nothing'}.`}
  }
  return {header: names.length === 2 ? root.children[0] : undefined, body: root.children[names.length - 1]!}
}

function checkBody(body: XElement, ns: string, operation: OperationInfo, service: ServiceName): string | undefined {
  if (body.text.trim() !== '') return 'soap:Body contains text outside its element.'
  const header = body.children.find((c) => ALL_HEADER_NAMES.has(c.local))
  if (header) return `${header.local} is inside soap:Body; it is a SOAP header and must be inside soap:Header.`
  const expected = `{${ns}}${operation.requestElement}`
  if (body.children.length !== 1) {
    return `soap:Body must contain exactly one element, ${expected}; it contains ${body.children.length === 0 ? 'none' : body.children.map(qname).join(', ')}.`
  }
  const el = body.children[0]!
  if (el.local !== operation.requestElement) {
    return `The body element ${qname(el)} does not match the SOAPAction's operation ${service}/${operation.name}; expected ${expected}.`
  }
  if (el.ns !== ns) {
    return `The body element ${operation.requestElement} is in namespace '${el.ns}', but this endpoint expects '${ns}' (the version in the URL decides the namespace).`
  }
  return undefined
}

type HeaderValues = Pick<SoapRequest, 'applicationToken' | 'credentials'>

function readHeaders(header: XElement | undefined, ns: string, service: ServiceName): HeaderValues | {problem: string; mustUnderstand: boolean} {
  const allowed = HEADERS[service]
  const seen = new Set<string>()
  const values: HeaderValues = {}
  for (const h of header?.children ?? []) {
    if (h.ns !== ns || !allowed.includes(h.local)) {
      const mu = h.attrs.get(`{${SOAP11_ENV_NS}}mustUnderstand`)
      const where = h.ns === ns || !ALL_HEADER_NAMES.has(h.local) ? '' : ` (a ${h.local} header must be in namespace '${ns}')`
      return {
        problem: `The header ${qname(h)} is not understood by ${service}.svc${where}; this service takes only ${allowed.join(', ')} in namespace '${ns}'.`,
        mustUnderstand: mu === '1' || mu === 'true',
      }
    }
    if (seen.has(h.local)) return {problem: `The header ${h.local} appears more than once.`, mustUnderstand: false}
    seen.add(h.local)
    if (h.local === 'ApplicationToken' && !isNil(h)) values.applicationToken = h.text
    if (h.local === 'Credentials') {
      const ticket = isNil(h) ? undefined : h.children.find((c) => c.ns === ns && c.local === 'Ticket')
      values.credentials = {ticket: ticket && !isNil(ticket) && ticket.text.trim() !== '' ? ticket.text.trim() : undefined}
    }
  }
  return values
}

function unquote(action: string | undefined): string | undefined {
  if (action === undefined) return undefined
  const trimmed = action.trim()
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed
}

function qname(el: XElement): string {
  return el.ns ? `{${el.ns}}${el.local}` : el.local
}

function fault(code: Parameters<typeof faultReply>[0], message: string): {reply: HttpReply} {
  return {reply: faultReply(code, message)}
}
