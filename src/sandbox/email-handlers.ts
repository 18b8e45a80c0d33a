import {emailAccountFields, SERVICE_AUTH_FIELDS, type EMailAccount, type FieldSpec, type ServiceAuth} from '../soap/account-model.js'
import {accountFields, parseAccount} from '../soap/account-xml.js'
import type {XmlFields} from '../soap/envelope.js'
import type {ApiVersion} from '../soap/versions.js'
import {isNil, type XElement} from '../soap/xml-tree.js'
import {foreignKeyException, notFoundException, validationException} from './exceptions.js'
import {MAIL_HANDLERS} from './mail-handlers.js'
import {checkedInt, childElement, childInt, childText, DeserializationError, type HandlerContext, type OperationHandler} from './handler-kit.js'
import {ACCOUNT_STATUS, readySyncAccounts} from './ready-sync.js'

/** Default ports of a blank account: IMAP over TLS and SMTP submission. */
const DEFAULT_IMAP_PORT = 993
const DEFAULT_SMTP_PORT = 587

const NIL_RESPONSE: XmlFields = [['Response', undefined]]

/** The EMail agent's account operations and login tests; every other EMail operation answers "not implemented". */
export const EMAIL_HANDLERS: Record<string, OperationHandler> = {
  SaveEMailAccount: {run: saveEMailAccount, failureBody: NIL_RESPONSE},
  GetEMailAccount: {
    run: (payload, ctx) => [['Response', accountCarrier(loadAccount(ctx, childInt(payload, ctx.ns, 'EMailAccountId')), ctx.version)]],
    failureBody: NIL_RESPONSE,
  },
  DeleteEMailAccount: {
    run: (payload, ctx) => {
      const id = childInt(payload, ctx.ns, 'EMailAccountId')
      if (!ctx.store.deleteAccount(id)) throw accountNotFound(id)
      return []
    },
  },
  CreateDefaultEMailAccount: {
    run: (_payload, ctx) => [
      [
        'Response',
        accountCarrier({
          emailAccountId: 0,
          associateId: ctx.associateId,
          incoming: {serviceAuthId: 0, port: DEFAULT_IMAP_PORT},
          outgoing: {serviceAuthId: 0, port: DEFAULT_SMTP_PORT},
        }, ctx.version),
      ],
    ],
    failureBody: NIL_RESPONSE,
  },
  GetEMailAccountFromEMailAddress: {
    run: (payload, ctx) => {
      const found = ctx.store.findAccountByAddress(ctx.associateId, childText(payload, ctx.ns, 'FromAddress') ?? '')
      return [['Response', found && accountCarrier(found, ctx.version)]]
    },
    failureBody: NIL_RESPONSE,
  },
  GetReadySyncEmailAccounts: {
    run: (_payload, ctx) => [['Response', readySyncAccounts(ctx.store.accounts()).map((a) => ['SyncUserAccount', [...CARRIER, ...a]] as const)]],
    failureBody: NIL_RESPONSE,
  },
  ...MAIL_HANDLERS,
}

function saveEMailAccount(payload: XElement, ctx: HandlerContext): XmlFields {
  const el = childElement(payload, ctx.ns, 'EMailAccount')
  if (!el) throw validationException('EMailAccount', 'SaveEMailAccount was called without an EMailAccount.')
  checkNumbers(el, ctx.ns, emailAccountFields(ctx.version))
  // A 86/87 request cannot carry the 88 members (its schema has none), so an update through it keeps them.
  const {lastFetch: _ignored, ...account} = parseAccount(el, ctx.version)
  const associateId = account.associateId ?? 0
  if (associateId < 0) throw validationException('AssociateId', `AssociateId ${associateId} is not valid: an account must belong to an associate.`)
  const id = account.emailAccountId ?? 0
  const owner = associateId || (id === 0 ? ctx.associateId : 0)
  if (owner > 0 && !ctx.users.byAssociateId(owner)) throw foreignKeyException('email_account', 'associate_id', 'associate', owner)
  let saved: EMailAccount
  if (id === 0) {
    // An account saved without an owner belongs to the caller, as a user creating their own account expects.
    saved = ctx.store.putAccount(completeAccount({...account, ...NEW_STATUS, associateId: associateId || ctx.associateId}))
  } else {
    const previous = loadAccount(ctx, id)
    saved = ctx.store.putAccount(completeAccount({...kept88(previous), ...account, ...statusAfterSave(previous, account), associateId: associateId || previous.associateId}), id)
  }
  return [['Response', accountCarrier(saved, ctx.version)]]
}

/** What a save leaves as it was: LastFetch always (read-only), the 88 settings when the request left them out. */
function kept88(previous: EMailAccount): EMailAccount {
  const {inboxFolder, sentFolder, simpleMode, lastFetch} = previous
  return {inboxFolder, sentFolder, simpleMode, lastFetch}
}

/** AccountStatus, ErrorCount and ErrorReason are read-only (DOMAIN.md): what a client sends for them is ignored. */
const NEW_STATUS = {accountStatus: ACCOUNT_STATUS.unknown, errorCount: 0, errorReason: ''}

/** Saving new credentials gives a failed account another chance (DOMAIN.md's inference); other saves keep its status. */
function statusAfterSave(previous: EMailAccount, next: EMailAccount): Pick<EMailAccount, 'accountStatus' | 'errorCount' | 'errorReason'> {
  const credentials = (a: EMailAccount) => JSON.stringify([a.incoming?.server, a.incoming?.username, a.incoming?.password, a.outgoing?.server, a.outgoing?.username, a.outgoing?.password])
  if (credentials(previous) !== credentials(next)) return NEW_STATUS
  return {accountStatus: previous.accountStatus, errorCount: previous.errorCount, errorReason: previous.errorReason}
}

function loadAccount(ctx: HandlerContext, id: number): EMailAccount {
  const account = id > 0 ? ctx.store.getAccount(id) : undefined
  if (!account) throw accountNotFound(id)
  return account
}

function accountNotFound(id: number) {
  return notFoundException('EMailAccount', 'email_account', 'email_account_id', id)
}

/** The Carrier base members NetServer fills in every answer; clients must skip them to find the account's own. */
const CARRIER: XmlFields = [
  ['TableRight', [['Mask', 'Select Update Insert Delete'], ['Reason', '']]],
  ['FieldProperties', []],
]

/**
 * WCF serialises every member of a carrier, the Carrier base members first (FACTS.md §4.1), in the
 * request's version: a 86/87 answer has no 88 members, whatever the store holds.
 */
export function accountCarrier(account: EMailAccount, version: ApiVersion): XmlFields {
  // A never-set DateTime goes out as DateTime.MinValue, as WCF writes it (LastFetch is not nillable).
  const complete = {...completeAccount(account), lastFetch: account.lastFetch ?? NEVER_FETCHED}
  const fields = accountFields(existsIn88(version) ? complete : without88(complete), version).map(([name, value]) => [name, Array.isArray(value) ? [...CARRIER, ...(value as XmlFields)] : value] as const)
  return [...CARRIER, ...fields]
}

/**
 * The account as NetServer's database row holds it: the columns are not null, so members the client
 * left out read back as 0 or ''. Only a missing ServiceAuth stays missing (answered as nil).
 */
function completeAccount(account: EMailAccount): EMailAccount {
  const complete: EMailAccount = {
    emailAccountId: account.emailAccountId ?? 0,
    emailAddress: account.emailAddress ?? '',
    associateId: account.associateId ?? 0,
    accountStatus: account.accountStatus ?? 0,
    errorCount: account.errorCount ?? 0,
    errorReason: account.errorReason ?? '',
  }
  // Services88 (2026) columns; LastFetch stays unset in the store until a sync (setSyncState) records one.
  complete.inboxFolder = account.inboxFolder ?? ''
  complete.sentFolder = account.sentFolder ?? ''
  complete.simpleMode = account.simpleMode ?? 0
  if (account.lastFetch !== undefined) complete.lastFetch = account.lastFetch
  if (account.incoming) complete.incoming = completeAuth(account.incoming)
  if (account.outgoing) complete.outgoing = completeAuth(account.outgoing)
  return complete
}

/** xs:dateTime of .NET's DateTime.MinValue: how a non-nullable DateTime that was never set goes on the wire. */
export const NEVER_FETCHED = '0001-01-01T00:00:00'

const existsIn88 = (version: ApiVersion) => emailAccountFields(version).some((s) => s.element === 'InboxFolder')

function without88(account: EMailAccount): EMailAccount {
  const {inboxFolder: _i, sentFolder: _s, simpleMode: _m, lastFetch: _l, ...rest} = account
  return rest
}

function completeAuth(auth: ServiceAuth): ServiceAuth {
  return {
    serviceAuthId: auth.serviceAuthId ?? 0,
    server: auth.server ?? '',
    port: auth.port ?? 0,
    authType: auth.authType ?? '',
    username: auth.username ?? '',
    password: auth.password ?? '',
  }
}

/** parseAccount reads numbers leniently; with the schema check off, WCF's own deserializer would still refuse these. */
function checkNumbers<T>(el: XElement, ns: string, specs: readonly FieldSpec<T>[]): void {
  for (const c of el.children) {
    const spec = specs.find((s) => s.element === c.local && c.ns === ns)
    if (!spec || isNil(c)) continue
    if (spec.type === 'ServiceAuth') checkNumbers(c, ns, SERVICE_AUTH_FIELDS)
    else if (spec.type === 'int') checkedInt(c.text.trim(), c.local)
    else if (spec.type === 'short') {
      const value = checkedInt(c.text.trim(), c.local)
      if (value < -32768 || value > 32767) throw new DeserializationError(`The formatter threw an exception while trying to deserialize the message: '${value}' is not a valid value for ${c.local} (xs:short).`)
    }
  }
}
