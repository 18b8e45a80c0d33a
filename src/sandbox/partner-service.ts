import {createHash, createPublicKey, verify, type KeyObject} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {create} from 'xmlbuilder2'
import {SOAP11_ENV_NS, XSI_NS} from '../soap/versions.js'
import {isNil, type XElement} from '../soap/xml-tree.js'
import {jwksDocument, rogueSigningKey, sandboxSigningKey, signJwt} from './jwks.js'
import {methodNotAllowedPage} from './pages.js'
import {faultReply, type HttpReply} from './responses.js'
import {checkSoapRequest, qname, type SoapEndpoint} from './soap-check.js'
import type {SandboxStore} from './store.js'

/**
 * SuperOffice Online's login service as far as the system-user flow needs it (FACTS.md §5.3):
 * PartnerSystemUserService.svc (SOAP 1.1, checked as strictly as the NetServer endpoints) and the
 * JWKS that verifies the JWTs it answers with.
 */

const NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1'
const ACTION = `${NS}/IPartnerSystemUserService/Authenticate`
const REQUEST_MEMBERS = ['SignedSystemToken', 'ReturnTokenType'] as const
/** How far the signed token's time stamp may be from the server's clock. */
const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000
/** The system user's associate in the sandbox's tenant, unless a registration names another. */
export const SYSTEM_USER_ASSOCIATE_ID = 9

// Claim names as SuperOffice spells them ("schemes"), written out here independently of the client.
const CLAIM = {
  ticket: 'http://schemes.superoffice.net/identity/ticket',
  netserverUrl: 'http://schemes.superoffice.net/identity/netserver_url',
  ctx: 'http://schemes.superoffice.net/identity/ctx',
  associateId: 'http://schemes.superoffice.net/identity/associateid',
} as const

export interface SystemUserRegistration {
  /** The system_token claim value, e.g. MyApp-x7Yq2. */
  systemToken: string
  /** The public half of the app's RSA key, PEM (a private key PEM works too). */
  publicKeyPem: string
  /** The tenant, e.g. Cust12345. */
  contextIdentifier: string
  /** The app's client secret. */
  applicationToken: string
  /** The associate the ticket belongs to (default SYSTEM_USER_ASSOCIATE_ID). */
  associateId?: number
}

export interface PartnerLoginOptions {
  store: SandboxStore
  systemUsers: readonly SystemUserRegistration[]
  /** Negative makes every JWT expired on arrival. */
  jwtLifetimeSeconds: number
  /** 'rogue' signs JWTs with a key the JWKS does not list (still naming the published kid). */
  jwtSigningKey: 'sandbox' | 'rogue'
  /** The sandbox's base URL once it listens, e.g. http://127.0.0.1:PORT/SuperOffice. */
  sandboxUrl: () => string
  now?: () => number
}

export type LoginRoute = 'partner-system-user' | 'jwks'

export interface LoginHttpRequest {
  method: string
  search: string
  contentType: string | undefined
  soapAction: string | undefined
  /** The body, or undefined when it is too large. */
  readBody: () => Promise<Buffer | undefined>
}

export interface LoginService {
  handle(route: LoginRoute, req: LoginHttpRequest): Promise<{reply: HttpReply; operation: string}>
}

interface Registered extends Required<Omit<SystemUserRegistration, 'publicKeyPem'>> {
  publicKey: KeyObject
}

export function createLoginService(options: PartnerLoginOptions): LoginService {
  const now = options.now ?? Date.now
  // A bad key is a mistake in the sandbox's configuration: fail at start, not on the first login.
  const users: Registered[] = options.systemUsers.map((u, i) => {
    let publicKey: KeyObject
    try {
      publicKey = createPublicKey(u.publicKeyPem)
    } catch {
      throw new Error(`systemUsers[${i}].publicKeyPem is not a PEM public (or private) key`)
    }
    if (publicKey.asymmetricKeyType !== 'rsa') throw new Error(`systemUsers[${i}].publicKeyPem is not an RSA key`)
    return {...u, associateId: u.associateId ?? SYSTEM_USER_ASSOCIATE_ID, publicKey}
  })

  function authenticate(request: ParsedRequest): HttpReply {
    const outcome = decide(request, users, now())
    if ('error' in outcome) return answer({successful: false, errorMessage: outcome.error})
    const user = outcome.user
    const ticket = options.store.issueTicket(user.associateId)
    const base = options.sandboxUrl()
    const origin = new URL(base).origin
    const iat = Math.floor(now() / 1000)
    const claims = {
      iss: `${origin}/login`,
      // The audience names the app without repeating its client secret inside a token that gets logged.
      aud: `spn:${createHash('sha256').update(user.applicationToken).digest('hex').slice(0, 32)}`,
      sub: `SystemUser@${user.contextIdentifier}`,
      iat,
      nbf: iat,
      exp: iat + options.jwtLifetimeSeconds,
      [CLAIM.ticket]: ticket,
      [CLAIM.netserverUrl]: `${base}/Remote/Services87/`,
      [CLAIM.ctx]: user.contextIdentifier,
      [CLAIM.associateId]: String(user.associateId),
    }
    const published = sandboxSigningKey()
    const token = options.jwtSigningKey === 'rogue' ? signJwt(claims, rogueSigningKey(), published.kid) : signJwt(claims, published)
    return answer({successful: true, token})
  }

  return {
    async handle(route, req) {
      if (route === 'jwks') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return {reply: methodNotAllowedPage(), operation: 'jwks'}
        return {reply: {status: 200, headers: {'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=3600'}, body: jwksDocument()}, operation: 'jwks'}
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        const wsdl = /^\?(wsdl|singlewsdl)(=|&|$)/i.test(req.search)
        return {reply: wsdl ? wsdlReply(`${new URL(options.sandboxUrl()).origin}/login/services/PartnerSystemUserService.svc`) : helpPage(), operation: wsdl ? 'wsdl' : '-'}
      }
      if (req.method !== 'POST') return {reply: methodNotAllowedPage(), operation: '-'}
      const body = await req.readBody()
      if (!body) return {reply: {status: 413, headers: {connection: 'close'}, body: ''}, operation: '-'}
      const parsed = await parseRequest(req.contentType, req.soapAction, body)
      if ('reply' in parsed) return {reply: parsed.reply, operation: 'Authenticate'}
      return {reply: authenticate(parsed), operation: 'Authenticate'}
    },
  }
}

interface ParsedRequest {
  applicationToken?: string
  contextIdentifier?: string
  signedSystemToken?: string
  returnTokenType?: string
}

/**
 * The checks in the order the login service would refuse: the app, the tenant, the system user, the
 * signature, then the time stamp. Refusals are IsSuccessful=false with an ErrorMessage, never a fault.
 */
function decide(req: ParsedRequest, users: readonly Registered[], nowMs: number): {user: Registered} | {error: string} {
  if (req.returnTokenType === 'Saml') return {error: 'The soemail sandbox issues only Jwt tokens; ask for ReturnTokenType Jwt.'}
  const ofApp = users.filter((u) => u.applicationToken === req.applicationToken)
  if (!req.applicationToken || ofApp.length === 0) return {error: 'Invalid ApplicationToken: no application has this client secret.'}
  const inTenant = ofApp.filter((u) => u.contextIdentifier.toLowerCase() === (req.contextIdentifier ?? '').trim().toLowerCase())
  if (inTenant.length === 0) return {error: `The application is not installed in the tenant given as ContextIdentifier${req.contextIdentifier ? ` '${printable(req.contextIdentifier)}'` : ' (none was sent)'}.`}

  const signed = req.signedSystemToken ?? ''
  const sigAt = signed.lastIndexOf('.')
  const stampAt = signed.lastIndexOf('.', sigAt - 1)
  const systemToken = stampAt > 0 ? signed.slice(0, stampAt) : ''
  const stamp = signed.slice(stampAt + 1, sigAt)
  const signature = signed.slice(sigAt + 1)
  if (sigAt < 0 || stampAt <= 0 || !/^\d{12}$/.test(stamp) || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) {
    return {error: 'SignedSystemToken is not in the format <system token>.<yyyyMMddHHmm>.<base64 signature>.'}
  }
  const user = inTenant.find((u) => u.systemToken === systemToken)
  if (!user) return {error: 'Unknown system user token for this application and tenant.'}
  if (!verify('sha256', Buffer.from(`${systemToken}.${stamp}`, 'utf8'), user.publicKey, Buffer.from(signature, 'base64'))) {
    return {error: 'The signature of SignedSystemToken is not valid: it was not made with the private key registered for this application.'}
  }
  const signedAt = Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(8, 10), +stamp.slice(10, 12))
  if (!Number.isFinite(signedAt) || Math.abs(nowMs - signedAt) > TIMESTAMP_WINDOW_MS) {
    return {error: `SignedSystemToken has expired: its time stamp ${stamp} (UTC) is more than 5 minutes from the server's time. Sign it again just before sending, and check the clock.`}
  }
  return {user}
}

const ENDPOINT: SoapEndpoint<'Authenticate'> = {
  name: 'PartnerSystemUserService.svc',
  ns: NS,
  headers: ['ApplicationToken', 'ContextIdentifier'],
  operation: (action) => (action === ACTION ? 'Authenticate' : undefined),
  requestElement: () => 'AuthenticationRequest',
  operationLabel: () => 'Authenticate',
  actionHint: `this endpoint takes SOAPAction ${ACTION}.`,
}

/** The envelope checks WCF's basicHttpBinding makes (soap-check.ts), then the data contract's. */
async function parseRequest(contentType: string | undefined, soapAction: string | undefined, raw: Buffer): Promise<ParsedRequest | {reply: HttpReply}> {
  const outcome = await checkSoapRequest({contentType, soapAction, body: raw}, ENDPOINT)
  if (!outcome.request) return outcome
  const {payload: wrapper, headers} = outcome.request
  const req: ParsedRequest = {}
  const value = (h: XElement | undefined) => (h && !isNil(h) ? h.text : undefined)
  req.applicationToken = value(headers.get('ApplicationToken'))
  req.contextIdentifier = value(headers.get('ContextIdentifier'))
  // The schema's sequence: each member optional, in this order, nothing else.
  let next = 0
  for (const member of wrapper.children) {
    const index = (REQUEST_MEMBERS as readonly string[]).indexOf(member.local)
    if (member.ns !== NS || index < next) {
      return fault('Client', `The formatter threw an exception while trying to deserialize the message: unexpected element ${qname(member)} in AuthenticationRequest; expected ${REQUEST_MEMBERS.slice(next).join(' or ')} in namespace '${NS}'.`)
    }
    next = index + 1
    if (member.children.length > 0) return fault('Client', `The formatter threw an exception while trying to deserialize the message: ${member.local} must hold text only.`)
    if (member.local === 'SignedSystemToken') req.signedSystemToken = isNil(member) ? undefined : member.text
    else {
      if (member.text !== 'Jwt' && member.text !== 'Saml') {
        return fault('Client', `The formatter threw an exception while trying to deserialize the message: '${printable(member.text)}' is not a valid value for TokenType (Jwt or Saml).`)
      }
      req.returnTokenType = member.text
    }
  }
  return req
}

function answer(result: {successful: true; token: string} | {successful: false; errorMessage: string}): HttpReply {
  const doc = create({version: '1.0', encoding: 'utf-8'})
  const response = doc.ele(SOAP11_ENV_NS, 's:Envelope').ele(SOAP11_ENV_NS, 's:Body').ele(NS, 'AuthenticationResponse')
  response.ele(NS, 'IsSuccessful').txt(String(result.successful))
  const nil = (name: string) => response.ele(NS, name).att(XSI_NS, 'i:nil', 'true')
  if (result.successful) {
    response.ele(NS, 'Token').txt(result.token)
    nil('ErrorMessage')
  } else {
    nil('Token')
    // The messages are the sandbox's own text plus printable() pieces of the request: no `&` or CR to guard.
    response.ele(NS, 'ErrorMessage').txt(result.errorMessage)
  }
  return {status: 200, headers: {'content-type': 'text/xml; charset=utf-8'}, body: doc.end({headless: true})}
}

const WSDL_PATH = fileURLToPath(new URL('../../schemas/wsdl/PartnerSystemUserService.wsdl', import.meta.url))
let wsdlText: string | undefined

function wsdlReply(endpoint: string): HttpReply {
  wsdlText ??= readFileSync(WSDL_PATH, 'utf8')
  const body = wsdlText.replace(/(<soap:address\s+location=")[^"]*(")/g, (_m, start: string, end: string) => `${start}${endpoint.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}${end}`)
  return {status: 200, headers: {'content-type': 'text/xml; charset=utf-8'}, body}
}

function helpPage(): HttpReply {
  const body = '<!DOCTYPE html>\n<html><head><title>PartnerSystemUserService Service</title></head>\n<body><p>PartnerSystemUserService Service (soemail sandbox). Add ?wsdl for the service description.</p></body></html>\n'
  return {status: 200, headers: {'content-type': 'text/html; charset=utf-8'}, body}
}




/** Client text quoted in an answer: printable ASCII, short, and nothing XML needs escaped. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]|[&<>]/g, '?').slice(0, 80)
}

function fault(code: Parameters<typeof faultReply>[0], message: string): {reply: HttpReply} {
  return {reply: faultReply(code, message)}
}
