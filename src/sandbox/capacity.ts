/**
 * A server that can be overloaded, as an IIS application pool is: at most `limit` requests are worked on
 * at once, up to `queue` more wait their turn (first come, first served), and any beyond that are turned
 * away at once with 503. A waiting request whose client gives up (its timeout closes the connection) is
 * dropped from the queue and never executed, as IIS drops a request whose client disconnected before a
 * worker picked it up: its save never takes effect, so a client that sends it again makes no duplicate.
 */
export interface SandboxCapacity {
  /** Requests worked on at once (>= 1). */
  limit: number
  /** Requests that may wait for a slot; default: as many as `limit`. 0 turns away everything beyond `limit`. */
  queue?: number
  /** Capacity changes during the run: from the request numbered `afterRequests` on (counting every request since start), `limit` applies. */
  schedule?: Array<{afterRequests: number; limit: number}>
}

export interface CapacityStats {
  /** Requests turned away with 503 because the queue was full. */
  rejected: number
  /** Requests dropped from the queue because their client gave up; never executed. */
  dropped: number
  /** Requests that had to wait for a slot. */
  queued: number
  /** The most requests worked on at once, and waiting at once, since start. */
  peakActive: number
  peakWaiting: number
}

export type Admission = {kind: 'go'; release: () => void} | {kind: 'full'} | {kind: 'gone'}

interface Waiter {
  admit: () => void
  drop: () => void
  gone: () => boolean
}

export function checkCapacity(capacity: SandboxCapacity): void {
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min
  if (!whole(capacity.limit, 1)) throw new RangeError(`capacity must be a whole number >= 1, got ${capacity.limit}`)
  if (capacity.queue !== undefined && !whole(capacity.queue, 0)) throw new RangeError(`queue must be a whole number >= 0, got ${capacity.queue}`)
  for (const step of capacity.schedule ?? []) {
    if (!whole(step.limit, 1) || !whole(step.afterRequests, 1)) throw new RangeError(`a capacity change needs a capacity >= 1 and a request number >= 1, got ${step.limit}@${step.afterRequests}`)
  }
}

export class CapacityGate {
  private active = 0
  private readonly waiting: Waiter[] = []
  private limitNow: number
  private readonly queueLength: number
  private readonly schedule: Array<{afterRequests: number; limit: number}>
  private arrivals = 0
  readonly stats: CapacityStats = {rejected: 0, dropped: 0, queued: 0, peakActive: 0, peakWaiting: 0}

  constructor(capacity: SandboxCapacity) {
    checkCapacity(capacity)
    this.limitNow = capacity.limit
    this.queueLength = capacity.queue ?? capacity.limit
    this.schedule = [...(capacity.schedule ?? [])].sort((a, b) => a.afterRequests - b.afterRequests)
  }

  get limit(): number {
    return this.limitNow
  }

  get queue(): number {
    return this.queueLength
  }

  /** Changes how many requests are worked on at once; requests already being worked on finish. */
  setLimit(limit: number): void {
    checkCapacity({limit})
    this.limitNow = limit
    this.admitWaiting()
  }

  /**
   * Called when a request arrives (synchronously, so arrivals are counted in order). Resolves when the
   * request may be worked on, at once when it must be turned away, or when its client left while it waited.
   * `gone` tells whether the client is still there.
   */
  enter(gone: () => boolean, onGone: (listener: () => void) => void): Promise<Admission> | Admission {
    this.arrivals++
    for (let next = this.schedule[0]; next !== undefined && next.afterRequests <= this.arrivals; next = this.schedule[0]) {
      this.schedule.shift()
      this.setLimit(next.limit)
    }
    if (this.active < this.limitNow && this.waiting.length === 0) return this.go()
    if (this.waiting.length >= this.queueLength) {
      this.stats.rejected++
      return {kind: 'full'}
    }
    this.stats.queued++
    return new Promise<Admission>((resolve) => {
      const waiter: Waiter = {
        admit: () => resolve(this.go()),
        drop: () => {
          this.stats.dropped++
          resolve({kind: 'gone'})
        },
        gone,
      }
      this.waiting.push(waiter)
      this.stats.peakWaiting = Math.max(this.stats.peakWaiting, this.waiting.length)
      onGone(() => {
        const at = this.waiting.indexOf(waiter)
        if (at < 0) return
        this.waiting.splice(at, 1)
        waiter.drop()
      })
    })
  }

  private go(): Admission {
    this.active++
    this.stats.peakActive = Math.max(this.stats.peakActive, this.active)
    let released = false
    return {
      kind: 'go',
      release: () => {
        if (released) return
        released = true
        this.active--
        this.admitWaiting()
      },
    }
  }

  private admitWaiting(): void {
    while (this.active < this.limitNow && this.waiting.length > 0) {
      const next = this.waiting.shift()!
      // A client that left without the close being seen yet is dropped here, not worked on.
      if (next.gone()) next.drop()
      else next.admit()
    }
  }
}
