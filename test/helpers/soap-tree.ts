/** Comparing XML by meaning rather than by text: prefixes and indentation are not part of the contract. */
import {expect} from 'vitest'
import {parseXml, type XElement} from '../../src/soap/xml-tree.js'

export interface Shape {
  name: string
  attrs: Array<[string, string]>
  /** Exact text of a leaf; for an element with children, its stray text trimmed (indentation only, so ''). */
  text: string
  children: Shape[]
}

/** Namespace + local name, attributes, child order and leaf text; nothing else survives. */
export function shape(el: XElement): Shape {
  return {
    name: `{${el.ns}}${el.local}`,
    attrs: [...el.attrs.entries()].sort(([a], [b]) => a.localeCompare(b)),
    text: el.children.length > 0 ? el.text.trim() : el.text,
    children: el.children.map(shape),
  }
}

export function shapeOf(xml: string): Shape {
  return shape(parseXml(xml))
}

/** The element reached by local names from the root, failing the test if any step is missing. */
export function at(root: XElement, ...path: string[]): XElement {
  let el = root
  for (const name of path) {
    const next = el.children.find((c) => c.local === name)
    expect(next, `<${name}> under <${el.local}> (path ${path.join('/')})`).toBeDefined()
    el = next!
  }
  return el
}

export function childNames(el: XElement): string[] {
  return el.children.map((c) => c.local)
}
