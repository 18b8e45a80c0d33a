/**
 * One SOAP 1.1 binding for NetServer's services and the Online login service: the same HTTP answer
 * means the same thing to both, the errors carry facts (status, URL, service, Location), and the CLI
 * layer adds the advice, per service, in the user's terms.
 */
import {describe, expect, it} from 'vitest'
import {toCliError} from '../../src/hints/error-map.js'
import {readSoap11Answer, type AnswerContext} from '../../src/soap/binding.js'
import {HttpResponseError, SoapFaultError} from '../../src/soap/errors.js'
import {PARTNER_SYSTEM_USER_NS} from '../../src/soap/partner-system-user.js'
import type {HttpExchange} from '../../src/soap/transport.js'
import {servicesNamespace} from '../../src/soap/versions.js'

const NETSERVER: AnswerContext = {operation: 'GetEMailAccount', url: 'https://crm.example.com/SuperOffice/Remote/Services87/EMail.svc', service: 'EMail', ns: servicesNamespace('87')}
const LOGIN: AnswerContext = {
  operation: 'Authenticate',
  url: 'https://online.superoffice.com/login/services/PartnerSystemUserService.svc',
  service: 'PartnerSystemUserService',
  ns: PARTNER_SYSTEM_USER_NS,
  responseElement: 'AuthenticationResponse',
  netServerHeaders: false,
}

const FAULT = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>`
const PAGE = '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body></body></html>'

function failure(ex: Partial<HttpExchange>, ctx: AnswerContext): unknown {
  try {
    readSoap11Answer({status: 200, body: '', contentType: 'text/xml', ...ex}, ctx)
  } catch (error) {
    return error
  }
  throw new Error('expected a failure')
}

const CASES: Array<[label: string, exchange: Partial<HttpExchange>, problem: string]> = [
  ['302', {status: 302, location: 'https://login.example.com/'}, 'redirect'],
  ['401', {status: 401}, 'unauthorized'],
  ['403', {status: 403}, 'unauthorized'],
  ['404', {status: 404, body: 'Not Found', contentType: 'text/plain'}, 'not-found'],
  ['404 with an HTML page', {status: 404, body: PAGE, contentType: 'text/html'}, 'not-found'],
  ['415', {status: 415}, 'unsupported-media-type'],
  ['503 with text', {status: 503, body: 'busy', contentType: 'text/plain'}, 'server-error'],
  ['503 with an HTML page', {status: 503, body: PAGE, contentType: 'text/html'}, 'html'],
  ['200 with an HTML page', {status: 200, body: PAGE, contentType: 'text/html'}, 'html'],
  ['200 with an empty body', {status: 200, body: ''}, 'empty'],
  ['200 with text', {status: 200, body: 'ok', contentType: 'text/plain'}, 'not-xml'],
  ['418', {status: 418, body: 'teapot', contentType: 'text/plain'}, 'http-status'],
]

describe('the status table is the same for every service', () => {
  it.each(CASES)('%s', (_label, exchange, problem) => {
    for (const ctx of [NETSERVER, LOGIN]) {
      const error = failure(exchange, ctx)
      expect(error).toBeInstanceOf(HttpResponseError)
      const e = error as HttpResponseError
      expect(e.problem).toBe(problem)
      expect(e.url).toBe(ctx.url)
      expect(e.service).toBe(ctx.service)
      expect(e.message).toContain(ctx.url)
      // Facts only: no flags, no "check", no "try again".
      expect(e.message).not.toMatch(/--|check|try again/i)
    }
  })

  it.each([500, 400])('a SOAP Fault with HTTP %i is a SoapFaultError for both', (status) => {
    for (const ctx of [NETSERVER, LOGIN]) expect(failure({status, body: FAULT}, ctx)).toBeInstanceOf(SoapFaultError)
  })

  it('a redirect keeps its Location as a fact', () => {
    const e = failure({status: 301, location: 'https://elsewhere.example.com/'}, NETSERVER) as HttpResponseError
    expect(e.location).toBe('https://elsewhere.example.com/')
    expect(e.message).toContain('https://elsewhere.example.com/')
  })
})

describe('the CLI layer adds the advice from the facts', () => {
  const shown = (error: unknown) => toCliError(error, {reloginHint: 'Run soemail login.'}) as Error & {hint?: string}

  it('NetServer: a 404 points at --url and --api-version; the login service names its own URL', () => {
    const netServer = shown(failure({status: 404}, NETSERVER))
    expect(netServer.message).toContain(`${NETSERVER.url} does not exist (HTTP 404).`)
    expect(netServer.message).toMatch(/Check --url: .*Check --api-version too\./)
    const login = shown(failure({status: 404}, LOGIN))
    expect(login.message).toContain('The login service is https://<env>.superoffice.com/login/services/PartnerSystemUserService.svc.')
    expect(login.message).not.toContain('--api-version')
  })

  it('an answer in another namespace points at --api-version; one without Succeeded at --url', () => {
    const other = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><Succeeded xmlns="${servicesNamespace('87')}">true</Succeeded></s:Header><s:Body><GetEMailAccountResponse xmlns="${servicesNamespace('86')}"/></s:Body></s:Envelope>`
    expect((failure({body: other}, NETSERVER) as HttpResponseError).reason).toBe('answer-namespace')
    expect(shown(failure({body: other}, NETSERVER)).message).toMatch(/expected "[^"]+Services87"\. Check --api-version\.$/)
    const noSucceeded = other.replace(/<s:Header>.*<\/s:Header>/, '')
    expect((failure({body: noSucceeded}, NETSERVER) as HttpResponseError).reason).toBe('no-succeeded')
    expect(shown(failure({body: noSucceeded}, NETSERVER)).message).toMatch(/Check --url \(a proxy or another service may be answering\)\.$/)
  })

  it('a server error, plain or an HTML error page, says it is the server and to try again later, never to check --url', () => {
    const iisPage = '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h2>Service Unavailable</h2><hr><p>HTTP Error 503. The service is unavailable.</p></body></html>'
    for (const ctx of [NETSERVER, LOGIN]) {
      for (const [status, body] of [[503, 'busy'], [500, 'oops'], [503, iisPage], [502, iisPage]] as const) {
        const e = shown(failure({status, body, contentType: body.startsWith('<!') ? 'text/html' : 'text/plain'}, ctx))
        expect(e.message).toContain(`HTTP ${status}`)
        expect(e.hint).toMatch(/on the server's side, not in your settings: try again in a few minutes/)
        expect(`${e.message} ${e.hint}`).not.toMatch(/--url|--api-version/)
      }
    }
  })

  it('after retries the message says how many times soemail sent the request', () => {
    const e = failure({status: 503, body: 'busy'}, NETSERVER) as HttpResponseError
    e.attempts = 3
    expect(shown(e).message).toMatch(/soemail sent the request 3 times\.$/)
  })

  it('a refusal (401) is a ticket problem with the way to a new one', () => {
    const e = shown(failure({status: 401}, NETSERVER))
    expect(e.message).toBe(`${NETSERVER.url} refused the request (HTTP 401).`)
    expect(e.hint).toBe('Run soemail login.')
  })
})
