import {wireTable} from '../model/account-fields.js'
import type {EMailAccountShape, ServiceAuthShape} from '../model/account-types.js'
import {API_VERSIONS, type ApiVersion} from './versions.js'

/**
 * The EMailAccount and ServiceAuth carriers, and their wire tables (FACTS.md §4.1: Carrier fields first,
 * then the type's own sequence). Serialising and parsing both read the tables.
 */

/** One side's credentials on the wire; its members are the catalogue's (model/account-types.ts). */
export type ServiceAuth = ServiceAuthShape

/**
 * EMailAccount as every version's schema has it, the Services88 (2026) members (inboxFolder, sentFolder,
 * simpleMode 1/0, lastFetch as the server wrote its xs:dateTime) included; derived from the catalogue.
 */
export type EMailAccount = EMailAccountShape

/** What AuthenticateIncoming/AuthenticateOutgoing take; not stored, so outside the field catalogue. */
export interface EMailConnectionInfo {
  /** `host` or `host:port`. */
  serverName: string
  userName?: string
  password?: string
  /** A folder to select after the login (IMAP). */
  folder?: string
  /** TLS from the first byte (implicit TLS); without it the server's port decides (993/465 mean TLS). */
  useSsl?: boolean
}

type Scalar = 'int' | 'short' | 'string' | 'dateTime'

export interface FieldSpec<T> {
  readonly element: string
  readonly key: keyof T
  readonly type: Scalar | 'ServiceAuth'
}

// Derived from the field catalogue, which owns the wire order (WIRE_SEQUENCE) and the member names.
// ServiceAuth is the same in every version.
export const SERVICE_AUTH_FIELDS: readonly FieldSpec<ServiceAuth>[] = wireTable('ServiceAuth', API_VERSIONS[0]) as FieldSpec<ServiceAuth>[]

const EMAIL_ACCOUNT_TABLES = new Map(API_VERSIONS.map((v) => [v, Object.freeze(wireTable('EMailAccount', v) as FieldSpec<EMailAccount>[])]))

/** EMailAccount's members in one version's schema order: 86 and 87 end at ErrorReason, 88 (2026) has four more. */
export function emailAccountFields(version: ApiVersion): readonly FieldSpec<EMailAccount>[] {
  return EMAIL_ACCOUNT_TABLES.get(version) as readonly FieldSpec<EMailAccount>[]
}

/** The newest version's table: every member any version has (what the sandbox's store keeps). */
export const ALL_EMAIL_ACCOUNT_FIELDS = emailAccountFields(API_VERSIONS[API_VERSIONS.length - 1] as ApiVersion)

/** Element names whose text is secret wherever they appear in an exchange. */
export const SECRET_ELEMENTS = ['Password', 'Ticket', 'ApplicationToken', 'SignedSystemToken', 'Token'] as const
