/**
 * Test scaffolding for the keychain: private D-Bus buses, a scriptable fake Secret Service, throwaway
 * gnome-keyring sessions, and secret-tool as an independent reader of the real Secret Service.
 */
import {execFile, spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {DBusConnection, MessageType, type DBusMessage, type DBusValue} from '../../src/keychain/dbus.js'
import {probeKeychain} from '../../src/keychain/store.js'

export const REQUIRE_KEYCHAIN = process.env.SOEMAIL_REQUIRE_KEYCHAIN === '1'

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'}).status === 0
}

/**
 * Whether the keychain tests can run here, and if not why. With SOEMAIL_REQUIRE_KEYCHAIN=1 nothing is
 * skipped: the tests run and fail, so CI cannot pass without a Secret Service.
 */
export async function keychainTestGate(): Promise<{skip: boolean; reason: string}> {
  const probe = await probeKeychain({timeoutMs: 3000})
  if (probe.ok) return {skip: false, reason: ''}
  const reason = `no usable Secret Service (${probe.reason}: ${probe.message}); run the tests under scripts/with-keychain.sh`
  if (!REQUIRE_KEYCHAIN) console.warn(`[keychain tests] skipping the real-keychain cases: ${reason}`)
  return {skip: !REQUIRE_KEYCHAIN, reason}
}

const madeDirs: string[] = []

export function tempDir(prefix = 'soemail-kc-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  madeDirs.push(dir)
  return dir
}

/** For an afterAll: removes what tempDir made (after the buses and daemons using it have stopped). */
export function removeTempDirs(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, {recursive: true, force: true})
}

// ---------------------------------------------------------------------------------------------------
// A private bus with no services but those a test makes activatable

export interface Bus {
  address: string
  stop(): Promise<void>
}

/**
 * `listen`: the bus address to listen on (default: a socket in a temp dir). `activatable`: service
 * names the bus may start, each with the command it runs.
 */
export async function startBareBus(options: {listen?: string; activatable?: Record<string, string>} = {}): Promise<Bus> {
  const {listen, activatable = {}} = options
  const dir = tempDir('soemail-bus-')
  const config = join(dir, 'bus.conf')
  const services = join(dir, 'services')
  mkdirSync(services)
  for (const [name, exec] of Object.entries(activatable)) {
    writeFileSync(join(services, `${name}.service`), `[D-BUS Service]\nName=${name}\nExec=${exec}\n`)
  }
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>${listen ?? `unix:path=${join(dir, 'bus')}`}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>${services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  )
  const child = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--print-address=1'], {stdio: ['ignore', 'pipe', 'ignore']})
  const address = await firstLine(child, 5000)
  return {address, stop: () => stopChild(child)}
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no address from ${child.spawnfile} within ${timeoutMs} ms`))
    }, timeoutMs)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const nl = out.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, nl).trim())
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${child.spawnfile} exited (${code}) before printing an address`))
    })
  })
}

function stopChild(child: ChildProcess, graceful?: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    if (graceful) graceful()
    else child.kill('SIGTERM')
  })
}

// ---------------------------------------------------------------------------------------------------
// A fake Secret Service: answers only what a test scripts, and leaves everything else unanswered

export interface FakeSecretServiceBehaviour {
  /** The answer about the default collection's Locked property; 'hang' never answers. */
  defaultCollection: 'unlocked' | 'locked' | 'missing' | 'hang'
  /** Usernames (keychain accounts) that SearchItems reports as present; undefined leaves it unanswered. */
  items?: Set<string>
}

export class FakeSecretService {
  readonly calls: string[] = []

  private constructor(private readonly bus: DBusConnection, public behaviour: FakeSecretServiceBehaviour) {
    bus.on('message', (m: DBusMessage) => this.onMessage(m))
  }

  static async start(address: string, behaviour: FakeSecretServiceBehaviour): Promise<FakeSecretService> {
    const bus = await DBusConnection.connect(address)
    const [result] = await bus.call({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member: 'RequestName',
      signature: 'su',
      body: ['org.freedesktop.secrets', 4],
    })
    if (result !== 1) throw new Error(`could not own org.freedesktop.secrets (RequestName said ${String(result)})`)
    return new FakeSecretService(bus, behaviour)
  }

  close(): void {
    this.bus.close()
  }

  private onMessage(m: DBusMessage): void {
    if (m.type !== MessageType.METHOD_CALL) return
    this.calls.push(`${m.interface}.${m.member}`)
    const reply = (signature: string, body: DBusValue[]) =>
      this.bus.send({type: MessageType.METHOD_RETURN, flags: 0, replySerial: m.serial, destination: m.sender, signature, body})
    if (m.member === 'Get' && m.path === '/org/freedesktop/secrets/aliases/default') {
      const state = this.behaviour.defaultCollection
      if (state === 'hang') return
      if (state === 'missing') {
        this.bus.send({
          type: MessageType.ERROR,
          flags: 0,
          replySerial: m.serial,
          destination: m.sender,
          errorName: 'org.freedesktop.Secret.Error.NoSuchObject',
          signature: 's',
          body: ['The collection does not exist'],
        })
        return
      }
      reply('v', [{signature: 'b', value: state === 'locked'}])
      return
    }
    if (m.member === 'SearchItems' && m.path === '/org/freedesktop/secrets' && this.behaviour.items) {
      const attributes = new Map((m.body[0] as [string, string][]) ?? [])
      const found = attributes.get('service') === 'soemail' && this.behaviour.items.has(attributes.get('username') ?? '')
      reply('aoao', [found ? ['/org/freedesktop/secrets/collection/login/1'] : [], []])
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// A throwaway gnome-keyring in its own session bus, with its own HOME

export interface KeyringSession extends Bus {
  /** Locks the default collection, as a screen lock or `secret-tool lock` would. */
  lockDefaultCollection(): Promise<void>
}

export async function startKeyringSession(options: {unlock: boolean}): Promise<KeyringSession> {
  const home = tempDir('soemail-kr-home-')
  const runtime = tempDir('soemail-kr-run-')
  const start = options.unlock
    ? 'printf %s pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
    : 'gnome-keyring-daemon --start --components=secrets >/dev/null'
  // The session lives until the test closes stdin; then the shell, the bus and the keyring all end.
  const script = `${start}
i=0
until dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -qw true; do
  i=$((i+1)); [ $i -ge 100 ] && exit 3; sleep 0.05
done
echo "$DBUS_SESSION_BUS_ADDRESS"
cat >/dev/null`
  const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), XDG_RUNTIME_DIR: runtime}
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {env, stdio: ['pipe', 'pipe', 'ignore']})
  const address = await firstLine(child, 8000)
  return {
    address,
    stop: () => stopChild(child, () => child.stdin?.end()),
    async lockDefaultCollection() {
      const bus = await DBusConnection.connect(address)
      try {
        await bus.call({
          destination: 'org.freedesktop.secrets',
          path: '/org/freedesktop/secrets',
          interface: 'org.freedesktop.Secret.Service',
          member: 'Lock',
          signature: 'ao',
          body: [['/org/freedesktop/secrets/aliases/default']],
        })
      } finally {
        bus.close()
      }
    },
  }
}

// ---------------------------------------------------------------------------------------------------
// secret-tool: libsecret's view of the items, independent of @napi-rs/keyring

export function secretTool(args: string[], input?: string): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = execFile('secret-tool', args, {timeout: 5000}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({code, stdout, stderr})
    })
    if (input !== undefined) child.stdin?.end(input)
    else child.stdin?.end()
  })
}
