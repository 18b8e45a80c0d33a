/**
 * The OS keychain through @napi-rs/keyring, with two guards the library lacks:
 *
 * - On Linux it silently falls back to the kernel keyring whenever its own Secret Service check fails,
 *   and that keyring forgets everything at reboot (DESIGN.md). It has no switch to prevent this (in
 *   v1), so we ask the Secret Service ourselves over D-Bus before any native call, and afterwards
 *   check that the Secret Service agrees with what each call did.
 * - Its calls can block on a locked keyring's unlock prompt or a dead D-Bus peer. Every call is raced
 *   against a timeout; a locked default collection is refused up front so no prompt is ever raised.
 *   One thing no timeout can cover: `new AsyncEntry()` talks to D-Bus synchronously on the main thread
 *   (the library bounds that at about 2 s).
 */
import type {AsyncEntry as NativeEntry} from '@napi-rs/keyring'
import {readFileSync, readlinkSync} from 'node:fs'
import {basename} from 'node:path'
import {DBusConnectError, DBusConnection, DBusError, DBusTimeoutError, sessionBusAddress, type DBusValue} from './dbus.js'
import {
  CredentialStoreError,
  checkSecretAddress,
  describeSecret,
  type KeychainProbe,
  type KeychainProbeReason,
  type SecretKind,
  type SecretStore,
} from './secret-store.js'

export const KEYCHAIN_SERVICE = 'soemail'
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5000

export interface KeychainOptions {
  /** Bound for the probe and for each keychain call. Default: SOEMAIL_KEYCHAIN_TIMEOUT_MS, else 5 s. */
  timeoutMs?: number
  /**
   * The environment the probe reads (DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR). The native library
   * always reads process.env, so openKeychain insists that both name the same bus.
   */
  env?: NodeJS.ProcessEnv
}

/** The keychain account of a secret; the Secret Service shows it as the `username` attribute. */
export function keychainAccount(profile: string, secret: SecretKind): string {
  return `${profile}:${secret}`
}

export function keychainTimeoutMs(options: KeychainOptions = {}): number {
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) return options.timeoutMs
  const fromEnv = Number((options.env ?? process.env).SOEMAIL_KEYCHAIN_TIMEOUT_MS)
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_KEYCHAIN_TIMEOUT_MS
}

/** Platforms where the library talks to the Secret Service (see @napi-rs/keyring's store setup). */
function usesSecretService(): boolean {
  return process.platform !== 'darwin' && process.platform !== 'win32'
}

// ---------------------------------------------------------------------------------------------------
// Probe

const SECRETS = 'org.freedesktop.secrets'
const BUS = {destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus'}
const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default'

/**
 * Whether the keychain can be used right now without hanging or prompting. On macOS and Windows the
 * OS keychain is always there. Elsewhere: a reachable session bus, a Secret Service that runs or can
 * be started, and an unlocked default collection. Never throws; bounded by the timeout.
 */
export async function probeKeychain(options: KeychainOptions = {}): Promise<KeychainProbe> {
  if (process.platform === 'darwin') return {ok: true, location: 'macOS Keychain'}
  if (process.platform === 'win32') return {ok: true, location: 'Windows Credential Manager'}

  const env = options.env ?? process.env
  const timeoutMs = keychainTimeoutMs(options)
  const address = sessionBusAddress(env)
  if (!address) {
    return fail(
      'no-session-bus',
      'there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service can be reached; this is usual over ssh and in containers',
    )
  }
  return withDeadline(
    timeoutMs,
    async (signal) => {
      let bus: DBusConnection | undefined
      try {
        bus = await DBusConnection.connect(address, {signal})
        return await probeSecretService(bus)
      } catch (e) {
        return probeFailure(e, address, timeoutMs)
      } finally {
        bus?.close()
      }
    },
    () => probeFailure(new DBusTimeoutError(), address, timeoutMs),
  )
}

async function probeSecretService(bus: DBusConnection): Promise<KeychainProbe> {
  const [hasOwner] = await bus.call({...BUS, member: 'NameHasOwner', signature: 's', body: [SECRETS]})
  if (hasOwner !== true) {
    const [activatable] = await bus.call({...BUS, member: 'ListActivatableNames'})
    if (!Array.isArray(activatable) || !activatable.includes(SECRETS)) {
      return fail('no-secret-service', 'no Secret Service (org.freedesktop.secrets) is running on the D-Bus session bus, and none can be started')
    }
  }
  let locked: DBusValue | undefined
  try {
    // Starts an activatable Secret Service if needed, which is what the native call would do anyway.
    ;[locked] = await bus.call({
      destination: SECRETS,
      path: DEFAULT_COLLECTION,
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: ['org.freedesktop.Secret.Collection', 'Locked'],
    })
  } catch (e) {
    if (!(e instanceof DBusError)) throw e
    if (e.errorName.startsWith('org.freedesktop.DBus.Error.Spawn') || e.errorName === 'org.freedesktop.DBus.Error.ServiceUnknown') {
      return fail('no-secret-service', `the Secret Service could not be started (${e.message})`)
    }
    if (/NoSuchObject|UnknownObject|UnknownMethod|UnknownInterface|UnknownProperty/.test(e.errorName)) {
      // The library would then create a collection, which raises a password prompt.
      return fail('no-secret-service', 'the Secret Service has no default keyring (collection) to keep secrets in; create one, for example with Seahorse ("Passwords and Keys") or in KeePassXC')
    }
    throw e
  }
  const value = typeof locked === 'object' && !Array.isArray(locked) ? locked.value : locked
  if (value !== false) {
    return fail(
      'locked',
      value === true
        ? 'the default keyring of the Secret Service is locked, and soemail will not raise an unlock prompt'
        : 'the Secret Service gave an unexpected answer about whether its default keyring is locked',
    )
  }
  return {ok: true, location: `Secret Service${await providerName(bus)}`}
}

/** ' (gnome-keyring)', from the process that owns the name; '' when that cannot be told. */
async function providerName(bus: DBusConnection): Promise<string> {
  try {
    const [owner] = await bus.call({...BUS, member: 'GetNameOwner', signature: 's', body: [SECRETS]})
    const [pid] = await bus.call({...BUS, member: 'GetConnectionUnixProcessID', signature: 's', body: [String(owner)]})
    const program = programName(Number(pid))
    if (/^gnome-keyring/.test(program)) return ' (gnome-keyring)'
    if (/keepassxc/i.test(program)) return ' (KeePassXC)'
    if (/^kwalletd|^ksecretd/.test(program)) return ' (KWallet)'
    return program ? ` (${program})` : ''
  } catch {
    return ''
  }
}

/** The executable's name; process titles (cmdline, comm) can be rewritten by the program. */
function programName(pid: number): string {
  for (const read of [() => readlinkSync(`/proc/${pid}/exe`), () => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '']) {
    try {
      const name = basename(read())
      if (name) return name
    } catch {
      // not ours to read, or no /proc: try the next source
    }
  }
  return ''
}

function probeFailure(e: unknown, address: string, timeoutMs: number): KeychainProbe {
  if (e instanceof DBusTimeoutError) {
    return fail('timeout', `the D-Bus session bus or the Secret Service did not answer within ${timeoutMs} ms`)
  }
  if (e instanceof DBusConnectError && (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EADDRNOTAVAIL')) {
    return fail('no-session-bus', e.message)
  }
  return fail('error', `asking the Secret Service over D-Bus (${address}) failed: ${(e as Error).message}`)
}

function fail(reason: KeychainProbeReason, message: string): KeychainProbe {
  return {ok: false, reason, message}
}

/**
 * Runs `work` with a signal that aborts after `ms`, and settles with `onTimeout` then even if `work`
 * overlooks the signal somewhere.
 */
async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, onTimeout: () => T): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      try {
        resolve(onTimeout())
      } catch (e) {
        reject(e)
      }
    }, ms)
  })
  try {
    return await Promise.race([work(controller.signal), deadline])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Whether the Secret Service holds an item with these attributes (locked or not). Used after every
 * native call to prove the library worked on the Secret Service and not on its kernel-keyring fallback.
 */
export async function secretServiceHasItem(attributes: Record<string, string>, options: KeychainOptions = {}): Promise<boolean> {
  const address = sessionBusAddress(options.env ?? process.env)
  if (!address) throw new DBusConnectError('there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)', 'ENOENT')
  return withDeadline(
    keychainTimeoutMs(options),
    async (signal) => {
      const bus = await DBusConnection.connect(address, {signal})
      try {
        const [unlocked, locked] = await bus.call({
          destination: SECRETS,
          path: '/org/freedesktop/secrets',
          interface: 'org.freedesktop.Secret.Service',
          member: 'SearchItems',
          signature: 'a{ss}',
          body: [Object.entries(attributes)],
        })
        return (Array.isArray(unlocked) && unlocked.length > 0) || (Array.isArray(locked) && locked.length > 0)
      } finally {
        bus.close()
      }
    },
    () => {
      throw new DBusTimeoutError('the Secret Service did not answer in time')
    },
  )
}

// ---------------------------------------------------------------------------------------------------
// Store

type NativeModule = {AsyncEntry: typeof NativeEntry}

/**
 * Opens the keychain after the probe says it is usable; otherwise throws CredentialStoreError (exit 5)
 * before anything is read or written.
 */
export async function openKeychain(options: KeychainOptions = {}): Promise<SecretStore> {
  const env = options.env ?? process.env
  const probe = await probeKeychain(options)
  if (!probe.ok) {
    throw new CredentialStoreError(`the keychain cannot be used: ${probe.message}`, {store: 'keychain', reason: probe.reason})
  }
  if (usesSecretService() && env !== process.env && sessionBusAddress(env) !== sessionBusAddress(process.env)) {
    throw new Error('openKeychain: options.env names another D-Bus session bus than process.env, which the native keychain library reads')
  }
  let native: NativeModule
  try {
    native = (await import('@napi-rs/keyring')) as NativeModule
  } catch (e) {
    throw new CredentialStoreError(
      `the keychain cannot be used: its native module did not load on this platform (${process.platform}-${process.arch}): ${firstLine(e)}`,
      {store: 'keychain', reason: 'error', location: probe.location},
      {cause: e},
    )
  }
  return new KeychainStore(probe.location, native, keychainTimeoutMs(options), usesSecretService() ? env : undefined)
}

let pendingNativeCalls = 0

/**
 * Native keychain calls still in flight. After a timeout the caller has stopped waiting, but the call
 * keeps a libuv worker thread busy and so the process alive until the library returns; when this is
 * not 0 as the CLI finishes, it should exit explicitly.
 */
export function pendingKeychainCalls(): number {
  return pendingNativeCalls
}

class KeychainStore implements SecretStore {
  readonly kind = 'keychain' as const

  constructor(
    readonly location: string,
    private readonly native: NativeModule,
    private readonly timeoutMs: number,
    /** Set where every call is cross-checked in the Secret Service over D-Bus. */
    private readonly busEnv: NodeJS.ProcessEnv | undefined,
  ) {}

  async get(profile: string, secret: SecretKind): Promise<string | undefined> {
    const what = describeSecret(profile, secret)
    const value = (await this.run(`reading ${what}`, (entry, signal) => entry.getPassword(signal), profile, secret)) ?? undefined
    await this.confirm(profile, secret, 'read', value !== undefined)
    return value
  }

  async set(profile: string, secret: SecretKind, value: string): Promise<void> {
    if (typeof value !== 'string') throw new TypeError('a secret must be a string')
    const what = describeSecret(profile, secret)
    await this.run(`writing ${what}`, (entry, signal) => entry.setPassword(value, signal), profile, secret)
    const readBack = await this.run(`reading back ${what}`, (entry, signal) => entry.getPassword(signal), profile, secret)
    if (readBack !== value) {
      throw this.error(`the keychain did not keep ${what}: reading it back after the write gave ${readBack == null ? 'nothing' : 'a different value'}`)
    }
    await this.confirm(profile, secret, 'write', true)
  }

  async delete(profile: string, secret: SecretKind): Promise<boolean> {
    const what = describeSecret(profile, secret)
    const removed = await this.run(`removing ${what}`, (entry, signal) => entry.deleteCredential(signal), profile, secret)
    await this.confirm(profile, secret, 'delete', false)
    return removed === true
  }

  /**
   * Checks over our own D-Bus connection that the Secret Service agrees with what the native call just
   * did. The library picks its store per entry and quietly uses the kernel keyring whenever its own
   * Secret Service check fails, so a passed probe alone does not pin it.
   */
  private async confirm(profile: string, secret: SecretKind, op: 'read' | 'write' | 'delete', shouldExist: boolean): Promise<void> {
    if (!this.busEnv) return
    const what = `${op === 'read' ? 'reading' : op === 'write' ? 'writing' : 'removing'} ${describeSecret(profile, secret)}`
    let exists: boolean
    try {
      exists = await secretServiceHasItem({service: KEYCHAIN_SERVICE, username: keychainAccount(profile, secret)}, {env: this.busEnv, timeoutMs: this.timeoutMs})
    } catch (e) {
      const timedOut = e instanceof DBusTimeoutError
      throw new CredentialStoreError(
        timedOut
          ? `the Secret Service did not answer within ${this.timeoutMs} ms while checking the result of ${what}`
          : `could not check the result of ${what} in the Secret Service: ${firstLine(e)}`,
        {store: 'keychain', location: this.location, ...(timedOut ? {reason: 'timeout' as const} : {})},
        {cause: e},
      )
    }
    if (exists === shouldExist) return
    if (op === 'write') {
      // Take the copy out of wherever it went rather than leave a secret that vanishes at reboot.
      await this.run(`removing ${describeSecret(profile, secret)}`, (entry, signal) => entry.deleteCredential(signal), profile, secret).catch(() => undefined)
      throw this.error(
        `the keychain library stored ${describeSecret(profile, secret)} somewhere other than the Secret Service (probably the kernel keyring, which is emptied at reboot), so it was removed again`,
      )
    }
    throw this.error(`the keychain library did not use the Secret Service while ${what} (it probably fell back to the kernel keyring), so its answer cannot be trusted`)
  }

  /**
   * One native call, raced against the timeout. On timeout the signal is aborted, which only cancels
   * calls that have not started; one already blocked in the library runs on until it returns.
   */
  private async run<T>(what: string, call: (entry: NativeEntry, signal: AbortSignal) => Promise<T>, profile: string, secret: SecretKind): Promise<T> {
    checkSecretAddress(profile, secret)
    let entry: NativeEntry
    try {
      entry = new this.native.AsyncEntry(KEYCHAIN_SERVICE, keychainAccount(profile, secret))
    } catch (e) {
      throw this.error(`the keychain failed while ${what}: ${firstLine(e)}`, e)
    }
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(
          new CredentialStoreError(`the keychain did not answer within ${this.timeoutMs} ms while ${what}`, {store: 'keychain', reason: 'timeout', location: this.location}),
        )
      }, this.timeoutMs)
    })
    pendingNativeCalls++
    const pending = call(entry, controller.signal)
    // The loser of the race must not surface later as an unhandled rejection.
    pending.then(
      () => pendingNativeCalls--,
      () => pendingNativeCalls--,
    )
    try {
      return await Promise.race([pending, timedOut])
    } catch (e) {
      if (e instanceof CredentialStoreError) throw e
      throw this.error(`the keychain failed while ${what}: ${firstLine(e)}`, e)
    } finally {
      clearTimeout(timer)
    }
  }

  private error(message: string, cause?: unknown): CredentialStoreError {
    return new CredentialStoreError(message, {store: 'keychain', location: this.location}, cause === undefined ? {} : {cause})
  }
}

/** The native errors carry a Rust backtrace after the first line; the first line is the message. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  return (text.split('\n')[0] ?? '').trim().replace(/[.:]$/, '') || 'unknown error'
}
