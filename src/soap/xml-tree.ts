import {SaxesParser} from 'saxes'

/**
 * A small namespace-aware element tree. saxes does not process DTDs, so entity declarations (and so
 * entity-expansion bombs) are never expanded: an undeclared entity is a parse error.
 */
export interface XElement {
  ns: string
  local: string
  attrs: Map<string, string>
  children: XElement[]
  text: string
}

export class XmlParseError extends Error {
  override name = 'XmlParseError'
}

const MAX_DEPTH = 64

export function parseXml(xml: string): XElement {
  return parseSimpleXml(xml) ?? parseXmlWithSaxes(xml)
}

/** parseXml without the fast path: saxes for every document. */
export function parseXmlWithSaxes(xml: string): XElement {
  const parser = new SaxesParser({xmlns: true, position: true})
  const stack: XElement[] = []
  let root: XElement | undefined
  let failure: Error | undefined
  parser.on('error', (err) => {
    failure ??= err
  })
  parser.on('doctype', () => {
    failure ??= new XmlParseError('document type declarations are not accepted')
  })
  parser.on('opentag', (tag) => {
    const attrs = new Map<string, string>()
    for (const attr of Object.values(tag.attributes)) {
      if (attr.uri === 'http://www.w3.org/2000/xmlns/' || attr.prefix === 'xmlns' || attr.name === 'xmlns') continue
      attrs.set(attr.uri ? `{${attr.uri}}${attr.local}` : attr.local, attr.value)
    }
    const el: XElement = {ns: tag.uri ?? '', local: tag.local ?? tag.name, attrs, children: [], text: ''}
    const parent = stack.at(-1)
    if (parent) parent.children.push(el)
    else root = el
    stack.push(el)
    if (stack.length > MAX_DEPTH) failure ??= new XmlParseError(`elements nested deeper than ${MAX_DEPTH}`)
  })
  parser.on('text', (text) => {
    const top = stack.at(-1)
    if (top) top.text += text
  })
  parser.on('cdata', (text) => {
    const top = stack.at(-1)
    if (top) top.text += text
  })
  parser.on('closetag', () => {
    stack.pop()
  })
  try {
    parser.write(xml).close()
  } catch (error) {
    failure ??= error as Error
  }
  if (failure) throw new XmlParseError(failure.message.replace(/^undefined:/, '').trim())
  if (!root) throw new XmlParseError('no root element')
  return root
}

/**
 * The same tree as parseXml, for the plain documents servers answer with, at a fraction of saxes' cost (it
 * runs once per row of a bulk import). Anything outside that plain subset - a DOCTYPE, comment, CDATA
 * section or processing instruction, a CR, an attribute value with an entity, tab or newline, a name or
 * namespace use it does not know, any error at all - gives undefined, and parseXml hands the document to
 * saxes, whose answer (tree or error) then stands. So it never accepts what saxes refuses, and gives the
 * tree saxes gives (test/xml-tree-fast.test.ts holds the two side by side on generated and mangled XML).
 */
export function parseSimpleXml(xml: string): XElement | undefined {
  // A CR (saxes normalises line ends), and every character XML 1.0 cannot carry. Surrogates are let
  // through the quick test only as well-formed pairs.
  if (OUTSIDE_BMP_SUBSET.test(xml) && OUTSIDE_SUBSET.test(xml)) return undefined
  let i = 0
  if (xml.startsWith('<?xml', 0)) {
    XML_DECLARATION.lastIndex = 0
    if (!XML_DECLARATION.test(xml)) return undefined
    i = XML_DECLARATION.lastIndex
  }
  const stack: Open[] = []
  let root: XElement | undefined
  const length = xml.length
  while (i < length) {
    const lt = xml.indexOf('<', i)
    const end = lt < 0 ? length : lt
    if (end > i) {
      const top = stack.at(-1)
      if (!top) {
        for (let k = i; k < end; k++) if (!isSpace(xml.charCodeAt(k))) return undefined
      } else {
        const text = decodeText(xml.slice(i, end))
        if (text === undefined) return undefined
        top.el.text += text
      }
    }
    if (lt < 0) break
    if (xml.charCodeAt(lt + 1) === SLASH) {
      // </name>
      const top = stack.pop()
      const nameEnd = top ? qnameEnd(xml, lt + 2) : -1
      if (!top || nameEnd < 0 || xml.slice(lt + 2, nameEnd) !== top.qname) return undefined
      let k = nameEnd
      while (isSpace(xml.charCodeAt(k))) k++
      if (xml.charCodeAt(k) !== GREATER) return undefined
      i = k + 1
      continue
    }
    if (root && stack.length === 0) return undefined
    const nameEnd = qnameEnd(xml, lt + 1)
    if (nameEnd < 0) return undefined
    const qname = xml.slice(lt + 1, nameEnd)
    let attributes: Array<[string, string]> | undefined
    let declared: Array<[string, string]> | undefined
    let k = nameEnd
    let selfClosing = false
    for (;;) {
      const spaced = isSpace(xml.charCodeAt(k))
      while (isSpace(xml.charCodeAt(k))) k++
      const c = xml.charCodeAt(k)
      if (c === GREATER) {
        k++
        break
      }
      if (c === SLASH) {
        if (xml.charCodeAt(k + 1) !== GREATER) return undefined
        selfClosing = true
        k += 2
        break
      }
      // name = "value" (or 'value'), after at least one space
      const attrEnd = spaced ? qnameEnd(xml, k) : -1
      if (attrEnd < 0) return undefined
      const name = xml.slice(k, attrEnd)
      k = attrEnd
      while (isSpace(xml.charCodeAt(k))) k++
      if (xml.charCodeAt(k) !== EQUALS) return undefined
      k++
      while (isSpace(xml.charCodeAt(k))) k++
      const quote = xml.charCodeAt(k)
      if (quote !== DQUOTE && quote !== SQUOTE) return undefined
      const close = xml.indexOf(quote === DQUOTE ? '"' : "'", k + 1)
      if (close < 0) return undefined
      const value = xml.slice(k + 1, close)
      if (PLAIN_VALUE_BREAKER.test(value)) return undefined
      k = close + 1
      if (name === 'xmlns' || name.startsWith('xmlns:')) (declared ??= []).push([name, value])
      else (attributes ??= []).push([name, value])
    }
    i = k
    const parent = stack.at(-1)
    const scope = declared ? declare(parent?.scope, declared) : parent?.scope
    if (scope === null) return undefined
    const el = element(qname, attributes, scope)
    if (!el) return undefined
    if (parent) parent.el.children.push(el)
    else root = el
    if (!selfClosing) {
      stack.push({el, qname, scope})
      if (stack.length > MAX_DEPTH) return undefined
    }
  }
  return stack.length === 0 ? root : undefined
}

interface Open {
  el: XElement
  qname: string
  scope: Scope | undefined
}

/** Namespace bindings made on one element, linked to its parent's; undefined at the top (no bindings). */
interface Scope {
  prefixes: Array<[string, string]>
  parent: Scope | undefined
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace'
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'
const SLASH = 0x2f
const GREATER = 0x3e
const EQUALS = 0x3d
const DQUOTE = 0x22
const SQUOTE = 0x27

const OUTSIDE_BMP_SUBSET = /[^\t\n\x20-\uD7FF\uE000-\uFFFD]/
const OUTSIDE_SUBSET = /[^\t\n\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u
const XML_DECLARATION = /<\?xml version="1\.0"(?: encoding="[A-Za-z][A-Za-z0-9._-]*")?(?: standalone="(?:yes|no)")?\?>/y
// An attribute value saxes would decode or normalise (or refuse): left to saxes.
const PLAIN_VALUE_BREAKER = /[<&\t\n]/
const TEXT_ESCAPE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/g
const ENTITIES: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09
const isNameStart = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d

/**
 * Where the name at `start` ends: ASCII letters, digits, _ . - (not first), with at most one prefix;
 * -1 when there is none, or when what follows could still belong to a name saxes reads differently.
 */
function qnameEnd(xml: string, start: number): number {
  let k = start
  if (!isNameStart(xml.charCodeAt(k))) return -1
  while (isNameChar(xml.charCodeAt(++k)));
  if (xml.charCodeAt(k) === 0x3a) {
    if (!isNameStart(xml.charCodeAt(++k))) return -1
    while (isNameChar(xml.charCodeAt(++k)));
  }
  const next = xml.charCodeAt(k)
  return isSpace(next) || next === GREATER || next === SLASH || next === EQUALS ? k : -1
}

/** Text with its five entities and character references decoded; undefined for anything else. */
function decodeText(raw: string): string | undefined {
  if (raw.includes(']]>')) return undefined
  if (!raw.includes('&')) return raw
  // An & that does not start one of these is an entity saxes does not know (or a lone &): an error there.
  if (raw.replace(TEXT_ESCAPE, '').includes('&')) return undefined
  let bad = false
  const text = raw.replace(TEXT_ESCAPE, (_, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (name) return ENTITIES[name] as string
    const code = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16)
    if (!(code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff))) bad = true
    return bad ? '' : String.fromCodePoint(code)
  })
  return bad ? undefined : text
}

/** The scope with these xmlns declarations; null for the uses of xml and xmlns saxes polices. */
function declare(parent: Scope | undefined, declared: Array<[string, string]>): Scope | null {
  const prefixes: Array<[string, string]> = []
  for (const [name, uri] of declared) {
    const prefix = name === 'xmlns' ? '' : name.slice(6)
    // saxes trims the URI first; one with spaces round it is left to saxes.
    if (prefix === 'xml' || prefix === 'xmlns' || uri !== uri.trim() || uri === XML_NS || uri === XMLNS_NS || (prefix !== '' && uri === '')) return null
    if (prefixes.some(([p]) => p === prefix)) return null
    prefixes.push([prefix, uri])
  }
  return {prefixes, parent}
}

function resolve(scope: Scope | undefined, prefix: string): string | undefined {
  for (let s = scope; s; s = s.parent) {
    for (const [p, uri] of s.prefixes) if (p === prefix) return uri
  }
  return prefix === '' ? '' : undefined
}

/** The element with its names resolved, or undefined for an unbound or reserved prefix or a duplicate attribute. */
function element(qname: string, attributes: Array<[string, string]> | undefined, scope: Scope | undefined): XElement | undefined {
  const colon = qname.indexOf(':')
  const prefix = colon < 0 ? '' : qname.slice(0, colon)
  if (prefix === 'xml' || prefix === 'xmlns' || qname === 'xmlns') return undefined
  const ns = resolve(scope, prefix)
  if (ns === undefined || (prefix !== '' && ns === '')) return undefined
  const attrs = new Map<string, string>()
  if (attributes) {
    for (const [name, value] of attributes) {
      const c = name.indexOf(':')
      let key = name
      if (c >= 0) {
        const p = name.slice(0, c)
        const uri = p === 'xml' ? undefined : resolve(scope, p)
        if (!uri) return undefined
        key = `{${uri}}${name.slice(c + 1)}`
      }
      if (attrs.has(key)) return undefined
      attrs.set(key, value)
    }
  }
  return {ns, local: colon < 0 ? qname : qname.slice(colon + 1), attrs, children: [], text: ''}
}

export function child(el: XElement | undefined, ns: string, local: string): XElement | undefined {
  return el?.children.find((c) => c.local === local && c.ns === ns)
}

export function isNil(el: XElement): boolean {
  const nil = el.attrs.get('{http://www.w3.org/2001/XMLSchema-instance}nil')
  return nil === 'true' || nil === '1'
}
