// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// The `u` flag makes a lone surrogate a code point of its own, so it is caught as well.
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/** The text with every character XML 1.0 cannot carry replaced by U+FFFD. */
export function replaceInvalidXmlChars(text: string): string {
  return text.replace(NOT_XML_CHARS, '\uFFFD')
}

const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, 'gu')

/** Index and code point of the first character XML 1.0 cannot carry, or undefined. */
export function findInvalidXmlChar(text: string): {index: number; codePoint: number} | undefined {
  const match = NOT_XML_CHAR.exec(text)
  if (!match) return undefined
  return {index: match.index, codePoint: match[0].codePointAt(0) ?? 0}
}

export function describeCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
}
