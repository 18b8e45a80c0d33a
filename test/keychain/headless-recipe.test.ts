/**
 * The keychain recipes soemail prints for a server without a desktop (exit 5's hint, doctor's fix line,
 * README) work as printed: run through bash exactly as they appear in the hint, they give a shell where
 * soemail stores a ticket in a real gnome-keyring, and the same recipe with the same password at a later
 * login opens the same keyring with the ticket still in it.
 */
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {HEADLESS_KEYCHAIN, keychainHint, START_KEYRING} from '../../src/keychain/secret-store.js'
import {ROOT} from '../helpers/cli.js'
import {useSandbox} from '../helpers/sandbox.js'

const tools = ['bash', 'dbus-run-session', 'gnome-keyring-daemon'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0)
if (!tools && process.env.SOEMAIL_REQUIRE_KEYCHAIN === '1') throw new Error('SOEMAIL_REQUIRE_KEYCHAIN=1 but bash, dbus-run-session or gnome-keyring-daemon is missing')
if (!tools) console.warn('skipping the headless keychain recipe tests: bash, dbus-run-session or gnome-keyring-daemon is missing')

const sandbox = useSandbox({schemaCheck: false})
const soemail = `${process.execPath} ${join(ROOT, 'bin', 'run.js')}`

/** A login on a fresh server account: no session bus, its own HOME and runtime directory. */
function freshLogin(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'soemail-headless-'))
  const runtime = join(dir, 'runtime')
  mkdirSync(runtime)
  chmodSync(runtime, 0o700)
  const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_RUNTIME_DIR: runtime, NO_COLOR: '1', LANG: 'C.UTF-8'}
  mkdirSync(env.HOME!)
  return env
}

const out = (env: NodeJS.ProcessEnv, name: string) => join(env.HOME!, `${name}.json`)
const read = (env: NodeJS.ProcessEnv, name: string) => JSON.parse(readFileSync(out(env, name), 'utf8'))

/** Runs `command` as a user pastes it into bash, then types `typed` (the password first) into it. */
function paste(command: string, typed: string[], env: NodeJS.ProcessEnv): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
    child.stdin.end(typed.map((line) => `${line}\n`).join(''))
  })
}

describe.skipIf(!tools)('the headless keychain recipe, run as printed', () => {
  it('is what exit 5 and doctor print when there is no session bus', () => {
    expect(keychainHint('no-session-bus')).toContain(HEADLESS_KEYCHAIN)
    expect(keychainHint('no-secret-service')).toContain(START_KEYRING)
  })

  it('opens a shell where soemail keeps a ticket in the keychain, and the same password finds it at the next login', async () => {
    const env = freshLogin()
    const url = sandbox.current.url
    const first = await paste(HEADLESS_KEYCHAIN, ['keyring-pw-1', `printf '%s\\n' '${sandbox.current.demoTicket}' | ${soemail} login --url ${url} --ticket-stdin --json > ${out(env, 'login')}`, `${soemail} doctor --json > ${out(env, 'doctor')}`, 'exit'], env)
    expect(first.code, first.stderr).toBe(0)
    const [login, doctor] = [read(env, 'login'), read(env, 'doctor')]
    expect(login.status, JSON.stringify(login)).toBe(0)
    expect(doctor.result.checks.find((c: {name: string}) => c.name === 'keychain')).toMatchObject({ok: true})
    expect(first.stdout + first.stderr).not.toContain('keyring-pw-1')

    const later = await paste(HEADLESS_KEYCHAIN, ['keyring-pw-1', `${soemail} status --json > ${out(env, 'status')}`, 'exit'], env)
    expect(later.code, later.stderr).toBe(0)
    const status = read(env, 'status')
    expect(JSON.stringify(status.result)).toMatch(/"ticket":\{[^}]*"source":"keychain"/)
  })

  it('on a session bus without a Secret Service, the printed start command gives one', async () => {
    const env = freshLogin()
    const res = await paste('dbus-run-session -- bash', [START_KEYRING, 'keyring-pw-2', `${soemail} doctor --json > ${out(env, 'doctor')}`, 'exit'], env)
    expect(res.code, res.stderr).toBe(0)
    const doctor = read(env, 'doctor')
    expect(doctor.result.checks.find((c: {name: string}) => c.name === 'keychain')).toMatchObject({ok: true})
  })
})
