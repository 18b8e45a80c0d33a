import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {keychainReachable} from '../helpers/keychain-gate.js'
import {rsaKeyPair} from '../helpers/keys.js'
import {useSandbox} from '../helpers/sandbox.js'
import {ENTER, runInPty} from '../helpers/pty.js'

const hasKeychain = await keychainReachable()

function secretToolLookup(profile: string, kind: string): string | undefined {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', 'soemail', 'username', `${profile}:${kind}`], {encoding: 'utf8'}) || undefined
  } catch {
    return undefined
  }
}

/** Every file under a directory that contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      const st = statSync(path)
      if (st.isDirectory()) walk(path)
      else if (st.isFile() && readFileSync(path).includes(needle)) hits.push(path)
    }
  }
  walk(dir)
  return hits
}

const sandbox = useSandbox()
const newHome = () => mkdtempSync(join(tmpdir(), 'soemail-home-'))
const loginArgs = (profile: string, url = sandbox.current.url) => ['login', '--profile', profile, '--url', url, '--username', 'demo', '--password-stdin']
const createArgs = ['account', 'save', '--email', 'k@example.com', '--associate', '5', '--imap-server', 'i.example.com', '--smtp-server', 's.example.com', '--imap-password', 'p1', '--smtp-password', 'p2']

describe.skipIf(!hasKeychain)('login, status, logout with the real Secret Service', () => {
  it('login stores the ticket in the Secret Service; commands then need no ticket; status never shows it; logout removes it', async () => {
    const home = newHome()
    const profile = `p${Date.now()}`
    const login = await runCli([...loginArgs(profile), '--json'], {env: {HOME: home}, input: 'demo\n'})
    expect(login.code, login.stdout + login.stderr).toBe(0)
    expect(parseJson(login.stdout).result).toMatchObject({profile, url: sandbox.current.url, associateId: 5, storage: 'keychain'})
    const ticket = secretToolLookup(profile, 'ticket')
    expect(ticket).toMatch(/^7T:/)
    expect(filesContaining(home, ticket!)).toEqual([])
    const profileFile = join(home, '.config', 'soemail', 'profiles.json')
    expect(statSync(profileFile).mode & 0o777).toBe(0o600)

    const saved = await runCli([...createArgs, '--profile', profile, '--json'], {env: {HOME: home}})
    expect(saved.code, saved.stderr).toBe(0)

    const status = await runCli(['status', '--profile', profile, '--json'], {env: {HOME: home}})
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).not.toContain(ticket!)
    expect(parseJson(status.stdout).result).toMatchObject({active: profile, profiles: [{profile, url: {value: sandbox.current.url, source: 'profile'}, ticket: {source: 'keychain'}, userName: 'demo'}]})
    const check = await runCli(['status', '--profile', profile, '--check'], {env: {HOME: home}})
    expect(check.code, check.stderr).toBe(0)
    expect(check.stdout).toMatch(/Ticket\s+from keychain/)
    expect(check.stdout).toContain('the server accepted the ticket')

    const logout = await runCli(['logout', '--profile', profile], {env: {HOME: home}})
    expect(logout.code, logout.stderr).toBe(0)
    expect(secretToolLookup(profile, 'ticket')).toBeUndefined()
    const after = await runCli(['account', 'get', '1', '--profile', profile, '--json'], {env: {HOME: home}})
    expect(after.code).toBe(4)
    expect(parseJson(after.stdout).error?.hint).toContain(`soemail login --profile ${profile}`)
  })

  it('on a terminal, login asks for the URL, user name and a masked password', async () => {
    const home = newHome()
    const profile = `pty${Date.now()}`
    const session = await runInPty(['login', '--profile', profile], [
      {when: /SuperOffice URL/, type: `${sandbox.current.url}${ENTER}`},
      {when: /User name/, type: `demo${ENTER}`},
      {when: /Password/, type: `demo${ENTER}`},
    ], {HOME: home})
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toMatch(/Logged in to .* as Demo User/)
    expect(session.screen).toMatch(/Password \*{4}/)
    expect(secretToolLookup(profile, 'ticket')).toMatch(/^7T:/)
    await runCli(['logout', '--profile', profile, '--all'], {env: {HOME: home}})
  })

  it('a wrong password exits 4 and stores nothing', async () => {
    const home = newHome()
    const res = await runCli([...loginArgs('wrongpw'), '--json'], {env: {HOME: home}, input: 'not-the-password\n'})
    expect(res.code).toBe(4)
    expect(parseJson(res.stdout).error).toMatchObject({code: 'LOGIN_FAILED', message: expect.stringContaining('user name or password was not accepted')})
    expect(secretToolLookup('wrongpw', 'ticket')).toBeUndefined()
  })

  it('an existing ticket from stdin is checked before it is stored', async () => {
    const home = newHome()
    const bad = await runCli(['login', '--profile', 'tk', '--url', sandbox.current.url, '--ticket-stdin', '--json'], {env: {HOME: home}, input: '7T:not-a-ticket\n'})
    expect(bad.code).toBe(4)
    expect(secretToolLookup('tk', 'ticket')).toBeUndefined()
    const good = await runCli(['login', '--profile', 'tk', '--url', sandbox.current.url, '--ticket-stdin'], {env: {HOME: home}, input: `${sandbox.current.demoTicket}\n`})
    expect(good.code, good.stderr).toBe(0)
    expect(secretToolLookup('tk', 'ticket')).toBe(sandbox.current.demoTicket)
    await runCli(['logout', '--profile', 'tk', '--all'], {env: {HOME: home}})
  })

  it('a stale SOEMAIL_TICKET over a good keychain ticket: exit 4 naming SOEMAIL_TICKET and to unset it, not "run soemail login"', async () => {
    const home = newHome()
    const profile = `stale${Date.now()}`
    expect((await runCli(loginArgs(profile, sandbox.current.url), {env: {HOME: home}, input: 'demo\n'})).code).toBe(0)
    const stale = await runCli(['account', 'get', '1', '--profile', profile, '--json'], {env: {HOME: home, SOEMAIL_TICKET: '7T:c3RhbGUtdGlja2V0'}})
    expect(stale.code).toBe(4)
    const error = (parseJson(stale.stdout) as {error: {code: string; hint: string}}).error
    expect(error.code).toBe('TICKET_REJECTED')
    expect(error.hint).toMatch(/The ticket came from SOEMAIL_TICKET, which is used before the one soemail login --profile stale\d+ stores: set a current ticket in it, or unset SOEMAIL_TICKET\./)
    const fromKeychain = await runCli(['account', 'get', '999999', '--profile', profile, '--json'], {env: {HOME: home}})
    expect(fromKeychain.code, fromKeychain.stdout).toBe(8)
    await runCli(['logout', '--profile', profile, '--all'], {env: {HOME: home}})
  })

  describe('with its own sandbox, whose tickets it expires', () => {
    const own = useSandbox()
    it('an expired ticket exits 4 naming soemail login; with SOEMAIL_USERNAME/PASSWORD it logs in again once and goes on', async () => {
      const home = newHome()
      const profile = `exp${Date.now()}`
      expect((await runCli(loginArgs(profile, own.current.url), {env: {HOME: home}, input: 'demo\n'})).code).toBe(0)
      const oldTicket = secretToolLookup(profile, 'ticket')
      own.current.expireTickets()
      const expired = await runCli(['account', 'get', '1', '--profile', profile], {env: {HOME: home}})
      expect(expired.code).toBe(4)
      expect(expired.stderr).toMatch(/rejected the ticket/)
      expect(expired.stderr).toContain(`The ticket came from the keychain (profile ${profile}): run soemail login --profile ${profile} to get a new one.`)

      const renewed = await runCli([...createArgs, '--profile', profile, '--json'], {env: {HOME: home, SOEMAIL_USERNAME: 'demo', SOEMAIL_PASSWORD: 'demo'}})
      expect(renewed.code, renewed.stderr).toBe(0)
      expect(renewed.stderr).toMatch(/session had expired; logged in again/)
      const newTicket = secretToolLookup(profile, 'ticket')
      expect(newTicket).toMatch(/^7T:/)
      expect(newTicket).not.toBe(oldTicket)
      expect(renewed.stderr + renewed.stdout).not.toContain(newTicket!)
      await runCli(['logout', '--profile', profile, '--all'], {env: {HOME: home}})
    })
  })

  it('doctor passes every check against the sandbox with a working keychain', async () => {
    const res = await runCli(['doctor', '--url', sandbox.current.url], {env: {HOME: newHome()}})
    expect(res.code, res.stdout + res.stderr).toBe(0)
    expect(res.stdout).toMatch(/✓ keychain: .*write, read and delete work/)
    expect(res.stdout).toMatch(/✓ endpoint: .*answers with the EMail WSDL/)
    expect(res.stdout).toMatch(/✓ clock/)
  })
})

describe('without a keychain', () => {
  const noBus = (home: string) => ({HOME: home, DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: undefined})

  it('login exits 5 before writing anything, lists the ways forward, and no file holds the ticket', async () => {
    const home = newHome()
    const ticket = sandbox.current.demoTicket
    const res = await runCli(['login', '--url', sandbox.current.url, '--ticket-stdin'], {env: noBus(home), input: `${ticket}\n`})
    expect(res.code).toBe(5)
    expect(res.stderr).toMatch(/SOEMAIL_TICKET/)
    expect(res.stderr).toMatch(/--insecure-storage/)
    expect(res.stderr).toMatch(/Secret Service/)
    expect(filesContaining(home, ticket)).toEqual([])
    const json = await runCli(['login', '--url', sandbox.current.url, '--username', 'demo', '--password-stdin', '--json'], {env: noBus(home), input: 'demo\n'})
    expect(json.code).toBe(5)
    expect(parseJson(json.stdout).error?.code).toBe('CREDENTIAL_STORE_UNAVAILABLE')
  })

  it('SOEMAIL_TICKET still works in scripts', async () => {
    const res = await runCli([...createArgs, '--json'], {env: {...noBus(newHome()), SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket}})
    expect(res.code, res.stderr).toBe(0)
  })

  it('--insecure-storage announces the file, writes it 0600, and status names it', async () => {
    const home = newHome()
    const login = await runCli([...loginArgs('file'), '--insecure-storage'], {env: noBus(home), input: 'demo\n'})
    expect(login.code, login.stderr).toBe(0)
    const file = /plain text in (\S+) \(mode 0600\)/.exec(login.stderr)?.[1]
    expect(file).toBeDefined()
    expect(statSync(file!).mode & 0o777).toBe(0o600)
    expect(readFileSync(file!, 'utf8')).toMatch(/7T:/)
    const status = await runCli(['status', '--profile', 'file'], {env: noBus(home)})
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toContain(file!)
    expect(status.stdout).toMatch(/insecure file/)
    const saved = await runCli([...createArgs, '--profile', 'file', '--json'], {env: noBus(home)})
    expect(saved.code, saved.stderr).toBe(0)
  })

  it('doctor fails the keychain check with exit 5 and prints the fix', async () => {
    const res = await runCli(['doctor', '--url', sandbox.current.url], {env: noBus(newHome())})
    expect(res.code).toBe(5)
    expect(res.stdout).toMatch(/✗ keychain/)
    expect(res.stdout).toMatch(/fix: On a server without a desktop, open a shell with a keychain: dbus-run-session -- bash -c/)
    expect(res.stdout).toMatch(/✓ endpoint/)
  })

  it('login without a terminal names every missing flag with exit 2', async () => {
    const res = await runCli(['login', '--json'], {env: noBus(newHome())})
    expect(res.code).toBe(2)
    expect(parseJson(res.stdout).error?.message).toBe('missing --url, --username, --password-stdin (or SOEMAIL_PASSWORD)')
  })
})

describe.skipIf(!hasKeychain)('SuperOffice Online system-user login', () => {
  const keys = rsaKeyPair('cli-system-user')
  const rogue = rsaKeyPair('cli-rogue')
  const systemUser = {systemToken: 'SYS-TOKEN-cli', publicKeyPem: keys.publicPem, contextIdentifier: 'Cust12345', applicationToken: 'client-secret-cli'}
  const online = useSandbox({systemUsers: [systemUser]})
  const expiredJwts = useSandbox({systemUsers: [systemUser], jwtLifetimeSeconds: -600})
  const dir = mkdtempSync(join(tmpdir(), 'soemail-keys-'))
  const keyFile = join(dir, 'app.pem')
  const rogueFile = join(dir, 'rogue.pem')
  writeFileSync(keyFile, keys.privatePem, {mode: 0o600})
  writeFileSync(rogueFile, rogue.privatePem, {mode: 0o600})
  const args = (url: string, key: string, profile: string) => ['login', '--profile', profile, '--url', url, '--context-id', 'Cust12345', '--private-key', key, '--app-token-stdin']
  const env = (home: string) => ({HOME: home, SOEMAIL_SYSTEM_TOKEN: systemUser.systemToken})

  it('signs, exchanges and verifies; stores ticket, app token and system token; a rejected ticket is renewed with the key', async () => {
    const home = newHome()
    const profile = `su${Date.now()}`
    const login = await runCli([...args(online.current.url, keyFile, profile), '--json'], {env: env(home), input: `${systemUser.applicationToken}\n`})
    expect(login.code, login.stdout + login.stderr).toBe(0)
    expect(parseJson(login.stdout).result).toMatchObject({profile, kind: 'system-user', url: online.current.url})
    expect(secretToolLookup(profile, 'app-token')).toBe(systemUser.applicationToken)
    expect(secretToolLookup(profile, 'system-token')).toBe(systemUser.systemToken)
    const ticket = secretToolLookup(profile, 'ticket')
    expect(filesContaining(home, ticket!)).toEqual([])
    expect(filesContaining(home, systemUser.applicationToken)).toEqual([])

    const saved = await runCli([...createArgs, '--profile', profile, '--json'], {env: {HOME: home}})
    expect(saved.code, saved.stderr).toBe(0)
    online.current.expireTickets()
    const again = await runCli([...createArgs, '--profile', profile, '--json'], {env: {HOME: home}})
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/logged in again \(as the system user/)
    expect(secretToolLookup(profile, 'ticket')).not.toBe(ticket)
    await runCli(['logout', '--profile', profile, '--all'], {env: {HOME: home}})
    expect(secretToolLookup(profile, 'app-token')).toBeUndefined()
  })

  it('a token signed with the wrong key is refused with exit 4 and nothing is stored', async () => {
    const res = await runCli([...args(online.current.url, rogueFile, 'rogue'), '--json'], {env: env(newHome()), input: `${systemUser.applicationToken}\n`})
    expect(res.code).toBe(4)
    expect(parseJson(res.stdout).error?.code).toBe('LOGIN_FAILED')
    expect(secretToolLookup('rogue', 'ticket')).toBeUndefined()
  })

  it('an expired JWT is refused with exit 4', async () => {
    const res = await runCli([...args(expiredJwts.current.url, keyFile, 'expiredjwt'), '--json'], {env: env(newHome()), input: `${systemUser.applicationToken}\n`})
    expect(res.code).toBe(4)
    expect(parseJson(res.stdout).error?.message).toMatch(/expired/i)
    expect(secretToolLookup('expiredjwt', 'ticket')).toBeUndefined()
  })
})
