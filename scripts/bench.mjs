#!/usr/bin/env node
// npm run bench: start-up, bulk throughput, memory and pre-flight speed of the built CLI, printed as one
// table. Every figure is the median of several runs and, where it has one, a ratio to a baseline
// measured in the same run, so a busy machine moves both sides. Only loopback traffic: each sandbox is
// a separate process on 127.0.0.1 started and stopped here (scripts/bench-child.mjs). Files go to a
// temporary directory that is removed at the end.
//
//   node scripts/bench.mjs [--runs N] [--bulk-runs N] [--only cold,bulk,latency,memory,preflight,capacity] [--capacity-seconds S] [--out FILE] [--readme] [--quick]
import {spawn, spawnSync} from 'node:child_process'
import {closeSync, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import {once} from 'node:events'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin', 'run.js')
const CHILD = join(ROOT, 'scripts', 'bench-child.mjs')
const NODE = process.execPath
const GNU_TIME = process.env.SOEMAIL_BENCH_GNU_TIME ?? '/usr/bin/time'
const RSS_PRELOAD = join(ROOT, 'scripts', 'bench-rss.mjs')

const options = parseArgs(process.argv.slice(2))
const SECTIONS = new Set(options.only ?? ['cold', 'bulk', 'latency', 'memory', 'preflight', 'capacity', 'schema'])
// --quick: every section at a fiftieth of the size, once - a check that the bench works (test/scripts/bench.test.ts),
// whose figures say nothing about the targets.
const QUICK = Boolean(options.quick)
const COLD_RUNS = options.runs ?? (QUICK ? 2 : 11)
const BULK_RUNS = options['bulk-runs'] ?? (QUICK ? 1 : 3)
const CONCURRENCY = 16
const BULK_ROWS = QUICK ? 400 : 20_000
// A real NetServer answers in tens to hundreds of ms: the targets are set against these latencies.
const LATENCIES_MS = [20, 50]
const LATENCY_ROWS = QUICK ? 400 : 20_000
// Rows of the schema-check comparison: enough for the validator's per-request cost to dominate start-up.
const SCHEMA_ROWS = QUICK ? 200 : 4000
const SMALL = QUICK ? 2_000 : 100_000
const LARGE = QUICK ? 20_000 : 1_000_000
// Against a server that can be overloaded (sandbox --capacity N, its queue as long): fixed concurrencies
// and auto. Each run is sized to take about CAPACITY_SECONDS at the server's capacity (fewer rows below it).
const CAPACITY_SHAPES = [
  {label: 'capacity 8, 40 ms', capacity: 8, latency: 40, meanMs: 40},
  {label: 'capacity 4, 20-120 ms', capacity: 4, latency: [20, 120], meanMs: 70},
]
const SWEEP = QUICK ? [4, 16] : [1, 2, 4, 8, 16, 32]
const CAPACITY_SECONDS = options['capacity-seconds'] ?? (QUICK ? 1 : 8)
// Every child is killed after this long: the bench always ends by itself.
const CHILD_LIMIT_MS = 15 * 60 * 1000
const LOAD_AT_START = loadavg()[0]
// The accounts belong to the sandbox's demo users (src/sandbox/user-directory.ts) other than the one the
// ticket is for (5): an admin provisions other people. A row for the caller's own associate costs one more
// read (GetEMailAccountFromEMailAddress finds the caller's accounts that GetReadySyncEmailAccounts leaves
// out), which would double every request of a file where all rows are the admin's own.
const OWNERS = [1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 18, 19, 34]

if (!existsSync(join(ROOT, 'dist', 'cli', 'load.cjs')) || !existsSync(join(ROOT, 'dist', 'sandbox', 'server.js'))) {
  console.error('soemail is not built: run `npm run build` first (npm run bench does).')
  process.exit(1)
}

const tmp = mkdtempSync(join(tmpdir(), 'soemail-bench-'))
const sandboxes = new Set()
const cleanup = () => {
  for (const s of sandboxes) s.kill()
  rmSync(tmp, {recursive: true, force: true})
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

const rows = []
const log = (text) => process.stderr.write(`${text}\n`)

try {
  if (SECTIONS.has('cold')) await coldStart()
  if (SECTIONS.has('bulk')) await bulkZeroLatency()
  if (SECTIONS.has('latency')) await bulkWithLatency()
  if (SECTIONS.has('memory') || SECTIONS.has('preflight')) await memoryAndPreflight()
  if (SECTIONS.has('capacity')) await capacitySweep()
  if (SECTIONS.has('schema')) await schemaCheckedSandbox()
} finally {
  for (const s of sandboxes) s.kill()
}

const table = renderTable(rows)
process.stdout.write(`${table}\n`)
if (options.out) writeFileSync(options.out, `${table}\n`)
if (options.readme && !QUICK) updateReadme(table)
const missed = rows.filter((r) => r.met === false)
log(missed.length === 0 ? 'All targets met.' : `Targets not met: ${missed.map((r) => r.name).join('; ')}`)

// ---------------------------------------------------------------------------------------------------

async function coldStart() {
  const sandbox = await startSandbox({schemaCheck: false})
  const env = cliEnv(sandbox, {SOEMAIL_IMAP_PASSWORD: 'imap-secret', SOEMAIL_SMTP_PASSWORD: 'smtp-secret'})
  let n = 0
  const cases = {
    'node -e 0': () => [NODE, ['-e', '0']],
    '--version': () => [NODE, [BIN, '--version']],
    '--help': () => [NODE, [BIN, '--help']],
    'account save': () => {
      n++
      return [NODE, [BIN, 'account', 'save', '--email', `cold${n}@example.com`, '--associate', String(OWNERS[n % OWNERS.length]), '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com']]
    },
  }
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  // One warm-up round (disk cache), then interleaved rounds so that load on the machine hits all alike.
  for (let round = -1; round < COLD_RUNS; round++) {
    for (const [name, make] of Object.entries(cases)) {
      const [cmd, args] = make()
      const started = performance.now()
      const res = spawnSync(cmd, args, {env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000})
      const ms = performance.now() - started
      if (res.status !== 0) throw new Error(`${name} exited ${res.status}: ${res.stderr}`)
      if (round >= 0) times[name].push(ms)
    }
  }
  await sandbox.stop()
  const base = median(times['node -e 0'])
  log(`cold start: ${Object.entries(times).map(([k, v]) => `${k} ${median(v).toFixed(0)} ms`).join(', ')}`)
  // The ratio is the median of each round's ratio: a round measures all four back to back, so a change
  // in the machine's load between rounds moves both sides of it.
  const add = (label, key, limit) => {
    const value = median(times[key])
    const ratio = median(times[key].map((t, round) => t / times['node -e 0'][round]))
    rows.push({name: label, value: `${value.toFixed(0)} ms`, baseline: `node -e 0: ${base.toFixed(0)} ms`, ratio, ratioText: `${ratio.toFixed(2)}×`, target: `≤ ${limit.toFixed(1)}×`, met: ratio <= limit})
  }
  add('soemail --version', '--version', 2.0)
  add('soemail --help', '--help', 2.0)
  add('soemail account save (create, loopback sandbox)', 'account save', 3.0)
}

async function bulkZeroLatency() {
  const csv = join(tmp, `bulk-${BULK_ROWS}.csv`)
  await writeCreateCsv(csv, BULK_ROWS)
  const cli = []
  const base = []
  // Pairs of runs, in alternating order; the ratio is the median of the pairs' ratios.
  for (let run = 0; run < BULK_RUNS; run++) {
    if (run % 2 === 0) cli.push(await importRun(csv, BULK_ROWS, {schemaCheck: false}, `bulk-${run}`))
    base.push(await gotBaseline(csv, run))
    if (run % 2 === 1) cli.push(await importRun(csv, BULK_ROWS, {schemaCheck: false}, `bulk-${run}`))
  }
  const value = median(cli.map((r) => r.rate))
  const whole = median(cli.map((r) => r.wallRate))
  const baseline = median(base)
  const ratio = median(cli.map((r, i) => r.rate / base[i]))
  const wholeRatio = median(cli.map((r, i) => r.wallRate / base[i]))
  rows.push({
    name: `account import ${fmt(BULK_ROWS)} rows, concurrency ${CONCURRENCY}, 0 ms latency`,
    value: `${fmt(value)} rows/s (${fmt(whole)} incl. start-up)`,
    baseline: `got alone: ${fmt(baseline)} rows/s`,
    ratio,
    ratioText: `${ratio.toFixed(2)} (${wholeRatio.toFixed(2)})`,
    // Against a server that answers in 0 ms the figure says how much CPU a row costs, not how fast a
    // real run goes, so it is reported beside its baseline rather than held to a target.
    target: '(reported)',
    met: undefined,
  })
}

/**
 * The sandbox as an admin rehearses with it (every request validated against the real schemas) beside
 * the same sandbox with --no-schema-check: the validator's cost per request, in rows/s of one import.
 */
async function schemaCheckedSandbox() {
  const csv = join(tmp, `schema-${SCHEMA_ROWS}.csv`)
  await writeCreateCsv(csv, SCHEMA_ROWS)
  const checked = []
  const unchecked = []
  for (let run = 0; run < BULK_RUNS; run++) {
    // Alternating order, so a machine that slows down during the pair weighs on both sides alike.
    if (run % 2 === 0) checked.push(await importRun(csv, SCHEMA_ROWS, {schemaCheck: true}, `schema-on-${run}`))
    unchecked.push(await importRun(csv, SCHEMA_ROWS, {schemaCheck: false}, `schema-off-${run}`))
    if (run % 2 === 1) checked.push(await importRun(csv, SCHEMA_ROWS, {schemaCheck: true}, `schema-on-${run}`))
  }
  const ratio = median(checked.map((r, i) => r.rate / unchecked[i].rate))
  rows.push({
    name: `sandbox with schema checks, account import ${fmt(SCHEMA_ROWS)} rows, concurrency ${CONCURRENCY}, 0 ms latency`,
    value: `${fmt(median(checked.map((r) => r.rate)))} rows/s`,
    baseline: `--no-schema-check: ${fmt(median(unchecked.map((r) => r.rate)))} rows/s`,
    ratio,
    ratioText: ratio.toFixed(2),
    target: '≥ 0.5',
    met: ratio >= 0.5,
  })
}

/** The got-only client (scripts/bench-child.mjs got) against a fresh sandbox; rows/s over its own sending time. */
async function gotBaseline(csv, run, faults) {
  const sandbox = await startSandbox({schemaCheck: false, ...(faults ? {faults} : {})})
  const started = performance.now()
  const res = await runChild(NODE, [CHILD, 'got', sandbox.url, sandbox.ticket, csv, String(CONCURRENCY)], {env: cliEnv(sandbox)})
  const wall = performance.now() - started
  await sandbox.stop()
  const out = JSON.parse(res.stdout)
  if (out.failed > 0 || out.rows === 0) throw new Error(`the got baseline sent ${out.rows} rows, ${out.failed} of them failed; expected every row of ${csv} without failures`)
  log(`  got baseline run ${run + 1}${faults ? ` (${faults.latencyMs} ms latency)` : ''}: ${(out.rows / (out.ms / 1000)).toFixed(0)} rows/s (${(wall / 1000).toFixed(1)} s with start-up)`)
  return out.rows / (out.ms / 1000)
}

async function bulkWithLatency() {
  const csv = join(tmp, `latency-${LATENCY_ROWS}.csv`)
  await writeCreateCsv(csv, LATENCY_ROWS)
  for (const latencyMs of LATENCIES_MS) {
    const runs = []
    const got = []
    for (let run = 0; run < BULK_RUNS; run++) {
      runs.push(await importRun(csv, LATENCY_ROWS, {schemaCheck: false, faults: {latencyMs}}, `latency-${latencyMs}-${run}`))
      got.push(await gotBaseline(csv, run, {latencyMs}))
    }
    const ideal = CONCURRENCY / (latencyMs / 1000)
    const value = median(runs.map((r) => r.rate))
    const whole = median(runs.map((r) => r.wallRate))
    const gotRate = median(got)
    // What a client that only builds and posts reaches on this machine: the ceiling of the ideal here.
    const gotRow = {
      name: `got alone, ${fmt(LATENCY_ROWS)} rows, concurrency ${CONCURRENCY}, ${latencyMs} ms latency`,
      value: `${fmt(gotRate)} rows/s`,
      baseline: `ideal: ${fmt(ideal)} rows/s`,
      ratio: gotRate / ideal,
      ratioText: `${(gotRate / ideal).toFixed(3)} (import: ${(value / gotRate).toFixed(3)} of it)`,
      target: '(reported)',
      met: undefined,
    }
    rows.push({
      name: `account import ${fmt(LATENCY_ROWS)} rows, concurrency ${CONCURRENCY}, ${latencyMs} ms latency`,
      value: `${fmt(value)} rows/s (${fmt(whole)} incl. start-up)`,
      baseline: `ideal ${CONCURRENCY} / ${latencyMs / 1000} s: ${fmt(ideal)} rows/s (the sandbox answered in ${median(runs.map((r) => r.answerMs)).toFixed(1)} ms on average)`,
      ratio: value / ideal,
      ratioText: `${(value / ideal).toFixed(3)} (${(whole / ideal).toFixed(3)})`,
      target: '≥ 0.95',
      met: value / ideal >= 0.95,
    })
    rows.push(gotRow)
  }
}

async function memoryAndPreflight() {
  const small = join(tmp, `rows-${SMALL}.csv`)
  const large = join(tmp, `rows-${LARGE}.csv`)
  // The 100,000-row file is for the memory section only.
  if (SECTIONS.has('memory')) await writeCreateCsv(small, SMALL)
  await writeCreateCsv(large, LARGE)
  if (SECTIONS.has('memory')) {
    const sandbox = await startSandbox({schemaCheck: false})
    const dry = async (file, count) => {
      const peaks = []
      for (let run = 0; run < BULK_RUNS; run++) {
        const res = await timedCli(['account', 'import', file, '--dry-run', '--concurrency', String(CONCURRENCY)], cliEnv(sandbox), {stdout: 'null'})
        if (res.code !== 0) throw new Error(`dry-run of ${count} rows exited ${res.code}: ${res.stderr.slice(-2000)}`)
        peaks.push(res.maxRssKb)
        log(`  dry-run ${fmt(count)} rows: ${(res.maxRssKb / 1024).toFixed(0)} MB peak RSS, ${(res.ms / 1000).toFixed(1)} s`)
      }
      return median(peaks) / 1024
    }
    const bare = []
    for (let run = 0; run < BULK_RUNS; run++) bare.push((await timedNode(['-e', '0'], cliEnv())).maxRssKb / 1024)
    const bareMb = median(bare)
    const smallMb = await dry(small, SMALL)
    const largeMb = await dry(large, LARGE)
    await sandbox.stop()
    const real = []
    for (let run = 0; run < BULK_RUNS; run++) real.push((await importRun(small, SMALL, {schemaCheck: false}, `memory-${run}`)).maxRssKb / 1024)
    const realMb = median(real)
    rows.push({name: `peak RSS, import --dry-run, ${fmt(SMALL)} rows`, value: realMbText(smallMb), baseline: `node -e 0: ${realMbText(bareMb)}`, ratio: smallMb / bareMb, ratioText: `${(smallMb / bareMb).toFixed(2)}×`, target: `(reference for ${fmt(LARGE)})`, met: undefined})
    rows.push({
      name: `peak RSS, import --dry-run, ${fmt(LARGE)} rows`,
      value: realMbText(largeMb),
      baseline: `${fmt(SMALL)} rows: ${realMbText(smallMb)}`,
      ratio: largeMb / smallMb,
      ratioText: `${(largeMb / smallMb).toFixed(2)}×`,
      target: '≤ 150 MB and ≤ 1.20×',
      met: largeMb <= 150 && largeMb / smallMb <= 1.2,
    })
    rows.push({name: `peak RSS, import (real), ${fmt(SMALL)} rows`, value: realMbText(realMb), baseline: `dry-run: ${realMbText(smallMb)}`, ratio: realMb / smallMb, ratioText: `${(realMb / smallMb).toFixed(2)}×`, target: '(reported)', met: undefined})
  }
  if (SECTIONS.has('preflight')) {
    // Baseline: csv-parse alone reading the same file into records, with nothing checked.
    const rates = []
    const base = []
    for (let run = 0; run < BULK_RUNS; run++) {
      for (const [mode, into] of [['preflight', rates], ['csv-parse', base]]) {
        const out = JSON.parse((await runChild(NODE, [CHILD, mode, large], {env: cliEnv()})).stdout)
        if (out.rows !== LARGE || (mode === 'preflight' && out.valid !== LARGE)) throw new Error(`${mode} read ${out.rows} rows (${out.valid} valid); expected ${LARGE}`)
        into.push(out.rows / (out.ms / 1000))
        log(`  ${mode} ${fmt(LARGE)} rows: ${(out.ms / 1000).toFixed(1)} s, ${fmt(out.rows / (out.ms / 1000))} rows/s`)
      }
    }
    const value = median(rates)
    const ratio = median(rates.map((r, i) => r / base[i]))
    rows.push({name: `pre-flight validation, ${fmt(LARGE)} rows`, value: `${fmt(value)} rows/s`, baseline: `csv-parse alone: ${fmt(median(base))} rows/s`, ratio, ratioText: ratio.toFixed(2), target: '≥ 100,000 rows/s', met: value >= 100_000})
  }
}

/**
 * The sweep: each shape's fixed concurrencies and auto, interleaved run by run so that load on the
 * machine hits all alike; auto against the best fixed one of the same run. Then recovery: a server whose
 * capacity drops from 8 to 2 half-way (and one that rises from 2 to 8), against its ideal.
 */
async function capacitySweep() {
  for (const shape of CAPACITY_SHAPES) {
    const ideal = shape.capacity / (shape.meanMs / 1000)
    const full = Math.max(50, Math.round(ideal * CAPACITY_SECONDS))
    const settings = [...SWEEP, 'auto']
    const runs = new Map(settings.map((c) => [c, []]))
    for (let run = 0; run < BULK_RUNS; run++) {
      for (const c of settings) {
        // Below the capacity a run is slower: fewer rows keep it about as long.
        const count = c === 'auto' || c >= shape.capacity ? full : Math.max(50, Math.round((full * c) / shape.capacity))
        const csv = join(tmp, `capacity-${count}.csv`)
        if (!existsSync(csv)) await writeCreateCsv(csv, count)
        runs.get(c).push(await capacityRun(csv, count, {capacity: shape.capacity, latency: shape.latency}, c, `capacity-${shape.capacity}-${c}-${run}`))
      }
    }
    const summary = new Map(settings.map((c) => [c, summarize(runs.get(c))]))
    for (const c of SWEEP) {
      const r = summary.get(c)
      rows.push({name: `import vs ${shape.label} (queue ${shape.capacity}), concurrency ${c}`, value: capacityText(r), baseline: `ideal ${shape.capacity} / ${shape.meanMs / 1000} s: ${fmt(ideal)} rows/s`, ratio: r.rate / ideal, ratioText: (r.rate / ideal).toFixed(2), target: '(sweep)', met: undefined})
    }
    const best = SWEEP.reduce((a, b) => (summary.get(b).rate > summary.get(a).rate ? b : a))
    const auto = summary.get('auto')
    // Per run, auto against the best fixed concurrency of that same run.
    const ratio = median(runs.get('auto').map((r, i) => r.rate / runs.get(best)[i].rate))
    rows.push({
      name: `import vs ${shape.label} (queue ${shape.capacity}), concurrency auto`,
      value: capacityText(auto),
      baseline: `best fixed (${best}): ${fmt(summary.get(best).rate)} rows/s`,
      ratio,
      ratioText: ratio.toFixed(2),
      target: '≥ 0.90, ≤ 1% overload, none lost',
      met: ratio >= 0.9 && auto.overload <= 0.01 && auto.intact,
    })
  }
  const shape = CAPACITY_SHAPES[0]
  const changes = QUICK ? [[8, 2]] : [[8, 2], [2, 8]]
  for (const [from, to] of changes) {
    const count = Math.max(100, Math.round((shape.capacity / (shape.meanMs / 1000)) * CAPACITY_SECONDS))
    const csv = join(tmp, `capacity-${count}.csv`)
    if (!existsSync(csv)) await writeCreateCsv(csv, count)
    // The baseline: a fixed concurrency of the larger capacity, which the queue (8) absorbs at either.
    const fixed = Math.max(from, to)
    const runs = []
    const base = []
    for (let run = 0; run < BULK_RUNS; run++) {
      // Half the rows at each capacity: the schedule counts requests, one per row here (and a few reads before the rows).
      const sandbox = {capacity: from, queue: 8, schedule: [{afterRequests: Math.round(count / 2), limit: to}], latency: shape.latency}
      runs.push(await capacityRun(csv, count, sandbox, 'auto', `recovery-${from}-${to}-${run}`))
      base.push(await capacityRun(csv, count, sandbox, fixed, `recovery-${from}-${to}-fixed-${run}`))
    }
    const r = summarize(runs)
    const idealMs = (count / 2 / (from / (shape.meanMs / 1000)) + count / 2 / (to / (shape.meanMs / 1000))) * 1000
    const ideal = count / (idealMs / 1000)
    const ratio = median(runs.map((a, i) => a.rate / base[i].rate))
    rows.push({
      name: `import --concurrency auto, capacity ${from} then ${to} half-way, ${shape.meanMs} ms`,
      value: `${capacityText(r)} (${(r.rate / ideal).toFixed(2)} of the ideal ${fmt(ideal)} rows/s)`,
      baseline: `fixed ${fixed}: ${fmt(median(base.map((b) => b.rate)))} rows/s`,
      ratio,
      ratioText: ratio.toFixed(2),
      target: '≥ 0.90, ≤ 1% overload, none lost',
      met: ratio >= 0.9 && r.overload <= 0.01 && r.intact,
    })
  }
}

/** The medians of a setting's runs; `intact` only when every run completed every row exactly once. */
function summarize(list) {
  return {
    rate: median(list.map((r) => r.rate)),
    overload: median(list.map((r) => r.overload)),
    p50: median(list.map((r) => r.p50)),
    p95: median(list.map((r) => r.p95)),
    failed: Math.max(...list.map((r) => r.failed)),
    intact: list.every((r) => r.intact),
  }
}

function capacityText(r) {
  const lost = r.failed > 0 ? `, ${fmt(r.failed)} rows failed` : r.intact ? '' : ', rows lost or doubled'
  return `${fmt(r.rate)} rows/s, ${(r.overload * 100).toFixed(1)}% 503/dropped, p50/p95 ${fmt(r.p50)}/${fmt(r.p95)} ms${lost}`
}

/**
 * One `account import` of `count` create rows at `concurrency` against a fresh sandbox of this capacity;
 * failed rows (retries spent on 503s) are counted, not fatal. Overload is the share of the sandbox's POSTs
 * that were turned away or dropped; intact, that every row is ok and stored exactly once.
 */
async function capacityRun(csv, count, {capacity, queue, schedule, latency}, concurrency, label) {
  const latencyMs = Array.isArray(latency) ? latency : [latency, latency]
  const sandbox = await startSandbox({schemaCheck: false, capacity: {limit: capacity, queue: queue ?? capacity, ...(schedule ? {schedule} : {})}, faults: {latencyMs, seed: 1}})
  const results = join(tmp, `${label}.results.csv`)
  const res = await timedCli(['account', 'import', csv, '--concurrency', String(concurrency), '--results', results, '--json'], cliEnv(sandbox))
  const served = await sandbox.stop()
  for (const suffix of ['', '.journal', '.undo.csv', '.created.csv']) rmSync(`${results}${suffix}`, {force: true})
  // A run with failed rows exits PARTIAL, its summary in the error's details.
  let summary
  try {
    const doc = JSON.parse(res.stdout)
    summary = doc.result ?? doc.error?.details
  } catch {
    summary = undefined
  }
  if (!summary?.counts) throw new Error(`account import (${label}) exited ${res.code}: ${res.stderr.slice(-2000)}`)
  const posts = Object.values(served.statuses).reduce((a, b) => a + b, 0)
  const turnedAway = (served.capacity?.rejected ?? 0) + (served.capacity?.dropped ?? 0)
  const out = {
    rate: summary.counts.ok / (summary.elapsedMs / 1000),
    failed: count - summary.counts.ok,
    overload: posts > 0 ? turnedAway / posts : 0,
    p50: served.p50,
    p95: served.p95,
    intact: summary.counts.ok === count && served.stored === count,
  }
  log(`  import ${label}: ${capacityText(out)} (${summary.counts.ok} ok, ${served.stored} stored, ${turnedAway} of ${posts} turned away)`)
  return out
}

// ---------------------------------------------------------------------------------------------------

/** One `account import` of `count` create rows against a fresh sandbox; rows/s from the command's own elapsedMs. */
async function importRun(csv, count, sandboxOptions, label) {
  const sandbox = await startSandbox(sandboxOptions)
  const results = join(tmp, `${label}.results.csv`)
  const res = await timedCli(['account', 'import', csv, '--concurrency', String(CONCURRENCY), '--results', results, '--json'], cliEnv(sandbox))
  const served = await sandbox.stop()
  if (res.code !== 0) throw new Error(`account import (${label}) exited ${res.code}: ${res.stderr.slice(-2000)}`)
  const summary = JSON.parse(res.stdout).result
  if (summary.counts.ok !== count) throw new Error(`account import (${label}): ${JSON.stringify(summary.counts)}`)
  for (const suffix of ['', '.journal', '.undo.csv', '.created.csv']) rmSync(`${results}${suffix}`, {force: true})
  const rate = count / (summary.elapsedMs / 1000)
  const wallRate = count / (res.ms / 1000)
  log(`  account import (${label}): ${fmt(rate)} rows/s (${fmt(wallRate)} with start-up), ${(res.maxRssKb / 1024).toFixed(0)} MB peak RSS`)
  // How long the sandbox took over its answers on average: what the ideal of a latency row assumes it took.
  return {rate, wallRate, maxRssKb: res.maxRssKb, answerMs: served?.mean}
}

/** Runs the CLI under GNU time for its peak RSS; `ms` is wall time of the whole process. */
function timedCli(args, env, options) {
  return timedNode([BIN, ...args], env, options)
}

/** Runs node with these arguments, measuring its peak RSS and wall time. */
async function timedNode(nodeArgs, env, {stdout = 'pipe'} = {}) {
  const rssFile = join(tmp, `rss-${process.hrtime.bigint()}`)
  // Without GNU time, the same figure (getrusage's ru_maxrss) from inside the process, written as it exits.
  const useTime = existsSync(GNU_TIME)
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, NODE, ...nodeArgs]] : [NODE, ['--import', RSS_PRELOAD, ...nodeArgs]]
  const started = performance.now()
  const res = await runChild(cmd, argv, {env: useTime ? env : {...env, SOEMAIL_BENCH_RSS_FILE: rssFile}, stdout, allowFailure: true})
  const ms = performance.now() - started
  const maxRssKb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) : Number.NaN
  rmSync(rssFile, {force: true})
  return {...res, ms, maxRssKb}
}

function runChild(cmd, args, {env, stdout = 'pipe', allowFailure = false}) {
  return new Promise((resolve, reject) => {
    const out = stdout === 'null' ? openSync('/dev/null', 'w') : 'pipe'
    const child = spawn(cmd, args, {env, stdio: ['ignore', out, 'pipe']})
    if (typeof out === 'number') closeSync(out)
    let text = ''
    let err = ''
    child.stdout?.on('data', (d) => (text += d))
    child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 0 && !allowFailure) reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${err}`))
      else resolve({code, stdout: text, stderr: err})
    })
  })
}

/** A sandbox in its own process; stop() ends it (closing its stdin) and waits for it to exit. */
async function startSandbox(sandboxOptions) {
  const child = spawn(NODE, [CHILD, 'sandbox', JSON.stringify(sandboxOptions)], {env: cliEnv(), stdio: ['pipe', 'pipe', 'inherit']})
  sandboxes.add(child)
  let buffered = ''
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox did not start within 30 s')), 30_000)
    child.on('exit', (code) => reject(new Error(`the sandbox exited ${code} before it started`)))
    child.stdout.on('data', (d) => {
      buffered += d
      const nl = buffered.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve(JSON.parse(buffered.slice(0, nl)))
      }
    })
  })
  return {
    url: first.url,
    ticket: first.ticket,
    /** Ends the sandbox; resolves to what it served (scripts/bench-child.mjs), or undefined when it printed nothing. */
    async stop() {
      const exited = once(child, 'exit')
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      sandboxes.delete(child)
      const last = buffered.trim().split('\n').slice(1).at(-1)
      return last ? JSON.parse(last) : undefined
    },
  }
}

/** The caller's environment without soemail settings, a private HOME, and the sandbox's URL and ticket. */
function cliEnv(sandbox, extra = {}) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SOEMAIL_') && !k.startsWith('XDG_') && k !== 'NODE_OPTIONS') env[k] = v
  // No login test and no DNS: the rows' servers are made up (imap.example.com), and the bench measures
  // soemail's own cost against the sandbox, not a mail server's.
  Object.assign(env, {HOME: join(tmp, 'home'), NO_COLOR: '1', SOEMAIL_VERIFY: 'off', SOEMAIL_OFFLINE: '1'}, sandbox ? {SOEMAIL_URL: sandbox.url, SOEMAIL_TICKET: sandbox.ticket} : {}, extra)
  return env
}

/** Create rows: unique e-mail per row, the owners taken in turn from OWNERS. */
async function writeCreateCsv(path, count) {
  const out = createWriteStream(path)
  out.write('id,email,associate_id,imap_server,imap_port,imap_auth_type,imap_username,imap_password,smtp_server,smtp_port,smtp_auth_type,smtp_username,smtp_password\n')
  for (let start = 1; start <= count; start += 10_000) {
    let chunk = ''
    for (let n = start; n < Math.min(start + 10_000, count + 1); n++) {
      chunk += `,user${n}@example.com,${OWNERS[n % OWNERS.length]},imap.example.com,993,plain,user${n},imap-pw-${n},smtp.example.com,587,plain,user${n},smtp-pw-${n}\n`
    }
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'close')
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function fmt(n) {
  return Math.round(n).toLocaleString('en-US')
}

function realMbText(mb) {
  return `${mb.toFixed(0)} MB`
}

function renderTable(list) {
  const head = ['Measure', 'Median', 'Baseline (same run)', 'Ratio', 'Target', 'Result']
  const body = list.map((r) => [r.name, r.value, r.baseline || '—', r.ratioText || '—', r.target, r.met === undefined ? '—' : r.met ? 'MET' : 'NOT MET'])
  const lines = [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`)
  const load = `load average ${LOAD_AT_START.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end on ${cpus().length} CPUs`
  // The bench keeps about two processes busy itself, so only the load it started in says how busy the machine was.
  const busy = LOAD_AT_START > cpus().length / 2 ? ' - a busy machine: other processes inflate the wall-clock ratios' : ''
  const quick = QUICK ? ' - QUICK RUN (--quick): sizes cut fifty-fold, figures not comparable to the targets' : ''
  return [`soemail bench${quick} - Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; medians of ${COLD_RUNS} (start-up) and ${BULK_RUNS} (others) runs; ${load}${busy}`, '', ...lines].join('\n')
}

/** Puts the table between the README's bench markers, so the README shows the last full run. */
function updateReadme(table) {
  const path = join(ROOT, 'README.md')
  const text = readFileSync(path, 'utf8')
  const start = text.indexOf('<!-- bench -->')
  const end = text.indexOf('<!-- /bench -->')
  if (start < 0 || end < start) throw new Error('README.md has no <!-- bench --> ... <!-- /bench --> section')
  writeFileSync(path, `${text.slice(0, start)}<!-- bench -->\n${table}\n${text.slice(end)}`)
  log('README.md updated.')
}

function parseArgs(argv) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--only') out.only = argv[++i].split(',')
    else if (arg === '--out') out.out = argv[++i]
    else if (arg === '--readme') out.readme = true
    else if (arg === '--quick') out.quick = true
    else if (arg === '--runs' || arg === '--bulk-runs') out[arg.slice(2)] = Math.max(1, Number(argv[++i]))
    else if (arg === '--capacity-seconds') out['capacity-seconds'] = Math.max(0.2, Number(argv[++i]))
    else {
      console.error(`unknown option ${arg}`)
      process.exit(2)
    }
  }
  return out
}
