/**
 * parseXml reads plain documents itself (parseSimpleXml) and hands everything else to saxes. The fast
 * path must never accept a document saxes refuses, and must give exactly saxes' tree when it accepts one:
 * held here against saxes on generated documents (namespaces, prefixes, attributes, entities, character
 * references, whitespace, reserved names) and on the same documents mangled character by character.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {parseSimpleXml, parseXml, parseXmlWithSaxes, XmlParseError, type XElement} from '../src/soap/xml-tree.js'

type Plain = {ns: string; local: string; attrs: Array<[string, string]>; text: string; children: Plain[]}
const plain = (el: XElement): Plain => ({ns: el.ns, local: el.local, attrs: [...el.attrs], text: el.text, children: el.children.map(plain)})

function saxes(xml: string): {tree: Plain} | {error: string} {
  try {
    return {tree: plain(parseXmlWithSaxes(xml))}
  } catch (error) {
    expect(error).toBeInstanceOf(XmlParseError)
    return {error: (error as Error).message}
  }
}

/** The property: when the fast path answers, saxes accepts the document and builds the same tree. */
function agrees(xml: string): boolean {
  const fast = parseSimpleXml(xml)
  if (fast === undefined) return false
  expect(saxes(xml), xml).toEqual({tree: plain(fast)})
  return true
}

const NS87 = 'http://www.superoffice.net/ws/crm/NetServer/Services87'
const XSI = 'http://www.w3.org/2001/XMLSchema-instance'
const NETSERVER_ANSWER = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ExceptionInfo xmlns:h="${NS87}" xmlns:i="${XSI}" i:nil="true"/><h:Succeeded xmlns:h="${NS87}">true</h:Succeeded></s:Header><s:Body xmlns:xsi="${XSI}" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><SaveEMailAccountResponse xmlns="${NS87}"><Response><EMailAccountId>7</EMailAccountId><EMailAddress>a&amp;b&lt;c&gt;&#233;&#x1F600; é</EMailAddress><ErrorReason/><IncomingCredentials><Password>p'"&apos;&quot;</Password></IncomingCredentials></Response></SaveEMailAccountResponse></s:Body></s:Envelope>`

describe('parseXml fast path', () => {
  it('reads a NetServer answer itself, as saxes would', () => {
    expect(agrees(NETSERVER_ANSWER)).toBe(true)
    expect(agrees(`<?xml version="1.0" encoding="utf-8"?>\n${NETSERVER_ANSWER}\n`)).toBe(true)
    expect(parseXml(NETSERVER_ANSWER).children[1]?.children[0]?.children[0]?.children[1]?.text).toBe('a&b<c>é😀 é')
  })

  it('leaves to saxes what it does not read itself', () => {
    const others = [
      '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
      '<x><!-- c --></x>',
      '<x><![CDATA[<y>]]></x>',
      '<?pi x?><x/>',
      '<x>a\r\nb</x>',
      '<x a="1&amp;2"/>',
      '<x a="1\n2"/>',
      '<x>&nbsp;</x>',
      '<x>&#0;</x>',
      '<x>]]></x>',
      '<p:x/>',
      '<x xml:lang="en"/>',
      '<x xmlns:p=""/>',
      '<x a="1" a="2"/>',
      '<x xmlns:a="u" xmlns:b="u" a:c="1" b:c="2"/>',
      '<x></y>',
      '<x>',
      '<x/><y/>',
      'text<x/>',
      '<x/>text',
      `<x>\u0000</x>`,
      `<x>\ud800</x>`,
      '<?xml version="1.1"?><x/>',
      "<?xml version='1.0'?><x/>",
      '',
      `${'<a>'.repeat(70)}${'</a>'.repeat(70)}`,
    ]
    for (const xml of others) {
      expect(parseSimpleXml(xml), xml).toBeUndefined()
      expect(() => parseXml(xml)).not.toThrow(TypeError)
    }
  })

  const prefix = fc.constantFrom('', '', 'a', 'b', 's', 'xml', 'xmlns')
  const uri = fc.constantFrom('urn:a', 'urn:b', XSI, NS87, '', 'http://www.w3.org/XML/1998/namespace', 'http://www.w3.org/2000/xmlns/')
  const local = fc.constantFrom('x', 'Response', 'nil', 'a.b-c_1', 'xmlns', '_y', 'Z9')
  const textPiece = fc.constantFrom('word', ' ', '\n', '\t', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#65;', '&#x1F600;', '&#0;', '&foo;', '&', '>', ']]>', ']]', 'é', '😀', '\u2028', "'", '"', '&#xD;', '&#13;')
  const text = fc.array(textPiece, {maxLength: 5}).map((p) => p.join(''))
  const attrValue = fc.array(fc.constantFrom('v', ' ', 'true', '>', "'", '"', 'é', '&amp;', '\t'), {maxLength: 4}).map((p) => p.join(''))
  const space = fc.constantFrom(' ', '  ', '\n', '\t', ' \n ')
  const attribute = fc.record({prefix, local, value: attrValue, quote: fc.constantFrom('"', "'"), before: space, eq: fc.constantFrom('=', ' = ', '\n=\t')})
  const declaration = fc.record({prefix, uri, quote: fc.constantFrom('"', "'"), before: space})

  type Node = {prefix: string; local: string; decls: Array<{prefix: string; uri: string; quote: string; before: string}>; attrs: Array<{prefix: string; local: string; value: string; quote: string; before: string; eq: string}>; children: Array<Node | string>; close: string}
  const node: fc.Arbitrary<Node> = fc.letrec<{node: Node}>((tie) => ({
    node: fc.record({
      prefix,
      local,
      decls: fc.array(declaration, {maxLength: 3}),
      attrs: fc.array(attribute, {maxLength: 3}),
      children: fc.array(fc.oneof({depthSize: 'small'}, text, tie('node')), {maxLength: 4}),
      close: fc.constantFrom('', '', ' ', '\n'),
    }),
  })).node

  const quoted = (q: string, v: string) => `${q}${v.replaceAll(q, q === '"' ? '&quot;' : '&apos;')}${q}`
  function serialise(n: Node): string {
    const name = n.prefix ? `${n.prefix}:${n.local}` : n.local
    const decls = n.decls.map((d) => `${d.before}${d.prefix ? `xmlns:${d.prefix}` : 'xmlns'}=${quoted(d.quote, d.uri)}`).join('')
    const attrs = n.attrs.map((a) => `${a.before}${a.prefix ? `${a.prefix}:` : ''}${a.local}${a.eq}${quoted(a.quote, a.value)}`).join('')
    if (n.children.length === 0) return `<${name}${decls}${attrs}${n.close}/>`
    return `<${name}${decls}${attrs}${n.close}>${n.children.map((c) => (typeof c === 'string' ? c : serialise(c))).join('')}</${name}${n.close}>`
  }
  /** Mostly well-formed: every prefix used is declared on the element, texts and values mostly legal. */
  const cleanNode: fc.Arbitrary<Node> = fc.letrec<{node: Node}>((tie) => ({
    node: fc
      .record({
        prefix: fc.constantFrom('', 'a', 'b'),
        local,
        defaultNs: fc.option(fc.constantFrom('urn:d', NS87, ''), {nil: undefined}),
        attrs: fc.uniqueArray(fc.record({prefix: fc.constantFrom('', 'a', 'i'), local: fc.constantFrom('x', 'nil', 'id', 'k-1'), value: fc.constantFrom('true', '', 'a b', '>', 'é😀', 'urn:x'), quote: fc.constantFrom('"', "'"), before: space, eq: fc.constantFrom('=', ' = ')}), {maxLength: 3, selector: (a) => `${a.prefix}:${a.local}`}),
        children: fc.array(fc.oneof({depthSize: 'small'}, fc.array(fc.constantFrom('word', ' ', '\n', '&amp;', '&lt;', '&#233;', '&#x1F600;', '>', 'é', "'", '"'), {maxLength: 4}).map((p) => p.join('')), tie('node')), {maxLength: 4}),
        close: fc.constantFrom('', ' '),
      })
      .map(({defaultNs, ...n}) => ({
        ...n,
        local: n.local === 'xmlns' ? 'x' : n.local,
        decls: [
          ...(defaultNs === undefined ? [] : [{prefix: '', uri: defaultNs, quote: '"', before: ' '}]),
          {prefix: 'a', uri: 'urn:a', quote: '"', before: ' '},
          {prefix: 'b', uri: 'urn:b', quote: "'", before: '\n'},
          {prefix: 'i', uri: XSI, quote: '"', before: ' '},
        ],
      })),
  })).node
  const prolog = fc.constantFrom('', '', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', ' ', '\n')
  const document = fc.tuple(prolog, node, fc.constantFrom('', '\n', ' \t')).map(([p, n, tail]) => `${p}${serialise(n)}${tail}`)
  const cleanDocument = fc.tuple(prolog, cleanNode, fc.constantFrom('', '\n', ' \t')).map(([p, n, tail]) => `${p}${serialise(n)}${tail}`)

  it('reads well-formed documents itself, as saxes would', () => {
    let accepted = 0
    fc.assert(
      fc.property(cleanDocument, (xml) => {
        if (agrees(xml)) accepted++
      }),
      {numRuns: 2000},
    )
    // The property means little if the fast path never answers.
    expect(accepted).toBeGreaterThan(1900)
  })

  it('gives saxes’ tree whenever it accepts a generated document, however wrong', () => {
    fc.assert(
      fc.property(document, (xml) => {
        agrees(xml)
      }),
      {numRuns: 3000},
    )
  })

  it('never accepts a mangled document saxes refuses, nor reads one differently', () => {
    const junk = fc.constantFrom('<', '>', '/', '&', ';', '"', "'", '=', ':', ' ', '\n', '\r', '!', '?', '[', ']', '#', 'x', 'a:', 'xmlns', '</x>', '<x>', '&#', '\u0000', '\ud800', '-')
    const edit = fc.record({at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'replace'), with: junk})
    fc.assert(
      fc.property(fc.oneof(cleanDocument, document), fc.array(edit, {minLength: 1, maxLength: 3}), (xml, edits) => {
        let s = xml
        for (const e of edits) {
          const at = s.length === 0 ? 0 : e.at % s.length
          s = e.kind === 'insert' ? s.slice(0, at) + e.with + s.slice(at) : e.kind === 'delete' ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + e.with + s.slice(at + 1)
        }
        agrees(s)
      }),
      {numRuns: 5000},
    )
  })
})
