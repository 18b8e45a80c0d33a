import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {connectionFlags} from '../../flags.js'

export default class AccountCheck extends BaseCommand {
  static override summary = 'Report the health of stored e-mail accounts, and test their logins with --verify.'
  static override description = `Shows each account's AccountStatus as sync left it (Unknown, Deleted, Failing, Failed, Ok), its ErrorCount and ErrorReason. With --verify the CRM server logs in to each account's IMAP and SMTP server now (AuthenticateIncoming/AuthenticateOutgoing), from where sync runs, through its firewall.

An account needs attention when it is Deleted, Failing or Failed, when a login test fails, or when it cannot be read; then the command exits 6. --out writes those accounts as an account import file (id, e-mail and the login columns of the side to fix, passwords left empty): fill it in and import it.

--all checks the accounts GetReadySyncEmailAccounts lists. NetServer lists only accounts it considers ready to sync, and may leave failed ones out (undocumented); to be sure, check the ids of an import's results file or of an export with --from.`

  static override examples = [
    {description: 'Check two accounts:', command: '<%= config.bin %> <%= command.id %> 12 13'},
    {description: 'Test the logins of every account an import created, and write a repair file:', command: '<%= config.bin %> <%= command.id %> --from new-office.csv.results.csv --verify --out repair.csv'},
    {description: 'Repair them after filling in the passwords:', command: '<%= config.bin %> account import repair.csv'},
    {description: 'Every account ready to sync, as JSON:', command: '<%= config.bin %> <%= command.id %> --all --json'},
  ]

  static override usage = '<%= command.id %> [ID...] [--from FILE | --all] [--verify] [--out FILE]'
  static override strict = false
  static override args = {}

  static override flags = {
    from: Flags.string({summary: 'Check every account listed in this file (a results or created file of an import, an export, or one id per line).', helpValue: 'FILE'}),
    all: Flags.boolean({summary: 'Check every account the server lists as ready to sync (GetReadySyncEmailAccounts).'}),
    verify: Flags.boolean({summary: 'Also test each login now, from the CRM server.'}),
    out: Flags.string({summary: 'Write the accounts that need attention as an account import file to repair them.', helpValue: 'FILE'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(AccountCheck)
    const [{runAccountCheck}, {parseIdList}] = await Promise.all([import('../../app/account-check.js'), import('../../bulk/ids.js')])
    const ids = parseIdList((argv as string[]).join(' '), 'the account ids')
    return runAccountCheck({...flags, ids}, await this.world())
  }
}
