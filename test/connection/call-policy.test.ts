import {describe, expect, it} from 'vitest'
import {callWithRelogin, classifyFailure, mayRetryRequest, NO_RETRIES, onlyOnce, retryDelay, sendWithRetries, shareOne} from '../../src/connection/call-policy.js'
import {connect} from '../../src/connection/connect.js'
import {AuthError, ServerError} from '../../src/errors.js'
import {toCliError} from '../../src/hints/error-map.js'
import {HttpResponseError, NetServerError, TransportError} from '../../src/soap/errors.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'
import {accountXml, netServerResponse, send, startServer, STORED_ACCOUNT} from '../helpers/soap-responder.js'

const url = 'https://crm.example.com/SuperOffice/Remote/Services87/EMail.svc'
const reset = (maybeDelivered: boolean) => new TransportError('ECONNRESET', url, 'reset', maybeDelivered)
const mapError = (error: unknown) => toCliError(error, {reloginHint: 'Run soemail login.'})
const rejectedTicket = () => new NetServerError('GetEMailAccount', {message: 'Ticket expired', exceptionType: 'SoSessionException'}, url)

describe('one call policy', () => {
  it('backs off from the base, doubling, with jitter between half and one and a half of it', () => {
    expect(retryDelay(200, 1, () => 0)).toBe(100)
    expect(retryDelay(200, 1, () => 1)).toBe(300)
    expect(retryDelay(200, 3, () => 0.5)).toBe(800)
  })

  it('a single request is retried when it never arrived or repeating it is harmless; a create that may have arrived is not', () => {
    expect(mayRetryRequest(reset(false), false)).toBe(true)
    expect(mayRetryRequest(reset(true), true)).toBe(true)
    expect(mayRetryRequest(reset(true), false)).toBe(false)
    expect(mayRetryRequest(new TransportError('CERT_HAS_EXPIRED', url, 'tls', false), true)).toBe(false)
    expect(mayRetryRequest(new TransportError('ETOOLARGE', url, 'big', false), true)).toBe(false)
    expect(mayRetryRequest(new HttpResponseError('server-error', url, 503, '503'), true)).toBe(true)
    expect(mayRetryRequest(new HttpResponseError('server-error', url, 503, '503'), false)).toBe(false)
    expect(mayRetryRequest(new HttpResponseError('server-error', url, 500, '500'), true)).toBe(false)
  })

  it('sendWithRetries stops after the configured retries, pausing before each', async () => {
    const pauses: number[] = []
    let sent = 0
    const error = await sendWithRetries(async () => {
      sent++
      throw reset(false)
    }, true, {retries: 2, backoffMs: 10, random: () => 0, sleep: async (ms) => void pauses.push(ms)}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect(sent).toBe(3)
    expect(pauses).toEqual([5, 10])
  })

  it('a bulk create whose answer was lost is unknown, an update is retried, a 503 even for a create is retried', () => {
    expect(classifyFailure(reset(true), true).kind).toBe('unknown')
    expect(classifyFailure(reset(true), false).kind).toBe('retry')
    expect(classifyFailure(new HttpResponseError('server-error', url, 503, '503'), true)).toMatchObject({kind: 'retry', congestion: true})
  })

  it('shareOne: callers share the first attempt; onlyOnce: later callers get false', async () => {
    let logins = 0
    const shared = shareOne(async () => ++logins > 0)
    expect(await Promise.all([shared(), shared()])).toEqual([true, true])
    expect(await shared()).toBe(true)
    expect(logins).toBe(1)
    const once = onlyOnce(async () => ++logins > 0)
    expect([await once(), await once()]).toEqual([true, false])
    expect(logins).toBe(2)
  })

  it('callWithRelogin renews a rejected ticket and does the work once more; other errors pass mapped', async () => {
    let runs = 0
    let renewals = 0
    const renew = onlyOnce(async () => (renewals++, true))
    expect(await callWithRelogin(async () => (runs++ === 0 ? Promise.reject(rejectedTicket()) : 'done'), renew, mapError)).toBe('done')
    expect([runs, renewals]).toEqual([2, 1])
    const again = await callWithRelogin(() => Promise.reject(rejectedTicket()), renew, mapError).catch((e: unknown) => e)
    expect(again).toBeInstanceOf(AuthError)
    expect(renewals).toBe(1)
    const other = await callWithRelogin(() => Promise.reject(new HttpResponseError('not-found', url, 404, 'nope')), renew, mapError).catch((e: unknown) => e)
    expect(other).toBeInstanceOf(ServerError)
  })
})

describe('the session ticket', () => {
  const sandbox = useSandbox()

  it('a replaced ticket is sent by the next request, without touching the client', async () => {
    const connection = connect({url: sandbox.current.url, apiVersion: '87', ticket: '7T:bm90LWlzc3VlZA==', timeoutSeconds: 10, allowHttp: false})
    try {
      expect(await connection.email.getEMailAccount(1).catch((e: unknown) => e)).toBeInstanceOf(NetServerError)
      connection.ticket.replace(await freshTicket(sandbox.current.url))
      expect(await connection.email.createDefaultEMailAccount()).toBeDefined()
    } finally {
      connection.close()
    }
  })
})

describe('a command connection', () => {
  it('retries a read after a 503 (the command policy), and a bulk connection sends it once', async () => {
    const server = await startServer((_req, res, i) => (i % 2 === 0 ? send(res, 503, 'Service Unavailable', 'text/plain') : send(res, 200, netServerResponse('87', 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT)))))
    const open = (bulk: boolean) => connect({url: server.baseUrl, apiVersion: '87', ticket: 'T', timeoutSeconds: 10, allowHttp: false, ...(bulk ? {retry: NO_RETRIES} : {})})
    const single = open(false)
    const bulk = open(true)
    try {
      expect((await single.email.getEMailAccount(101))?.emailAccountId).toBe(101)
      expect(server.requests).toHaveLength(2)
      expect(await bulk.email.getEMailAccount(101).catch((e: unknown) => e)).toBeInstanceOf(HttpResponseError)
      expect(server.requests).toHaveLength(3)
    } finally {
      single.close()
      bulk.close()
      await server.close()
    }
  })

  it('a read that keeps failing with 503 gives up after the retries and says how many times it was sent', async () => {
    const server = await startServer((_req, res) => send(res, 503, 'Service Unavailable', 'text/plain'))
    const connection = connect({url: server.baseUrl, apiVersion: '87', ticket: 'T', timeoutSeconds: 10, allowHttp: false, retry: {retries: 2, backoffMs: 1}})
    try {
      const error = (await connection.email.getEMailAccount(101).catch((e: unknown) => e)) as HttpResponseError
      expect(error).toBeInstanceOf(HttpResponseError)
      expect(server.requests).toHaveLength(3)
      expect(error.attempts).toBe(3)
      expect((toCliError(error, {reloginHint: ''}) as Error).message).toMatch(/sent the request 3 times/)
    } finally {
      connection.close()
      await server.close()
    }
  })
})
