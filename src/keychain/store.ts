/**
 * The OS keychain through @napi-rs/keyring, with the guards the library leaves to its caller:
 *
 * - On Linux every entry is pinned to the Secret Service (`linux: {store: 'secret-service'}`): unpinned,
 *   the library falls back to the kernel keyring, which forgets everything at reboot (DESIGN.md).
 * - Its calls can block on a locked keyring's unlock prompt or a dead D-Bus peer. A locked or missing
 *   default collection is refused up front by the probe, so no prompt is ever raised, and every call is
 *   raced against a timeout. One thing no timeout can cover: `new AsyncEntry()` talks to D-Bus
 *   synchronously on the main thread (the library bounds that at about 2 s).
 * - Every write is read back and compared.
 */
import type {EntryOptions, AsyncEntry as NativeEntry} from '@napi-rs/keyring'
import {keychainTimeoutMs, probeKeychain, sessionBusAddress, type KeychainOptions} from './probe.js'
import {CredentialStoreError, checkSecretAddress, describeSecret, type SecretKind, type SecretStore} from './secret-store.js'

export const KEYCHAIN_SERVICE = 'soemail'

/** The keychain account of a secret; the Secret Service shows it as the `username` attribute. */
export function keychainAccount(profile: string, secret: SecretKind): string {
  return `${profile}:${secret}`
}

/** Platforms where the library talks to the Secret Service (see @napi-rs/keyring's store setup). */
function usesSecretService(): boolean {
  return process.platform !== 'darwin' && process.platform !== 'win32'
}

type NativeModule = {AsyncEntry: typeof NativeEntry}

/** Ignored off Linux; on Linux the constructor throws instead of falling back when the Secret Service is unusable. */
const PINNED: EntryOptions = {linux: {store: 'secret-service'}}

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
  return new KeychainStore(probe.location, native, keychainTimeoutMs(options))
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
  ) {}

  async get(profile: string, secret: SecretKind): Promise<string | undefined> {
    const what = describeSecret(profile, secret)
    const value = (await this.run(`reading ${what}`, (entry, signal) => entry.getPassword(signal), profile, secret)) ?? undefined
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
  }

  async delete(profile: string, secret: SecretKind): Promise<boolean> {
    const what = describeSecret(profile, secret)
    const removed = await this.run(`removing ${what}`, (entry, signal) => entry.deleteCredential(signal), profile, secret)
    return removed === true
  }

  /**
   * One native call, raced against the timeout. On timeout the signal is aborted, which only cancels
   * calls that have not started; one already blocked in the library runs on until it returns.
   */
  private async run<T>(what: string, call: (entry: NativeEntry, signal: AbortSignal) => Promise<T>, profile: string, secret: SecretKind): Promise<T> {
    checkSecretAddress(profile, secret)
    let entry: NativeEntry
    try {
      entry = new this.native.AsyncEntry(KEYCHAIN_SERVICE, keychainAccount(profile, secret), PINNED)
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
