import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {connectionFlags} from '../../flags.js'
import {CliError, ExitCode, UsageError} from '../../errors.js'

export default class AccountExport extends BaseCommand {
  static override summary = 'Write accounts as CSV in the import format.'
  static override description = 'Reads the accounts by id and writes them as CSV that account import accepts, so an export can be edited and imported back (an unedited file imports as unchanged). Passwords are left empty — which import reads as "keep the current password" — unless --include-secrets.'
  static override examples = [
    {description: 'Export three accounts:', command: '<%= config.bin %> <%= command.id %> --ids 12,13,14 > accounts.csv'},
    {description: 'Export what an import created or updated, to a file:', command: '<%= config.bin %> <%= command.id %> --ids-from new-office.csv.results.csv --out snapshot.csv'},
  ]

  static override flags = {
    ids: Flags.string({summary: 'Account ids, comma-separated.', helpGroup: 'Export'}),
    'ids-from': Flags.string({summary: 'File with ids: a results file, a created file, or one id per line.', helpGroup: 'Export'}),
    out: Flags.string({char: 'o', summary: 'Write to this file (mode 0600) instead of standard output.', helpGroup: 'Export'}),
    'include-secrets': Flags.boolean({summary: 'Include the stored passwords in clear text.', helpGroup: 'Export'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(AccountExport)
    const {parseIdList, readIdsFile} = await import('../../bulk/ids.js')
    const ids = [...(flags.ids ? parseIdList(flags.ids, '--ids') : []), ...(flags['ids-from'] ? readIdsFile(flags['ids-from']) : [])]
    if (ids.length === 0) throw new UsageError('no account ids: pass --ids 1,2,3 or --ids-from FILE')
    if (flags['include-secrets']) this.note('Warning: --include-secrets writes the stored passwords in clear text; keep the file private and delete it when done.')
    const {email} = await this.connect(flags)
    const [{exportAccounts}, fs] = await Promise.all([import('../../bulk/export.js'), import('node:fs')])
    const fd = flags.out ? fs.openSync(flags.out, 'w', 0o600) : undefined
    const write = (text: string) => (fd === undefined ? process.stdout.write(text) : fs.writeSync(fd, text))
    let outcome
    try {
      outcome = await this.call(() => exportAccounts(email, [...new Set(ids)], {includeSecrets: flags['include-secrets'], write}))
    } finally {
      if (fd !== undefined) fs.closeSync(fd)
    }
    for (const m of outcome.missing) this.note(`account ${m.id}: ${m.error}`)
    if (flags.out) this.note(`wrote ${outcome.written} account(s) to ${flags.out}`)
    if (outcome.missing.length > 0) {
      throw new CliError('PARTIAL', ExitCode.PARTIAL, `${outcome.missing.length} of ${ids.length} accounts could not be exported`, {details: outcome})
    }
    return this.jsonEnabled() ? {written: outcome.written, out: flags.out} : undefined
  }
}
