import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {accountFieldFlags, accountIdFlag, connectionFlags} from '../../flags.js'
import {CancelledError, UsageError} from '../../errors.js'

export default class AccountSave extends BaseCommand {
  static override summary = 'Create or update an e-mail account.'
  static override description = `Without --id, creates an account for an associate: the e-mail address, the IMAP (incoming) and SMTP (outgoing) servers and their credentials. User names default to the e-mail address and ports to 993 and 587.

With --id, reads the stored account and changes only the fields you give, so an update never wipes what you did not mention. An update that changes nothing is not sent.

On a terminal, missing fields are asked for (passwords masked) and a summary is shown before anything is sent. Elsewhere it never prompts: it exits 2 and names every missing flag.

Passwords: --imap-password-stdin / --smtp-password-stdin read one line each from standard input (after the ticket line when --ticket-stdin is also given), or set SOEMAIL_IMAP_PASSWORD / SOEMAIL_SMTP_PASSWORD.`

  static override examples = [
    {
      description: 'Create an account, passwords from the environment:',
      command: 'SOEMAIL_IMAP_PASSWORD=… SOEMAIL_SMTP_PASSWORD=… <%= config.bin %> <%= command.id %> --url https://crm.example.com/SuperOffice --email jane.doe@example.com --associate 5 --imap-server imap.example.com --smtp-server smtp.example.com',
    },
    {
      description: 'Point an existing account at a new IMAP server, keeping everything else:',
      command: '<%= config.bin %> <%= command.id %> --id 42 --imap-server outlook.office365.com --imap-port 993',
    },
    {
      description: 'Change a password from a secret manager, ticket and password on stdin:',
      command: 'printf \'%s\\n%s\\n\' "$TICKET" "$(pass mail/jane)" | <%= config.bin %> <%= command.id %> --id 42 --ticket-stdin --imap-password-stdin --json',
    },
    {description: 'Fill in the fields interactively:', command: '<%= config.bin %> <%= command.id %>'},
  ]

  static override flags = {
    id: accountIdFlag,
    ...accountFieldFlags,
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation on a terminal.'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(AccountSave)
    const [{readStdinSecrets}, {inputFromFlags, stdinFlagsInOrder}, {assertValid, planSave, applySave}, {missingForCreate}] = await Promise.all([
      import('../../connection/stdin.js'),
      import('../../accounts/from-flags.js'),
      import('../../accounts/service.js'),
      import('../../accounts/validate.js'),
    ])
    const secrets = await readStdinSecrets(stdinFlagsInOrder(flags))
    let input = inputFromFlags(flags, secrets, process.env)
    assertValid(input, flags.id)

    const creating = flags.id === undefined
    const missing = creating ? missingForCreate(input) : []
    if (missing.length > 0 && !this.interactive) {
      throw new UsageError(`missing ${missing.join(', ')}`, {hint: 'Give them as flags (or run on a terminal to be asked for them).', details: {missing}})
    }
    const {email} = await this.connect(flags, secrets.get('--ticket-stdin'))
    if (missing.length > 0) {
      const {promptForMissing} = await import('../../prompts/account-prompts.js')
      input = await promptForMissing(input)
    }
    const plan = await this.call(() => planSave(email, input, flags.id))
    const {accountView, renderAccount} = await import('../../output/account-view.js')
    const {stderrStyle, stdoutStyle} = await import('../../output/style.js')
    const chalk = stdoutStyle()
    const chalkStderr = stderrStyle()

    if (this.interactive && !flags.yes && !(plan.kind === 'update' && plan.changes.length === 0)) {
      const {confirmSend} = await import('../../prompts/account-prompts.js')
      const {renderChanges} = await import('../../output/changes.js')
      const summary = plan.kind === 'create' ? renderAccount(accountView(plan.account), chalkStderr) : renderChanges(plan.current.emailAccountId, plan.changes, chalkStderr)
      if (!(await confirmSend(summary, plan.kind === 'create' ? 'Create this account?' : 'Save these changes?'))) throw new CancelledError()
    }

    const result = await this.call(() => applySave(email, plan))
    const view = accountView(result.account)
    if (!this.jsonEnabled()) {
      const {renderChanges} = await import('../../output/changes.js')
      const head = {created: `Created account ${view.id} for ${view.email}`, updated: `Updated account ${view.id}`, unchanged: `Account ${view.id} already has these values; nothing was sent`}[result.action]
      this.log(`${chalk.green('✓')} ${head}`)
      if (result.action === 'updated') this.log(renderChanges(view.id, result.changes, chalk, false))
      this.log(renderAccount(view, chalk))
    }
    return {action: result.action, account: view, changes: result.changes}
  }
}
