/**
 * A second opinion from an unrelated SOAP stack: node-soap builds a server from the real WSDLs and
 * parses our envelopes with its own XML parser and WSDL type map. The services below only record what
 * node-soap handed them (arguments and SOAP headers), so every assertion is about what a WSDL-driven
 * server understood from our bytes. The XSD validation in test/soap/envelope.test.ts is the strict check;
 * node-soap is lenient about namespaces and order, so this suite guards values and header placement.
 */
import http from 'node:http'
import {readFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import * as soap from 'soap'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {API_VERSIONS, type ApiVersion} from '../../src/soap/versions.js'
import {makeServices, type Services} from '../helpers/soap-capture.js'
import type {SoapTransport} from '../../src/soap/transport.js'
import {janeDoe} from '../helpers/accounts.js'

interface Call {
  version: ApiVersion
  operation: string
  args: Record<string, unknown> | null
  headers: Record<string, unknown> | undefined
  soapAction: string | undefined
  path: string | undefined
}

const calls: Call[] = []
let server: http.Server
let baseUrl: string
const transports: SoapTransport[] = []

const wsdl = (version: ApiVersion, service: 'EMail' | 'SoPrincipal') =>
  readFileSync(new URL(`../../schemas/wsdl/Services${version}-${service}.wsdl`, import.meta.url), 'utf8')

function recorder(version: ApiVersion, operation: string, answer: (args: Record<string, unknown>) => unknown) {
  return (args: Record<string, unknown> | null, _callback: unknown, headers: Record<string, unknown> | undefined, req: http.IncomingMessage) => {
    calls.push({version, operation, args, headers, soapAction: req.headers.soapaction as string | undefined, path: req.url})
    return answer(args ?? {})
  }
}

function listen(path: string, services: soap.IServices, xml: string): Promise<soap.Server> {
  return new Promise((resolve, reject) => {
    const s = soap.listen(server, path, services, xml, (err: unknown) => (err ? reject(err as Error) : resolve(s)))
  })
}

beforeAll(async () => {
  server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/SuperOffice`
  for (const v of API_VERSIONS) {
    const email = await listen(
      `/SuperOffice/Remote/Services${v}/EMail.svc`,
      {
        WcfEMailService: {
          BasicHttpBinding_EMail: {
            SaveEMailAccount: recorder(v, 'SaveEMailAccount', (a) => ({Response: {...(a.EMailAccount as object), EMailAccountId: 101}})),
            GetEMailAccount: recorder(v, 'GetEMailAccount', (a) => ({Response: {EMailAccountId: a.EMailAccountId, EMailAddress: 'jane.doe@example.com', AssociateId: 5}})),
            DeleteEMailAccount: recorder(v, 'DeleteEMailAccount', () => ({})),
            CreateDefaultEMailAccount: recorder(v, 'CreateDefaultEMailAccount', () => ({Response: {EMailAccountId: 0}})),
            GetEMailAccountFromEMailAddress: recorder(v, 'GetEMailAccountFromEMailAddress', (a) => ({Response: {EMailAccountId: 7, EMailAddress: a.FromAddress}})),
          },
        },
      },
      wsdl(v, 'EMail'),
    )
    const principal = await listen(
      `/SuperOffice/Remote/Services${v}/SoPrincipal.svc`,
      {
        WcfSoPrincipalService: {
          BasicHttpBinding_SoPrincipal: {
            AuthenticateUsernamePassword: recorder(v, 'AuthenticateUsernamePassword', () => ({
              Response: {Associate: 'JANE', AssociateId: 5, FullName: 'Jane Doe', EMailAddress: 'jane.doe@example.com'},
              Credentials: {Ticket: 'T-FROM-NODE-SOAP'},
              AuthenticationSucceeded: true,
            })),
          },
        },
      },
      wsdl(v, 'SoPrincipal'),
    )
    // node-soap cannot emit the WSDL's response headers by itself; this makes its answers NetServer-like.
    for (const s of [email, principal]) s.addSoapHeader(`<Succeeded xmlns="http://www.superoffice.net/ws/crm/NetServer/Services${v}">true</Succeeded>`)
  }
})

afterAll(async () => {
  for (const t of transports) t.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const APP_TOKEN = 'APP-TOKEN-123'
const TICKET = '7T:MQA1ADcAMQA3ADgAOQA0ADEAOQA7ADEAOQAxADkAOQAyADgAMwA2ADsAMQAyADMANAA1ADsAMQAwADAAMAAwADAAOwA='

function client(version: ApiVersion, extra: {timeZone?: {id?: number; locationCode?: string}} = {}): Services {
  const made = makeServices({baseUrl, version, applicationToken: APP_TOKEN, ticket: TICKET, ...extra})
  transports.push(made.transport)
  return made.services
}

/** Runs one client call and returns the single call node-soap dispatched for it. */
async function received<T>(run: () => Promise<T>): Promise<{call: Call; result: T}> {
  const before = calls.length
  const result = await run()
  expect(calls.length - before, 'calls node-soap dispatched').toBe(1)
  return {call: calls[calls.length - 1]!, result}
}

const FULL = janeDoe({errorReason: 'none'})

// What node-soap should make of FULL: element names from the WSDL, xs:int/xs:short as numbers.
const FULL_ON_THE_WIRE = {
  EMailAccountId: 0,
  EMailAddress: 'jane.doe@example.com',
  AssociateId: 5,
  IncomingCredentials: {ServiceAuthId: 0, Server: 'imap.example.com', Port: 993, AuthType: 'imap', Username: 'jane.doe@example.com', Password: 'in-secret'},
  OutgoingCredentials: {ServiceAuthId: 0, Server: 'smtp.example.com', Port: 587, AuthType: 'smtp', Username: 'jane.doe@example.com', Password: 'out-secret'},
  AccountStatus: 1,
  ErrorCount: 0,
  ErrorReason: 'none',
}

const EMAIL_HEADERS = {ApplicationToken: APP_TOKEN, Credentials: {Ticket: TICKET}}

describe.each(API_VERSIONS)('node-soap serving the Services%s WSDLs', (version) => {
  const action = (service: string, op: string) => `"http://www.superoffice.net/ws/crm/NetServer/Services${version}/${service}/${op}"`

  it('SaveEMailAccount (create): every field value and both headers arrive; the answer parses', async () => {
    const {call, result} = await received(() => client(version).email.saveEMailAccount(FULL))
    expect(call.operation).toBe('SaveEMailAccount')
    expect(call.version).toBe(version)
    expect(call.path).toBe(`/SuperOffice/Remote/Services${version}/EMail.svc`)
    expect(call.soapAction).toBe(action('EMail', 'SaveEMailAccount'))
    expect(call.args).toEqual({EMailAccount: FULL_ON_THE_WIRE})
    expect(call.headers).toEqual(EMAIL_HEADERS)
    expect(result).toEqual({...FULL, emailAccountId: 101})
  })

  it('SaveEMailAccount (update): the ids arrive', async () => {
    const update = {...FULL, emailAccountId: 42, incoming: {...FULL.incoming, serviceAuthId: 7}, outgoing: {...FULL.outgoing, serviceAuthId: 8}}
    const {call} = await received(() => client(version).email.saveEMailAccount(update))
    expect(call.args).toEqual({
      EMailAccount: {
        ...FULL_ON_THE_WIRE,
        EMailAccountId: 42,
        IncomingCredentials: {...FULL_ON_THE_WIRE.IncomingCredentials, ServiceAuthId: 7},
        OutgoingCredentials: {...FULL_ON_THE_WIRE.OutgoingCredentials, ServiceAuthId: 8},
      },
    })
  })

  it('SaveEMailAccount (minimal): only the given members arrive', async () => {
    const {call} = await received(() => client(version).email.saveEMailAccount({emailAccountId: 0, emailAddress: 'min@example.com', incoming: {server: 'imap.example.com', port: 143}}))
    expect(call.args).toEqual({EMailAccount: {EMailAccountId: 0, EMailAddress: 'min@example.com', IncomingCredentials: {Server: 'imap.example.com', Port: 143}}})
  })

  it('the TimeZone header arrives next to ApplicationToken and Credentials', async () => {
    const {call} = await received(() => client(version, {timeZone: {id: 3, locationCode: 'NO'}}).email.getEMailAccount(42))
    // node-soap does not type header parts from the WSDL, so it leaves the xs:int as text.
    expect(call.headers).toEqual({...EMAIL_HEADERS, TimeZone: {SoTimeZoneId: '3', SoTimeZoneLocationCode: 'NO'}})
  })

  it('GetEMailAccount, DeleteEMailAccount, CreateDefaultEMailAccount and GetEMailAccountFromEMailAddress arrive with their arguments', async () => {
    const s = client(version)
    const get = await received(() => s.email.getEMailAccount(42))
    expect([get.call.operation, get.call.args, get.call.headers, get.call.soapAction]).toEqual(['GetEMailAccount', {EMailAccountId: 42}, EMAIL_HEADERS, action('EMail', 'GetEMailAccount')])
    expect(get.result).toEqual({emailAccountId: 42, emailAddress: 'jane.doe@example.com', associateId: 5})

    const del = await received(() => s.email.deleteEMailAccount(42))
    expect([del.call.operation, del.call.args, del.call.headers]).toEqual(['DeleteEMailAccount', {EMailAccountId: 42}, EMAIL_HEADERS])

    const def = await received(() => s.email.createDefaultEMailAccount())
    // An empty wrapper has no parts; node-soap reports that as null arguments.
    expect([def.call.operation, def.call.args ?? {}, def.call.headers]).toEqual(['CreateDefaultEMailAccount', {}, EMAIL_HEADERS])

    const byAddress = await received(() => s.email.getEMailAccountFromEMailAddress('jane.doe@example.com'))
    expect([byAddress.call.operation, byAddress.call.args, byAddress.call.headers]).toEqual(['GetEMailAccountFromEMailAddress', {FromAddress: 'jane.doe@example.com'}, EMAIL_HEADERS])
    expect(byAddress.result).toEqual({emailAccountId: 7, emailAddress: 'jane.doe@example.com'})
  })

  it('AuthenticateUsernamePassword: user name and password arrive, only ApplicationToken as header; the ticket comes back', async () => {
    const {call, result} = await received(() => client(version).principal.authenticateUsernamePassword('jane', 'secret'))
    expect(call.operation).toBe('AuthenticateUsernamePassword')
    expect(call.path).toBe(`/SuperOffice/Remote/Services${version}/SoPrincipal.svc`)
    expect(call.soapAction).toBe(action('SoPrincipal', 'AuthenticateUsernamePassword'))
    expect(call.args).toEqual({UserName: 'jane', Password: 'secret'})
    expect(call.headers).toEqual({ApplicationToken: APP_TOKEN})
    expect(result).toEqual({succeeded: true, ticket: 'T-FROM-NODE-SOAP', principal: {associateId: 5, associate: 'JANE', fullName: 'Jane Doe', emailAddress: 'jane.doe@example.com'}})
  })
})

describe('hostile text as node-soap decodes it', () => {
  // node-soap trims leading and trailing whitespace from every text value it parses (its choice, not
  // XML's), so padded values cannot be checked here; test/soap/envelope.test.ts checks them with a strict parser.
  const values: Array<[string, string]> = [
    ['markup characters', `<&>"'`],
    ['CDATA terminator', 'a]]>b'],
    ['entity-looking text', 'p&amp;w &nbsp; &#65;'],
    ['emoji', 'post📬✉️👩‍💻'],
    ['Norwegian letters', 'æøå ÆØÅ'],
    ['256 characters', 'æøå😀'.repeat(64)],
    ['inner tabs, newlines and carriage returns', 'a\tb\nc\rd\r\ne'],
  ]

  it.each(values)('%s arrives exactly, in the body and in the Ticket header', async (_label, value) => {
    const made = makeServices({baseUrl, version: '87', applicationToken: APP_TOKEN, ticket: value})
    transports.push(made.transport)
    const {call} = await received(() => made.services.email.saveEMailAccount({emailAccountId: 0, emailAddress: value, incoming: {username: value, password: value}, errorReason: value}))
    const account = call.args?.EMailAccount as Record<string, unknown>
    expect(account.EMailAddress).toBe(value)
    expect(account.IncomingCredentials).toEqual({Username: value, Password: value})
    expect(account.ErrorReason).toBe(value)
    expect((call.headers?.Credentials as Record<string, unknown>).Ticket).toBe(value)
  })
})
