import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {accountFieldFlags, accountIdFlag, connectionFlags, createNewFlag, saveCheckFlags} from '../../flags.js'

export default class AccountSave extends BaseCommand {
  static override summary = 'Create or update an e-mail account.'
  static override description = `Without --id, creates an account for an associate: the e-mail address, the IMAP (incoming) and SMTP (outgoing) servers and their credentials. User names default to the e-mail address and ports to 993 and 587.

--associate names the user who owns the account: a user name (kari), an e-mail address (the primary e-mail on the person card) or an associate id. It is looked up on the server and checked before anything is sent; an unknown, ambiguous, retired or non-person user exits 3 and lists the candidates. On a terminal, the owner prompt searches the user list as you type.

An account is known by its associate and e-mail address: when one already exists, it is updated instead of created twice ("Updated #42 (matched kari@example.no for kari)"), and --create-new creates another anyway. Existing accounts are found through NetServer's list of accounts ready to sync (GetReadySyncEmailAccounts) and, for the logged-in user's own addresses, GetEMailAccountFromEMailAddress. The list leaves out accounts the server does not sync (deleted ones, and probably ones whose sync has failed), so such an account of another user is not found and a new one is created.

With --id, reads the stored account and changes only the fields you give, so an update never wipes what you did not mention. An update that changes nothing is not sent.

On a terminal, missing fields are asked for (passwords masked) and a summary is shown before anything is sent. Elsewhere it never prompts: it exits 2 and names every missing flag.

Passwords: --imap-password-stdin / --smtp-password-stdin read one line each from standard input (after the ticket line when --ticket-stdin is also given), or set SOEMAIL_IMAP_PASSWORD / SOEMAIL_SMTP_PASSWORD. On a terminal they ask with a masked prompt instead, as --imap-password-prompt / --smtp-password-prompt always do: with --id, that changes just the password.

Before anything is saved, the CRM server tests the logins (AuthenticateIncoming / AuthenticateOutgoing, from where sync will run): for a create, and for an update that changes a server, port, user name or password. A failed test exits 3, names the side and the server's reason, and saves nothing; --save-unverified saves anyway with a warning, --no-verify (or SOEMAIL_VERIFY=off) skips the test.

Servers not given are filled from --provider NAME, or detected from the address's domain (built-in table, MX, SRV, autoconfig, Thunderbird's ISPDB; soemail providers detect shows the sources); --offline (or SOEMAIL_OFFLINE=1) keeps to the built-in table and skips every MX check. Microsoft 365 (its servers, or a domain whose MX is *.mail.protection.outlook.com) is refused with exit 3: SuperOffice connects it only through "Sign in with Microsoft" in Inbox; --allow-password-auth saves it anyway. A domain the CRM server finds no MX record for (HasMXRecord) gets a warning.

Services88 (2026): --inbox-folder, --sent-folder and --simple-mode (on/off, yes/no, true/false or 1/0) exist only with --api-version 88; with 86 or 87 they exit 2 and say so, nothing is sent. Left out, they keep the stored value; --inbox-folder "" clears a folder.`

  static override examples = [
    {
      description: 'Services88: set the folders Inbox uses and turn SimpleMode on:',
      command: '<%= config.bin %> <%= command.id %> --id 42 --api-version 88 --inbox-folder INBOX --sent-folder Sent --simple-mode on',
    },
    {
      description: 'Create an account, passwords from the environment:',
      command: 'SOEMAIL_IMAP_PASSWORD=… SOEMAIL_SMTP_PASSWORD=… <%= config.bin %> <%= command.id %> --url https://crm.example.com/SuperOffice --email jane.doe@example.com --associate jane --imap-server imap.example.com --smtp-server smtp.example.com',
    },
    {
      description: 'Point an existing account at a new IMAP server, keeping everything else (the new login is tested first):',
      command: '<%= config.bin %> <%= command.id %> --id 42 --imap-server imap.one.com --imap-port 993',
    },
    {
      description: 'Servers and ports from a preset (soemail providers lists them):',
      command: '<%= config.bin %> <%= command.id %> --email kari@example.no --associate kari --provider one.com',
    },
    {
      description: 'Change a password from a secret manager, ticket and password on stdin:',
      command: 'printf \'%s\\n%s\\n\' "$TICKET" "$(pass mail/jane)" | <%= config.bin %> <%= command.id %> --id 42 --ticket-stdin --imap-password-stdin --json',
    },
    {description: 'Change just the IMAP password, typed at a masked prompt:', command: '<%= config.bin %> <%= command.id %> --id 42 --imap-password-prompt'},
    {description: 'Fill in the fields interactively:', command: '<%= config.bin %> <%= command.id %>'},
  ]

  static override flags = {
    id: accountIdFlag,
    'create-new': createNewFlag,
    ...accountFieldFlags,
    ...saveCheckFlags,
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation on a terminal.'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(AccountSave)
    const {runAccountSave} = await import('../../app/account-save.js')
    return runAccountSave(flags, await this.world())
  }
}
