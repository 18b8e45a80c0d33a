import {ALL_EMAIL_ACCOUNT_FIELDS, emailAccountFields, SERVICE_AUTH_FIELDS, type EMailAccount, type FieldSpec, type ServiceAuth} from './account-model.js'
import type {XmlFields, XmlValue} from './envelope.js'
import type {ApiVersion} from './versions.js'
import {isNil, type XElement} from './xml-tree.js'

/**
 * Fields of an account in the version's wire order; unset optional members are left out. A value for a member the version does not have is an error, never dropped: callers refuse
 * such input first, with the flag or column named.
 */
export function accountFields(account: EMailAccount, version: ApiVersion): XmlFields {
  const specs = emailAccountFields(version)
  for (const spec of ALL_EMAIL_ACCOUNT_FIELDS) {
    if (account[spec.key] !== undefined && !specs.some((s) => s.element === spec.element)) {
      throw new Error(`EMailAccount.${spec.element} does not exist in Services${version}; it cannot be sent with this API version`)
    }
  }
  return toFields(account, specs)
}

function toFields<T>(obj: T, specs: readonly FieldSpec<T>[]): XmlFields {
  return specs.map((spec) => {
    const value = obj[spec.key] as unknown
    if (value === undefined || value === null) return [spec.element, undefined] as const
    if (spec.type === 'ServiceAuth') return [spec.element, toFields(value as ServiceAuth, SERVICE_AUTH_FIELDS)] as const
    return [spec.element, value as XmlValue] as const
  })
}

/** An EMailAccount element as the version's schema has it; members of other versions are not read. */
export function parseAccount(el: XElement, version: ApiVersion): EMailAccount {
  return fromElement<EMailAccount>(el, emailAccountFields(version))
}

function fromElement<T>(el: XElement, specs: readonly FieldSpec<T>[]): T {
  const out: Record<string, unknown> = {}
  for (const c of el.children) {
    const spec = specs.find((s) => s.element === c.local)
    if (!spec || isNil(c)) continue
    if (spec.type === 'ServiceAuth') out[spec.key as string] = fromElement<ServiceAuth>(c, SERVICE_AUTH_FIELDS)
    else if (spec.type === 'string') out[spec.key as string] = c.text
    else if (spec.type === 'dateTime') out[spec.key as string] = c.text.trim()
    else out[spec.key as string] = Number.parseInt(c.text.trim(), 10)
  }
  return out as T
}
