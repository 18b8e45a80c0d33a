/**
 * The guards around @napi-rs/keyring, with the library replaced by a stand-in that keeps its own items
 * (or hangs, or finds its pinned store unavailable), and a fake Secret Service on a private bus giving
 * the probe's side. The real library and the real Secret Service are covered in store.test.ts.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest'
import {CredentialStoreError, type SecretStore} from '../../src/keychain/secret-store.js'
import {openKeychain, pendingKeychainCalls} from '../../src/keychain/store.js'
import {FakeSecretService, REQUIRE_KEYCHAIN, hasCommand, removeTempDirs, startBareBus, type Bus} from '../helpers/keychain.js'

const native = vi.hoisted(() => {
  const state = {
    /** What the stand-in library holds: its own store, like the kernel keyring. */
    items: new Map<string, string>(),
    constructed: 0,
    /** The options bag of every entry made: each must pin the Secret Service. */
    options: [] as unknown[],
    /** Makes the constructor throw as the library does when the store an entry is pinned to is unusable. */
    storeUnavailable: false,
    signals: [] as AbortSignal[],
    /** Replaces the next operations' behaviour. */
    override: undefined as undefined | ((op: 'get' | 'set' | 'delete', key: string, value?: string) => Promise<unknown>),
  }
  class AsyncEntry {
    private readonly key: string
    constructor(service: string, user: string, options?: unknown) {
      state.constructed++
      state.options.push(options)
      if (state.storeUnavailable) throw new Error('Platform secure storage failure: no Secret Service\n\nCaused by:\n    DBus error')
      this.key = `${service}/${user}`
    }
    async setPassword(value: string, signal?: AbortSignal): Promise<void> {
      if (signal) state.signals.push(signal)
      if (state.override) return void (await state.override('set', this.key, value))
      state.items.set(this.key, value)
    }
    async getPassword(signal?: AbortSignal): Promise<string | undefined> {
      if (signal) state.signals.push(signal)
      if (state.override) return (await state.override('get', this.key)) as string | undefined
      return state.items.get(this.key)
    }
    async deleteCredential(signal?: AbortSignal): Promise<boolean> {
      if (signal) state.signals.push(signal)
      if (state.override) return (await state.override('delete', this.key)) as boolean
      return state.items.delete(this.key)
    }
  }
  return {state, AsyncEntry}
})

vi.mock('@napi-rs/keyring', () => ({AsyncEntry: native.AsyncEntry}))

afterAll(removeTempDirs)

const haveDbusDaemon = hasCommand('dbus-daemon')
const onSecretServicePlatform = process.platform !== 'darwin' && process.platform !== 'win32'
if (!haveDbusDaemon && !REQUIRE_KEYCHAIN) console.warn('[keychain tests] skipping the pinning cases: dbus-daemon is not installed')

describe.skipIf((!haveDbusDaemon || !onSecretServicePlatform) && !REQUIRE_KEYCHAIN)('pinning the keychain to the Secret Service', () => {
  let bus: Bus
  let fake: FakeSecretService
  const savedAddress = process.env.DBUS_SESSION_BUS_ADDRESS
  const SECRET = 'T-secret-value-9f8e7d'

  beforeAll(async () => {
    bus = await startBareBus()
    // The native library reads process.env, so openKeychain insists the probe looks at the same bus.
    process.env.DBUS_SESSION_BUS_ADDRESS = bus.address
  })
  afterAll(async () => {
    if (savedAddress === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedAddress
    await bus?.stop()
  })
  beforeEach(() => {
    native.state.items.clear()
    native.state.constructed = 0
    native.state.options = []
    native.state.storeUnavailable = false
    native.state.signals = []
    native.state.override = undefined
  })
  afterEach(() => {
    fake?.close()
  })

  const startFake = async (defaultCollection: 'unlocked' | 'locked') => {
    fake = await FakeSecretService.start(bus.address, {defaultCollection})
    return fake
  }
  const open = (timeoutMs = 2000): Promise<SecretStore> => openKeychain({timeoutMs})
  const rejection = async (p: Promise<unknown>): Promise<CredentialStoreError> => {
    const e = await p.then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(e).toBeInstanceOf(CredentialStoreError)
    const err = e as CredentialStoreError
    expect(err.exitCode).toBe(5)
    expect(`${err.message} ${err.hint} ${JSON.stringify(err.details)}`).not.toContain(SECRET)
    return err
  }

  it('a consistent store works (the control for the cases below)', async () => {
    await startFake('unlocked')
    native.state.items.set('soemail/p:ticket', SECRET)
    const store = await open()
    expect(await store.get('p', 'ticket')).toBe(SECRET)
    await store.set('p', 'ticket', 'new')
    expect(native.state.items.get('soemail/p:ticket')).toBe('new')
  })

  it('when the probe fails, the native library is never touched: nothing is read or written', async () => {
    await rejection(open())
    await startFake('locked')
    const e = await rejection(open())
    expect(e.details.reason).toBe('locked')
    expect(native.state.constructed).toBe(0)
  })

  it('every entry is pinned to the Secret Service, so the library cannot fall back to the kernel keyring', async () => {
    await startFake('unlocked')
    const store = await open()
    await store.set('p', 'ticket', SECRET)
    await store.get('p', 'ticket')
    await store.delete('p', 'ticket')
    expect(native.state.constructed).toBeGreaterThanOrEqual(3)
    expect(native.state.options).toEqual(Array(native.state.constructed).fill({linux: {store: 'secret-service'}}))
  })

  it('when the pinned Secret Service is unusable to the library, reads, writes and deletes are refused with exit 5 and nothing is kept', async () => {
    await startFake('unlocked')
    const store = await open()
    native.state.storeUnavailable = true
    const write = await rejection(store.set('p', 'ticket', SECRET))
    expect(write.message).toBe('the keychain failed while writing the ticket of profile "p": Platform secure storage failure: no Secret Service')
    const read = await rejection(store.get('p', 'ticket'))
    expect(read.message).toMatch(/failed while reading the ticket of profile "p"/)
    await rejection(store.delete('p', 'ticket'))
    expect(native.state.items.size).toBe(0)
  })

  it('reads back after writing and refuses a store that kept something else', async () => {
    await startFake('unlocked')
    const store = await open()
    native.state.override = async (op, key, value) => {
      if (op === 'set') native.state.items.set(key, `${value}-mangled`)
      else if (op === 'get') return native.state.items.get(key)
      return false
    }
    const e = await rejection(store.set('p', 'ticket', SECRET))
    expect(e.message).toMatch(/did not keep the ticket of profile "p".*different value/)
  })

  it('a native call that hangs is given up after the timeout, with its signal aborted', async () => {
    await startFake('unlocked')
    const store = await open(300)
    let release: (v: undefined) => void = () => undefined
    native.state.override = () => new Promise((resolve) => (release = resolve))
    const started = Date.now()
    const e = await rejection(store.get('p', 'ticket'))
    expect(Date.now() - started).toBeLessThan(1500)
    expect(e.details).toMatchObject({reason: 'timeout'})
    expect(e.message).toMatch(/did not answer within 300 ms while reading the ticket of profile "p"/)
    expect(native.state.signals.at(-1)?.aborted).toBe(true)
    // The call is still running inside the library; the CLI layer can see that and exit explicitly.
    expect(pendingKeychainCalls()).toBe(1)
    release(undefined)
    await vi.waitFor(() => expect(pendingKeychainCalls()).toBe(0))
  })

  it('native errors are cut to their first line (the library appends a Rust backtrace)', async () => {
    await startFake('unlocked')
    const store = await open()
    native.state.override = () => Promise.reject(new Error('Couldn\'t access platform storage: AccessDenied\n\nCaused by:\n    AccessDenied\n\nStack backtrace:\n   0: <unknown>'))
    const e = await rejection(store.set('p', 'ticket', SECRET))
    expect(e.message).toBe('the keychain failed while writing the ticket of profile "p": Couldn\'t access platform storage: AccessDenied')
  })

  it('refuses to probe one bus while the library would use another', async () => {
    await startFake('unlocked')
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/other-bus'
    try {
      await expect(openKeychain({env: {DBUS_SESSION_BUS_ADDRESS: bus.address}})).rejects.toThrow(/another D-Bus session bus/)
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = saved
    }
    expect(native.state.constructed).toBe(0)
  })
})
