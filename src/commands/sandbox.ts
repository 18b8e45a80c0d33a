import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'

export default class Sandbox extends BaseCommand {
  static override summary = 'Run a local stand-in NetServer on 127.0.0.1.'
  static override description = `Serves EMail.svc and SoPrincipal.svc (Services86/87/88) with an in-memory store, a demo user (demo / demo) and tickets, and the same error shapes as NetServer. Every request is checked against the real WSDL schemas and rejected as a strict server would (wrong element order or namespace, headers outside soap:Header, wrong SOAPAction, wrong content type).

Use it to try soemail, to rehearse scripts, and in tests. It prints its URL and a ticket; stop it with Ctrl-C.`

  static override examples = [
    {description: 'Start on a fixed port:', command: '<%= config.bin %> <%= command.id %> --port 8087'},
    {description: 'Keep the accounts between runs:', command: '<%= config.bin %> <%= command.id %> --data ./sandbox.json'},
    {description: 'Start in the background for a script and read its URL and ticket:', command: '<%= config.bin %> <%= command.id %> --json > sandbox.json &'},
  ]

  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0 picks a free one).', default: 0, min: 0, max: 65535}),
    data: Flags.string({summary: 'JSON file that keeps the accounts between runs (created with mode 0600).'}),
    'schema-check': Flags.boolean({summary: 'Validate every request against the XSDs.', default: true, allowNo: true}),
    latency: Flags.integer({summary: 'Milliseconds to wait before each answer.', default: 0, min: 0, max: 60_000}),
    quiet: Flags.boolean({char: 'q', summary: 'Do not log each request on stderr.'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Sandbox)
    const {startSandbox} = await import('../sandbox/server.js')
    const sandbox = await startSandbox({
      port: flags.port,
      dataFile: flags.data,
      schemaCheck: flags['schema-check'],
      latencyMs: flags.latency,
      log: flags.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    })
    const info = {url: sandbox.url, ticket: sandbox.demoTicket, user: sandbox.demoUser.userName, password: sandbox.demoUser.password, associateId: sandbox.demoUser.associateId}
    if (this.jsonEnabled()) {
      // A long-running command: print the result as soon as it is ready, not on exit.
      this.logJson(this.toSuccessJson(info))
    } else {
      this.log(`soemail sandbox listening on ${sandbox.url}`)
      this.log(`Demo user ${info.user} / ${info.password} (associate ${info.associateId}); ticket ${info.ticket}`)
      this.log('\nTry, in another terminal:\n')
      this.log(`  export SOEMAIL_URL=${sandbox.url} SOEMAIL_TICKET='${info.ticket}'`)
      this.log(`  printf '%s\\n%s\\n' in-secret out-secret | ${this.config.bin} account save --email jane.doe@example.com --associate ${info.associateId} \\`)
      this.log('      --imap-server imap.example.com --smtp-server smtp.example.com --imap-password-stdin --smtp-password-stdin')
      this.log(`  ${this.config.bin} account get 1\n`)
      this.log('Press Ctrl-C to stop.')
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    this.note('stopping the sandbox…')
    await sandbox.close()
    if (flags.data) this.note(`accounts saved in ${flags.data}`)
    return undefined
  }
}

