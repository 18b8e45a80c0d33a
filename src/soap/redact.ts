import {SECRET_ELEMENTS} from './account-model.js'

export const MASK = '********'

const SECRET_RE = new RegExp(`<((?:[\\w.-]+:)?(?:${SECRET_ELEMENTS.join('|')}))(\\s[^>]*)?>[\\s\\S]*?</\\1>`, 'g')

/** The exchange with the text of every secret element replaced, for --trace and error details. */
export function redactXml(xml: string): string {
  return xml.replace(SECRET_RE, (_m, name: string, attrs: string | undefined) => `<${name}${attrs ?? ''}>${MASK}</${name}>`)
}
