/** `soemail providers` and `providers detect` from the built CLI, against the DNS and autoconfig servers on 127.0.0.1. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {startDetectionFixtures, type DetectionFixtures} from '../helpers/detection-fixtures.js'

let fx: DetectionFixtures
beforeAll(async () => {
  fx = await startDetectionFixtures()
})
afterAll(() => fx.close())

describe('soemail providers', () => {
  it('lists the presets, with --json for scripts', async () => {
    const text = await runCli(['providers'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^microsoft365 {2}Microsoft 365/m)
    expect(text.stdout).toContain('IMAP outlook.office365.com:993 implicit TLS   SMTP smtp.office365.com:587 STARTTLS')
    const json = parseJson((await runCli(['providers', '--json'])).stdout)
    const names = (json.result as {providers: {name: string}[]}).providers.map((p) => p.name)
    expect(names).toEqual(expect.arrayContaining(['microsoft365', 'google', 'yahoo', 'icloud', 'fastmail', 'one.com', 'altibox', 'domeneshop', 'telenor']))
  })
})

describe('soemail providers detect', () => {
  it('shows each server with the source that answered, and what was tried', async () => {
    const r = await runCli(['providers', 'detect', 'kari@srv.test'], {env: fx.env})
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('IMAP  imap.srv.test:993 (from SRV _imaps._tcp)  implicit TLS')
    expect(r.stdout).toContain('SMTP  smtp.srv.test:587 (from SRV _submission._tcp)  STARTTLS')
    expect(r.stdout).toContain('srv        SRV _submissions._tcp.srv.test: target "." (not offered)')
  })

  it('finds the ISPDB entry over HTTPS with the CA given by --ca-file, as JSON', async () => {
    const r = await runCli(['providers', 'detect', 'isp.test', '--ca-file', fx.https.ca.caFile, '--json'], {env: fx.env})
    expect(r.code).toBe(0)
    const {detection} = parseJson(r.stdout).result as {detection: {incoming: {host: string; source: string}; complete: boolean}}
    expect(detection).toMatchObject({complete: true, incoming: {host: 'imap.isp.test', source: 'ispdb'}})
  })

  it('Microsoft 365 by MX: shown as refused for password accounts, with what to do', async () => {
    const r = await runCli(['providers', 'detect', 'ola@m365.test'], {env: fx.env})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('SMTP  smtp.office365.com:587 (from MX m365-test.mail.protection.outlook.com → microsoft365)')
    expect(r.stdout).toMatch(/Password account: refused the IMAP server outlook\.office365\.com:993 is Microsoft 365/)
    expect(r.stdout).toContain('"Sign in with Microsoft"')
  })

  it('--offline makes no DNS query and no HTTPS request; an unknown domain exits 3 and says what to do', async () => {
    const before = {dns: fx.dns.queries.length, https: fx.https.requests.length}
    const r = await runCli(['providers', 'detect', 'kari@srv.test', '--offline', '--json'], {env: fx.env})
    expect(r.code).toBe(3)
    const out = parseJson(r.stdout)
    expect(out.error).toMatchObject({code: 'NOT_DETECTED', message: 'no IMAP and SMTP server found for srv.test in the built-in table (--offline)'})
    expect(out.error?.hint).toMatch(/without --offline/)
    expect({dns: fx.dns.queries.length, https: fx.https.requests.length}).toEqual(before)
  })

  it('a malformed SOEMAIL_DNS_SERVER is a usage error that says what to give', async () => {
    const r = await runCli(['providers', 'detect', 'srv.test', '--json'], {env: {...fx.env, SOEMAIL_DNS_SERVER: 'dns.example.no'}})
    expect(r.code).toBe(2)
    expect(parseJson(r.stdout).error).toMatchObject({code: 'USAGE', message: expect.stringMatching(/^SOEMAIL_DNS_SERVER: "dns\.example\.no" is not a list of DNS server addresses/), hint: expect.stringContaining('127.0.0.1:5353')})
  })

  it('refuses what is not an address or a domain (exit 2)', async () => {
    const r = await runCli(['providers', 'detect', 'not a domain'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('"not a domain" is not an e-mail address or a domain')
  })
})
