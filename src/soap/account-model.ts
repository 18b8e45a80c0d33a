import {wireTable} from '../model/account-fields.js'

/**
 * The EMailAccount and ServiceAuth carriers, and their wire tables (FACTS.md §4.1: Carrier fields first,
 * then the type's own sequence). Serialising and parsing both read the tables.
 */

export interface ServiceAuth {
  serviceAuthId?: number
  server?: string
  port?: number
  authType?: string
  username?: string
  password?: string
}

export interface EMailAccount {
  emailAccountId?: number
  emailAddress?: string
  associateId?: number
  incoming?: ServiceAuth
  outgoing?: ServiceAuth
  accountStatus?: number
  errorCount?: number
  errorReason?: string
}

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


type Scalar = 'int' | 'short' | 'string'

export interface FieldSpec<T> {
  readonly element: string
  readonly key: keyof T
  readonly type: Scalar | 'ServiceAuth'
}

// Derived from the field catalogue, which owns the wire order (WIRE_SEQUENCE) and the member names.
export const SERVICE_AUTH_FIELDS: readonly FieldSpec<ServiceAuth>[] = wireTable('ServiceAuth') as FieldSpec<ServiceAuth>[]

export const EMAIL_ACCOUNT_FIELDS: readonly FieldSpec<EMailAccount>[] = wireTable('EMailAccount') as FieldSpec<EMailAccount>[]

/** Element names whose text is secret wherever they appear in an exchange. */
export const SECRET_ELEMENTS = ['Password', 'Ticket', 'ApplicationToken', 'SignedSystemToken', 'Token'] as const
