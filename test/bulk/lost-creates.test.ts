import {createReadStream, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {AccountIndex} from '../../src/accounts/account-index.js'
import {JournalWriter, readJournal, type RowHistory} from '../../src/bulk/journal.js'
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
const transport = new SoapTransport({timeoutMs: 2_000})
afterAll(() => transport.close())
afterEach(() => sandbox.current.setFaults(undefined))

const email = () => new EMailService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: sandbox.current.demoTicket}, transport))

/** The runner over a real file, journal and sandbox, with the index the import job would give it. */
async function run(file: string, journalPath: string, index: AccountIndex | undefined, history: Map<number, RowHistory> = new Map()): Promise<RowResult[]> {
  const journal = new JournalWriter(journalPath)
  const results: RowResult[] = []
  try {
    await applyRows(readImportRows(() => createReadStream(file), {}), {
      email: email(),
      journal,
      history,
      index,
      limiter: new Limiter(2),
      retries: 2,
      backoffMs: 0,
      settle: (seq, r) => (results[seq] = r),
      undo: {updated: () => {}, created: () => {}},
      stopping: () => false,
    })
  } finally {
    journal.close()
  }
  return results
}

describe('a create whose answer was lost', () => {
  it('stays unknown, with the reason, only while it cannot be looked up; a resume that can look it up finds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-lost-'))
    const file = writeCsv(join(dir, 'in.csv'), [createRow(950_000, 61)])
    const journal = join(dir, 'journal')
    const index = await AccountIndex.build(email(), {associates: new Set([61]), retries: 1, sleep: async () => {}})
    // Every create is carried out and its answer lost; so is every answer to a read of the list.
    sandbox.current.setFaults({rates: {resetAfter: 1}, operations: ['SaveEMailAccount', 'GetReadySyncEmailAccounts']})
    const [lost] = await run(file, journal, index)
    sandbox.current.setFaults(undefined)
    expect(lost).toMatchObject({status: 'unknown', action: 'create', attempts: 1})
    expect(lost?.error).toMatch(/looking the account up by e-mail and associate failed too: .*ECONNRESET|looking the account up by e-mail and associate failed too: .*reset/i)
    const stored = sandbox.current.accounts().filter((a) => a.emailAddress === 'user950000@example.com')
    expect(stored).toHaveLength(1)

    const history = readJournal(journal)
    expect(history.get(2)?.done?.st).toBe('unknown')
    const saves = sandbox.current.stats().byOperation.SaveEMailAccount ?? 0
    const [resumed] = await run(file, journal, await AccountIndex.build(email(), {associates: new Set([61])}), history)
    expect(resumed).toMatchObject({status: 'ok', action: 'create', accountId: stored[0]!.emailAccountId})
    expect(sandbox.current.stats().byOperation.SaveEMailAccount ?? 0).toBe(saves)
    expect(sandbox.current.accounts().filter((a) => a.emailAddress === 'user950000@example.com')).toHaveLength(1)
  })

  it('without an index (the old behaviour, kept for callers that have none) a lost create is unknown and a resume does not send it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-lost-'))
    const file = writeCsv(join(dir, 'in.csv'), [createRow(951_000, 62)])
    const journal = join(dir, 'journal')
    sandbox.current.setFaults({rates: {resetAfter: 1}, operations: ['SaveEMailAccount']})
    expect((await run(file, journal, undefined))[0]).toMatchObject({status: 'unknown'})
    sandbox.current.setFaults(undefined)
    expect((await run(file, journal, undefined, readJournal(journal)))[0]).toMatchObject({status: 'unknown', attempts: 0})
  })
})
