import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {mkdir, open, rename, unlink} from 'node:fs/promises'
import {dirname} from 'node:path'
import {ALL_EMAIL_ACCOUNT_FIELDS, SERVICE_AUTH_FIELDS, type EMailAccount, type FieldSpec, type ServiceAuth} from '../soap/account-model.js'
import {emptyState, type StoreState, type StoredSession} from './store.js'

const FORMAT = 'soemail-sandbox'
const FORMAT_VERSION = 1

/** The data file exists but cannot be used; the sandbox refuses to start rather than overwrite it. */
export class SandboxDataError extends Error {
  override name = 'SandboxDataError'
  constructor(readonly file: string, why: string) {
    super(`Cannot use the sandbox data file ${file}: ${why}. Fix or remove it.`)
  }
}

/** The stored state, or an empty one when the file does not exist yet. */
export function loadDataFile(file: string): StoreState {
  if (!existsSync(file)) return emptyState()
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new SandboxDataError(file, error instanceof SyntaxError ? `it is not valid JSON (${error.message})` : String(error))
  }
  if (!isRecord(raw) || raw.format !== FORMAT) throw new SandboxDataError(file, `it is not a ${FORMAT} data file`)
  if (raw.version !== FORMAT_VERSION) throw new SandboxDataError(file, `it has format version ${String(raw.version)}, this sandbox reads ${FORMAT_VERSION}`)
  const accounts = (Array.isArray(raw.accounts) ? raw.accounts : []).filter(isRecord).map((a) => typed<EMailAccount>(a, ALL_EMAIL_ACCOUNT_FIELDS))
  if (accounts.some((a) => !Number.isInteger(a.emailAccountId) || (a.emailAccountId ?? 0) <= 0)) throw new SandboxDataError(file, 'an account has no positive emailAccountId')
  const sessions = (Array.isArray(raw.sessions) ? raw.sessions : []).filter(isSession)
  const maxId = (values: number[]) => values.reduce((m, v) => Math.max(m, v), 0)
  const authIds = accounts.flatMap((a) => [a.incoming?.serviceAuthId ?? 0, a.outgoing?.serviceAuthId ?? 0])
  return {
    // Never hand out an id the file already uses, even if its counters were edited by hand.
    nextAccountId: Math.max(positiveInt(raw.nextAccountId), maxId(accounts.map((a) => a.emailAccountId ?? 0)) + 1),
    nextServiceAuthId: Math.max(positiveInt(raw.nextServiceAuthId), maxId(authIds) + 1),
    accounts,
    sessions,
  }
}

/**
 * Writes the state after changes: atomically (temporary file, then rename, so a crash leaves the old
 * or the new file, never half of one), mode 0600 (the file holds mail passwords), and coalesced, so a
 * burst of parallel saves costs a few writes rather than one each.
 */
export class DataFileWriter {
  private dirty = false
  private running: Promise<void> | undefined
  private failure: unknown

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StoreState,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Something changed that must reach the disk soon. */
  schedule(): void {
    this.dirty = true
    this.running ??= this.drain()
  }

  /** Something changed that may wait for the next write (a session's last-use time). */
  markDirty(): void {
    this.dirty = true
  }

  /** Resolves when everything changed so far is on disk; rejects with the last write error. */
  async flush(): Promise<void> {
    if (this.dirty) this.running ??= this.drain()
    await this.running
    if (this.failure !== undefined) throw this.failure
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false
        try {
          await writeAtomically(this.file, serialise(this.snapshot()))
          this.failure = undefined
        } catch (error) {
          this.failure = error
          this.onError(error)
        }
      }
    } finally {
      this.running = undefined
    }
  }
}

function serialise(state: StoreState): string {
  // Members in wire order, so the file reads like the carrier it came from.
  const accounts = state.accounts.map((a) => typed<EMailAccount>(a as unknown as Record<string, unknown>, ALL_EMAIL_ACCOUNT_FIELDS))
  return `${JSON.stringify({format: FORMAT, version: FORMAT_VERSION, ...state, accounts}, null, 2)}\n`
}

async function writeAtomically(file: string, contents: string): Promise<void> {
  await mkdir(dirname(file), {recursive: true, mode: 0o700})
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(contents, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(tmp, file)
  } catch (error) {
    await unlink(tmp).catch(() => {})
    throw error
  }
}

function typed<T>(raw: Record<string, unknown>, specs: readonly FieldSpec<T>[]): T {
  const out: Record<string, unknown> = {}
  for (const spec of specs) {
    const value = raw[spec.key as string]
    if (spec.type === 'ServiceAuth') {
      if (isRecord(value)) out[spec.key as string] = typed<ServiceAuth>(value, SERVICE_AUTH_FIELDS)
    } else if (spec.type === 'string' || spec.type === 'dateTime') {
      if (typeof value === 'string') out[spec.key as string] = value
    } else if (Number.isInteger(value)) {
      out[spec.key as string] = value
    }
  }
  return out as T
}

function isSession(value: unknown): value is StoredSession {
  return isRecord(value) && typeof value.ticketHash === 'string' && Number.isInteger(value.associateId) && typeof value.lastUsed === 'number'
}

function positiveInt(value: unknown): number {
  return Number.isInteger(value) && (value as number) > 0 ? (value as number) : 1
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
