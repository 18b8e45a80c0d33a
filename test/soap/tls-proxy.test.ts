/**
 * TLS and proxies (issue 6, secrets audit): a private CA is refused until --ca-file names it, http:// to
 * another machine is refused before anything is looked up or sent, and HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY are honoured with keep-alive and without the proxy's credentials ever being printed. The CLI
 * runs as built, against an https:// sandbox with a certificate made here and a recording proxy.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {EndpointPolicyError, TransportError} from '../../src/soap/errors.js'
import {proxyFor} from '../../src/soap/proxy.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {loginBaseFor, systemUserLogin} from '../../src/sessions/system-user.js'
import {parseJson, runCli} from '../helpers/cli.js'
import {rsaKeyPair} from '../helpers/keys.js'
import {basicAuthorization, startProxy, type TestProxy} from '../helpers/proxy-server.js'
import {unusedPort} from '../helpers/soap-responder.js'
import {makeTestCa, type TestCa} from '../helpers/tls-certs.js'

/** Made-up name only the proxy can resolve: a request that reaches the server with it went through the proxy. */
const PROXY_ONLY_HOST = 'soemail-sandbox.test'
const PROXY_USER = 'proxy-user-7q'
const PROXY_PASSWORD = 'pr0xy-s3cret-Zk9'
const PROXY_AUTH = basicAuthorization(PROXY_USER, PROXY_PASSWORD)

const app = rsaKeyPair('tls-proxy-app')
const systemUser = {systemToken: 'SYS-tls-proxy', publicKeyPem: app.publicPem, contextIdentifier: 'Cust54321', applicationToken: 'client-secret-tls'}

let ca: TestCa
let otherCa: TestCa
let secure: Sandbox
let plain: Sandbox
let secureId: number
let plainId: number
const transports: SoapTransport[] = []

function transport(options: {caFile?: string; env?: Record<string, string | undefined>} = {}): SoapTransport {
  const t = new SoapTransport({timeoutMs: 5000, caFile: options.caFile, env: options.env ?? {}})
  transports.push(t)
  return t
}

function emailService(sb: Sandbox, t: SoapTransport): EMailService {
  return new EMailService(new NetServerClient({baseUrl: sb.url, version: '87', ticket: sb.demoTicket}, t))
}

async function createAccount(sb: Sandbox, caFile?: string): Promise<number> {
  const saved = await emailService(sb, transport({caFile})).saveEMailAccount({
    emailAddress: 'tls.proxy@example.com',
    associateId: 5,
    incoming: {server: 'imap.example.com', port: 993, username: 'tls.proxy@example.com', password: 'imap-pw'},
    outgoing: {server: 'smtp.example.com', port: 587, username: 'tls.proxy@example.com', password: 'smtp-pw'},
  })
  return saved.emailAccountId ?? 0
}

const proxies: TestProxy[] = []
async function proxy(options: Parameters<typeof startProxy>[0] = {}): Promise<TestProxy> {
  const p = await startProxy(options)
  proxies.push(p)
  return p
}

/** http://user:password@127.0.0.1:PORT for a test proxy. */
const withCredentials = (p: {port: number}) => `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${p.port}`

beforeAll(async () => {
  ca = makeTestCa('main', ['127.0.0.1', 'localhost', PROXY_ONLY_HOST])
  otherCa = makeTestCa('other')
  // The envelopes are schema-checked elsewhere; here only the connection matters, and the check costs time.
  ;[secure, plain] = await Promise.all([startSandbox({port: 0, schemaCheck: false, tls: ca.server, systemUsers: [systemUser]}), startSandbox({port: 0, schemaCheck: false})])
  ;[secureId, plainId] = await Promise.all([createAccount(secure, ca.caFile), createAccount(plain)])
})

afterAll(async () => {
  for (const t of transports) t.close()
  await Promise.all([...proxies.map((p) => p.close()), secure?.close(), plain?.close()])
})

const getSecure = (extra: string[] = []) => ['account', 'get', String(secureId), '--url', secure.url, '--json', ...extra]
const secureEnv = (extra: Record<string, string | undefined> = {}) => ({SOEMAIL_TICKET: secure.demoTicket, ...extra})

describe('TLS with a private CA', () => {
  it('refuses the certificate by default, says so and points at --ca-file; nothing reaches the server', async () => {
    expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/SuperOffice$/)
    const before = secure.stats().requests
    const res = await runCli(['account', 'get', String(secureId), '--url', secure.url], {env: secureEnv()})
    expect(res.code, res.stderr).toBe(7)
    expect(res.stderr).toMatch(/the TLS certificate of 127\.0\.0\.1:\d+ was not accepted/)
    expect(res.stderr).toContain('--ca-file')
    expect(secure.stats().requests).toBe(before)
  })

  it('accepts it with --ca-file naming the CA', async () => {
    const res = await runCli(getSecure(['--ca-file', ca.caFile]), {env: secureEnv()})
    expect(res.code, res.stderr).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({id: secureId, email: 'tls.proxy@example.com'})
  })

  it('--ca-file adds that CA only: a certificate from another CA is still refused', async () => {
    const res = await runCli(getSecure(['--ca-file', otherCa.caFile]), {env: secureEnv()})
    expect(res.code, res.stdout).toBe(7)
    expect(parseJson(res.stdout).error?.message).toMatch(/TLS certificate .* was not accepted/)
  })

  it('doctor reports the TLS problem with the --ca-file fix, and passes the endpoint and TLS checks with it, through the proxy', async () => {
    // No D-Bus: the keychain check fails fast and predictably; only the endpoint and TLS lines matter here.
    const env = {DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: undefined}
    const refused = await runCli(['doctor', '--url', secure.url], {env})
    expect(refused.code).not.toBe(0)
    expect(refused.stdout).toMatch(/✗ TLS: .*certificate .*was not accepted/)
    expect(refused.stdout).toMatch(/✗ TLS: .*\n\s+fix: .*--ca-file/)
    // The doctor must see what the other commands see, so this run also goes through HTTPS_PROXY.
    const tunnel = await proxy()
    const accepted = await runCli(['doctor', '--url', secure.url, '--ca-file', ca.caFile], {env: {...env, HTTPS_PROXY: tunnel.url}})
    const wsdl = `${secure.url}/Remote/Services87/EMail.svc?wsdl`
    expect(accepted.stdout).toContain(`✓ endpoint: ${wsdl} answers with the EMail WSDL (through the proxy ${tunnel.url})\n`)
    expect(accepted.stdout).toMatch(/✓ TLS: certificate chain verified/)
    expect(accepted.stdout).not.toMatch(/✗ (TLS|endpoint)/)
    expect(tunnel.seen.map((r) => r.target)).toContain(`127.0.0.1:${new URL(secure.url).port}`)
  })
})

describe('http:// to another machine', () => {
  it('is refused with exit 2 before any lookup or request', async () => {
    // A proxy would receive the request without any DNS lookup here, so an empty record proves nothing was sent.
    const recorder = await proxy()
    const res = await runCli(['account', 'get', '1', '--url', 'http://crm.invalid/SuperOffice'], {env: {SOEMAIL_TICKET: 'ticket-x', HTTP_PROXY: recorder.url}})
    expect(res.code, res.stderr).toBe(2)
    expect(res.stderr).toContain('refusing to send tickets and passwords unencrypted to crm.invalid')
    expect(res.stderr).toContain('--allow-http')
    expect(recorder.seen).toEqual([])
    expect(recorder.connections()).toBe(0)
  })

  it('is attempted with --allow-http: the made-up host then fails to resolve, exit 7', async () => {
    const res = await runCli(['account', 'get', '1', '--url', 'http://crm.invalid/SuperOffice', '--allow-http', '--json'], {env: {SOEMAIL_TICKET: 'ticket-x'}})
    expect(res.code, res.stdout).toBe(7)
    expect(parseJson(res.stdout).error).toMatchObject({code: 'NETWORK_ERROR', message: expect.stringMatching(/could not be resolved/)})
  })
})

describe('proxies from the environment', () => {
  it('HTTPS_PROXY: an https:// server is reached through a CONNECT tunnel with Proxy-Authorization; the credentials are never printed', async () => {
    const tunnel = await proxy({requireAuthorization: PROXY_AUTH})
    const res = await runCli(getSecure(['--ca-file', ca.caFile, '--trace', '--verbose']), {env: secureEnv({HTTPS_PROXY: withCredentials(tunnel)})})
    expect(res.code, res.stderr).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({id: secureId})
    const {port} = new URL(secure.url)
    expect(tunnel.seen.length).toBeGreaterThan(0)
    expect(tunnel.seen).toEqual(tunnel.seen.map(() => ({method: 'CONNECT', target: `127.0.0.1:${port}`, authorization: PROXY_AUTH})))
    const printed = res.stdout + res.stderr
    for (const secret of [PROXY_USER, PROXY_PASSWORD, PROXY_AUTH.slice('Basic '.length)]) expect(printed).not.toContain(secret)
  })

  it('NO_PROXY=127.0.0.1 sends the requests directly', async () => {
    const bypassed = await proxy()
    const res = await runCli(getSecure(['--ca-file', ca.caFile]), {env: secureEnv({HTTPS_PROXY: bypassed.url, NO_PROXY: 'crm.example.com,127.0.0.1'})})
    expect(res.code, res.stderr).toBe(0)
    expect(bypassed.seen).toEqual([])
    expect(bypassed.connections()).toBe(0)
  })

  it('HTTP_PROXY: an http:// server is reached by forwarding with the absolute URI, not by HTTPS_PROXY', async () => {
    const forward = await proxy({requireAuthorization: PROXY_AUTH})
    const wrongScheme = await proxy()
    const res = await runCli(['account', 'get', String(plainId), '--url', plain.url, '--json', '--trace', '--verbose'], {
      env: {SOEMAIL_TICKET: plain.demoTicket, HTTP_PROXY: withCredentials(forward), HTTPS_PROXY: wrongScheme.url},
    })
    expect(res.code, res.stderr).toBe(0)
    // account get reads the account, then its owner from the user list: both through the proxy.
    expect(forward.seen).toEqual([
      {method: 'POST', target: `${plain.url}/Remote/Services87/EMail.svc`, authorization: PROXY_AUTH},
      {method: 'POST', target: `${plain.url}/Remote/Services87/Archive.svc`, authorization: PROXY_AUTH},
    ])
    expect(wrongScheme.seen).toEqual([])
    const printed = res.stdout + res.stderr
    for (const secret of [PROXY_PASSWORD, PROXY_AUTH.slice('Basic '.length)]) expect(printed).not.toContain(secret)
  })

  it('a proxy that refuses connections: exit 7, naming the proxy and its variable but not its credentials', async () => {
    const port = await unusedPort()
    const before = secure.stats().requests
    const res = await runCli(getSecure(['--ca-file', ca.caFile, '--verbose', '--trace']), {env: secureEnv({HTTPS_PROXY: withCredentials({port})})})
    expect(res.code, res.stderr).toBe(7)
    expect(parseJson(res.stdout).error).toMatchObject({
      code: 'NETWORK_ERROR',
      message: expect.stringContaining(`the proxy http://127.0.0.1:${port} (from HTTPS_PROXY) refused the connection`),
      details: {maybeDelivered: false},
    })
    for (const secret of [PROXY_USER, PROXY_PASSWORD, PROXY_AUTH.slice('Basic '.length)]) expect(res.stdout + res.stderr).not.toContain(secret)
    // Not quietly sent directly instead.
    expect(secure.stats().requests).toBe(before)
  })
})

describe('proxy connections in process', () => {
  it('keep-alive holds through the tunnel and through a forwarding proxy: one connection for several calls', async () => {
    const tunnel = await proxy()
    const secureEmail = emailService(secure, transport({caFile: ca.caFile, env: {HTTPS_PROXY: tunnel.url}}))
    for (let i = 0; i < 3; i++) expect((await secureEmail.getEMailAccount(secureId))?.emailAccountId).toBe(secureId)
    expect(tunnel.seen.filter((r) => r.method === 'CONNECT')).toHaveLength(1)
    expect(tunnel.connections()).toBe(1)

    const forward = await proxy()
    const plainEmail = emailService(plain, transport({env: {http_proxy: forward.url}}))
    for (let i = 0; i < 3; i++) expect((await plainEmail.getEMailAccount(plainId))?.emailAccountId).toBe(plainId)
    expect(forward.seen).toHaveLength(3)
    expect(forward.connections()).toBe(1)
  })

  it('an https:// proxy is reached over TLS and must present a certificate --ca-file trusts', async () => {
    const tlsProxy = await proxy({tls: ca.server})
    expect(tlsProxy.url).toMatch(/^https:/)
    const viaTls = emailService(secure, transport({caFile: ca.caFile, env: {HTTPS_PROXY: tlsProxy.url}}))
    expect((await viaTls.getEMailAccount(secureId))?.emailAccountId).toBe(secureId)
    expect(tlsProxy.seen.map((r) => r.method)).toEqual(['CONNECT'])
    const untrusted = await emailService(secure, transport({caFile: otherCa.caFile, env: {HTTPS_PROXY: tlsProxy.url}}))
      .getEMailAccount(secureId)
      .catch((e: unknown) => e)
    expect((untrusted as TransportError).message).toMatch(new RegExp(`the TLS certificate of the proxy ${tlsProxy.url.replace(/\./g, '\\.')} \\(from HTTPS_PROXY\\) was not accepted`))
    expect(tlsProxy.seen).toHaveLength(1)
  })

  it('a 407 from the proxy is reported as such, not delivered, and without the credentials', async () => {
    const strict = await proxy({requireAuthorization: basicAuthorization('someone', 'else')})
    const error = await emailService(secure, transport({caFile: ca.caFile, env: {HTTPS_PROXY: withCredentials(strict)}}))
      .getEMailAccount(secureId)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as TransportError).message).toMatch(/refused a tunnel to 127\.0\.0\.1:\d+ \(HTTP 407 .*check the user name and password in HTTPS_PROXY/)
    expect((error as TransportError).maybeDelivered).toBe(false)
    expect(JSON.stringify({message: (error as Error).message, stack: (error as Error).stack})).not.toContain(PROXY_PASSWORD)
  })

  it('the system-user login fetches the JWKS with the same CA and proxy as its SOAP call', async () => {
    // Only the proxy can resolve this name, and only --ca-file's CA signed the certificate for it.
    const tunnel = await proxy({resolveHost: (host) => (host === PROXY_ONLY_HOST ? '127.0.0.1' : host)})
    const base = `https://${PROXY_ONLY_HOST}:${new URL(secure.url).port}`
    const result = await systemUserLogin({
      loginBaseUrl: loginBaseFor(`${base}/SuperOffice`),
      systemToken: systemUser.systemToken,
      privateKeyPem: app.privatePem,
      contextIdentifier: systemUser.contextIdentifier,
      applicationToken: systemUser.applicationToken,
      transport: transport({caFile: ca.caFile, env: {HTTPS_PROXY: tunnel.url}}),
    })
    expect(result.ticket).toMatch(/^7T:/)
    expect(tunnel.seen.every((r) => r.target === `${PROXY_ONLY_HOST}:${new URL(secure.url).port}`)).toBe(true)
  })
})

describe('which proxy applies (curl semantics)', () => {
  const https = (host: string) => new URL(`https://${host}/SuperOffice`)
  const via = (url: URL, env: Record<string, string>) => proxyFor(url, env)?.display

  it('uses the variable for the URL scheme only, lower case first, a bare host:port as http://', () => {
    expect(via(https('crm.example.com'), {HTTP_PROXY: 'http://p:1'})).toBeUndefined()
    expect(via(new URL('http://crm.example.com/'), {HTTPS_PROXY: 'http://p:1'})).toBeUndefined()
    expect(via(https('crm.example.com'), {https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2'})).toBe('http://lower:1')
    expect(via(new URL('http://crm.example.com/'), {HTTP_PROXY: 'proxy.corp:3128'})).toBe('http://proxy.corp:3128')
  })

  it('does not exempt loopback unless NO_PROXY names it, and never resolves names', () => {
    const env = {HTTPS_PROXY: 'http://p:1'}
    expect(via(https('127.0.0.1:8443'), env)).toBe('http://p:1')
    expect(via(https('localhost'), env)).toBe('http://p:1')
    expect(via(https('localhost'), {...env, NO_PROXY: '127.0.0.1'})).toBe('http://p:1')
    expect(via(https('127.0.0.1'), {...env, NO_PROXY: 'localhost'})).toBe('http://p:1')
    expect(via(https('127.0.0.1'), {...env, no_proxy: '127.0.0.1'})).toBeUndefined()
  })

  it('NO_PROXY: names with their subdomains, leading dots, *, host:port, addresses and CIDR blocks', () => {
    const env = (noProxy: string) => ({HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy})
    const direct = (host: string, noProxy: string) => via(https(host), env(noProxy)) === undefined
    expect(direct('example.com', 'example.com')).toBe(true)
    expect(direct('crm.example.com', 'example.com')).toBe(true)
    expect(direct('CRM.Example.COM', ' other.org , example.com ')).toBe(true)
    expect(direct('notexample.com', 'example.com')).toBe(false)
    expect(direct('example.com', '.example.com')).toBe(true)
    expect(direct('a.b.example.com', '*.example.com')).toBe(true)
    expect(direct('anything.org', '*')).toBe(true)
    expect(direct('anything.org', 'example.com,*')).toBe(true)
    expect(direct('crm.example.com:8443', 'crm.example.com:8443')).toBe(true)
    expect(direct('crm.example.com', 'crm.example.com:8443')).toBe(false)
    expect(direct('crm.example.com', 'crm.example.com:443')).toBe(true)
    expect(direct('10.1.2.3', '10.0.0.0/8')).toBe(true)
    expect(direct('11.1.2.3', '10.0.0.0/8')).toBe(false)
    expect(direct('127.0.0.1', '0.0.1')).toBe(false)
    expect(direct('[::1]', '::1')).toBe(true)
    expect(direct('[::1]:8443', '[::1]:8443')).toBe(true)
    expect(direct('[fd00::5]', 'fd00::/8')).toBe(true)
    expect(direct('crm.example.com', '')).toBe(false)
  })

  it('refuses unsupported or unreadable proxy settings without repeating them', () => {
    expect(() => proxyFor(https('crm.example.com'), {HTTPS_PROXY: 'socks5://u:hidden-pw@p:1080'})).toThrow(EndpointPolicyError)
    expect(() => proxyFor(https('crm.example.com'), {HTTPS_PROXY: 'socks5://u:hidden-pw@p:1080'})).toThrow(/HTTPS_PROXY names a socks5 proxy/)
    const error = (() => {
      try {
        proxyFor(https('crm.example.com'), {https_proxy: 'http://u:hidden-pw@[bad'})
      } catch (e) {
        return e as Error
      }
      return undefined
    })()
    expect(error?.message).toMatch(/https_proxy is not a usable proxy URL/)
    expect(error?.message).not.toContain('hidden-pw')
    expect(proxyFor(https('crm.example.com'), {HTTPS_PROXY: 'http://u:pw@proxy.corp:3128'})).toEqual({display: 'http://proxy.corp:3128', variable: 'HTTPS_PROXY', protocol: 'http:', hostname: 'proxy.corp', port: 3128})
  })
})
