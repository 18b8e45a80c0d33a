import {SECRET_ELEMENTS} from './account-model.js'

export const MASK = '********'

// `(?<!/)>` keeps a self-closing (e.g. xsi:nil) secret element from matching: it has no text, and
// the lazy body would otherwise run on to the next secret's end tag and mask everything between.
const SECRET_OPEN = `<((?:[\\w.-]+:)?(?:${SECRET_ELEMENTS.join('|')}))(\\s[^>]*)?(?<!/)>`
const SECRET_RE = new RegExp(`${SECRET_OPEN}[\\s\\S]*?</\\1>`, 'g')
const SECRET_OPEN_RE = new RegExp(SECRET_OPEN, 'g')

/** The exchange with the text of every secret element replaced, for --trace and error details. */
export function redactXml(xml: string): string {
  const closed = xml.replace(SECRET_RE, (_m, name: string, attrs: string | undefined) => `<${name}${attrs ?? ''}>${MASK}</${name}>`)
  // A cut-off body (an error's snippet, a truncated answer) can end inside a secret element: mask to the end.
  for (const m of closed.matchAll(SECRET_OPEN_RE)) {
    const end = m.index + m[0].length
    if (!closed.includes(`</${m[1]}>`, end)) return `${closed.slice(0, end)}${MASK}`
  }
  return closed
}
