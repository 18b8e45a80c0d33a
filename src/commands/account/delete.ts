import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {accountIdArg, connectionFlags} from '../../flags.js'
import {CancelledError, CliError, ExitCode, UsageError} from '../../errors.js'

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
    if ((args.id === undefined) === (flags.from === undefined)) throw new UsageError('give one account id, or --from FILE')
    if (!flags.yes && !this.interactive) {
      throw new UsageError(`refusing to delete ${args.id === undefined ? `the accounts in ${flags.from}` : `account ${args.id}`} without confirmation`, {hint: 'Pass --yes to delete without a prompt.'})
    }
    if (flags.from) return this.deleteMany(flags.from, flags)
    const id = args.id!
    const {email} = await this.connect(flags)
    const {loadAccount} = await import('../../accounts/service.js')
    const {accountView, renderAccount} = await import('../../output/account-view.js')
    // Read first: a typo'd id fails with "not found" instead of a silent no-op, and the prompt can show what goes.
    const account = await this.call(() => loadAccount(email, id))
    if (!flags.yes) {
      const {confirmSend} = await import('../../prompts/account-prompts.js')
      const chalkStderr = (await import('../../output/style.js')).stderrStyle()
      if (!(await confirmSend(renderAccount(accountView(account), chalkStderr), `Delete account ${id} (${account.emailAddress ?? 'no address'})?`, false))) throw new CancelledError('cancelled; nothing was deleted')
    }
    await this.call(() => email.deleteEMailAccount(id))
    if (!this.jsonEnabled()) this.log(`Deleted account ${id} (${account.emailAddress ?? 'no address'})`)
    return {deleted: true, id, email: account.emailAddress}
  }

  private async deleteMany(file: string, flags: Parameters<BaseCommand['connect']>[0] & {yes: boolean}): Promise<unknown> {
    const {readIdsFile} = await import('../../bulk/ids.js')
    const ids = [...new Set(readIdsFile(file))]
    if (ids.length === 0) throw new UsageError(`${file} lists no account ids`)
    const {email} = await this.connect(flags)
    if (!flags.yes) {
      const {confirmSend} = await import('../../prompts/account-prompts.js')
      const shown = ids.slice(0, 20).join(', ') + (ids.length > 20 ? `, … (${ids.length} in all)` : '')
      if (!(await confirmSend(`Accounts listed in ${file}: ${shown}`, `Delete these ${ids.length} accounts?`, false))) throw new CancelledError('cancelled; nothing was deleted')
    }
    const deleted: number[] = []
    const failed: Array<{id: number; error: string}> = []
    for (const id of ids) {
      try {
        await this.call(() => email.deleteEMailAccount(id))
        deleted.push(id)
      } catch (error) {
        if (error instanceof CliError && error.exitCode === ExitCode.AUTH) throw error
        failed.push({id, error: error instanceof Error ? error.message : String(error)})
      }
    }
    if (!this.jsonEnabled()) this.log(`Deleted ${deleted.length} of ${ids.length} accounts listed in ${file}.`)
    for (const f of failed) this.note(`account ${f.id}: ${f.error}`)
    if (failed.length > 0) throw new CliError('PARTIAL', ExitCode.PARTIAL, `${failed.length} of ${ids.length} accounts could not be deleted`, {details: {deleted, failed}})
    return {deleted, failed}
  }
}
