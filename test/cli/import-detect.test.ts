/**
 * `account import` rows that leave their servers empty: detected per domain before anything is sent,
 * through a DNS server and an HTTPS autoconfig server on 127.0.0.1 (test/helpers/detection-fixtures.ts).
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {runCli} from '../helpers/cli.js'
import {startDetectionFixtures, type DetectionFixtures} from '../helpers/detection-fixtures.js'
import {readResults, writeCsv} from '../helpers/import-csv.js'

describe('account import detects the servers rows leave empty', () => {
  let fx: DetectionFixtures
  let sandbox: Sandbox
  beforeAll(async () => {
    fx = await startDetectionFixtures()
    // HasMXRecord asks the same test zone, so nothing leaves the machine.
    sandbox = await startSandbox({port: 0, schemaCheck: false, mail: {dnsServers: [fx.dns.server]}})
  })
  afterAll(async () => {
    await sandbox?.close()
    await fx?.close()
  })
  // DNS on (SOEMAIL_OFFLINE unset), through the test zone; the login test stays off (nothing to log in to).
  const env = () => ({SOEMAIL_URL: sandbox.url, SOEMAIL_TICKET: sandbox.demoTicket, SOEMAIL_OFFLINE: undefined, ...fx.env})
  const header = 'email,associate,imap_password,smtp_password'
  const stored = (email: string) => sandbox.accounts().find((a) => a.emailAddress === email)

  it('fills each row from its domain (SRV, autoconfig), shows the source in the dry-run, and refuses a domain with nothing found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-import-detect-'))
    const file = writeCsv(join(dir, 'detect.csv'), ['kari@srv.test,7,a,b', 'ola@wk.test,8,a,b', 'eva@nothing.test,9,a,b', 'per@srv.test,10,a,b'], header)
    const ca = ['--ca-file', fx.https.ca.caFile]

    const plan = await runCli(['account', 'import', file, '--dry-run', '--skip-invalid', ...ca], {env: env()})
    expect(plan.code, plan.stderr).toBe(6)
    expect(plan.stdout).toMatch(/line 2\s+create\s+kari@srv\.test.* IMAP imap\.srv\.test:993 \(from SRV _imaps\._tcp\), SMTP smtp\.srv\.test:587 \(from SRV _submission\._tcp\)/)
    expect(plan.stdout).toMatch(/line 3\s+create\s+ola@wk\.test.* IMAP imap\.wk\.test:993 \(from autoconfig https:\/\/wk\.test:\d+\/\.well-known\//)
    expect(plan.stdout).toMatch(/line 4\s+invalid\s+eva@nothing\.test.*no IMAP server found for nothing\.test; tried .*Give the imap_server column, or a provider column/)
    // srv.test was asked once for both of its rows.
    expect(fx.dns.queries.filter((q) => q === 'SRV _imaps._tcp.srv.test')).toHaveLength(1)

    // Without --skip-invalid the file stops before anything is sent.
    const stopped = await runCli(['account', 'import', file, ...ca], {env: env()})
    expect(stopped.code).toBe(3)
    expect(stopped.stderr).toMatch(/validation failed, nothing sent \(1 of 4 rows leave servers empty that detection did not find\):\n\s+line 4, column imap_server: no IMAP server found for nothing\.test/)
    expect(stored('kari@srv.test')).toBeUndefined()

    const res = await runCli(['account', 'import', file, '--skip-invalid', ...ca], {env: env()})
    expect(res.code, res.stderr).toBe(6)
    expect(readResults(readFileSync(`${file}.results.csv`, 'utf8')).map((r) => r.status)).toEqual(['ok', 'ok', 'invalid', 'ok'])
    expect(stored('kari@srv.test')).toMatchObject({incoming: {server: 'imap.srv.test', port: 993, username: 'kari@srv.test'}, outgoing: {server: 'smtp.srv.test', port: 587}})
    expect(stored('ola@wk.test')).toMatchObject({incoming: {server: 'imap.wk.test', port: 993, username: 'ola'}, outgoing: {server: 'smtp.wk.test', port: 465}})
    expect(stored('eva@nothing.test')).toBeUndefined()
  })

  it('--offline keeps to the built-in table: a gmail.com row is filled, a custom domain is refused without a lookup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-import-detect-'))
    const file = writeCsv(join(dir, 'offline.csv'), ['kari.test@gmail.com,7,a,b', 'kari@srv.test,7,a,b'], header)
    const asked = fx.dns.queries.length
    const res = await runCli(['account', 'import', file, '--offline', '--skip-invalid'], {env: env()})
    expect(res.code, res.stderr).toBe(6)
    expect(fx.dns.queries.length).toBe(asked)
    expect(stored('kari.test@gmail.com')).toMatchObject({incoming: {server: 'imap.gmail.com', port: 993}, outgoing: {server: 'smtp.gmail.com'}})
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results[0]!.error).toMatch(/warning: .*app password/i)
    expect(results[1]).toMatchObject({status: 'invalid', error: expect.stringMatching(/no IMAP server found for srv\.test \(--offline: the built-in table only\)/)})
  })
})
