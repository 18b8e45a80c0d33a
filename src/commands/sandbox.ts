import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {UsageError} from '../errors.js'
import type {FaultKind, SandboxFaults} from '../sandbox/faults.js'

/** The old --latency allowed up to a minute; a range keeps the same bound on both ends. */
const MAX_LATENCY_MS = 60_000

/** Rate flags and the fault each one drives, in the order the sandbox draws them. */
const RATE_FLAGS = {
  'fail-5xx': 'serverError',
  'fail-throttle': 'throttle',
  'fail-reset-before': 'resetBefore',
  'fail-reset-after': 'resetAfter',
  'fail-timeout-before': 'timeoutBefore',
  'fail-timeout-after': 'timeoutAfter',
} as const satisfies Record<string, FaultKind>

const rateFlag = (what: string) =>
  Flags.string({summary: `Share (0..1) of EMail requests that ${what}.`, helpValue: 'RATE', helpGroup: 'Faults'})

export default class Sandbox extends BaseCommand {
  static override summary = 'Run a local stand-in NetServer on 127.0.0.1.'
  static override description = `Serves EMail.svc and SoPrincipal.svc (Services86/87/88) with an in-memory store, a demo user (demo / demo) and tickets, and the same error shapes as NetServer. Every request is checked against the real WSDL schemas and rejected as a strict server would (wrong element order or namespace, headers outside soap:Header, wrong SOAPAction, wrong content type).

Use it to try soemail, to rehearse scripts, and in tests. It prints its URL and a ticket; stop it with Ctrl-C.

The Faults flags make it a flaky server for rehearsing bulk runs: random latency, HTTP 500 and 503 answers, connection resets and hung requests (each either before the server acts or after it has saved), and tickets that expire after some calls. Latency applies to every request; the rates to each EMail.svc request independently (logins are never faulted), with at most one fault per request. The faults are drawn from a seed printed at start; pass it back with --seed to replay the same sequence.`

  static override examples = [
    {description: 'Start on a fixed port:', command: '<%= config.bin %> <%= command.id %> --port 8087'},
    {description: 'Keep the accounts between runs:', command: '<%= config.bin %> <%= command.id %> --data ./sandbox.json'},
    {description: 'Start in the background for a script and read its URL and ticket:', command: '<%= config.bin %> <%= command.id %> --json > sandbox.json &'},
    {
      description: 'Rehearse a bulk import against a flaky server (replay a failing run with the seed it printed):',
      command:
        '<%= config.bin %> <%= command.id %> --data ./rehearsal.json --latency 20-250 --fail-5xx 0.02 --fail-throttle 0.01 --fail-reset-before 0.01 --fail-reset-after 0.01 --fail-timeout-after 0.005 --expire-tickets-after 500 --seed 42',
    },
  ]

  static override flags = {
    port: Flags.integer({summary: 'Port to listen on (0 picks a free one).', default: 0, min: 0, max: 65535}),
    data: Flags.string({summary: 'JSON file that keeps the accounts between runs (created with mode 0600).'}),
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
    const faults = faultsFromFlags(flags)
    const [{startSandbox}, {describeFaults}] = await Promise.all([import('../sandbox/server.js'), import('../sandbox/faults.js')])
    const sandbox = await startSandbox({
      port: flags.port,
      dataFile: flags.data,
      schemaCheck: flags['schema-check'],
      faults,
      log: flags.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    })
    const active = sandbox.activeFaults()
    const info = {
      url: sandbox.url,
      ticket: sandbox.demoTicket,
      user: sandbox.demoUser.userName,
      password: sandbox.demoUser.password,
      associateId: sandbox.demoUser.associateId,
      ...(active ? {faults: active} : {}),
    }
    if (this.jsonEnabled()) {
      // A long-running command: print the result as soon as it is ready, not on exit.
      this.logJson(this.toSuccessJson(info))
    } else {
      this.log(`soemail sandbox listening on ${sandbox.url}`)
      this.log(`Demo user ${info.user} / ${info.password} (associate ${info.associateId}); ticket ${info.ticket}`)
      if (active) this.log(`Faults: ${describeFaults(active)} (replay with --seed ${active.seed})`)
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


type FaultFlagValues = {latency?: string; 'expire-tickets-after'?: number; seed?: number} & {[F in keyof typeof RATE_FLAGS]?: string}

/** The faults the flags ask for, or undefined when none does (the sandbox then runs without any). */
function faultsFromFlags(flags: FaultFlagValues): SandboxFaults | undefined {
  const faults: SandboxFaults = {}
  const latency = flags.latency === undefined ? undefined : parseLatency(flags.latency)
  // --latency 0 was the old default; it asks for nothing.
  if (latency && latency[1] > 0) faults.latencyMs = latency
  for (const [flag, kind] of Object.entries(RATE_FLAGS) as Array<[keyof typeof RATE_FLAGS, FaultKind]>) {
    const text = flags[flag]
    if (text !== undefined) (faults.rates ??= {})[kind] = parseRate(text, flag)
  }
  if (flags['expire-tickets-after'] !== undefined) faults.ticketExpiryAfterCalls = flags['expire-tickets-after']
  if (flags.seed !== undefined) faults.seed = flags.seed
  return Object.keys(faults).length > 0 ? faults : undefined
}

function parseRate(text: string, flag: string): number {
  const value = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN
  if (!(value >= 0 && value <= 1)) {
    throw new UsageError(`--${flag} expects a rate in 0..1 (the share of requests, e.g. 0.05), got "${text}"`, {hint: 'Run the command with --help to see its flags.'})
  }
  return value
}

/** `50` (a fixed wait, as --latency always took) or `20-80` (uniform per request). */
function parseLatency(text: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text)
  const min = m ? Number(m[1]) : Number.NaN
  const max = m?.[2] === undefined ? min : Number(m[2])
  if (!(min >= 0 && max >= min && max <= MAX_LATENCY_MS)) {
    throw new UsageError(`--latency expects milliseconds N or a range MIN-MAX, each 0..${MAX_LATENCY_MS} with MIN <= MAX (e.g. 50 or 20-80), got "${text}"`, {
      hint: 'Run the command with --help to see its flags.',
    })
  }
  return [min, max]
}
