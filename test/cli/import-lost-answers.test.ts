import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {readJournal} from '../../src/bulk/journal.js'
import {BIN, cleanEnv, parseJson, runCli} from '../helpers/cli.js'
import {createRow, readResults, untilJournalDone, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'

const sandbox = useSandbox({schemaCheck: false, users: wideDirectory()})
afterEach(() => sandbox.current.setFaults(undefined))

/**
 * The rehearsal the README promises: `soemail sandbox --fail-5xx 0.05 --fail-reset-after 0.02 --latency 20-80`
 * (every EMail.svc operation faulted, reads included), here in-process so the test can count accounts.
 */
const FLAKY = {latencyMs: [20, 80] as [number, number], rates: {serverError: 0.05, resetAfter: 0.02}}
const N = 2000

/** Rows alternating between two associates. */
function provisioningFile(name: string, first: number, associates: [number, number]): {file: string; emails: string[]} {
  const dir = mkdtempSync(join(tmpdir(), 'soemail-lost-'))
  const rows = Array.from({length: N}, (_, i) => createRow(first + i, associates[i % 2]))
  return {file: writeCsv(join(dir, name), rows), emails: rows.map((_, i) => `user${first + i}@example.com`)}
}

function accountsPerEmail(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const a of sandbox.current.accounts()) if (a.emailAddress) counts.set(a.emailAddress, (counts.get(a.emailAddress) ?? 0) + 1)
  return counts
}

function expectOneAccountPerRow(file: string, emails: string[]): void {
  const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
  expect(results).toHaveLength(N)
  expect(results.filter((r) => r.status !== 'ok').map((r) => `line ${r.line}: ${r.status} ${r.error}`)).toEqual([])
  const counts = accountsPerEmail()
  const byEmail = new Map(sandbox.current.accounts().map((a) => [a.emailAddress, a.emailAccountId]))
  emails.forEach((email, i) => {
    expect(counts.get(email), email).toBe(1)
    expect(Number(results[i]!.account_id), email).toBe(byEmail.get(email))
  })
}

const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
const args = (file: string) => ['account', 'import', file, '--concurrency', '16', '--timeout', '5', '--json']

describe(`a ${N}-row import against the flaky sandbox`, () => {
  it('ends with 0 unknown rows and 0 duplicates: every lost create was looked up', async () => {
    // The ticket's own associate (5), found through GetEMailAccountFromEMailAddress too, and another (12).
    const {file, emails} = provisioningFile('flaky.csv', 900_000, [5, 12])
    sandbox.current.setFaults({seed: 8, ...FLAKY})
    const res = await runCli(args(file), {env: env(), timeoutMs: 120_000})
    const faults = sandbox.current.stats().faults
    sandbox.current.setFaults(undefined)
    expect(res.code, res.stdout + res.stderr).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({counts: {ok: N, unknown: 0, failed: 0}})
    // Lost answers did happen, and some of them were creates the server had carried out.
    expect(faults.resetAfter ?? 0).toBeGreaterThan(10)
    expectOneAccountPerRow(file, emails)
  }, 120_000)

  it('killed with -9 mid-run and resumed: no duplicate, no unknown row, one account per row', async () => {
    // Associates of their own, so the resumed run's index reads this file's accounts only.
    const {file, emails} = provisioningFile('killed.csv', 910_000, [13, 14])
    sandbox.current.setFaults({seed: 9, ...FLAKY})
    const child = spawn(process.execPath, [BIN, ...args(file)], {env: cleanEnv(env()), stdio: 'ignore'})
    const exited = new Promise<number | null>((r) => child.on('close', r))
    await untilJournalDone(`${file}.results.csv.journal`, 700, () => child.exitCode !== null, 10)
    child.kill('SIGKILL')
    expect(await exited).toBeNull()
    // Creates in flight at the kill left a start without an outcome in the journal.
    expect([...readJournal(`${file}.results.csv.journal`).values()].some((h) => h.inFlight)).toBe(true)

    const resumed = await runCli([...args(file), '--resume'], {env: env(), timeoutMs: 120_000})
    sandbox.current.setFaults(undefined)
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(parseJson(resumed.stdout).result).toMatchObject({counts: {unknown: 0, failed: 0}})
    expectOneAccountPerRow(file, emails)
  }, 120_000)
})
