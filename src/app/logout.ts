import {log, type World} from './world.js'

export interface LogoutOptions {
  profile?: string
  all?: boolean
}

/** Forgets the stored ticket of a profile; with `all` its tokens and the profile too. */
export async function runLogout(opts: LogoutOptions, world: World): Promise<unknown> {
  const [{activeProfileName, openStore, profilesPath}, {ProfileStore}] = await Promise.all([import('../sessions/session.js'), import('../sessions/profiles.js')])
  const name = activeProfileName(opts.profile, world.env)
  const profiles = new ProfileStore(profilesPath(world.configDir))
  const profile = profiles.get(name)
  if (!profile) {
    if (!world.json) log(world, `Profile ${name} is not logged in; nothing to remove.`)
    return {profile: name, removed: []}
  }
  const store = await openStore(profile.storage, world.sessions)
  const kinds = opts.all ? (['ticket', 'app-token', 'system-token'] as const) : (['ticket'] as const)
  const removed: string[] = []
  for (const kind of kinds) if (await store.delete(name, kind)) removed.push(kind)
  if (opts.all) profiles.remove(name)
  if (!world.json) {
    log(world, `Logged out of profile ${name}${removed.length > 0 ? `: removed the ${removed.join(', ')} from ${store.location}` : ' (no ticket was stored)'}.`)
    if (opts.all) log(world, `Profile ${name} deleted.`)
  }
  return {profile: name, removed, profileDeleted: opts.all}
}
