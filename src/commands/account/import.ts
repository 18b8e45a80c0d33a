import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {connectionFlags, saveCheckFlags} from '../../flags.js'

// --provider fills one account's servers; a file's rows name their own.
const {provider: _provider, ...importCheckFlags} = saveCheckFlags
import {CSV_COLUMNS} from '../../model/account-fields.js'

export default class AccountImport extends BaseCommand {
  static override summary = 'Create and update accounts in bulk from a CSV file.'
  static override description = `Reads the whole file first and sends nothing unless every row is valid (or --skip-invalid). Then applies the rows with --concurrency requests at a time, retrying transient failures. Rows without an id create accounts; rows with an id update only the cells that are filled in.

Before a row is saved the CRM server tests its logins (creates, and updates of a server, port, user name or password), within the same --concurrency: a row whose test fails is not saved and is reported verify-failed with the side and the server's reason (--save-unverified saves it with a warning in the error column; --no-verify or SOEMAIL_VERIFY=off skips the tests). A Microsoft 365 row (its servers, or a domain whose MX is *.mail.protection.outlook.com) is refused and reported invalid (--allow-password-auth saves it); --offline (SOEMAIL_OFFLINE=1) skips the MX lookups. The dry-run makes the same checks, login tests included, and saves nothing.

The associate column (also named associate_id, user, username, user_name or login) takes a user name, an e-mail address (the primary e-mail on the user's person card) or an associate id. After the file has been read, every distinct associate is looked up on the server in a few batched requests (the Archive agent's AllUsers list) and checked: unknown, ambiguous (an address two users share), retired and non-person users (system, anonymous) are problems of each row naming them, with the candidates; nothing is sent unless --skip-invalid.

An account is known by its associate and e-mail address: a row without an id whose account already exists updates it (or is unchanged, and nothing is sent), so the same file imported twice changes nothing and --restart creates no duplicates; --dry-run says create, update #id or unchanged per row. Existing accounts are found through NetServer's list of accounts ready to sync (GetReadySyncEmailAccounts, one read per listed account of the file's associates) and, for the logged-in user's own addresses, GetEMailAccountFromEMailAddress. The list leaves out accounts the server does not sync - deleted ones, and probably ones whose sync has failed (the sandbox leaves out both) - so such an account of another user is not found, and a row for it creates a second account.

Every input row gets exactly one line in the results file (default <FILE>.results.csv): line, email, associate_id, associate (the user name), action, status (ok, failed, invalid, skipped, unknown), account_id, attempts, error. A journal beside it makes the run safe to interrupt: Ctrl-C finishes the rows in flight and prints the command that resumes; --resume skips rows already done and never creates an account twice. A create whose answer was lost (reset, timeout, 5xx, kill -9) is looked up by its e-mail and associate before anything else happens to it, during the run and on --resume: found, the row is ok with the account's id; absent, it is sent again. A row stays unknown only when that lookup cannot be made; the error column says why.

Undo files: <results>.undo.csv holds the previous values of updated accounts (without passwords) for replaying with account import; <results>.created.csv lists created accounts for account delete --from.

Columns: ${CSV_COLUMNS.map((f) => f.column).join(', ')} (any case; - _ and space alike); inbox_folder, sent_folder and simple_mode (on/off, yes/no, true/false, 1/0) only with --api-version 88, where a value in them with 86 or 87 is a row error (exit 3). Delimiter , ; or tab (detected), UTF-8 with or without BOM, UTF-16 with a BOM, or --encoding. A column soemail does not know stops the file (exit 3, with the nearest known column) rather than being dropped: rename it with --map or leave it out with --ignore-column.

--dry-run makes the real run's checks (every row, the ticket and the URL) and exits as the real run would (0, 3, 4, 6, 7) without sending a write, so "--dry-run && import" is a gate. Only one import of a file runs at a time: a second one exits 2 naming the process that holds <results>.lock.`

  static override examples = [
    {description: 'See what a file would do:', command: '<%= config.bin %> <%= command.id %> new-office.csv --dry-run'},
    {description: 'Import only if the dry-run passes:', command: '<%= config.bin %> <%= command.id %> new-office.csv --dry-run && <%= config.bin %> <%= command.id %> new-office.csv'},
    {description: 'Provision, 8 at a time, then check the results:', command: '<%= config.bin %> <%= command.id %> new-office.csv --concurrency 8 && column -s, -t < new-office.csv.results.csv'},
    {description: 'Continue an interrupted run:', command: '<%= config.bin %> <%= command.id %> new-office.csv --resume'},
    {description: 'Excel export with other column names, events for a pipeline:', command: "<%= config.bin %> <%= command.id %> users.csv --map 'E-post=email' --map 'Bruker=associate' --output ndjson | jq -c 'select(.status != \"ok\")'"},
  ]

  static override args = {
    // ignoreStdin: a CSV piped without - must not become the file name (oclif reads stdin for a missing argument).
    file: Args.string({description: 'CSV file, or - for standard input.', required: true, ignoreStdin: true}),
  }

  static override flags = {
    'dry-run': Flags.boolean({summary: 'Make the real run\'s checks and show what each row would do; change nothing.', helpGroup: 'Import'}),
    results: Flags.string({summary: 'Results file (default <FILE>.results.csv); the journal and undo files go beside it.', helpGroup: 'Import'}),
    resume: Flags.boolean({summary: 'Continue an earlier run of this file: skip rows already done, retry failed ones.', helpGroup: 'Import'}),
    restart: Flags.boolean({summary: 'Start over: move the earlier run\'s journal and undo files aside.', helpGroup: 'Import', exclusive: ['resume']}),
    force: Flags.boolean({summary: 'Resume even though the file changed since the earlier run.', helpGroup: 'Import'}),
    'skip-invalid': Flags.boolean({summary: 'Import the valid rows; report invalid ones as invalid.', helpGroup: 'Import'}),
    concurrency: Flags.string({
      summary: 'Requests at a time, 1-64, or auto: as many as the server takes, found from its latency; halves on 503s and timeouts.',
      description: 'auto starts at 4 and settles just past the point where the server starts to queue (every worker busy, a short queue); a terminal shows the number in force on the progress line. A fixed number sends exactly that many at once, whatever the server says.',
      default: 'auto',
      helpGroup: 'Import',
    }),
    retries: Flags.integer({summary: 'Retries of a transient failure per row.', default: 3, min: 0, max: 10, helpGroup: 'Import'}),
    delimiter: Flags.string({summary: 'Column delimiter: , ; or tab (default: detected).', helpGroup: 'Import'}),
    encoding: Flags.string({
      summary: 'The file\'s encoding: windows-1252, iso-8859-1, utf-16le, … (default: UTF-8, or UTF-16 by its byte order mark).',
      description: 'Excel\'s plain "CSV" in Western Europe is Windows-1252; its "Unicode text" is UTF-16 with a byte order mark and tabs, which is read without this flag.',
      helpGroup: 'Import',
    }),
    map: Flags.string({summary: 'Rename a column: --map "E-post=email" (repeatable).', multiple: true, helpGroup: 'Import'}),
    'ignore-column': Flags.string({summary: 'Leave a column out: --ignore-column Notes, or #N by position (repeatable).', multiple: true, helpGroup: 'Import'}),
    output: Flags.string({summary: 'text (a summary) or ndjson (one event per row on stdout).', options: ['text', 'ndjson'], default: 'text', helpGroup: 'Output'}),
    ...importCheckFlags,
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(AccountImport)
    const {runAccountImport} = await import('../../app/account-import.js')
    return runAccountImport({...flags, file: args.file, argv: this.argv, commandId: this.id}, await this.world())
  }
}
