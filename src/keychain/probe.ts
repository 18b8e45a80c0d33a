/**
 * Whether the keychain can be used right now without hanging or prompting. Written by hand because no
 * library asks just this: @napi-rs/keyring, pinned to the Secret Service, would answer a locked keyring
 * with an unlock prompt and a missing one with a prompt to create it. So before any native call we ask
 * the session bus two read-only questions - does anyone own (or can the bus start) the Secret Service,
 * and is its default collection locked - through `dbus-send`, which ships with the D-Bus install the
 * Secret Service needs anyway. Never Unlock, never Prompt; every child is killed at one deadline, so a
 * dead bus or a hung service cannot hold the CLI.
 */
import {execFile} from 'node:child_process'
import {existsSync, readFileSync, readlinkSync, statSync} from 'node:fs'
import {basename, join} from 'node:path'
import type {KeychainProbe, KeychainProbeReason} from './secret-store.js'

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

export function keychainTimeoutMs(options: KeychainOptions = {}): number {
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) return options.timeoutMs
  const fromEnv = Number((options.env ?? process.env).SOEMAIL_KEYCHAIN_TIMEOUT_MS)
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_KEYCHAIN_TIMEOUT_MS
}

/** The session bus as libdbus finds it: DBUS_SESSION_BUS_ADDRESS, else the socket $XDG_RUNTIME_DIR/bus. */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env.DBUS_SESSION_BUS_ADDRESS?.trim()
  if (fromEnv) return fromEnv
  const candidate = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'bus') : undefined
  try {
    if (candidate && existsSync(candidate) && statSync(candidate).isSocket()) return `unix:path=${candidate}`
  } catch {
    // an unreadable runtime dir is no bus
  }
  return undefined
}

/** The `unix:path=` sockets an address lists, when it lists nothing else (dbus-send's own error is vaguer). */
function missingSockets(address: string): string[] {
  const entries = address.split(';').filter(Boolean)
  const paths = entries.map((entry) => /^unix:(?:.*,)?path=([^,]*)/.exec(entry)?.[1]).map((p) => (p === undefined ? undefined : safeDecode(p)))
  if (paths.some((p) => p === undefined || existsSync(p))) return []
  return paths as string[]
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

const SECRETS = 'org.freedesktop.secrets'
const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default'

export async function probeKeychain(options: KeychainOptions = {}): Promise<KeychainProbe> {
  if (process.platform === 'darwin') return {ok: true, location: 'macOS Keychain'}
  if (process.platform === 'win32') return {ok: true, location: 'Windows Credential Manager'}

  const address = sessionBusAddress(options.env ?? process.env)
  if (!address) {
    return fail(
      'no-session-bus',
      'there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service can be reached; this is usual over ssh and in containers',
    )
  }
  const missing = missingSockets(address)
  if (missing.length > 0) return fail('no-session-bus', `the D-Bus session bus socket ${missing.join(', ')} does not exist (DBUS_SESSION_BUS_ADDRESS=${address})`)

  const timeoutMs = keychainTimeoutMs(options)
  const bus = new Bus(address, timeoutMs)
  try {
    return await askSecretService(bus)
  } catch (e) {
    if (e instanceof BusTimeout) return fail('timeout', `the D-Bus session bus or the Secret Service did not answer within ${timeoutMs} ms`)
    if (e instanceof BusUnreachable) {
      const message = `could not open a connection to the D-Bus session bus (${address}): ${e.message}`
      return fail(/No such file|Connection refused|not exist/i.test(e.message) ? 'no-session-bus' : 'error', message)
    }
    return fail('error', `asking the Secret Service over D-Bus (${address}) failed: ${(e as Error).message}`)
  } finally {
    bus.close()
  }
}

async function askSecretService(bus: Bus): Promise<KeychainProbe> {
  let owner = await bus.nameOwner(SECRETS)
  if (owner === undefined) {
    const activatable = strings(await bus.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.ListActivatableNames'))
    if (!activatable.includes(SECRETS)) {
      return fail('no-secret-service', 'no Secret Service (org.freedesktop.secrets) is running on the D-Bus session bus, and none can be started')
    }
  }
  let answer: string
  try {
    // Starts an activatable Secret Service if needed, which is what the native call would do anyway.
    answer = await bus.call(SECRETS, DEFAULT_COLLECTION, 'org.freedesktop.DBus.Properties.Get', 'string:org.freedesktop.Secret.Collection', 'string:Locked')
  } catch (e) {
    if (!(e instanceof BusError)) throw e
    if (e.errorName.startsWith('org.freedesktop.DBus.Error.Spawn') || e.errorName === 'org.freedesktop.DBus.Error.ServiceUnknown') {
      return fail('no-secret-service', `the Secret Service could not be started (${e.message})`)
    }
    if (/NoSuchObject|UnknownObject|UnknownMethod|UnknownInterface|UnknownProperty/.test(e.errorName)) {
      // The library would then create a collection, which raises a password prompt.
      return fail('no-secret-service', 'the Secret Service has no default keyring (collection) to keep secrets in; create one, for example with Seahorse ("Passwords and Keys") or in KeePassXC')
    }
    throw e
  }
  const locked = /variant\s+boolean (true|false)/.exec(answer)?.[1]
  if (locked !== 'false') {
    return fail(
      'locked',
      locked === 'true'
        ? 'the default keyring of the Secret Service is locked, and soemail will not raise an unlock prompt'
        : 'the Secret Service gave an unexpected answer about whether its default keyring is locked',
    )
  }
  owner ??= await bus.nameOwner(SECRETS)
  return {ok: true, location: `Secret Service${await providerName(bus, owner)}`}
}

/** ' (gnome-keyring)', from the process that owns the name; '' when that cannot be told. */
async function providerName(bus: Bus, owner: string | undefined): Promise<string> {
  if (owner === undefined) return ''
  try {
    const reply = await bus.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', `string:${owner}`)
    const program = programName(Number(/uint32 (\d+)/.exec(reply)?.[1]))
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
  if (!Number.isInteger(pid) || pid <= 0) return ''
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

function fail(reason: KeychainProbeReason, message: string): KeychainProbe {
  return {ok: false, reason, message}
}

/** The quoted strings of a `dbus-send --print-reply` answer. */
function strings(reply: string): string[] {
  return [...reply.matchAll(/^\s*string "([^"]*)"/gm)].map((m) => m[1] ?? '')
}

class BusTimeout extends Error {}
/** dbus-send could not connect or authenticate. */
class BusUnreachable extends Error {}
class BusError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message)
  }
}

/** dbus-send calls on one bus that all end at one deadline. */
class Bus {
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly address: string,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.controller.abort(), timeoutMs)
  }

  close(): void {
    clearTimeout(this.timer)
    this.controller.abort()
  }

  async nameOwner(name: string): Promise<string | undefined> {
    try {
      return strings(await this.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetNameOwner', `string:${name}`))[0]
    } catch (e) {
      if (e instanceof BusError && e.errorName === 'org.freedesktop.DBus.Error.NameHasNoOwner') return undefined
      throw e
    }
  }

  call(destination: string, path: string, method: string, ...args: string[]): Promise<string> {
    const signal = this.controller.signal
    if (signal.aborted) return Promise.reject(new BusTimeout())
    // Only the bus address goes to the child: nothing of the caller's D-Bus setup leaks in, and with an
    // address set libdbus never tries X11 autolaunch.
    const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', DBUS_SESSION_BUS_ADDRESS: this.address}
    const argv = ['--session', '--print-reply', `--reply-timeout=${this.timeoutMs}`, `--dest=${destination}`, path, method, ...args]
    return new Promise((resolve, reject) => {
      execFile('dbus-send', argv, {env, signal, killSignal: 'SIGKILL', maxBuffer: 1 << 20}, (error, stdout, stderr) => {
        if (!error) return resolve(stdout)
        if (signal.aborted) return reject(new BusTimeout())
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(new Error('dbus-send is not installed (Debian and Ubuntu: package dbus-bin or dbus), so soemail cannot ask the Secret Service whether it can be used'))
        }
        const text = stderr.trim()
        const busError = /^Error ([\w.-]+): ?(.*)$/m.exec(text)
        if (busError) return reject(new BusError(busError[1] ?? '', busError[2] ?? ''))
        const connect = /^Failed to open connection to "?session"? message bus: (.*)$/m.exec(text)
        reject(connect ? new BusUnreachable(connect[1]) : new Error(text.split('\n')[0] || `dbus-send failed (${error.message})`))
      })
    })
  }
}
