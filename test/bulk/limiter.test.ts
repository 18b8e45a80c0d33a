/**
 * The adaptive limit (`--concurrency auto`), fed the answers of a modelled server: N workers, a queue of
 * M, each request `latency` ms of work; with more than N in flight the rest wait (their latency grows in
 * proportion), with more than N + M the excess is turned away (503). Time is the model's, not the clock's.
 */
import {describe, expect, it} from 'vitest'
import {Limiter} from '../../src/bulk/limiter.js'
import {createProgress} from '../../src/bulk/progress.js'
import {ImportTally} from '../../src/bulk/tally.js'

interface Server {
  capacity: number
  queue: number
  latency: () => number
}

/** A deterministic stream in [0, 1) (an LCG), so a varying latency replays the same way each run. */
function seeded(seed: number): () => number {
  let x = seed >>> 0
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return x / 2 ** 32
  }
}

/** Runs `rounds` rounds: each, as many requests as the limit allows, answered as the model says. Returns the limit after each round and the 503s. */
function drive(limiter: Limiter, clock: {now: number}, server: Server, rounds: number): {limits: number[]; rejected: number; sent: number} {
  const limits: number[] = []
  let rejected = 0
  let sent = 0
  for (let r = 0; r < rounds; r++) {
    const inFlight = limiter.current
    // Taken as the runner takes them, so the limiter knows what is in flight when it changes the limit mid-round.
    for (let i = 0; i < inFlight; i++) void limiter.acquire()
    const accepted = Math.min(inFlight, server.capacity + server.queue)
    // Requests beyond the capacity wait for a worker: on average a fraction of a request's work each.
    const waitShare = Math.max(0, accepted - server.capacity) / server.capacity
    let longest = 0
    for (let i = 0; i < inFlight; i++) {
      sent++
      if (i >= accepted) {
        rejected++
        limiter.report({congestion: true})
        limiter.release()
        continue
      }
      const work = server.latency()
      const latencyMs = work * (1 + waitShare) + 1
      longest = Math.max(longest, latencyMs)
      limiter.report({latencyMs})
      limiter.release()
    }
    clock.now += longest
    limits.push(limiter.current)
  }
  return {limits, rejected, sent}
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}

function share(values: number[], test: (v: number) => boolean): number {
  return values.filter(test).length / values.length
}

function autoLimiter(clock: {now: number}, initial = 4): Limiter {
  return new Limiter(initial, {adaptive: true, min: 1, max: 64, now: () => clock.now})
}

describe('adaptive limit (--concurrency auto)', () => {
  it('settles just past a server capacity of 8 at 40 ms, in the band it queues without turning anyone away', () => {
    const clock = {now: 0}
    const limiter = autoLimiter(clock)
    const run = drive(limiter, clock, {capacity: 8, queue: 8, latency: () => 40}, 200)
    const settled = run.limits.slice(20)
    expect(median(settled)).toBeGreaterThanOrEqual(9)
    expect(median(settled)).toBeLessThanOrEqual(15)
    // Only the probes (a round at a lower limit now and then) go below the capacity.
    expect(share(settled, (l) => l < 8)).toBeLessThanOrEqual(0.05)
    expect(Math.max(...settled)).toBeLessThanOrEqual(16)
    expect(run.rejected).toBe(0)
  })

  it('settles past a capacity of 4 whose latency varies from 20 to 120 ms', () => {
    const clock = {now: 0}
    const random = seeded(7)
    const limiter = autoLimiter(clock)
    const run = drive(limiter, clock, {capacity: 4, queue: 4, latency: () => 20 + random() * 100}, 400)
    const settled = run.limits.slice(40)
    expect(median(settled)).toBeGreaterThanOrEqual(4)
    expect(median(settled)).toBeLessThanOrEqual(7)
    expect(share(settled, (l) => l < 4)).toBeLessThanOrEqual(0.1)
    expect(share(settled, (l) => l > 8)).toBeLessThanOrEqual(0.02)
    expect(run.rejected / run.sent).toBeLessThanOrEqual(0.01)
  })

  it('grows from 1 to a large capacity within tens of rounds', () => {
    const clock = {now: 0}
    const limiter = autoLimiter(clock, 1)
    const run = drive(limiter, clock, {capacity: 32, queue: 32, latency: () => 50}, 40)
    expect(run.limits.findIndex((l) => l >= 32)).toBeGreaterThan(-1)
    expect(run.limits.findIndex((l) => l >= 32)).toBeLessThan(45)
  })

  it('backs off when the capacity drops from 8 to 2, and grows back when it returns', () => {
    const clock = {now: 0}
    const limiter = autoLimiter(clock)
    drive(limiter, clock, {capacity: 8, queue: 8, latency: () => 40}, 100)
    expect(limiter.current).toBeGreaterThanOrEqual(8)
    const before = limiter.current
    // The queue stays as long as it was: the server slows down before it turns requests away.
    const dropped = drive(limiter, clock, {capacity: 2, queue: 8, latency: () => 40}, 100)
    const settled = dropped.limits.slice(30)
    expect(median(settled)).toBeGreaterThanOrEqual(2)
    expect(median(settled)).toBeLessThanOrEqual(4)
    expect(Math.max(...settled)).toBeLessThanOrEqual(5)
    // Only the first round after the drop, sent at the old limit, finds the queue full.
    expect(dropped.rejected).toBeLessThanOrEqual(Math.max(0, before - 2 - 8))
    const back = drive(limiter, clock, {capacity: 8, queue: 8, latency: () => 40}, 100)
    expect(median(back.limits.slice(40))).toBeGreaterThanOrEqual(9)
    expect(share(back.limits.slice(40), (l) => l < 8)).toBeLessThanOrEqual(0.05)
  })

  it('a run that starts on a server already queueing finds its capacity through the probes', () => {
    const clock = {now: 0}
    // 8 in flight against 2 workers: the first rounds' latency is four times the unloaded one.
    const limiter = autoLimiter(clock, 8)
    const run = drive(limiter, clock, {capacity: 2, queue: 30, latency: () => 40}, 600)
    expect(clock.now).toBeGreaterThan(30_000)
    const settled = run.limits.slice(-100)
    expect(median(settled)).toBeGreaterThanOrEqual(2)
    expect(median(settled)).toBeLessThanOrEqual(4)
  })

  it('halves on congestion (503, timeouts), once for a burst, again for a later one', () => {
    const clock = {now: 0}
    const limiter = autoLimiter(clock, 16)
    limiter.report({congestion: true})
    expect(limiter.current).toBe(8)
    for (let i = 0; i < 7; i++) limiter.report({congestion: true})
    expect(limiter.current).toBe(8)
    clock.now += 250
    limiter.report({congestion: true})
    expect(limiter.current).toBe(4)
  })

  it('never goes below its minimum nor above its maximum', () => {
    const clock = {now: 0}
    const limiter = new Limiter(4, {adaptive: true, min: 2, max: 10, now: () => clock.now})
    for (let i = 0; i < 10; i++) {
      clock.now += 1000
      limiter.report({congestion: true})
    }
    expect(limiter.current).toBe(2)
    drive(limiter, clock, {capacity: 64, queue: 64, latency: () => 30}, 50)
    expect(limiter.current).toBe(10)
  })

  it('lets waiting rows in as soon as the limit grows', async () => {
    const clock = {now: 0}
    const limiter = autoLimiter(clock, 1)
    await limiter.acquire()
    let second = false
    const waiting = limiter.acquire().then(() => (second = true))
    // Three rounds at an unloaded latency (1 -> 1.4 -> 1.96 -> 2.7): the limit grows without any row finishing.
    for (let i = 0; i < 24; i++) limiter.report({latencyMs: 40})
    await waiting
    expect(second).toBe(true)
  })

  it('a fixed limit does not move', () => {
    const limiter = new Limiter(6)
    for (let i = 0; i < 50; i++) limiter.report({latencyMs: 10})
    limiter.report({congestion: true})
    expect(limiter.current).toBe(6)
    expect(limiter.adaptive).toBe(false)
  })
})

describe('progress line', () => {
  it('shows the concurrency in force when it is given', () => {
    let out = ''
    let limit = 4
    const tally = new ImportTally(10)
    const progress = createProgress({tally, tty: true, write: (t) => (out += t), intervalMs: 60_000, now: () => 0, concurrency: () => limit})
    tally.add({status: 'ok', action: 'create'})
    limit = 11
    progress.done()
    expect(out).toContain('1/10 · ok 1')
    expect(out).toContain('concurrency 11')
  })

  it('leaves it out for a fixed concurrency', () => {
    let out = ''
    const tally = new ImportTally(1)
    const progress = createProgress({tally, tty: true, write: (t) => (out += t), intervalMs: 60_000, now: () => 0})
    tally.add({status: 'ok', action: 'create'})
    progress.done()
    expect(out).not.toContain('concurrency')
  })
})
