import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {connectionFlags} from '../flags.js'

export default class Status extends BaseCommand {
  static override summary = 'Show the active profile and where its settings and ticket come from.'
  static override description = 'Shows the URL, user, API version and login time of the active profile, and for each setting where it comes from (flag, environment, keychain, file). Never shows the ticket itself. --check makes one call to see whether the ticket still works.'
  static override examples = [
    {description: 'What would the next command use?', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Is the ticket of the prod profile still good?', command: '<%= config.bin %> <%= command.id %> --profile prod --check'},
    {description: 'All profiles, for a script:', command: '<%= config.bin %> <%= command.id %> --all --json'},
  ]

  static override flags = {
    all: Flags.boolean({summary: 'Show every profile.'}),
    check: Flags.boolean({summary: 'Make one call to check that the ticket still works.'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Status)
    const {runStatus} = await import('../app/status.js')
    return runStatus(flags, await this.world())
  }
}
