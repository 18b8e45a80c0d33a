/**
 * What the client puts on the wire. Every envelope here is the one the real stack POSTed to a local
 * server (captured by the transport's trace and cross-checked against what the socket delivered),
 * then held against the WSDL's XSDs, against zeep's rendering of the same call, and against itself
 * after a parse (hostile text must come back exactly or be refused before anything is sent).
 */
import {readFileSync} from 'node:fs'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {validateEnvelope, type SchemaProblem} from '../../src/sandbox/schema.js'
import type {EMailAccount, ServiceAuth} from '../../src/soap/account-model.js'
import {accountFields, parseAccount} from '../../src/soap/account-xml.js'
import {buildEnvelope} from '../../src/soap/envelope.js'
import {EnvelopeValueError} from '../../src/soap/errors.js'
import {API_VERSIONS, type ApiVersion, type ServiceName} from '../../src/soap/versions.js'
import {findInvalidXmlChar} from '../../src/soap/xml-chars.js'
import {parseXml} from '../../src/soap/xml-tree.js'
import {capture, type CaptureConfig, type Captured, type Services} from '../helpers/soap-capture.js'
import {netServerHandler, ns, SOAP_ENV, startServer, type TestServer} from '../helpers/soap-responder.js'
import {at, childNames, shapeOf} from '../helpers/soap-tree.js'
import {janeDoe} from '../helpers/accounts.js'

const FIXTURES = new URL('../fixtures/reference-envelopes/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(`${name}.xml`, FIXTURES), 'utf8')

// The input values zeep rendered the reference envelopes from.
const APP_TOKEN = 'APP-TOKEN-123'
const TICKET = '7T:MQA1ADcAMQA3ADgAOQA0ADEAOQA7ADEAOQAxADkAOQAyADgAMwA2ADsAMQAyADMANAA1ADsAMQAwADAAMAAwADAAOwA='
const REFERENCE_ACCOUNT = janeDoe()

// Written out here, not read from account-model.ts, so a wrong table there fails these tests (FACTS §4.1).
const ACCOUNT_ORDER = ['EMailAccountId', 'EMailAddress', 'AssociateId', 'IncomingCredentials', 'OutgoingCredentials', 'AccountStatus', 'ErrorCount', 'ErrorReason']
const AUTH_ORDER = ['ServiceAuthId', 'Server', 'Port', 'AuthType', 'Username', 'Password']

interface RequestCase {
  name: string
  service: ServiceName
  operation: string
  config?: Partial<CaptureConfig>
  run: (s: Services) => Promise<unknown>
}

const REQUESTS: RequestCase[] = [
  {name: 'SaveEMailAccount create, every field', service: 'EMail', operation: 'SaveEMailAccount', run: (s) => s.email.saveEMailAccount(REFERENCE_ACCOUNT)},
  {
    name: 'SaveEMailAccount update with ids',
    service: 'EMail',
    operation: 'SaveEMailAccount',
    run: (s) =>
      s.email.saveEMailAccount({
        ...REFERENCE_ACCOUNT,
        emailAccountId: 42,
        incoming: {...REFERENCE_ACCOUNT.incoming, serviceAuthId: 7},
        outgoing: {...REFERENCE_ACCOUNT.outgoing, serviceAuthId: 8},
        errorReason: 'login failed',
        errorCount: 3,
      }),
  },
  {name: 'SaveEMailAccount minimal', service: 'EMail', operation: 'SaveEMailAccount', run: (s) => s.email.saveEMailAccount({emailAddress: 'min@example.com', incoming: {server: 'imap.example.com', port: 993}})},
  {name: 'SaveEMailAccount with TimeZone header', service: 'EMail', operation: 'SaveEMailAccount', config: {timeZone: {id: 0, locationCode: 'UTC'}}, run: (s) => s.email.saveEMailAccount(REFERENCE_ACCOUNT)},
  {name: 'SaveEMailAccount with no header at all', service: 'EMail', operation: 'SaveEMailAccount', config: {applicationToken: undefined, ticket: undefined}, run: (s) => s.email.saveEMailAccount(REFERENCE_ACCOUNT)},
  {name: 'GetEMailAccount', service: 'EMail', operation: 'GetEMailAccount', run: (s) => s.email.getEMailAccount(42)},
  {name: 'DeleteEMailAccount', service: 'EMail', operation: 'DeleteEMailAccount', run: (s) => s.email.deleteEMailAccount(42)},
  {name: 'CreateDefaultEMailAccount', service: 'EMail', operation: 'CreateDefaultEMailAccount', run: (s) => s.email.createDefaultEMailAccount()},
  {name: 'GetEMailAccountFromEMailAddress', service: 'EMail', operation: 'GetEMailAccountFromEMailAddress', run: (s) => s.email.getEMailAccountFromEMailAddress('jane.doe@example.com')},
  {name: 'SoPrincipal AuthenticateUsernamePassword', service: 'SoPrincipal', operation: 'AuthenticateUsernamePassword', run: (s) => s.principal.authenticateUsernamePassword('jane', 'secret')},
]

let server: TestServer
beforeAll(async () => {
  server = await startServer(netServerHandler())
})
afterAll(async () => {
  await server.close()
})

async function send(version: ApiVersion, c: Pick<RequestCase, 'run' | 'config'>): Promise<Captured> {
  const sent = await capture(server, {version, applicationToken: APP_TOKEN, ticket: TICKET, ...c.config}, c.run)
  expect(sent).toHaveLength(1)
  return sent[0]!
}

describe.each(API_VERSIONS)('Services%s: every request the client sends', (version) => {
  const results = new Map<string, {sent: Captured; problems: SchemaProblem[]}>()

  beforeAll(async () => {
    const sent: Captured[] = []
    for (const c of REQUESTS) sent.push(await send(version, c))
    const problems = await Promise.all(sent.map((s, i) => validateEnvelope(s.envelope, REQUESTS[i]!.service, version)))
    REQUESTS.forEach((c, i) => results.set(c.name, {sent: sent[i]!, problems: problems[i]!}))
  })

  it.each(REQUESTS.map((c) => [c.name, c] as const))('%s validates against the XSDs and reaches the right endpoint', (_name, c) => {
    const {sent, problems} = results.get(c.name)!
    expect(problems).toEqual([])
    // The trace must show what really went over the socket, or --trace would mislead.
    expect(sent.received.body).toBe(sent.envelope)
    expect(sent.received.method).toBe('POST')
    expect(sent.received.path).toBe(`/SuperOffice/Remote/Services${version}/${c.service}.svc`)
    expect(sent.received.headers.soapaction).toBe(`"http://www.superoffice.net/ws/crm/NetServer/Services${version}/${c.service}/${c.operation}"`)
    const wrapper = at(parseXml(sent.envelope), 'Body').children[0]!
    expect([wrapper.ns, wrapper.local]).toEqual([ns(version), c.operation])
  })

  it('SoPrincipal gets only ApplicationToken; EMail gets ApplicationToken and Credentials (and TimeZone when set)', () => {
    const headerNames = (name: string) => {
      const header = parseXml(results.get(name)!.sent.envelope).children.find((c) => c.local === 'Header')
      return header ? header.children.map((c) => `{${c.ns}}${c.local}`) : undefined
    }
    const q = (n: string) => `{${ns(version)}}${n}`
    expect(headerNames('SoPrincipal AuthenticateUsernamePassword')).toEqual([q('ApplicationToken')])
    expect(headerNames('GetEMailAccount')).toEqual([q('ApplicationToken'), q('Credentials')])
    expect(headerNames('SaveEMailAccount with TimeZone header')).toEqual([q('ApplicationToken'), q('Credentials'), q('TimeZone')])
    expect(headerNames('SaveEMailAccount with no header at all')).toBeUndefined()
  })
})

describe('the schema check is strict enough to mean something', () => {
  // Without these, a validator that accepted anything would make the tests above pass vacuously.
  let good: string
  beforeAll(async () => {
    good = (await send('87', REQUESTS[0]!)).envelope
  })

  it('refuses members out of schema order, a wrong version namespace and headers outside soap:Header', async () => {
    const swapped = good.replace(/(<so:EMailAccountId>0<\/so:EMailAccountId>)(<so:EMailAddress>[^<]*<\/so:EMailAddress>)/, '$2$1')
    expect(swapped).not.toBe(good)
    const header = /<soap:Header>(.*)<\/soap:Header>/.exec(good)![1]!
    const docStyle = good.replace(`<soap:Header>${header}</soap:Header>`, header)
    const [a, b, c] = await Promise.all([validateEnvelope(swapped, 'EMail', '87'), validateEnvelope(good, 'EMail', '86'), validateEnvelope(docStyle, 'EMail', '87')])
    expect(a.length).toBeGreaterThan(0)
    expect(b.length).toBeGreaterThan(0)
    expect(c.length).toBeGreaterThan(0)
  })
})

describe('same tree as zeep renders from the WSDL for the same input', () => {
  const cases: Array<[fixture: string, c: Pick<RequestCase, 'run' | 'config'>]> = [
    ['SaveEMailAccount', REQUESTS[0]!],
    ['SaveEMailAccount-withTimeZone', REQUESTS[3]!],
    ['SaveEMailAccount-noheaders', REQUESTS[4]!],
    ['GetEMailAccount', REQUESTS[5]!],
    ['DeleteEMailAccount', REQUESTS[6]!],
    ['AuthenticateUsernamePassword', REQUESTS[9]!],
  ]

  it.each(cases)('%s', async (name, c) => {
    const sent = await send('87', c)
    expect(shapeOf(sent.envelope)).toEqual(shapeOf(fixture(name)))
  })

  it('the comparison sees placement, order, namespace and text (not prefixes or indentation)', () => {
    const ref = fixture('GetEMailAccount')
    const reprefixed = ref.replaceAll('soap-env:', 'S:').replaceAll('xmlns:soap-env=', 'xmlns:S=').replace(/>\s+</g, '><')
    expect(shapeOf(reprefixed)).toEqual(shapeOf(ref))
    // The published examples put the headers straight under Envelope (FACTS §2); that must not compare equal.
    const unwrapped = ref.replace(/<soap-env:Header>([\s\S]*)<\/soap-env:Header>/, '$1')
    expect(shapeOf(unwrapped)).not.toEqual(shapeOf(ref))
    const reordered = ref.replace(/(<ns0:ApplicationToken[^]*?<\/ns0:ApplicationToken>)(\s*)(<ns1:Credentials[^]*?<\/ns1:Credentials>)/, '$3$2$1')
    expect(shapeOf(reordered)).not.toEqual(shapeOf(ref))
    expect(shapeOf(ref.replaceAll('Services87', 'Services86'))).not.toEqual(shapeOf(ref))
    expect(shapeOf(ref.replace('>42<', '> 42<'))).not.toEqual(shapeOf(ref))
  })
})

describe('HTTP request', () => {
  it('is text/xml; charset=utf-8 with a quoted SOAPAction, POSTed under the base URL', async () => {
    const sent = await send('87', REQUESTS[0]!)
    expect(sent.received.headers['content-type']).toBe('text/xml; charset=utf-8')
    expect(sent.received.headers.soapaction).toBe('"http://www.superoffice.net/ws/crm/NetServer/Services87/EMail/SaveEMailAccount"')
    expect(sent.received.path).toBe('/SuperOffice/Remote/Services87/EMail.svc')
    expect(sent.url).toBe(`${server.baseUrl}/Remote/Services87/EMail.svc`)
  })

  it('a trailing slash on the base URL does not double the separator', async () => {
    const [sent] = await capture(server, {version: '87', baseUrl: `${server.baseUrl}//`}, (s) => s.email.getEMailAccount(1))
    expect(sent!.received.path).toBe('/SuperOffice/Remote/Services87/EMail.svc')
  })

  it('--api-version 88 changes only the version token: namespace, SOAPAction and path', async () => {
    for (const c of [REQUESTS[0]!, REQUESTS[9]!]) {
      const v87 = await send('87', c)
      const v88 = await send('88', c)
      expect(v88.received.body).toContain('NetServer/Services88')
      expect(v88.received.body.replaceAll('NetServer/Services88', 'NetServer/Services87')).toBe(v87.received.body)
      expect(v88.received.path.replace('Services88', 'Services87')).toBe(v87.received.path)
      expect(String(v88.received.headers.soapaction).replace('Services88', 'Services87')).toBe(v87.received.headers.soapaction)
      const {soapaction: _a, host: _h, ...rest88} = v88.received.headers
      const {soapaction: _b, host: _i, ...rest87} = v87.received.headers
      expect(rest88).toEqual(rest87)
    }
  })
})

const HOSTILE: Array<[label: string, value: string]> = [
  ['markup characters', `<&>"'`],
  ['CDATA terminator', ']]>'],
  ['entity-looking text', '&amp; &lt; &#x41; &nbsp;'],
  ['emoji (astral, a surrogate pair)', 'post 📬 ✉️ 👩‍💻'],
  ['Norwegian letters', 'æøå ÆØÅ'],
  ['256 characters', 'æøå😀'.repeat(64)],
  ['leading and trailing spaces', '  padded  '],
  ['tabs and newlines', '\tline 1\nline 2\n\t'],
  ['carriage returns', 'a\rb\r\nc\r'],
  ['only whitespace', ' \t\n '],
  ['empty', ''],
]

function hostileAccount(value: string): EMailAccount {
  return {
    emailAccountId: 0,
    emailAddress: value,
    incoming: {server: 'imap.example.com', username: value, password: value},
    outgoing: {password: value},
    errorReason: value,
  }
}

describe('hostile text', () => {
  it('the 256-character case is 256 characters', () => {
    expect([...HOSTILE[5]![1]].length).toBe(256)
  })

  it.each(HOSTILE)('%s: round-trips exactly in body and headers', async (_label, value) => {
    const sent = await send('87', {config: {applicationToken: value, ticket: value}, run: (s) => s.email.saveEMailAccount(hostileAccount(value))})
    const root = parseXml(sent.received.body)
    const account = at(root, 'Body', 'SaveEMailAccount', 'EMailAccount')
    expect(at(account, 'EMailAddress').text).toBe(value)
    expect(at(account, 'IncomingCredentials', 'Username').text).toBe(value)
    expect(at(account, 'IncomingCredentials', 'Password').text).toBe(value)
    expect(at(account, 'OutgoingCredentials', 'Password').text).toBe(value)
    expect(at(account, 'ErrorReason').text).toBe(value)
    expect(at(root, 'Header', 'ApplicationToken').text).toBe(value)
    expect(at(root, 'Header', 'Credentials', 'Ticket').text).toBe(value)
  })

  it('an envelope full of hostile text is still schema-valid', async () => {
    const value = HOSTILE.map(([, v]) => v).join('')
    const sent = await send('87', {config: {ticket: value}, run: (s) => s.email.saveEMailAccount(hostileAccount(value))})
    expect(await validateEnvelope(sent.envelope, 'EMail', '87')).toEqual([])
  })

  const UNCARRIABLE: Array<[label: string, char: string, codePoint: string]> = [
    ['U+0000', '\u0000', 'U+0000'],
    ['U+0001', '\u0001', 'U+0001'],
    ['U+001F', '\u001f', 'U+001F'],
    ['U+FFFE', '\ufffe', 'U+FFFE'],
    ['U+FFFF', '\uffff', 'U+FFFF'],
    ['a lone high surrogate', '\ud800', 'U+D800'],
    ['a lone low surrogate', '\udc00', 'U+DC00'],
  ]

  it.each(UNCARRIABLE)('%s is refused before sending, naming the field', async (_label, char, codePoint) => {
    const before = server.requests.length
    const err = await send('87', {run: (s) => s.email.saveEMailAccount({emailAccountId: 0, emailAddress: 'a@example.com', incoming: {server: 'imap.example.com', password: `pass${char}word`}})}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EnvelopeValueError)
    expect((err as EnvelopeValueError).field).toBe('SaveEMailAccount.EMailAccount.IncomingCredentials.Password')
    expect((err as Error).message).toContain('SaveEMailAccount.EMailAccount.IncomingCredentials.Password')
    expect((err as Error).message).toContain(codePoint)
    expect((err as Error).message).toContain('position 5')
    expect(server.requests.length).toBe(before)
  })

  it('names header and other operations’ fields too', async () => {
    const field = async (config: Partial<CaptureConfig>, run: RequestCase['run']) =>
      ((await send('87', {config, run}).catch((e: unknown) => e)) as EnvelopeValueError).field
    expect(await field({ticket: 'T\u0000'}, (s) => s.email.getEMailAccount(1))).toBe('Credentials.Ticket')
    expect(await field({applicationToken: '\u0007'}, (s) => s.principal.authenticateUsernamePassword('jane', 'pw'))).toBe('ApplicationToken')
    expect(await field({timeZone: {locationCode: 'N\u0008O'}}, (s) => s.email.getEMailAccount(1))).toBe('TimeZone.SoTimeZoneLocationCode')
    expect(await field({}, (s) => s.principal.authenticateUsernamePassword('jane', '\ud83d'))).toBe('AuthenticateUsernamePassword.Password')
    expect(await field({}, (s) => s.email.getEMailAccountFromEMailAddress('a\u0000@example.com'))).toBe('GetEMailAccountFromEMailAddress.FromAddress')
  })

  it('numbers that are not an xs:int are refused, naming the field; the xs:int limits pass the schema', async () => {
    for (const port of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, -(2 ** 31) - 1]) {
      const err = await send('87', {run: (s) => s.email.saveEMailAccount({emailAccountId: 0, incoming: {port}})}).catch((e: unknown) => e)
      expect(err, `port ${port}`).toBeInstanceOf(EnvelopeValueError)
      expect((err as EnvelopeValueError).field).toBe('SaveEMailAccount.EMailAccount.IncomingCredentials.Port')
    }
    const sent = await send('87', {run: (s) => s.email.saveEMailAccount({emailAccountId: 0, associateId: 2 ** 31 - 1, incoming: {port: -(2 ** 31)}})})
    expect(await validateEnvelope(sent.envelope, 'EMail', '87')).toEqual([])
  })
})

/** Independent of src/soap/xml-chars.ts: XML 1.0 §2.2 Char, one code point at a time. */
function xmlCanCarry(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
    if (!ok) return false
  }
  return true
}

const unit = fc.oneof(
  {arbitrary: fc.constantFrom('<', '>', '&', '"', "'", `<&>"'`, ']]>', '&amp;', '&#x41;', '&#13;', '&lt;', '&nbsp;', '\r', '\n', '\r\n', '\t', ' ', 'æ', 'Ø', '😀', '\u{10FFFF}', '<![CDATA[', '-->'), weight: 4},
  {arbitrary: fc.string({unit: 'binary', minLength: 1, maxLength: 1}), weight: 4},
  {arbitrary: fc.integer({min: 0, max: 0x1f}).map((n) => String.fromCharCode(n)), weight: 1},
  {arbitrary: fc.integer({min: 0xd800, max: 0xdfff}).map((n) => String.fromCharCode(n)), weight: 1},
  {arbitrary: fc.constantFrom('\ufffe', '\uffff'), weight: 1},
)

describe('property: any string round-trips or is refused with EnvelopeValueError', () => {
  const roundTrips = (value: string) => {
    let xml: string
    try {
      xml = buildEnvelope({
        version: '87',
        operation: 'SaveEMailAccount',
        headers: {applicationToken: 'APP', ticket: 'T'},
        body: [['EMailAccount', accountFields({emailAccountId: 0, emailAddress: 'a@example.com', incoming: {password: value}}, '87')]],
      })
    } catch (error) {
      expect(error).toBeInstanceOf(EnvelopeValueError)
      expect((error as EnvelopeValueError).field).toBe('SaveEMailAccount.EMailAccount.IncomingCredentials.Password')
      expect(xmlCanCarry(value)).toBe(false)
      return
    }
    expect(xmlCanCarry(value)).toBe(true)
    expect(at(parseXml(xml), 'Body', 'SaveEMailAccount', 'EMailAccount', 'IncomingCredentials', 'Password').text).toBe(value)
  }

  it('never yields a malformed or altered document', () => {
    fc.assert(fc.property(fc.string({unit, maxLength: 30}), roundTrips), {numRuns: 400})
  })

  it('holds for values of 256 UTF-16 units (the columns are String[256])', () => {
    const carriable = fc.oneof({arbitrary: fc.constantFrom('&amp;', '&#x41;', ']]>', `<&>"'`, '😀', '\r\n'), weight: 1}, {arbitrary: fc.string({unit: 'grapheme', minLength: 1, maxLength: 1}), weight: 3})
    const value = fc.array(carriable, {minLength: 256, maxLength: 256}).map((parts) => parts.join('').slice(0, 256))
    fc.assert(
      fc.property(value, (v) => {
        expect(v.length).toBe(256)
        roundTrips(v)
      }),
      {numRuns: 100},
    )
  })
})

describe('optional members and order', () => {
  it('unset optional fields are left out, not sent empty or nil', async () => {
    const sent = await send('87', REQUESTS[2]!)
    const account = at(parseXml(sent.envelope), 'Body', 'SaveEMailAccount', 'EMailAccount')
    expect(childNames(account)).toEqual(['EMailAddress', 'IncomingCredentials'])
    expect(childNames(at(account, 'IncomingCredentials'))).toEqual(['Server', 'Port'])
    expect(sent.envelope).not.toMatch(/nil=/)
  })

  it('null members (as from JSON input) are left out as well', async () => {
    const fromJson = JSON.parse('{"emailAddress":"a@example.com","associateId":null,"incoming":{"server":"imap.example.com","password":null},"outgoing":null}') as EMailAccount
    const sent = await send('87', {run: (s) => s.email.saveEMailAccount(fromJson)})
    const account = at(parseXml(sent.envelope), 'Body', 'SaveEMailAccount', 'EMailAccount')
    expect(childNames(account)).toEqual(['EMailAddress', 'IncomingCredentials'])
    expect(childNames(at(account, 'IncomingCredentials'))).toEqual(['Server'])
  })

  it('EMailAccount and ServiceAuth children follow schema order whatever the input key order', async () => {
    const reversedAuth = (a: ServiceAuth): ServiceAuth => Object.fromEntries(Object.entries(a).reverse()) as ServiceAuth
    const reversed = Object.fromEntries(
      Object.entries(REFERENCE_ACCOUNT)
        .reverse()
        .map(([k, v]) => [k, typeof v === 'object' ? reversedAuth(v) : v]),
    ) as EMailAccount
    expect(Object.keys(reversed)[0]).toBe('errorReason')
    const sent = await send('87', {run: (s) => s.email.saveEMailAccount(reversed)})
    const account = at(parseXml(sent.envelope), 'Body', 'SaveEMailAccount', 'EMailAccount')
    expect(childNames(account)).toEqual(ACCOUNT_ORDER)
    expect(childNames(at(account, 'IncomingCredentials'))).toEqual(AUTH_ORDER)
    expect(childNames(at(account, 'OutgoingCredentials'))).toEqual(AUTH_ORDER)
  })

  it('property: any subset of members in any key order comes out as the schema-ordered subset', () => {
    const authKeys = ['serviceAuthId', 'server', 'port', 'authType', 'username', 'password'] as const
    const accountKeys = ['emailAccountId', 'emailAddress', 'associateId', 'incoming', 'outgoing', 'accountStatus', 'errorCount', 'errorReason'] as const
    const authValue = (k: string) => (['serviceAuthId', 'port'].includes(k) ? 1 : 'v')
    const auth = fc.shuffledSubarray([...authKeys]).map((keys) => Object.fromEntries(keys.map((k) => [k, authValue(k)])) as ServiceAuth)
    const account = fc.tuple(fc.shuffledSubarray([...accountKeys]), auth, auth).map(([keys, inc, out]) =>
      Object.fromEntries(keys.map((k) => [k, k === 'incoming' ? inc : k === 'outgoing' ? out : ['emailAddress', 'errorReason'].includes(k) ? 'v' : 1])) as EMailAccount,
    )
    fc.assert(
      fc.property(account, (a) => {
        const xml = buildEnvelope({version: '87', operation: 'SaveEMailAccount', headers: {}, body: [['EMailAccount', accountFields(a, '87')]]})
        const el = at(parseXml(xml), 'Body', 'SaveEMailAccount', 'EMailAccount')
        const present = new Set(Object.keys(a).map((k) => ACCOUNT_ORDER[accountKeys.indexOf(k as (typeof accountKeys)[number])]))
        expect(childNames(el)).toEqual(ACCOUNT_ORDER.filter((n) => present.has(n)))
        for (const [key, name] of [['incoming', 'IncomingCredentials'], ['outgoing', 'OutgoingCredentials']] as const) {
          const given = a[key]
          if (!given) continue
          const authPresent = new Set(Object.keys(given).map((k) => AUTH_ORDER[authKeys.indexOf(k as (typeof authKeys)[number])]))
          expect(childNames(at(el, name))).toEqual(AUTH_ORDER.filter((n) => authPresent.has(n)))
        }
      }),
      {numRuns: 200},
    )
  })

  it('keys the carrier does not know are not sent', async () => {
    const extra = {emailAddress: 'a@example.com', password: 'top-level-typo', default: true} as EMailAccount
    const sent = await send('87', {run: (s) => s.email.saveEMailAccount(extra)})
    expect(childNames(at(parseXml(sent.envelope), 'Body', 'SaveEMailAccount', 'EMailAccount'))).toEqual(['EMailAddress'])
    expect(sent.envelope).not.toContain('top-level-typo')
  })

  it('the envelope namespace is SOAP 1.1', async () => {
    const sent = await send('87', REQUESTS[5]!)
    const root = parseXml(sent.envelope)
    expect([root.ns, root.local]).toEqual([SOAP_ENV, 'Envelope'])
    expect(root.children.map((c) => `{${c.ns}}${c.local}`)).toEqual([`{${SOAP_ENV}}Header`, `{${SOAP_ENV}}Body`])
  })
})

describe('Services88 as published in 2026: InboxFolder, SentFolder, SimpleMode, LastFetch', () => {
  const with88: EMailAccount = {...REFERENCE_ACCOUNT, inboxFolder: 'INBOX/CRM', sentFolder: 'Sent', simpleMode: 1, lastFetch: '2026-02-03T04:05:06'}
  const base: EMailAccount = {...REFERENCE_ACCOUNT}

  it('88 sends the three settings after ErrorReason in schema order, never the read-only LastFetch, and meets the 2026 schema', async () => {
    const sent = await send('88', {run: (s) => s.email.saveEMailAccount(with88)})
    const account = at(parseXml(sent.envelope), 'Body', 'SaveEMailAccount', 'EMailAccount')
    expect(childNames(account).slice(-4)).toEqual(['ErrorReason', 'InboxFolder', 'SentFolder', 'SimpleMode'])
    expect(at(account, 'SimpleMode').text).toBe('1')
    expect(sent.envelope).not.toContain('LastFetch')
    expect(await validateEnvelope(sent.envelope, 'EMail', '88')).toEqual([])
  })

  it.each(['86', '87'] as const)('%s never sends them: an account without them goes out as before, one with them is refused before sending', async (version) => {
    const sent = await send(version, {run: (s) => s.email.saveEMailAccount(base)})
    expect(childNames(at(parseXml(sent.envelope), 'Body', 'SaveEMailAccount', 'EMailAccount'))).toEqual(ACCOUNT_ORDER.filter((n) => n in {EMailAccountId: 1, EMailAddress: 1, AssociateId: 1, IncomingCredentials: 1, OutgoingCredentials: 1, AccountStatus: 1, ErrorCount: 1, ErrorReason: 1}))
    expect(sent.envelope).not.toMatch(/InboxFolder|SentFolder|SimpleMode|LastFetch/)
    const before = server.requests.length
    expect(() => accountFields({...base, sentFolder: 'Sent'}, version)).toThrow(`EMailAccount.SentFolder does not exist in Services${version}`)
    await expect(capture(server, {version, applicationToken: APP_TOKEN, ticket: TICKET}, (s) => s.email.saveEMailAccount({...base, simpleMode: 0}))).rejects.toThrow(/SimpleMode does not exist/)
    expect(server.requests.length).toBe(before)
  })

  it("the sandbox's schema check refuses InboxFolder in a 87 request and accepts it in a 88 one", async () => {
    const xml88 = buildEnvelope({version: '88', operation: 'SaveEMailAccount', headers: {ticket: TICKET}, body: [['EMailAccount', accountFields({...base, inboxFolder: 'INBOX'}, '88')]]})
    expect(await validateEnvelope(xml88, 'EMail', '88')).toEqual([])
    const xml87 = xml88.replaceAll('NetServer/Services88', 'NetServer/Services87')
    const problems = await validateEnvelope(xml87, 'EMail', '87')
    expect(problems.map((p) => p.message).join('\n')).toMatch(/InboxFolder/)
  })

  it('parsing reads the 88 members from a 88 answer (LastFetch as its ISO text) and ignores them in older versions', () => {
    const xml = `<EMailAccount xmlns="x"><EMailAccountId>7</EMailAccountId><ErrorReason/><InboxFolder>INBOX</InboxFolder><SentFolder>Sent</SentFolder><SimpleMode>1</SimpleMode><LastFetch>2026-02-03T04:05:06.123+01:00</LastFetch></EMailAccount>`
    const el = parseXml(xml)
    expect(parseAccount(el, '88')).toEqual({emailAccountId: 7, errorReason: '', inboxFolder: 'INBOX', sentFolder: 'Sent', simpleMode: 1, lastFetch: '2026-02-03T04:05:06.123+01:00'})
    expect(parseAccount(el, '87')).toEqual({emailAccountId: 7, errorReason: ''})
  })

  it('property: any values of the 88 members round-trip through a 88 envelope in schema order', () => {
    const text = fc.string({maxLength: 40}).filter((s) => !findInvalidXmlChar(s))
    fc.assert(
      fc.property(fc.option(text, {nil: undefined}), fc.option(text, {nil: undefined}), fc.option(fc.constantFrom(0, 1), {nil: undefined}), (inboxFolder, sentFolder, simpleMode) => {
        const a: EMailAccount = {emailAccountId: 3, inboxFolder, sentFolder, simpleMode}
        const xml = buildEnvelope({version: '88', operation: 'SaveEMailAccount', headers: {}, body: [['EMailAccount', accountFields(a, '88')]]})
        const el = at(parseXml(xml), 'Body', 'SaveEMailAccount', 'EMailAccount')
        const parsed = parseAccount(el, '88')
        expect(parsed).toEqual(Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)))
      }),
      {numRuns: 200},
    )
  })
})
