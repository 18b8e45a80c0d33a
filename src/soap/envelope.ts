import {EnvelopeValueError} from './errors.js'
import {describeCodePoint, findInvalidXmlChar} from './xml-chars.js'
import {element, escapeAttribute, textElement} from './xml-write.js'
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
 *
 * Written straight into a string (xml-write.ts): byte for byte what xmlbuilder2 4.x serialises for the same
 * tree (test/soap-envelope-serializer.test.ts holds the two side by side), with an XML declaration and no
 * whitespace.
 */
export function buildSoap11Envelope(spec: Soap11EnvelopeSpec): string {
  let xml = `<?xml version="1.0" encoding="utf-8"?><${SOAP_PREFIX}:Envelope xmlns:${SOAP_PREFIX}="${escapeAttribute(SOAP11_ENV_NS)}" xmlns:${SO_PREFIX}="${escapeAttribute(spec.ns)}">`
  if (spec.header.length > 0) xml += element(`${SOAP_PREFIX}:Header`, fieldsXml(spec.header, ''))
  xml += `<${SOAP_PREFIX}:Body>${element(`${SO_PREFIX}:${spec.bodyElement}`, fieldsXml(spec.body, spec.bodyElement))}</${SOAP_PREFIX}:Body>`
  return `${xml}</${SOAP_PREFIX}:Envelope>`
}

function headerFields(h: RequestHeaders): XmlFields {
  const fields: Array<readonly [string, XmlValue | undefined]> = []
  if (h.applicationToken !== undefined) fields.push(['ApplicationToken', h.applicationToken])
  if (h.ticket !== undefined) fields.push(['Credentials', [['Ticket', h.ticket]]])
  if (h.timeZone) fields.push(['TimeZone', [['SoTimeZoneId', h.timeZone.id], ['SoTimeZoneLocationCode', h.timeZone.locationCode]]])
  return fields
}

/** The elements for `fields` in order; values are checked (and may throw) in the same order. */
function fieldsXml(fields: XmlFields, path: string): string {
  let xml = ''
  for (const [name, value] of fields) {
    if (value === undefined) continue
    const fieldPath = path ? `${path}.${name}` : name
    if (Array.isArray(value)) {
      xml += element(`${SO_PREFIX}:${name}`, fieldsXml(value as XmlFields, fieldPath))
    } else {
      const text = checkedText(typeof value === 'number' ? checkedInt(value, fieldPath) : String(value), fieldPath)
      xml += textElement(`${SO_PREFIX}:${name}`, text)
    }
  }
  return xml
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
