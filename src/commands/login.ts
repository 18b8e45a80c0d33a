import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {connectionFlags} from '../flags.js'

export default class Login extends BaseCommand {
  static override summary = 'Log in and keep the ticket in the OS keychain.'
  static override description = `Gets a SuperOffice ticket and stores it in the OS keychain (the Secret Service on Linux) under a profile, so later commands need no ticket flag. Three ways:

  Onsite user:   --url and --username; the password from the prompt, --password-stdin or SOEMAIL_PASSWORD.
  Existing ticket: --ticket-stdin (or SOEMAIL_TICKET); it is checked with one call before it is stored.
  Online system user: --system-token, --private-key FILE (RSA, PEM), --context-id CustNNNNN and --app-token (the client secret).

The profile (URL, user, associate, API version, login time) is kept in the config directory without secrets. Without a keychain the login fails (exit 5) unless you choose --insecure-storage, which keeps the secrets in a 0600 file instead.`

  static override examples = [
    {description: 'Log in to an onsite installation (asks for the password):', command: '<%= config.bin %> <%= command.id %> --url https://crm.example.com/SuperOffice --username jane'},
    {description: 'Log in from a script, password on stdin, under a named profile:', command: 'pass crm/admin | <%= config.bin %> <%= command.id %> --profile prod --url https://crm.example.com/SuperOffice --username admin --password-stdin'},
    {description: 'Store a ticket you already have:', command: 'printf %s "$TICKET" | <%= config.bin %> <%= command.id %> --url https://crm.example.com/SuperOffice --ticket-stdin'},
    {
      description: 'SuperOffice Online system user:',
      command: '<%= config.bin %> <%= command.id %> --profile online --url https://online.superoffice.com/Cust12345 --context-id Cust12345 --system-token "$SYSTEM_TOKEN" --private-key ./app.pem --app-token-stdin < client-secret.txt',
    },
  ]

  static override flags = {
    ...connectionFlags,
    username: Flags.string({summary: 'SuperOffice user name (env SOEMAIL_USERNAME).', helpGroup: 'Login'}),
    'password-stdin': Flags.boolean({summary: 'Read the password from standard input (one line; after the ticket line if --ticket-stdin); on a terminal, ask with a masked prompt.', helpGroup: 'Login'}),
    'system-token': Flags.string({summary: 'Online system-user token (env SOEMAIL_SYSTEM_TOKEN).', description: 'Visible to other users of this machine as a flag; prefer SOEMAIL_SYSTEM_TOKEN.', helpGroup: 'Login'}),
    'private-key': Flags.string({summary: "PEM file with the app's RSA private key, for the system-user login.", helpGroup: 'Login'}),
    'context-id': Flags.string({summary: 'Online tenant (context identifier), e.g. Cust12345.', helpGroup: 'Login'}),
    'app-token-stdin': Flags.boolean({summary: 'Read the application token (client secret) from standard input; on a terminal, ask with a masked prompt.', helpGroup: 'Login'}),
    'login-url': Flags.string({summary: "Base of SuperOffice's login service (default: the --url origin + /login).", helpGroup: 'Login'}),
    'insecure-storage': Flags.boolean({summary: 'Keep the secrets in a 0600 file instead of the keychain (for machines without one).', helpGroup: 'Login'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Login)
    const {runLogin} = await import('../app/login.js')
    return runLogin(flags, await this.world())
  }
}
