/**
 * `soemail account check` and `soemail sandbox --ca-file` from the built CLI, the sandbox testing logins
 * against real mail servers on 127.0.0.1 (Dovecot, smtp-server).
 */
import type {ChildProcess} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {EMailAccount} from '../../src/soap/account-model.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {parseJson, runCli} from '../helpers/cli.js'
import {JSON_READY, startSandboxCli} from '../helpers/cli-sandbox.js'
import {MAIL_USERS} from '../helpers/dovecot.js'
import {dovecotInstalled, useMailServers} from '../helpers/mail-servers.js'
import {SMTP_USERS} from '../helpers/smtp.js'

const haveDovecot = dovecotInstalled()

describe.skipIf(!haveDovecot)('soemail account check (built CLI, real mail servers)', () => {
  const servers = useMailServers()
  let sandbox: {child: ChildProcess; url: string; ticket: string; stderr: () => string}
  const ids = {good: 0, wrongImap: 0, remote: 0}
  const transport = new SoapTransport({timeoutMs: 30_000})

  beforeAll(async () => {
    const started = await startSandboxCli(['--json', '--ca-file', servers.current.ca.caFile, '--mail-timeout', '10'], JSON_READY)
    const info = (parseJson(started.stdout()).result ?? {}) as {url: string; ticket: string}
    sandbox = {child: started.child, url: info.url, ticket: info.ticket, stderr: started.stderr}
    const email = new EMailService(new NetServerClient({baseUrl: info.url, version: '87', ticket: info.ticket}, transport))
    const account = (address: string, imap: {server?: string; password: string}): EMailAccount => ({
      emailAddress: address,
      associateId: 5,
      incoming: {server: imap.server ?? '127.0.0.1', port: servers.current.imap.plainPort, username: 'bob', password: imap.password},
      outgoing: {server: 'localhost', port: servers.current.smtp.startTlsPort, username: 'bob', password: SMTP_USERS.bob},
    })
    const save = async (a: EMailAccount) => (await email.saveEMailAccount(a)).emailAccountId ?? 0
    ids.good = await save(account('good@example.com', {password: MAIL_USERS.bob}))
    ids.wrongImap = await save(account('wrong@example.com', {password: 'wrong-imap-secret'}))
    ids.remote = await save(account('remote@example.com', {server: '192.0.2.10', password: MAIL_USERS.bob}))
  }, 40_000)
  afterAll(async () => {
    transport.close()
    if (sandbox) {
      const closed = new Promise((resolve) => sandbox.child.once('close', resolve))
      sandbox.child.kill('SIGTERM')
      await closed
    }
  })

  const env = () => ({SOEMAIL_URL: sandbox.url, SOEMAIL_TICKET: sandbox.ticket})

  it('--verify --json: exit 6, the incoming side of the wrong password named, the good account fine, no password printed', async () => {
    const res = await runCli(['account', 'check', String(ids.good), String(ids.wrongImap), '--verify', '--json'], {env: env(), timeoutMs: 60_000})
    expect(res.code, res.stderr).toBe(6)
    const out = parseJson(res.stdout)
    const accounts = (out.error?.details as {accounts: Array<{id: number; attention: boolean; why: string[]}>}).accounts
    expect(accounts.map((a) => [a.id, a.attention])).toEqual([
      [ids.good, false],
      [ids.wrongImap, true],
    ])
    expect(accounts[1]?.why.join()).toMatch(/^incoming \(IMAP\): login as bob@127\.0\.0\.1:\d+ failed/)
    expect(res.stdout + res.stderr).not.toMatch(/wrong-imap-secret|bob-imap-secret|bob-smtp-secret/)
    // The reason is on the sandbox's side, as on a NetServer; the password is not.
    expect(sandbox.stderr()).toMatch(/AuthenticateIncoming bob@127\.0\.0\.1:\d+ .*false \(authentication failed/)
    expect(sandbox.stderr()).not.toContain('wrong-imap-secret')
  }, 60_000)

  it('a healthy account checks with exit 0', async () => {
    const res = await runCli(['account', 'check', String(ids.good), '--verify'], {env: env(), timeoutMs: 60_000})
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/good@example\.com\s+Unknown\s+0\s+ok/)
    expect(res.stdout).toContain('All 1 account(s) look fine.')
  }, 60_000)

  it('a server outside loopback is refused by the sandbox, and the report says which flag would allow it', async () => {
    const res = await runCli(['account', 'check', String(ids.remote), '--verify'], {env: env(), timeoutMs: 60_000})
    expect(res.code).toBe(6)
    expect(res.stdout).toMatch(/incoming \(IMAP\): the CRM server did not test bob@192\.0\.2\.10:\d+: .*--allow-remote-mail/)
  }, 60_000)

  it('sandbox --ca-file that cannot be read stops at start with a usage error', async () => {
    const res = await runCli(['sandbox', '--ca-file', '/nonexistent/ca.pem'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('--ca-file /nonexistent/ca.pem cannot be read')
  })
})
