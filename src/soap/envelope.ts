import {EnvelopeValueError} from './errors.js'
import {describeCodePoint, findInvalidXmlChar} from './xml-chars.js'
import {create} from 'xmlbuilder2'
import type {XMLBuilder} from 'xmlbuilder2/lib/interfaces.js'
import {SOAP11_ENV_NS, type ApiVersion, servicesNamespace} from './versions.js'

/** A body value: text, an integer (xs:int), or nested elements in wire order. `undefined` members are omitted. */
export type XmlValue = string | number | boolean | XmlFields
export type XmlFields = ReadonlyArray<readonly [name: string, value: XmlValue | undefined]>

export interface RequestHeaders {
  applicationToken?: string
  ticket?: string
  timeZone?: {id?: number; locationCode?: string}
}

export interface EnvelopeSpec {
  version: ApiVersion
  operation: string
  headers: RequestHeaders
  body: XmlFields
}

const SOAP_PREFIX = 'soap'
const SO_PREFIX = 'so'

/**
 * A SOAP 1.1 envelope: headers inside soap:Header (not under Envelope as the published examples show),
 * every element qualified in the ServicesNN namespace, the body wrapper named after the operation.
 */
export function buildEnvelope(spec: EnvelopeSpec): string {
  return buildSoap11Envelope({ns: servicesNamespace(spec.version), header: headerFields(spec.headers), bodyElement: spec.operation, body: spec.body})
}

export interface Soap11EnvelopeSpec {
  /** The namespace of every header and body element. */
  ns: string
  /** soap:Header children in order; the Header is left out when empty. */
  header: XmlFields
  /** The one soap:Body child. */
  bodyElement: string
  body: XmlFields
}

/**
 * The same wire form for a service outside NetServer (PartnerSystemUserService), with the same text checks.
 * xmlbuilder2 serialises it with an XML declaration and no whitespace.
 */
export function buildSoap11Envelope(spec: Soap11EnvelopeSpec): string {
  const doc = create({version: '1.0', encoding: 'utf-8'})
  const env = doc.ele(SOAP11_ENV_NS, `${SOAP_PREFIX}:Envelope`).att(XMLNS_NS, `xmlns:${SO_PREFIX}`, spec.ns)
  if (spec.header.length > 0) appendFields(env.ele(SOAP11_ENV_NS, `${SOAP_PREFIX}:Header`), spec.ns, spec.header, '')
  appendFields(env.ele(SOAP11_ENV_NS, `${SOAP_PREFIX}:Body`).ele(spec.ns, `${SO_PREFIX}:${spec.bodyElement}`), spec.ns, spec.body, spec.bodyElement)
  return doc.end({headless: false, prettyPrint: false})
}

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

function headerFields(h: RequestHeaders): XmlFields {
  const fields: Array<readonly [string, XmlValue | undefined]> = []
  if (h.applicationToken !== undefined) fields.push(['ApplicationToken', h.applicationToken])
  if (h.ticket !== undefined) fields.push(['Credentials', [['Ticket', h.ticket]]])
  if (h.timeZone) fields.push(['TimeZone', [['SoTimeZoneId', h.timeZone.id], ['SoTimeZoneLocationCode', h.timeZone.locationCode]]])
  return fields
}

/** The elements for `fields` in order; values are checked (and may throw) in the same order. */
function appendFields(parent: XMLBuilder, ns: string, fields: XmlFields, path: string): void {
  for (const [name, value] of fields) {
    if (value === undefined) continue
    const fieldPath = path ? `${path}.${name}` : name
    const el = parent.ele(ns, `${SO_PREFIX}:${name}`)
    if (Array.isArray(value)) appendFields(el, ns, value as XmlFields, fieldPath)
    else el.txt(preEscape(checkedText(typeof value === 'number' ? checkedInt(value, fieldPath) : String(value), fieldPath)))
  }
}

/**
 * xmlbuilder2 writes `&` as is when what follows looks like an entity or character reference, so a password
 * `a&amp;b` would arrive as `a&b` and `x&nbsp;y` would make the document malformed: every `&` is escaped
 * here first (xmlbuilder2 then keeps these references). A CR travels as a reference because a parser turns a
 * literal CR or CRLF into LF (XML 1.0 §2.11). xmlbuilder2 escapes `<` and `>` itself.
 */
export function preEscape(text: string): string {
  return /[&\r]/.test(text) ? text.replace(/&/g, '&amp;').replace(/\r/g, '&#13;') : text
}

const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1

/** Every number these operations send is an xs:int (or the narrower xs:short); NaN or 1.5 would only earn a server fault. */
function checkedInt(value: number, field: string): string {
  if (!Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
    throw new EnvelopeValueError(field, `${field} is ${value}, not a whole number between ${INT_MIN} and ${INT_MAX}`)
  }
  return String(value)
}

function checkedText(text: string, field: string): string {
  const bad = findInvalidXmlChar(text)
  if (bad) {
    throw new EnvelopeValueError(field, `${field} contains ${describeCodePoint(bad.codePoint)} at position ${bad.index + 1}, a character XML 1.0 cannot carry`)
  }
  return text
}
