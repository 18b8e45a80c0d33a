/**
 * `account import --concurrency auto` against a sandbox that can be overloaded (`--capacity 2`): the
 * adaptive limit backs off from the 503s and queueing it meets, and every row is done exactly once.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runAccountImport, type AccountImportOptions} from '../../src/app/account-import.js'
import {runCli} from '../helpers/cli.js'
import {createRow, readResults, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

// The queue as long as the capacity, as `soemail sandbox --capacity 2` has it.
const sandbox = useSandbox({schemaCheck: false, users: wideDirectory(), latencyMs: 30, capacity: {limit: 2, queue: 2}})
const world = useWorlds(sandbox)

function csvFile(rows: number, first: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'soemail-import-capacity-'))
  return writeCsv(join(dir, 'in.csv'), Array.from({length: rows}, (_, i) => createRow(first + i, 5)))
}

const options = (file: string, extra: Partial<AccountImportOptions> = {}): AccountImportOptions => ({...NO_FLAGS, file, concurrency: 'auto', retries: 3, output: 'text', argv: [file], commandId: 'account:import', ...extra})

describe('account import --concurrency auto against a server of capacity 2', () => {
  it('completes every row, each account created once, and shows the concurrency on a terminal', async () => {
    const rows = 150
    const file = csvFile(rows, 700_000)
    const w = world({interactive: true, env: {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket, SOEMAIL_PROGRESS_INTERVAL_MS: '20'}})
    const summary = await runAccountImport(options(file), w)
    expect(summary).toMatchObject({rows, counts: {ok: rows, failed: 0, unknown: 0}, actions: {create: rows}})
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results).toHaveLength(rows)
    expect(results.every((r) => r.status === 'ok')).toBe(true)
    const addresses = sandbox.current.accounts().map((a) => a.emailAddress)
    for (let i = 0; i < rows; i++) expect(addresses.filter((a) => a === `user${700_000 + i}@example.com`)).toHaveLength(1)
    expect(new Set(results.map((r) => r.account_id)).size).toBe(rows)
    expect(w.stderr.text()).toMatch(/concurrency \d+/)
  })

  it('a fixed concurrency far above the capacity meets 503s (the rehearsal an admin makes), and loses or doubles no row', async () => {
    const rows = 60
    const file = csvFile(rows, 710_000)
    const before = sandbox.current.stats().capacity?.rejected ?? 0
    const summary = await runAccountImport(options(file, {concurrency: '16', retries: 10}), world())
    expect(sandbox.current.stats().capacity!.rejected).toBeGreaterThan(before)
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results).toHaveLength(rows)
    const addresses = sandbox.current.accounts().map((a) => a.emailAddress)
    for (const r of results) expect(addresses.filter((a) => a === r.email)).toHaveLength(r.status === 'ok' ? 1 : 0)
    expect(summary).toMatchObject({rows})
  })
})

describe('account import --concurrency', () => {
  it('is auto unless given (it earned that in the bench: npm run bench, the capacity section)', async () => {
    const res = await runCli(['account', 'import', '--help'])
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/--concurrency=<value>\s+\[default: auto\]/)
  })
})
