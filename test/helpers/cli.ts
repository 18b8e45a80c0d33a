import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
  /** Another copy of bin/run.js to run (a copy of the package); the checkout's by default. */
  bin?: string
}

/**
 * The login test and DNS off: most tests save accounts on made-up servers (imap.example.com) that no
 * login can reach, and no test may ask a DNS server off this machine. The tests of those checks turn them
 * back on ({SOEMAIL_VERIFY: undefined, SOEMAIL_OFFLINE: undefined}) against local mail and DNS servers.
 */
export const CHECKS_OFF = {SOEMAIL_VERIFY: 'off', SOEMAIL_OFFLINE: '1'} as const

/** An environment with none of the caller's soemail settings, and a throwaway HOME for config dirs. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  // Proxy variables too: loopback is not exempt from a proxy, and a developer's proxy must not see the tests.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SOEMAIL_') && !/^XDG_(CONFIG|DATA|CACHE)_HOME$/.test(k) && !/^(https?|no|all)_proxy$/i.test(k)) env[k] = v
  const home = mkdtempSync(join(tmpdir(), 'soemail-home-'))
  Object.assign(env, {HOME: home, NO_COLOR: '1', FORCE_COLOR: undefined, ...CHECKS_OFF}, extra)
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

/** Runs the built CLI as a user would, with stdin a pipe (never a terminal). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
    child.stdin.end(options.input ?? '')
  })
}

export function parseJson(stdout: string): {status: number; result?: unknown; error?: {code: string; message: string; hint?: string; details?: unknown}} {
  return JSON.parse(stdout)
}
