import {SOAP11_ENV_NS} from '../soap/versions.js'
import {parseXml, XmlParseError, type XElement} from '../soap/xml-tree.js'
import {faultReply, type FaultCode, type HttpReply} from './responses.js'
import type {SchemaProblem} from './schema.js'

const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope'
const MUST_UNDERSTAND = `{${SOAP11_ENV_NS}}mustUnderstand`

/**
 * Every header the sandbox's services declare, in any of them. A header with one of these names is meant
 * for the service even when it sits in the wrong namespace or the wrong place, so it is refused there
 * instead of being ignored as a foreign header.
 */
const SANDBOX_HEADER_NAMES: ReadonlySet<string> = new Set(['ApplicationToken', 'Credentials', 'TimeZone', 'ContextIdentifier'])

/**
 * One SOAP 1.1 endpoint as WCF's basicHttpBinding sees it: the operations its dispatcher knows by
 * SOAPAction, the namespace of its body and header elements, the headers its message contracts declare.
 * Adding a service to the sandbox is one of these plus its handlers.
 */
export interface SoapEndpoint<Operation> {
  /** As messages name it, e.g. EMail.svc. */
  name: string
  /** The namespace every body wrapper and declared header is in. */
  ns: string
  /** Header local names the endpoint's operations declare (all in `ns`). */
  headers: readonly string[]
  operation(action: string): Operation | undefined
  /** The local name of the Body child the operation takes. */
  requestElement(operation: Operation): string
  /** How messages name an operation, e.g. EMail/SaveEMailAccount. */
  operationLabel(operation: Operation): string
  /** Told after WCF's ContractFilter text, e.g. which SOAPActions the endpoint takes. */
  actionHint: string
  /** Said after "SOAP headers must be inside soap:Header" when a header sits under Envelope. */
  misplacedHeaderHint?: string
  /** Schema validation of the whole envelope, when the endpoint has schemas and the check is on. */
  validate?: (xml: string) => Promise<SchemaProblem[]>
}

export interface RawSoapRequest {
  contentType: string | undefined
  soapAction: string | undefined
  body: Buffer
}

export interface CheckedSoap<Operation> {
  operation: Operation
  /** The Body child: the operation's wrapper element. */
  payload: XElement
  /** The declared headers that were sent, by local name (each at most once). */
  headers: ReadonlyMap<string, XElement>
}

export type SoapCheckOutcome<Operation> = {request: CheckedSoap<Operation>; reply?: undefined} | {reply: HttpReply; request?: undefined}

/**
 * The checks a WCF basicHttpBinding endpoint makes before service code runs, in the order WCF makes
 * them, each answered in WCF's shape: the encoder (content type, SOAP version, well-formedness), the
 * dispatcher (SOAPAction), the message contract (body element, headers, mustUnderstand) and the schema.
 */
export async function checkSoapRequest<Operation>(raw: RawSoapRequest, endpoint: SoapEndpoint<Operation>): Promise<SoapCheckOutcome<Operation>> {
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

  const parts = envelopeParts(root, endpoint.misplacedHeaderHint)
  if ('problem' in parts) return fault('Client', parts.problem)

  const action = unquote(raw.soapAction)
  const operation = action === undefined ? undefined : endpoint.operation(action)
  if (operation === undefined) {
    return fault(
      'Client',
      `The message with Action '${action ?? ''}' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch between the sender and the receiver.  Check that sender and receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None). (soemail sandbox: ${endpoint.actionHint})`,
    )
  }

  const bodyProblem = checkBody(parts.body, endpoint, operation)
  if (bodyProblem) return fault('Client', bodyProblem)

  const headers = readHeaders(parts.header, endpoint)
  if ('code' in headers) return fault(headers.code, headers.problem)

  if (endpoint.validate) {
    let problems
    try {
      problems = await endpoint.validate(text)
    } catch (error) {
      return fault('Server', `The schema validator failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (problems.length > 0) {
      const listed = problems.slice(0, 10).map((p) => (p.line === undefined ? p.message : `line ${p.line}: ${p.message}`))
      const more = problems.length > listed.length ? ` (and ${problems.length - listed.length} more)` : ''
      return fault('Client', `Schema validation failed: ${listed.join('; ')}${more}`)
    }
  }

  return {request: {operation, payload: parts.body.children[0]!, headers}}
}

/** basicHttpBinding speaks SOAP 1.1 over text/xml, UTF-8; WCF answers anything else with a bare 415. */
function isSoap11ContentType(value: string | undefined): boolean {
  if (!value) return false
  const [mediaType, ...params] = value.split(';').map((p) => p.trim())
  if (mediaType?.toLowerCase() !== 'text/xml') return false
  return params.every((param) => {
    const [name, paramValue = ''] = param.split('=').map((p) => p.trim())
    return name?.toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test(paramValue)
  })
}

function envelopeParts(root: XElement, misplacedHint: string | undefined): {header?: XElement; body: XElement} | {problem: string} {
  if (root.text.trim() !== '') return {problem: 'soap:Envelope contains text outside soap:Header and soap:Body.'}
  const misplaced = root.children.find((c) => c.ns !== SOAP11_ENV_NS && SANDBOX_HEADER_NAMES.has(c.local))
  if (misplaced) {
    return {problem: `${misplaced.local} is directly under soap:Envelope; SOAP headers must be inside soap:Header${misplacedHint ? ` (${misplacedHint})` : ''}.`}
  }
  const names = root.children.map((c) => (c.ns === SOAP11_ENV_NS ? `soap:${c.local}` : qname(c)))
  const shapeOk =
    (names.length === 1 && names[0] === 'soap:Body') || (names.length === 2 && names[0] === 'soap:Header' && names[1] === 'soap:Body')
  if (!shapeOk) {
    return {problem: `soap:Envelope must contain an optional soap:Header followed by soap:Body, and nothing else; it contains ${names.join(', ') || 'nothing'}.`}
  }
  return {header: names.length === 2 ? root.children[0] : undefined, body: root.children[names.length - 1]!}
}

function checkBody<Operation>(body: XElement, endpoint: SoapEndpoint<Operation>, operation: Operation): string | undefined {
  if (body.text.trim() !== '') return 'soap:Body contains text outside its element.'
  const header = body.children.find((c) => SANDBOX_HEADER_NAMES.has(c.local))
  if (header) return `${header.local} is inside soap:Body; it is a SOAP header and must be inside soap:Header.`
  const element = endpoint.requestElement(operation)
  const expected = `{${endpoint.ns}}${element}`
  if (body.children.length !== 1) {
    return `soap:Body must contain exactly one element, ${expected}; it contains ${body.children.length === 0 ? 'none' : body.children.map(qname).join(', ')}.`
  }
  const el = body.children[0]!
  if (el.local !== element) {
    return `The body element ${qname(el)} does not match the SOAPAction's operation ${endpoint.operationLabel(operation)}; expected ${expected}.`
  }
  if (el.ns !== endpoint.ns) {
    return `The body element ${element} is in namespace '${el.ns}', but this endpoint expects '${endpoint.ns}' (the version in the URL decides the namespace).`
  }
  return undefined
}

/**
 * WCF's rule for headers outside the message contract: ignored, unless marked mustUnderstand, which is
 * a MustUnderstand fault (so zeep's default WS-Addressing headers pass). The sandbox is stricter about
 * headers plainly meant for the service - in its namespace, or named as one of its headers - that it does
 * not take: NetServer would ignore them and then fail for want of a ticket or token, or not at all, which
 * hides exactly the client bug a rehearsal is for.
 */
function readHeaders<Operation>(header: XElement | undefined, endpoint: SoapEndpoint<Operation>): Map<string, XElement> | {code: FaultCode; problem: string} {
  const declared = new Map<string, XElement>()
  for (const h of header?.children ?? []) {
    const mu = h.attrs.get(MUST_UNDERSTAND)?.trim()
    const mustUnderstand = mu === '1' || mu === 'true'
    if (h.ns === endpoint.ns && endpoint.headers.includes(h.local)) {
      if (declared.has(h.local)) return {code: 'Client', problem: `The header ${h.local} appears more than once.`}
      declared.set(h.local, h)
    } else if (h.ns === endpoint.ns || SANDBOX_HEADER_NAMES.has(h.local)) {
      const where = h.ns !== endpoint.ns && endpoint.headers.includes(h.local) ? ` (a ${h.local} header must be in namespace '${endpoint.ns}')` : ''
      return {
        code: mustUnderstand ? 'MustUnderstand' : 'Client',
        problem: `The header ${qname(h)} is not understood by ${endpoint.name}${where}; this service takes only ${endpoint.headers.join(', ')} in namespace '${endpoint.ns}'.`,
      }
    } else if (mustUnderstand) {
      return {
        code: 'MustUnderstand',
        problem: `The header '${h.local}' from the namespace '${h.ns}' was not understood by the recipient of this message, causing the message to not be processed. This error typically indicates that the sender of this message has enabled a communication protocol that the receiver cannot process. Please ensure that the configuration of the client's binding is consistent with the service's binding.`,
      }
    }
  }
  return declared
}

function unquote(action: string | undefined): string | undefined {
  if (action === undefined) return undefined
  const trimmed = action.trim()
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed
}

export function qname(el: XElement): string {
  return el.ns ? `{${el.ns}}${el.local}` : el.local
}

function fault(code: FaultCode, message: string): {reply: HttpReply} {
  return {reply: faultReply(code, message)}
}
