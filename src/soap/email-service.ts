import {accountFields, parseAccount} from './account-xml.js'
import type {EMailAccount, EMailConnectionInfo} from './account-model.js'
import type {XmlFields} from './envelope.js'
import type {NetServerClient} from './client.js'
import {isNil} from './xml-tree.js'
import type {SoapResponse} from './response.js'
import type {ApiVersion} from './versions.js'

/** One entry of GetReadySyncEmailAccounts: an account id and its owner (AssociateName is the user name). */
export interface SyncUserAccount {
  accountId: number
  associateId: number
  associateName?: string
}

/** Typed operations of Remote/ServicesNN/EMail.svc that concern stored e-mail accounts and their login tests. */
export class EMailService {
  constructor(private readonly client: NetServerClient) {}

  /** The API version every call of this service speaks; it decides which account members exist. */
  get version(): ApiVersion {
    return this.client.config.version
  }

  /** Creates (id 0 or none) or updates an account; returns the stored account with its ids. */
  async saveEMailAccount(account: EMailAccount): Promise<EMailAccount> {
    const idempotent = (account.emailAccountId ?? 0) > 0
    // LastFetch is the sync service's to write: what was read is not sent back.
    const {lastFetch: _readOnly, ...sent} = account
    const res = await this.call('SaveEMailAccount', [['EMailAccount', accountFields(sent, this.version)]], idempotent)
    const stored = responseAccount(res, this.version)
    if (!stored) throw new Error('SaveEMailAccount answered without the stored account')
    return stored
  }

  /** The account, or undefined when the server answers with no account. */
  async getEMailAccount(id: number): Promise<EMailAccount | undefined> {
    return responseAccount(await this.call('GetEMailAccount', [['EMailAccountId', id]], true), this.version)
  }

  async deleteEMailAccount(id: number): Promise<void> {
    await this.call('DeleteEMailAccount', [['EMailAccountId', id]], true)
  }

  /** A blank account (id 0) with the server's defaults; NetServer fills in the calling associate. */
  async createDefaultEMailAccount(): Promise<EMailAccount> {
    return responseCarrier(await this.call('CreateDefaultEMailAccount', [], true), this.version) ?? {}
  }

  /** The calling associate's account with this From-address, if any. */
  async getEMailAccountFromEMailAddress(address: string): Promise<EMailAccount | undefined> {
    return responseAccount(await this.call('GetEMailAccountFromEMailAddress', [['FromAddress', address]], true), this.version)
  }

  /**
   * Asks the NetServer to log in to an incoming (IMAP) server: the test runs on the CRM server, from where
   * sync will run. False means the login failed; NetServer does not say why.
   */
  async authenticateIncoming(info: EMailConnectionInfo): Promise<boolean> {
    return booleanResponse(await this.call('AuthenticateIncoming', [['ConnectionInfo', connectionInfoFields(info)]], true))
  }

  /** The same for an outgoing (SMTP) server: connect and authenticate, sending nothing. */
  async authenticateOutgoing(info: EMailConnectionInfo): Promise<boolean> {
    return booleanResponse(await this.call('AuthenticateOutgoing', [['ConnectionInfo', connectionInfoFields(info)]], true))
  }

  /** Whether the NetServer finds MX records for the domain (Services87 and later). */
  async hasMXRecord(domain: string): Promise<boolean> {
    return booleanResponse(await this.call('HasMXRecord', [['MailDomain', domain]], true))
  }

  /**
   * The accounts NetServer lists as ready to sync, across associates: the only cross-associate listing
   * (FACTS.md). Which accounts it leaves out is undocumented; deleted and failed ones may be missing.
   */
  async getReadySyncEmailAccounts(): Promise<SyncUserAccount[]> {
    const res = await this.call('GetReadySyncEmailAccounts', [], true)
    const list = res.body.children.find((c) => c.local === 'Response')
    if (!list || isNil(list)) return []
    return list.children.filter((c) => c.local === 'SyncUserAccount' && !isNil(c)).map((c) => {
      const text = (name: string) => c.children.find((m) => m.local === name && !isNil(m))?.text
      const int = (name: string) => Number.parseInt(text(name)?.trim() ?? '0', 10) || 0
      const name = text('AssociateName')
      return {accountId: int('AccountId'), associateId: int('AssociateId'), ...(name === undefined ? {} : {associateName: name})}
    })
  }

  private call(operation: string, body: Parameters<NetServerClient['call']>[2], idempotent: boolean): Promise<SoapResponse> {
    return this.client.call('EMail', operation, body, {idempotent, credentials: true})
  }
}

/** EMailConnectionInfo's members in schema order (the Carrier base members are optional and not sent). */
function connectionInfoFields(info: EMailConnectionInfo): XmlFields {
  return [
    ['ServerName', info.serverName],
    ['UserName', info.userName],
    ['Password', info.password],
    ['Folder', info.folder],
    ['UseSSL', info.useSsl],
  ]
}

function booleanResponse(res: SoapResponse): boolean {
  const el = res.body.children.find((c) => c.local === 'Response')
  const text = el?.text.trim()
  return text === 'true' || text === '1'
}

function responseCarrier(res: SoapResponse, version: ApiVersion): EMailAccount | undefined {
  const el = res.body.children.find((c) => c.local === 'Response')
  return !el || isNil(el) ? undefined : parseAccount(el, version)
}

function responseAccount(res: SoapResponse, version: ApiVersion): EMailAccount | undefined {
  const account = responseCarrier(res, version)
  // NetServer answers an unknown id with an empty carrier (id 0) rather than nil.
  return account?.emailAccountId ? account : undefined
}
