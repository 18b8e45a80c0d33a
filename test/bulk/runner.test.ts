/**
 * What the runner tells the limiter: one latency per request that went to the server, none for the
 * index's answers from memory (their near-zero time would read as an unloaded server to --concurrency auto).
 */
import {createReadStream, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {AccountIndex} from '../../src/accounts/account-index.js'
import {JournalWriter} from '../../src/bulk/journal.js'
import {Limiter} from '../../src/bulk/limiter.js'
import type {RowResult} from '../../src/bulk/results.js'
import {applyRows} from '../../src/bulk/runner.js'
import {readImportRows} from '../../src/csv/reader.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {createRow, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'

const sandbox = useSandbox({schemaCheck: false, users: wideDirectory()})
const transport = new SoapTransport({timeoutMs: 10_000})
afterAll(() => transport.close())

const email = () => new EMailService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: sandbox.current.demoTicket}, transport))

/** The real limiter, adaptive, keeping what it was told. */
class RecordingLimiter extends Limiter {
  readonly reports: Array<{latencyMs?: number; congestion?: boolean}> = []

  override report(outcome: {latencyMs?: number; congestion?: boolean}): void {
    this.reports.push(outcome)
    super.report(outcome)
  }
}

describe('the runner and the limiter', () => {
  it('reports one latency per request sent, and none for the index answering from memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-runner-'))
    const rows = 12
    const file = writeCsv(join(dir, 'in.csv'), Array.from({length: rows}, (_, i) => createRow(960_000 + i, 61)))
    const index = await AccountIndex.build(email(), {associates: new Set([61]), retries: 1, sleep: async () => {}})
    const limiter = new RecordingLimiter(4, {adaptive: true})
    const saves = () => sandbox.current.stats().byOperation.SaveEMailAccount ?? 0
    const before = saves()
    const journal = new JournalWriter(join(dir, 'journal'))
    const results: RowResult[] = []
    try {
      await applyRows(readImportRows(() => createReadStream(file), {}), {
        email: email(),
        journal,
        history: new Map(),
        index,
        limiter,
        retries: 2,
        backoffMs: 0,
        settle: (seq, r) => (results[seq] = r),
        undo: {updated: () => {}, created: () => {}},
        stopping: () => false,
      })
    } finally {
      journal.close()
    }
    expect(results.map((r) => r.status)).toEqual(Array.from({length: rows}, () => 'ok'))
    expect(saves() - before).toBe(rows)
    expect(limiter.reports.filter((r) => r.latencyMs !== undefined)).toHaveLength(rows)
  })
})
