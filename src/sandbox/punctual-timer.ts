import {setTimeout as sleep} from 'node:timers/promises'

/**
 * Node's timers run on the event loop's millisecond clock and round a wait up, so `sleep(20)` ends 20 to
 * 22 ms later: about a millisecond late on average, 5% of a 20 ms latency. A sandbox meant to answer in
 * 20 ms would make every client look 5% slower than it is. This timer learns how late its sleeps end and
 * asks for that much less, so answers leave on average when they are due. Only the timer's own rounding
 * is made up for (at most MAX_CORRECTION_MS): a busy event loop still makes answers late, as it should.
 */
const MAX_CORRECTION_MS = 1.5
// Weight of the newest sleep in the running mean: smooth enough to ignore one odd wake-up.
const WEIGHT = 0.05

export class PunctualTimer {
  private lateMs = 0

  async sleep(ms: number): Promise<void> {
    const asked = Math.max(0, ms - this.lateMs)
    const start = performance.now()
    await sleep(asked)
    const late = performance.now() - start - asked
    this.lateMs = Math.min(MAX_CORRECTION_MS, Math.max(0, this.lateMs + WEIGHT * (late - this.lateMs)))
  }

  /** How much shorter than asked the next sleep is set, in ms. */
  get correctionMs(): number {
    return this.lateMs
  }
}
