/** Detection against a DNS server and an HTTPS autoconfig server on 127.0.0.1: each source, the order, the cache, --offline. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createDetector, detectorOptionsFromEnv, domainOf, formatServer, userNameFor, type DetectorOptions} from '../../src/providers/detect.js'
import {startDetectionFixtures, type DetectionFixtures} from '../helpers/detection-fixtures.js'
import {startProxy} from '../helpers/proxy-server.js'

let fx: DetectionFixtures
let options: DetectorOptions

beforeAll(async () => {
  fx = await startDetectionFixtures()
  options = {...detectorOptionsFromEnv(fx.env), caFile: fx.https.ca.caFile}
})
afterAll(() => fx.close())

const shown = (s: {host: string; port: number; from: string} | undefined) => (s ? formatServer(s) : undefined)

describe('detection, source by source', () => {
  it('built-in table by domain: answers without a single DNS query or HTTPS request', async () => {
    const before = {dns: fx.dns.queries.length, https: fx.https.requests.length}
    const d = await createDetector(options).detect('Ola.Nordmann@Gmail.com')
    expect(d).toMatchObject({domain: 'gmail.com', complete: true, provider: 'google', auth: 'app-password'})
    expect(shown(d.incoming)).toBe('imap.gmail.com:993 (from built-in preset google)')
    expect(shown(d.outgoing)).toBe('smtp.gmail.com:465 (from built-in preset google)')
    expect({dns: fx.dns.queries.length, https: fx.https.requests.length}).toEqual(before)
  })

  it('MX: a custom domain whose MX ends in .mail.protection.outlook.com is Microsoft 365, with SMTP smtp.office365.com:587', async () => {
    const d = await createDetector(options).detect('ola@m365.test')
    expect(d).toMatchObject({provider: 'microsoft365', auth: 'oauth-only', mx: ['m365-test.mail.protection.outlook.com'], complete: true})
    expect(shown(d.incoming)).toBe('outlook.office365.com:993 (from MX m365-test.mail.protection.outlook.com → microsoft365)')
    expect(d.outgoing).toMatchObject({host: 'smtp.office365.com', port: 587, security: 'starttls', source: 'mx'})
    expect(fx.dns.queries).not.toContain('SRV _imaps._tcp.m365.test')
  })

  it('MX: Google Workspace by aspmx.l.google.com, MX hosts in preference order', async () => {
    const d = await createDetector(options).detect('gw.test')
    expect(d.mx).toEqual(['aspmx.l.google.com', 'alt1.aspmx.l.google.com'])
    expect(d).toMatchObject({provider: 'google', incoming: {host: 'imap.gmail.com', source: 'mx'}})
  })

  it('SRV: lowest priority, then highest weight; "." means not offered, so _submission._tcp answers', async () => {
    const d = await createDetector(options).detect('kari@srv.test')
    expect(shown(d.incoming)).toBe('imap.srv.test:993 (from SRV _imaps._tcp)')
    expect(d.incoming?.security).toBe('tls')
    expect(shown(d.outgoing)).toBe('smtp.srv.test:587 (from SRV _submission._tcp)')
    expect(d.outgoing?.security).toBe('starttls')
    expect(d.attempts).toContainEqual({source: 'srv', asked: 'SRV _submissions._tcp.srv.test', outcome: 'target "." (not offered)'})
    expect(d.attempts).toContainEqual({source: 'mx', asked: 'MX srv.test', outcome: 'mx.srv.test (no known provider)'})
    expect(fx.https.requests.filter((r) => r.includes('srv.test'))).toEqual([])
  })

  it("the domain's own autoconfig host, with the address in the query as Thunderbird sends it", async () => {
    const d = await createDetector(options).detect('per@own.test')
    expect(shown(d.incoming)).toBe(`mail.own.test:143 (from autoconfig https://autoconfig.own.test:${fx.https.port}/mail/config-v1.1.xml)`)
    expect(d).toMatchObject({complete: true, incoming: {security: 'starttls', userName: 'address', source: 'autoconfig'}, outgoing: {host: 'mail.own.test', port: 587}})
    expect(fx.https.requests).toContain('autoconfig.own.test/mail/config-v1.1.xml?emailaddress=per%40own.test')
  })

  it("the domain's .well-known autoconfig file when autoconfig.<domain> does not exist", async () => {
    const d = await createDetector(options).detect('wk.test')
    expect(d.incoming).toMatchObject({host: 'imap.wk.test', port: 993, userName: 'local-part', source: 'autoconfig'})
    expect(d.attempts.find((a) => a.asked.startsWith('https://autoconfig.wk.test'))?.outcome).toBe('ENOTFOUND')
    expect(userNameFor(d.incoming?.userName, 'kari@wk.test')).toBe('kari')
  })

  it('a side SRV did not answer comes from the next source; the side it did answer stays SRV', async () => {
    const d = await createDetector(options).detect('half.test')
    expect(shown(d.incoming)).toBe('imap.half.test:993 (from SRV _imaps._tcp)')
    expect(d.outgoing).toMatchObject({host: 'smtp.half.test', port: 465, source: 'autoconfig'})
  })

  it("Thunderbird's ISPDB by domain, at SOEMAIL_ISPDB_URL", async () => {
    const d = await createDetector(options).detect('isp.test')
    expect(shown(d.outgoing)).toBe(`smtp.isp.test:587 (from ISPDB ${fx.https.ispdbUrl}/isp.test)`)
    expect(d.incoming).toMatchObject({host: 'imap.isp.test', source: 'ispdb'})
  })

  it("the ISPDB entry of the MX host's domain when the domain has none of its own", async () => {
    const d = await createDetector(options).detect('hosted.test')
    expect(d.incoming).toMatchObject({host: 'imap.hoster.test', source: 'ispdb', from: `ISPDB ${fx.https.ispdbUrl}/hoster.test (by MX mx1.hoster.test)`})
    expect(d.attempts.find((a) => a.asked === `${fx.https.ispdbUrl}/hosted.test`)?.outcome).toBe('HTTP 404')
  })

  it('nothing anywhere: not complete, and every source tried is listed with its outcome', async () => {
    const d = await createDetector(options).detect('nothing.test')
    expect(d.complete).toBe(false)
    expect(d.incoming).toBeUndefined()
    expect(d.attempts.map((a) => a.source)).toEqual(['preset', 'mx', 'srv', 'srv', 'srv', 'srv', 'autoconfig', 'autoconfig', 'ispdb', 'ispdb'])
  })

  it('trusts a private CA only when given: without it the autoconfig answer is a TLS failure, not a result', async () => {
    const d = await createDetector({...options, caFile: undefined}).detect('own.test')
    expect(d.incoming).toBeUndefined()
    expect(d.attempts.find((a) => a.source === 'autoconfig')?.outcome).toMatch(/CERT|SELF_SIGNED|UNABLE/)
  })
})

describe('through a proxy', () => {
  it('HTTPS_PROXY carries the autoconfig and ISPDB requests as it carries the SOAP calls (a CONNECT tunnel)', async () => {
    // The proxy resolves the host, as a real one would: the made-up autoconfig host is 127.0.0.1 to it.
    const proxy = await startProxy({resolveHost: (host) => (host.endsWith('.test') ? '127.0.0.1' : host)})
    try {
      const d = await createDetector({...options, ...detectorOptionsFromEnv({...fx.env, HTTPS_PROXY: proxy.url})}).detect('per@own.test')
      expect(d.incoming).toMatchObject({host: 'mail.own.test', source: 'autoconfig'})
      expect(proxy.seen).toContainEqual(expect.objectContaining({method: 'CONNECT', target: `autoconfig.own.test:${fx.https.port}`}))
    } finally {
      await proxy.close()
    }
  })
})

describe('the cache and --offline', () => {
  it('a second lookup of a domain in the same run makes no DNS query and no HTTPS request', async () => {
    const detector = createDetector(options)
    const first = await detector.detect('a@own.test')
    const after = {dns: fx.dns.queries.length, https: fx.https.requests.length}
    const [second, mx] = await Promise.all([detector.detect('b@own.test'), detector.mx('own.test')])
    expect(second).toBe(first)
    expect(mx).toEqual([])
    expect({dns: fx.dns.queries.length, https: fx.https.requests.length}).toEqual(after)
  })

  it('concurrent lookups of one domain share one set of queries', async () => {
    const before = fx.dns.queries.filter((q) => q === 'MX gw.test').length
    const detector = createDetector(options)
    await Promise.all([detector.detect('a@gw.test'), detector.detect('b@gw.test'), detector.mx('gw.test')])
    expect(fx.dns.queries.filter((q) => q === 'MX gw.test').length).toBe(before + 1)
  })

  it('offline: the built-in table only, no DNS query and no HTTPS request even for an unknown domain', async () => {
    const before = {dns: fx.dns.queries.length, https: fx.https.requests.length}
    const detector = createDetector({...options, offline: true})
    expect((await detector.detect('srv.test')).complete).toBe(false)
    expect(await detector.mx('m365.test')).toEqual([])
    expect((await detector.detect('x@icloud.com')).incoming).toMatchObject({host: 'imap.mail.me.com', userName: 'local-part'})
    expect({dns: fx.dns.queries.length, https: fx.https.requests.length}).toEqual(before)
  })
})

describe('inputs', () => {
  it('domainOf takes an address or a domain, lower-cases it and gives IDNs their ASCII form', () => {
    expect(domainOf('Ola@Example.NO')).toBe('example.no')
    expect(domainOf('blåbær.no')).toBe('xn--blbr-roah.no')
    expect(domainOf('not a domain')).toBeUndefined()
    expect(domainOf('ola@')).toBeUndefined()
  })

  it('a bad SOEMAIL_AUTOCONFIG_PORT or DNS server is a clear error', () => {
    expect(() => detectorOptionsFromEnv({SOEMAIL_AUTOCONFIG_PORT: 'x'})).toThrow(/SOEMAIL_AUTOCONFIG_PORT must be a port number/)
    expect(() => createDetector({dnsServers: ['not an address']}).mx('example.no')).rejects.toThrow(/SOEMAIL_DNS_SERVER/)
  })
})
