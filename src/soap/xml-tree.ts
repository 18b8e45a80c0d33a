import {SaxesParser} from 'saxes'

/**
 * A small namespace-aware element tree. saxes does not process DTDs, so entity declarations (and so
 * entity-expansion bombs) are never expanded: an undeclared entity is a parse error.
 */
export interface XElement {
  ns: string
  local: string
  attrs: ReadonlyMap<string, string>
  children: XElement[]
  text: string
}

export class XmlParseError extends Error {
  override name = 'XmlParseError'
}

const MAX_DEPTH = 64
/** Most elements of an answer have no attributes: they share this one (an answer has hundreds of elements). */
const NO_ATTRS: ReadonlyMap<string, string> = new Map()

export function parseXml(xml: string): XElement {
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
    let attrs: Map<string, string> | undefined
    // for-in, not Object.values: no array per element (nearly every one has no attributes).
    for (const name in tag.attributes) {
      const attr = tag.attributes[name]!
      if (attr.uri === 'http://www.w3.org/2000/xmlns/' || attr.prefix === 'xmlns' || attr.name === 'xmlns') continue
      ;(attrs ??= new Map()).set(attr.uri ? `{${attr.uri}}${attr.local}` : attr.local, attr.value)
    }
    const el: XElement = {ns: tag.uri ?? '', local: tag.local ?? tag.name, attrs: attrs ?? NO_ATTRS, children: [], text: ''}
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

export function child(el: XElement | undefined, ns: string, local: string): XElement | undefined {
  return el?.children.find((c) => c.local === local && c.ns === ns)
}

export function isNil(el: XElement): boolean {
  const nil = el.attrs.get('{http://www.w3.org/2001/XMLSchema-instance}nil')
  return nil === 'true' || nil === '1'
}
