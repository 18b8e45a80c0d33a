import {join} from 'node:path'
import {ENV, resolveConnection, type ConnectionFlags, type ConnectionSettings, type SettingSource} from './resolve.js'
import {DEFAULT_PROFILE, ProfileStore, checkProfileName, type Profile} from './profiles.js'
import type {SecretKind, SecretStore} from '../keychain/secret-store.js'

/** Where sessions live and how stores are opened; passed in so tests and commands choose. */
export interface SessionContext {
  configDir: string
  env: NodeJS.ProcessEnv
  openKeychain(): Promise<SecretStore>
  openFileStore(path: string): SecretStore
}

export const profilesPath = (configDir: string) => join(configDir, 'profiles.json')
/** Only used after the user chose --insecure-storage. */
export const insecureSecretsPath = (configDir: string) => join(configDir, 'insecure-secrets.json')

export function activeProfileName(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return checkProfileName(flag || env[ENV.profile] || DEFAULT_PROFILE)
}

export function openStore(storage: Profile['storage'], ctx: SessionContext): Promise<SecretStore> {
  return storage === 'file' ? Promise.resolve(ctx.openFileStore(insecureSecretsPath(ctx.configDir))) : ctx.openKeychain()
}

export interface ResolvedSession {
  settings: ConnectionSettings
  profileName: string
  profile?: Profile
}

/**
 * flag > environment > profile for each setting. The keychain is opened only when a secret must
 * come from the profile, so scripts with SOEMAIL_TICKET work on machines without one.
 */
export async function resolveSession(flags: ConnectionFlags & {profile?: string}, ctx: SessionContext, stdinTicket?: string): Promise<ResolvedSession> {
  const profileName = activeProfileName(flags.profile, ctx.env)
  const profile = new ProfileStore(profilesPath(ctx.configDir)).get(profileName)
  const base = {name: profileName, url: profile?.url, apiVersion: profile?.apiVersion}
  let settings = resolveConnection(flags, ctx.env, stdinTicket, base)
  const needTicket = !settings.ticket
  const needAppToken = !settings.appToken && profile?.hasAppToken
  if (profile && (needTicket || needAppToken)) {
    const store = await openStore(profile.storage, ctx)
    const source: SettingSource = profile.storage === 'file' ? 'file' : 'keychain'
    const read = async (kind: SecretKind) => {
      const value = await store.get(profileName, kind)
      return value === undefined ? undefined : {value, source}
    }
    settings = resolveConnection(flags, ctx.env, stdinTicket, {
      ...base,
      ticket: needTicket ? await read('ticket') : undefined,
      appToken: needAppToken ? await read('app-token') : undefined,
    })
  }
  return {settings, profileName, profile}
}
