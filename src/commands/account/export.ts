import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {connectionFlags} from '../../flags.js'

export default class AccountExport extends BaseCommand {
  static override summary = 'Write accounts as CSV in the import format.'
  static override description = 'Reads the accounts by id and writes them as CSV that account import accepts, so an export can be edited and imported back (an unedited file imports as unchanged). Passwords are left empty — which import reads as "keep the current password" — unless --include-secrets.'
  static override examples = [
    {description: 'Export three accounts:', command: '<%= config.bin %> <%= command.id %> --ids 12,13,14 > accounts.csv'},
    {description: 'For Excel in Norway, Sweden, Denmark, Germany …:', command: '<%= config.bin %> <%= command.id %> --ids 12,13,14 --excel --out accounts.csv'},
    {description: 'Export what an import created or updated, to a file:', command: '<%= config.bin %> <%= command.id %> --ids-from new-office.csv.results.csv --out snapshot.csv'},
  ]

  static override flags = {
    ids: Flags.string({summary: 'Account ids, comma-separated.', helpGroup: 'Export'}),
    'ids-from': Flags.string({summary: 'File with ids: a results file, a created file, or one id per line.', helpGroup: 'Export'}),
    out: Flags.string({char: 'o', summary: 'Write to this file (mode 0600) instead of standard output.', helpGroup: 'Export'}),
    'include-secrets': Flags.boolean({summary: 'Include the stored passwords in clear text.', helpGroup: 'Export'}),
    excel: Flags.boolean({summary: 'Write ; and a UTF-8 BOM, as Excel in a ; locale (the Nordics, most of Europe) opens it.', description: 'Without it: , and no BOM. An import reads both.', helpGroup: 'Export'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(AccountExport)
    const {runAccountExport} = await import('../../app/account-export.js')
    return runAccountExport(flags, await this.world())
  }
}
