import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'
import type {Connection} from '../connection/connect.js'
import type {NetServerClient} from '../soap/client.js'
import type {EMailService} from '../soap/email-service.js'
import {SoPrincipalService, type Principal} from '../soap/principal-service.js'
import type {SoapTransport} from '../soap/transport.js'
import type {ApiVersion} from '../soap/versions.js'
import {AuthError, UsageError} from '../errors.js'
import type {Profile, ProfileStore} from './profiles.js'
import type {SecretStore} from '../keychain/secret-store.js'
import {loginBaseFor, systemUserLogin} from './system-user.js'

export interface OnsiteLogin {
  ticket: string
  principal: Principal
}

/** SoPrincipal AuthenticateUsernamePassword; a refusal is final (no retry loop). */
export async function loginOnsite(client: NetServerClient, userName: string, password: string): Promise<OnsiteLogin> {
  const res = await new SoPrincipalService(client).authenticateUsernamePassword(userName, password)
  if (!res.succeeded || !res.ticket) {
    throw new AuthError('LOGIN_FAILED', `the user name or password was not accepted by ${client.config.baseUrl}`, {
      hint: 'Check the user name (a SuperOffice user, not an e-mail address unless that is the login) and the password, then run soemail login again.',
    })
  }
  return {ticket: res.ticket, principal: res.principal}
}

/** One cheap authenticated call: proves a ticket works without changing anything. */
export async function verifyTicket(email: EMailService): Promise<void> {
  await email.createDefaultEMailAccount()
}

export type LoginRequest =
  | {kind: 'onsite'; url: string; apiVersion: ApiVersion; userName: string; password: string; appToken?: string}
  | {kind: 'ticket'; url: string; apiVersion: ApiVersion; ticket: string; appToken?: string}
  | {kind: 'system-user'; url?: string; apiVersion: ApiVersion; systemToken: string; privateKeyFile: string; contextIdentifier: string; appToken: string; loginBaseUrl?: string}

export interface LoginDeps {
  profileName: string
  profiles: ProfileStore
  store: SecretStore
  connect: (url: string, apiVersion: ApiVersion, ticket?: string, appToken?: string) => Connection
  newTransport: () => SoapTransport
  now?: () => Date
}

export interface LoginResult {
  profileName: string
  profile: Profile
  storedIn: string
}

/** Gets a ticket the chosen way, proves it works, then stores secrets and the profile (in that order). */
export async function login(req: LoginRequest, deps: LoginDeps): Promise<LoginResult> {
  const now = deps.now ?? (() => new Date())
  let ticket: string
  let url: string
  let identity: Pick<Profile, 'userName' | 'associateId' | 'associateName'> = {}
  let systemUser: Profile['systemUser']
  if (req.kind === 'system-user') {
    const loginBaseUrl = req.loginBaseUrl ?? (req.url ? loginBaseFor(req.url) : undefined)
    if (!loginBaseUrl) throw new UsageError('a system-user login needs --url (the tenant URL) or --login-url')
    let privateKeyPem: string
    try {
      privateKeyPem = readFileSync(req.privateKeyFile, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read the private key ${req.privateKeyFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
    }
    const transport = deps.newTransport()
    try {
      const res = await systemUserLogin({loginBaseUrl, systemToken: req.systemToken, privateKeyPem, contextIdentifier: req.contextIdentifier, applicationToken: req.appToken, transport, now})
      ticket = res.ticket
      url = req.url ?? baseFromNetserverUrl(res.netserverUrl) ?? ''
      if (!url) throw new UsageError('the system-user token names no NetServer URL; pass --url')
    } finally {
      transport.close()
    }
    systemUser = {contextIdentifier: req.contextIdentifier, privateKeyFile: resolve(req.privateKeyFile), loginBaseUrl}
    identity = {userName: `system user (${req.contextIdentifier})`}
  } else if (req.kind === 'onsite') {
    url = req.url
    const c = deps.connect(req.url, req.apiVersion, undefined, req.appToken)
    try {
      const res = await loginOnsite(c.client, req.userName, req.password)
      ticket = res.ticket
      identity = {userName: req.userName, associateId: res.principal.associateId, associateName: res.principal.fullName ?? res.principal.associate}
    } finally {
      c.close()
    }
  } else {
    url = req.url
    ticket = req.ticket
  }

  const check = deps.connect(url, req.apiVersion, ticket, req.appToken)
  try {
    await verifyTicket(check.email)
  } finally {
    check.close()
  }

  const {profileName, store} = deps
  await store.set(profileName, 'ticket', ticket)
  if (req.appToken !== undefined) await store.set(profileName, 'app-token', req.appToken)
  else await store.delete(profileName, 'app-token')
  if (req.kind === 'system-user') await store.set(profileName, 'system-token', req.systemToken)
  const profile: Profile = {
    url,
    apiVersion: req.apiVersion,
    kind: req.kind,
    ...identity,
    loginAt: now().toISOString(),
    storage: store.kind,
    hasAppToken: req.appToken !== undefined,
    ...(systemUser ? {systemUser} : {}),
  }
  deps.profiles.set(profileName, profile)
  return {profileName, profile, storedIn: store.location}
}

/** The installation base from a netserver_url claim such as https://sod.superoffice.com/Cust1/Remote/Services86/. */
export function baseFromNetserverUrl(netserverUrl: string | undefined): string | undefined {
  return netserverUrl?.replace(/\/Remote\/Services\d+\/?$/i, '')
}
