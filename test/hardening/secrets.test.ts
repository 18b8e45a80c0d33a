/**
 * Secrets audit: every command runs with known, distinctive secrets — IMAP/SMTP passwords, tickets, an
 * app token, a login password, a system-user token and private key — through --json, --verbose,
 * --trace, error paths, bulk runs and the session commands. Everything a run leaves behind is searched
 * for the secrets and their recognisable parts: stdout, stderr, and every file under its HOME, TMPDIR
 * and output directory (results, journal, undo, created, export, profile). The one file allowed to hold
 * a secret is the --insecure-storage file, which must be mode 0600.
 *
 * Also: every flag that takes a secret says in its help that it is visible to other users and names a
 * safe way (prompt, --…-stdin, environment) that the README documents; and soemail starts no child
 * process, so no secret can end up on one's command line.
 */
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseJson, ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {reply, startHostileServer, type HostileServer} from '../helpers/hostile-server.js'
import {HEADER} from '../helpers/import-csv.js'
import {keychainReachable} from '../helpers/keychain-gate.js'
import {rsaKeyPair} from '../helpers/keys.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'
import {unusedPort} from '../helpers/soap-responder.js'

const hasKeychain = await keychainReachable()
/** The scenarios below run 10-20 CLI commands each (about 0.5 s apiece, more on a busy CI machine). */
const SCENARIO_MS = 180_000

// Letters, digits and dashes only, so JSON or shell quoting cannot hide them from a plain search.
const tag = randomBytes(3).toString('hex')
const SECRET = {
  imapPassword: `imapPw-Q7zK2mX9${tag}`,
  smtpPassword: `smtpPw-V3wN8rT4${tag}`,
  imapPassword2: `imapPw-Lr6Tg2Hs${tag}`,
  appToken: `appTok-H2kP5sL8${tag}`,
  systemToken: `sysTok-J6dF1gY3${tag}`,
  loginPassword: `loginPw-B4nM7cZ1${tag}`,
  envPassword: `envPw-Xc5Vb8Nm${tag}`,
  badTicket: `7T:${randomBytes(24).toString('base64')}`,
  flagTicket: `7T:${randomBytes(24).toString('base64')}`,
}
const rowPassword = (n: number, side: 'imap' | 'smtp') => `${side}Row${n}-Kf3Jd9${tag}`

const keys = rsaKeyPair('hardening-secrets')
const rogueKeys = rsaKeyPair('hardening-secrets-rogue')
const systemUser = {systemToken: SECRET.systemToken, publicKeyPem: keys.publicPem, contextIdentifier: 'Cust12345', applicationToken: SECRET.appToken}
const sandbox = useSandbox({systemUsers: [systemUser]})
/** Answers every save and read with HTTP 500 and an IIS error page (the server does not act); other calls work. */
const failing = useSandbox({faults: {seed: 1, rates: {serverError: 1}, operations: ['SaveEMailAccount', 'GetEMailAccount']}})

/** A GetEMailAccount answer cut off in the middle of a password, as a broken proxy might deliver it. */
const truncatedWithPassword =
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetEMailAccountResponse xmlns="http://www.superoffice.net/ws/crm/NetServer/Services87">` +
  `<Response><EMailAccountId>1</EMailAccountId><IncomingCredentials><Password>${SECRET.imapPassword.slice(0, -3)}`
let hostile: HostileServer
beforeAll(async () => {
  hostile = await startHostileServer({truncated: reply(200, truncatedWithPassword)})
})
afterAll(async () => {
  await hostile?.close()
})

// --- the audit ------------------------------------------------------------------------------------

/** A secret and the parts of it that would still give it away. */
interface Watched {
  label: string
  parts: string[]
}
const watched: Watched[] = []

function watchPassword(label: string, value: string): void {
  // The whole value, and the first characters of its random core, in case it is cut short or prefixed.
  const core = value.indexOf('-') + 1
  watched.push({label, parts: [value, value.slice(core, core + 6)]})
}
function watchTicket(label: string, ticket: string): void {
  const body = ticket.replace(/^7T:/, '')
  watched.push({label, parts: [ticket, body, body.slice(0, 16), body.slice(-16)]})
}
function watchPem(label: string, pem: string): void {
  watched.push({label, parts: pem.split('\n').map((l) => l.trim()).filter((l) => l.length >= 20 && !l.startsWith('-----'))})
}

for (const [label, value] of Object.entries(SECRET)) {
  if (value.startsWith('7T:')) watchTicket(label, value)
  else watchPassword(label, value)
}
for (let n = 1; n <= 6; n++) {
  watchPassword(`row ${n} IMAP password`, rowPassword(n, 'imap'))
  watchPassword(`row ${n} SMTP password`, rowPassword(n, 'smtp'))
}
watchPem('private key', keys.privatePem)
watchPem('rogue private key', rogueKeys.privatePem)
beforeAll(() => watchTicket('demo ticket', sandbox.current.demoTicket))

/** A JWT is a bearer credential (and carries the ticket in a claim): none may be printed or kept. */
const JWT_RE = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/

/** Where each secret shows up in a text. */
function leaksIn(where: string, text: string): string[] {
  const found: string[] = []
  for (const w of watched) {
    const part = w.parts.find((p) => text.includes(p))
    if (part !== undefined) found.push(`${w.label} in ${where} ("…${text.slice(Math.max(0, text.indexOf(part) - 40), text.indexOf(part) + part.length + 10)}…")`)
  }
  if (JWT_RE.test(text)) found.push(`a JWT in ${where}`)
  return found
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    const st = statSync(path)
    return st.isDirectory() ? filesUnder(path) : st.isFile() ? [path] : []
  })
}

/**
 * One scenario's private world: HOME (config and profiles), TMPDIR (stdin spooling), an output
 * directory for results and exports, and an inputs directory (CSV, key files: the user's own, not audited).
 */
class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), 'soemail-secrets-'))
  readonly home = this.dir('home')
  readonly tmp = this.dir('tmp')
  readonly out = this.dir('out')
  readonly inputs = this.dir('inputs')
  readonly leaks: string[] = []
  /** The one file allowed to hold secrets (the --insecure-storage file), when the scenario uses it. */
  allowed?: string

  constructor(private readonly baseEnv: Record<string, string | undefined> = {}) {}

  private dir(name: string): string {
    const d = join(this.root, name)
    mkdirSync(d, {recursive: true})
    return d
  }

  get configDir(): string {
    return join(this.home, '.config', 'soemail')
  }

  get insecureFile(): string {
    return join(this.configDir, 'insecure-secrets.json')
  }

  input(name: string, text: string): string {
    const path = join(this.inputs, name)
    writeFileSync(path, text, {mode: 0o600})
    return path
  }

  /** Runs the CLI, checks the exit code, and audits what it printed. */
  async run(args: string[], expected: number | number[], options: {env?: Record<string, string | undefined>; input?: string} = {}): Promise<CliResult> {
    const res = await runCli(args, {env: {...this.baseEnv, HOME: this.home, TMPDIR: this.tmp, ...options.env}, input: options.input, timeoutMs: 30_000})
    const codes = Array.isArray(expected) ? expected : [expected]
    expect(codes, `soemail ${args.join(' ')} exited ${res.code}\n${res.stdout}\n${res.stderr}`).toContain(res.code)
    const what = `soemail ${args.slice(0, 3).join(' ')}`
    this.leaks.push(...leaksIn(`stdout of ${what}`, res.stdout), ...leaksIn(`stderr of ${what}`, res.stderr))
    return res
  }

  /** Every file the runs left behind, except the one allowed secrets file. */
  auditFiles(): void {
    const files = [this.home, this.tmp, this.out].flatMap(filesUnder)
    for (const file of files) {
      if (file === this.allowed) continue
      this.leaks.push(...leaksIn(relative(this.root, file), readFileSync(file, 'utf8')))
    }
  }

  /** The audit verdict; call last. */
  expectClean(): void {
    this.auditFiles()
    expect(this.leaks).toEqual([])
  }
}

const noBus = {DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: undefined}
const ticketEnv = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket, SOEMAIL_APP_TOKEN: SECRET.appToken})
const passwordEnv = {SOEMAIL_IMAP_PASSWORD: SECRET.imapPassword, SOEMAIL_SMTP_PASSWORD: SECRET.smtpPassword}
const createArgs = (email = 'audit@example.com') => ['account', 'save', '--email', email, '--associate', '5', '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com']
const idOf = (res: CliResult) => (parseJson(res.stdout).result as {account: {id: number}}).account.id

describe('the audit itself', () => {
  it('finds a secret that is printed on purpose (--show-secrets), and the parts of a ticket and a key', async () => {
    const ws = new Workspace(ticketEnv())
    const saved = await ws.run([...createArgs(), '--json'], 0, {env: passwordEnv})
    ws.leaks.length = 0
    await ws.run(['account', 'get', String(idOf(saved)), '--json', '--show-secrets'], 0)
    expect(ws.leaks.join('\n')).toMatch(/imapPassword in stdout/)
    expect(leaksIn('x', `ticket body ${SECRET.badTicket.slice(3, 30)}`)).toEqual([expect.stringMatching(/^badTicket in x/)])
    expect(leaksIn('x', keys.privatePem.split('\n')[3]!)).toEqual([expect.stringMatching(/^private key in x/)])
  }, SCENARIO_MS)
})

describe('no secret in output or files', () => {
  it('account save, get, export, delete, status and doctor with a ticket and passwords from env/stdin, through --json, --verbose and --trace', async () => {
    const ws = new Workspace({...ticketEnv(), ...noBus})
    // --create-new: an earlier test made an account for this address, which a save would otherwise find unchanged (and send no password).
    const created = await ws.run([...createArgs(), '--trace', '--verbose', '--create-new'], 0, {env: passwordEnv})
    const id = /Created account (\d+)/.exec(created.stdout)?.[1]
    expect(id).toBeDefined()
    // Precondition: --trace really printed the exchange, so the absence of secrets in it means something.
    expect(created.stderr).toMatch(/<so:Password>\*{8}<\/so:Password>/)
    const fromStdin = await ws.run([...createArgs('audit2@example.com'), '--imap-password-stdin', '--smtp-password-stdin', '--json', '--trace'], 0, {input: `${SECRET.imapPassword}\n${SECRET.smtpPassword}\n`})
    const id2 = String(idOf(fromStdin))
    await ws.run(['account', 'save', '--id', id!, '--imap-password-stdin', '--json', '--trace', '--verbose'], 0, {input: `${SECRET.imapPassword2}\n`})
    await ws.run(['account', 'get', id!], 0)
    await ws.run(['account', 'get', id!, '--json', '--trace', '--verbose'], 0)
    await ws.run(['account', 'export', '--ids', `${id},${id2}`, '--trace'], 0)
    await ws.run(['account', 'export', '--ids', `${id},${id2},999999`, '--out', join(ws.out, 'export.csv'), '--json', '--verbose'], 8)
    expect(readFileSync(join(ws.out, 'export.csv'), 'utf8')).toContain('audit2@example.com')
    await ws.run(['status', '--check', '--trace', '--json'], 0)
    await ws.run(['status', '--all'], 0)
    // Without a keychain the doctor fails its keychain check (exit 5); it must still keep quiet about secrets.
    await ws.run(['doctor', '--trace', '--verbose', '--json'], 5)
    await ws.run(['account', 'delete', id2, '--yes', '--trace', '--json'], 0)
    ws.expectClean()
  }, SCENARIO_MS)

  it('error paths: a rejected ticket, a server fault, a validation failure, an unreachable URL, a truncated answer, a failed login', async () => {
    const ws = new Workspace(noBus)
    const url = sandbox.current.url
    // A ticket the server rejects, from the environment and as a flag; with passwords in the request.
    await ws.run([...createArgs(), '--trace', '--verbose', '--json'], 4, {env: {...passwordEnv, SOEMAIL_URL: url, SOEMAIL_TICKET: SECRET.badTicket}})
    await ws.run(['account', 'get', '1', '--url', url, '--ticket', SECRET.flagTicket, '--verbose'], 4)
    // ... and the automatic re-login with SOEMAIL_USERNAME/SOEMAIL_PASSWORD, which fails too.
    await ws.run(['account', 'get', '1', '--verbose', '--trace', '--json'], 4, {env: {SOEMAIL_URL: url, SOEMAIL_TICKET: SECRET.badTicket, SOEMAIL_USERNAME: 'demo', SOEMAIL_PASSWORD: SECRET.envPassword}})
    // HTTP 500 from the server, text and JSON.
    const failEnv = {...passwordEnv, SOEMAIL_URL: failing.current.url, SOEMAIL_TICKET: failing.current.demoTicket, SOEMAIL_APP_TOKEN: SECRET.appToken}
    await ws.run([...createArgs(), '--trace', '--verbose'], 7, {env: failEnv})
    await ws.run([...createArgs(), '--trace', '--verbose', '--json'], 7, {env: failEnv})
    // Validation fails with the passwords present (by env, by stdin and by flag).
    const bad = ['account', 'save', '--email', 'not-an-email', '--associate', '5', '--imap-server', 'imap .example.com', '--smtp-server', 'smtp.example.com']
    await ws.run([...bad, '--json', '--verbose', '--trace'], 3, {env: {...passwordEnv, SOEMAIL_URL: url, SOEMAIL_TICKET: sandbox.current.demoTicket}})
    await ws.run([...bad, '--imap-password-stdin', '--smtp-password', SECRET.smtpPassword, '--verbose'], 3, {env: {SOEMAIL_URL: url, SOEMAIL_TICKET: sandbox.current.demoTicket}, input: `${SECRET.imapPassword}\n`})
    // Nothing listens there.
    const dead = `http://127.0.0.1:${await unusedPort()}/SuperOffice`
    await ws.run([...createArgs(), '--url', dead, '--trace', '--verbose', '--json'], 7, {env: {...passwordEnv, SOEMAIL_TICKET: sandbox.current.demoTicket, SOEMAIL_APP_TOKEN: SECRET.appToken}})
    // An answer cut off inside a stored password: the error's body snippet must not carry it.
    const cut = await ws.run(['account', 'get', '1', '--url', hostile.url('truncated'), '--json', '--verbose', '--trace'], 7, {env: {SOEMAIL_TICKET: sandbox.current.demoTicket}})
    expect(parseJson(cut.stdout).error?.details).toMatchObject({problem: 'not-xml'})
    // A login whose password is refused, on stdin and in the environment.
    await ws.run(['login', '--url', url, '--username', 'demo', '--password-stdin', '--insecure-storage', '--trace', '--verbose', '--json'], 4, {input: `${SECRET.loginPassword}\n`})
    await ws.run(['login', '--url', url, '--username', 'demo', '--insecure-storage', '--trace', '--verbose'], 4, {env: {SOEMAIL_PASSWORD: SECRET.envPassword}})
    ws.expectClean()
  }, SCENARIO_MS)

  it('account import: with failures, invalid rows, --resume, a ticket and app token given as flags, stdin input, dry-run; then delete --from and export --ids-from', async () => {
    const ws = new Workspace(noBus)
    const seeded = await ws.run([...createArgs('import-target@example.com'), '--json'], 0, {env: {...passwordEnv, ...ticketEnv()}})
    const existing = idOf(seeded)
    const row = (n: number, id = '', email = `imp${n}-${tag}@example.com`) =>
      `${id},${email},5,imap.example.com,993,plain,imp${n},${rowPassword(n, 'imap')},smtp.example.com,587,plain,imp${n},${rowPassword(n, 'smtp')}`
    const csv = ws.input('accounts.csv', [HEADER, row(1), row(2), row(3, String(existing), 'import-target@example.com'), row(4, '', 'not-an-email'), row(5, '999999'), ''].join('\n'))
    const results = join(ws.out, 'run.results.csv')
    const env = ticketEnv()
    // Partial: an invalid row (skipped) and an update of an id that does not exist (failed).
    await ws.run(['account', 'import', csv, '--results', results, '--skip-invalid', '--retries', '0', '--json', '--trace', '--verbose'], 6, {env})
    await ws.run(['account', 'import', csv, '--results', results, '--skip-invalid', '--resume', '--retries', '0', '--verbose'], 6, {env})
    for (const suffix of ['', '.journal']) expect(existsSync(results + suffix), results + suffix).toBe(true)
    expect(existsSync(join(ws.out, 'run.results.undo.csv'))).toBe(true)
    expect(existsSync(join(ws.out, 'run.results.created.csv'))).toBe(true)

    // Against a failing server, with the ticket and app token given as flags: the printed resume
    // command, the journal and the results must not repeat them.
    const failed = join(ws.out, 'failing.results.csv')
    const flagged = ['--url', failing.current.url, '--ticket', failing.current.demoTicket, '--app-token', SECRET.appToken]
    watchTicket('failing sandbox ticket', failing.current.demoTicket)
    const stopped = await ws.run(['account', 'import', csv, '--results', failed, '--skip-invalid', '--retries', '0', '--concurrency', '1', ...flagged, '--json', '--verbose'], [6, 7])
    expect(stopped.stdout + stopped.stderr).toMatch(/--resume/)
    await ws.run(['account', 'import', csv, '--results', failed, '--skip-invalid', '--retries', '0', '--resume', ...flagged, '--trace'], [6, 7])

    // The file on standard input is spooled under TMPDIR, which is audited too (and must be cleaned up).
    const fromStdin = join(ws.out, 'stdin.results.csv')
    await ws.run(['account', 'import', '-', '--results', fromStdin, '--skip-invalid', '--json'], 6, {env, input: readFileSync(csv, 'utf8').replaceAll(`-${tag}@`, `-${tag}-again@`)})
    expect(filesUnder(ws.tmp)).toEqual([])
    await ws.run(['account', 'import', csv, '--dry-run', '--skip-invalid', '--trace', '--json'], [0, 6], {env})
    await ws.run(['account', 'import', csv, '--dry-run', '--skip-invalid'], [0, 6], {env})

    await ws.run(['account', 'export', '--ids-from', results, '--out', join(ws.out, 'snapshot.csv'), '--json'], [0, 6], {env})
    await ws.run(['account', 'delete', '--from', join(ws.out, 'stdin.results.created.csv'), '--yes', '--json', '--trace'], [0, 6], {env})
    ws.expectClean()
  }, SCENARIO_MS)

  it('login (existing ticket and Online system user), status, doctor, re-login and logout with --insecure-storage', async () => {
    const ws = new Workspace(noBus)
    const url = sandbox.current.url
    const keyFile = ws.input('app.pem', keys.privatePem)
    const rogueFile = ws.input('rogue.pem', rogueKeys.privatePem)
    const systemLogin = (profile: string, key: string) => ['login', '--profile', profile, '--url', url, '--context-id', 'Cust12345', '--private-key', key, '--app-token-stdin', '--insecure-storage']
    const sysEnv = {SOEMAIL_SYSTEM_TOKEN: SECRET.systemToken}

    await ws.run(['login', '--profile', 'tk', '--url', url, '--ticket-stdin', '--insecure-storage', '--trace', '--json'], 0, {input: `${sandbox.current.demoTicket}\n`})
    await ws.run([...systemLogin('su', keyFile), '--trace', '--verbose', '--json'], 0, {env: sysEnv, input: `${SECRET.appToken}\n`})
    // The file holds the secrets by design: private to the user, and it really does hold them.
    ws.allowed = ws.insecureFile
    expect(statSync(ws.insecureFile).mode & 0o777).toBe(0o600)
    const stored = readFileSync(ws.insecureFile, 'utf8')
    expect(stored).toContain(sandbox.current.demoTicket)
    expect(stored).toContain(SECRET.appToken)
    const suTicket = /7T:[A-Za-z0-9+/=]+/.exec(stored.replace(sandbox.current.demoTicket, ''))?.[0]
    expect(suTicket).toBeDefined()
    watchTicket('system-user ticket', suTicket!)

    await ws.run(['status', '--all', '--json'], 0)
    await ws.run(['status', '--profile', 'su', '--check', '--trace', '--verbose'], 0)
    await ws.run(['account', 'save', ...createArgs('su@example.com').slice(2), '--profile', 'su', '--trace', '--json'], 0, {env: passwordEnv})
    // The server forgets every ticket: the next command logs in again with the stored key and token.
    sandbox.current.expireTickets()
    const renewed = await ws.run(['account', 'get', '1', '--profile', 'su', '--trace', '--verbose', '--json'], [0, 7])
    expect(renewed.stderr).toMatch(/logged in again/)
    const newTicket = /7T:[A-Za-z0-9+/=]+/.exec(readFileSync(ws.insecureFile, 'utf8').replace(sandbox.current.demoTicket, ''))?.[0]
    expect(newTicket).not.toBe(suTicket)
    watchTicket('renewed system-user ticket', newTicket!)
    await ws.run(['doctor', '--profile', 'su', '--trace', '--verbose', '--json'], 5)
    // A key the server does not know: refused, and neither key nor token echoed.
    await ws.run([...systemLogin('rogue', rogueFile), '--trace', '--verbose', '--json'], 4, {env: sysEnv, input: `${SECRET.appToken}\n`})
    await ws.run(['logout', '--profile', 'tk', '--json'], 0)
    await ws.run(['logout', '--profile', 'su', '--all'], 0)
    if (existsSync(ws.insecureFile)) expect(statSync(ws.insecureFile).mode & 0o777).toBe(0o600)
    ws.expectClean()
  }, SCENARIO_MS)

  it.skipIf(!hasKeychain)('the same in keychain mode: no file holds any secret at all', async () => {
    const ws = new Workspace()
    const url = sandbox.current.url
    const profile = `audit${tag}`
    const keyFile = ws.input('app.pem', keys.privatePem)
    // Another test expires the sandbox's tickets, the demo ticket among them.
    const ticket = await freshTicket(url)
    watchTicket('keychain-mode ticket', ticket)
    await ws.run(['login', '--profile', profile, '--url', url, '--ticket-stdin', '--trace', '--json'], 0, {input: `${ticket}\n`})
    await ws.run(['login', '--profile', `${profile}su`, '--url', url, '--context-id', 'Cust12345', '--private-key', keyFile, '--app-token-stdin', '--trace', '--verbose', '--json'], 0, {
      env: {SOEMAIL_SYSTEM_TOKEN: SECRET.systemToken},
      input: `${SECRET.appToken}\n`,
    })
    await ws.run(['status', '--all', '--json'], 0)
    await ws.run(['status', '--profile', profile, '--check', '--trace'], 0)
    await ws.run([...createArgs('kc@example.com'), '--profile', `${profile}su`, '--trace', '--verbose', '--json'], 0, {env: passwordEnv})
    await ws.run(['doctor', '--profile', profile, '--trace', '--json'], 0)
    await ws.run(['logout', '--profile', profile, '--all', '--json'], 0)
    await ws.run(['logout', '--profile', `${profile}su`, '--all'], 0)
    ws.expectClean()
  }, SCENARIO_MS)
})

// --- help, README, child processes --------------------------------------------------------------

interface ManifestFlag {
  name: string
  type: string
  summary?: string
  description?: string
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, ManifestFlag>}>}
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const SECRET_FLAGS = ['ticket', 'app-token', 'imap-password', 'smtp-password', 'system-token']

describe('secrets given as flags are flagged as visible; the safe ways are documented', () => {
  const secretFlags = Object.entries(manifest.commands).flatMap(([id, c]) => Object.values(c.flags).filter((f) => f.type === 'option' && /(^|-)(password|ticket|token|secret)$/i.test(f.name)).map((f) => ({id, flag: f})))

  it('the flags that take a secret are exactly the known ones (a new one must be added here, and warned about)', () => {
    expect([...new Set(secretFlags.map((s) => s.flag.name))].sort()).toEqual([...SECRET_FLAGS].sort())
  })

  it('each says in its help that a value given as a flag is visible to other users, and names a safe way', () => {
    for (const {id, flag} of secretFlags) {
      const help = `${flag.summary ?? ''} ${flag.description ?? ''}`
      expect(help, `${id} --${flag.name}`).toMatch(/visible to other users/i)
      expect(help, `${id} --${flag.name} names --…-stdin, an environment variable or the prompt`).toMatch(/--[\w-]+-stdin|SOEMAIL_[A-Z_]+|prompt/)
    }
  })

  it('--help shows the warning', async () => {
    const res = await runCli(['login', '--help'])
    expect(res.code).toBe(0)
    for (const name of ['ticket', 'app-token', 'system-token']) {
      // FLAG DESCRIPTIONS comes last: from the flag's entry there up to the next flag's.
      const block = res.stdout.slice(res.stdout.lastIndexOf(`--${name}=<value>`)).split(/\n {2}--/)[0]!.replace(/\s+/g, ' ')
      expect(block, `--${name}`).toMatch(/[Vv]isible to other users/)
    }
  })

  it('the README documents prompts, --…-stdin and the environment as the safe ways, naming each alternative the help points to', () => {
    expect(readme).toMatch(/passwords and tickets come from prompts, stdin or the environment/i)
    const alternatives = new Set<string>()
    for (const {flag} of secretFlags) for (const m of (flag.description ?? '').matchAll(/--[\w-]+-stdin|SOEMAIL_[A-Z_]+/g)) alternatives.add(m[0])
    expect(alternatives.size).toBeGreaterThanOrEqual(5)
    for (const alt of alternatives) expect(readme, alt).toContain(alt)
  })
})

describe('no child process but the keychain probe', () => {
  it('soemail starts no other program than the probe\'s dbus-send, and the probe is handed nothing that could be a secret', () => {
    const sources = filesUnder(join(ROOT, 'src')).filter((f) => f.endsWith('.ts'))
    expect(sources.length).toBeGreaterThan(20)
    const spawning = sources.filter((f) => /from ['"](node:)?child_process['"]|require\(['"](node:)?child_process['"]\)/.test(readFileSync(f, 'utf8')))
    expect(spawning.map((f) => relative(ROOT, f))).toEqual([join('src', 'keychain', 'probe.ts')])
    // Its command lines are built from the bus address and fixed D-Bus names: it imports no value of the
    // project (types only), so no ticket, token or password can get into its reach.
    const probe = readFileSync(join(ROOT, 'src', 'keychain', 'probe.ts'), 'utf8')
    const imports = [...probe.matchAll(/^import (.*) from ['"]([^'"]+)['"]/gm)]
    expect(imports.length).toBeGreaterThan(0)
    for (const [line, what, from] of imports) expect(from?.startsWith('node:') || what?.startsWith('type '), line).toBe(true)
    expect(probe).toMatch(/execFile\('dbus-send', argv, \{env, signal/)
  })
})
