import {describe, expect, it} from 'vitest'
import {PunctualTimer, type TimerClock} from '../../src/sandbox/punctual-timer.js'

/** A clock whose sleeps end `errorMs` after (or, negative, before) what was asked. */
function skewedClock(errorMs: number): TimerClock & {slept: number[]} {
  let now = 0
  const slept: number[] = []
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      now += Math.max(0, ms + errorMs)
      slept.push(ms)
    },
  }
}

/** Mean length of the last `n` of `count` sleeps of `ms`, as the clock measured them. */
async function meanSleep(timer: PunctualTimer, clock: TimerClock, ms: number, count = 300, n = 100): Promise<number> {
  const lengths: number[] = []
  for (let i = 0; i < count; i++) {
    const start = clock.now()
    await timer.sleep(ms)
    lengths.push(clock.now() - start)
  }
  return lengths.slice(-n).reduce((a, b) => a + b, 0) / n
}

describe('PunctualTimer', () => {
  it('makes up for sleeps that end late (an idle loop rounds a wait up): 20 ms on average', async () => {
    const clock = skewedClock(1)
    const timer = new PunctualTimer(clock)
    expect(await meanSleep(timer, clock, 20)).toBeCloseTo(20, 1)
    expect(timer.correctionMs).toBeCloseTo(1, 1)
  })

  it('makes up for sleeps that end early (a busy loop counts from a clock it read before the handler ran): 20 ms on average', async () => {
    const clock = skewedClock(-0.6)
    const timer = new PunctualTimer(clock)
    expect(await meanSleep(timer, clock, 20)).toBeCloseTo(20, 1)
    expect(timer.correctionMs).toBeCloseTo(-0.6, 1)
    expect(clock.slept.at(-1)).toBeCloseTo(20.6, 1)
  })

  it('makes up for no more than 1.5 ms either way: a loop too slow to answer on time still answers late', async () => {
    const late = skewedClock(5)
    expect(await meanSleep(new PunctualTimer(late), late, 20)).toBeCloseTo(23.5, 1)
    const early = skewedClock(-5)
    expect(await meanSleep(new PunctualTimer(early), early, 20)).toBeCloseTo(16.5, 1)
  })

  it('never asks for a negative sleep', async () => {
    const clock = skewedClock(1)
    const timer = new PunctualTimer(clock)
    await meanSleep(timer, clock, 20)
    await timer.sleep(0.5)
    expect(clock.slept.at(-1)).toBe(0)
  })
})
