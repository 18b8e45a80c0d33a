import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {accountIdArg, connectionFlags} from '../../flags.js'

export default class AccountGet extends BaseCommand {
  static override summary = 'Show one e-mail account.'
  static override description = 'Reads the account with GetEMailAccount. Passwords are shown as ******** unless --show-secrets is given.'
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
    const {email} = await this.connect(flags)
    const {loadAccount} = await import('../../accounts/service.js')
    const account = await this.call(() => loadAccount(email, args.id))
    const {accountView, renderAccount} = await import('../../output/account-view.js')
    const view = accountView(account, flags['show-secrets'])
    if (!this.jsonEnabled()) {
      const chalk = (await import('../../output/style.js')).stdoutStyle()
      this.log(renderAccount(view, chalk))
    }
    return view
  }
}
