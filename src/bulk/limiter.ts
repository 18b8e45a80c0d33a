/**
 * How many rows are in flight. Fixed, or adaptive (additive increase, multiplicative decrease): it
 * grows by about one slot per round of successes while latency holds, and halves on timeouts,
 * 5xx and throttling, at most once a second so one burst of errors is one step back.
 */
export class Limiter {
  private inFlight = 0
  private limit: number
  private readonly waiters: Array<() => void> = []
  private baseLatency = Number.POSITIVE_INFINITY
  private lastCut = Number.NEGATIVE_INFINITY

  constructor(initial: number, private readonly options: {adaptive: boolean; min?: number; max?: number; now?: () => number} = {adaptive: false}) {
    this.limit = initial
  }

  get current(): number {
    return Math.floor(this.limit)
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
    while (this.inFlight < this.current && this.waiters.length > 0) {
      this.inFlight++
      this.waiters.shift()!()
    }
  }

  private adapt({latencyMs, congestion}: {latencyMs?: number; congestion?: boolean}): void {
    const min = this.options.min ?? 1
    const max = this.options.max ?? 64
    const now = (this.options.now ?? Date.now)()
    if (congestion) {
      if (now - this.lastCut >= 1000) {
        this.limit = Math.max(min, this.limit / 2)
        this.lastCut = now
      }
      return
    }
    if (latencyMs === undefined) return
    this.baseLatency = Math.min(this.baseLatency, latencyMs)
    // Latency well above the best seen means the server is queueing: hold instead of growing.
    if (latencyMs <= this.baseLatency * 2 + 5) this.limit = Math.min(max, this.limit + 1 / this.limit)
  }
}
