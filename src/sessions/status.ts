import type {ConnectionFlags, SettingSource} from './resolve.js'
import {CliError} from '../errors.js'
import {ProfileStore, type Profile} from './profiles.js'
import {activeProfileName, openStore, profilesPath, resolveSession, type SessionContext} from './session.js'

export interface SettingView {
  value?: string
  source: SettingSource | 'none'
}

/** Where a secret comes from; never its value. */
export interface SecretView {
  source: SettingSource | 'none'
  storedIn?: string
  problem?: string
}

export interface ProfileStatus {
  profile: string
  active: boolean
  loggedIn: boolean
  url: SettingView
  apiVersion: SettingView
  kind?: Profile['kind']
  userName?: string
  associateId?: number
  associateName?: string
  loginAt?: string
  ageSeconds?: number
  ticket: SecretView
  appToken: SecretView
}

export interface StatusReport {
  active: string
  profileFile: string
  profiles: ProfileStatus[]
}

export async function describeSessions(flags: ConnectionFlags & {profile?: string}, ctx: SessionContext, options: {all?: boolean; stdinTicket?: string; now?: Date}): Promise<StatusReport> {
  const now = options.now ?? new Date()
  const active = activeProfileName(flags.profile, ctx.env)
  const store = new ProfileStore(profilesPath(ctx.configDir))
  const all = store.list()
  const rows: ProfileStatus[] = [await activeStatus(flags, ctx, options.stdinTicket, active, all[active], now)]
  if (options.all) {
    for (const [name, profile] of Object.entries(all)) if (name !== active) rows.push(await storedStatus(name, profile, ctx, now))
  }
  return {active, profileFile: store.path, profiles: rows}
}

function identity(profile: Profile | undefined, now: Date): Partial<ProfileStatus> {
  if (!profile) return {}
  return {
    kind: profile.kind,
    userName: profile.userName,
    associateId: profile.associateId,
    associateName: profile.associateName,
    loginAt: profile.loginAt,
    ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(profile.loginAt)) / 1000)),
  }
}

async function activeStatus(flags: ConnectionFlags, ctx: SessionContext, stdinTicket: string | undefined, name: string, profile: Profile | undefined, now: Date): Promise<ProfileStatus> {
  const storedIn = profile ? await location(profile, ctx) : undefined
  try {
    const {settings} = await resolveSession({...flags, profile: name}, ctx, stdinTicket)
    const secret = (s: typeof settings.ticket): SecretView =>
      s ? {source: s.source, ...(s.source === 'keychain' || s.source === 'file' ? {storedIn} : {})} : {source: 'none'}
    return {
      profile: name,
      active: true,
      loggedIn: Boolean(profile),
      url: settings.url ? {value: settings.url.value, source: settings.url.source} : {source: 'none'},
      apiVersion: {value: settings.apiVersion.value, source: settings.apiVersion.source},
      ...identity(profile, now),
      ticket: secret(settings.ticket),
      appToken: secret(settings.appToken),
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error
    return {
      profile: name,
      active: true,
      loggedIn: Boolean(profile),
      url: profile ? {value: profile.url, source: 'profile'} : {source: 'none'},
      apiVersion: profile ? {value: profile.apiVersion, source: 'profile'} : {source: 'none'},
      ...identity(profile, now),
      ticket: {source: profile?.storage === 'file' ? 'file' : 'keychain', problem: error.message},
      appToken: {source: 'none'},
    }
  }
}

async function storedStatus(name: string, profile: Profile, ctx: SessionContext, now: Date): Promise<ProfileStatus> {
  const source: SettingSource = profile.storage === 'file' ? 'file' : 'keychain'
  let ticket: SecretView
  let appToken: SecretView = {source: 'none'}
  try {
    const store = await openStore(profile.storage, ctx)
    ticket = (await store.get(name, 'ticket')) === undefined ? {source: 'none'} : {source, storedIn: store.location}
    if (profile.hasAppToken) appToken = (await store.get(name, 'app-token')) === undefined ? {source: 'none'} : {source, storedIn: store.location}
  } catch (error) {
    if (!(error instanceof CliError)) throw error
    ticket = {source, problem: error.message}
  }
  return {
    profile: name,
    active: false,
    loggedIn: true,
    url: {value: profile.url, source: 'profile'},
    apiVersion: {value: profile.apiVersion, source: 'profile'},
    ...identity(profile, now),
    ticket,
    appToken,
  }
}

async function location(profile: Profile, ctx: SessionContext): Promise<string | undefined> {
  try {
    return (await openStore(profile.storage, ctx)).location
  } catch {
    return undefined
  }
}
