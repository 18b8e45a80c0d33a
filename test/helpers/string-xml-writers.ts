/**
 * The string writers the envelope builder and the sandbox's answers used before xmlbuilder2 built them
 * (src/soap/xml-write.ts, src/soap/envelope.ts and src/sandbox/responses.ts at commit 6f423c6), kept
 * verbatim as the reference of the bytes on the wire: the switch to xmlbuilder2 must not change one.
 */
import type {SoExceptionInfo} from '../../src/sandbox/exceptions.js'
import {exceptionFields, type AnswerSpec, type FaultCode} from '../../src/sandbox/responses.js'
import type {Soap11EnvelopeSpec, XmlFields} from '../../src/soap/envelope.js'
import {EnvelopeValueError} from '../../src/soap/errors.js'
import {SOAP11_ENV_NS, XSI_NS, servicesNamespace} from '../../src/soap/versions.js'
import {describeCodePoint, findInvalidXmlChar, replaceInvalidXmlChars} from '../../src/soap/xml-chars.js'

function escapeText(text: string): string {
  if (!/[&<>\r]/.test(text)) return text
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;')
}

function textElement(name: string, text: string): string {
  return `<${name}>${escapeText(text)}</${name}>`
}

function element(name: string, content: string, attributes = ''): string {
  const open = attributes ? `${name} ${attributes}` : name
  return content === '' ? `<${open}/>` : `<${open}>${content}</${name}>`
}

export function stringSoap11Envelope(spec: Soap11EnvelopeSpec): string {
  let xml = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${escapeAttribute(SOAP11_ENV_NS)}" xmlns:so="${escapeAttribute(spec.ns)}">`
  if (spec.header.length > 0) xml += element('soap:Header', envelopeFieldsXml(spec.header, ''))
  xml += `<soap:Body>${element(`so:${spec.bodyElement}`, envelopeFieldsXml(spec.body, spec.bodyElement))}</soap:Body>`
  return `${xml}</soap:Envelope>`
}

function envelopeFieldsXml(fields: XmlFields, path: string): string {
  let xml = ''
  for (const [name, value] of fields) {
    if (value === undefined) continue
    const fieldPath = path ? `${path}.${name}` : name
    if (Array.isArray(value)) {
      xml += element(`so:${name}`, envelopeFieldsXml(value as XmlFields, fieldPath))
    } else {
      const text = checkedText(typeof value === 'number' ? checkedInt(value, fieldPath) : String(value), fieldPath)
      xml += textElement(`so:${name}`, text)
    }
  }
  return xml
}

function checkedInt(value: number, field: string): string {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 31 - 1) {
    throw new EnvelopeValueError(field, `${field} is ${value}, not a whole number between ${-(2 ** 31)} and ${2 ** 31 - 1}`)
  }
  return String(value)
}

function checkedText(text: string, field: string): string {
  const bad = findInvalidXmlChar(text)
  if (bad) throw new EnvelopeValueError(field, `${field} contains ${describeCodePoint(bad.codePoint)} at position ${bad.index + 1}, a character XML 1.0 cannot carry`)
  return text
}

export function stringFaultReply(code: FaultCode, message: string): string {
  const fault = `<faultcode>s:${code}</faultcode><faultstring xml:lang="en-US">${escapeText(replaceInvalidXmlChars(message))}</faultstring>`
  return `<s:Envelope xmlns:s="${SOAP11_ENV_NS}"><s:Body><s:Fault>${fault}</s:Fault></s:Body></s:Envelope>`
}

export function stringSoapAnswer(spec: AnswerSpec): string {
  const ns = escapeAttribute(servicesNamespace(spec.version))
  const h = `xmlns:h="${ns}"`
  const info = spec.exception ? element('h:ExceptionInfo', answerFieldsXml(exceptionFields(spec.exception as SoExceptionInfo), 'h:'), h) : nilElement('h:ExceptionInfo', h)
  const header = `${info}${nilElement('h:ExtraInfo', h)}<h:Succeeded ${h}>${spec.exception ? 'false' : 'true'}</h:Succeeded>${nilElement('h:TimeZone', h)}`
  const body = element(spec.responseElement, answerFieldsXml(spec.body, ''), `xmlns="${ns}"`)
  return `<s:Envelope xmlns:s="${SOAP11_ENV_NS}"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
}

function answerFieldsXml(fields: XmlFields, prefix: string): string {
  let xml = ''
  for (const [name, value] of fields) {
    if (value === undefined) xml += nilElement(`${prefix}${name}`, '')
    else if (Array.isArray(value)) xml += element(`${prefix}${name}`, answerFieldsXml(value as XmlFields, prefix))
    else xml += textElement(`${prefix}${name}`, replaceInvalidXmlChars(String(value)))
  }
  return xml
}

function nilElement(name: string, attributes: string): string {
  return `<${name}${attributes ? ` ${attributes}` : ''} xmlns:i="${XSI_NS}" i:nil="true"/>`
}
