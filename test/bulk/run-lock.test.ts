import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {acquireRunLock, lockHolder, type RunLock} from '../../src/bulk/run-lock.js'
import {CliError} from '../../src/errors.js'

const dir = () => mkdtempSync(join(tmpdir(), 'soemail-lock-'))
/** The pid of a process that has ended (a pid reused since would make the test look at a live one). */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number
const refusal = (path: string): CliError => {
  try {
    acquireRunLock(path).release()
  } catch (error) {
    return error as CliError
  }
  throw new Error('the lock was taken')
}
const owner = (pid: number, host = hostname()) => `${JSON.stringify({pid, host, startedAt: '2026-12-01T10:00:00.000Z', token: 'theirs'})}\n`

describe('the run lock', () => {
  it('holds pid, host and start time; a second acquire is refused with exit 2 naming them; release removes it', () => {
    const path = join(dir(), 'f.csv.results.csv.lock')
    const lock = acquireRunLock(path, new Date('2026-12-02T12:00:00Z'))
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({pid: process.pid, host: hostname(), startedAt: '2026-12-02T12:00:00.000Z'})
    expect(lock.tookOver).toBeUndefined()
    const error = refusal(path)
    expect(error.exitCode).toBe(2)
    expect(error.code).toBe('RUN_LOCKED')
    expect(error.message).toBe(`another import is running with these run files: pid ${process.pid} on ${hostname()} (started 2026-12-02T12:00:00.000Z) holds ${path}; nothing was sent`)
    expect(error.details).toEqual({lock: path, pid: process.pid, host: hostname(), startedAt: '2026-12-02T12:00:00.000Z'})
    expect(lockHolder(path)?.pid).toBe(process.pid)
    lock.release()
    lock.release()
    expect(existsSync(path)).toBe(false)
    expect(lockHolder(path)).toBeUndefined()
  })

  it('takes over the lock of a process that is gone on this host, and says whose it was', () => {
    const path = join(dir(), 'r.lock')
    const pid = deadPid()
    writeFileSync(path, owner(pid))
    expect(lockHolder(path)).toBeUndefined()
    const lock = acquireRunLock(path)
    expect(lock.tookOver).toMatchObject({pid, host: hostname()})
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid)
    lock.release()
    // Nothing is left beside it from the takeover.
    expect(readdirSync(join(path, '..'))).toEqual([])
  })

  it('never takes over a lock from another host: it cannot be checked from here', () => {
    const path = join(dir(), 'r.lock')
    const theirs = owner(deadPid(), 'build-agent-7')
    writeFileSync(path, theirs)
    const error = refusal(path)
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(/pid \d+ on build-agent-7/)
    expect(error.hint).toBe(`Wait for it to end. soemail cannot check a process on build-agent-7 from here: if it is gone, delete ${path} and run again.`)
    expect(readFileSync(path, 'utf8')).toBe(theirs)
  })

  it('an empty lock file is being written (held) when new, and stale when old', () => {
    const path = join(dir(), 'r.lock')
    writeFileSync(path, '')
    expect(refusal(path).exitCode).toBe(2)
    const old = new Date(Date.now() - 60_000)
    utimesSync(path, old, old)
    const lock = acquireRunLock(path)
    expect(lock.tookOver).toEqual({unreadable: true})
    lock.release()
  })

  it('release leaves a lock that is no longer its own (taken over by a run that judged it dead)', () => {
    const path = join(dir(), 'r.lock')
    const lock: RunLock = acquireRunLock(path)
    writeFileSync(path, owner(process.pid))
    lock.release()
    expect(existsSync(path)).toBe(true)
  })

  it('a lock file that cannot be created is the error of a results file that cannot be written (exit 1)', () => {
    const error = refusal(join(dir(), 'no-such-dir', 'r.lock'))
    expect(error.exitCode).toBe(1)
    expect(error.message).toMatch(/^cannot write the lock file .*no-such-dir\/r\.lock: ENOENT$/)
    expect(error.hint).toMatch(/--results/)
  })
})
