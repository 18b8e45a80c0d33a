import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {createRow, readResults, writeCsv} from '../helpers/import-csv.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'

const sandbox = useSandbox({schemaCheck: false, users: wideDirectory()})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-faults-'))

function storedCounts(prefix: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const a of sandbox.current.accounts()) if (a.emailAddress?.startsWith(prefix)) counts.set(a.emailAddress, (counts.get(a.emailAddress) ?? 0) + 1)
  return counts
}

describe('import against a flaky server', () => {
  for (const seed of [1, 2]) {
    it(`every row exactly once, no duplicates; lost creates are looked up, never left unknown (seed ${seed})`, async () => {
      const dir = work()
      const n = 400
      const base = 300_000 + seed * 1000
      const file = writeCsv(join(dir, 'flaky.csv'), Array.from({length: n}, (_, i) => createRow(base + i)))
      const env = {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: await freshTicket(sandbox.current.url)}
      sandbox.current.setFaults({seed, latencyMs: [0, 5], rates: {serverError: 0.04, throttle: 0.04, resetBefore: 0.04, resetAfter: 0.04}, operations: ['SaveEMailAccount', 'GetEMailAccount']})
      let res
      const faultsBefore = sandbox.current.stats().faults.resetAfter ?? 0
      try {
        res = await runCli(['account', 'import', file, '--concurrency', '8', '--retries', '3', '--json'], {env, timeoutMs: 120_000})
      } finally {
        sandbox.current.setFaults(undefined)
      }
      expect((sandbox.current.stats().faults.resetAfter ?? 0) - faultsBefore, 'resets after the server acted happened').toBeGreaterThan(0)
      const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
      expect(results.map((r) => Number(r.line))).toEqual(Array.from({length: n}, (_, i) => i + 2))
      const stored = storedCounts(`user${base}`.slice(0, 7))
      const prefix = (i: number) => `user${base + i}@example.com`
      for (const [email, count] of stored) expect(count, email).toBe(1)
      results.forEach((r, i) => {
        if (r.status === 'ok') expect(stored.get(prefix(i)), `line ${r.line}`).toBe(1)
        if (r.status === 'failed') expect(stored.get(prefix(i)), `line ${r.line} failed but exists`).toBeUndefined()
      })
      expect(results.filter((r) => r.status === 'unknown')).toEqual([])

      // A resume without faults retries the failed rows (if any); nothing is created twice.
      const resumed = await runCli(['account', 'import', file, '--resume', '--json'], {env, timeoutMs: 60_000})
      expect(resumed.code, resumed.stdout).toBe(0)
      expect(res.code === 0 || res.code === 6).toBe(true)
      const after = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
      expect(after.filter((r) => r.status !== 'ok')).toEqual([])
      for (const [email, count] of storedCounts(`user${base}`.slice(0, 7))) expect(count, email).toBe(1)
      expect(storedCounts(`user${base}`.slice(0, 7)).size).toBeGreaterThanOrEqual(n)
    }, 180_000)
  }

  it('a ticket rejected mid-run stops cleanly with exit 4 and the resume command; every row still has a result', async () => {
    const dir = work()
    // An associate with no accounts yet, so the index of existing ones is three calls and the tickets expire among the rows.
    const file = writeCsv(join(dir, 'expiring.csv'), Array.from({length: 120}, (_, i) => createRow(400_000 + i, 79)))
    const {url} = sandbox.current
    const login = await runCli(['login', '--url', url, '--username', 'demo', '--password-stdin', '--insecure-storage'], {env: {HOME: dir}, input: 'demo\n'})
    expect(login.code, login.stderr).toBe(0)
    sandbox.current.setFaults({ticketExpiryAfterCalls: 40})
    try {
      const res = await runCli(['account', 'import', file, '--concurrency', '2'], {env: {HOME: dir}})
      expect(res.code, res.stderr).toBe(4)
      expect(res.stderr).toMatch(/ticket/)
      expect(res.stderr).toContain(`soemail account import ${file} --concurrency 2 --resume`)
      const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
      expect(results).toHaveLength(120)
      expect(results.some((r) => r.status === 'skipped')).toBe(true)

      // With credentials in the environment, a ticket that expires mid-run is renewed once and the run goes on.
      expect((await runCli(['login', '--username', 'demo', '--password-stdin', '--insecure-storage'], {env: {HOME: dir}, input: 'demo\n'})).code).toBe(0)
      sandbox.current.setFaults({ticketExpiryAfterCalls: 50})
      const resumed = await runCli(['account', 'import', file, '--concurrency', '2', '--resume'], {env: {HOME: dir, SOEMAIL_USERNAME: 'demo', SOEMAIL_PASSWORD: 'demo'}})
      expect(resumed.stderr).toMatch(/logged in again/)
      expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0)
      expect([...storedCounts('user4').values()].every((c) => c === 1)).toBe(true)
      expect(storedCounts('user4').size).toBe(120)
    } finally {
      sandbox.current.setFaults(undefined)
    }
  }, 120_000)

  it('--concurrency auto backs off under throttling and still completes', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'auto.csv'), Array.from({length: 150}, (_, i) => createRow(500_000 + i)))
    sandbox.current.setFaults({seed: 5, rates: {throttle: 0.1}})
    try {
      const res = await runCli(['account', 'import', file, '--concurrency', 'auto', '--retries', '6', '--json'], {env: {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: await freshTicket(sandbox.current.url)}, timeoutMs: 60_000})
      expect(res.code, res.stdout).toBe(0)
      expect(storedCounts('user5').size).toBe(150)
    } finally {
      sandbox.current.setFaults(undefined)
    }
  }, 90_000)
})

describe('progress', () => {
  it('without a terminal, a plain progress line on stderr every interval; stdout keeps only the result', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'slow.csv'), Array.from({length: 60}, (_, i) => createRow(600_000 + i)))
    sandbox.current.setFaults({latencyMs: 20})
    try {
      const res = await runCli(['account', 'import', file, '--concurrency', '2', '--json'], {env: {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: await freshTicket(sandbox.current.url), SOEMAIL_PROGRESS_INTERVAL_MS: '100'}})
      expect(res.code, res.stderr).toBe(0)
      expect(res.stderr).toMatch(/^import: \d+\/60 · ok \d+ · failed 0 · unknown 0 · \d+ rows\/s/m)
      expect(() => JSON.parse(res.stdout)).not.toThrow()
    } finally {
      sandbox.current.setFaults(undefined)
    }
  })

  it('on a terminal, a bar redrawn in place', async () => {
    const {runInPty} = await import('../helpers/pty.js')
    const dir = work()
    const file = writeCsv(join(dir, 'tty.csv'), Array.from({length: 40}, (_, i) => createRow(610_000 + i)))
    sandbox.current.setFaults({latencyMs: 20})
    try {
      const session = await runInPty(['account', 'import', file, '--concurrency', '2'], [], {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: await freshTicket(sandbox.current.url), SOEMAIL_PROGRESS_INTERVAL_MS: '50'})
      expect(session.code, session.screen).toBe(0)
      expect(session.screen).toMatch(/\r\[#*-*\] \d+\/40 · ok/)
      expect(session.screen).toMatch(/\[#{24}\] 40\/40/)
      expect(session.screen).toMatch(/Imported 40 rows/)
    } finally {
      sandbox.current.setFaults(undefined)
    }
  })
})
