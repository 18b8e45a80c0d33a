import type {XmlFields} from '../soap/envelope.js'
import {SOAP11_ENV_NS, XSI_NS, servicesNamespace, type ApiVersion} from '../soap/versions.js'
import {replaceInvalidXmlChars} from '../soap/xml-chars.js'
import {element, escapeAttribute, escapeText, textElement} from '../soap/xml-write.js'
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
  const fault = `<faultcode>s:${code}</faultcode><faultstring xml:lang="en-US">${escapeText(replaceInvalidXmlChars(message))}</faultstring>`
  return {status: 500, headers: {'content-type': XML_CONTENT_TYPE}, body: `<s:Envelope xmlns:s="${SOAP11_ENV_NS}"><s:Body><s:Fault>${fault}</s:Fault></s:Body></s:Envelope>`}
}

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
 *
 * Written straight into a string, as the client writes its envelopes (soap/xml-write.ts): the sandbox
 * answers every row of a bulk benchmark, and building a DOM for each answer made the stand-in server the
 * slowest part of the loop. The bytes are what xmlbuilder2 4.x wrote for the same tree
 * (test/sandbox-responses.test.ts).
 */
export function soapAnswer(spec: AnswerSpec): HttpReply {
  const ns = escapeAttribute(servicesNamespace(spec.version))
  const h = `xmlns:h="${ns}"`
  const info = spec.exception ? element('h:ExceptionInfo', fieldsXml(exceptionFields(spec.exception), 'h:'), h) : nilElement('h:ExceptionInfo', h)
  const header = `${info}${nilElement('h:ExtraInfo', h)}<h:Succeeded ${h}>${spec.exception ? 'false' : 'true'}</h:Succeeded>${nilElement('h:TimeZone', h)}`
  const body = element(spec.responseElement, fieldsXml(spec.body, ''), `xmlns="${ns}"`)
  return {status: 200, headers: {'content-type': XML_CONTENT_TYPE}, body: `<s:Envelope xmlns:s="${SOAP11_ENV_NS}"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`}
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
function fieldsXml(fields: XmlFields, prefix: string): string {
  let xml = ''
  for (const [name, value] of fields) {
    if (value === undefined) xml += nilElement(`${prefix}${name}`, '')
    else if (Array.isArray(value)) xml += element(`${prefix}${name}`, fieldsXml(value as XmlFields, prefix))
    else xml += textElement(`${prefix}${name}`, replaceInvalidXmlChars(String(value)))
  }
  return xml
}

function nilElement(name: string, attributes: string): string {
  return `<${name}${attributes ? ` ${attributes}` : ''} xmlns:i="${XSI_NS}" i:nil="true"/>`
}
