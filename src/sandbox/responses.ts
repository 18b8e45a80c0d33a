import {create} from 'xmlbuilder2'
import type {XMLBuilder} from 'xmlbuilder2/lib/interfaces.js'
import {preEscape, type XmlFields} from '../soap/envelope.js'
import {SOAP11_ENV_NS, XSI_NS, servicesNamespace, type ApiVersion} from '../soap/versions.js'
import {replaceInvalidXmlChars} from '../soap/xml-chars.js'
import type {SoExceptionInfo} from './exceptions.js'

/** One HTTP answer, built without touching the socket so checks and handlers stay plain functions. */
export interface HttpReply {
  status: number
  headers: Record<string, string>
  body: string
}

const XML_CONTENT_TYPE = 'text/xml; charset=utf-8'

/** SOAP 1.1 fault codes are QNames in the envelope namespace, which this answer binds to `s`. */
export type FaultCode = 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand'

/** WCF answers protocol-level failures with HTTP 500 and a SOAP 1.1 Fault, prefix `s`, unqualified children. */
export function faultReply(code: FaultCode, message: string): HttpReply {
  const doc = create({version: '1.0', encoding: 'utf-8'})
  const fault = doc.ele(SOAP11_ENV_NS, 's:Envelope').ele(SOAP11_ENV_NS, 's:Body').ele(SOAP11_ENV_NS, 's:Fault')
  fault.ele('faultcode').txt(`s:${code}`)
  fault.ele('faultstring').att(XML_NS, 'xml:lang', 'en-US').txt(carriable(message))
  return {status: 500, headers: {'content-type': XML_CONTENT_TYPE}, body: doc.end({headless: true})}
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace'

export interface AnswerSpec {
  version: ApiVersion
  /** The Body child, e.g. SaveEMailAccountResponse or AuthenticateResponse. */
  responseElement: string
  /** Children of the answer element in schema order; an `undefined` value is sent as xsi:nil, as WCF does. */
  body: XmlFields
  /** Set when NetServer refused the call: Succeeded=false and this ExceptionInfo. */
  exception?: SoExceptionInfo
}

/**
 * A NetServer answer: HTTP 200, the four response headers of every operation (ExceptionInfo, ExtraInfo,
 * Succeeded, TimeZone) with WCF's `h` prefix, and the body wrapper in the services namespace.
 */
export function soapAnswer(spec: AnswerSpec): HttpReply {
  const ns = servicesNamespace(spec.version)
  const doc = create({version: '1.0', encoding: 'utf-8'})
  const env = doc.ele(SOAP11_ENV_NS, 's:Envelope')
  const header = env.ele(SOAP11_ENV_NS, 's:Header')
  const info = header.ele(ns, 'h:ExceptionInfo')
  if (spec.exception) appendFields(info, ns, exceptionFields(spec.exception))
  else nil(info)
  nil(header.ele(ns, 'h:ExtraInfo'))
  header.ele(ns, 'h:Succeeded').txt(spec.exception ? 'false' : 'true')
  nil(header.ele(ns, 'h:TimeZone'))
  appendFields(env.ele(SOAP11_ENV_NS, 's:Body').ele(ns, spec.responseElement), ns, spec.body)
  return {status: 200, headers: {'content-type': XML_CONTENT_TYPE}, body: doc.end({headless: true})}
}

/** ExceptionInfo's children in schema order (exported for the test that holds the writer against xmlbuilder2). */
export function exceptionFields(e: SoExceptionInfo): XmlFields {
  const params = Object.entries(e.parameters ?? {})
  return [
    ['Message', e.message],
    ['StackTrace', e.stackTrace ?? ''],
    ['FriendlyText', e.friendlyText ?? e.message],
    ['ExceptionType', e.type],
    ['Source', e.source ?? 'SuperOffice.Services.Implementation'],
    ['InnerException', e.inner ? exceptionFields(e.inner) : undefined],
    ['Parameters', params.length > 0 ? params.map(([k, v]) => ['SoExceptionInfoParametersKeyValuePair', [['Key', k], ['Value', v]]] as const) : undefined],
  ]
}

/** Children in order; `undefined` is xsi:nil, as WCF sends it. */
function appendFields(parent: XMLBuilder, ns: string, fields: XmlFields): void {
  for (const [name, value] of fields) {
    const el = parent.ele(ns, name)
    if (value === undefined) nil(el)
    else if (Array.isArray(value)) appendFields(el, ns, value as XmlFields)
    else el.txt(carriable(String(value)))
  }
}

function nil(el: XMLBuilder): void {
  el.att(XSI_NS, 'i:nil', 'true')
}

/** The sandbox answers whatever a store or request held: what XML cannot carry becomes U+FFFD, `&` and CR are pre-escaped for xmlbuilder2. */
function carriable(text: string): string {
  return preEscape(replaceInvalidXmlChars(text))
}
