import {setTimeout as sleep} from 'node:timers/promises'

/**
 * A sandbox meant to answer in 20 ms has to answer on average 20 ms after it took a request up, or every
 * client measured against it looks faster or slower than it is. Node's timers miss that both ways. They
 * run on the event loop's millisecond clock and round a wait up: an idle loop ends `sleep(20)` 20 to 22 ms
 * later. And they count from when the loop last read that clock, which a busy loop did before the handler
 * ran: a sandbox answering 16 requests at once ended its sleeps early, 19.4 ms on average for
 * --latency 20 against performance.now() (0.6 ms, 3% of the latency, in the client's favour).
 * This timer learns how far from what it asked its sleeps end, early or late, and asks for that much
 * more or less, so answers leave on average when they are due. Only the timer's own error is made up for
 * (at most MAX_CORRECTION_MS): a loop too busy to answer on time still makes answers late, as it should.
 */
const MAX_CORRECTION_MS = 1.5
// Weight of the newest sleep in the running mean: smooth enough to ignore one odd wake-up.
const WEIGHT = 0.05

export interface TimerClock {
  now(): number
  sleep(ms: number): Promise<void>
}

const NODE_CLOCK: TimerClock = {now: () => performance.now(), sleep: (ms) => sleep(ms)}

export class PunctualTimer {
  /** How much later than asked (negative: earlier) sleeps end, as a running mean. */
  private lateMs = 0

  constructor(private readonly clock: TimerClock = NODE_CLOCK) {}

  async sleep(ms: number): Promise<void> {
    const asked = Math.max(0, ms - this.lateMs)
    const start = this.clock.now()
    await this.clock.sleep(asked)
    const late = this.clock.now() - start - asked
    this.lateMs = Math.min(MAX_CORRECTION_MS, Math.max(-MAX_CORRECTION_MS, this.lateMs + WEIGHT * (late - this.lateMs)))
  }

  /** How much shorter than asked the next sleep is set, in ms (negative: longer). */
  get correctionMs(): number {
    return this.lateMs
  }
}
