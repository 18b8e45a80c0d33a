import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {connectionFlags} from '../flags.js'
import {UsageError} from '../errors.js'

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
    'password-stdin': Flags.boolean({summary: 'Read the password from standard input (one line; after the ticket line if --ticket-stdin).', helpGroup: 'Login'}),
    'system-token': Flags.string({summary: 'Online system-user token (env SOEMAIL_SYSTEM_TOKEN).', description: 'Visible to other users of this machine as a flag; prefer SOEMAIL_SYSTEM_TOKEN.', helpGroup: 'Login'}),
    'private-key': Flags.string({summary: "PEM file with the app's RSA private key, for the system-user login.", helpGroup: 'Login'}),
    'context-id': Flags.string({summary: 'Online tenant (context identifier), e.g. Cust12345.', helpGroup: 'Login'}),
    'app-token-stdin': Flags.boolean({summary: 'Read the application token (client secret) from standard input.', helpGroup: 'Login'}),
    'login-url': Flags.string({summary: "Base of SuperOffice's login service (default: the --url origin + /login).", helpGroup: 'Login'}),
    'insecure-storage': Flags.boolean({summary: 'Keep the secrets in a 0600 file instead of the keychain (for machines without one).', helpGroup: 'Login'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Login)
    const [{readStdinSecrets}, {planLogin}, {activeProfileName, insecureSecretsPath, profilesPath}, {ProfileStore}] = await Promise.all([
      import('../connection/stdin.js'),
      import('../sessions/login-plan.js'),
      import('../sessions/session.js'),
      import('../sessions/profiles.js'),
    ])
    const profileName = activeProfileName(flags.profile, process.env)
    const stdinFlags = ['--ticket-stdin', '--password-stdin', '--app-token-stdin'].filter((f) => flags[f.slice(2) as 'ticket-stdin'])
    const stdin = await readStdinSecrets(stdinFlags)
    // Logging in again to a known profile needs only what changed: its URL (and user) are remembered.
    const known = new ProfileStore(profilesPath(this.config.configDir)).get(profileName)
    const remembered = {
      url: flags.url ?? process.env.SOEMAIL_URL ?? known?.url,
      username: flags.username ?? process.env.SOEMAIL_USERNAME ?? (known?.kind === 'onsite' && !otherLogin(flags) ? known.userName : undefined),
      'api-version': flags['api-version'] ?? process.env.SOEMAIL_API_VERSION ?? known?.apiVersion,
    }
    const withProfile = {...flags, ...Object.fromEntries(Object.entries(remembered).filter(([, v]) => v !== undefined))}
    let plan = planLogin(withProfile, stdin, process.env)
    if (plan.missing.length > 0 && !this.interactive) {
      throw new UsageError(`missing ${plan.missing.join(', ')}`, {hint: 'Give them as flags or environment variables (or run on a terminal to be asked).', details: {missing: plan.missing}})
    }

    // Decide where secrets go before asking for a password or contacting the server.
    const ctx = await this.sessionContext()
    let store
    if (flags['insecure-storage']) {
      const path = insecureSecretsPath(this.config.configDir)
      this.note(`Warning: --insecure-storage keeps the ticket in plain text in ${path} (mode 0600), readable by anyone who can read your files.`)
      store = ctx.openFileStore(path)
    } else {
      store = await ctx.openKeychain()
    }

    if (plan.missing.length > 0) {
      const {promptLogin} = await import('../prompts/login-prompts.js')
      plan = planLogin(await promptLogin(withProfile, plan), stdin, process.env)
    }
    if (!plan.request) throw new UsageError(`missing ${plan.missing.join(', ')}`)

    const [{login}, {connect}, {SoapTransport}, {toCliError}] = await Promise.all([
      import('../sessions/login.js'),
      import('../connection/connect.js'),
      import('../soap/transport.js'),
      import('../connection/error-map.js'),
    ])
    const trace = flags.trace ? (line: string) => process.stderr.write(line) : undefined
    const opts = {timeoutSeconds: flags.timeout, caFile: flags['ca-file'], allowHttp: flags['allow-http'] ?? false, trace}
    const result = await login(plan.request, {
      profileName,
      profiles: new ProfileStore(profilesPath(this.config.configDir)),
      store,
      connect: (url, apiVersion, ticket, appToken) => connect({url, apiVersion, ticket, appToken, ...opts}),
      newTransport: () => new SoapTransport({timeoutMs: flags.timeout * 1000, caFile: flags['ca-file']}),
    }).catch((error: unknown) => {
      throw toCliError(error, {reloginHint: 'Check the credentials and run soemail login again.'})
    })
    const p = result.profile
    if (!this.jsonEnabled()) {
      const who = p.associateName ? `${p.associateName} (${p.userName}, associate ${p.associateId})` : (p.userName ?? 'the ticket owner')
      this.log(`Logged in to ${p.url} as ${who}.`)
      this.log(`Profile ${result.profileName}; ticket stored in ${result.storedIn}.`)
    }
    return {profile: result.profileName, url: p.url, kind: p.kind, userName: p.userName, associateId: p.associateId, associateName: p.associateName, apiVersion: p.apiVersion, storage: p.storage, storedIn: result.storedIn}
  }
}

/** A ticket or system-user login was asked for, so a remembered user name must not turn it into a password login. */
function otherLogin(flags: {'ticket-stdin'?: boolean; ticket?: string; 'system-token'?: string; 'private-key'?: string}): boolean {
  return Boolean(flags['ticket-stdin'] || flags.ticket || flags['system-token'] || flags['private-key'] || process.env.SOEMAIL_TICKET || process.env.SOEMAIL_SYSTEM_TOKEN)
}
