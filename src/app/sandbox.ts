import {readFile} from 'node:fs/promises'
import {UsageError, ValidationError} from '../errors.js'
import type {FaultKind, SandboxFaults} from '../sandbox/faults.js'
import type {SandboxCapacity} from '../sandbox/capacity.js'
import {MAX_LATENCY_MS, RATE_FLAGS} from './sandbox-flags.js'
import {runnableCommand} from './runnable-command.js'
import {log, note, type World} from './world.js'

export type SandboxOptions = {
  port: number
  data?: string
  /** CSV of the installation's users (associate_id,user_name,full_name,email,active,type). */
  users?: string
  'schema-check': boolean
  quiet?: boolean
  latency?: string
  /** Requests worked on at once; with `queue` more waiting, 503 beyond. */
  capacity?: number
  queue?: number
  /** `CAP@REQUEST,…`: capacity changes during the run. */
  'capacity-schedule'?: string
  'expire-tickets-after'?: number
  seed?: number
  /** PEM file of a CA the mail login tests trust besides the system's (a private CA's mail servers). */
  'ca-file'?: string
  'allow-remote-mail'?: boolean
  /** Seconds one mail login test may take. */
  'mail-timeout'?: number
  /** DNS servers HasMXRecord asks (`ip` or `ip:port`), comma-separated. */
  'dns-server'?: string
  /** The bin name, for the commands it suggests. */
  bin: string
  /** The script running (process.argv[1]), to print commands that run from another terminal. */
  script?: string
  /** Prints the --json result at once: the command runs until stopped. */
  announce: (info: unknown) => void
} & {[F in keyof typeof RATE_FLAGS]?: string}

/** Serves a stand-in NetServer until SIGINT or SIGTERM. */
export async function runSandbox(opts: SandboxOptions, world: World): Promise<unknown> {
  const faults = faultsFromFlags(opts)
  const capacity = capacityFromFlags(opts)
  const mail = await mailFromFlags(opts)
  const [{startSandbox, loadUserDirectory, SandboxUsersError}, {describeFaults}] = await Promise.all([import('../sandbox/server.js'), import('../sandbox/faults.js')])
  const users = opts.users === undefined ? undefined : await loadUserDirectory(opts.users).catch((error: unknown) => {
    if (!(error instanceof SandboxUsersError)) throw error
    if (error.line === undefined) throw new UsageError(`--users ${error.message}`, {hint: 'Give a CSV file with the header associate_id,user_name,full_name,email,active,type.'})
    throw new ValidationError(`--users ${error.message}`, [{field: `line ${error.line}`, message: error.message}], {hint: 'Fix that line; the header is associate_id,user_name,full_name,email,active,type (, or ;), active true/false, type person or system.'})
  })
  const sandbox = await startSandbox({
    users,
    port: opts.port,
    dataFile: opts.data,
    schemaCheck: opts['schema-check'],
    faults,
    capacity,
    mail,
    log: opts.quiet ? undefined : (line) => world.stderr.write(`${line}\n`),
  })
  const active = sandbox.activeFaults()
  const info = {
    url: sandbox.url,
    ticket: sandbox.demoTicket,
    user: sandbox.demoUser.userName,
    password: sandbox.demoUser.password,
    associateId: sandbox.demoUser.associateId,
    ...(active ? {faults: active} : {}),
    ...(capacity ? {capacity: {limit: capacity.limit, queue: capacity.queue, schedule: capacity.schedule ?? []}} : {}),
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      world.signals.off('SIGINT', stop)
      world.signals.off('SIGTERM', stop)
      resolve()
    }
    world.signals.on('SIGINT', stop)
    world.signals.on('SIGTERM', stop)
  })
  if (world.json) {
    opts.announce(info)
  } else {
    log(world, `soemail sandbox listening on ${sandbox.url}`)
    log(world, `Demo user ${info.user} / ${info.password} (associate ${info.associateId}); ticket ${info.ticket}`)
    log(world, `Users: ${users ? `${users.size} from ${opts.users}` : 'the built-in demo directory (20 people; kari, ola, …)'}; accounts may belong to these associates only`)
    if (!opts['allow-remote-mail']) log(world, 'Mail login tests (AuthenticateIncoming/Outgoing) reach loopback servers only; --allow-remote-mail lifts that.')
    if (active) log(world, `Faults: ${describeFaults(active)} (replay with --seed ${active.seed})`)
    if (capacity) log(world, `Capacity: ${describeCapacity(capacity)}`)
    const cli = runnableCommand(opts.bin, opts.script, world.env.PATH)
    log(world, '\nTry, in another terminal:\n')
    log(world, `  export SOEMAIL_URL=${sandbox.url} SOEMAIL_TICKET='${info.ticket}'`)
    log(world, `  printf '%s\\n%s\\n' in-secret out-secret | ${cli} account save --email jane.doe@example.com --associate kari \\`)
    log(world, '      --imap-server imap.example.com --smtp-server smtp.example.com --imap-password-stdin --smtp-password-stdin --no-verify')
    log(world, '  (--no-verify: nothing answers at imap.example.com, so the login test would refuse the account; against your own')
    log(world, '   mail server on 127.0.0.1, leave it out and the sandbox logs in to it first, as NetServer does)')
    log(world, `  ${cli} account get 1\n`)
    log(world, 'Press Ctrl-C to stop.')
  }
  await stopped
  note(world, 'stopping the sandbox…')
  await sandbox.close()
  const load = sandbox.stats().capacity
  if (load) note(world, `${load.rejected} requests turned away with 503, ${load.dropped} dropped unexecuted (their client gave up), ${load.queued} waited; at most ${load.peakActive} at work and ${load.peakWaiting} waiting at once`)
  if (opts.data) note(world, `accounts saved in ${opts.data}`)
  return undefined
}

/** The login tests' settings; a --ca-file that cannot be read stops the start, not the first test. */
async function mailFromFlags(opts: SandboxOptions) {
  let ca: string | undefined
  if (opts['ca-file'] !== undefined) {
    try {
      ca = await readFile(opts['ca-file'], 'utf8')
    } catch (error) {
      throw new UsageError(`--ca-file ${opts['ca-file']} cannot be read: ${(error as Error).message}`, {hint: 'Give a PEM file with the CA certificate the mail servers chain to.'})
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(`--ca-file ${opts['ca-file']} holds no PEM certificate`, {hint: 'Give a PEM file (-----BEGIN CERTIFICATE-----) with the CA the mail servers chain to.'})
    }
  }
  const dnsServers = opts['dns-server']?.split(',').map((s) => s.trim()).filter(Boolean)
  const timeoutMs = opts['mail-timeout'] === undefined ? undefined : opts['mail-timeout'] * 1000
  return {allowRemote: opts['allow-remote-mail'] ?? false, ca, timeoutMs, dnsServers}
}

/** The --capacity, --queue and --capacity-schedule flags as the sandbox takes them; undefined without --capacity. */
export function capacityFromFlags(flags: {capacity?: number; queue?: number; 'capacity-schedule'?: string}): SandboxCapacity | undefined {
  if (flags.capacity === undefined) return undefined
  const schedule = flags['capacity-schedule'] === undefined ? undefined : parseCapacitySchedule(flags['capacity-schedule'])
  return {limit: flags.capacity, queue: flags.queue ?? flags.capacity, ...(schedule ? {schedule} : {})}
}

function parseCapacitySchedule(text: string): Array<{afterRequests: number; limit: number}> {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+)\s*@\s*(\d+)\s*$/.exec(part)
    const limit = Number(m?.[1])
    const afterRequests = Number(m?.[2])
    if (!m || limit < 1 || limit > 10_000 || afterRequests < 1) {
      throw new UsageError(`--capacity-schedule expects CAP@REQUEST pairs, comma-separated (e.g. 2@1000,8@2000: capacity 2 from the 1,000th request on, 8 from the 2,000th), got "${part.trim()}"`, {
        hint: 'Each CAP is 1..10000 requests at once, each REQUEST the number (from 1) of the request it applies from.',
      })
    }
    return {afterRequests, limit}
  })
}

function describeCapacity(capacity: SandboxCapacity): string {
  const changes = (capacity.schedule ?? []).map((s) => `, ${s.limit} from request ${s.afterRequests}`).join('')
  return `${capacity.limit} requests at once${changes}, ${capacity.queue} more may wait; beyond that HTTP 503 (Retry-After: 1)`
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
