/**
 * The probe and openKeychain's refusals, against private buses, a fake Secret Service and throwaway
 * gnome-keyrings: every way the keychain can be unusable ends in a clear reason and exit 5, in bounded time.
 */
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {ExitCode} from '../../src/errors.js'
import {CredentialStoreError, HEADLESS_KEYCHAIN} from '../../src/keychain/secret-store.js'
import {probeKeychain} from '../../src/keychain/probe.js'
import {openKeychain} from '../../src/keychain/store.js'
import {
  FakeSecretService,
  REQUIRE_KEYCHAIN,
  hasCommand,
  removeTempDirs,
  startBareBus,
  startKeyringSession,
  tempDir,
  type Bus,
} from '../helpers/keychain.js'

afterAll(removeTempDirs)
const haveDbusDaemon = hasCommand('dbus-daemon')
const haveGnomeKeyring = hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon') && hasCommand('dbus-send')
if (!haveDbusDaemon && !REQUIRE_KEYCHAIN) console.warn('[keychain tests] skipping the private-bus cases: dbus-daemon is not installed')
if (!haveGnomeKeyring && !REQUIRE_KEYCHAIN) console.warn('[keychain tests] skipping the locked-keyring case: dbus-run-session, gnome-keyring-daemon or dbus-send is missing')

/** A probe/open against an environment with only this bus; nothing else of the caller's leaks in. */
const busEnv = (address: string): NodeJS.ProcessEnv => ({DBUS_SESSION_BUS_ADDRESS: address})

async function expectStoreError(promise: Promise<unknown>, withinMs: number, started = Date.now()): Promise<CredentialStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(Date.now() - started).toBeLessThan(withinMs)
  expect(error).toBeInstanceOf(CredentialStoreError)
  const e = error as CredentialStoreError
  expect(e.exitCode).toBe(ExitCode.CREDENTIAL_STORE)
  expect(e.code).toBe('CREDENTIAL_STORE_UNAVAILABLE')
  return e
}

/** Accepts and reads, never answers; `closed` counts connections the client has closed again. */
function silentServer(): Server & {closed: number} {
  const server = createServer((socket) => {
    socket.resume()
    socket.on('close', () => server.closed++)
  }) as Server & {closed: number}
  server.closed = 0
  return server
}


describe('keychain probe and refusal without a usable Secret Service', () => {
  const stops: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    while (stops.length) await stops.pop()?.()
  })

  it('no session bus: reason no-session-bus, and openKeychain refuses with exit 5 and the ways forward', async () => {
    const probe = await probeKeychain({env: {}})
    expect(probe).toMatchObject({ok: false, reason: 'no-session-bus'})
    expect(!probe.ok && probe.message).toMatch(/DBUS_SESSION_BUS_ADDRESS/)

    const e = await expectStoreError(openKeychain({env: {}}), 1000)
    expect(e.details).toMatchObject({store: 'keychain', reason: 'no-session-bus'})
    expect(e.message).toMatch(/keychain cannot be used.*session bus/i)
    expect(e.hint).toContain(HEADLESS_KEYCHAIN)
    expect(e.hint).toMatch(/KeePassXC/)
    expect(e.hint).toMatch(/SOEMAIL_TICKET/)
    expect(e.hint).toMatch(/--insecure-storage/)
  })

  it('a bus address whose socket does not exist: a clear no-session-bus error, at once', async () => {
    const missing = join(tempDir(), 'no-such-socket')
    const started = Date.now()
    const probe = await probeKeychain({env: busEnv(`unix:path=${missing},guid=0123`)})
    expect(Date.now() - started).toBeLessThan(1000)
    expect(probe).toMatchObject({ok: false, reason: 'no-session-bus'})
    expect(!probe.ok && probe.message).toContain(missing)
    expect(!probe.ok && probe.message).toMatch(/does not exist/)
  })

  it('a socket that never answers: reason timeout, bounded by the timeout', async () => {
    const dir = tempDir()
    const path = join(dir, 'silent')
    const server = silentServer()
    await new Promise<void>((resolve) => server.listen(path, resolve))
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const started = Date.now()
    const probe = await probeKeychain({env: busEnv(`unix:path=${path}`), timeoutMs: 300})
    expect(Date.now() - started).toBeLessThan(1500)
    expect(probe).toMatchObject({ok: false, reason: 'timeout'})
    await expectStoreError(openKeychain({env: busEnv(`unix:path=${path}`), timeoutMs: 300}), 1500)
    // A socket left open would keep the CLI process alive after it reported the error.
    await expect.poll(() => server.closed, {timeout: 1000}).toBe(2)
  })

  it('the timeout can be set with SOEMAIL_KEYCHAIN_TIMEOUT_MS', async () => {
    const path = join(tempDir(), 'silent')
    const server = silentServer()
    await new Promise<void>((resolve) => server.listen(path, resolve))
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const started = Date.now()
    const probe = await probeKeychain({env: {...busEnv(`unix:path=${path}`), SOEMAIL_KEYCHAIN_TIMEOUT_MS: '200'}})
    expect(probe).toMatchObject({ok: false, reason: 'timeout'})
    expect(!probe.ok && probe.message).toMatch(/200 ms/)
    expect(Date.now() - started).toBeLessThan(1500)
  })

  // dbus-send (libdbus) reports a refused handshake only as a failed connection, without the server's REJECTED.
  it('a bus that rejects our authentication: reason error, saying the bus could not be connected to', async () => {
    const path = join(tempDir(), 'rejecting')
    // dbus-send hangs up as soon as it is refused, possibly before the last REJECTED is written.
    const server: Server = createServer((socket) => socket.on('error', () => undefined).on('data', () => socket.write('REJECTED EXTERNAL\r\n')))
    await new Promise<void>((resolve) => server.listen(path, resolve))
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const probe = await probeKeychain({env: busEnv(`unix:path=${path}`), timeoutMs: 2000})
    expect(probe).toMatchObject({ok: false, reason: 'error'})
    expect(!probe.ok && probe.message).toMatch(/could not open a connection to the D-Bus session bus \(unix:path=.*rejecting\)/)
  })

  describe.skipIf(!haveDbusDaemon && !REQUIRE_KEYCHAIN)('on a private bus', () => {
    let bus: Bus
    beforeAll(async () => {
      bus = await startBareBus()
    })
    afterAll(async () => {
      await bus?.stop()
    })

    it('no Secret Service on the bus: reason no-secret-service; openKeychain refuses quickly', async () => {
      const probe = await probeKeychain({env: busEnv(bus.address)})
      expect(probe).toMatchObject({ok: false, reason: 'no-secret-service'})
      expect(!probe.ok && probe.message).toMatch(/no Secret Service \(org\.freedesktop\.secrets\) is running.*none can be started/)
      const e = await expectStoreError(openKeychain({env: busEnv(bus.address)}), 2000)
      expect(e.details.reason).toBe('no-secret-service')
    })

    it('the real library, pinned as the store pins it, refuses a bus without a Secret Service instead of falling back', async () => {
      // In a child: the library keeps its D-Bus connection for the life of the process, and reads process.env.
      const script = `import {AsyncEntry} from '@napi-rs/keyring'
try { new AsyncEntry('soemail', 'pin-check:ticket', {linux: {store: 'secret-service'}}); console.log('made') } catch { console.log('refused') }`
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {env: {PATH: process.env.PATH, ...busEnv(bus.address)}, encoding: 'utf8', timeout: 20_000})
      expect(child.stdout.trim()).toBe('refused')
    })

    it('a Secret Service that is activatable but fails to start: reason no-secret-service, saying so', async () => {
      const broken = await startBareBus({activatable: {'org.freedesktop.secrets': '/bin/false'}})
      stops.push(() => broken.stop())
      const probe = await probeKeychain({env: busEnv(broken.address)})
      expect(probe).toMatchObject({ok: false, reason: 'no-secret-service'})
      expect(!probe.ok && probe.message).toMatch(/could not be started/)
    })

    it('finds the bus at $XDG_RUNTIME_DIR/bus when DBUS_SESSION_BUS_ADDRESS is unset, as libdbus does', async () => {
      const runtime = tempDir()
      const runtimeBus = await startBareBus({listen: `unix:path=${join(runtime, 'bus')}`})
      stops.push(() => runtimeBus.stop())
      expect(await probeKeychain({env: {XDG_RUNTIME_DIR: runtime}})).toMatchObject({ok: false, reason: 'no-secret-service'})
      expect(await probeKeychain({env: {XDG_RUNTIME_DIR: tempDir()}})).toMatchObject({ok: false, reason: 'no-session-bus'})
    })

    it('talks to abstract-namespace sockets', async () => {
      const name = `/tmp/soemail-test-${process.pid}-${randomBytes(4).toString('hex')}`
      const abstractBus = await startBareBus({listen: `unix:abstract=${name}`})
      stops.push(() => abstractBus.stop())
      expect(abstractBus.address).toMatch(/^unix:abstract=/)
      const probe = await probeKeychain({env: busEnv(abstractBus.address)})
      expect(probe).toMatchObject({ok: false, reason: 'no-secret-service'})
    })

    it('a Secret Service that never answers: reason timeout within the bound', async () => {
      const fake = await FakeSecretService.start(bus.address, {defaultCollection: 'hang'})
      stops.push(() => fake.close())
      const started = Date.now()
      const probe = await probeKeychain({env: busEnv(bus.address), timeoutMs: 300})
      expect(Date.now() - started).toBeLessThan(1500)
      expect(probe).toMatchObject({ok: false, reason: 'timeout'})
      expect(fake.calls).toContain('org.freedesktop.DBus.Properties.Get')
    })

    it('a locked default collection: reason locked, and openKeychain refuses', async () => {
      const fake = await FakeSecretService.start(bus.address, {defaultCollection: 'locked'})
      stops.push(() => fake.close())
      expect(await probeKeychain({env: busEnv(bus.address)})).toMatchObject({ok: false, reason: 'locked'})
      const e = await expectStoreError(openKeychain({env: busEnv(bus.address)}), 2000)
      expect(e.message).toMatch(/locked/)
      expect(e.hint).toMatch(/^Unlock the keyring .*SOEMAIL_TICKET.*--insecure-storage/)
      expect(fake.calls).toEqual(['org.freedesktop.DBus.Properties.Get', 'org.freedesktop.DBus.Properties.Get'])
    })

    it('no default collection: refused, since the library would prompt to create one', async () => {
      const fake = await FakeSecretService.start(bus.address, {defaultCollection: 'missing'})
      stops.push(() => fake.close())
      const probe = await probeKeychain({env: busEnv(bus.address)})
      expect(probe).toMatchObject({ok: false, reason: 'no-secret-service'})
      expect(!probe.ok && probe.message).toMatch(/no default keyring/)
    })

    it('an unlocked default collection passes, and the location names the serving program', async () => {
      const fake = await FakeSecretService.start(bus.address, {defaultCollection: 'unlocked'})
      stops.push(() => fake.close())
      // The fake runs inside this node process, so that is the program the probe finds.
      expect(await probeKeychain({env: busEnv(bus.address)})).toEqual({ok: true, location: 'Secret Service (node)'})
    })
  })

  it.skipIf(!haveGnomeKeyring && !REQUIRE_KEYCHAIN)('gnome-keyring: unlocked passes; after locking the collection, reason locked and no hang', async () => {
    const session = await startKeyringSession({unlock: true})
    stops.push(() => session.stop())
    expect(await probeKeychain({env: busEnv(session.address)})).toEqual({ok: true, location: 'Secret Service (gnome-keyring)'})
    await session.lockDefaultCollection()
    const started = Date.now()
    const probe = await probeKeychain({env: busEnv(session.address)})
    expect(probe).toMatchObject({ok: false, reason: 'locked'})
    expect(!probe.ok && probe.message).toMatch(/default keyring .* is locked/)
    await expectStoreError(openKeychain({env: busEnv(session.address)}), 2000, started)
  })

  it.skipIf(!haveGnomeKeyring && !REQUIRE_KEYCHAIN)('gnome-keyring started without a password and no keyring yet: refused, no prompt', async () => {
    const session = await startKeyringSession({unlock: false})
    stops.push(() => session.stop())
    const started = Date.now()
    const probe = await probeKeychain({env: busEnv(session.address)})
    expect(probe).toMatchObject({ok: false, reason: 'no-secret-service'})
    expect(!probe.ok && probe.message).toMatch(/no default keyring/)
    await expectStoreError(openKeychain({env: busEnv(session.address)}), 2000, started)
  })
})
