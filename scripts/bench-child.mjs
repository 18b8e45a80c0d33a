#!/usr/bin/env node
// Helper processes for scripts/bench.mjs, each in a process of its own so that none of them shares an
// event loop or a heap with what it measures:
//   sandbox JSON      a sandbox on 127.0.0.1 (options as JSON); prints {url, ticket} and runs until its
//                     stdin closes (the bench ends) or a time limit passes; then prints what it served:
//                     {requests, statuses, p50, p95, mean (ms from arrival to answer of the 200s), stored, capacity}
//   got URL TICKET CSV CONCURRENCY
//                     the baseline client: a SaveEMailAccount create for each row of CSV, built with
//                     src/soap (once per row) and POSTed with got over a keep-alive agent; prints {rows, ms}
//   preflight FILE    the pre-flight pass of account import over FILE; prints {rows, valid, ms}
//   csv-parse FILE    csv-parse alone reading FILE into records (pre-flight's baseline); prints {rows, ms}
import http from 'node:http'
import {createReadStream} from 'node:fs'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const [mode, ...args] = process.argv.slice(2)

if (mode === 'sandbox') {
  const {startSandbox} = await import(`${dist}sandbox/server.js`)
  // Each request's status and time from its log line (`POST path operation status Nms ...`).
  const statuses = {}
  const answered = []
  const log = (line) => {
    const m = /^POST \S+ \S+ (\S+) (\d+)ms/.exec(line)
    if (!m) return
    statuses[m[1]] = (statuses[m[1]] ?? 0) + 1
    if (m[1] === '200') answered.push(Number(m[2]))
  }
  const sandbox = await startSandbox({port: 0, log, ...JSON.parse(args[0] ?? '{}')})
  process.stdout.write(`${JSON.stringify({url: sandbox.url, ticket: sandbox.demoTicket})}\n`)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await sandbox.close()
    answered.sort((a, b) => a - b)
    const at = (q) => (answered.length === 0 ? 0 : answered[Math.min(answered.length - 1, Math.floor(q * answered.length))])
    const stats = sandbox.stats()
    // The log gives whole milliseconds, rounded to the nearest: their mean is the answers' mean to ~0.01 ms.
    const mean = answered.length === 0 ? 0 : answered.reduce((a, b) => a + b, 0) / answered.length
    process.stdout.write(`${JSON.stringify({requests: stats.requests, statuses, p50: at(0.5), p95: at(0.95), mean, stored: sandbox.accounts().length, capacity: stats.capacity})}\n`)
    process.exit(0)
  }
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()
  process.on('SIGTERM', stop)
  // Never outlives a bench by much, whatever happens to the bench process.
  setTimeout(stop, 60 * 60 * 1000).unref()
} else if (mode === 'got') {
  const [url, ticket, csv, concurrencyText] = args
  const concurrency = Number(concurrencyText)
  const [{default: got}, {buildEnvelope}, {accountFields}, {accountForCreate}, {endpointUrl, soapAction}, {readImportRows}] = await Promise.all([
    import('got'),
    import(`${dist}soap/envelope.js`),
    import(`${dist}soap/account-xml.js`),
    import(`${dist}accounts/merge.js`),
    import(`${dist}soap/versions.js`),
    import(`${dist}csv/reader.js`),
  ])
  // The rows of the import's own file, read before the clock starts: the baseline only builds and posts.
  const inputs = []
  for await (const row of readImportRows(() => createReadStream(csv), {})) inputs.push(row.input)
  const rows = inputs.length
  const endpoint = endpointUrl(url, '87', 'EMail')
  const action = soapAction('87', 'EMail', 'SaveEMailAccount')
  const agent = new http.Agent({keepAlive: true, maxSockets: 64})
  let next = 0
  let failed = 0
  const started = performance.now()
  await Promise.all(
    Array.from({length: concurrency}, async () => {
      while (next < rows) {
        const input = inputs[next++]
        const body = buildEnvelope({version: '87', operation: 'SaveEMailAccount', headers: {ticket}, body: [['EMailAccount', accountFields(accountForCreate(input), '87')]]})
        const res = await got.post(endpoint, {
          body,
          headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"`, 'user-agent': 'soemail', accept: 'text/xml'},
          agent: {http: agent},
          retry: {limit: 0},
          throwHttpErrors: false,
          responseType: 'buffer',
        })
        if (res.statusCode !== 200 || !res.body.includes('SaveEMailAccountResponse')) failed++
      }
    }),
  )
  const ms = performance.now() - started
  agent.destroy()
  process.stdout.write(`${JSON.stringify({rows, failed, ms})}\n`)
} else if (mode === 'preflight') {
  const {preflight} = await import(`${dist}csv/reader.js`)
  const started = performance.now()
  const report = await preflight(() => createReadStream(args[0]), {})
  const ms = performance.now() - started
  process.stdout.write(`${JSON.stringify({rows: report.rows, valid: report.valid, ms})}\n`)
} else if (mode === 'csv-parse') {
  const {parse} = await import('csv-parse')
  const started = performance.now()
  let records = 0
  for await (const _record of createReadStream(args[0]).pipe(parse())) records++
  const ms = performance.now() - started
  process.stdout.write(`${JSON.stringify({rows: records - 1, ms})}\n`)
} else {
  process.stderr.write('usage: bench-child.mjs sandbox JSON | got URL TICKET CSV CONCURRENCY | preflight FILE | csv-parse FILE\n')
  process.exit(2)
}
