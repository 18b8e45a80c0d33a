import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {MAX_LATENCY_MS} from '../app/sandbox-flags.js'

const rateFlag = (what: string) =>
  Flags.string({summary: `Share (0..1) of EMail requests that ${what}.`, helpValue: 'RATE', helpGroup: 'Faults'})

export default class Sandbox extends BaseCommand {
  static override summary = 'Run a local stand-in NetServer on 127.0.0.1.'
  static override description = `Serves EMail.svc, Archive.svc (the AllUsers list, for finding users by name or e-mail) and SoPrincipal.svc (Services86/87/88) with an in-memory store, a demo user (demo / demo) and tickets, and the same error shapes as NetServer. Accounts may belong only to the associates of its user directory: a built-in set of about 20 people (one retired, one system user, two sharing support@example.no), or your own with --users FILE; any other associate is refused as NetServer refuses a bad foreign key. Every request is checked against the real WSDL schemas and rejected as a strict server would (wrong element order or namespace, headers outside soap:Header, wrong SOAPAction, wrong content type).

Use it to try soemail, to rehearse scripts, and in tests. It prints its URL and a ticket; stop it with Ctrl-C.

GetReadySyncEmailAccounts (the list soemail finds existing accounts through) lists every associate's accounts except deleted ones (AccountStatus 1) and ones whose sync has failed (3) - the sandbox's reading of NetServer's undocumented rule. AccountStatus, ErrorCount and ErrorReason are read-only, as on NetServer; saving new credentials sets a failed account back to 0 (Unknown). To rehearse such accounts, edit accountStatus in a --data file.

AuthenticateIncoming and AuthenticateOutgoing really log in, as NetServer does from the CRM server: IMAP (and the Folder, if given) and SMTP AUTH without sending. TLS is chosen as SuperOffice's mail component does by default: ports 993 and 465, or UseSSL, mean TLS from the start; any other port upgrades with STARTTLS when the server offers it. A wrong password or an unreachable server answers false, with the reason on the sandbox's log. Only loopback servers are reached unless --allow-remote-mail. HasMXRecord looks the domain up in DNS (the system resolver, or --dns-server).

The Faults flags make it a flaky server for rehearsing bulk runs: random latency, HTTP 500 and 503 answers, connection resets and hung requests (each either before the server acts or after it has saved), and tickets that expire after some calls. Latency applies to every request; the rates to each EMail.svc request independently (logins are never faulted), with at most one fault per request. The faults are drawn from a seed printed at start; pass it back with --seed to replay the same sequence.

The Load flags make it a server that can be overloaded, as an IIS application pool is: --capacity N requests are worked on at once, each for its --latency (counted from when its turn comes); up to --queue M more wait, so their answers take longer the longer the queue; any beyond that get HTTP 503 with Retry-After: 1 at once and nothing is done. A waiting request whose client gives up (its --timeout passes) is dropped without being executed, so sending it again makes no duplicate. --capacity-schedule changes the capacity during the run, to rehearse a server that slows down and recovers. The log and the Ctrl-C summary count the requests turned away and dropped.`

  static override examples = [
    {description: 'Start on a fixed port:', command: '<%= config.bin %> <%= command.id %> --port 8087'},
    {description: 'Keep the accounts between runs:', command: '<%= config.bin %> <%= command.id %> --data ./sandbox.json'},
    {description: "Rehearse with your company's user list:", command: '<%= config.bin %> <%= command.id %> --users ./users.csv'},
    {description: 'Start in the background for a script and read its URL and ticket:', command: '<%= config.bin %> <%= command.id %> --json > sandbox.json &'},
    {
      description: 'Rehearse a bulk import against a flaky server (replay a failing run with the seed it printed):',
      command:
        '<%= config.bin %> <%= command.id %> --data ./rehearsal.json --latency 20-250 --fail-5xx 0.02 --fail-throttle 0.01 --fail-reset-before 0.01 --fail-reset-after 0.01 --fail-timeout-after 0.005 --expire-tickets-after 500 --seed 42',
    },
    {description: 'A server that handles 8 requests at once, 40 ms each (what does --concurrency 32 do to it?):', command: '<%= config.bin %> <%= command.id %> --capacity 8 --latency 40'},
    {description: 'A server that drops to 2 at once from its 1,000th request:', command: '<%= config.bin %> <%= command.id %> --capacity 8 --latency 40 --capacity-schedule 2@1000'},
  ]

  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0 picks a free one).', default: 0, min: 0, max: 65535}),
    data: Flags.string({summary: 'JSON file that keeps the accounts between runs (created with mode 0600).'}),
    users: Flags.string({
      summary: "CSV of the installation's users, instead of the built-in demo directory.",
      description: 'Header associate_id,user_name,full_name,email,active,type (, or ;, UTF-8), as an admin exports it: active is true or false, type person or system. The demo login (associate 5) is added when the file does not list it.',
      helpValue: 'FILE',
    }),
    'schema-check': Flags.boolean({summary: 'Validate every request against the XSDs.', default: true, allowNo: true}),
    quiet: Flags.boolean({char: 'q', summary: 'Do not log each request on stderr.'}),
    latency: Flags.string({
      summary: `Milliseconds from each request to its answer: N, or MIN-MAX for a random time per request (each 0..${MAX_LATENCY_MS}).`,
      helpValue: 'MS|MIN-MAX',
      helpGroup: 'Faults',
    }),
    'fail-5xx': rateFlag('get HTTP 500 with an IIS error page; the server does not act'),
    'fail-throttle': rateFlag('get HTTP 503 with Retry-After: 1; the server does not act'),
    'fail-reset-before': rateFlag('have their connection reset before the server acts'),
    'fail-reset-after': rateFlag('have their connection reset after the server acted (saved)'),
    'fail-timeout-before': rateFlag('never get an answer, and the server does not act'),
    'fail-timeout-after': rateFlag('never get an answer, though the server acted (saved)'),
    'expire-tickets-after': Flags.integer({
      summary: 'Expire every ticket after N authenticated EMail calls; log in again to go on.',
      min: 1,
      helpValue: 'N',
      helpGroup: 'Faults',
    }),
    capacity: Flags.integer({summary: 'Requests worked on at once; more wait in the queue or get HTTP 503 (default: no limit).', min: 1, max: 10_000, helpValue: 'N', helpGroup: 'Load'}),
    queue: Flags.integer({summary: 'Requests that may wait for one of the --capacity slots before the rest get 503 (default: as many as --capacity).', min: 0, max: 100_000, helpValue: 'M', helpGroup: 'Load', dependsOn: ['capacity']}),
    'capacity-schedule': Flags.string({
      summary: 'Capacity changes during the run: CAP@REQUEST, comma-separated, e.g. 2@1000,8@2000 (2 at once from the 1,000th request, 8 from the 2,000th).',
      helpValue: 'CAP@N,…',
      helpGroup: 'Load',
      dependsOn: ['capacity'],
    }),
    'ca-file': Flags.string({
      summary: 'PEM file of a CA the mail login tests trust besides the system roots (for mail servers with a private CA).',
      helpValue: 'FILE',
      helpGroup: 'Mail login tests',
    }),
    'allow-remote-mail': Flags.boolean({
      summary: 'Let AuthenticateIncoming/AuthenticateOutgoing connect to mail servers other than loopback (127.0.0.0/8, ::1).',
      helpGroup: 'Mail login tests',
    }),
    'mail-timeout': Flags.integer({summary: 'Seconds one mail login test may take.', default: 15, min: 1, max: 300, helpValue: 'SECONDS', helpGroup: 'Mail login tests'}),
    'dns-server': Flags.string({
      summary: 'DNS servers HasMXRecord asks instead of the system resolver: IP or IP:PORT, comma-separated.',
      helpValue: 'IP[:PORT],…',
      helpGroup: 'Mail login tests',
    }),
    seed: Flags.integer({
      summary: 'Seed for the random latency and faults, to replay a run (default: random, printed at start).',
      min: 0,
      max: 0xffffffff,
      helpValue: 'N',
      helpGroup: 'Faults',
    }),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Sandbox)
    const {runSandbox} = await import('../app/sandbox.js')
    return runSandbox({...flags, bin: this.config.bin, script: process.argv[1], announce: (info) => this.logJson(this.toSuccessJson(info))}, await this.world())
  }
}
