import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runAccountSave, type AccountSaveOptions} from '../../src/app/account-save.js'
import {CliError} from '../../src/errors.js'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {startDetectionFixtures, type DetectionFixtures} from '../helpers/detection-fixtures.js'
import {MAIL_USERS} from '../helpers/dovecot.js'
import {dovecotInstalled, useMailServers} from '../helpers/mail-servers.js'
import {SMTP_USERS} from '../helpers/smtp.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

/**
 * account save's checks before it writes, against the sandbox logging in to real IMAP (Dovecot) and SMTP
 * servers on 127.0.0.1, and a DNS server on 127.0.0.1 for MX and detection: Microsoft 365 refused, the
 * login tested from the "CRM server", MX advice, --provider and detection filling the servers.
 */
const haveDovecot = dovecotInstalled()

describe.skipIf(!haveDovecot)('runAccountSave checks', () => {
  const servers = useMailServers()
  const sandbox: {current: Sandbox} = {} as {current: Sandbox}
  let fixtures: DetectionFixtures
  const worlds = useWorlds(sandbox)
  // The checks on (the helpers turn them off for other tests), DNS on 127.0.0.1.
  const world = (env: NodeJS.ProcessEnv = {}) => worlds({env: {SOEMAIL_VERIFY: undefined, SOEMAIL_OFFLINE: undefined, ...fixtures.env, ...env}})

  beforeAll(async () => {
    fixtures = await startDetectionFixtures()
    sandbox.current = await startSandbox({mail: {ca: servers.current.ca.caPem, timeoutMs: 10_000, dnsServers: [fixtures.dns.server]}})
  }, 30_000)
  afterAll(async () => {
    await sandbox.current?.close()
    await fixtures?.close()
  })

  let n = 0
  /** A create on the local mail servers, at srv.test (a domain with an MX record). */
  const local = (over: Partial<AccountSaveOptions> = {}): AccountSaveOptions => ({
    ...NO_FLAGS,
    email: `alice${++n}@srv.test`,
    associate: '7',
    'imap-server': '127.0.0.1',
    'imap-port': servers.current.imap.plainPort,
    'imap-username': 'alice',
    'imap-password': MAIL_USERS.alice,
    'smtp-server': '127.0.0.1',
    'smtp-port': servers.current.smtp.startTlsPort,
    'smtp-username': 'alice',
    'smtp-password': SMTP_USERS.alice,
    ...over,
  })
  const failure = async (promise: Promise<unknown>): Promise<CliError> => {
    const error = await promise.then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(CliError)
    return error as CliError
  }
  const stored = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email)

  it('the right passwords: both logins are tested from the server, then the account is saved', async () => {
    const w = world()
    const opts = local()
    const result = (await runAccountSave(opts, w)) as {action: string; verification: {ok: boolean}}
    expect(result).toMatchObject({action: 'created', verification: {ok: true, incoming: {ok: true}, outgoing: {ok: true}}})
    expect(w.stderr.text()).toContain('Testing the logins from the CRM server')
    expect(w.stderr.text()).toContain('✓ The CRM server logged in to IMAP and SMTP')
    expect(stored(opts.email as string)).toHaveLength(1)
  })

  it('a wrong IMAP password: exit 3 naming the incoming side, nothing saved, no password in the message', async () => {
    const opts = local({'imap-password': 'typo-secret'})
    const error = await failure(runAccountSave(opts, world()))
    expect(error).toMatchObject({exitCode: 3, code: 'VERIFY_FAILED'})
    expect(error.message).toMatch(/^the login test failed, nothing saved: incoming \(IMAP\): login as alice@127\.0\.0\.1:\d+ failed/)
    expect(error.message).not.toMatch(/outgoing/)
    expect(`${error.message} ${error.hint} ${JSON.stringify(error.details)}`).not.toContain('typo-secret')
    expect(error.hint).toContain('--save-unverified')
    expect(stored(opts.email as string)).toHaveLength(0)
  })

  it('a wrong SMTP password names the outgoing side', async () => {
    const error = await failure(runAccountSave(local({'smtp-password': 'typo-secret'}), world()))
    expect(error.message).toMatch(/nothing saved: outgoing \(SMTP\): login as alice@127\.0\.0\.1:\d+ failed/)
  })

  it('--save-unverified saves a failed one with a warning; --no-verify (and SOEMAIL_VERIFY=off) test nothing', async () => {
    const w = world()
    const opts = local({'imap-password': 'typo-secret', 'save-unverified': true})
    expect(await runAccountSave(opts, w)).toMatchObject({action: 'created', verification: {ok: false}})
    expect(w.stderr.text()).toMatch(/Warning: saved without a working login \(--save-unverified\): incoming \(IMAP\)/)
    expect(stored(opts.email as string)).toHaveLength(1)

    for (const [over, env] of [[{verify: false}, {}], [{}, {SOEMAIL_VERIFY: 'off'}]] as const) {
      const quiet = world(env)
      const unverified = local({'imap-password': 'typo-secret', ...over})
      const result = await runAccountSave(unverified, quiet)
      expect(result).toMatchObject({action: 'created'})
      expect(result).not.toHaveProperty('verification')
      expect(quiet.stderr.text()).not.toContain('Testing the logins')
    }
    await expect(runAccountSave(local(), world({SOEMAIL_VERIFY: 'maybe'}))).rejects.toMatchObject({exitCode: 2, message: expect.stringContaining('SOEMAIL_VERIFY is "maybe"')})
  })

  it('an update tests only the side whose login changes, and nothing when no login changes', async () => {
    const created = (await runAccountSave(local(), world())) as {account: {id: number}}
    const id = created.account.id
    // A wrong SMTP password is caught: only the outgoing side is tested (the IMAP one would pass).
    const error = await failure(runAccountSave({...NO_FLAGS, id, 'smtp-password': 'typo-secret'}, world()))
    expect(error.message).toMatch(/nothing saved: outgoing \(SMTP\)/)
    expect(sandbox.current.accounts().find((a) => a.emailAccountId === id)?.outgoing?.password).toBe(SMTP_USERS.alice)
    // The stored IMAP password (read back from the server) is the one tested with a new user-name-less change.
    const w = world()
    expect(await runAccountSave({...NO_FLAGS, id, 'imap-port': servers.current.imap.plainPort, 'smtp-port': servers.current.smtp.startTlsPort, email: `renamed${id}@srv.test`}, w)).toMatchObject({action: 'updated'})
    expect(w.stderr.text()).not.toContain('Testing the logins')
  })

  it('Microsoft 365 by its servers: refused with exit 3 and the way to connect it; --allow-password-auth saves with a warning', async () => {
    const opts = local({'imap-server': 'outlook.office365.com', 'imap-port': 993, 'smtp-server': 'smtp.office365.com', 'smtp-port': 587})
    const error = await failure(runAccountSave(opts, world()))
    expect(error).toMatchObject({exitCode: 3, code: 'OAUTH_ONLY'})
    expect(error.message).toContain('accepts only OAuth ("Sign in with Microsoft") in SuperOffice')
    expect(error.hint).toContain('connect the mailbox in SuperOffice Inbox with "Sign in with Microsoft"')
    expect(stored(opts.email as string)).toHaveLength(0)

    const w = world()
    const allowed = {...opts, 'allow-password-auth': true, verify: false}
    expect(await runAccountSave(allowed, w)).toMatchObject({action: 'created'})
    expect(w.stderr.text()).toMatch(/Warning: the IMAP server outlook\.office365\.com:993 is Microsoft 365.*Saving it anyway \(--allow-password-auth\)/)
  })

  it("Microsoft 365 by the domain's MX (a custom domain), whatever the servers are called", async () => {
    const error = await failure(runAccountSave(local({email: 'kari@m365.test'}), world()))
    expect(error).toMatchObject({exitCode: 3, code: 'OAUTH_ONLY', message: expect.stringContaining("the domain's MX host m365-test.mail.protection.outlook.com")})
    // --offline asks no DNS: only the servers decide, and 127.0.0.1 is nobody's.
    expect(await runAccountSave(local({email: 'kari2@m365.test', offline: true}), world())).toMatchObject({action: 'created'})
  })

  it('warns (and still saves) when the server finds no MX record for the domain', async () => {
    const w = world()
    expect(await runAccountSave(local({email: 'ola@nomx.test'}), w)).toMatchObject({action: 'created'})
    expect(w.stderr.text()).toContain('Warning: the CRM server finds no MX record for nomx.test: mail sent to ola@nomx.test will not arrive')
  })

  it('--provider fills the servers and ports; a given value wins; an unknown name exits 2 with the list', async () => {
    const w = world()
    const result = (await runAccountSave({...NO_FLAGS, email: 'per@example.no', associate: '7', provider: 'one.com', 'imap-password': 'x', 'smtp-password': 'y', verify: false}, w)) as {account: unknown}
    expect(result.account).toMatchObject({imap: {server: 'imap.one.com', port: 993, username: 'per@example.no'}, smtp: {server: 'send.one.com', port: 465}})
    expect(w.stderr.text()).toContain('IMAP server imap.one.com:993 (from --provider one.com)')
    const mixed = (await runAccountSave({...NO_FLAGS, email: 'per2@example.no', associate: '7', provider: 'one.com', 'smtp-server': 'smtp.example.no', 'imap-password': 'x', 'smtp-password': 'y', verify: false}, world())) as {account: unknown}
    expect(mixed.account).toMatchObject({imap: {server: 'imap.one.com'}, smtp: {server: 'smtp.example.no', port: 587}})
    await expect(runAccountSave({...NO_FLAGS, email: 'per3@example.no', associate: '7', provider: 'hotmale'}, world())).rejects.toMatchObject({exitCode: 2, message: 'unknown provider "hotmale"'})
  })

  it('servers not given are detected from the domain (SRV here), and the plan says where from', async () => {
    const w = world()
    const result = (await runAccountSave({...NO_FLAGS, email: 'eva@srv.test', associate: '7', 'imap-password': 'x', 'smtp-password': 'y', verify: false}, w)) as {account: unknown}
    expect(result.account).toMatchObject({imap: {server: 'imap.srv.test', port: 993}, smtp: {server: 'smtp.srv.test', port: 587}})
    expect(w.stderr.text()).toContain('IMAP server imap.srv.test:993 (from SRV _imaps._tcp)')
    expect(w.stderr.text()).toContain('SMTP server smtp.srv.test:587 (from SRV _submission._tcp)')
    // Nothing found: the missing flags are named, as before.
    await expect(runAccountSave({...NO_FLAGS, email: 'eva@nothing.test', associate: '7', 'imap-password': 'x', 'smtp-password': 'y'}, world())).rejects.toMatchObject({exitCode: 2, message: expect.stringContaining('--imap-server')})
  })
})
