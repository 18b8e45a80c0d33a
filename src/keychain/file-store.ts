/**
 * The insecure store chosen with `login --insecure-storage`: secrets in a JSON file that only the user
 * can read. "Insecure" because anything running as the user, and any backup, sees them in plain text.
 */
import {randomBytes} from 'node:crypto'
import {mkdir, open, rename, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {CredentialStoreError, checkSecretAddress, describeSecret, type SecretKind, type SecretStore} from './secret-store.js'

type Contents = Map<string, Map<string, string>>

// Windows has no POSIX mode bits; its ACLs on the profile directory are what protects the file there.
const POSIX = process.platform !== 'win32'

export function openFileStore(path: string): SecretStore {
  return new FileStore(path)
}

class FileStore implements SecretStore {
  readonly kind = 'file' as const

  constructor(readonly location: string) {}

  async get(profile: string, secret: SecretKind): Promise<string | undefined> {
    checkSecretAddress(profile, secret)
    return (await this.read())?.get(profile)?.get(secret)
  }

  async set(profile: string, secret: SecretKind, value: string): Promise<void> {
    checkSecretAddress(profile, secret)
    if (typeof value !== 'string') throw new TypeError('a secret must be a string')
    const contents = (await this.read()) ?? new Map()
    const entry = contents.get(profile) ?? new Map<string, string>()
    entry.set(secret, value)
    contents.set(profile, entry)
    await this.write(contents, describeSecret(profile, secret))
  }

  async delete(profile: string, secret: SecretKind): Promise<boolean> {
    checkSecretAddress(profile, secret)
    const contents = await this.read()
    const entry = contents?.get(profile)
    if (!contents || !entry?.delete(secret)) return false
    if (entry.size === 0) contents.delete(profile)
    await this.write(contents, describeSecret(profile, secret))
    return true
  }

  /** The contents, or undefined when there is no file. */
  private async read(): Promise<Contents | undefined> {
    let text: string
    try {
      // Check the mode on the opened descriptor, so the file we judge is the file we read.
      const handle = await open(this.location, 'r')
      try {
        const stat = await handle.stat()
        if (POSIX && (stat.mode & 0o077) !== 0) {
          throw this.error(
            `refusing to read ${this.location}: its permissions (${(stat.mode & 0o777).toString(8).padStart(3, '0')}) let other users read the secrets in it`,
            `Run \`chmod 600 ${this.location}\`, then consider whether the secrets in it were exposed (log in again to replace them).`,
          )
        }
        text = await handle.readFile('utf8')
      } finally {
        await handle.close()
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      if (e instanceof CredentialStoreError) throw e
      throw this.error(`cannot read the secrets file ${this.location}: ${(e as Error).message}`, undefined, e)
    }
    return this.parse(text)
  }

  private parse(text: string): Contents {
    const broken = () =>
      this.error(`the secrets file ${this.location} is not in the expected format`, `Delete it and run \`soemail login --insecure-storage\` again.`)
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      // The parser's message quotes the text around the problem, which may be a secret.
      throw broken()
    }
    if (!isPlainObject(data)) throw broken()
    const contents: Contents = new Map()
    for (const [profile, secrets] of Object.entries(data)) {
      if (!isPlainObject(secrets)) throw broken()
      const entry = new Map<string, string>()
      for (const [kind, value] of Object.entries(secrets)) {
        if (typeof value !== 'string') throw broken()
        entry.set(kind, value)
      }
      contents.set(profile, entry)
    }
    return contents
  }

  /** Replaces the file atomically, so a crash leaves either the old or the new secrets, never half. */
  private async write(contents: Contents, what: string): Promise<void> {
    const dir = dirname(this.location)
    const tmp = join(dir, `.${basename(this.location)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      // Only directories created here get 0700; an existing config directory is the user's to set.
      await mkdir(dir, {recursive: true, mode: 0o700})
      if (contents.size === 0) {
        await unlink(this.location).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e
        })
        return
      }
      // Object.fromEntries defines own properties, so a profile named __proto__ stays data.
      const json = JSON.stringify(Object.fromEntries([...contents].map(([p, s]) => [p, Object.fromEntries(s)])), null, 2) + '\n'
      // 'wx' with 0600: the secrets are never readable by others, not even between create and chmod.
      const handle = await open(tmp, 'wx', 0o600)
      try {
        await handle.writeFile(json, 'utf8')
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(tmp, this.location)
    } catch (e) {
      await unlink(tmp).catch(() => undefined)
      throw this.error(`cannot write ${what} to ${this.location}: ${(e as Error).message}`, undefined, e)
    }
  }

  private error(message: string, hint?: string, cause?: unknown): CredentialStoreError {
    hint ??= `Check that you own ${dirname(this.location)} and can write to it, or keep the secrets in the keychain instead (\`soemail login\` without --insecure-storage).`
    return new CredentialStoreError(message, {store: 'file', location: this.location}, {cause, hint})
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
