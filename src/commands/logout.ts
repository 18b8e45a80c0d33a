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
    const {runLogout} = await import('../app/logout.js')
    return runLogout(flags, await this.world())
  }
}
