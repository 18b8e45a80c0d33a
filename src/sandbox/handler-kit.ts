import type {XmlFields} from '../soap/envelope.js'
import type {ApiVersion} from '../soap/versions.js'
import {isNil, type XElement} from '../soap/xml-tree.js'
import type {MailCheckOptions} from './mail-check.js'
import type {SandboxStore} from './store.js'
import type {UserDirectory} from './user-directory.js'

export interface HandlerContext {
  store: SandboxStore
  /** The associates (users) the installation has. */
  users: UserDirectory
  /** The services namespace of the request's version. */
  ns: string
  /** The request's version: it decides which account members are read and answered. */
  version: ApiVersion
  /** The caller, known from the ticket; only EMail operations have one. */
  associateId: number
  /** How the login tests reach mail servers (loopback only unless allowed, CA, timeout, where reasons are logged). */
  mail: MailCheckOptions
}

export interface OperationHandler {
  /** The answer element's children in schema order; throws SoException when NetServer would refuse. */
  run(payload: XElement, ctx: HandlerContext): XmlFields | Promise<XmlFields>
  /** The answer's children when the call is refused (WCF still serialises the null return value). */
  failureBody?: XmlFields
}

/**
 * A value the schema check would have caught (when it is off): WCF's deserializer rejects it with a
 * fault before NetServer code runs, so the dispatcher answers with one.
 */
export class DeserializationError extends Error {
  override name = 'DeserializationError'
}

export function childElement(parent: XElement, ns: string, name: string): XElement | undefined {
  const el = parent.children.find((c) => c.ns === ns && c.local === name)
  return el && !isNil(el) ? el : undefined
}

export function childText(parent: XElement, ns: string, name: string): string | undefined {
  return childElement(parent, ns, name)?.text
}

/** An xs:int member; absent means 0, as the DataContractSerializer leaves an unset int. */
export function childInt(parent: XElement, ns: string, name: string): number {
  const text = childText(parent, ns, name)
  if (text === undefined) return 0
  return checkedInt(text.trim(), name)
}

export function checkedInt(text: string, name: string): number {
  const value = /^[+-]?\d{1,10}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value > 2147483647 || value < -2147483648) {
    throw new DeserializationError(`The formatter threw an exception while trying to deserialize the message: '${text}' is not a valid value for ${name} (xs:int).`)
  }
  return value
}
