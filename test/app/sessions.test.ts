import {describe, expect, it} from 'vitest'
import {runDoctorCommand} from '../../src/app/doctor.js'
import {runLogin} from '../../src/app/login.js'
import {runLogout} from '../../src/app/logout.js'
import {runSandbox} from '../../src/app/sandbox.js'
import {runStatus} from '../../src/app/status.js'
import {AuthError, CliError, UsageError} from '../../src/errors.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const sandbox = useSandbox()
const world = useWorlds()

describe('runLogin, runStatus, runLogout', () => {
  it('login stores the ticket in the keychain; status names its source and never shows it; logout removes it', async () => {
    const first = world({stdin: 'demo\n'})
    const result = await runLogin({...NO_FLAGS, url: sandbox.current.url, username: 'demo', 'password-stdin': true, profile: 'work'}, first)
    expect(result).toMatchObject({profile: 'work', url: sandbox.current.url, associateId: 5, storage: 'keychain'})
    const ticket = first.keychain.items.get('work/ticket')
    expect(ticket).toMatch(/^7T:/)
    expect(first.stdout.text()).toContain('Logged in to')
    expect(first.stdout.text() + first.stderr.text()).not.toContain(ticket!)

    const later = world({configDir: first.configDir})
    later.keychain.items.set('work/ticket', ticket!)
    const status = await runStatus({...NO_FLAGS, profile: 'work', check: true}, later)
    expect(status).toMatchObject({active: 'work', profiles: [{profile: 'work', ticket: {source: 'keychain'}, userName: 'demo'}], check: {ok: true}})
    expect(later.stdout.text()).toContain('the server accepted the ticket')
    expect(JSON.stringify(status) + later.stdout.text()).not.toContain(ticket!)

    expect(await runLogout({profile: 'work'}, later)).toMatchObject({profile: 'work', removed: ['ticket']})
    expect(later.keychain.items.has('work/ticket')).toBe(false)
  })

  it('a wrong password is a login failure and stores nothing', async () => {
    const w = world({stdin: 'wrong\n'})
    const error = await runLogin({...NO_FLAGS, url: sandbox.current.url, username: 'demo', 'password-stdin': true}, w).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).code).toBe('LOGIN_FAILED')
    expect(w.keychain.items.size).toBe(0)
  })

  it('never prompts when not on a terminal: a missing URL and user name are a usage error', async () => {
    const w = world()
    const error = await runLogin({...NO_FLAGS}, w).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toMatch(/missing --url/)
    expect(w.prompter.asked).toEqual([])
  })

  it('on a terminal asks for what is missing', async () => {
    const w = world({interactive: true, answers: {login: (flags) => ({...flags, url: sandbox.current.url, username: 'demo', password: 'demo'})}})
    expect(await runLogin({...NO_FLAGS}, w)).toMatchObject({profile: 'default', userName: 'demo'})
    expect(w.prompter.asked).toEqual(['login'])
  })

  it('status --check with a rejected ticket is an AuthError naming soemail login', async () => {
    const ticket = await freshTicket(sandbox.current.url)
    const w = world({env: {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: `${ticket}x`}})
    const error = await runStatus({...NO_FLAGS, check: true}, w).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthError)
    expect((error as AuthError).hint).toContain('soemail login')
  })
})

describe('runDoctorCommand', () => {
  it('checks the endpoint and clock against the sandbox, and fails with exit 5 without a keychain', async () => {
    const w = world({env: {SOEMAIL_URL: sandbox.current.url}})
    const error = await runDoctorCommand({...NO_FLAGS}, w).catch((e: unknown) => e)
    expect((error as CliError).exitCode).toBe(5)
    const checks = ((error as CliError).details as {checks: Array<{name: string; ok: boolean}>}).checks
    expect(checks.find((c) => c.name === 'keychain')?.ok).toBe(false)
    expect(checks.filter((c) => c.name !== 'keychain').every((c) => c.ok)).toBe(true)
    expect(w.stdout.text()).toMatch(/✗ keychain: .*\n {4}fix: /)
  })
})

describe('runSandbox', () => {
  it('serves until SIGINT, announcing its URL and ticket under --json', async () => {
    const w = world({json: true})
    let announce: (info: unknown) => void = () => {}
    const ready = new Promise<{url: string; ticket: string}>((resolve) => (announce = (info) => resolve(info as {url: string; ticket: string})))
    let stopped = false
    const done = runSandbox({port: 0, 'schema-check': true, quiet: true, bin: 'soemail', announce: (info) => announce(info)}, w).then(() => (stopped = true))
    const announced = await ready
    expect(announced.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/SuperOffice$/)
    expect(await runStatus({...NO_FLAGS, check: true}, world({env: {SOEMAIL_URL: announced.url, SOEMAIL_TICKET: announced.ticket}, json: true}))).toMatchObject({check: {ok: true}})
    expect(stopped).toBe(false)
    w.signals.send('SIGINT')
    await done
    expect(w.stderr.text()).toContain('stopping the sandbox…')
    expect(w.signals.listeners('SIGINT') + w.signals.listeners('SIGTERM')).toBe(0)
  })

  it('a bad fault rate is a usage error naming the flag', async () => {
    const error = await runSandbox({port: 0, 'schema-check': true, bin: 'soemail', announce: () => {}, 'fail-5xx': '2'}, world()).catch((e: unknown) => e)
    expect((error as UsageError).message).toContain('--fail-5xx expects a rate in 0..1')
  })
})
