/**
 * The envelope builder is xmlbuilder2. Here it is held against the string writer it replaced
 * (test/helpers/string-xml-writers.ts, kept verbatim): both must give the same bytes, or both refuse the
 * same field, so nothing on the wire changed.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {accountFields} from '../../src/soap/account-xml.js'
import {buildEnvelope, buildSoap11Envelope, type RequestHeaders, type XmlFields, type XmlValue} from '../../src/soap/envelope.js'
import {EnvelopeValueError} from '../../src/soap/errors.js'
import {servicesNamespace, API_VERSIONS} from '../../src/soap/versions.js'
import {stringSoap11Envelope as referenceSoap11Envelope} from '../helpers/string-xml-writers.js'

function referenceHeaderFields(h: RequestHeaders): XmlFields {
  const fields: Array<readonly [string, XmlValue | undefined]> = []
  if (h.applicationToken !== undefined) fields.push(['ApplicationToken', h.applicationToken])
  if (h.ticket !== undefined) fields.push(['Credentials', [['Ticket', h.ticket]]])
  if (h.timeZone) fields.push(['TimeZone', [['SoTimeZoneId', h.timeZone.id], ['SoTimeZoneLocationCode', h.timeZone.locationCode]]])
  return fields
}

/** What a build gives: the XML, or the field it refused and why. */
function outcome(build: () => string): {xml: string} | {field: string; message: string} {
  try {
    return {xml: build()}
  } catch (error) {
    if (error instanceof EnvelopeValueError) return {field: error.field, message: error.message}
    throw error
  }
}

// Text with what XML makes hard: markup characters, entity look-alikes, CR/LF/tab, non-ASCII, astral and
// lone surrogates, and characters XML 1.0 cannot carry at all.
const nasty = fc.constantFrom('&', '<', '>', '"', "'", '&amp;', '&#13;', '&lt;', '&nbsp;', ']]>', '\r', '\n', '\r\n', '\t', ' ', 'é', '😀', '\u0085', '\u2028', '\ufffe', '\u0000', '\u0007', '\ud83d', '\ude00')
const text = fc.array(fc.oneof(fc.string({maxLength: 6}), nasty, fc.string({unit: 'grapheme', maxLength: 3})), {maxLength: 6}).map((parts) => parts.join(''))
const name = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,12}$/)
const scalar: fc.Arbitrary<XmlValue | undefined> = fc.oneof(
  text,
  fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1}),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0),
  fc.boolean(),
  fc.constant(undefined),
)
const fields: fc.Arbitrary<XmlFields> = fc.letrec<{fields: XmlFields}>((tie) => ({
  fields: fc.array(fc.tuple(name, fc.oneof({depthSize: 'small'}, scalar, tie('fields') as fc.Arbitrary<XmlValue>)), {maxLength: 5}),
})).fields
const namespace = fc.oneof(fc.constantFrom(...API_VERSIONS.map((v) => servicesNamespace(v))), fc.constant('http://www.superoffice.com/superid/partnersystemuser/0.1'))

describe('buildSoap11Envelope against the string writer it replaced', () => {
  it('writes the same bytes, or refuses the same field, for any tree', () => {
    fc.assert(
      fc.property(namespace, fields, name, fields, (ns, header, bodyElement, body) => {
        const spec = {ns, header, bodyElement, body}
        expect(outcome(() => buildSoap11Envelope(spec))).toEqual(outcome(() => referenceSoap11Envelope(spec)))
      }),
      {numRuns: 2000},
    )
  })

  it('writes the same request envelopes for any headers and account', () => {
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, {nil: undefined})
    const auth = fc.record({serviceAuthId: optional(fc.integer()), server: optional(text), port: optional(fc.integer({min: -1, max: 70000})), authType: optional(text), username: optional(text), password: optional(text)})
    const account = fc.record({
      emailAccountId: optional(fc.integer({min: 0})),
      emailAddress: optional(text),
      associateId: optional(fc.integer({min: 0})),
      incoming: optional(auth),
      outgoing: optional(auth),
      accountStatus: optional(fc.integer({min: 0, max: 3})),
      errorCount: optional(fc.integer({min: 0})),
      errorReason: optional(text),
    })
    const headers = fc.record({applicationToken: optional(text), ticket: optional(text), timeZone: optional(fc.record({id: optional(fc.integer()), locationCode: optional(text)}))})
    fc.assert(
      fc.property(fc.constantFrom(...API_VERSIONS), headers, account, (version, h, acc) => {
        const body: XmlFields = [['EMailAccount', accountFields(acc, version)]]
        const reference = () => referenceSoap11Envelope({ns: servicesNamespace(version), header: referenceHeaderFields(h), bodyElement: 'SaveEMailAccount', body})
        expect(outcome(() => buildEnvelope({version, operation: 'SaveEMailAccount', headers: h, body}))).toEqual(outcome(reference))
      }),
      {numRuns: 1000},
    )
  })

  it('keeps the shapes the string writer gave empty elements', () => {
    const xml = buildSoap11Envelope({ns: 'urn:x', header: [['T', [['A', undefined]]]], bodyElement: 'Op', body: [['Empty', ''], ['None', []]]})
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:so="urn:x"><soap:Header><so:T/></soap:Header><soap:Body><so:Op><so:Empty></so:Empty><so:None/></so:Op></soap:Body></soap:Envelope>',
    )
    expect(buildSoap11Envelope({ns: 'urn:x', header: [], bodyElement: 'Op', body: []})).toBe(referenceSoap11Envelope({ns: 'urn:x', header: [], bodyElement: 'Op', body: []}))
  })
})
