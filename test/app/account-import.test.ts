import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {runAccountImport, type AccountImportOptions} from '../../src/app/account-import.js'
import {AuthError, CliError, InterruptedError, UsageError, ValidationError} from '../../src/errors.js'
import {createRow, readResults, writeCsv} from '../helpers/import-csv.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const sandbox = useSandbox({schemaCheck: false, users: wideDirectory()})
const world = useWorlds(sandbox)
afterEach(() => sandbox.current.setFaults(undefined))

let nextUser = 500_000
function csvFile(rows: number, associateId = 5): {file: string; first: number} {
  const first = nextUser
  nextUser += rows
  const dir = mkdtempSync(join(tmpdir(), 'soemail-app-import-'))
  return {file: writeCsv(join(dir, 'in.csv'), Array.from({length: rows}, (_, i) => createRow(first + i, associateId))), first}
}

const options = (file: string, extra: Partial<AccountImportOptions> = {}): AccountImportOptions => ({...NO_FLAGS, file, concurrency: '2', retries: 3, output: 'text', argv: [file], commandId: 'account:import', ...extra})
const results = (file: string) => readResults(readFileSync(`${file}.results.csv`, 'utf8'))
const stored = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email).length
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e)

describe('runAccountImport', () => {
  it('creates every row and writes one result per input line, in order', async () => {
    const {file, first} = csvFile(5)
    const w = world()
    expect(await runAccountImport(options(file), w)).toMatchObject({rows: 5, counts: {ok: 5}, actions: {create: 5}})
    expect(results(file).map((r) => [r.line, r.status, r.action])).toEqual([2, 3, 4, 5, 6].map((l) => [String(l), 'ok', 'create']))
    for (let i = 0; i < 5; i++) expect(stored(`user${first + i}@example.com`)).toBe(1)
    expect(w.stdout.text() + w.stderr.text()).not.toMatch(/imap-pw|smtp-pw/)
  })

  it('an invalid file sends nothing and is a validation error', async () => {
    const {file} = csvFile(0)
    writeCsv(file, [createRow(1), ',bad-address,5,imap.example.com,993,plain,u,p,smtp.example.com,587,plain,u,p'])
    const before = sandbox.current.stats().requests
    expect(await failure(runAccountImport(options(file), world()))).toBeInstanceOf(ValidationError)
    expect(sandbox.current.stats().requests).toBe(before)
  })

  it('--dry-run changes nothing', async () => {
    const {file} = csvFile(3)
    const before = sandbox.current.stats().acted
    expect(await runAccountImport(options(file, {'dry-run': true}), world())).toMatchObject({dryRun: true, totals: {create: 3}})
    expect(sandbox.current.stats().acted).toBe(before)
  })

  it('an earlier journal needs --resume or --restart without a terminal; on a terminal it asks', async () => {
    const {file} = csvFile(2)
    await runAccountImport(options(file), world())
    const refused = world()
    const error = await failure(runAccountImport(options(file), refused))
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).hint).toMatch(/--resume.*--restart/)
    expect(refused.prompter.asked).toEqual([])
    const asked = world({interactive: true, answers: {confirm: [true]}})
    expect(await runAccountImport(options(file), asked)).toMatchObject({earlier: 2})
    expect(asked.prompter.asked).toEqual([expect.stringMatching(/^An earlier run of .* Resume it/)])
  })

  it('Ctrl-C finishes the rows in flight, names the resume command, and --resume never creates an account twice', async () => {
    const {file, first} = csvFile(12)
    sandbox.current.setFaults({latencyMs: [20, 20]})
    const w = world()
    const write = w.stdout.write
    let sent = false
    w.stdout.write = (text) => {
      write(text)
      if (!sent && text.includes('"type":"row"')) {
        sent = true
        w.signals.send('SIGINT')
      }
    }
    const error = await failure(runAccountImport(options(file, {output: 'ndjson'}), w))
    expect(error).toBeInstanceOf(InterruptedError)
    expect(w.stderr.text()).toContain('Stopping: no new rows; waiting for the rows in flight')
    expect(w.stderr.text()).toContain(`soemail account import ${file} --resume`)
    expect(w.signals.resent).toEqual([])
    expect(w.signals.listeners('SIGINT')).toBe(0)
    const interrupted = results(file)
    expect(interrupted).toHaveLength(12)
    expect(interrupted.filter((r) => r.status === 'skipped').length).toBeGreaterThan(0)
    expect(interrupted.every((r) => r.status === 'ok' || r.status === 'skipped')).toBe(true)

    expect(await runAccountImport(options(file, {resume: true}), world())).toMatchObject({counts: {ok: 12}})
    for (let i = 0; i < 12; i++) expect(stored(`user${first + i}@example.com`), `user${first + i}`).toBe(1)
  })

  it('a second Ctrl-C stops at once: the signal goes back to the process', async () => {
    const {file} = csvFile(6)
    sandbox.current.setFaults({latencyMs: [20, 20]})
    const w = world()
    const write = w.stdout.write
    w.stdout.write = (text) => {
      write(text)
      if (text.includes('"type":"row"') && w.signals.resent.length === 0) {
        w.signals.send('SIGINT')
        w.signals.send('SIGINT')
      }
    }
    await failure(runAccountImport(options(file, {output: 'ndjson'}), w))
    expect(w.signals.resent).toEqual(['SIGINT'])
    expect(w.stderr.text()).toContain('Stopped at once. The journal is consistent; resume with:')
  })

  it('a create whose answer was lost is looked up by e-mail and associate: found, it is ok with the id it got, and never sent twice', async () => {
    const {file, first} = csvFile(3)
    const saves = () => sandbox.current.stats().byOperation.SaveEMailAccount ?? 0
    const before = saves()
    sandbox.current.setFaults({rates: {resetAfter: 1}, operations: ['SaveEMailAccount']})
    expect(await runAccountImport(options(file), world())).toMatchObject({counts: {ok: 3, unknown: 0}, actions: {create: 3}})
    sandbox.current.setFaults(undefined)
    expect(saves() - before).toBe(3)
    const ids = results(file).map((r) => [r.status, r.action, Number(r.account_id)])
    for (let i = 0; i < 3; i++) {
      const account = sandbox.current.accounts().find((a) => a.emailAddress === `user${first + i}@example.com`)
      expect(stored(`user${first + i}@example.com`)).toBe(1)
      expect(ids[i]).toEqual(['ok', 'create', account?.emailAccountId])
    }
    // The lost creates count as this run's: the undo list names them.
    expect(readFileSync(`${file}.results.created.csv`, 'utf8').trim().split('\n')).toHaveLength(4)
  })

  it('a lost create that the server did not carry out is sent again; when every attempt fails it is failed, not unknown', async () => {
    const {file, first} = csvFile(2)
    // 5xx on a create: the client cannot tell whether the server acted (the sandbox answers before acting).
    sandbox.current.setFaults({rates: {serverError: 1}, operations: ['SaveEMailAccount']})
    const error = await failure(runAccountImport(options(file, {retries: 2}), world()))
    expect((error as CliError).exitCode).toBe(6)
    expect(results(file).map((r) => [r.status, r.attempts])).toEqual([['failed', '3'], ['failed', '3']])
    expect(results(file)[0]?.error).toMatch(/looked up afterwards: the account was not created/)
    sandbox.current.setFaults({rates: {serverError: 0.5}, seed: 4, operations: ['SaveEMailAccount']})
    expect(await runAccountImport(options(file, {resume: true, retries: 6}), world())).toMatchObject({counts: {ok: 2, unknown: 0}})
    for (let i = 0; i < 2; i++) expect(stored(`user${first + i}@example.com`)).toBe(1)
  })

  it('a bulk run sends each request once (a 503 too); the runner alone retries, so attempts count every read the server saw', async () => {
    const {file} = csvFile(6)
    await runAccountImport(options(file), world())
    const ids = results(file).map((r) => r.account_id)
    const updates = writeCsv(join(mkdtempSync(join(tmpdir(), 'soemail-app-import-')), 'up.csv'), ids.map((id) => `${id},imap2.example.com`), 'id,imap_server')
    const reads = () => sandbox.current.stats().byOperation.GetEMailAccount ?? 0
    const before = reads()
    sandbox.current.setFaults({seed: 11, rates: {throttle: 0.4}, operations: ['GetEMailAccount']})
    expect(await runAccountImport(options(updates, {retries: 10}), world())).toMatchObject({counts: {ok: 6}})
    const attempts = results(updates).map((r) => Number(r.attempts))
    // A client that retried on its own would hide reads from the runner: more reads than attempts.
    expect(attempts.reduce((a, b) => a + b, 0)).toBe(reads() - before)
    expect(Math.max(...attempts)).toBeGreaterThan(1)
  })

  it('the ticket check before any row is retried like a read: a 503 there does not end the run at once', async () => {
    const {file} = csvFile(2)
    const checks = () => sandbox.current.stats().byOperation.CreateDefaultEMailAccount ?? 0
    const before = checks()
    const acted = sandbox.current.stats().acted
    sandbox.current.setFaults({rates: {throttle: 1}, operations: ['CreateDefaultEMailAccount']})
    const error = await failure(runAccountImport(options(file), world()))
    expect((error as CliError).exitCode).toBe(7)
    expect((error as CliError).message).toMatch(/soemail sent the request 3 times/)
    expect(checks() - before).toBe(3)
    expect(sandbox.current.stats().acted).toBe(acted)
  })

  it('an expired ticket is renewed once with SOEMAIL_USERNAME/PASSWORD; a second expiry stops the run with exit 4', async () => {
    // An associate with no accounts yet: the index of existing ones costs three calls, and the tickets expire among the rows.
    const {file} = csvFile(30, 78)
    const ticket = await freshTicket(sandbox.current.url)
    sandbox.current.setFaults({ticketExpiryAfterCalls: 8})
    const w = world({env: {SOEMAIL_TICKET: ticket, SOEMAIL_USERNAME: 'demo', SOEMAIL_PASSWORD: 'demo'}})
    const error = await failure(runAccountImport(options(file), w))
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).code).toBe('TICKET_REJECTED')
    expect((error as CliError).exitCode).toBe(4)
    expect(w.stderr.text().match(/logged in again/g)).toHaveLength(1)
    expect(results(file)).toHaveLength(30)
  })

  it('without a way to log in again, a rejected ticket stops the run with exit 4', async () => {
    const {file} = csvFile(2)
    const ticket = await freshTicket(sandbox.current.url)
    sandbox.current.expireTickets()
    const error = await failure(runAccountImport(options(file), world({env: {SOEMAIL_TICKET: ticket}})))
    expect(error).toBeInstanceOf(AuthError)
  })
})
