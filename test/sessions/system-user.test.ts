/**
 * SuperOffice Online system-user login (FACTS.md §5.3): signing the system token, the SOAP exchange at
 * PartnerSystemUserService, JWT verification against the JWKS, and the ticket it yields — end to end
 * over real HTTP against the sandbox, plus the exact envelope against a hand-written responder.
 */
import {constants, createPrivateKey, createPublicKey, verify} from 'node:crypto'
import {SignJWT} from 'jose'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {SYSTEM_USER_ASSOCIATE_ID} from '../../src/sandbox/partner-service.js'
import {startSandbox, type Sandbox, type SandboxOptions} from '../../src/sandbox/server.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {EnvelopeValueError, NetServerError, SoapFaultError} from '../../src/soap/errors.js'
import {exchangeSystemUserToken, SystemUserAuthError} from '../../src/soap/partner-system-user.js'
import {SoapTransport, type TraceEvent} from '../../src/soap/transport.js'
import {parseXml} from '../../src/soap/xml-tree.js'
import {loginBaseFor, PrivateKeyError, signSystemToken, SystemUserLoginError, systemUserLogin, type SystemUserLoginArgs} from '../../src/sessions/system-user.js'
import {ecPrivateKeyPem, encryptedRsaPrivateKeyPem, rsaKeyPair} from '../helpers/keys.js'
import {esc, send, soapFault, SOAP_ENV, startServer, unusedPort, XSI, type TestServer} from '../helpers/soap-responder.js'
import {at, childNames} from '../helpers/soap-tree.js'

// Written out rather than imported, so a wrong constant in src/ fails these tests (WSDL: PartnerSystemUserService).
const PSU_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1'
const PSU_ACTION = 'http://www.superoffice.com/superid/partnersystemuser/0.1/IPartnerSystemUserService/Authenticate'
const PSU_PATH = '/login/services/PartnerSystemUserService.svc'
const TICKET_CLAIM = 'http://schemes.superoffice.net/identity/ticket'

const SYSTEM_TOKEN = 'SoemailTest-q7Rt2x'
const CONTEXT = 'Cust12345'
const APP_TOKEN = 'client-secret-5d1f'
const app = rsaKeyPair('app', 'pkcs1')
const stranger = rsaKeyPair('stranger', 'pkcs8')

const registration = {systemToken: SYSTEM_TOKEN, publicKeyPem: app.publicPem, contextIdentifier: CONTEXT, applicationToken: APP_TOKEN}

const sandboxes: Sandbox[] = []
const transports: SoapTransport[] = []
let good: Sandbox
let rogue: Sandbox
let expired: Sandbox

async function sandbox(options: SandboxOptions): Promise<Sandbox> {
  const sb = await startSandbox({port: 0, systemUsers: [registration], ...options})
  sandboxes.push(sb)
  return sb
}

beforeAll(async () => {
  ;[good, rogue, expired] = await Promise.all([sandbox({}), sandbox({jwtSigningKey: 'rogue'}), sandbox({jwtLifetimeSeconds: -3600})])
})

afterAll(async () => {
  for (const t of transports) t.close()
  await Promise.all(sandboxes.map((sb) => sb.close()))
})

function transport(trace?: TraceEvent[]): SoapTransport {
  const t = new SoapTransport({timeoutMs: 5000, trace: trace && ((e) => trace.push(e))})
  transports.push(t)
  return t
}

function login(sb: Sandbox, overrides: Partial<SystemUserLoginArgs> = {}, trace?: TraceEvent[]) {
  return systemUserLogin({
    loginBaseUrl: loginBaseFor(sb.url),
    systemToken: SYSTEM_TOKEN,
    privateKeyPem: app.privatePem,
    contextIdentifier: CONTEXT,
    applicationToken: APP_TOKEN,
    transport: transport(trace),
    ...overrides,
  })
}

async function failure(promise: Promise<unknown>): Promise<SystemUserLoginError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, 'the login should have failed').toBeInstanceOf(SystemUserLoginError)
  return error as SystemUserLoginError
}

/** The JWT the service answered with, read back from the transport's trace. */
function tokenIn(trace: TraceEvent[]): string {
  const answer = trace.find((e) => e.direction === 'response')
  const token = /<Token>([^<]+)<\/Token>/.exec(answer?.body ?? '')?.[1]
  expect(token, 'a Token in the answer').toBeDefined()
  return token!
}

function decodePart(jwt: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** Neither the JWT nor the ticket inside it may appear in what the user or a log sees. */
function expectNoSecrets(error: SystemUserLoginError, jwt: string): void {
  const ticket = decodePart(jwt, 1)[TICKET_CLAIM] as string
  const seen = `${error.message}\n${error.hint ?? ''}\n${JSON.stringify(error.details ?? null)}`
  expect(seen).not.toContain(jwt.split('.')[2]!)
  expect(seen).not.toContain(jwt.split('.')[1]!)
  expect(seen).not.toContain(ticket)
}

describe('systemUserLogin against the sandbox', () => {
  it('gets a verified ticket that works on EMail.svc as the system user', async () => {
    const before = Date.now()
    const result = await login(good)
    expect(result.ticket).toMatch(/^7T:/)
    expect(result.ticket).not.toBe(good.demoTicket)
    expect(result.netserverUrl).toBe(`${good.url}/Remote/Services87/`)
    expect(result.claims.iss).toBe(`${new URL(good.url).origin}/login`)
    expect(result.claims[TICKET_CLAIM]).toBe(result.ticket)
    expect(result.expiresAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000)
    expect(result.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000)

    const t = transport()
    const email = new EMailService(new NetServerClient({baseUrl: good.url, version: '87', ticket: result.ticket, applicationToken: APP_TOKEN}, t))
    await email.createDefaultEMailAccount()
    // Saved without an owner, the account belongs to the caller: the ticket's associate.
    const saved = await email.saveEMailAccount({emailAccountId: 0, emailAddress: 'robot@example.com', incoming: {server: 'imap.example.com', port: 993, authType: 'imap', username: 'robot', password: 'p'}})
    const got = await email.getEMailAccount(saved.emailAccountId!)
    expect(got).toMatchObject({emailAddress: 'robot@example.com', associateId: SYSTEM_USER_ASSOCIATE_ID})

    // The same call with a ticket the sandbox never issued is refused, so the success above is the ticket's.
    const stranger = new EMailService(new NetServerClient({baseUrl: good.url, version: '87', ticket: '7T:bm90LWlzc3VlZA==', applicationToken: APP_TOKEN}, t))
    await expect(stranger.getEMailAccount(saved.emailAccountId!)).rejects.toBeInstanceOf(NetServerError)
  })

  it('is refused (IsSuccessful=false) when the token is signed with another private key', async () => {
    const error = await failure(login(good, {privateKeyPem: stranger.privatePem}))
    expect(error.reason).toBe('refused')
    expect(error.exitCode).toBe(4)
    expect(error.cause).toBeInstanceOf(SystemUserAuthError)
    expect((error.cause as SystemUserAuthError).errorMessage).toMatch(/signature/i)
  })

  it('is refused when the time stamp is 10 minutes off, and accepted at 4 minutes', async () => {
    for (const offsetMinutes of [-10, 10]) {
      const error = await failure(login(good, {now: () => new Date(Date.now() + offsetMinutes * 60_000)}))
      expect(error.reason).toBe('refused')
      expect((error.cause as SystemUserAuthError).errorMessage).toMatch(/time stamp|expired/i)
    }
    await expect(login(good, {now: () => new Date(Date.now() - 4 * 60_000)})).resolves.toMatchObject({ticket: expect.stringMatching(/^7T:/)})
  })

  it('is refused with a wrong ApplicationToken or ContextIdentifier', async () => {
    const wrongApp = await failure(login(good, {applicationToken: 'another-secret'}))
    expect(wrongApp.reason).toBe('refused')
    expect((wrongApp.cause as SystemUserAuthError).errorMessage).toMatch(/ApplicationToken/)
    const wrongTenant = await failure(login(good, {contextIdentifier: 'Cust99999'}))
    expect(wrongTenant.reason).toBe('refused')
    expect((wrongTenant.cause as SystemUserAuthError).errorMessage).toMatch(/tenant|ContextIdentifier/)
    const wrongToken = await failure(login(good, {systemToken: 'SoemailTest-other'}))
    expect((wrongToken.cause as SystemUserAuthError).errorMessage).toMatch(/system user token/i)
  })

  it('rejects a JWT whose signature does not verify against the JWKS', async () => {
    const trace: TraceEvent[] = []
    const error = await failure(login(rogue, {}, trace))
    expect(error.reason).toBe('bad-signature')
    expect(error.exitCode).toBe(4)
    const jwt = tokenIn(trace)
    // The forgery names the published key, so it is the signature check that catches it, not a kid lookup.
    const jwks = (await (await fetch(`${loginBaseFor(rogue.url)}/.well-known/jwks`)).json()) as {keys: Array<{kid: string}>}
    expect(decodePart(jwt, 0).kid).toBe(jwks.keys[0]!.kid)
    expectNoSecrets(error, jwt)
  })

  it('rejects an expired JWT', async () => {
    const trace: TraceEvent[] = []
    const error = await failure(login(expired, {}, trace))
    expect(error.reason).toBe('expired')
    expect(error.message).toMatch(/expired/)
    expectNoSecrets(error, tokenIn(trace))
  })

  it('says the JWKS is unreachable, naming its URL', async () => {
    const jwksUrl = `http://127.0.0.1:${await unusedPort()}/login/.well-known/jwks`
    const error = await failure(login(good, {jwksUrl}))
    expect(error.reason).toBe('jwks-unreachable')
    expect(error.message).toContain(jwksUrl)
    expect(error.exitCode).toBe(7)
  })
})

describe('the sandbox login service', () => {
  const post = (sb: Sandbox, body: string, headers: Record<string, string>) =>
    fetch(`${new URL(sb.url).origin}${PSU_PATH}`, {method: 'POST', headers, body}).then(async (r) => ({status: r.status, text: await r.text()}))
  const envelope = (header: string, body: string) => `<s:Envelope xmlns:s="${SOAP_ENV}" xmlns:p="${PSU_NS}">${header}<s:Body>${body}</s:Body></s:Envelope>`
  const request = '<p:AuthenticationRequest><p:SignedSystemToken>x.202401010000.AAAA</p:SignedSystemToken><p:ReturnTokenType>Jwt</p:ReturnTokenType></p:AuthenticationRequest>'
  const headers = `<s:Header><p:ApplicationToken>${APP_TOKEN}</p:ApplicationToken><p:ContextIdentifier>${CONTEXT}</p:ContextIdentifier></s:Header>`
  const xml = {'content-type': 'text/xml; charset=utf-8', soapaction: `"${PSU_ACTION}"`}

  it('refuses what WCF would refuse: media type, SOAPAction, misplaced headers, malformed XML', async () => {
    expect((await post(good, envelope(headers, request), {...xml, 'content-type': 'application/soap+xml'})).status).toBe(415)
    const wrongAction = await post(good, envelope(headers, request), {...xml, soapaction: `"${PSU_NS}/IPartnerSystemUserService/Other"`})
    expect(wrongAction.status).toBe(500)
    expect(wrongAction.text).toMatch(/ContractFilter/)
    const underEnvelope = await post(good, envelope(`<p:ApplicationToken>${APP_TOKEN}</p:ApplicationToken>`, request), xml)
    expect(underEnvelope.status).toBe(500)
    expect(underEnvelope.text).toMatch(/must be inside soap:Header/)
    const wrongNs = await post(good, envelope(`<s:Header><ApplicationToken xmlns="urn:other">${APP_TOKEN}</ApplicationToken></s:Header>`, request), xml)
    expect(wrongNs.text).toMatch(/not understood/)
    const outOfOrder = await post(good, envelope(headers, '<p:AuthenticationRequest><p:ReturnTokenType>Jwt</p:ReturnTokenType><p:SignedSystemToken>x</p:SignedSystemToken></p:AuthenticationRequest>'), xml)
    expect(outOfOrder.text).toMatch(/deserialize/)
    const broken = await post(good, '<s:Envelope', xml)
    expect(broken.status).toBe(500)
    expect(broken.text).toMatch(/not well-formed/)
    // The well-formed request with a bogus signature is a business refusal, not a fault.
    const refused = await post(good, envelope(headers, request), xml)
    expect(refused.status).toBe(200)
    expect(refused.text).toMatch(/<IsSuccessful>false<\/IsSuccessful>/)
  })

  it('publishes an RS256 JWKS', async () => {
    const res = await fetch(`${loginBaseFor(good.url)}/.well-known/jwks`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const {keys} = (await res.json()) as {keys: Array<Record<string, string>>}
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String)})
    expect(keys[0]).not.toHaveProperty('d')
  })
})

describe('exchangeSystemUserToken on the wire', () => {
  let server: TestServer
  let answer: {status: number; body: string} = {status: 200, body: ''}
  const psuResponse = (inner: string) =>
    `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><AuthenticationResponse xmlns="${PSU_NS}" xmlns:i="${XSI}">${inner}</AuthenticationResponse></s:Body></s:Envelope>`

  beforeAll(async () => {
    server = await startServer((_req, res) => send(res, answer.status, answer.body), '')
  })
  afterAll(() => server.close())

  const exchange = (over: Partial<Parameters<typeof exchangeSystemUserToken>[1]> = {}) =>
    exchangeSystemUserToken(transport(), {serviceUrl: `${server.origin}${PSU_PATH}`, applicationToken: APP_TOKEN, contextIdentifier: CONTEXT, signedSystemToken: 'tok.202401020304.c2ln', ...over})

  it('puts ApplicationToken and ContextIdentifier inside soap:Header in the service namespace, and returns the Token', async () => {
    answer = {status: 200, body: psuResponse('<IsSuccessful>true</IsSuccessful><Token>header.payload.sig</Token><ErrorMessage i:nil="true"/>')}
    const before = server.requests.length
    await expect(exchange({applicationToken: 'a&amp;b <c> "d"'})).resolves.toBe('header.payload.sig')
    const req = server.requests[before]!
    expect(req.method).toBe('POST')
    expect(req.path).toBe(PSU_PATH)
    expect(req.headers['content-type']).toMatch(/^text\/xml; charset=utf-8$/)
    expect(req.headers.soapaction).toBe(`"${PSU_ACTION}"`)
    const env = parseXml(req.body)
    expect(env.ns).toBe(SOAP_ENV)
    expect(childNames(env)).toEqual(['Header', 'Body'])
    const header = at(env, 'Header')
    expect(header.ns).toBe(SOAP_ENV)
    expect(header.children.map((c) => [c.ns, c.local, c.text])).toEqual([
      [PSU_NS, 'ApplicationToken', 'a&amp;b <c> "d"'],
      [PSU_NS, 'ContextIdentifier', CONTEXT],
    ])
    const wrapper = at(env, 'Body', 'AuthenticationRequest')
    expect(wrapper.ns).toBe(PSU_NS)
    expect(wrapper.children.map((c) => [c.ns, c.local, c.text])).toEqual([
      [PSU_NS, 'SignedSystemToken', 'tok.202401020304.c2ln'],
      [PSU_NS, 'ReturnTokenType', 'Jwt'],
    ])
  })

  it('turns IsSuccessful=false into SystemUserAuthError carrying ErrorMessage, and a Fault into SoapFaultError', async () => {
    answer = {status: 200, body: psuResponse(`<IsSuccessful>false</IsSuccessful><Token i:nil="true"/><ErrorMessage>${esc('Token expired & refused')}</ErrorMessage>`)}
    const refused = await exchange().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(refused).toBeInstanceOf(SystemUserAuthError)
    expect((refused as SystemUserAuthError).errorMessage).toBe('Token expired & refused')
    answer = {status: 500, body: soapFault('s:Client', 'bad request')}
    await expect(exchange()).rejects.toBeInstanceOf(SoapFaultError)
  })

  it('refuses a value XML cannot carry before sending anything', async () => {
    const before = server.requests.length
    await expect(exchange({contextIdentifier: 'Cust\u0001'})).rejects.toBeInstanceOf(EnvelopeValueError)
    expect(server.requests.length).toBe(before)
  })

  it('reports a verified JWT without the ticket claim', async () => {
    const key = createPrivateKey(stranger.privatePem)
    const jwk = {...createPublicKey(key).export({format: 'jwk'}), kid: 'k1', alg: 'RS256', use: 'sig'}
    const jwt = await new SignJWT({sub: 'x'}).setProtectedHeader({alg: 'RS256', kid: 'k1'}).setIssuedAt().setExpirationTime('5m').sign(key)
    const both = await startServer((req, res) => {
      if (req.path === '/login/.well-known/jwks') return send(res, 200, JSON.stringify({keys: [jwk]}), 'application/json')
      send(res, 200, psuResponse(`<IsSuccessful>true</IsSuccessful><Token>${jwt}</Token><ErrorMessage i:nil="true"/>`))
    }, '')
    try {
      const error = await failure(systemUserLogin({loginBaseUrl: `${both.origin}/login`, systemToken: SYSTEM_TOKEN, privateKeyPem: app.privatePem, contextIdentifier: CONTEXT, applicationToken: APP_TOKEN, transport: transport()}))
      expect(error.reason).toBe('no-ticket')
      expect(error.message).toContain(TICKET_CLAIM)
    } finally {
      await both.close()
    }
  })
})

describe('signSystemToken', () => {
  const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 59))

  it('is <token>.<UTC yyyyMMddHHmm>.<base64 RSA-SHA256 PKCS#1 v1.5 signature>', () => {
    const signed = signSystemToken(SYSTEM_TOKEN, app.privatePem, when)
    const m = /^(.+)\.(\d{12})\.([A-Za-z0-9+/]+={0,2})$/.exec(signed)
    expect(m, signed).not.toBeNull()
    expect(m![1]).toBe(SYSTEM_TOKEN)
    expect(m![2]).toBe('202401020304')
    const signature = Buffer.from(m![3]!, 'base64')
    expect(signature).toHaveLength(256)
    const data = Buffer.from(`${SYSTEM_TOKEN}.202401020304`)
    expect(verify('sha256', data, {key: app.publicPem, padding: constants.RSA_PKCS1_PADDING}, signature)).toBe(true)
    expect(verify('sha256', data, {key: stranger.publicPem, padding: constants.RSA_PKCS1_PADDING}, signature)).toBe(false)
    // PKCS#1 v1.5 is deterministic (PSS is not): the same input signs the same.
    expect(signSystemToken(SYSTEM_TOKEN, app.privatePem, when)).toBe(signed)
  })

  it('takes PKCS#8 ("BEGIN PRIVATE KEY") as well as PKCS#1 PEM', () => {
    const signed = signSystemToken(SYSTEM_TOKEN, stranger.privatePem, when)
    expect(verify('sha256', Buffer.from(`${SYSTEM_TOKEN}.202401020304`), stranger.publicPem, Buffer.from(signed.split('.').at(-1)!, 'base64'))).toBe(true)
  })

  it('explains a key it cannot use, naming the expected format and never echoing the key', () => {
    const ec = ecPrivateKeyPem()
    const encrypted = encryptedRsaPrivateKeyPem()
    const xmlKey = '<RSAKeyValue><Modulus>AQAB</Modulus><Exponent>AQAB</Exponent><D>c2VjcmV0LWQtdmFsdWU=</D></RSAKeyValue>'
    const cases: Array<[string, string, RegExp]> = [
      ['EC key', ec, /is an ec key.*RSA private key in PEM format/],
      ['garbage', 'not a key at all, c2VjcmV0LWJ5dGVz', /could not be read.*RSA private key in PEM format/],
      ['public key', app.publicPem, /public key or certificate, not the private key/],
      ['encrypted key', encrypted, /passphrase/],
      ['.NET XML key', xmlKey, /XML format.*PEM/],
    ]
    for (const [label, pem, expected] of cases) {
      let error: unknown
      try {
        signSystemToken(SYSTEM_TOKEN, pem, when)
      } catch (e) {
        error = e
      }
      expect(error, label).toBeInstanceOf(PrivateKeyError)
      const text = `${(error as PrivateKeyError).message} ${(error as PrivateKeyError).hint ?? ''}`
      expect(text, label).toMatch(expected)
      for (const line of pem.split('\n').filter((l) => l.length > 8 && !l.startsWith('-----'))) expect(text, label).not.toContain(line)
      expect(text, label).not.toContain('c2VjcmV0')
    }
  })
})

describe('loginBaseFor', () => {
  it('is the origin plus /login', () => {
    expect(loginBaseFor('https://online.superoffice.com/Cust12345')).toBe('https://online.superoffice.com/login')
    expect(loginBaseFor('http://127.0.0.1:5000/SuperOffice/')).toBe('http://127.0.0.1:5000/login')
  })
})
