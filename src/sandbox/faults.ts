import {randomInt} from 'node:crypto'

/** The rate-driven faults, in the order their probabilities are drawn (the first that fires wins). */
export const FAULT_KINDS = ['serverError', 'throttle', 'resetBefore', 'resetAfter', 'timeoutBefore', 'timeoutAfter'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/** Faults the server acts on before the request reaches the store: the client's change never happened. */
export const FAULTS_BEFORE_ACTING: ReadonlySet<FaultKind> = new Set(['serverError', 'throttle', 'resetBefore', 'timeoutBefore'])

export type FaultRates = Partial<Record<FaultKind, number>>

export interface SandboxFaults {
  /** Seeds the PRNG so a failing run can be replayed; default a random one (see Sandbox.activeFaults()). */
  seed?: number
  /** How long after a request arrives its answer leaves (all requests, not only faulted ones; the sandbox's own work counts towards it), fixed or uniform in [min, max]. */
  latencyMs?: number | [min: number, max: number]
  /**
   * Probabilities 0..1 per request in scope (see `operations`). Each request draws one number per kind in
   * FAULT_KINDS order and gets at most one fault, the first whose draw is below its rate.
   */
  rates?: FaultRates
  /** After this many authenticated calls in scope, every ticket issued so far expires; logins issue new ones. */
  ticketExpiryAfterCalls?: number
  /**
   * Operation names the rates and the ticket counter apply to (SaveEMailAccount, AuthenticateUsernamePassword…).
   * Default: every EMail.svc operation, so logins are never faulted unless listed here.
   */
  operations?: string[]
}

/** The faults in force, with the seed resolved: what a banner prints and a replay passes back. */
export interface ActiveFaults {
  seed: number
  latencyMs?: [min: number, max: number]
  rates: FaultRates
  ticketExpiryAfterCalls?: number
  operations?: string[]
}

export const MAX_SEED = 0xffffffff

/**
 * Checks faults given through the API, naming the option at fault. The CLI checks its flags itself, so
 * its messages name flags instead.
 */
export function checkFaults(faults: SandboxFaults): void {
  const fail = (option: string, allowed: string, value: unknown) => {
    throw new RangeError(`faults.${option} must be ${allowed} (got ${JSON.stringify(value)})`)
  }
  if (faults.seed !== undefined && !(Number.isInteger(faults.seed) && faults.seed >= 0 && faults.seed <= MAX_SEED)) fail('seed', `an integer from 0 to ${MAX_SEED}`, faults.seed)
  const latency = faults.latencyMs
  if (latency !== undefined) {
    const [min, max] = Array.isArray(latency) ? latency : [latency, latency]
    if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) fail('latencyMs', 'a number of milliseconds >= 0 or a range [min, max] with 0 <= min <= max', latency)
  }
  for (const [kind, rate] of Object.entries(faults.rates ?? {})) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) fail(`rates.${kind}`, `one of ${FAULT_KINDS.join(', ')}`, kind)
    if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) fail(`rates.${kind}`, 'a probability from 0 to 1', rate)
  }
  const expiry = faults.ticketExpiryAfterCalls
  if (expiry !== undefined && !(Number.isInteger(expiry) && expiry >= 1)) fail('ticketExpiryAfterCalls', 'an integer >= 1', expiry)
  if (faults.operations !== undefined && !(Array.isArray(faults.operations) && faults.operations.every((o) => typeof o === 'string'))) fail('operations', 'an array of operation names', faults.operations)
}

/** mulberry32: tiny, fast, and good enough to spread faults; the point is that a seed replays a run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Decides, request by request, what goes wrong. Latency and faults draw from separate streams so that
 * requests outside the scope (logins, WSDL fetches) never shift the sequence of faults a seed gives.
 */
export class FaultInjector {
  private config!: ActiveFaults
  private faultRandom!: () => number
  private latencyRandom!: () => number
  private scope: ReadonlySet<string> | undefined
  private anyRate = false
  private authenticatedCalls = 0

  constructor(faults: SandboxFaults) {
    this.configure(faults)
  }

  /**
   * Replaces the faults. Without a new seed the random streams carry on where they were, so a run that
   * switches faults mid-way still replays from its first seed.
   */
  configure(faults: SandboxFaults): void {
    checkFaults(faults)
    const seed = faults.seed ?? this.config?.seed ?? randomInt(0, MAX_SEED)
    if (!this.config || faults.seed !== undefined) {
      this.faultRandom = mulberry32(seed)
      // A different stream for latency; the constant only has to differ from 0.
      this.latencyRandom = mulberry32(seed ^ 0x9e3779b9)
    }
    const latency = faults.latencyMs
    const rates: FaultRates = {}
    for (const kind of FAULT_KINDS) {
      const rate = faults.rates?.[kind]
      if (rate !== undefined) rates[kind] = rate
    }
    this.config = {
      seed,
      ...(latency === undefined ? {} : {latencyMs: Array.isArray(latency) ? [latency[0], latency[1]] : [latency, latency]}),
      rates,
      ...(faults.ticketExpiryAfterCalls === undefined ? {} : {ticketExpiryAfterCalls: faults.ticketExpiryAfterCalls}),
      ...(faults.operations === undefined ? {} : {operations: [...faults.operations]}),
    }
    this.scope = faults.operations && new Set(faults.operations)
    this.anyRate = Object.values(rates).some((r) => r > 0)
    // New settings, new count: a test that turns expiry on mid-run gets its N calls from then on.
    this.authenticatedCalls = 0
  }

  get active(): ActiveFaults {
    const c = this.config
    return {...c, rates: {...c.rates}, ...(c.latencyMs ? {latencyMs: [c.latencyMs[0], c.latencyMs[1]]} : {}), ...(c.operations ? {operations: [...c.operations]} : {})}
  }

  /** Milliseconds to add to this request's answer, uniform in the range. */
  latency(): number {
    const range = this.config.latencyMs
    if (!range) return 0
    const [min, max] = range
    return min === max ? min : min + this.latencyRandom() * (max - min)
  }

  inScope(service: string, operation: string): boolean {
    return this.scope ? this.scope.has(operation) : service === 'EMail'
  }

  /** The fault for a request, or undefined; call once per POST, in arrival order. */
  draw(service: string, operation: string): FaultKind | undefined {
    if (!this.anyRate || !this.inScope(service, operation)) return undefined
    let chosen: FaultKind | undefined
    // Every kind draws even after one fired, so each request consumes the same count of numbers and a
    // change to one rate does not reshuffle when the other kinds fire.
    for (const kind of FAULT_KINDS) {
      const r = this.faultRandom()
      if (!chosen && r < (this.config.rates[kind] ?? 0)) chosen = kind
    }
    return chosen
  }

  /** Counts an authenticated call; true when it was the last one before every ticket must expire. */
  authenticated(service: string, operation: string): boolean {
    const limit = this.config.ticketExpiryAfterCalls
    if (limit === undefined || !this.inScope(service, operation)) return false
    if (++this.authenticatedCalls < limit) return false
    this.authenticatedCalls = 0
    return true
  }

  get countsTickets(): boolean {
    return this.config.ticketExpiryAfterCalls !== undefined
  }
}

/**
 * One line for a banner, e.g. "latency 20-80 ms on every request; 5xx 2%, reset-after 1% of EMail.svc
 * requests (logins are not faulted); tickets expire after 500 calls; seed 7".
 */
export function describeFaults(faults: ActiveFaults): string {
  const parts: string[] = []
  if (faults.latencyMs) {
    const [min, max] = faults.latencyMs
    parts.push(`latency ${min === max ? min : `${min}-${max}`} ms on every request`)
  }
  const rates = FAULT_KINDS.filter((kind) => faults.rates[kind]).map((kind) => `${FAULT_LABELS[kind]} ${+(faults.rates[kind]! * 100).toFixed(3)}%`)
  const scope = faults.operations ? `of ${faults.operations.join(', ') || 'no'} requests` : 'of EMail.svc requests (logins are not faulted)'
  if (rates.length > 0) parts.push(`${rates.join(', ')} ${scope}`)
  if (faults.ticketExpiryAfterCalls !== undefined) parts.push(`tickets expire after ${faults.ticketExpiryAfterCalls} calls`)
  parts.push(`seed ${faults.seed}`)
  return parts.join('; ')
}

/** The names the CLI flags and log lines use. */
export const FAULT_LABELS: Record<FaultKind, string> = {
  serverError: '5xx',
  throttle: 'throttle',
  resetBefore: 'reset-before',
  resetAfter: 'reset-after',
  timeoutBefore: 'timeout-before',
  timeoutAfter: 'timeout-after',
}
