import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'

export default class ProvidersDetect extends BaseCommand {
  static override summary = 'Show which IMAP and SMTP servers detection finds for an address or domain, and from which source.'
  static override description = `Asks, in this order, and stops when both servers are known: the built-in presets by domain; the domain's MX records matched to a known provider (an MX ending in .mail.protection.outlook.com is Microsoft 365); the SRV records _imaps._tcp, _imap._tcp, _submissions._tcp and _submission._tcp (lowest priority, then highest weight; a target of "." means not offered); https://autoconfig.<domain>/mail/config-v1.1.xml and https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml; Thunderbird's ISPDB (https://autoconfig.thunderbird.net/v1.1/<domain>, then the MX host's domain). Each server is shown with its source, e.g. imap.example.no:993 (from SRV _imaps._tcp), followed by every lookup tried and its outcome, and whether a password account is fine, needs an app password, or is refused (Microsoft 365: OAuth only).

--offline keeps to the built-in table and makes no network call. Environment: SOEMAIL_DNS_SERVER=host[:port][,…] (DNS servers for every detection lookup, including the autoconfig host names), SOEMAIL_ISPDB_URL (the ISPDB base URL), SOEMAIL_AUTOCONFIG_PORT (the port of the domain's autoconfig URLs; 443). Exit 0 when both servers are found, 3 when not.`
  static override examples = [
    {description: 'Where does the mail of an address live?', command: '<%= config.bin %> <%= command.id %> ola@example.no'},
    {description: 'Only the built-in table, no network:', command: '<%= config.bin %> <%= command.id %> gmail.com --offline'},
    {description: 'Through a particular DNS server, for a script:', command: 'SOEMAIL_DNS_SERVER=10.0.0.53 <%= config.bin %> <%= command.id %> example.no --json'},
  ]

  static override args = {
    target: Args.string({description: 'An e-mail address or a domain.', required: true, ignoreStdin: true}),
  }

  static override flags = {
    offline: Flags.boolean({summary: 'Only the built-in table: no DNS, no HTTPS.'}),
    'ca-file': Flags.string({summary: 'PEM file with an extra CA certificate to trust for the autoconfig and ISPDB requests.'}),
    'allow-password-auth': Flags.boolean({summary: 'Show Microsoft 365 as a warning instead of refused (tenants that still allow basic authentication).'}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(ProvidersDetect)
    const {runProvidersDetect} = await import('../../app/providers.js')
    return runProvidersDetect({...flags, target: args.target}, await this.world())
  }
}
