/**
 * The sandbox's answers are built with xmlbuilder2. Here they are held against the string writer they
 * replaced (test/helpers/string-xml-writers.ts, kept verbatim): both must give the same bytes, so clients
 * and tests see the answers they saw before.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {XmlFields, XmlValue} from '../../src/soap/envelope.js'
import {API_VERSIONS} from '../../src/soap/versions.js'
import type {SoExceptionInfo} from '../../src/sandbox/exceptions.js'
import {faultReply, soapAnswer, type FaultCode} from '../../src/sandbox/responses.js'
import {parseXml} from '../../src/soap/xml-tree.js'
import {stringFaultReply as referenceFault, stringSoapAnswer as referenceAnswer} from '../helpers/string-xml-writers.js'

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

describe('sandbox answers against the string writer they replaced', () => {
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
