import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startDetectionFixtures, type DetectionFixtures} from '../helpers/detection-fixtures.js'
import {useSandbox} from '../helpers/sandbox.js'
import {CTRL_C, ENTER, hasScript, runInPty} from '../helpers/pty.js'


// .ci/system-packages installs util-linux; a machine without `script` cannot make a pseudo-terminal here.
describe.skipIf(!hasScript)('account save on a terminal (pseudo-terminal via script)', () => {
  const sandbox = useSandbox()
  const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})

  it('asks for every missing field, masks passwords, shows a summary and creates after confirmation', async () => {
    const before = sandbox.current.accounts().length
    const session = await runInPty(['account', 'save'], [
      {when: /E-mail address/, type: `kari.nordmann@example.no${ENTER}`},
      // The owner prompt searches the server's user list as one types; Enter takes the highlighted user.
      {when: /Owner/, type: 'magn'},
      {when: /Magnus Larsen \(magnus, #7\)/, type: ENTER},
      // Nothing detected (no DNS in the tests): the provider choice defaults to typing the servers.
      {when: /Mail provider/, type: ENTER},
      {when: /IMAP server/, type: ENTER},
      {when: /IMAP port/, type: ENTER},
      {when: /IMAP user name/, type: ENTER},
      {when: /IMAP password/, type: `hemmelig-imap${ENTER}`},
      {when: /SMTP server/, type: ENTER},
      {when: /SMTP port/, type: ENTER},
      {when: /SMTP user name/, type: ENTER},
      {when: /Use the IMAP password for SMTP too\?/, type: `n${ENTER}`},
      {when: /SMTP password/, type: `hemmelig-smtp${ENTER}`},
      {when: /Create this account\?/, type: `y${ENTER}`},
    ], env())
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toMatch(/Created account \d+ for kari.nordmann@example.no/)
    expect(session.screen).not.toContain('hemmelig')
    expect(sandbox.current.accounts().length).toBe(before + 1)
    const stored = sandbox.current.accounts().find((a) => a.emailAddress === 'kari.nordmann@example.no')
    expect(stored).toMatchObject({
      associateId: 7,
      incoming: {server: 'imap.example.no', port: 993, username: 'kari.nordmann@example.no', password: 'hemmelig-imap'},
      outgoing: {server: 'smtp.example.no', port: 587, username: 'kari.nordmann@example.no', password: 'hemmelig-smtp'},
    })
  })

  it('asks only for what the flags did not give, and sends nothing when the user declines', async () => {
    const before = sandbox.current.accounts().length
    const session = await runInPty(
      ['account', 'save', '--email', 'ola@example.no', '--associate', '5', '--imap-server', 'mail.example.no', '--smtp-server', 'mail.example.no', '--imap-port', '143', '--smtp-port', '25', '--imap-username', 'ola', '--smtp-username', 'ola'],
      [
        {when: /IMAP password/, type: `pw${ENTER}`},
        {when: /Use the IMAP password for SMTP too\?/, type: ENTER},
        {when: /Create this account\?/, type: `n${ENTER}`},
      ],
      env(),
    )
    expect(session.screen).not.toMatch(/\? (E-mail address|Owner|IMAP server|IMAP port)/)
    expect(session.screen.includes('\u001b[1m'), 'NO_COLOR is honoured').toBe(false)
    expect(session.screen).toMatch(/cancelled; nothing was sent/)
    expect(session.code).toBe(1)
    expect(sandbox.current.accounts().length).toBe(before)
  })

  it('Ctrl-C at a prompt exits 130 and sends nothing', async () => {
    const before = sandbox.current.accounts().length
    const session = await runInPty(['account', 'save'], [{when: /E-mail address/, type: CTRL_C}], env())
    expect(session.code).toBe(130)
    expect(session.screen).toMatch(/interrupted/)
    expect(sandbox.current.accounts().length).toBe(before)
  })

  it('delete asks first and defaults to no', async () => {
    const create = await runInPty(['account', 'save', '--email', 'del@example.no', '--associate', '5', '--imap-server', 'i.example.no', '--smtp-server', 's.example.no', '--imap-password', 'x', '--smtp-password', 'y', '--yes'], [], env())
    expect(create.code, create.screen).toBe(0)
    const id = Number(/Created account (\d+)/.exec(create.screen)?.[1])
    const kept = await runInPty(['account', 'delete', String(id)], [{when: /Delete account \d+/, type: ENTER}], env())
    expect(kept.code).toBe(1)
    expect(sandbox.current.accounts().some((a) => a.emailAccountId === id)).toBe(true)
    const gone = await runInPty(['account', 'delete', String(id)], [{when: /Delete account \d+/, type: `y${ENTER}`}], env())
    expect(gone.code, gone.screen).toBe(0)
    expect(sandbox.current.accounts().some((a) => a.emailAccountId === id)).toBe(false)
  })
})

describe.skipIf(!hasScript)('account save on a terminal offers the detected servers', () => {
  const fixtures: {current?: DetectionFixtures} = {}
  // The sandbox's HasMXRecord asks the test zone too: registered first, this hook fills `mail` before the sandbox starts.
  const mail: {dnsServers?: string[]} = {}
  beforeAll(async () => {
    fixtures.current = await startDetectionFixtures()
    mail.dnsServers = [fixtures.current.dns.server]
  })
  const sandbox = useSandbox({mail})
  afterAll(async () => {
    await fixtures.current?.close()
  })

  it('detection runs once the address is typed, and its servers and ports are the defaults Enter takes', async () => {
    // DNS on (SOEMAIL_OFFLINE unset) through the test zone on 127.0.0.1; the login test stays off.
    const env = {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket, SOEMAIL_OFFLINE: undefined, ...fixtures.current!.env}
    const session = await runInPty(['account', 'save', '--associate', '7'], [
      {when: /E-mail address/, type: `eva@srv.test${ENTER}`},
      {when: /Detected: imap\.srv\.test, smtp\.srv\.test/, type: ENTER},
      {when: /IMAP server/, type: ENTER},
      {when: /IMAP port/, type: ENTER},
      {when: /IMAP user name/, type: ENTER},
      {when: /IMAP password/, type: `pw-imap${ENTER}`},
      {when: /SMTP server/, type: ENTER},
      {when: /SMTP port/, type: ENTER},
      {when: /SMTP user name/, type: ENTER},
      {when: /Use the IMAP password for SMTP too\?/, type: ENTER},
      {when: /Create this account\?/, type: `y${ENTER}`},
    ], env)
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toContain('Found for eva@srv.test: IMAP imap.srv.test:993 (from SRV _imaps._tcp), SMTP smtp.srv.test:587 (from SRV _submission._tcp)')
    expect(sandbox.current.accounts().find((a) => a.emailAddress === 'eva@srv.test')).toMatchObject({
      incoming: {server: 'imap.srv.test', port: 993, username: 'eva@srv.test'},
      outgoing: {server: 'smtp.srv.test', port: 587},
    })
  })

  it("a known provider's IMAP host suggests its SMTP host and port: Microsoft's SMTP is smtp.office365.com:587", async () => {
    const env = {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket}
    const session = await runInPty(['account', 'save', '--email', 'per@example.no', '--associate', '7', '--imap-server', 'outlook.office365.com', '--imap-username', 'per@example.no', '--imap-password', 'x', '--allow-password-auth'], [
      {when: /IMAP port/, type: ENTER},
      {when: /SMTP server/, type: ENTER},
      {when: /SMTP port/, type: ENTER},
      {when: /SMTP user name/, type: ENTER},
      {when: /Use the IMAP password for SMTP too\?/, type: ENTER},
      {when: /Create this account\?/, type: `n${ENTER}`},
    ], env)
    expect(session.screen).toMatch(/SMTP server \(smtp\.office365\.com\)/)
    expect(session.screen).toMatch(/SMTP port \(587\)/)
    expect(session.screen).not.toMatch(/SMTP server \(outlook\.office365\.com\)/)
  })

  it('a built-in preset picked from the provider choice fills the servers, ports and user names', async () => {
    const env = {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket}
    const down = '\u001B[B'
    const session = await runInPty(['account', 'save', '--email', 'kari.test@example.no', '--associate', '7'], [
      // Other, Microsoft 365, Outlook.com, Google: three steps down.
      {when: /Mail provider/, type: `${down}${down}${down}`},
      {when: /Google Workspace \/ Gmail: imap\.gmail\.com/, type: ENTER},
      {when: /IMAP server/, type: ENTER},
      {when: /IMAP port/, type: ENTER},
      {when: /IMAP user name/, type: ENTER},
      {when: /IMAP password/, type: `app-pw${ENTER}`},
      {when: /SMTP server/, type: ENTER},
      {when: /SMTP port/, type: ENTER},
      {when: /SMTP user name/, type: ENTER},
      {when: /Use the IMAP password for SMTP too\?/, type: ENTER},
      {when: /Create this account\?/, type: `y${ENTER}`},
    ], env)
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toMatch(/Warning: .*app password/i)
    expect(sandbox.current.accounts().find((a) => a.emailAddress === 'kari.test@example.no')).toMatchObject({
      incoming: {server: 'imap.gmail.com', port: 993, username: 'kari.test@example.no'},
      outgoing: {server: 'smtp.gmail.com', port: 465},
    })
  })
})
