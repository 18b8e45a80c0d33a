/**
 * XML written straight into strings, in the shapes a DOM serialiser (xmlbuilder2 4.x) gives them: the
 * client's envelopes (envelope.ts) and the sandbox's answers (sandbox/responses.ts) run once per row of a
 * bulk import, where building a DOM cost more than everything else. Tests hold both writers byte for byte
 * against xmlbuilder2.
 */

/**
 * Every `&` (so a password `a&amp;b` arrives as typed, and `x&nbsp;y` cannot make the document malformed),
 * `<` and `>`. A CR travels as a reference: a parser turns a literal CR or CRLF into LF (XML 1.0 §2.11).
 */
export function escapeText(text: string): string {
  if (!/[&<>\r]/.test(text)) return text
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;')
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;')
}

/** An element holding text, `<x></x>` when it is empty. */
export function textElement(name: string, text: string): string {
  return `<${name}>${escapeText(text)}</${name}>`
}

/**
 * An element holding other elements; without any it is written self-closing, as a DOM serialiser does.
 * `attributes`: `name="value"` pairs, already escaped.
 */
export function element(name: string, content: string, attributes = ''): string {
  const open = attributes ? `${name} ${attributes}` : name
  return content === '' ? `<${open}/>` : `<${open}>${content}</${name}>`
}
