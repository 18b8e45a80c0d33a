/**
 * How the client reads answers and copes with HTTP trouble, over real sockets: each case stands up
 * a server on 127.0.0.1 that answers the way NetServer, IIS or a proxy would, and checks the typed
 * error (or value) that reaches the caller, plus how many requests the server saw (retries).
 */
import http from 'node:http'
import {brotliCompressSync, deflateSync, gzipSync} from 'node:zlib'
import net, {type AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {validateEnvelope} from '../../src/sandbox/schema.js'
import {toCliError} from '../../src/hints/error-map.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EndpointPolicyError, HttpResponseError, NetServerError, SoapFaultError, TransportError} from '../../src/soap/errors.js'
import {MASK, redactXml} from '../../src/soap/redact.js'
import {parseSoapResponse} from '../../src/soap/response.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {parseXml, XmlParseError} from '../../src/soap/xml-tree.js'
import {makeServices} from '../helpers/soap-capture.js'
import {janeDoe} from '../helpers/accounts.js'
import {
  accountXml,
  authenticateResponse,
  netServerHandler,
  netServerResponse,
  ns,
  send,
  soapFault,
  startServer,
  STORED_ACCOUNT,
  unusedPort,
  type Handler,
  type TestServer,
} from '../helpers/soap-responder.js'

const servers: TestServer[] = []
const transports: SoapTransport[] = []
afterEach(async () => {
  for (const t of transports.splice(0)) t.close()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(handler: Handler): Promise<TestServer> {
  const s = await startServer(handler)
  servers.push(s)
  return s
}

function services(baseUrl: string, opts: {timeoutMs?: number; retries?: number; maxResponseBytes?: number} = {}) {
  const made = makeServices(
    {baseUrl, version: '87', applicationToken: 'APP', ticket: 'TICKET'},
    {timeoutMs: opts.timeoutMs ?? 3000, maxResponseBytes: opts.maxResponseBytes},
    [],
    {retries: opts.retries ?? 0, backoffMs: 1},
  )
  transports.push(made.transport)
  return made.services
}

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the call to fail, but it succeeded')
}

const V = '87'
const saveAnswer = (account = STORED_ACCOUNT) => netServerResponse(V, 'SaveEMailAccountResponse', accountXml(account))

const EXCEPTION_INFO =
  `<Message>Ticket is not valid</Message><StackTrace>at X.Y()</StackTrace><FriendlyText>Your session has expired. Log in again.</FriendlyText>` +
  `<ExceptionType>SoServerException</ExceptionType><Source>SoDataBase</Source>` +
  `<InnerException><Message>Session lookup failed</Message><StackTrace i:nil="true"/><FriendlyText i:nil="true"/><ExceptionType>SoSessionException</ExceptionType><Source i:nil="true"/>` +
  `<InnerException><Message>Credentials rejected</Message><ExceptionType>SoInvalidPasswordException</ExceptionType><InnerException i:nil="true"/><Parameters i:nil="true"/></InnerException>` +
  `<Parameters i:nil="true"/></InnerException>` +
  `<Parameters><SoExceptionInfoParametersKeyValuePair><Key>TicketAge</Key><Value>6h</Value></SoExceptionInfoParametersKeyValuePair></Parameters>`

describe('the canned answers are realistic', () => {
  it('validate against the response declarations of the same XSDs', async () => {
    const answers = [
      saveAnswer(),
      netServerResponse(V, 'SaveEMailAccountResponse', '', {succeeded: false, exceptionInfo: EXCEPTION_INFO}),
      netServerResponse(V, 'DeleteEMailAccountResponse', ''),
    ]
    const problems = await Promise.all(answers.map((a) => validateEnvelope(a, 'EMail', V)))
    expect(problems).toEqual([[], [], []])
    expect(await validateEnvelope(netServerResponse(V, 'AuthenticateResponse', authenticateResponse('T', 5)), 'SoPrincipal', V)).toEqual([])
  })
})

describe('successful answers', () => {
  it('SaveEMailAccountResponse becomes the stored account, ids and nested credentials included', async () => {
    const server = await serve((_req, res) => send(res, 200, saveAnswer()))
    const stored = await services(server.baseUrl).email.saveEMailAccount({emailAccountId: 0, emailAddress: 'jane.doe@example.com'})
    expect(stored).toEqual(janeDoe({ids: [101, 201, 202]}))
  })

  it('escaped and non-ASCII text in the answer is decoded', async () => {
    const server = await serve((_req, res) => send(res, 200, saveAnswer({...STORED_ACCOUNT, ErrorReason: `<&>"' æøå 📬`})))
    const stored = await services(server.baseUrl).email.saveEMailAccount({emailAccountId: 0})
    expect(stored.errorReason).toBe(`<&>"' æøå 📬`)
  })

  it('an unknown id (NetServer answers an empty carrier) is undefined; a deleted account is void', async () => {
    const server = await serve((req, res) =>
      String(req.headers.soapaction).includes('Delete')
        ? send(res, 200, netServerResponse(V, 'DeleteEMailAccountResponse', ''))
        : send(res, 200, netServerResponse(V, 'GetEMailAccountResponse', accountXml({EMailAccountId: 0, AssociateId: 0}))),
    )
    const s = services(server.baseUrl)
    expect(await s.email.getEMailAccount(999)).toBeUndefined()
    await expect(s.email.deleteEMailAccount(101)).resolves.toBeUndefined()
  })

  it('AuthenticateResponse yields the ticket and the principal', async () => {
    const server = await serve(netServerHandler())
    const result = await services(server.baseUrl).principal.authenticateUsernamePassword('jane', 'secret')
    expect(result).toEqual({succeeded: true, ticket: 'TICKET-1', principal: {associateId: 5, associate: 'JANE', fullName: 'Jane Doe', emailAddress: 'jane.doe@example.com'}})
  })
})

describe('NetServer refusals (Succeeded=false)', () => {
  it('ExceptionInfo with a two-level InnerException chain becomes NetServerError', async () => {
    const server = await serve((_req, res) => send(res, 200, netServerResponse(V, 'SaveEMailAccountResponse', '', {succeeded: false, exceptionInfo: EXCEPTION_INFO})))
    const err = await rejection(services(server.baseUrl).email.saveEMailAccount({emailAccountId: 0}))
    expect(err).toBeInstanceOf(NetServerError)
    const e = err as NetServerError
    expect(e.message).toBe('Your session has expired. Log in again.')
    expect(e.operation).toBe('SaveEMailAccount')
    expect(e.url).toBe(`${server.baseUrl}/Remote/Services87/EMail.svc`)
    expect(e.info).toEqual({
      message: 'Ticket is not valid',
      friendlyText: 'Your session has expired. Log in again.',
      exceptionType: 'SoServerException',
      source: 'SoDataBase',
      parameters: {TicketAge: '6h'},
      inner: {
        message: 'Session lookup failed',
        exceptionType: 'SoSessionException',
        inner: {message: 'Credentials rejected', exceptionType: 'SoInvalidPasswordException'},
      },
    })
    expect(e.exceptionTypes).toEqual(['SoServerException', 'SoSessionException', 'SoInvalidPasswordException'])
  })

  it('Succeeded=false with a nil ExceptionInfo is still a refusal', async () => {
    const server = await serve((_req, res) => send(res, 200, netServerResponse(V, 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT), {succeeded: false})))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(101))
    expect(err).toBeInstanceOf(NetServerError)
    expect((err as NetServerError).info).toEqual({})
    expect((err as NetServerError).exceptionTypes).toEqual([])
    expect(err.message).toMatch(/GetEMailAccount did not succeed \(Succeeded=false/)
  })

  it('a refusal is not retried, even for a repeatable call', async () => {
    const server = await serve((_req, res) => send(res, 200, netServerResponse(V, 'GetEMailAccountResponse', '', {succeeded: false})))
    await rejection(services(server.baseUrl, {retries: 3}).email.getEMailAccount(1))
    expect(server.requests).toHaveLength(1)
  })
})

describe('protocol-level failures', () => {
  it('a SOAP 1.1 Fault with HTTP 500 becomes SoapFaultError with faultcode and faultstring', async () => {
    const server = await serve((_req, res) => send(res, 500, soapFault('a:ActionNotSupported', 'The message with Action \'x\' cannot be processed at the receiver')))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect(err).toBeInstanceOf(SoapFaultError)
    const f = err as SoapFaultError
    expect(f.faultCode).toBe('a:ActionNotSupported')
    expect(f.faultString).toBe("The message with Action 'x' cannot be processed at the receiver")
    expect(f.status).toBe(500)
    expect(f.url).toBe(`${server.baseUrl}/Remote/Services87/EMail.svc`)
  })

  const YSOD = `<!DOCTYPE html>\n<html><head><title>Runtime Error</title></head><body><h1>Server Error in '/SuperOffice' Application.</h1></body></html>`
  const LOGIN = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SuperOffice CRM - Sign in</title></head><body><form></form></body></html>`

  it.each([
    [200, LOGIN, 'SuperOffice CRM - Sign in'],
    [500, YSOD, 'Runtime Error'],
  ])('an HTML page with HTTP %i is "html", naming the URL and the page title', async (status, page, title) => {
    const server = await serve((_req, res) => send(res, status, page, 'text/html; charset=utf-8'))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect(err).toBeInstanceOf(HttpResponseError)
    const e = err as HttpResponseError
    expect(e.problem).toBe('html')
    expect(e.status).toBe(status)
    expect(e.message).toContain(`${server.baseUrl}/Remote/Services87/EMail.svc`)
    expect(e.message).toContain(`"${title}"`)
  })

  it.each([
    ['an empty body', '', 'empty'],
    ['a body that is not XML', 'Service is up. Have a nice day.', 'not-xml'],
    ['truncated XML', saveAnswer().slice(0, 200), 'not-xml'],
    ['XML that is not a SOAP envelope', '<?xml version="1.0"?><status><ok>true</ok></status>', 'not-soap'],
    ['a SOAP envelope without Body', `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/></s:Envelope>`, 'not-soap'],
    ['an answer for another operation', netServerResponse(V, 'DeleteEMailAccountResponse', ''), 'not-soap'],
  ] as const)('%s with HTTP 200 is "%s"', async (_label, body, problem) => {
    const server = await serve((_req, res) => send(res, 200, body))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect(err).toBeInstanceOf(HttpResponseError)
    expect((err as HttpResponseError).problem).toBe(problem)
    expect(err.message).toContain(`${server.baseUrl}/Remote/Services87/EMail.svc`)
  })

  it('an answer in another version’s namespace is "not-soap" and says which namespace was expected', async () => {
    // A Services86-only server answering a Services87 call, e.g. after a proxy rewrote the path.
    const server = await serve((_req, res) => send(res, 200, netServerResponse(V, 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT), {version: '86'})))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect(err).toBeInstanceOf(HttpResponseError)
    expect((err as HttpResponseError).problem).toBe('not-soap')
    expect(err.message).toContain(ns('87'))
    expect(err.message).toContain(ns('86'))
  })

  it('404 is "not-found" with the facts; the CLI layer points at --url', async () => {
    const server = await serve((_req, res) => send(res, 404, 'Not Found', 'text/plain'))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect((err as HttpResponseError).problem).toBe('not-found')
    expect((err as HttpResponseError).status).toBe(404)
    expect((err as HttpResponseError).service).toBe('EMail')
    expect(err.message).toContain(`${server.baseUrl}/Remote/Services87/EMail.svc`)
    // The wire layer states what happened; advice in the user's terms (flags) is the CLI's.
    expect(err.message).not.toContain('--')
    const shown = toCliError(err, {reloginHint: ''}) as Error
    expect(shown.message).toContain('--url')
    expect(shown.message).toContain(`${server.baseUrl}/Remote/Services87/EMail.svc`)
  })

  it('404 with an HTML page is still "not-found"', async () => {
    const server = await serve((_req, res) => send(res, 404, '<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head></html>', 'text/html'))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect((err as HttpResponseError).problem).toBe('not-found')
  })

  it('415 is "unsupported-media-type"', async () => {
    const server = await serve((_req, res) => send(res, 415, '', 'text/plain'))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect((err as HttpResponseError).problem).toBe('unsupported-media-type')
    expect((err as HttpResponseError).status).toBe(415)
  })

  it.each([401, 403])('%i is "unauthorized"', async (status) => {
    const server = await serve((_req, res) => send(res, status, '', 'text/plain'))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect((err as HttpResponseError).problem).toBe('unauthorized')
  })

  it('a 302 to a login page is "redirect" and is not followed', async () => {
    const server = await serve((req, res) =>
      req.path.startsWith('/login') ? send(res, 200, saveAnswer()) : send(res, 302, '', 'text/html', {location: '/login/?ReturnUrl=%2FSuperOffice'}),
    )
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect((err as HttpResponseError).problem).toBe('redirect')
    expect((err as HttpResponseError).status).toBe(302)
    expect(err.message).toContain('/login/?ReturnUrl=%2FSuperOffice')
    expect(server.requests).toHaveLength(1)
  })
})

describe('retries', () => {
  it('503 then success: a GetEMailAccount is retried and succeeds', async () => {
    const server = await serve((_req, res, i) =>
      i === 0 ? send(res, 503, 'Service Unavailable', 'text/plain') : send(res, 200, netServerResponse(V, 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT))),
    )
    const account = await services(server.baseUrl, {retries: 2}).email.getEMailAccount(101)
    expect(account?.emailAccountId).toBe(101)
    expect(server.requests).toHaveLength(2)
    expect(server.requests[1]!.body).toBe(server.requests[0]!.body)
  })

  it('a gateway’s HTML 502 page is retried like a bare 503', async () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>'
    const server = await serve((_req, res, i) => (i === 0 ? send(res, 502, page, 'text/html') : send(res, 200, netServerResponse(V, 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT)))))
    expect((await services(server.baseUrl, {retries: 1}).email.getEMailAccount(101))?.emailAccountId).toBe(101)
    expect(server.requests).toHaveLength(2)
  })

  it('retries stop after the configured number, and the last error surfaces', async () => {
    const server = await serve((_req, res) => send(res, 503, '', 'text/plain'))
    const err = await rejection(services(server.baseUrl, {retries: 2}).email.getEMailAccount(1))
    expect((err as HttpResponseError).problem).toBe('server-error')
    expect(server.requests).toHaveLength(3)
  })

  it('a create (id 0) is not repeated after a 503: it may have been stored', async () => {
    const server = await serve((_req, res) => send(res, 503, '', 'text/plain'))
    const err = await rejection(services(server.baseUrl, {retries: 3}).email.saveEMailAccount({emailAccountId: 0, emailAddress: 'a@example.com'}))
    expect((err as HttpResponseError).status).toBe(503)
    expect(server.requests).toHaveLength(1)
  })

  it('a create facing a connection reset after the server read the request is not retried', async () => {
    const server = await serve((req, res) => res.socket?.destroy())
    const err = await rejection(services(server.baseUrl, {retries: 3}).email.saveEMailAccount({emailAccountId: 0, emailAddress: 'a@example.com'}))
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).code).toBe('ECONNRESET')
    expect((err as TransportError).maybeDelivered).toBe(true)
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.body).toContain('a@example.com')
  })

  it('an update (id > 0) facing the same reset is retried: saving it twice is harmless', async () => {
    const server = await serve((_req, res, i) => (i === 0 ? res.socket?.destroy() : send(res, 200, saveAnswer())))
    const stored = await services(server.baseUrl, {retries: 1}).email.saveEMailAccount({emailAccountId: 101, emailAddress: 'a@example.com'})
    expect(stored.emailAccountId).toBe(101)
    expect(server.requests).toHaveLength(2)
  })

  it('connection refused is ECONNREFUSED, not delivered, so even a create is tried again', async () => {
    const port = await unusedPort()
    const baseUrl = `http://127.0.0.1:${port}/SuperOffice`
    const made = makeServices({baseUrl, version: '87'}, {timeoutMs: 2000}, [], {retries: 2, backoffMs: 1})
    transports.push(made.transport)
    const err = await rejection(made.services.email.saveEMailAccount({emailAccountId: 0}))
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).code).toBe('ECONNREFUSED')
    expect((err as TransportError).maybeDelivered).toBe(false)
    expect(err.message).toContain(`${baseUrl}/Remote/Services87/EMail.svc`)
    expect(made.trace.filter((e) => e.direction === 'request')).toHaveLength(3)
  })

  it('an answer slower than the timeout is a timeout TransportError that may have been delivered', async () => {
    const timers: NodeJS.Timeout[] = []
    const server = await serve((_req, res) => timers.push(setTimeout(() => send(res, 200, saveAnswer()), 10_000)))
    const started = Date.now()
    const err = await rejection(services(server.baseUrl, {timeoutMs: 200}).email.saveEMailAccount({emailAccountId: 0}))
    timers.forEach(clearTimeout)
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).code).toBe('ETIMEDOUT')
    expect((err as TransportError).maybeDelivered).toBe(true)
    expect(err.message).toContain('200 ms')
    // Far below the 10 s answer, with room for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(5000)
    expect(server.requests).toHaveLength(1)
  })

  it('a TLS handshake that never completes times out connecting: not delivered, so even a create is tried again', async () => {
    // Accepts TCP, reads the ClientHello and never answers: the exchange stops before anything is sent.
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const {port} = silent.address() as AddressInfo
    try {
      const made = makeServices({baseUrl: `https://127.0.0.1:${port}/SuperOffice`, version: '87'}, {timeoutMs: 5000, connectTimeoutMs: 150}, [], {retries: 1, backoffMs: 1})
      transports.push(made.transport)
      const err = await rejection(made.services.email.saveEMailAccount({emailAccountId: 0, emailAddress: 'a@example.com'}))
      expect(err).toBeInstanceOf(TransportError)
      expect((err as TransportError).code).toBe('ETIMEDOUT')
      expect((err as TransportError).maybeDelivered).toBe(false)
      expect(err.message).toContain('connecting')
      expect(made.trace.filter((e) => e.direction === 'request')).toHaveLength(2)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('an answer larger than the limit is refused and not fetched again', async () => {
    const server = await serve((_req, res) => send(res, 200, saveAnswer({...STORED_ACCOUNT, ErrorReason: 'x'.repeat(200_000)})))
    const err = await rejection(services(server.baseUrl, {retries: 2, maxResponseBytes: 50_000}).email.getEMailAccount(1))
    expect((err as TransportError).code).toBe('ETOOLARGE')
    expect(server.requests).toHaveLength(1)
  })
})

describe('hostile answers', () => {
  const BOMB =
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
    `<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">` +
    `<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">` +
    `<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">` +
    `<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>` +
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetEMailAccountResponse xmlns="${ns('87')}"><Response><ErrorReason>&lol9;</ErrorReason></Response></GetEMailAccountResponse></s:Body></s:Envelope>`

  it('an XML bomb (DOCTYPE with nested entities) is refused without expanding it', async () => {
    const server = await serve((_req, res) => send(res, 200, BOMB))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect(err).toBeInstanceOf(HttpResponseError)
    expect((err as HttpResponseError).problem).toBe('not-xml')
    expect(err.message).toMatch(/document type/)
    // Expanded, &lol9; is 10^9 copies of "lol": it would take gigabytes and far longer than this.
    const started = performance.now()
    expect(() => parseXml(BOMB)).toThrow(XmlParseError)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('an external entity is refused, so no file is read into the answer', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><x>&xxe;</x>`
    expect(() => parseXml(xxe)).toThrow(XmlParseError)
    expect(() => parseSoapResponse(xxe, {operation: 'GetEMailAccount', ns: ns('87'), url: 'u', status: 200})).toThrow(HttpResponseError)
  })

  it('an entity used without any declaration is refused rather than passed through', () => {
    expect(() => parseXml('<x>&nbsp;</x>')).toThrow(XmlParseError)
  })
})

describe('endpoint policy', () => {
  const transport = () => {
    const t = new SoapTransport({timeoutMs: 1000})
    transports.push(t)
    return t
  }
  const make = (baseUrl: string, allowHttp?: boolean) => new NetServerClient({baseUrl, version: '87', allowHttp}, transport())

  it('http:// to another machine is refused unless allowHttp', () => {
    for (const url of ['http://crm.example.com/SuperOffice', 'http://10.0.0.5/SuperOffice', 'http://[2001:db8::1]/SuperOffice']) {
      expect(() => make(url), url).toThrow(EndpointPolicyError)
      try {
        make(url)
      } catch (e) {
        expect((e as EndpointPolicyError).reason).toBe('insecure-http')
      }
      expect(() => make(url, true)).not.toThrow()
    }
  })

  it('http:// to this machine and https:// anywhere are accepted', () => {
    for (const url of ['http://127.0.0.1:8080/SuperOffice', 'http://localhost/SuperOffice', 'http://[::1]:81/x', 'https://crm.example.com/SuperOffice']) {
      expect(() => make(url), url).not.toThrow()
    }
  })

  it.each(['not a url', 'ftp://crm.example.com/', 'https://user:pw@crm.example.com/SuperOffice', 'https://crm.example.com/SuperOffice?x=1', 'https://crm.example.com/SuperOffice#top'])(
    '%s is a bad URL',
    (url) => {
      try {
        make(url)
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(EndpointPolicyError)
        expect((e as EndpointPolicyError).reason).toBe('bad-url')
      }
    },
  )
})

describe('redactXml', () => {
  it('masks Password, Ticket and ApplicationToken contents in a real captured exchange', async () => {
    const server = await serve(netServerHandler())
    const s = services(server.baseUrl)
    await s.email.saveEMailAccount({emailAccountId: 0, emailAddress: 'jane@example.com', incoming: {server: 'imap.example.com', password: 'in-p@ss <&>'}, outgoing: {password: 'out-secret'}})
    await s.principal.authenticateUsernamePassword('jane', 'pw-123')
    const wire = server.requests.map((r) => r.body).join('\n')
    const secrets = ['in-p@ss', 'out-secret', 'pw-123', '>TICKET<', '>APP<']
    // Precondition, or the masking checks below would pass on text that never held the secrets.
    for (const secret of secrets) expect(wire).toContain(secret)
    const red = redactXml(wire)
    for (const secret of secrets) expect(red).not.toContain(secret)
    // Save: ApplicationToken, Ticket, two Passwords; Authenticate: ApplicationToken, Password.
    expect(red.split(MASK)).toHaveLength(6 + 1)
    expect(red).toContain('jane@example.com')
    expect(red).toContain('imap.example.com')
    // The answer carries a ticket too.
    expect(redactXml(netServerResponse(V, 'AuthenticateResponse', authenticateResponse('T-SECRET', 5)))).not.toContain('T-SECRET')
  })

  it('leaves a nil secret alone and does not swallow the elements after it', () => {
    const xml = `<a:IncomingCredentials><a:Password i:nil="true"/><a:Server>imap.example.com</a:Server><a:Password>p1</a:Password></a:IncomingCredentials><Ticket>t</Ticket><a:PasswordHint>hint</a:PasswordHint>`
    expect(redactXml(xml)).toBe(
      `<a:IncomingCredentials><a:Password i:nil="true"/><a:Server>imap.example.com</a:Server><a:Password>${MASK}</a:Password></a:IncomingCredentials><Ticket>${MASK}</Ticket><a:PasswordHint>hint</a:PasswordHint>`,
    )
  })

  it('masks multi-line secrets', () => {
    expect(redactXml('<so:Password>line1\nline2</so:Password>')).toBe(`<so:Password>${MASK}</so:Password>`)
  })
})

describe('parseSoapResponse on its own', () => {
  const ctx = {operation: 'GetEMailAccount', ns: ns('87'), url: 'https://crm.example.com/SuperOffice/Remote/Services87/EMail.svc', status: 200}

  it('reads Succeeded given as 1/0 (xs:boolean allows both)', () => {
    expect(parseSoapResponse(netServerResponse(V, 'GetEMailAccountResponse', '').replace('>true<', '>1<'), ctx).succeeded).toBe(true)
    expect(() => parseSoapResponse(netServerResponse(V, 'GetEMailAccountResponse', '').replace('>true<', '>0<'), ctx)).toThrow(NetServerError)
  })

  it('a non-nil ExceptionInfo is a refusal even when Succeeded says true', () => {
    const text = netServerResponse(V, 'GetEMailAccountResponse', '', {succeeded: true, exceptionInfo: '<Message>boom</Message>'})
    expect(() => parseSoapResponse(text, ctx)).toThrow(NetServerError)
  })
})

describe('the transport itself', () => {
  const getAnswer = () => netServerResponse(V, 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT))
  const compressors = {gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync}

  it.each(Object.keys(compressors) as Array<keyof typeof compressors>)('asks for compressed answers and reads a %s one', async (encoding) => {
    let asked: string | undefined
    const server = await serve((req, res) => {
      asked = req.headers['accept-encoding']
      res.writeHead(200, {'content-type': 'text/xml; charset=utf-8', 'content-encoding': encoding}).end(compressors[encoding](Buffer.from(getAnswer())))
    })
    expect((await services(server.baseUrl).email.getEMailAccount(101))?.emailAccountId).toBe(101)
    expect(asked).toContain(encoding)
  })

  it('caps the decompressed size, so a small compressed bomb is refused', async () => {
    const bomb = gzipSync(Buffer.from(getAnswer().replace('</s:Envelope>', `<!--${' '.repeat(5_000_000)}--></s:Envelope>`)))
    expect(bomb.length).toBeLessThan(50_000)
    const server = await serve((_req, res) => res.writeHead(200, {'content-type': 'text/xml', 'content-encoding': 'gzip'}).end(bomb))
    const err = await rejection(services(server.baseUrl, {maxResponseBytes: 100_000}).email.getEMailAccount(1))
    expect((err as TransportError).code).toBe('ETOOLARGE')
  })

  it('an answer that says gzip but is not is a TransportError saying so', async () => {
    const server = await serve((_req, res) => res.writeHead(200, {'content-type': 'text/xml', 'content-encoding': 'gzip'}).end(getAnswer()))
    const err = await rejection(services(server.baseUrl).email.getEMailAccount(1))
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).code).toBe('EBADENCODING')
    expect(err.message).toMatch(/could not be decompressed/)
  })

  it('a connection that closes in the middle of the answer is a reset that may have been delivered', async () => {
    const server = await serve((_req, res) => {
      const body = saveAnswer()
      res.writeHead(200, {'content-type': 'text/xml', 'content-length': String(body.length)})
      res.write(body.slice(0, 100), () => res.socket?.destroy())
    })
    const err = await rejection(services(server.baseUrl).email.saveEMailAccount({emailAccountId: 0, emailAddress: 'a@example.com'}))
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).code).toBe('ECONNRESET')
    expect((err as TransportError).maybeDelivered).toBe(true)
  })

  it('keeps the connection alive: sequential and parallel calls reuse their sockets', async () => {
    const sockets = new Set<unknown>()
    const server = await serve((_req, res) => {
      sockets.add(res.socket)
      send(res, 200, getAnswer())
    })
    const {email} = services(server.baseUrl)
    for (let i = 0; i < 5; i++) await email.getEMailAccount(101)
    expect(sockets.size).toBe(1)
    await Promise.all(Array.from({length: 4}, () => email.getEMailAccount(101)))
    for (let i = 0; i < 5; i++) await Promise.all(Array.from({length: 4}, () => email.getEMailAccount(101)))
    expect(sockets.size).toBeLessThanOrEqual(4)
  })

  it('sends the envelope as UTF-8 with a matching Content-Length', async () => {
    let seen: {length: string | undefined; bytes: number} | undefined
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen = {length: req.headers['content-length'], bytes: Buffer.concat(chunks).length}
        res.writeHead(200, {'content-type': 'text/xml'}).end('<ok/>')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const t = new SoapTransport({timeoutMs: 2000})
      transports.push(t)
      const body = '<x>æøå 📬</x>'
      const ex = await t.post(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, 'urn:a', body)
      expect(ex.status).toBe(200)
      expect(seen).toEqual({length: String(Buffer.byteLength(body)), bytes: Buffer.byteLength(body)})
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
