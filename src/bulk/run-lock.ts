/**
 * One import at a time per run files (issue 11 §4): `<results>.lock`, created with an exclusive create
 * (`wx`) and holding the pid, host and start time of the run that owns the journal, results, undo and
 * created files.
 *
 * Why not proper-lockfile: it judges a lock stale by the age of its mtime, which the holder must keep
 * refreshing on a timer, so a run killed with -9 blocks the next one until the stale period has passed,
 * and it records nobody's pid or host for the message. A lock file that names its process can be judged
 * at once on the same host (process.kill(pid, 0)) and tells the second run whom it waits for. A lock from
 * another host is never taken over: it cannot be checked from here, so the message says how to remove it.
 *
 * Taking over a stale lock renames it aside and checks that what was moved is the stale lock that was
 * read; a live lock moved by a race is put back. Only three runs started at the same instant over one
 * stale lock could still both proceed; a pid reused by an unrelated process makes a stale lock look held
 * (the message names the file to delete).
 */
import {closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs'
import {hostname} from 'node:os'
import {randomUUID} from 'node:crypto'
import {CliError, ExitCode} from '../errors.js'

export interface LockOwner {
  pid: number
  host: string
  /** ISO time the run started. */
  startedAt: string
  /** Tells this run's lock from a later one by the same pid. */
  token: string
}

export interface RunLock {
  path: string
  /** The stale lock taken over, for the message that says so. */
  tookOver?: LockOwner | {unreadable: true}
  /** Removes the lock if it is still this run's; safe to call more than once, and from an exit handler. */
  release(): void
}

/** A lock file whose content never arrived (the creator died between create and write) is stale after this. */
const EMPTY_LOCK_STALE_MS = 10_000

export function lockPath(results: string): string {
  return `${results}.lock`
}

/** Takes the lock or throws exit 2 naming its holder. Nothing of the holder's run is read or written. */
export function acquireRunLock(path: string, now = new Date()): RunLock {
  const me: LockOwner = {pid: process.pid, host: hostname(), startedAt: now.toISOString(), token: randomUUID()}
  let tookOver: RunLock['tookOver']
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, me)) return held(path, me, tookOver)
    const state = inspect(path)
    if (state.kind === 'gone') continue
    if (state.kind === 'held') throw lockedError(path, state.owner)
    if (!moveStaleAside(path, state.raw)) continue
    tookOver = state.owner ?? {unreadable: true}
  }
  throw new CliError('RUN_LOCKED', ExitCode.USAGE, `could not take the lock ${path}: other runs keep taking it`, {hint: 'Wait for the other imports of this file to end, then run again.'})
}

/** Who holds the lock, if a live process does (a dry-run only reports it). */
export function lockHolder(path: string): LockOwner | undefined {
  const state = inspect(path)
  return state.kind === 'held' ? state.owner : undefined
}

export function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host} (started ${owner.startedAt})`
}

function tryCreate(path: string, me: LockOwner): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    // Exit 1 like any results file that cannot be written (results.ts).
    throw new CliError('RESULTS', ExitCode.UNEXPECTED, `cannot write the lock file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: 'The lock goes beside the results file; choose a writable place with --results.',
    })
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

type LockState = {kind: 'gone'} | {kind: 'held'; owner: LockOwner} | {kind: 'stale'; owner?: LockOwner; raw: string}

function inspect(path: string): LockState {
  let raw: string
  let mtimeMs: number
  try {
    raw = readFileSync(path, 'utf8')
    mtimeMs = statSync(path).mtimeMs
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {kind: 'gone'}
    throw error
  }
  const owner = parseOwner(raw)
  if (owner === undefined) {
    // Empty or torn: its creator is writing it now, or died doing so.
    if (Date.now() - mtimeMs < EMPTY_LOCK_STALE_MS) return {kind: 'held', owner: {pid: 0, host: 'unknown host', startedAt: new Date(mtimeMs).toISOString(), token: ''}}
    return {kind: 'stale', raw}
  }
  if (owner.host !== hostname() || alive(owner.pid)) return {kind: 'held', owner}
  return {kind: 'stale', owner, raw}
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const o = JSON.parse(raw) as Partial<LockOwner>
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.startedAt === 'string' && typeof o.token === 'string') return o as LockOwner
  } catch {
    // not a lock this code wrote completely
  }
  return undefined
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Moves the stale lock away; false when what was there was not the stale lock read (a race), which is put back. */
function moveStaleAside(path: string, staleRaw: string): boolean {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`
  try {
    renameSync(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  const moved = readFileSync(aside, 'utf8')
  if (moved !== staleRaw) {
    try {
      linkSync(aside, path)
    } catch {
      // Someone created a new lock meanwhile; theirs stands.
    }
    unlinkSync(aside)
    return false
  }
  unlinkSync(aside)
  return true
}

function held(path: string, me: LockOwner, tookOver: RunLock['tookOver']): RunLock {
  let released = false
  const release = () => {
    if (released) return
    released = true
    process.removeListener('exit', release)
    try {
      // Only our own lock: after a takeover by someone who judged us dead, the file is theirs.
      if (parseOwner(readFileSync(path, 'utf8'))?.token === me.token) unlinkSync(path)
    } catch {
      // Already gone.
    }
  }
  // The last resort for exits that skip the caller's finally (an uncaught error elsewhere); a kill -9
  // leaves the file, which the next run finds stale.
  process.on('exit', release)
  return {path, tookOver, release}
}

function lockedError(path: string, owner: LockOwner): CliError {
  const other = owner.host !== hostname()
  return new CliError('RUN_LOCKED', ExitCode.USAGE, `another import is running with these run files: ${owner.pid === 0 ? 'a process that is still writing the lock' : describeOwner(owner)} holds ${path}; nothing was sent`, {
    hint: other
      ? `Wait for it to end. soemail cannot check a process on ${owner.host} from here: if it is gone, delete ${path} and run again.`
      : `Wait for it to end (or stop it), then run again; a run that was killed leaves a lock the next run takes over by itself.`,
    details: {lock: path, pid: owner.pid, host: owner.host, startedAt: owner.startedAt},
  })
}
