/**
 * Test scaffolding for the keychain: private D-Bus buses, a scriptable fake Secret Service (dbus-next), throwaway
 * gnome-keyring sessions, and secret-tool as an independent reader of the real Secret Service.
 */
import {execFile, spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import dbus, {type Message, type MessageBus} from 'dbus-next'
import {probeKeychain} from '../../src/keychain/probe.js'

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
}

export class FakeSecretService {
  readonly calls: string[] = []

  private constructor(
    private readonly bus: MessageBus,
    public behaviour: FakeSecretServiceBehaviour,
  ) {
    // Claims every call, so that what is not scripted stays unanswered as a hung service would leave it.
    bus.addMethodHandler((m: Message) => {
      this.onCall(m)
      return true
    })
  }

  static async start(address: string, behaviour: FakeSecretServiceBehaviour): Promise<FakeSecretService> {
    const bus = dbus.sessionBus({busAddress: address})
    const result = await bus.requestName('org.freedesktop.secrets', dbus.NameFlag.DO_NOT_QUEUE)
    if (result !== dbus.RequestNameReply.PRIMARY_OWNER) throw new Error(`could not own org.freedesktop.secrets (RequestName said ${String(result)})`)
    return new FakeSecretService(bus, behaviour)
  }

  close(): void {
    this.bus.disconnect()
  }

  private onCall(m: Message): void {
    this.calls.push(`${m.interface}.${m.member}`)
    if (m.member === 'Get' && m.path === '/org/freedesktop/secrets/aliases/default') {
      const state = this.behaviour.defaultCollection
      if (state === 'hang') return
      // dbus-next's types call newError's first parameter a string; it is the call being answered.
      if (state === 'missing') return this.bus.send(dbus.Message.newError(m as unknown as string, 'org.freedesktop.Secret.Error.NoSuchObject', 'The collection does not exist'))
      return this.bus.send(dbus.Message.newMethodReturn(m, 'v', [new dbus.Variant('b', state === 'locked')]))
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
      const args = ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/aliases/default']
      await new Promise<void>((resolve, reject) =>
        execFile('dbus-send', args, {env: {PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: address}, timeout: 5000}, (error) => (error ? reject(error) : resolve())),
      )
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
