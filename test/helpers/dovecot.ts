/**
 * A real IMAP server for the login tests: Dovecot from Debian (`dovecot-imapd`), run as a private instance
 * with its own config dir under a temp folder, listening on 127.0.0.1 only, on free unprivileged ports:
 * one plain port that offers STARTTLS and one implicit-TLS port, with a certificate from a test CA, and a
 * passwd-file of test users. Nothing of the system's Dovecot (config, services, ports) is used.
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chownSync, chmodSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type {TestCa} from './tls-certs.js'

/** Debian's place, or SOEMAIL_DOVECOT for another install (or a path that does not exist, to rehearse a machine without it). */
export const DOVECOT_BINARY = (process.env.SOEMAIL_DOVECOT ? [process.env.SOEMAIL_DOVECOT] : ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot']).find((p) => existsSync(p))

/** The test users: name -> password. */
export const MAIL_USERS = {alice: 'alice-imap-secret', bob: 'bob-imap-secret'} as const

export interface Dovecot {
  /** STARTTLS is offered here (143-style). */
  plainPort: number
  /** TLS from the first byte (993-style). */
  tlsPort: number
  dir: string
  /** Dovecot's own log, for a failing test's message. */
  log(): string
  stop(): Promise<void>
}

/** A port free right now on 127.0.0.1 (the kernel picks it); a race with another process makes start retry. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Who the mail processes run as: the caller, or `nobody` under root (Dovecot refuses mail access as uid 0). */
function mailUser(): {user: string; group: string; uid: number; gid: number} {
  const me = userInfo()
  if (me.uid !== 0) return {user: me.username, group: execFileSync('id', ['-gn'], {encoding: 'utf8'}).trim(), uid: me.uid, gid: me.gid}
  const uid = Number(execFileSync('id', ['-u', 'nobody'], {encoding: 'utf8'}).trim())
  const gid = Number(execFileSync('id', ['-g', 'nobody'], {encoding: 'utf8'}).trim())
  return {user: 'nobody', group: execFileSync('id', ['-gn', 'nobody'], {encoding: 'utf8'}).trim(), uid, gid}
}

function config(dir: string, plainPort: number, tlsPort: number, who: ReturnType<typeof mailUser>): string {
  return `# A private test instance (test/helpers/dovecot.ts); nothing here is read from /etc/dovecot.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <${dir}/server.pem
ssl_key = <${dir}/server.key
ssl_min_protocol = TLSv1.2
# The plain port is for STARTTLS tests; loopback counts as secure, so PLAIN may be used before it too.
disable_plaintext_auth = no
auth_mechanisms = plain login
# Dovecot waits 2 s after a failed login by default; the tests make several.
auth_failure_delay = 0
default_internal_user = ${who.user}
default_internal_group = ${who.group}
default_login_user = ${who.user}
first_valid_uid = ${who.uid}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${who.uid} gid=${who.gid} home=${dir}/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${plainPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
service anvil {
  chroot =
  # Without this socket the auth process keeps no per-IP penalty (it logs one error at start): otherwise
  # every login after a failed one waits seconds, doubling with each failure, and all tests come from 127.0.0.1.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`
}

/** Resolves once the port greets with an IMAP `* OK` (the plain one) or accepts a connection (the TLS one). */
async function waitForPort(port: number, greeting: boolean, deadline: number, exited: () => string | undefined): Promise<void> {
  for (;;) {
    const exit = exited()
    if (exit) throw new Error(exit)
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.setTimeout(1000, () => socket.destroy())
      socket.once('error', () => resolve(false))
      socket.once('close', () => resolve(false))
      if (greeting) {
        socket.once('data', (data) => {
          resolve(data.toString().startsWith('* OK'))
          socket.destroy()
        })
      } else {
        socket.once('connect', () => {
          resolve(true)
          socket.destroy()
        })
      }
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`Dovecot did not answer on 127.0.0.1:${port} within the start-up time`)
    await sleep(50)
  }
}

export async function startDovecot(ca: TestCa, attempts = 3): Promise<Dovecot> {
  if (!DOVECOT_BINARY) throw new Error('dovecot is not installed (Debian: apt-get install dovecot-imapd)')
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(ca)
    } catch (error) {
      if (attempt >= attempts) throw error
    }
  }
}

async function startOnce(ca: TestCa): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'soemail-dovecot-'))
  // Dovecot's processes that drop to the mail user must reach the home folders.
  chmodSync(dir, 0o755)
  const who = mailUser()
  for (const sub of ['run', 'state', 'home']) mkdirSync(join(dir, sub))
  chownSync(join(dir, 'home'), who.uid, who.gid)
  writeFileSync(join(dir, 'server.pem'), ca.server.cert)
  writeFileSync(join(dir, 'server.key'), ca.server.key, {mode: 0o600})
  writeFileSync(join(dir, 'users'), Object.entries(MAIL_USERS).map(([user, password]) => `${user}:{PLAIN}${password}`).join('\n') + '\n')
  const [plainPort, tlsPort] = [await freePort(), await freePort()]
  writeFileSync(join(dir, 'dovecot.conf'), config(dir, plainPort, tlsPort, who))
  const logFile = join(dir, 'dovecot.log')
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')

  // -F: the master stays in the foreground as our child, so stopping it is a kill of a pid we own.
  const child: ChildProcess = spawn(DOVECOT_BINARY ?? 'dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  // A worker that dies without afterAll must not leave a Dovecot behind.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  let exitText: string | undefined
  child.once('exit', (code, signal) => (exitText = `dovecot exited (${signal ?? code}) during start-up: ${stderr.trim()} ${log().trim()}`))
  const stop = async () => {
    process.off('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(5000)])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    rmSync(dir, {recursive: true, force: true})
  }
  try {
    const deadline = Date.now() + 10_000
    await waitForPort(plainPort, true, deadline, () => exitText)
    await waitForPort(tlsPort, false, deadline, () => exitText)
  } catch (error) {
    await stop()
    throw error
  }
  return {plainPort, tlsPort, dir, log, stop}
}
