export interface LimiterOptions {
  adaptive: boolean
  min?: number
  max?: number
  now?: () => number
}

/**
 * The latency a server queues at, against the latency it answers in unloaded, that the adaptive limit
 * aims for: a little queueing keeps every worker of the server busy (no gap while an answer travels back
 * and the next request comes), and far less than a server's queue holds before it turns requests away.
 */
const TARGET_RATIO = 1.4
/** The most one round may grow or shrink the limit by, so one noisy round is a small step. */
const MAX_GROWTH = 1.4
const MAX_SHRINK = 0.75
/** Answers averaged per round at least: one answer's latency says little on a server whose latency varies. */
const MIN_ROUND = 8
/** How long the fastest round is remembered as the unloaded latency: long enough to outlast a busy spell, short enough to follow a server that got slower. */
const BASELINE_MEMORY_MS = 30_000
/** The shortest time between two halvings: the failures of one overload arrive together and are one step back. */
const MIN_CUT_INTERVAL_MS = 200

/**
 * How many rows are in flight. Fixed, or adaptive (`--concurrency auto`), which finds how much a server
 * takes without overloading it, from the answers alone:
 * - Latency, per round of answers (at least as many as the limit): the round's mean against the fastest
 *   round seen (the server unloaded). A server with more requests than workers queues them, and its
 *   latency grows in proportion; the limit is scaled towards where the latency is TARGET_RATIO of the
 *   unloaded one, which is just past the server's capacity: every worker busy, a short queue. The
 *   gradient, not a fixed step, makes it settle rather than saw: it moves by 40% at most per round.
 * - Congestion (503, 429, 5xx, timeouts): the limit halves, at most once per MIN_CUT_INTERVAL_MS or two
 *   rounds' latency, whichever is longer, and the round in progress starts over.
 */
export class Limiter {
  private inFlight = 0
  private limit: number
  private readonly waiters: Array<() => void> = []
  private lastCut = Number.NEGATIVE_INFINITY
  private roundSum = 0
  private roundCount = 0
  private lastRoundMs = 0
  /** Fastest round mean in the current and the previous BASELINE_MEMORY_MS/2 window. */
  private fastest = {current: Number.POSITIVE_INFINITY, previous: Number.POSITIVE_INFINITY, since: Number.NaN}

  constructor(
    initial: number,
    private readonly options: LimiterOptions = {adaptive: false},
  ) {
    this.limit = initial
  }

  get current(): number {
    return Math.max(1, Math.floor(this.limit))
  }

  /** Whether the limit adapts to the server (worth showing on the progress line). */
  get adaptive(): boolean {
    return this.options.adaptive
  }

  async acquire(): Promise<void> {
    if (this.inFlight < this.current) {
      this.inFlight++
      return
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve))
  }

  /** What one request found; the adaptive limit learns from it. */
  report(outcome: {latencyMs?: number; congestion?: boolean}): void {
    if (this.options.adaptive) this.adapt(outcome)
  }

  release(): void {
    this.inFlight--
    this.admit()
  }

  private admit(): void {
    while (this.inFlight < this.current && this.waiters.length > 0) {
      this.inFlight++
      this.waiters.shift()!()
    }
  }

  private adapt({latencyMs, congestion}: {latencyMs?: number; congestion?: boolean}): void {
    const now = (this.options.now ?? Date.now)()
    if (congestion) {
      if (now - this.lastCut >= Math.max(MIN_CUT_INTERVAL_MS, 2 * this.lastRoundMs)) {
        this.setLimit(this.limit / 2)
        this.lastCut = now
        this.roundSum = 0
        this.roundCount = 0
      }
      return
    }
    if (latencyMs === undefined) return
    this.roundSum += latencyMs
    this.roundCount++
    if (this.roundCount < Math.max(MIN_ROUND, this.current)) return
    const mean = this.roundSum / this.roundCount
    this.roundSum = 0
    this.roundCount = 0
    this.lastRoundMs = mean
    const unloaded = this.unloaded(mean, now)
    // +1 ms: on loopback an unloaded answer takes a millisecond or two, and a ratio of those is noise.
    const ratio = (mean + 1) / (unloaded + 1)
    this.setLimit(this.limit * Math.min(MAX_GROWTH, Math.max(MAX_SHRINK, TARGET_RATIO / ratio)))
  }

  /** The fastest round mean within the last BASELINE_MEMORY_MS (at least half of it), `mean` included. */
  private unloaded(mean: number, now: number): number {
    const f = this.fastest
    if (Number.isNaN(f.since)) f.since = now
    if (now - f.since >= BASELINE_MEMORY_MS / 2) {
      f.previous = f.current
      f.current = Number.POSITIVE_INFINITY
      f.since = now
    }
    f.current = Math.min(f.current, mean)
    return Math.min(f.current, f.previous)
  }

  private setLimit(limit: number): void {
    this.limit = Math.min(this.options.max ?? 64, Math.max(this.options.min ?? 1, limit))
    this.admit()
  }
}
