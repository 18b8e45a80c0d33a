import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {profileFlag} from '../flags.js'

export default class Logout extends BaseCommand {
  static override summary = 'Forget the stored ticket of a profile.'
  static override description = 'Removes the ticket from the keychain (or the --insecure-storage file). With --all it also removes the application and system-user tokens and the profile itself. The session on the server is left to expire.'
  static override examples = [
    {description: 'Forget the ticket of the default profile:', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Remove everything stored for the prod profile:', command: '<%= config.bin %> <%= command.id %> --profile prod --all'},
  ]

  static override flags = {
    ...profileFlag,
    all: Flags.boolean({summary: 'Also remove the app token, the system-user token and the profile.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Logout)
    const [{activeProfileName, openStore, profilesPath}, {ProfileStore}] = await Promise.all([import('../sessions/session.js'), import('../sessions/profiles.js')])
    const name = activeProfileName(flags.profile, process.env)
    const profiles = new ProfileStore(profilesPath(this.config.configDir))
    const profile = profiles.get(name)
    if (!profile) {
      if (!this.jsonEnabled()) this.log(`Profile ${name} is not logged in; nothing to remove.`)
      return {profile: name, removed: []}
    }
    const store = await openStore(profile.storage, await this.sessionContext())
    const kinds = flags.all ? (['ticket', 'app-token', 'system-token'] as const) : (['ticket'] as const)
    const removed: string[] = []
    for (const kind of kinds) if (await store.delete(name, kind)) removed.push(kind)
    if (flags.all) profiles.remove(name)
    if (!this.jsonEnabled()) {
      this.log(`Logged out of profile ${name}${removed.length > 0 ? `: removed the ${removed.join(', ')} from ${store.location}` : ' (no ticket was stored)'}.`)
      if (flags.all) this.log(`Profile ${name} deleted.`)
    }
    return {profile: name, removed, profileDeleted: flags.all}
  }
}
