import {BaseCommand} from '../base-command.js'

export default class Providers extends BaseCommand {
  static override summary = 'List the built-in mail provider presets.'
  static override description = `Each preset has the IMAP and SMTP servers, ports and security (implicit TLS or STARTTLS), the form of the user name, what a password account needs (a password, an app password, or OAuth only: refused), the domains it serves, the MX hosts that identify it, and the page it came from. Presets marked unverified come from third-party pages only.

When servers are not given, soemail finds them from the address's domain: this table, the domain's MX records, its SRV records (RFC 6186/8314), its own autoconfig file and Thunderbird's ISPDB. "soemail providers detect" shows what that finds.`
  static override examples = [
    {description: 'All presets:', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The IMAP host of each, for a script:', command: "<%= config.bin %> <%= command.id %> --json | jq -r '.result.providers[] | [.name, .incoming.host] | @tsv'"},
  ]

  async run(): Promise<unknown> {
    await this.parse(Providers)
    const {runProviders} = await import('../app/providers.js')
    return runProviders(await this.world())
  }
}
