import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {accountIdArg, connectionFlags} from '../../flags.js'

export default class AccountDelete extends BaseCommand {
  static override summary = 'Delete one e-mail account, or every account listed in a file.'
  static override description = 'Deletes with DeleteEMailAccount. On a terminal it shows what goes and asks first; elsewhere it needs --yes. --from takes the created file an import writes (<results>.created.csv), a results file, or one id per line — the way to undo the creates of an import.'
  static override examples = [
    {description: 'Delete account 42 after confirming:', command: '<%= config.bin %> <%= command.id %> 42'},
    {description: 'Delete in a script:', command: '<%= config.bin %> <%= command.id %> 42 --yes --json'},
    {description: 'Undo the creates of an import:', command: '<%= config.bin %> <%= command.id %> --from new-office.csv.results.created.csv'},
  ]

  static override args = {
    id: accountIdArg(),
  }

  static override flags = {
    from: Flags.string({summary: 'Delete every account listed in this file.'}),
    yes: Flags.boolean({char: 'y', summary: 'Delete without asking.'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AccountDelete)
    const {runAccountDelete} = await import('../../app/account-delete.js')
    return runAccountDelete({...flags, id: args.id}, await this.world())
  }
}
