import {spawn, type ChildProcess} from 'node:child_process'
import {tmpdir} from 'node:os'
import {BIN, cleanEnv} from './cli.js'

export interface CliSandbox {
  child: ChildProcess
  exited: Promise<number | null>
  stdout(): string
  stderr(): string
}

/** The end of `soemail sandbox --json`'s one JSON document: its url and ticket are printed. */
export const JSON_READY = /\}\s*$/

/**
 * Starts `soemail sandbox ARGS` as a user would and waits until its stdout matches `ready`. Started
 * outside the repository, so the built CLI must find schemas/ and libxml2-wasm from dist/ itself.
 */
export async function startSandboxCli(args: string[], ready: RegExp): Promise<CliSandbox> {
  const child = spawn(process.execPath, [BIN, 'sandbox', ...args], {env: cleanEnv(), cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${stderr}`)), 15_000)
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (ready.test(stdout)) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return {child, exited, stdout: () => stdout, stderr: () => stderr}
}
