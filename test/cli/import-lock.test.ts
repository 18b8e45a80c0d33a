/**
 * One import at a time (issue 11 §4), with real processes of the built CLI against a sandbox whose
 * latency makes the runs overlap.
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, cleanEnv, runCli, type CliResult} from '../helpers/cli.js'
import {createRow, readResults, untilJournalDone, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'

const sandbox = useSandbox({schemaCheck: false, latencyMs: 60, users: wideDirectory()})
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-lock-cli-'))
const countByEmail = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email).length
const op = (name: string) => sandbox.current.stats().byOperation[name] ?? 0

let nextUser = 700_000
function csv(dir: string, rows: number): {file: string; emails: string[]} {
  const first = nextUser
  nextUser += rows
  const numbers = Array.from({length: rows}, (_, i) => first + i)
  return {file: writeCsv(join(dir, 'team.csv'), numbers.map((n) => createRow(n))), emails: numbers.map((n) => `user${n}@example.com`)}
}

/** The built CLI as a process whose pid the test knows. */
function start(args: string[]): {pid: number; kill: (signal: NodeJS.Signals) => void; done: Promise<CliResult>} {
  const child = spawn(process.execPath, [BIN, ...args], {env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
  return {pid: child.pid as number, kill: (signal) => child.kill(signal), done}
}

describe('one import of a file at a time', () => {
  it('two imports of one file started together: one runs, the other exits 2 naming the holder and sends nothing; no duplicate account', async () => {
    const dir = work()
    const {file, emails} = csv(dir, 30)
    const saves = op('SaveEMailAccount')
    const checks = op('CreateDefaultEMailAccount')
    const a = start(['account', 'import', file, '--concurrency', '2'])
    const b = start(['account', 'import', file, '--concurrency', '2'])
    const results = await Promise.all([a.done, b.done])
    expect(results.map((r) => r.code).sort(), results.map((r) => r.stderr).join('\n')).toEqual([0, 2])
    const winner = results[0]!.code === 0 ? a : b
    const refused = results.find((r) => r.code === 2)!
    const lock = `${file}.results.csv.lock`
    expect(refused.stderr).toContain(`another import is running with these run files: pid ${winner.pid} on ${hostname()} (started `)
    expect(refused.stderr).toContain(`holds ${lock}; nothing was sent`)
    for (const email of emails) expect(countByEmail(email)).toBe(1)
    expect(op('SaveEMailAccount') - saves).toBe(30)
    // Only the winner checked its ticket (and asked, for its account index, whose ticket it is): the refused run sent nothing at all.
    expect(op('CreateDefaultEMailAccount') - checks).toBe(2)
    const rows = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(rows.map((r) => r.status)).toEqual(emails.map(() => 'ok'))
    expect(readFileSync(`${file}.results.csv.journal`, 'utf8').split('"k":"run"').length - 1).toBe(1)
    expect(existsSync(lock)).toBe(false)
  }, 60_000)

  it('a second run while one runs, even with --restart, touches none of its files; the first ends as if alone', async () => {
    const dir = work()
    const {file, emails} = csv(dir, 40)
    const a = start(['account', 'import', file, '--concurrency', '1'])
    let ended = false
    void a.done.then(() => (ended = true))
    await untilJournalDone(`${file}.results.csv.journal`, 2, () => ended)
    expect(ended, 'the import ended before the test could look at it').toBe(false)
    const before = readdirSync(dir).sort()
    const b = await runCli(['account', 'import', file, '--restart', '--json'], {env: env()})
    expect(b.code, b.stdout).toBe(2)
    expect(JSON.parse(b.stdout).error).toMatchObject({code: 'RUN_LOCKED', details: {pid: a.pid, host: hostname(), lock: `${file}.results.csv.lock`}})
    expect(readdirSync(dir).sort()).toEqual(before)
    const first = await a.done
    expect(first.code, first.stderr).toBe(0)
    expect(readResults(readFileSync(`${file}.results.csv`, 'utf8')).map((r) => r.status)).toEqual(emails.map(() => 'ok'))
    for (const email of emails) expect(countByEmail(email)).toBe(1)
  }, 60_000)

  it('kill -9 leaves a stale lock; the next run takes it over, says so, and resumes without duplicates', async () => {
    const dir = work()
    const {file, emails} = csv(dir, 30)
    const lock = `${file}.results.csv.lock`
    const a = start(['account', 'import', file, '--concurrency', '2'])
    let ended = false
    void a.done.then(() => (ended = true))
    await untilJournalDone(`${file}.results.csv.journal`, 4, () => ended)
    a.kill('SIGKILL')
    await a.done
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({pid: a.pid, host: hostname()})
    const resumed = await runCli(['account', 'import', file, '--resume'], {env: env(), timeoutMs: 60_000})
    // 6 while rows in flight at the kill stay unknown (their lookup by natural key is issue 11 §3).
    expect([0, 6], resumed.stderr).toContain(resumed.code)
    expect(resumed.stderr).toMatch(new RegExp(`Took over the lock ${lock.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} left by pid ${a.pid} on ${hostname()} \\(started [^)]+\\), which is no longer running\\.`))
    expect(existsSync(lock)).toBe(false)
    // Rows in flight at the kill may have been created without an answer (unknown); none twice.
    for (const email of emails) expect(countByEmail(email)).toBeLessThanOrEqual(1)
  }, 60_000)

  it('two runs started together over a stale lock: one takes it over, the other is refused; no duplicate account', async () => {
    const dir = work()
    const {file, emails} = csv(dir, 20)
    const lock = `${file}.results.csv.lock`
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    writeFileSync(lock, JSON.stringify({pid: dead, host: hostname(), startedAt: '2026-12-01T08:00:00.000Z', token: 'dead'}))
    const a = start(['account', 'import', file, '--concurrency', '2'])
    const b = start(['account', 'import', file, '--concurrency', '2'])
    const results = await Promise.all([a.done, b.done])
    expect(results.map((r) => r.code).sort(), results.map((r) => r.stderr).join('\n')).toEqual([0, 2])
    expect(results.find((r) => r.code === 0)!.stderr).toContain(`left by pid ${dead} on ${hostname()}`)
    for (const email of emails) expect(countByEmail(email)).toBe(1)
    expect(existsSync(lock)).toBe(false)
  }, 60_000)

  it('the lock is released on every exit path: SIGTERM, Ctrl-C twice, a validation error, a refused journal', async () => {
    const dir = work()
    const {file} = csv(dir, 60)
    const lock = `${file}.results.csv.lock`
    const journal = `${file}.results.csv.journal`
    const stopped = start(['account', 'import', file, '--concurrency', '1'])
    await untilJournalDone(journal, 2)
    expect(existsSync(lock)).toBe(true)
    stopped.kill('SIGTERM')
    expect((await stopped.done).code).toBe(130)
    expect(existsSync(lock)).toBe(false)

    const twice = start(['account', 'import', file, '--resume', '--concurrency', '1'])
    await untilJournalDone(journal, 4)
    twice.kill('SIGINT')
    twice.kill('SIGINT')
    const hard = await twice.done
    // Stopped at once by the second signal (no exit code), or gracefully if the rows in flight ended first.
    expect([null, 130]).toContain(hard.code)
    expect(existsSync(lock)).toBe(false)

    const refusedJournal = await runCli(['account', 'import', file], {env: env()})
    expect(refusedJournal.code).toBe(2)
    expect(refusedJournal.stdout + refusedJournal.stderr).toMatch(/an earlier run of this file left/)
    expect(existsSync(lock)).toBe(false)

    const bad = writeCsv(join(dir, 'bad.csv'), [',not-an-email,5,i,993,,,p,s,587,,,p'])
    expect((await runCli(['account', 'import', bad], {env: env()})).code).toBe(3)
    expect(existsSync(`${bad}.results.csv.lock`)).toBe(false)
  }, 60_000)

  it('--dry-run takes no lock: it runs beside an import and says one is running', async () => {
    const dir = work()
    const {file} = csv(dir, 40)
    const a = start(['account', 'import', file, '--concurrency', '1'])
    let ended = false
    void a.done.then(() => (ended = true))
    await untilJournalDone(`${file}.results.csv.journal`, 1, () => ended)
    expect(ended, 'the import ended before the test could look at it').toBe(false)
    const lockBefore = readFileSync(`${file}.results.csv.lock`, 'utf8')
    const plan = await runCli(['account', 'import', file, '--dry-run'], {env: env()})
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stderr).toContain(`Note: an import of this file is running now (pid ${a.pid} on ${hostname()}`)
    expect(readFileSync(`${file}.results.csv.lock`, 'utf8')).toBe(lockBefore)
    expect((await a.done).code).toBe(0)
  }, 60_000)

  it('a lock left by another host is not taken over: exit 2 with how to remove it', async () => {
    const dir = work()
    const {file} = csv(dir, 1)
    const lock = `${file}.results.csv.lock`
    writeFileSync(lock, JSON.stringify({pid: 4242, host: 'ops-laptop', startedAt: '2026-12-01T08:00:00.000Z', token: 'x'}))
    const res = await runCli(['account', 'import', file], {env: env()})
    expect(res.code).toBe(2)
    expect(res.stderr).toContain(`pid 4242 on ops-laptop (started 2026-12-01T08:00:00.000Z) holds ${lock}`)
    expect(res.stderr).toContain(`if it is gone, delete ${lock} and run again`)
    expect(existsSync(`${file}.results.csv`)).toBe(false)
  }, 30_000)
})
