import {chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {CliError, ExitCode} from '../errors.js'

/** What a profile remembers. No secrets: tickets and tokens live in the keychain (or the insecure file). */
export interface Profile {
  url: string
  apiVersion: string
  kind: 'onsite' | 'ticket' | 'system-user'
  userName?: string
  associateId?: number
  associateName?: string
  loginAt: string
  /** Where this profile's secrets are kept. */
  storage: 'keychain' | 'file'
  hasAppToken?: boolean
  systemUser?: {contextIdentifier: string; privateKeyFile: string; loginBaseUrl: string}
}

interface ProfilesFile {
  version: 1
  profiles: Record<string, Profile>
}

export const DEFAULT_PROFILE = 'default'
const NAME_RE = /^[\w.-]{1,64}$/

export function checkProfileName(name: string): string {
  if (!NAME_RE.test(name)) throw new CliError('USAGE', ExitCode.USAGE, `profile name "${name}" is not allowed; use letters, digits, '.', '_' or '-' (at most 64)`)
  return name
}

/** The profiles JSON file (mode 0600), rewritten atomically so a crash never leaves half a file. */
export class ProfileStore {
  constructor(readonly path: string) {}

  list(): Record<string, Profile> {
    return this.read().profiles
  }

  get(name: string): Profile | undefined {
    return this.read().profiles[name]
  }

  set(name: string, profile: Profile): void {
    const data = this.read()
    data.profiles[checkProfileName(name)] = profile
    this.write(data)
  }

  remove(name: string): boolean {
    const data = this.read()
    if (!(name in data.profiles)) return false
    delete data.profiles[name]
    this.write(data)
    return true
  }

  /** The file's permission bits, or undefined when there is no file yet. */
  mode(): number | undefined {
    try {
      return statSync(this.path).mode & 0o777
    } catch {
      return undefined
    }
  }

  private read(): ProfilesFile {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {version: 1, profiles: {}}
      throw new CliError('PROFILE_FILE', ExitCode.UNEXPECTED, `cannot read the profile file ${this.path}: ${(error as NodeJS.ErrnoException).code}`)
    }
    try {
      const data = JSON.parse(text) as ProfilesFile
      if (typeof data !== 'object' || data === null || typeof data.profiles !== 'object') throw new Error('no "profiles" object')
      return data
    } catch (error) {
      throw new CliError('PROFILE_FILE', ExitCode.UNEXPECTED, `the profile file ${this.path} is damaged (${(error as Error).message})`, {
        hint: `Fix it, or delete it and log in again: rm ${this.path}`,
      })
    }
  }

  private write(data: ProfilesFile): void {
    mkdirSync(dirname(this.path), {recursive: true, mode: 0o700})
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, {mode: 0o600})
    chmodSync(tmp, 0o600)
    renameSync(tmp, this.path)
  }
}
