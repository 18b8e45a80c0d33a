import {EMAIL_ACCOUNT_FIELDS, SERVICE_AUTH_FIELDS, type EMailAccount, type FieldSpec, type ServiceAuth} from './account-model.js'
import type {XmlFields, XmlValue} from './envelope.js'
import {isNil, type XElement} from './xml-tree.js'

/** Fields of an account in wire order; unset optional members are left out. */
export function accountFields(account: EMailAccount): XmlFields {
  return toFields(account, EMAIL_ACCOUNT_FIELDS)
}

function toFields<T>(obj: T, specs: readonly FieldSpec<T>[]): XmlFields {
  return specs.map((spec) => {
    const value = obj[spec.key] as unknown
    if (value === undefined || value === null) return [spec.element, undefined] as const
    if (spec.type === 'ServiceAuth') return [spec.element, toFields(value as ServiceAuth, SERVICE_AUTH_FIELDS)] as const
    return [spec.element, value as XmlValue] as const
  })
}

export function parseAccount(el: XElement): EMailAccount {
  return fromElement<EMailAccount>(el, EMAIL_ACCOUNT_FIELDS)
}

function fromElement<T>(el: XElement, specs: readonly FieldSpec<T>[]): T {
  const out: Record<string, unknown> = {}
  for (const c of el.children) {
    const spec = specs.find((s) => s.element === c.local)
    if (!spec || isNil(c)) continue
    if (spec.type === 'ServiceAuth') out[spec.key as string] = fromElement<ServiceAuth>(c, SERVICE_AUTH_FIELDS)
    else if (spec.type === 'string') out[spec.key as string] = c.text
    else out[spec.key as string] = Number.parseInt(c.text.trim(), 10)
  }
  return out as T
}
