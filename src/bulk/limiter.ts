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
const TARGET_RATIO = 1.5
/** The most one round may grow or shrink the limit by, so one noisy round is a small step. */
const MAX_GROWTH = 1.4
const MAX_SHRINK = 0.75
/** Below this ratio a round found no queue at all. */
const UNLOADED_RATIO = 1.15
/** Answers averaged per round at least (from a limit of 3): one answer's latency says little on a server whose latency varies. */
const MIN_ROUND = 12
/** How long the fastest round is remembered as the unloaded latency: long enough to span a few probes, short enough to follow a server that got slower. */
const BASELINE_MEMORY_MS = 20_000
/**
 * How often the limit is halved for one round to see the server unloaded again. Without it, a run that
 * starts on a server already queueing (or one whose capacity dropped) takes that queued latency for the
 * unloaded one and settles too high; a round at PROBE_SHARE of the limit costs about 1% of the throughput.
 */
const PROBE_INTERVAL_MS = 10_000
/** A probe's limit, of the one in force: below the server's capacity when the limit is where it aims. */
const PROBE_SHARE = 0.6
/** The first probe comes sooner (the first rounds may have met a queue the limiter did not cause), and so does the next after one that found the server faster. */
const FIRST_PROBE_MS = 1500
/** The shortest time between two halvings: the failures of one overload arrive together and are one step back. */
const MIN_CUT_INTERVAL_MS = 200

/**
 * How many rows are in flight. Fixed, or adaptive (`--concurrency auto`), which finds how much a server
 * takes without overloading it, from the answers alone:
 * - Latency, per round of answers (at least as many as the limit): the round's mean against the fastest
 *   round seen lately (the server unloaded). A server with more requests than workers queues them, and
 *   its latency grows in proportion; the limit is scaled towards where the latency is TARGET_RATIO of the
 *   unloaded one, which is just past the server's capacity: every worker busy, a short queue. The
 *   gradient, not a fixed step, makes it settle rather than saw. Now and then a round at a lower limit
 *   (a probe) measures the unloaded latency again.
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
  private nextProbe = Number.NaN
  /** While probing: the limit to go back to, and how many answers of requests sent before it to ignore. */
  private probe?: {restore: number; skip: number}
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
    if (Number.isNaN(this.nextProbe)) this.nextProbe = now + FIRST_PROBE_MS
    if (congestion) {
      if (this.probe) {
        this.limit = this.probe.restore
        this.probe = undefined
      }
      if (now - this.lastCut >= Math.max(MIN_CUT_INTERVAL_MS, 2 * this.lastRoundMs)) {
        this.setLimit(this.limit / 2)
        this.lastCut = now
        this.roundSum = 0
        this.roundCount = 0
      }
      return
    }
    if (latencyMs === undefined) return
    if (this.probe && this.probe.skip > 0) {
      this.probe.skip--
      return
    }
    this.roundSum += latencyMs
    this.roundCount++
    // At a limit of 1 to 3, MIN_ROUND answers would take many latencies: a round is then 4 per slot.
    if (this.roundCount < Math.max(this.current, Math.min(MIN_ROUND, 4 * this.current))) return
    const mean = this.roundSum / this.roundCount
    this.roundSum = 0
    this.roundCount = 0
    const before = this.unloadedMs()
    const unloaded = this.unloaded(mean, now)
    if (this.probe) {
      // The round at a lower limit only told the unloaded latency; the limit goes back to where it was.
      // A probe that found the server faster than thought may not have gone low enough: another comes soon.
      this.setLimit(this.probe.restore)
      this.probe = undefined
      this.nextProbe = now + (unloaded < before * 0.9 ? FIRST_PROBE_MS : PROBE_INTERVAL_MS)
      return
    }
    this.lastRoundMs = mean
    if (now >= this.nextProbe && this.limit * PROBE_SHARE >= Math.max(2, this.options.min ?? 1)) {
      this.probe = {restore: this.limit, skip: this.inFlight}
      this.setLimit(this.limit * PROBE_SHARE)
      return
    }
    // +1 ms: on loopback an unloaded answer takes a millisecond or two, and a ratio of those is noise.
    const ratio = (mean + 1) / (unloaded + 1)
    // Clearly unloaded, it grows at full speed; nearer the target the square root halves each step, since a
    // round's mean is noisy and the limit should not follow the noise.
    const step = ratio < UNLOADED_RATIO ? MAX_GROWTH : Math.sqrt(TARGET_RATIO / ratio)
    this.setLimit(this.limit * Math.min(MAX_GROWTH, Math.max(MAX_SHRINK, step)))
  }

  private unloadedMs(): number {
    return Math.min(this.fastest.current, this.fastest.previous)
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
