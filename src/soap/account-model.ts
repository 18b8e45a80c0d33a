/**
 * The EMailAccount and ServiceAuth carriers, and the one table that knows their wire order (FACTS.md
 * §4.1: Carrier fields first, then the type's own sequence). Serialising and parsing both read it.
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

type Scalar = 'int' | 'short' | 'string'

export interface FieldSpec<T> {
  readonly element: string
  readonly key: keyof T
  readonly type: Scalar | 'ServiceAuth'
}

export const SERVICE_AUTH_FIELDS: readonly FieldSpec<ServiceAuth>[] = [
  {element: 'ServiceAuthId', key: 'serviceAuthId', type: 'int'},
  {element: 'Server', key: 'server', type: 'string'},
  {element: 'Port', key: 'port', type: 'int'},
  {element: 'AuthType', key: 'authType', type: 'string'},
  {element: 'Username', key: 'username', type: 'string'},
  {element: 'Password', key: 'password', type: 'string'},
]

export const EMAIL_ACCOUNT_FIELDS: readonly FieldSpec<EMailAccount>[] = [
  {element: 'EMailAccountId', key: 'emailAccountId', type: 'int'},
  {element: 'EMailAddress', key: 'emailAddress', type: 'string'},
  {element: 'AssociateId', key: 'associateId', type: 'int'},
  {element: 'IncomingCredentials', key: 'incoming', type: 'ServiceAuth'},
  {element: 'OutgoingCredentials', key: 'outgoing', type: 'ServiceAuth'},
  {element: 'AccountStatus', key: 'accountStatus', type: 'short'},
  {element: 'ErrorCount', key: 'errorCount', type: 'int'},
  {element: 'ErrorReason', key: 'errorReason', type: 'string'},
]

/** Element names whose text is secret wherever they appear in an exchange. */
export const SECRET_ELEMENTS = ['Password', 'Ticket', 'ApplicationToken', 'SignedSystemToken', 'Token'] as const
