/**
 * `account save` from the built CLI with the login test on: the sandbox logs in to real IMAP (Dovecot)
 * and SMTP servers on 127.0.0.1, as NetServer does from the CRM server.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {parseJson, runCli} from '../helpers/cli.js'
import {MAIL_USERS} from '../helpers/dovecot.js'
import {dovecotInstalled, useMailServers} from '../helpers/mail-servers.js'
import {SMTP_USERS} from '../helpers/smtp.js'

const haveDovecot = dovecotInstalled()

describe.skipIf(!haveDovecot)('account save verifies before it saves (built CLI, real mail servers)', () => {
  const servers = useMailServers()
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await startSandbox({port: 0, mail: {ca: servers.current.ca.caPem, timeoutMs: 10_000}})
  }, 30_000)
  afterAll(async () => {
    await sandbox?.close()
  })
  const env = () => ({SOEMAIL_URL: sandbox.url, SOEMAIL_TICKET: sandbox.demoTicket, SOEMAIL_VERIFY: undefined})
  const args = (email: string) => ['account', 'save', '--email', email, '--associate', 'kari', '--imap-server', '127.0.0.1', '--imap-port', String(servers.current.imap.plainPort), '--imap-username', 'bob', '--smtp-server', '127.0.0.1', '--smtp-port', String(servers.current.smtp.startTlsPort), '--smtp-username', 'bob', '--imap-password-stdin', '--smtp-password-stdin']
  const count = (email: string) => sandbox.accounts().filter((a) => a.emailAddress === email).length

  it('the right passwords: tested, then saved (exit 0, the verification in --json)', async () => {
    const res = await runCli([...args('bob@example.com'), '--json'], {env: env(), input: `${MAIL_USERS.bob}\n${SMTP_USERS.bob}\n`})
    expect(res.code, res.stderr).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({action: 'created', verification: {ok: true}})
    expect(count('bob@example.com')).toBe(1)
  })

  it('a wrong IMAP password: exit 3, the incoming side named, nothing saved, no secret printed', async () => {
    const res = await runCli(args('typo@example.com'), {env: env(), input: `typo-imap-secret\n${SMTP_USERS.bob}\n`})
    expect(res.code).toBe(3)
    expect(res.stderr).toMatch(/the login test failed, nothing saved: incoming \(IMAP\): login as bob@127\.0\.0\.1:\d+ failed as tested by the CRM server/)
    expect(res.stderr).toContain('--save-unverified')
    expect(res.stdout + res.stderr).not.toMatch(/typo-imap-secret|bob-smtp-secret/)
    expect(count('typo@example.com')).toBe(0)
  })

  it('Microsoft 365: exit 3 with the way to connect it, before any login test', async () => {
    const before = sandbox.stats().byOperation.AuthenticateIncoming ?? 0
    const res = await runCli(['account', 'save', '--email', 'kari@example.com', '--associate', 'kari', '--provider', 'microsoft365', '--imap-password-stdin', '--smtp-password-stdin'], {env: env(), input: 'a\nb\n'})
    expect(res.code).toBe(3)
    expect(res.stderr).toContain('Sign in with Microsoft')
    expect(sandbox.stats().byOperation.AuthenticateIncoming ?? 0).toBe(before)
  })
})
