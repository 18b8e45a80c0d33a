import {execFileSync, spawn} from 'node:child_process'
import {BIN, cleanEnv} from './cli.js'

/**
 * Runs the real CLI in a pseudo-terminal made by util-linux `script`, so stdin and stdout are TTYs
 * and the prompts appear. `answers` are typed one at a time, each when its prompt text shows up.
 */
export interface PtySession {
  code: number | null
  screen: string
}

export function runInPty(args: string[], answers: Array<{when: RegExp; type: string}>, env: Record<string, string | undefined>, timeoutMs = 20_000): Promise<PtySession> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  const command = [process.execPath, BIN, ...args].map(quote).join(' ')
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {env: {...cleanEnv(env), TERM: 'xterm', COLUMNS: '120', LINES: '40'}, stdio: ['pipe', 'pipe', 'pipe']})
    let screen = ''
    let seenUpTo = 0
    let next = 0
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`timed out waiting for ${answers[next]?.when ?? 'exit'}; screen so far:\n${screen}`))
    }, timeoutMs)
    const feed = () => {
      const answer = answers[next]
      if (!answer) return
      const rest = screen.slice(seenUpTo)
      const m = answer.when.exec(rest)
      if (!m) return
      seenUpTo += m.index + m[0].length
      next++
      // A short pause lets the prompt library finish drawing before it reads keys.
      setTimeout(() => {
        child.stdin.write(answer.type)
        feed()
      }, 60)
    }
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString()
      feed()
    })
    child.stderr.on('data', (d: Buffer) => (screen += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, screen})
    })
  })
}

/** Whether `script` (util-linux) is here to make a pseudo-terminal; .ci/system-packages installs it. */
export const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

export const ENTER = '\r'
export const CTRL_C = '\u0003'
