/**
 * The sandbox writes its answers as strings, for speed (it answers every row of a bulk benchmark). Here they
 * are held against the xmlbuilder2 code they replaced, kept verbatim (the field lists, which did not
 * change, are shared): both must give the same bytes.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {create} from 'xmlbuilder2'
import type {XMLBuilder} from 'xmlbuilder2/lib/interfaces.js'
import type {XmlFields, XmlValue} from '../src/soap/envelope.js'
import {API_VERSIONS, SOAP11_ENV_NS, XSI_NS, servicesNamespace} from '../src/soap/versions.js'
import type {SoExceptionInfo} from '../src/sandbox/exceptions.js'
import {exceptionFields, faultReply, soapAnswer, type AnswerSpec, type FaultCode} from '../src/sandbox/responses.js'
import {parseXml} from '../src/soap/xml-tree.js'

const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const NOT_XML_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
const xmlSafe = (text: string) => text.replace(NOT_XML_CHARS, '\uFFFD').replace(/&/g, '&amp;').replace(/\r/g, '&#13;')

function referenceFault(code: FaultCode, message: string): string {
  const doc = create({version: '1.0', encoding: 'utf-8'})
  const fault = doc.ele(SOAP11_ENV_NS, 's:Envelope').ele(SOAP11_ENV_NS, 's:Body').ele(SOAP11_ENV_NS, 's:Fault')
  fault.ele('faultcode').txt(`s:${code}`)
  fault.ele('faultstring').att(XML_NS, 'xml:lang', 'en-US').txt(xmlSafe(message))
  return doc.end({headless: true})
}

function referenceAnswer(spec: AnswerSpec): string {
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
  return doc.end({headless: true})
}

function appendFields(parent: XMLBuilder, ns: string, fields: XmlFields): void {
  for (const [name, value] of fields) {
    const el = parent.ele(ns, name)
    if (value === undefined) nil(el)
    else if (Array.isArray(value)) appendFields(el, ns, value as XmlFields)
    else el.txt(xmlSafe(String(value)))
  }
}

function nil(el: XMLBuilder): void {
  el.att(XSI_NS, 'i:nil', 'true')
}

const nasty = fc.constantFrom('&', '<', '>', '"', "'", '&amp;', '&#13;', '&lt;', ']]>', '\r', '\n', '\r\n', '\t', 'é', '😀', '\u0085', '\ufffe', '\u0000', '\u0007', '\ud83d', '\ude00')
const text = fc.array(fc.oneof(fc.string({maxLength: 6}), nasty, fc.string({unit: 'grapheme', maxLength: 3})), {maxLength: 6}).map((parts) => parts.join(''))
const name = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,12}$/)
const scalar: fc.Arbitrary<XmlValue | undefined> = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(undefined))
const fields: fc.Arbitrary<XmlFields> = fc.letrec<{fields: XmlFields}>((tie) => ({
  fields: fc.array(fc.tuple(name, fc.oneof({depthSize: 'small'}, scalar, tie('fields') as fc.Arbitrary<XmlValue>)), {maxLength: 5}),
})).fields
const exception: fc.Arbitrary<SoExceptionInfo> = fc.letrec<{e: SoExceptionInfo}>((tie) => ({
  e: fc.record(
    {type: name, message: text, friendlyText: text, source: text, stackTrace: text, parameters: fc.dictionary(name, text, {maxKeys: 3}), inner: fc.option(tie('e'), {nil: undefined, depthSize: 'small'}) as fc.Arbitrary<SoExceptionInfo | undefined>},
    {requiredKeys: ['type', 'message']},
  ),
})).e

describe('sandbox answers against xmlbuilder2', () => {
  it('soapAnswer writes the same bytes for any body and exception', () => {
    fc.assert(
      fc.property(fc.constantFrom(...API_VERSIONS), name, fields, fc.option(exception, {nil: undefined}), (version, responseElement, body, exception) => {
        const spec = {version, responseElement, body, exception}
        const reply = soapAnswer(spec)
        expect(reply.body).toBe(referenceAnswer(spec))
        expect(reply.status).toBe(200)
        // And it is XML a client reads.
        expect(parseXml(reply.body).local).toBe('Envelope')
      }),
      {numRuns: 1500},
    )
  })

  it('faultReply writes the same bytes for any message', () => {
    fc.assert(
      fc.property(fc.constantFrom<FaultCode>('Client', 'Server', 'VersionMismatch', 'MustUnderstand'), text, (code, message) => {
        expect(faultReply(code, message).body).toBe(referenceFault(code, message))
      }),
      {numRuns: 1000},
    )
  })
})
