import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {connectionFlags} from '../../flags.js'
import {CancelledError, UsageError} from '../../errors.js'

export default class AccountDelete extends BaseCommand {
  static override summary = 'Delete one e-mail account.'
  static override description = 'Deletes the account with DeleteEMailAccount. On a terminal it shows the account and asks first; elsewhere it needs --yes.'
  static override examples = [
    {description: 'Delete account 42 after confirming:', command: '<%= config.bin %> <%= command.id %> 42'},
    {description: 'Delete in a script:', command: '<%= config.bin %> <%= command.id %> 42 --yes --json'},
  ]

  static override args = {
    id: Args.integer({description: 'Id of the e-mail account.', required: true, min: 1}),
  }

  static override flags = {
    yes: Flags.boolean({char: 'y', summary: 'Delete without asking.'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AccountDelete)
    if (!flags.yes && !this.interactive) {
      throw new UsageError(`refusing to delete account ${args.id} without confirmation`, {hint: 'Pass --yes to delete without a prompt.'})
    }
    const {readStdinSecrets} = await import('../../connection/stdin.js')
    const secrets = await readStdinSecrets(flags['ticket-stdin'] ? ['--ticket-stdin'] : [])
    const {email} = await this.connect(flags, secrets.get('--ticket-stdin'))
    const {loadAccount} = await import('../../accounts/service.js')
    const {accountView, renderAccount} = await import('../../output/account-view.js')
    // Read first: a typo'd id fails with "not found" instead of a silent no-op, and the prompt can show what goes.
    const account = await this.call(() => loadAccount(email, args.id))
    if (!flags.yes) {
      const {confirmSend} = await import('../../prompts/account-prompts.js')
      const chalkStderr = (await import('../../output/style.js')).stderrStyle()
      if (!(await confirmSend(renderAccount(accountView(account), chalkStderr), `Delete account ${args.id} (${account.emailAddress ?? 'no address'})?`, false))) throw new CancelledError('cancelled; nothing was deleted')
    }
    await this.call(() => email.deleteEMailAccount(args.id))
    if (!this.jsonEnabled()) this.log(`Deleted account ${args.id} (${account.emailAddress ?? 'no address'})`)
    return {deleted: true, id: args.id, email: account.emailAddress}
  }
}
