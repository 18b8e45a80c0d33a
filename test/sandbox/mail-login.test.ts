/**
 * The sandbox's AuthenticateIncoming / AuthenticateOutgoing against real mail servers on 127.0.0.1
 * (Dovecot, and smtp-server with AUTH), called over HTTP through the client's EMailService.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {verifyAccount} from '../../src/accounts/verify.js'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {NetServerError} from '../../src/soap/errors.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {MAIL_USERS} from '../helpers/dovecot.js'
import {dovecotInstalled, useMailServers} from '../helpers/mail-servers.js'
import {SMTP_USERS} from '../helpers/smtp.js'

const haveDovecot = dovecotInstalled()

describe.skipIf(!haveDovecot)('sandbox login tests against real mail servers', () => {
  const servers = useMailServers()
  let sandbox: Sandbox
  let strict: Sandbox
  let impatient: Sandbox
  const log: string[] = []
  const transport = new SoapTransport({timeoutMs: 30_000})
  const email = (s: Sandbox) => new EMailService(new NetServerClient({baseUrl: s.url, version: '87', ticket: s.demoTicket}, transport))

  beforeAll(async () => {
    sandbox = await startSandbox({mail: {ca: servers.current.ca.caPem, timeoutMs: 10_000}, log: (line) => log.push(line)})
    // Trusts only the system's roots, as a sandbox started without --ca-file does.
    strict = await startSandbox({mail: {timeoutMs: 10_000}})
    impatient = await startSandbox({mail: {ca: servers.current.ca.caPem, timeoutMs: 1500}})
  })
  afterAll(async () => {
    await Promise.all([sandbox?.close(), strict?.close(), impatient?.close()])
    transport.close()
  })

  const imapPlain = () => `127.0.0.1:${servers.current.imap.plainPort}`
  const imapTls = () => `127.0.0.1:${servers.current.imap.tlsPort}`
  const logins = () => servers.current.imap.log().split('\n').filter((l) => l.includes('imap-login: Info: Login:'))

  it('IMAP: the right password on the plain port is true, and the login went over STARTTLS', async () => {
    expect(await email(sandbox).authenticateIncoming({serverName: imapPlain(), userName: 'alice', password: MAIL_USERS.alice})).toBe(true)
    // Dovecot writes "TLS" for a login after STARTTLS (a cleartext loopback login says only "secured").
    expect(logins().at(-1)).toMatch(/user=<alice>.*\bTLS\b/)
  })

  it('IMAP: UseSSL means TLS from the first byte (the 993 style), trusting the --ca-file CA', async () => {
    expect(await email(sandbox).authenticateIncoming({serverName: imapTls(), userName: 'bob', password: MAIL_USERS.bob, useSsl: true})).toBe(true)
    expect(logins().at(-1)).toMatch(/user=<bob>.*\bTLS\b/)
  })

  it('IMAP: a wrong password is false (not a fault); the reason is on the sandbox log, the password nowhere', async () => {
    log.length = 0
    expect(await email(sandbox).authenticateIncoming({serverName: imapPlain(), userName: 'alice', password: 'not-the-password'})).toBe(false)
    const line = log.find((l) => l.startsWith('AuthenticateIncoming'))
    expect(line).toMatch(/alice@127\.0\.0\.1:\d+.*false.*authentication failed/i)
    expect(log.join('\n')).not.toContain('not-the-password')
  })

  it('IMAP: a Folder is selected after the login; one that does not exist makes it false', async () => {
    const info = {serverName: imapPlain(), userName: 'alice', password: MAIL_USERS.alice}
    expect(await email(sandbox).authenticateIncoming({...info, folder: 'INBOX'})).toBe(true)
    expect(await email(sandbox).authenticateIncoming({...info, folder: 'No such folder'})).toBe(false)
  })

  it('IMAP: a certificate from a CA the sandbox does not trust is false', async () => {
    expect(await email(strict).authenticateIncoming({serverName: imapTls(), userName: 'alice', password: MAIL_USERS.alice, useSsl: true})).toBe(false)
  })

  it('IMAP: a closed port is false', async () => {
    expect(await email(sandbox).authenticateIncoming({serverName: '127.0.0.1:1', userName: 'alice', password: MAIL_USERS.alice})).toBe(false)
  })

  it('SMTP: the right password over STARTTLS is true (the server takes AUTH only over TLS); a wrong one false', async () => {
    const serverName = `127.0.0.1:${servers.current.smtp.startTlsPort}`
    expect(await email(sandbox).authenticateOutgoing({serverName, userName: 'alice', password: SMTP_USERS.alice})).toBe(true)
    expect(servers.current.smtp.attempts.at(-1)).toEqual({user: 'alice', ok: true, secure: true})
    expect(await email(sandbox).authenticateOutgoing({serverName, userName: 'alice', password: 'wrong'})).toBe(false)
    expect(servers.current.smtp.attempts.at(-1)).toEqual({user: 'alice', ok: false, secure: true})
  })

  it('SMTP: implicit TLS (the 465 style) with UseSSL', async () => {
    const serverName = `localhost:${servers.current.smtp.tlsPort}`
    expect(await email(sandbox).authenticateOutgoing({serverName, userName: 'bob', password: SMTP_USERS.bob, useSsl: true})).toBe(true)
    // Without UseSSL, on a port other than 465, the client waits for a greeting in clear that never comes: the timeout bounds it.
    expect(await email(impatient).authenticateOutgoing({serverName, userName: 'bob', password: SMTP_USERS.bob})).toBe(false)
  })

  it('refuses, as an exception that names the flag, to reach a server outside loopback', async () => {
    const error = await email(sandbox).authenticateIncoming({serverName: '192.0.2.10:993', userName: 'alice', password: 'x'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetServerError)
    expect((error as Error).message).toMatch(/only to loopback.*192\.0\.2\.10.*--allow-remote-mail/)
  })

  it('verifyAccount runs both sides and names the side that failed, without the password', async () => {
    const account = {
      incoming: {server: '127.0.0.1', port: servers.current.imap.plainPort, username: 'alice', password: 'typo-secret'},
      outgoing: {server: '127.0.0.1', port: servers.current.smtp.startTlsPort, username: 'alice', password: SMTP_USERS.alice},
    }
    const result = await verifyAccount(email(sandbox), account)
    expect(result.ok).toBe(false)
    expect(result.outgoing).toEqual({ok: true})
    expect(result.incoming.ok).toBe(false)
    expect(result.incoming.reason).toMatch(/^incoming \(IMAP\): login as alice@127\.0\.0\.1:\d+ failed/)
    expect(JSON.stringify(result)).not.toContain('typo-secret')
    const good = await verifyAccount(email(sandbox), {...account, incoming: {...account.incoming, password: MAIL_USERS.alice}})
    expect(good).toEqual({ok: true, incoming: {ok: true}, outgoing: {ok: true}})
  })
})
