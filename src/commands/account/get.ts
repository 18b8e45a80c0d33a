import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {accountIdArg, connectionFlags} from '../../flags.js'

export default class AccountGet extends BaseCommand {
  static override summary = 'Show one e-mail account.'
  static override description = 'Reads the account with GetEMailAccount. Passwords are shown as ******** unless --show-secrets is given. With --api-version 88 it also shows the Services88 (2026) members: Inbox folder, Sent folder, Simple mode and Last fetch (lastFetch in --json: the server\'s xs:dateTime text, or null while the account has never been fetched).'
  static override examples = [
    {description: 'Show account 42:', command: '<%= config.bin %> <%= command.id %> 42 --url https://crm.example.com/SuperOffice'},
    {description: 'Read the IMAP server of account 42 in a script:', command: "<%= config.bin %> <%= command.id %> 42 --json | jq -r '.result.imap.server'"},
  ]

  static override args = {
    id: accountIdArg({required: true}),
  }

  static override flags = {
    'show-secrets': Flags.boolean({summary: 'Show the stored passwords in clear text.'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AccountGet)
    const {runAccountGet} = await import('../../app/account-get.js')
    return runAccountGet({...flags, id: args.id}, await this.world())
  }
}
