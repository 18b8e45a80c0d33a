import {spawn} from 'node:child_process'

export interface ProcessResult {
  status: number | null
  stdout: string
  stderr: string
}

/**
 * Runs a program to its end without blocking: a test worker whose event loop is held by spawnSync for
 * a minute misses vitest's own heartbeats ("Timeout calling onTaskUpdate") and fails the whole run.
 */
export function runProcess(command: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined
    child.on('error', reject)
    child.on('close', (status) => {
      if (timer) clearTimeout(timer)
      resolve({status, stdout, stderr})
    })
  })
}
